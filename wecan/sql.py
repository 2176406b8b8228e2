"""Names for statements written by hand, where the ORM would build the same SQL on every call."""

from __future__ import annotations

from django.db import connection
from django.db.models import Field, Model


def table_and_columns(model: type[Model], *fields: str) -> tuple[str, ...]:
    """The quoted name of ``model``'s table, then those of the named fields' columns."""
    quote = connection.ops.quote_name
    return (quote(model._meta.db_table), *(quote(_column(model, name)) for name in fields))


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} has no column of its own")
    return field.column
