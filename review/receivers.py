"""What review does when registration signals (connected in ``ReviewConfig.ready``).

Registration's two signals are sent on commit, inside the candidate's or staff member's request: a
receiver's failure is logged, never turned into an error for a write that has already succeeded.
A saved proof material is watched for the signed application form, whose barcode a worker reads.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from registration.models import MaterialFile
from registration.workflow import Action
from review.services.decisions import issued_code_record
from review.services.history import history_auto_confirm
from review.services.reminders import reminder_for_transition
from review.services.signed_forms import is_signed_form

logger = logging.getLogger(__name__)


def on_content_changed(sender: Any, *, application_id: int, verification_code: str, **kwargs: Any) -> None:
    """Keeps every 验证码 issued, to tell a stale printed form from a wrong code."""
    try:
        issued_code_record(application_id=application_id, code=verification_code)
    except Exception:
        logger.exception("recording the verification code of application %s failed", application_id)


def on_transitioned(
    sender: Any, *, application_id: int, action: str, from_status: str, to_status: str, **kwargs: Any
) -> None:
    """A submission may be confirmed at once (history candidates); then the to-dos follow the state.

    Auto-confirmation runs first and synchronously, so the submitting request already answers
    ``confirmed``; the submission's own to-do is then skipped as stale.
    """
    try:
        if action == Action.SUBMIT:
            history_auto_confirm(application_id=application_id)
        reminder_for_transition(
            application_id=application_id, action=action, from_status=from_status, to_status=to_status
        )
    except Exception:
        logger.exception("review's handling of %s on application %s failed", action, application_id)


def on_material_saved(sender: Any, *, instance: MaterialFile, **kwargs: Any) -> None:
    """An accepted signed application form goes to a worker that reads its barcode."""
    if is_signed_form(instance):
        from review.tasks import check_signed_form

        transaction.on_commit(partial(check_signed_form.delay, instance.pk))
