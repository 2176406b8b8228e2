"""``manage.py import_scores FILE [--user USERNAME] [--background]``: import a score CSV and print the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from certificates.models import ScoreImport, ScoreImportStatus
from certificates.services.scores import score_import_create, score_import_run
from registration.models import User
from wecan.errors import PortalError


class Command(BaseCommand):
    help = _("导入成绩CSV文件（同一文件可重复导入，不会改变已有成绩），并打印导入结果。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("成绩CSV文件"))
        parser.add_argument("--user", default="", help=_("记为上传人的管理员用户名"))
        parser.add_argument("--background", action="store_true", help=_("只提交给后台任务导入，不等待结果"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        uploaded_by = None
        if options["user"]:
            uploaded_by = User.objects.filter(username=options["user"]).first()
            if uploaded_by is None:
                raise CommandError(_("没有用户名为“%(user)s”的用户。") % {"user": options["user"]})
        background = options["background"]
        try:
            with path.open("rb") as handle:
                record = score_import_create(
                    file=File(handle, name=path.name), uploaded_by=uploaded_by, queue=background
                )
        except PortalError as error:
            raise CommandError(str(error.message)) from error
        if background:
            self.stdout.write(_("已提交后台导入，编号 %(id)s。") % {"id": record.pk})
            return
        self._report(score_import_run(score_import_id=record.pk))

    def _report(self, record: ScoreImport) -> None:
        if record.message:
            self.stdout.write(record.message)
        if record.status != ScoreImportStatus.DONE:
            raise CommandError(_("导入失败（编号 %(id)s）。") % {"id": record.pk})
        self.stdout.write(
            _(
                "导入编号 %(id)s：数据行 %(lines)d，新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，"
                "拒绝 %(rejected)d；新发证书 %(certificates)d，写入历史考生记录 %(history)d。"
            )
            % {
                "id": record.pk,
                "lines": record.lines,
                "created": record.created_count,
                "updated": record.updated_count,
                "unchanged": record.unchanged_count,
                "rejected": record.rejected_count,
                "certificates": record.certificates_issued,
                "history": record.history_records_written,
            }
        )
        for error in record.errors:
            self.stdout.write(_("第%(line)s行：%(reason)s") % error)
