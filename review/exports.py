"""The application list as a file: CSV (UTF-8 with BOM, so Excel reads the Chinese) or XLSX, every cell
neutralised against formula injection (``wecan.spreadsheets``). Written for the page that answers a short
list at once and for the background job that writes a long one."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from review.models import ExportFormat
from review.selectors import EXPORT_COLUMNS
from wecan.spreadsheets import safe_row

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class _Echo:
    """A file-like object whose ``write`` hands back what it was given, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The BOM lets Excel open the UTF-8 file with its Chinese intact.
    yield "\ufeff" + writer.writerow([label for _key, label in EXPORT_COLUMNS])
    for row in rows:
        yield writer.writerow(safe_row("" if value is None else value for value in row))


def write_xlsx(rows: Iterable[list[Any]], handle: IO[bytes]) -> None:
    # write_only streams rows to the file instead of keeping a cell object per value.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("报名信息"))
    sheet.append([label for _key, label in EXPORT_COLUMNS])
    for row in rows:
        sheet.append(safe_row(row))
    workbook.save(handle)
