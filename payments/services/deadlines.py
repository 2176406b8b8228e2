"""The payment deadline: an approved application left unpaid when the payment window closes is
abandoned (视为放弃), unless an order of it is still pending.

This part of the deadline sweep lives here, not in ``review/``, because it must see the orders: a
payment begun in time is honoured even when the gateway's word arrives after the deadline, so an
application with a pending order waits until the order is settled (credited or expired). The state
changes in sets through registration's ``transition_many``, whose audit and signals are the same as
every sweep's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from payments.models import Order, OrderStatus
from registration.models import Application, Exam
from registration.models.application import ApplicationStatus
from registration.services.applications import transition_many
from registration.windows import deadline_text
from registration.workflow import Action


def _unpaid_after_window(now: datetime.datetime) -> Q:
    """Approved, paid online, the window closed at ``now``, and no order pending."""
    pending = Order.objects.filter(application_id=OuterRef("pk"), status=OrderStatus.PENDING)
    return Q(
        ~Exists(pending),
        status=ApplicationStatus.APPROVED,
        district__online_payment=True,
        exam__payment_closes__lte=now,
    )


def applications_abandon_unpaid(*, application_ids: Sequence[int], now: datetime.datetime) -> list[int]:
    """Abandons those of ``application_ids`` still approved and unpaid, with no order pending, once the
    payment window of their exam had closed at ``now``; returns the ids abandoned. Anything else, or
    anything done already, is left as it is, so running twice is harmless.

    Race-free without a lock of its own on the orders: an order is made, and a payment credited, only
    under the application's row lock, and ``transition_many`` checks the pending orders in a statement
    begun after it holds those locks (a row locked by a crediting in progress is skipped).
    """
    by_exam: dict[int, list[int]] = defaultdict(list)
    for pk, exam_id in Application.objects.filter(pk__in=list(application_ids)).values_list("pk", "exam_id"):
        by_exam[exam_id].append(pk)
    abandoned: list[int] = []
    for exam in Exam.objects.filter(pk__in=list(by_exam), payment_closes__lte=now).order_by("pk"):
        reason = _("缴费截止（%(when)s）前未完成缴费，视为放弃。") % {"when": deadline_text(exam.payment_closes)}
        abandoned += transition_many(
            application_ids=by_exam[exam.pk],
            action=Action.ABANDON,
            actor=None,
            reason=reason,
            condition=_unpaid_after_window(now),
        )
    return abandoned
