"""Statements written by hand, where the ORM would build the same SQL on every call."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import cast

from django.db import DatabaseError, connection, connections
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


def table_and_columns(model: type[Model], *fields: str) -> tuple[str, ...]:
    """The quoted name of ``model``'s table, then those of the named fields' columns."""
    quote = connection.ops.quote_name
    return (quote(model._meta.db_table), *(quote(_column(model, name)) for name in fields))


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    # Not a reverse relation, and not a many-to-many field, whose rows are in a table of their own.
    if not isinstance(field, Field) or field not in model._meta.concrete_fields:
        raise TypeError(f"{model.__name__}.{name} has no column of its own")
    return field.column


def row_columns_save(instance: Model, fields: Sequence[str], *, using: str) -> None:
    """Writes the named fields of ``instance``'s existing row as ``save(update_fields=fields)`` writes
    them (an ``auto_now`` field takes the time, on the instance too), by a statement built once for
    these fields: the ORM's save spent longer building its UPDATE than PostgreSQL took to run it. No
    ``pre_save``/``post_save`` signal is sent, so a model something listens to is refused."""
    model = type(instance)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise TypeError(f"{model.__name__} has pre_save or post_save receivers, which this write would skip")
    model_fields, statement = _row_update(model, tuple(fields))
    database = connections[using]
    values = [field.get_db_prep_save(field.pre_save(instance, False), database) for field in model_fields]
    with database.cursor() as cursor:
        cursor.execute(statement, [*values, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(instance).__name__} {instance.pk}: no row was updated.")


@functools.cache
def _row_update(model: type[Model], names: tuple[str, ...]) -> tuple[list[Field], str]:
    pk_field = model._meta.pk
    assert pk_field is not None
    table, pk, *columns = table_and_columns(model, pk_field.name, *names)
    # Each a field with a column of its own: table_and_columns refuses any other.
    model_fields = [cast(Field, model._meta.get_field(name)) for name in names]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    return model_fields, f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 - the model's own names
