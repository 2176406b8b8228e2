"""Rows inserted in one statement, for the set-wise paths (a deadline sweep's audit events and to-dos).

``bulk_create`` prepares every field of every object through the model layer, which costs more than
the INSERT itself at tens of thousands of rows; here the caller names the columns, the values of
plain columns go to the driver as they are, and only those that need it (dates, JSON) are adapted
once per value by their field. Portable: PostgreSQL and SQLite both take multi-row VALUES, ON
CONFLICT DO NOTHING and RETURNING.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

# Fields whose Python values the driver cannot take as they are.
_ADAPTED = (models.DateTimeField, models.DateField, models.JSONField, models.DecimalField)


def insert_rows(
    model: type[models.Model], *, fields: Sequence[str], rows: Sequence[Sequence[object]], skip_conflicts: bool = False
) -> list[int]:
    """Inserts ``rows`` (values in the order of ``fields``, attribute names such as ``application_id``)
    into ``model``'s table in one statement; returns the primary keys of the rows inserted (with
    ``skip_conflicts``, a row that breaks a unique constraint is left out, and its key too)."""
    if not rows:
        return []
    opts = model._meta
    concrete = {field.attname: field for field in opts.concrete_fields}
    columns = [concrete[name] for name in fields]
    adapted = [(index, field) for index, field in enumerate(columns) if isinstance(field, _ADAPTED)]
    params: list[Any] = []
    for row in rows:
        values = list(row)
        for index, field in adapted:
            values[index] = field.get_db_prep_save(values[index], connection)
        params.extend(values)
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    assert opts.pk is not None
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(field.column) for field in columns)}) "  # noqa: S608
        f"VALUES {', '.join([placeholders] * len(rows))}"
        f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} RETURNING {quote(opts.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
