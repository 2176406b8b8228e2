"""The review desk: the application's detail page with what a decision needs beside it.

Beside the sections: the photo, the eligibility pre-check with its reasons, the signed form's barcode
check, and the decision itself (approve or confirm with one key, reject with reason codes), with the
previous and next application of the same queue. A decision taken here opens the next application.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from registration.models import Application
from registration.models.files import UploadStatus
from registration.selectors.files import application_photo
from registration.workflow import allowed
from review.admin.decisions import KINDS
from review.reasons import RejectionReason
from review.scope import may
from review.selectors import application_eligibility, queue_neighbours, signed_form_verdicts

# The decisions the desk's two buttons take, by the status waiting for them.
_APPROVE = ("confirm", "approve_site", "approve_district")
_REJECT = ("reject", "reject_site", "reject_district")


def _change_url(application_id: int | None) -> str | None:
    return reverse("admin:registration_application_change", args=[application_id]) if application_id else None


def desk_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    """What the desk shows beside the sections, for this staff member and this application now."""
    user = request.user

    def decision(names: tuple[str, ...]) -> dict[str, Any] | None:
        for name in names:
            kind = KINDS[name]
            if may(user, kind.duty) and allowed(kind.action, application.status):
                url = reverse("admin:registration_application_decide", args=[application.pk, name])
                return {"kind": name, "title": kind.title, "url": url}
        return None

    approve, reject = decision(_APPROVE), decision(_REJECT)
    neighbours = queue_neighbours(
        user=user, status=application.status, submitted_at=application.submitted_at, application_id=application.pk
    )
    photo = application_photo(application=application)
    verdicts = list(signed_form_verdicts(application).values()) if application.district.online_confirmation else []
    return {
        "desk": {
            "approve": approve,
            "reject": reject,
            "reasons": RejectionReason.choices,
            "queue_status": application.status,
            "queue_label": application.get_status_display(),
            "previous_url": _change_url(neighbours.previous_id),
            "next_url": _change_url(neighbours.next_id),
            "position": neighbours.position,
            "total": neighbours.total,
            "photo_url": (
                reverse("admin:registration_application_photo", args=[application.pk])
                if photo is not None and photo.status == UploadStatus.ACCEPTED
                else None
            ),
            "eligibility": application_eligibility(application),
            "signed_forms": verdicts,
        }
    }
