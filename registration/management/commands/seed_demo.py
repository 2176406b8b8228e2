"""``manage.py seed_demo [--password P]``: the demo exam and accounts of API.md "Demo data"."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.management.commands.load_reference import portal_error_text
from registration.models import User
from registration.services.catalogue import DEMO_PASSWORD, demo_seed
from wecan.errors import PortalError


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _scope_text(user: User) -> str:
    scope = user.registration_point or user.site or user.district
    return str(scope) if scope is not None else _("全部")


class Command(BaseCommand):
    help = _("创建（或刷新）演示考试、考区和工作人员账号；可重复运行。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=_("所有演示账号的密码（默认 %(password)s）。") % {"password": DEMO_PASSWORD},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_seed(password=options["password"])
        except PortalError as error:
            raise CommandError(portal_error_text(error)) from error

        exam = result.exam
        self.stdout.write(
            _("考试：%(name)s（报名 %(opens)s 至 %(closes)s，考试日期 %(date)s）")
            % {
                "name": exam.name,
                "opens": timezone.localdate(exam.registration_opens),
                "closes": timezone.localdate(exam.registration_closes),
                "date": exam.exam_date,
            }
        )
        rows = [(user.username, str(user.get_role_display()), _scope_text(user)) for user in result.accounts]
        headers = (_("用户名"), _("角色"), _("范围"))
        widths = [max(_width(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
        for cells in (headers, *rows):
            padded = [cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)]
            self.stdout.write("  ".join(padded).rstrip())
        self.stdout.write(self.style.SUCCESS(_("以上账号的密码均为：%(password)s") % {"password": options["password"]}))
