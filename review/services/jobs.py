"""Background jobs over many applications: bulk confirmation of a staff member's selection."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Application, User
from registration.models.application import ApplicationStatus
from review.models import Job, JobKind, JobStatus
from review.scope import Duty, applications_in_scope
from review.services.decisions import application_confirm, require_duty
from wecan.errors import InvalidInput, InvalidState, PortalError

PROGRESS_EVERY = 50
# States an application reaches only through confirmation: finding one there, the job's work is done.
_CONFIRMED_OR_LATER = frozenset(
    {
        ApplicationStatus.CONFIRMED,
        ApplicationStatus.SITE_APPROVED,
        ApplicationStatus.REVIEW_REJECTED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.PAID,
        ApplicationStatus.REFUNDED,
    }
)


def bulk_confirm_start(*, actor: User, application_ids: Sequence[int]) -> Job:
    """Queues the confirmation of the given applications (those in the actor's scope) as one job.

    The caller may rely on: a ``Job`` with ``total`` set, run by a worker after commit; ids outside
    the actor's scope are left out; no id in scope is ``InvalidInput``; the wrong role ``NotAllowed``.
    """
    require_duty(actor, Duty.CONFIRM)
    ids = list(
        applications_in_scope(actor).filter(pk__in=list(application_ids)).order_by("pk").values_list("pk", flat=True)
    )
    if not ids:
        raise InvalidInput(_("没有可确认的报名信息。"))
    with transaction.atomic():
        job = Job(kind=JobKind.BULK_CONFIRM, created_by=actor, application_ids=ids, total=len(ids))
        job.full_clean()
        job.save()
        from review.tasks import run_bulk_confirm

        transaction.on_commit(lambda: run_bulk_confirm.delay(job.pk))
    return job


def _save_progress(job_id: int, *, processed: int, succeeded: int, skipped: int, errors: list[dict]) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        job.processed = processed
        job.succeeded += succeeded
        job.skipped += skipped
        job.failed += len(errors)
        job.errors = [*job.errors, *errors]
        job.save(update_fields=["processed", "succeeded", "skipped", "failed", "errors"])


def bulk_confirm_run(*, job_id: int) -> Job:
    """Confirms the job's applications one by one, as its creator, saving progress as it goes.

    Run again (a worker died), it resumes after the last saved progress; an application found
    already confirmed counts as skipped, one that cannot be confirmed as failed, with why.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if job.finished:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at"])
    actor = job.created_by
    ids = job.application_ids
    position = job.processed
    succeeded = skipped = 0
    errors: list[dict] = []
    while position < len(ids):
        application_id = ids[position]
        try:
            application_confirm(application_id=application_id, actor=actor, reason=_("批量确认"))
            succeeded += 1
        except InvalidState as error:
            status = Application.objects.filter(pk=application_id).values_list("status", flat=True).first()
            if status in _CONFIRMED_OR_LATER:
                skipped += 1
            else:
                errors.append(_job_error(application_id, str(error.message)))
        except PortalError as error:
            errors.append(_job_error(application_id, str(error.message)))
        position += 1
        if position % PROGRESS_EVERY == 0 or position == len(ids):
            _save_progress(job_id, processed=position, succeeded=succeeded, skipped=skipped, errors=errors)
            succeeded = skipped = 0
            errors = []
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        job.status = JobStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
    return job


def bulk_job_fail(*, job_id: int, message: str) -> None:
    """Marks a job failed when its task gives up, so its page stops waiting."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return
        job.status = JobStatus.FAILED
        job.finished_at = timezone.now()
        job.errors = [*job.errors, {"application_id": None, "number": "", "message": message}]
        job.save(update_fields=["status", "finished_at", "errors"])


def _job_error(application_id: int, message: str) -> dict:
    number = Application.objects.filter(pk=application_id).values_list("number", flat=True).first() or ""
    return {"application_id": application_id, "number": number, "message": message}
