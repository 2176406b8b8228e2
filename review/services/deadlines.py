"""Deadlines: applications left in a state whose deadline passed are abandoned (视为放弃).

``draft``, ``submitted`` and ``confirmation_rejected`` once the exam's confirmation deadline passes
(seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试"; the payment
deadline, which must see the orders, is swept by ``payments.services.deadlines``). The ids are read
in chunks (keyset pagination), never all at once, and each application moves through its own
transition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Application
from registration.models.application import ApplicationStatus as S
from registration.services.applications import transition
from registration.windows import deadline_text
from registration.workflow import Action
from wecan.errors import InvalidState, NotFound

CHUNK_SIZE = 500
# Unconfirmed when the confirmation deadline passes.
UNCONFIRMED = (S.DRAFT, S.SUBMITTED, S.CONFIRMATION_REJECTED)


def _past_deadline(now: datetime.datetime) -> Q:
    return Q(status__in=UNCONFIRMED, exam__confirmation_deadline__lte=now)


def _deadline_soon(now: datetime.datetime, notice: datetime.timedelta) -> Q:
    soon = now + notice
    return Q(
        status__in=UNCONFIRMED,
        exam__confirmation_deadline__gt=now,
        exam__confirmation_deadline__lte=soon,
    ) | Q(
        status=S.APPROVED, district__online_payment=True, exam__payment_closes__gt=now, exam__payment_closes__lte=soon
    )


def _id_chunks(condition: Q, *, chunk_size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            Application.objects.filter(condition, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def abandonable_id_chunks(*, now: datetime.datetime, chunk_size: int = CHUNK_SIZE) -> Iterator[list[int]]:
    """Ids of the applications whose deadline has passed at ``now``, ``chunk_size`` at a time."""
    return _id_chunks(_past_deadline(now), chunk_size=chunk_size)


def deadline_soon_id_chunks(
    *, now: datetime.datetime, notice: datetime.timedelta, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[int]]:
    """Ids of the applications whose deadline falls within ``notice`` after ``now``."""
    return _id_chunks(_deadline_soon(now, notice), chunk_size=chunk_size)


def _abandon_reason(application: Application, now: datetime.datetime) -> str | None:
    """Why the application is abandoned at ``now``, or ``None`` if no deadline of its state has passed."""
    exam = application.exam
    if application.status in UNCONFIRMED and exam.confirmation_deadline <= now:
        return _("报名确认截止（%(when)s）前未完成报名确认，视为放弃。") % {
            "when": deadline_text(exam.confirmation_deadline)
        }
    return None


def application_abandon(*, application_id: int, now: datetime.datetime | None = None) -> bool:
    """Abandons one application if a deadline of its state has passed at ``now``; ``False`` when there
    is nothing to do (it moved on meanwhile, or is already abandoned), so running twice is harmless."""
    now = now or timezone.now()
    application = Application.objects.select_related("exam", "district").filter(pk=application_id).first()
    reason = _abandon_reason(application, now) if application else None
    if reason is None:
        return False

    def check(locked: Application) -> None:
        if _abandon_reason(locked, now) is None:
            raise InvalidState()

    try:
        transition(application_id=application_id, action=Action.ABANDON, actor=None, reason=reason, check=check)
    except (InvalidState, NotFound):
        return False
    return True
