"""Reads made on nearly every request, by a statement built once instead of by the ORM each time.

The API token with its account (every authenticated request) and the application a write locks with
its exam and district (every save and transition): the ORM builds the same SQL again on each call,
which took longer than PostgreSQL takes to answer it. The rows come back as the ORM's
``select_related`` would give them: the same columns, the same converters, the related rows attached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast
from weakref import WeakKeyDictionary

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col
from django.db.transaction import TransactionManagementError

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class _Statement:
    sql: str
    # The columns a converter changes after reading (SQLite's dates and booleans, for one), by position.
    converters: list[tuple[int, Col, list[Callable[..., Any]]]]


class JoinedRows(Generic[ModelT]):
    """The rows of ``model`` whose ``key`` equals a value, each with the rows its foreign keys in
    ``relations`` point to (``None`` for a null one); with ``lock``, the model's own rows are locked
    for the transaction, as ``select_for_update(of=("self",))`` locks them."""

    def __init__(self, model: type[ModelT], relations: tuple[str, ...] = (), *, key: str, lock: bool = False):
        self.model = model
        self.key = cast(models.Field, model._meta.get_field(key))
        self.relations: list[models.ForeignKey] = [model._meta.get_field(name) for name in relations]  # type: ignore[misc]
        self.related_models = [cast(type[models.Model], field.related_model) for field in self.relations]
        self.lock = lock
        models_read: list[type[models.Model]] = [model, *self.related_models]
        self.parts = [list(each._meta.concrete_fields) for each in models_read]
        self.names = [[field.attname for field in fields] for fields in self.parts]
        if any(field.model is not fields[0].model for fields in self.parts for field in fields):
            raise ValueError("A model whose columns are in more than one table (multi-table inheritance).")
        # Each thread has its own connection; built once for each.
        self._statements: WeakKeyDictionary[BaseDatabaseWrapper, _Statement] = WeakKeyDictionary()

    def __call__(self, value: Any, *, using: str) -> list[ModelT]:
        connection = connections[using]
        if self.lock and connection.get_autocommit():
            raise TransactionManagementError("A locking read needs a transaction.")
        statement = self._statements.get(connection) or self._statement(connection)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [self.key.get_db_prep_value(value, connection)])
            rows = cursor.fetchall()
        return [self._loaded(list(row), statement, connection, using) for row in rows]

    def _loaded(self, values: list[Any], statement: _Statement, connection: BaseDatabaseWrapper, using: str) -> ModelT:
        for index, column, converters in statement.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        chunks = []
        for fields in self.parts:
            chunks.append(values[: len(fields)])
            values = values[len(fields) :]
        instance = self.model.from_db(using, self.names[0], chunks[0])
        for field, related_model, names, chunk in zip(
            self.relations, self.related_models, self.names[1:], chunks[1:], strict=True
        ):
            null = chunk[names.index(related_model._meta.pk.attname)] is None
            field.set_cached_value(instance, None if null else related_model.from_db(using, names, chunk))
        return instance

    def _statement(self, connection: BaseDatabaseWrapper) -> _Statement:
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        aliases = [table] + [quote(f"T{number}") for number in range(1, len(self.parts))]
        columns = [
            f"{alias}.{quote(field.column)}"
            for alias, fields in zip(aliases, self.parts, strict=True)
            for field in fields
        ]
        joins = [
            f"{'LEFT OUTER' if field.null else 'INNER'} JOIN {quote(related_model._meta.db_table)} {alias}"
            f" ON {alias}.{quote(field.target_field.column)} = {table}.{quote(field.column)}"
            for field, related_model, alias in zip(self.relations, self.related_models, aliases[1:], strict=True)
        ]
        where = f"{table}.{quote(self.key.column)} = %s"
        sql = f"SELECT {', '.join(columns)} FROM {table} {' '.join(joins)} WHERE {where}"  # noqa: S608 - the models' own names
        if self.lock and connection.features.has_select_for_update:
            sql += f" FOR UPDATE OF {table}" if connection.features.has_select_for_update_of else " FOR UPDATE"
        converters = []
        position = 0
        for fields in self.parts:
            for field in fields:
                column = field.get_col(field.model._meta.db_table)
                found = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
                if found:
                    converters.append((position, column, found))
                position += 1
        statement = _Statement(sql=sql, converters=converters)
        self._statements[connection] = statement
        return statement
