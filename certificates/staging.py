"""Temporary tables filled in bulk, for imports that work on sets: ``COPY`` on PostgreSQL, batched
inserts on SQLite (the embedded default), the same rows either way.

A staging table lives in the importing transaction's connection only; the caller drops it when done,
and a rollback drops it with everything else.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

# A staged file stays in memory up to this size, then spills to a temporary file.
_IN_MEMORY = 8 * 1024 * 1024
_BATCH = 5000


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# How COPY's text format writes no value and the two booleans.
COPY_NULL = "\\N"
COPY_BOOLEAN = {True: "t", False: "f"}


def copy_text(value: str) -> str:
    """``value`` as a field of COPY's text format (its backslashes, tabs and line ends escaped)."""
    return value.translate(_ESCAPES)


def _copy_line(row: Sequence[object]) -> str:
    """One row in COPY's text format (a million of them per import: kept to one expression)."""
    return (
        "\t".join(
            [
                value.translate(_ESCAPES)
                if type(value) is str
                else COPY_NULL
                if value is None
                else COPY_BOOLEAN[value]
                if type(value) is bool
                else str(value)
                for value in row
            ]
        )
        + "\n"
    )


_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
_ESCAPED = re.compile(r"\\[\\tnr]")


def _from_copy(value: str, boolean: bool) -> object:
    """A value of COPY's text format back as ``add`` takes it (SQLite has no COPY)."""
    if value == COPY_NULL:
        return None
    if boolean:
        return value == COPY_BOOLEAN[True]
    return _ESCAPED.sub(lambda escape: _UNESCAPES[escape[0]], value)


class StagingTable:
    """``CREATE TEMPORARY TABLE name (columns)``, then ``add`` rows and ``load`` them in one go."""

    def __init__(self, cursor: Any, name: str, columns: Sequence[tuple[str, str]]) -> None:
        self.cursor = cursor
        self.name = name
        self.columns = [column for column, _type in columns]
        self._booleans = [sql_type.startswith("boolean") for _column, sql_type in columns]
        self.postgresql = connection.vendor == "postgresql"
        definition = ", ".join(f"{column} {sql_type}" for column, sql_type in columns)
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        self._file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY, mode="w+", encoding="utf-8")  # noqa: SIM115 - closed by load/drop
        self._rows: list[Sequence[object]] = []
        self._lines: list[str] = []

    def add(self, row: Sequence[object]) -> None:
        if self.postgresql:
            self._lines.append(_copy_line(row))
            # Written a batch at a time: each write of the spooled file asks for its size.
            if len(self._lines) >= _BATCH:
                self._file.write("".join(self._lines))
                self._lines = []
            return
        self._rows.append(row)
        if len(self._rows) >= _BATCH:
            self._insert(self._rows)
            self._rows = []

    def write(self, text: str) -> None:
        """Adds rows already in COPY's text format (what ``add`` makes of a row), for callers that write
        a million of them a batch at a time instead of a row at a time."""
        if self.postgresql:
            self._file.write(text)
            return
        for line in text.splitlines():
            self.add(
                [_from_copy(value, boolean) for value, boolean in zip(line.split("\t"), self._booleans, strict=True)]
            )

    def add_all(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.add(row)

    def _insert(self, rows: list[Sequence[object]]) -> None:
        placeholders = ", ".join(["%s"] * len(self.columns))
        self.cursor.executemany(
            f"INSERT INTO {self.name} ({', '.join(self.columns)}) VALUES ({placeholders})",  # noqa: S608 - names are constants
            rows,
        )

    def load(self) -> None:
        """Writes the rows added so far to the table, and has PostgreSQL look at them for its plans."""
        if self.postgresql:
            self._file.write("".join(self._lines))
            self._lines = []
            self._file.seek(0)
            self.cursor.copy_expert(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN", self._file)
            self._file.close()
            self._analyze()
            return
        if self._rows:
            self._insert(self._rows)
            self._rows = []

    def fill(self, select: str) -> None:
        """Fills the table from a query of the database instead (``INSERT INTO name SELECT ...``)."""
        self.cursor.execute(f"INSERT INTO {self.name} ({', '.join(self.columns)}) {select}")
        self._analyze()

    def _analyze(self) -> None:
        # Autovacuum never analyses temporary tables: without this the planner guesses their size.
        if self.postgresql:
            self.cursor.execute(f"ANALYZE {self.name}")

    def drop(self) -> None:
        self._file.close()
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
