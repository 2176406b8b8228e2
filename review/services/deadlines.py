"""Deadlines: applications left in a state whose deadline passed are abandoned (视为放弃).

``draft``, ``submitted`` and ``confirmation_rejected`` once the exam's confirmation deadline passes
(seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试"; the payment
deadline, which must see the orders, is swept by ``payments.services.deadlines``). The ids are read
in chunks (keyset pagination), never all at once, and each chunk moves in one set through
registration's ``transition_many``: the same audit events and to-dos as one transition each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db.models import Q
from django.utils.translation import gettext as _

from registration.models import Application, Exam
from registration.models.application import ApplicationStatus as S
from registration.services.applications import transition_many
from registration.windows import deadline_text
from registration.workflow import Action

CHUNK_SIZE = 1000
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


def applications_abandon_unconfirmed(*, application_ids: Sequence[int], now: datetime.datetime) -> list[int]:
    """Abandons those of ``application_ids`` left unconfirmed when their exam's confirmation deadline
    had passed at ``now``, in sets through ``transition_many`` (one per exam, whose deadline the reason
    gives); returns the ids abandoned. Anything else, or anything done already, is left as it is."""
    by_exam: dict[int, list[int]] = defaultdict(list)
    for pk, exam_id in Application.objects.filter(pk__in=list(application_ids)).values_list("pk", "exam_id"):
        by_exam[exam_id].append(pk)
    abandoned: list[int] = []
    for exam in Exam.objects.filter(pk__in=list(by_exam), confirmation_deadline__lte=now).order_by("pk"):
        reason = _("报名确认截止（%(when)s）前未完成报名确认，视为放弃。") % {
            "when": deadline_text(exam.confirmation_deadline)
        }
        abandoned += transition_many(
            application_ids=by_exam[exam.pk],
            action=Action.ABANDON,
            actor=None,
            reason=reason,
            condition=_past_deadline(now),
        )
    return abandoned
