"""To-dos (待办事项提醒): created when a transition asks the candidate to act and before deadlines,
closed when the application moves on, and delivered through the reminder channels by a worker.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registration.models import Application, ApplicationEvent, District, Exam, User
from registration.models.application import ApplicationStatus as S
from registration.windows import deadline_text, moment_text
from review.channels import enabled_channels
from review.models import DeliveryStatus, Reminder, ReminderDelivery, ReminderKind
from review.reasons import rejection_summary
from review.services.deadlines import UNCONFIRMED
from review.services.history import AUTO_CONFIRM_REASON
from wecan.bulk_insert import insert_rows

T = TypeVar("T")

DEADLINE_NOTICE = datetime.timedelta(hours=48)


def _queue_delivery(reminder_ids: Sequence[int]) -> None:
    """One delivery task for the lot, on commit."""
    from review.tasks import deliver_reminders

    if reminder_ids:
        transaction.on_commit(partial(deliver_reminders.delay, list(reminder_ids)))


def in_both_languages(make: Callable[[], T]) -> tuple[T, T]:
    """What ``make`` says in the site's language (Chinese) and in English, whoever's request this is:
    a to-do is written once and read on Chinese and English pages."""
    with translation.override(settings.LANGUAGE_CODE):
        chinese = make()
    with translation.override("en"):
        english = make()
    return chinese, english


def reminder_create(
    *, application: Application, kind: str, title: str, body: str, key: str, title_en: str = "", body_en: str = ""
) -> Reminder:
    """The to-do ``key`` for the application's candidate, created once (a second call returns the first);
    its delivery through every channel is queued on commit. ``title_en``/``body_en`` are its English."""
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            key=key,
            defaults={
                "candidate_id": application.candidate_id,
                "application": application,
                "kind": kind,
                "title": title,
                "body": body,
                "title_en": title_en,
                "body_en": body_en,
            },
        )
        if created:
            reminder.full_clean()
            _queue_delivery([reminder.pk])
    return reminder


def reminders_close(*, application_id: int, now: datetime.datetime | None = None) -> int:
    """Closes the application's open to-dos (they were about a state it has left); returns how many."""
    return Reminder.objects.filter(application_id=application_id, closed_at__isnull=True).update(
        closed_at=now or timezone.now()
    )


def reminder_close_by_candidate(*, reminder_id: int, candidate: User) -> Reminder:
    """The candidate marks one of their to-dos as handled; anyone else's is ``Reminder.DoesNotExist``."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id, candidate=candidate)
        if reminder.closed_at is None:
            reminder.closed_at = timezone.now()
            reminder.save(update_fields=["closed_at"])
    return reminder


def _exam_dates(exam: Exam) -> dict[str, str]:
    """The exam's dates as a to-do words them, in the active language."""
    return {
        "deadline": deadline_text(exam.confirmation_deadline),
        "opens": moment_text(exam.payment_opens),
        "closes": deadline_text(exam.payment_closes),
    }


class _Moved(NamedTuple):
    """What a transition's to-do says about the application (read from a row or from a set's query)."""

    status: str
    number: str
    rejection_reasons: list[dict[str, str]]
    online_confirmation: bool
    online_payment: bool

    @classmethod
    def of(cls, application: Application) -> _Moved:
        district = application.district
        return cls(
            application.status,
            application.number,
            application.rejection_reasons,
            district.online_confirmation,
            district.online_payment,
        )


def _transition_content(
    application: _Moved, from_status: str, reason: str, dates: dict[str, str]
) -> tuple[str, str, str] | None:
    """(kind, title, body) of the to-do the application's new state asks for, or ``None``;
    ``reason`` is the transition's audit reason, ``dates`` the exam's (``_exam_dates``)."""
    words = {"number": application.number, "reasons": rejection_summary(application.rejection_reasons), **dates}
    status = application.status
    if status == S.CONFIRMED and reason == AUTO_CONFIRM_REASON:
        body = _(
            "您的报名信息（网报号%(number)s）与上一年度一致，系统已自动完成报名确认，无需到现场确认。"
            "报名信息已不能撤回或修改，请留意资格审核结果。"
        )
        return ReminderKind.AUTO_CONFIRMED, _("报名已自动确认"), body % words
    if status == S.SUBMITTED:
        if application.online_confirmation:
            body = _(
                "报名信息（网报号%(number)s）已提交，等待报名点审核材料。请留意确认结果；"
                "如确认不通过，须在%(deadline)s前修改并重新提交，逾期未完成报名确认的视为放弃。"
            )
        else:
            body = _(
                "报名信息（网报号%(number)s）已提交，尚未确认。请打印报名表，携带相关材料在%(deadline)s前"
                "到所选考点或其下设报名点完成报名确认，逾期视为放弃。"
            )
        return ReminderKind.CONFIRMATION_PENDING, _("报名未确认"), body % words
    if status == S.CONFIRMATION_REJECTED:
        body = _(
            "报名确认不通过（网报号%(number)s），原因：%(reasons)s。请在%(deadline)s前修改报名信息或"
            "重新上传材料并再次提交，逾期视为放弃。"
        )
        return ReminderKind.CONFIRMATION_REJECTED, _("报名确认不通过"), body % words
    if status == S.REVIEW_REJECTED:
        body = _("资格审核不通过（网报号%(number)s），原因：%(reasons)s。")
        return ReminderKind.REVIEW_REJECTED, _("资格审核不通过"), body % words
    if status == S.APPROVED and application.online_payment:
        body = _("资格审核已通过（网报号%(number)s）。请于%(opens)s至%(closes)s完成网上缴费，逾期视为放弃。")
        return ReminderKind.TO_PAY, _("资格审核通过，请缴费"), body % words
    if status == S.ABANDONED:
        if from_status == S.APPROVED:
            body = _("未在%(closes)s前完成缴费，视为放弃本次考试（网报号%(number)s）。")
        else:
            body = _("未在%(deadline)s前完成报名确认，视为放弃本次考试（网报号%(number)s）。")
        return ReminderKind.ABANDONED, _("视为放弃"), body % words
    return None


def reminder_for_transition(*, application_id: int, action: str, from_status: str, to_status: str) -> Reminder | None:
    """Brings the to-dos up to a transition: closes the open ones and adds the one the new state asks for.

    An event the application has already moved past (another transition followed) changes nothing,
    so late or repeated signals cannot reopen what is done.
    """
    application = Application.objects.select_related("exam", "district", "candidate").filter(pk=application_id).first()
    if application is None or application.status != to_status:
        return None
    event_id, reason = (
        ApplicationEvent.objects.filter(application_id=application_id, action=action, to_status=to_status)
        .order_by("-id")
        .values_list("pk", "reason")
        .first()
    ) or (None, "")
    moved = _Moved.of(application)
    content, english = in_both_languages(
        lambda: _transition_content(moved, from_status, reason, _exam_dates(application.exam))
    )
    key = f"event:{event_id}:{content[0] if content else 'none'}"
    if Reminder.objects.filter(key=key).exists():
        # The same event again: what it asked for is done already.
        return None
    with transaction.atomic():
        reminders_close(application_id=application_id)
        if content is None:
            return None
        kind, title, body = content
        title_en, body_en = english[1:] if english else ("", "")
        return reminder_create(
            application=application, kind=kind, title=title, body=body, key=key, title_en=title_en, body_en=body_en
        )


def reminders_for_transitions(*, application_ids: Sequence[int], action: str, to_status: str) -> int:
    """``reminder_for_transition`` for applications that moved together (``transition_many``), in sets:
    each one still in ``to_status`` gets its open to-dos closed and the one its new state asks for
    (about its latest ``action`` event, which says where it came from and why); one delivery task for
    them all. An event already handled is skipped, so running twice adds nothing. Returns how many
    to-dos were created."""
    rows = list(
        Application.objects.filter(pk__in=list(application_ids), status=to_status).values_list(
            "pk", "number", "rejection_reasons", "candidate_id", "exam_id", "district_id"
        )
    )
    exams = Exam.objects.in_bulk({row[4] for row in rows})
    districts = {
        pk: (online_confirmation, online_payment)
        for pk, online_confirmation, online_payment in District.objects.filter(
            pk__in={row[5] for row in rows}
        ).values_list("pk", "online_confirmation", "online_payment")
    }
    events: dict[int, tuple[int, str, str]] = {}
    for application_id, event_id, from_status, reason in (
        ApplicationEvent.objects.filter(application_id__in=[row[0] for row in rows], action=action, to_status=to_status)
        .order_by("application_id", "id")
        .values_list("application_id", "pk", "from_status", "reason")
    ):
        events[application_id] = (event_id, from_status, reason)  # the latest one wins
    moved = [
        (pk, candidate_id, exam_id, _Moved(to_status, number, reasons, *districts[district_id]))
        for pk, number, reasons, candidate_id, exam_id, district_id in rows
        if pk in events
    ]

    def contents() -> list[tuple[str, str, str] | None]:
        # The exam's dates worded once per exam: formatting dates is most of the work for a set.
        dates = {pk: _exam_dates(exam) for pk, exam in exams.items()}
        return [
            _transition_content(facts, events[pk][1], events[pk][2], dates[exam_id])
            for pk, _candidate, exam_id, facts in moved
        ]

    chinese, english = in_both_languages(contents)
    wanted = {
        f"event:{events[pk][0]}:{content[0] if content else 'none'}": (pk, candidate_id, content, in_english)
        for (pk, candidate_id, _exam, _facts), content, in_english in zip(moved, chinese, english, strict=True)
    }
    with transaction.atomic():
        handled = set(Reminder.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
        new = {key: value for key, value in wanted.items() if key not in handled}
        Reminder.objects.filter(
            application_id__in=[pk for pk, _c, _content, _e in new.values()], closed_at__isnull=True
        ).update(closed_at=timezone.now())
        now = timezone.now()
        created_ids = insert_rows(
            Reminder,
            fields=(
                "candidate_id",
                "application_id",
                "kind",
                "title",
                "body",
                "title_en",
                "body_en",
                "key",
                "created_at",
            ),
            rows=[
                (candidate_id, pk, *content, *(in_english[1:] if in_english else ("", "")), key, now)
                for key, (pk, candidate_id, content, in_english) in new.items()
                if content is not None
            ],
            skip_conflicts=True,
        )
        _queue_delivery(created_ids)
    return len(created_ids)


def _deadline_words(application: Application) -> tuple[str, str]:
    """(title, body) of the "即将截止" to-do of ``application``, in the active language."""
    words: dict[str, Any] = {"number": application.number}
    if application.status == S.APPROVED:
        words["deadline"] = deadline_text(application.exam.payment_closes)
        body = _("网上缴费将于%(deadline)s截止，请尽快完成缴费（网报号%(number)s），逾期视为放弃。") % words
    else:
        words["deadline"] = deadline_text(application.exam.confirmation_deadline)
        if application.status == S.DRAFT:
            body = _("报名信息（网报号%(number)s）尚未提交，报名确认将于%(deadline)s截止，逾期视为放弃。") % words
        elif application.status == S.SUBMITTED:
            body = (
                _("报名信息（网报号%(number)s）尚未完成报名确认，报名确认将于%(deadline)s截止，逾期视为放弃。") % words
            )
        else:
            body = _("报名确认不通过的信息（网报号%(number)s）须在%(deadline)s前修改并重新提交，逾期视为放弃。") % words
    return _("即将截止：%(deadline)s") % words, body


def deadline_reminders_create(*, application_ids: Sequence[int], now: datetime.datetime) -> int:
    """For each application still in a state with a deadline within 48 hours of ``now``, one
    "即将截止" to-do per deadline (re-running creates no second one); returns how many were new."""
    soon = now + DEADLINE_NOTICE
    applications = (
        Application.objects.filter(pk__in=application_ids)
        .filter(
            Q(status__in=UNCONFIRMED, exam__confirmation_deadline__gt=now) & Q(exam__confirmation_deadline__lte=soon)
            | Q(status=S.APPROVED, district__online_payment=True, exam__payment_closes__gt=now)
            & Q(exam__payment_closes__lte=soon)
        )
        .select_related("exam")
    )
    wanted: dict[str, Reminder] = {}
    for application in applications:
        key = f"deadline:{'payment' if application.status == S.APPROVED else 'confirmation'}:{application.pk}"
        (title, body), (title_en, body_en) = in_both_languages(partial(_deadline_words, application))
        wanted[key] = Reminder(
            candidate_id=application.candidate_id,
            application=application,
            kind=ReminderKind.DEADLINE_SOON,
            title=title,
            body=body,
            title_en=title_en,
            body_en=body_en,
            key=key,
        )
    with transaction.atomic():
        existing = set(Reminder.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
        new = [reminder for key, reminder in wanted.items() if key not in existing]
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
        created_ids = list(
            Reminder.objects.filter(key__in=[reminder.key for reminder in new]).values_list("pk", flat=True)
        )
        _queue_delivery(created_ids)
    return len(created_ids)


def reminder_deliver(*, reminder_id: int) -> list[ReminderDelivery]:
    """Sends the reminder through every enabled channel it has not yet gone through.

    Each channel's delivery row is locked while sending, so it is sent at most once however often
    the task runs; a channel that raises leaves its row pending (the caller retries).
    """
    reminder = Reminder.objects.select_related("candidate", "application").filter(pk=reminder_id).first()
    if reminder is None:
        return []
    deliveries = []
    for channel in enabled_channels():
        with transaction.atomic():
            delivery, _created = ReminderDelivery.objects.select_for_update().get_or_create(
                reminder=reminder, channel=channel.key
            )
            if delivery.status == DeliveryStatus.PENDING:
                delivery.attempts += 1
                outcome = channel.send(reminder)
                delivery.status = DeliveryStatus.SENT if outcome.sent else DeliveryStatus.SKIPPED
                delivery.detail = outcome.detail[:200]
                delivery.sent_at = timezone.now() if outcome.sent else None
                delivery.full_clean()
                delivery.save()
        deliveries.append(delivery)
    return deliveries
