"""What review does when registration signals (connected in ``ReviewConfig.ready``).

Registration's signals are sent on commit, inside the candidate's or staff member's request: a
receiver's failure is logged, never turned into an error for a write that has already succeeded, so
only what may fail on its own is done here (the to-dos). What must happen with the write (the 验证码
history, the history candidates' auto-confirmation) is a hook of ``registration.hooks`` instead.
A saved proof material is watched for the signed application form, whose barcode a worker reads.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from registration.models import MaterialFile
from review.services.reminders import reminder_for_transition
from review.services.signed_forms import is_signed_form

logger = logging.getLogger(__name__)


def on_transitioned(
    sender: Any, *, application_id: int, action: str, from_status: str, to_status: str, **kwargs: Any
) -> None:
    """The to-dos follow the state. A submission confirmed at once (history candidates) has moved
    on by then: the submission's own to-do is skipped as stale, the confirmation's is given."""
    try:
        reminder_for_transition(
            application_id=application_id, action=action, from_status=from_status, to_status=to_status
        )
    except Exception:
        logger.exception("review's handling of %s on application %s failed", action, application_id)


def on_transitioned_together(
    sender: Any, *, application_ids: list[int], action: str, to_status: str, **kwargs: Any
) -> None:
    """The to-dos of applications moved in one set (a deadline sweep's batch): one task for them all."""
    from review.tasks import remind_transitioned

    try:
        remind_transitioned.delay(application_ids, action, to_status)
    except Exception:
        logger.exception("review could not queue the to-dos of %s on %s applications", action, len(application_ids))


def on_material_saved(sender: Any, *, instance: MaterialFile, **kwargs: Any) -> None:
    """An accepted signed application form goes to a worker that reads its barcode."""
    if is_signed_form(instance):
        from review.tasks import check_signed_form

        transaction.on_commit(partial(check_signed_form.delay, instance.pk))
