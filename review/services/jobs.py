"""Background jobs over many applications: bulk confirmation of a staff member's selection, and the
export of a long application list to a private file."""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration import private_files
from registration.models import Application, User
from registration.models.application import ApplicationStatus
from review.exports import csv_lines, write_xlsx
from review.models import ExportFormat, Job, JobKind, JobStatus
from review.scope import Duty, applications_in_scope
from review.selectors import export_rows_in_order
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


def bulk_confirm_start(
    *, actor: User, application_ids: Sequence[int], fee_receipt_numbers: Mapping[int, str] | None = None
) -> Job:
    """Queues the confirmation of the given applications (those in the actor's scope) as one job.

    ``fee_receipt_numbers`` gives, by application id, the receipt of the fee paid on site where the
    district takes no online payment (seed 003 line 761): each confirmation records its fee with it,
    as a single confirmation does; an application of such a district without one fails alone, with why.
    The caller may rely on: a ``Job`` with ``total`` set, run by a worker after commit; ids outside
    the actor's scope are left out; no id in scope is ``InvalidInput``; a receipt for an application
    not confirmed by this job, or one receipt number given twice, is ``InvalidInput`` on
    ``fee_receipts`` and nothing starts; the wrong role ``NotAllowed``.
    """
    require_duty(actor, Duty.CONFIRM)
    ids = list(
        applications_in_scope(actor).filter(pk__in=list(application_ids)).order_by("pk").values_list("pk", flat=True)
    )
    if not ids:
        raise InvalidInput(_("没有可确认的报名信息。"))
    receipts = {
        application_id: receipt.strip()
        for application_id, receipt in (fee_receipt_numbers or {}).items()
        if receipt and receipt.strip()
    }
    _check_receipts(receipts, set(ids))
    with transaction.atomic():
        job = Job(
            kind=JobKind.BULK_CONFIRM,
            created_by=actor,
            application_ids=ids,
            total=len(ids),
            fee_receipt_numbers={str(application_id): receipt for application_id, receipt in receipts.items()},
        )
        job.full_clean()
        job.save()
        from review.tasks import run_bulk_confirm

        transaction.on_commit(lambda: run_bulk_confirm.delay(job.pk))
    return job


def _check_receipts(receipts: Mapping[int, str], ids: set[int]) -> None:
    problems = []
    strangers = sorted(set(receipts) - ids)
    if strangers:
        numbers = Application.objects.filter(pk__in=strangers).values_list("number", flat=True)
        shown = "、".join(numbers) or "、".join(str(application_id) for application_id in strangers)
        problems.append(_("收据号对应的报名信息不在本次确认之列：%(numbers)s。") % {"numbers": shown})
    seen: dict[str, int] = {}
    for application_id, receipt in receipts.items():
        if receipt in seen:
            problems.append(_("收据号%(receipt)s填写了两次。") % {"receipt": receipt})
        seen[receipt] = application_id
    if problems:
        raise InvalidInput(fields={"fee_receipts": problems})


def bulk_confirm_receipts_parse(*, actor: User, text: str, application_ids: Sequence[int]) -> dict[int, str]:
    """Reads lines ``网报号,收据号`` (a comma, a Chinese comma, a tab or spaces between) into receipt
    numbers by application id, for the applications given; blank lines are ignored.

    Every line that cannot be used is ``InvalidInput`` on ``fee_receipts``, naming its line.
    """
    by_number = dict(applications_in_scope(actor).filter(pk__in=list(application_ids)).values_list("number", "pk"))
    receipts: dict[int, str] = {}
    problems = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        cells = [cell for cell in re.split(r"[,，\t ]+", line.strip()) if cell]
        if not cells:
            continue
        if len(cells) != 2:
            problems.append(_("第%(line)d行：应为“网报号,收据号”。") % {"line": line_no})
            continue
        number, receipt = cells
        application_id = by_number.get(number)
        if application_id is None:
            problems.append(
                _("第%(line)d行：网报号%(number)s不在所选的报名信息中。") % {"line": line_no, "number": number}
            )
        elif application_id in receipts:
            problems.append(_("第%(line)d行：网报号%(number)s已填写过。") % {"line": line_no, "number": number})
        else:
            receipts[application_id] = receipt
    if problems:
        raise InvalidInput(fields={"fee_receipts": problems})
    return receipts


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
            application_confirm(
                application_id=application_id,
                actor=actor,
                reason=_("批量确认"),
                fee_receipt_number=job.fee_receipt_numbers.get(str(application_id), ""),
            )
            succeeded += 1
        except InvalidState as error:
            status = Application.objects.filter(pk=application_id).values_list("status", flat=True).first()
            if status in _CONFIRMED_OR_LATER:
                skipped += 1
            else:
                errors.append(_job_error(application_id, error))
        except PortalError as error:
            errors.append(_job_error(application_id, error))
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


# Rows read per query by an export; progress is saved after each.
EXPORT_CHUNK = 1000


def application_export_start(*, actor: User, application_ids: Sequence[int], file_format: ExportFormat) -> Job:
    """Queues the export of the given applications (those in the actor's scope, in the order given) as one job.

    The caller may rely on: a ``Job`` with ``total`` set and the private key of its future file chosen,
    run by a worker after commit; ids outside the actor's scope are left out; none in scope is
    ``InvalidInput``; staff who may not view applications ``NotAllowed``.
    """
    require_duty(actor, Duty.VIEW)
    in_scope = set(applications_in_scope(actor).filter(pk__in=list(application_ids)).values_list("pk", flat=True))
    ids = [pk for pk in dict.fromkeys(application_ids) if pk in in_scope]
    if not ids:
        raise InvalidInput(_("没有可导出的报名信息。"))
    with transaction.atomic():
        job = Job(
            kind=JobKind.APPLICATION_EXPORT,
            created_by=actor,
            application_ids=ids,
            total=len(ids),
            file_format=file_format,
            file_key=f"exports/{secrets.token_hex(16)}/applications.{file_format}",
        )
        job.full_clean()
        job.save()
        from review.tasks import run_application_export

        transaction.on_commit(lambda: run_application_export.delay(job.pk))
    return job


def _rows_saving_progress(job: Job) -> Iterator[list[Any]]:
    """The job's rows chunk by chunk, the scope applied again as the rows are read; progress after each chunk."""
    ids = job.application_ids
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        rows = list(export_rows_in_order(user=job.created_by, application_ids=chunk))
        yield from rows
        # Rows that left the actor's scope since the start are not written: counted as skipped.
        written = len(rows)
        _save_progress(job.pk, processed=start + len(chunk), succeeded=written, skipped=len(chunk) - written, errors=[])


def application_export_run(*, job_id: int) -> Job:
    """Writes the job's file and stores it under its private key, saving progress as it goes.

    Run again (a worker died), it writes the whole file again from the start and replaces what an
    earlier run stored; a finished job is left as it is.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if job.finished:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.processed = job.succeeded = job.skipped = 0
        job.save(update_fields=["status", "started_at", "processed", "succeeded", "skipped"])
    with tempfile.TemporaryFile() as handle:
        if job.file_format == ExportFormat.CSV:
            for line in csv_lines(_rows_saving_progress(job)):
                handle.write(line.encode("utf-8"))
        else:
            write_xlsx(_rows_saving_progress(job), handle)
        handle.seek(0)
        private_files.put(job.file_key, handle)
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


def _job_error(application_id: int, error: PortalError) -> dict:
    """The line of the job's report: which application, and why in words (the fields' texts too, e.g.
    the receipt number a district paying on site needs)."""
    number = Application.objects.filter(pk=application_id).values_list("number", flat=True).first() or ""
    details = [str(text) for texts in error.fields.values() for text in texts]
    # Behind the generic "输入有误" the fields' texts say what is wrong; a specific message says it alone.
    generic = str(error.message) == str(error.default_message)
    message = " ".join(details) if details and generic else str(error.message)
    return {"application_id": application_id, "number": number, "message": message}
