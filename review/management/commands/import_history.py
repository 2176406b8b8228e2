"""``manage.py import_history FILE --year YEAR``: last year's candidates, for history auto-confirmation.

The CSV has the columns of ``review.services.history.HISTORY_COLUMNS``: ``id_number, name, district,
site, specialty, level, education, work_unit, subject_results`` (``1:72;2:55`` …), ``absent``,
``disqualified`` (是/否), and optionally ``file_number`` (档案号) and ``ticket_number`` (准考证号), by
which site staff find a record to merge. ID numbers are kept only as their keyed hash; a row with
every subject passed is left out (that person is no history candidate).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from review.services.history import history_import
from wecan.errors import PortalError


class Command(BaseCommand):
    help = _("导入上一年度考生记录（历史考生）；可重复运行。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("CSV 文件（UTF-8，首行为列名）。"))
        parser.add_argument("--year", type=int, required=True, help=_("这些记录所属的考试年度，例如 2025。"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                report = history_import(rows=csv.DictReader(handle), exam_year=options["year"])
            except PortalError as error:
                details = [text for texts in error.fields.values() for text in texts]
                raise CommandError("\n".join([str(error.message), *details])) from error
            except UnicodeDecodeError as error:
                raise CommandError(_("文件不是 UTF-8 编码。")) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("历史考生记录：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，全部科目通过未导入 %(passed)d")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "passed": report.passed,
                }
            )
        )
