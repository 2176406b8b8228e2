"""The exam's time windows, checked in server time."""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registration.models import Application, ApplicationEvent, Exam
from registration.models.application import ApplicationStatus
from registration.workflow import Action
from wecan.errors import WindowClosed


class Window(StrEnum):
    REGISTRATION = "registration"  # create, fill, submit
    # Withdraw; fix and re-submit after a withdrawal or a confirmation rejection; staff confirm.
    CONFIRMATION = "confirmation"
    PAYMENT = "payment"
    TICKET = "ticket"


def window_bounds(exam: Exam, window: Window) -> tuple[datetime.datetime, datetime.datetime]:
    return {
        Window.REGISTRATION: (exam.registration_opens, exam.registration_closes),
        Window.CONFIRMATION: (exam.registration_opens, exam.confirmation_deadline),
        Window.PAYMENT: (exam.payment_opens, exam.payment_closes),
        Window.TICKET: (exam.ticket_opens, exam.ticket_closes),
    }[window]


def window_name(window: Window) -> str:
    return {
        Window.REGISTRATION: _("网上报名"),
        Window.CONFIRMATION: _("报名确认"),
        Window.PAYMENT: _("网上缴费"),
        Window.TICKET: _("准考证打印"),
    }[window]


def moment_text(moment: datetime.datetime) -> str:
    """A moment that opens something, in local time: "2026-11-20 09:00"."""
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def deadline_text(moment: datetime.datetime) -> str:
    """A deadline as the last moment that counts: one at midnight is "2026-12-09 24:00", never
    "2026-12-10 00:00" (which reads as a day more than there is). Windows close at ``closes``."""
    local = timezone.localtime(moment)
    if local.time() == datetime.time(0, 0):
        return f"{date_format(local - datetime.timedelta(days=1), 'Y-m-d')} 24:00"
    return date_format(local, "Y-m-d H:i")


def is_open(exam: Exam, window: Window, now: datetime.datetime | None = None) -> bool:
    opens, closes = window_bounds(exam, window)
    return opens <= (now or timezone.now()) < closes


def require_open(exam: Exam, window: Window, now: datetime.datetime | None = None) -> None:
    """Raises ``WindowClosed`` naming the window and its times when ``now`` is outside it."""
    now = now or timezone.now()
    if is_open(exam, window, now):
        return
    opens, closes = window_bounds(exam, window)
    times = {
        "window": window_name(window),
        "opens": moment_text(opens),
        "closes": deadline_text(closes),
    }
    if now < opens:
        message = _("%(window)s尚未开始，开始时间为%(opens)s。") % times
    else:
        message = _("%(window)s已于%(closes)s截止。") % times
    raise WindowClosed(message)


def content_window(application: Application) -> Window:
    """The window in which the application's content may change and it may be submitted.

    Seed 002 line 34: "可在报名确认结束前点击'撤回信息提交'，通过【填写/修改报考信息】功能修改相应信息，
    修改完成后须再次提交": after a withdrawal, as after a confirmation rejection, until the
    confirmation deadline; a draft never submitted, within the registration window.
    """
    if application.status == ApplicationStatus.CONFIRMATION_REJECTED:
        return Window.CONFIRMATION
    if (
        application.status == ApplicationStatus.DRAFT
        and ApplicationEvent.objects.filter(application_id=application.pk, action=Action.WITHDRAW).exists()
    ):
        return Window.CONFIRMATION
    return Window.REGISTRATION


def require_content_open(application: Application, now: datetime.datetime | None = None) -> None:
    """``require_open`` for the application's ``content_window``. A draft while both the registration
    and the confirmation window are open may change whichever window is its own, so its audit trail
    is not searched for a withdrawal: the case of nearly every save of the registration weeks."""
    now = now or timezone.now()
    if (
        application.status == ApplicationStatus.DRAFT
        and is_open(application.exam, Window.REGISTRATION, now)
        and is_open(application.exam, Window.CONFIRMATION, now)
    ):
        return
    require_open(application.exam, content_window(application), now)
