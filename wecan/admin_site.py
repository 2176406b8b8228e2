"""The back office: Django's admin, titled for the exam, opening on the work that waits for the staff member.

The home page shows the work queues of the staff member's role (待确认, 待初审, 待终审, 对账差异, 后台任务),
each a link to its list, oldest first; the tables the role can only read go under 参考资料, out of the way.
The queues come from the apps' selectors; this module only wires them to the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments.selectors import is_finance_user, open_discrepancies, statements_importing
from registration.forms import StaffLoginForm
from registration.models import User
from review.scope import Duty, may
from review.selectors import jobs_running, staff_work_queues


@dataclass(frozen=True)
class QueueCard:
    key: str
    label: str
    count: int
    url: str
    oldest: datetime.datetime | None
    deadline: datetime.datetime | None
    days_left: int | None


def _card(queue: Any, url: str) -> QueueCard:
    return QueueCard(
        key=queue.key,
        label=str(queue.label),
        count=queue.count,
        url=url,
        oldest=queue.oldest,
        deadline=getattr(queue, "deadline", None),
        days_left=getattr(queue, "days_left", None),
    )


def work_queue_cards(user: User) -> list[QueueCard]:
    """The cards of the home page, in the order of the work: confirm, review, reconcile, jobs."""
    applications = reverse("admin:registration_application_changelist")
    queues = staff_work_queues(user=user)
    # The application list's default order is by submission time, oldest first.
    cards = [
        _card(queue, f"{applications}?{urlencode({'status__exact': queue.status})}")
        for queue in queues
        if queue.key != "jobs"
    ]
    if is_finance_user(user):
        waiting = open_discrepancies(user=user)
        cards.append(
            QueueCard(
                key="discrepancies",
                label=_("对账差异"),
                count=waiting.count,
                url=reverse("admin:payments_discrepancy_changelist"),
                oldest=waiting.oldest,
                deadline=None,
                days_left=None,
            )
        )
    cards += [_card(queue, reverse("admin:review_job_changelist")) for queue in queues if queue.key == "jobs"]
    return cards


@dataclass(frozen=True)
class Progress:
    label: str
    percent: int
    detail: str
    url: str


def work_in_progress(user: User) -> list[Progress]:
    """Background work the staff member started (bulk confirmation) or awaits (statement imports)."""
    running = [
        Progress(
            label=str(job),
            percent=job.percent,
            detail=_("%(processed)s / %(total)s") % {"processed": job.processed, "total": job.total},
            url=reverse("admin:review_job_change", args=[job.pk]),
        )
        for job in jobs_running(user=user)
    ]
    if is_finance_user(user):
        running += [
            Progress(
                label=str(statement),
                percent=statement.progress,
                detail=str(statement.get_status_display()),
                url=reverse("admin:payments_statement_change", args=[statement.pk]),
            )
            for statement in statements_importing(user=user)
        ]
    return running


@dataclass(frozen=True)
class Shortcut:
    label: str
    url: str


def shortcuts(user: User) -> list[Shortcut]:
    """The pages a role opens beside its queues."""
    links = []
    if may(user, Duty.CONFIRM):
        links.append(Shortcut(_("现场确认（扫描报名表）"), reverse("admin:registration_application_confirm_by_code")))
    if may(user, Duty.VIEW):
        links.append(Shortcut(_("报名情况"), reverse("admin:registration_application_dashboard")))
    if is_finance_user(user):
        links.append(Shortcut(_("上传对账单"), reverse("admin:payments_statement_add")))
        links.append(Shortcut(_("每日缴费汇总"), reverse("admin:payments_daily_totals")))
    return links


# Lists staff work in although they cannot change the rows there (decisions have their own pages).
WORK_LISTS = frozenset(
    {
        ("registration", "application"),
        ("review", "job"),
        ("payments", "order"),
        ("payments", "payment"),
        ("payments", "discrepancy"),
    }
)


def _split(app_list: list[dict[str, Any]], *, keep_all: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The apps with what the staff member works on, and the apps of what the role can only read."""
    if keep_all:
        return app_list, []
    work, reference = [], []
    for app in app_list:
        def is_work(model: dict[str, Any], label: str = app["app_label"]) -> bool:
            return not model.get("view_only") or (label, model["object_name"].lower()) in WORK_LISTS

        mine = [model for model in app["models"] if is_work(model)]
        others = [model for model in app["models"] if not is_work(model)]
        if mine:
            work.append({**app, "models": mine})
        if others:
            reference.append({**app, "models": others})
    return work, reference


class WecanAdminSite(admin.AdminSite):
    site_header = gettext_lazy("卫生专业技术资格考试 · 报名管理")
    site_title = gettext_lazy("报名管理")
    index_title = gettext_lazy("工作台")
    index_template = "admin/wecan/index.html"
    login_form = StaffLoginForm
    # The home page lists every table; the sidebar's copy of it took 300 px from lists and the desk.
    enable_nav_sidebar = False

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        user = request.user
        assert isinstance(user, User)  # admin_view lets only signed-in staff reach the index
        work, reference = _split(self.get_app_list(request), keep_all=user.is_administrator)
        context = {
            "queues": work_queue_cards(user),
            "shortcuts": shortcuts(user),
            "in_progress": work_in_progress(user),
            "today": timezone.localdate(),
            "work_apps": work,
            "reference_apps": reference,
            **(extra_context or {}),
        }
        return super().index(request, context)
