"""Background jobs of the certificates app: they take ids and are safe to run twice."""

from typing import Any

from celery import shared_task
from django.db import OperationalError


# A database that is briefly away (restart, failover) is retried with growing pauses, not lost.
# A national file (a million lines) outlasts the default limits; this stays below the broker's
# visibility timeout (3600 s), so a running import is never delivered twice.
@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=1900,
)
def import_scores(score_import_id: int) -> None:
    """Imports one uploaded score file (see ``score_import_run``); a finished import is left alone."""
    from certificates.services.scores import score_import_run  # the service queues this task

    score_import_run(score_import_id=score_import_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def render_certificate_pdf(certificate_id: int) -> None:
    """Renders a certificate's PDF once; a certificate that has one is left alone."""
    from certificates.services.certificates import certificate_pdf_render  # the service queues this task

    certificate_pdf_render(certificate_id=certificate_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def render_certificate_pdfs(certificate_ids: list[int]) -> None:
    """Queues the render of each certificate of a batch (a score import issues thousands at once: one
    message per batch costs it little, and each render still runs, and retries, on its own)."""
    for certificate_id in certificate_ids:
        render_certificate_pdf.delay(certificate_id)


# Storage that is briefly away (a network file system, S3) is retried like the database.
@shared_task(
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def render_application_document(document_id: int) -> None:
    """Renders one queued version of an application's form or ticket; anything else is left alone."""
    from certificates.services.documents import document_render  # the service queues this task

    document_render(document_id=document_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=5)
def prepare_application_form(application_id: int) -> None:
    """After a content change: discards the form's older versions, queues the new one's render."""
    from certificates.services.documents import form_prepare  # the receiver queues this task

    form_prepare(application_id=application_id)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=1900,
)
def run_arrangement(self: Any, job_id: int) -> None:
    """Runs one allocation job (see ``arrangement_run``); a finished job is left alone. A job whose
    retries are spent is marked failed, so the staff member following it stops waiting."""
    from certificates.services.arrangement import arrangement_fail, arrangement_run  # the service queues this task

    try:
        arrangement_run(job_id=job_id)
    except OperationalError as error:
        if self.request.retries >= self.max_retries:
            arrangement_fail(job_id=job_id, message=str(error))
        raise


@shared_task(
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def render_room_sheet(sheet_id: int) -> None:
    """Renders one queued version of a room's sign-in sheet; anything else is left alone."""
    from certificates.services.room_sheets import room_sheet_render  # the service queues this task

    room_sheet_render(sheet_id=sheet_id)
