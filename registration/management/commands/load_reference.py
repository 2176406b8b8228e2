"""``manage.py load_reference [--dir FOLDER]``: upsert the reference data files into the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from registration.services.catalogue import REFERENCE_DIR, SHANGHAI_SLOTS_FILE, reference_data_load
from wecan.errors import PortalError


def portal_error_text(error: PortalError) -> str:
    details = [f"{name}: {' '.join(texts)}" for name, texts in error.fields.items()]
    return "\n".join([str(error.message), *details])


class Command(BaseCommand):
    help = _("载入参考数据（专业、科目、报考年限规则、上海考区证明材料项）；可重复运行。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=REFERENCE_DIR,
            help=_("参考数据所在目录（默认为项目的 reference/）。"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = reference_data_load(directory=options["dir"])
        except PortalError as error:
            raise CommandError(portal_error_text(error)) from error

        for file_name, counts in report.counts.items():
            line = _("%(file)s：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d") % {
                "file": file_name,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
            if file_name == SHANGHAI_SLOTS_FILE:
                line += _("（代码为 SH 的考区 %(count)d 个）") % {"count": report.shanghai_districts}
            self.stdout.write(line)
        for file_name in report.missing_files:
            self.stdout.write(_("%(file)s：目录中没有此文件，跳过。") % {"file": file_name})
        if report.changed:
            self.stdout.write(self.style.SUCCESS(_("参考数据已载入。")))
        else:
            self.stdout.write(self.style.SUCCESS(_("参考数据已是最新，没有任何更改。")))
