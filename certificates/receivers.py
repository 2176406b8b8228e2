"""What certificates does when registration signals (connected in ``CertificatesConfig.ready``).

Registration sends its signals on commit, inside the candidate's request or the photo worker: a
receiver's failure is logged, never turned into an error for a write that has already succeeded.
"""

from __future__ import annotations

import logging
from typing import Any

from certificates.models import Seat
from certificates.services.arrangement import seat_release
from certificates.services.documents import form_preparation_queue
from registration.models.application import ApplicationStatus

# The states of a registered application: paid, or approved where the district takes no online payment.
SEATED_STATES = frozenset({ApplicationStatus.PAID, ApplicationStatus.APPROVED})

logger = logging.getLogger(__name__)


def on_content_changed(sender: Any, *, application_id: int, **kwargs: Any) -> None:
    """A new 验证码: the printed form's older versions go and the new one is rendered when it can be,
    in a worker: the candidate's save answers without waiting for it (the signal comes on commit).
    A preparation still waiting in the queue will see this change too: none is queued beside it."""
    try:
        form_preparation_queue(application_id=application_id)
    except Exception:
        logger.exception("preparing the form of application %s failed", application_id)


def on_transitioned(
    sender: Any, *, application_id: int, action: str, from_status: str, actor_id: int | None, **kwargs: Any
) -> None:
    """A candidate no longer registered (refunded, abandoned) gives back their seat; the ticket, which
    needs a registered application and a seat, is no longer served. Only a candidate leaving a state
    ``registered_applications`` counts can hold a seat: the other transitions are not looked at."""
    if from_status not in SEATED_STATES:
        return
    try:
        seat_release(application_id=application_id, action=action, actor_id=actor_id)
    except Exception:
        logger.exception("freeing the seat of application %s after %s failed", application_id, action)


def on_transitioned_together(
    sender: Any, *, application_ids: list[int], action: str, actor_id: int | None, **kwargs: Any
) -> None:
    """The same for applications moved in one set (a deadline sweep): only those holding a seat, found
    with one query, are looked at one by one."""
    for application_id in Seat.objects.filter(application_id__in=application_ids).values_list(
        "application_id", flat=True
    ):
        try:
            seat_release(application_id=application_id, action=action, actor_id=actor_id)
        except Exception:
            logger.exception("freeing the seat of application %s after %s failed", application_id, action)
