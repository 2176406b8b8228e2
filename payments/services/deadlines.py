"""The payment deadline: an approved application left unpaid when the payment window closes is
abandoned (视为放弃), unless an order of it is still pending.

This part of the deadline sweep lives here, not in ``review/``, because it must see the orders: a
payment begun in time is honoured even when the gateway's word arrives after the deadline, so an
application with a pending order waits until the order is settled (credited or expired). The state
changes through registration's ``transition``, whose audit and signals are the same as every sweep's.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import Order, OrderStatus
from registration.models import Application
from registration.models.application import ApplicationStatus
from registration.services.applications import transition
from registration.windows import deadline_text
from registration.workflow import Action
from wecan.errors import InvalidState, NotFound


def _abandon_reason(application: Application, now: datetime.datetime) -> str | None:
    """Why the unpaid application is abandoned at ``now``; ``None`` while it may still be paid."""
    exam = application.exam
    if application.status != ApplicationStatus.APPROVED or not application.district.online_payment:
        return None
    if exam.payment_closes > now:
        return None
    if Order.objects.filter(application_id=application.pk, status=OrderStatus.PENDING).exists():
        return None
    return _("缴费截止（%(when)s）前未完成缴费，视为放弃。") % {"when": deadline_text(exam.payment_closes)}


def application_abandon_unpaid(*, application_id: int, now: datetime.datetime | None = None) -> bool:
    """Abandons one approved application whose payment window closed with no order paid or pending;
    ``False`` when there is nothing to do, so running twice is harmless.

    The check runs again on the locked row: an order is made, and a payment credited, only under the
    same lock, so neither can slip in between the check and the change.
    """
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
