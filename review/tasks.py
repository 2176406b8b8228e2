"""Workers of staff work. Tasks take ids, are idempotent, and retry on transient errors."""

from __future__ import annotations

from functools import partial
from typing import Any

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from review.services.deadlines import abandonable_id_chunks, applications_abandon_unconfirmed, deadline_soon_id_chunks
from review.services.jobs import application_export_run, bulk_confirm_run, bulk_job_fail
from review.services.reminders import (
    DEADLINE_NOTICE,
    deadline_reminders_create,
    reminder_deliver,
    reminders_for_transitions,
)
from review.services.signed_forms import signed_form_check

_RETRY: dict[str, Any] = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(bind=True, **_RETRY)
def deliver_reminders(self: Any, reminder_ids: list[int]) -> int:
    """Sends each reminder through the channels it has not gone through yet; returns how many were
    handled. E-mail servers fail transiently (connection refused, timeouts: OSError covers smtplib's
    errors): those reminders, and only those, are tried again later."""
    failed: list[int] = []
    error: OSError | None = None
    for reminder_id in reminder_ids:
        try:
            reminder_deliver(reminder_id=reminder_id)
        except OSError as raised:
            failed.append(reminder_id)
            error = raised
    if failed:
        raise self.retry(args=[failed], exc=error, countdown=2**self.request.retries)
    return len(reminder_ids)


@shared_task(**_RETRY)
def remind_transitioned(application_ids: list[int], action: str, to_status: str) -> int:
    """The to-dos of applications that moved together (a deadline sweep); safe to run twice."""
    return reminders_for_transitions(application_ids=application_ids, action=action, to_status=to_status)


@shared_task(**_RETRY)
def abandon_applications(application_ids: list[int]) -> int:
    """Abandons those of the given applications whose deadline has passed, in one set; returns how many moved."""
    return len(applications_abandon_unconfirmed(application_ids=application_ids, now=timezone.now()))


@shared_task(**_RETRY)
def sweep_deadlines() -> int:
    """Beat: queues the abandonment of every application past its deadline, one task per chunk of ids."""
    chunks = 0
    for ids in abandonable_id_chunks(now=timezone.now()):
        transaction.on_commit(partial(abandon_applications.delay, ids))
        chunks += 1
    return chunks


@shared_task(**_RETRY)
def remind_deadlines_soon() -> int:
    """Beat: a to-do for every application whose deadline falls in the next 48 hours (once each)."""
    now = timezone.now()
    return sum(
        deadline_reminders_create(application_ids=ids, now=now)
        for ids in deadline_soon_id_chunks(now=now, notice=DEADLINE_NOTICE)
    )


@shared_task(bind=True, **_RETRY)
def run_bulk_confirm(self: Any, job_id: int) -> None:
    try:
        bulk_confirm_run(job_id=job_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            bulk_job_fail(job_id=job_id, message="数据库暂时不可用，任务已停止。")
        raise


# Storing the file can fail transiently (object storage): OSError, as for e-mail.
@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=5)
def run_application_export(self: Any, job_id: int) -> None:
    try:
        application_export_run(job_id=job_id)
    except (OperationalError, OSError):
        if self.request.retries >= self.max_retries:
            bulk_job_fail(job_id=job_id, message="导出文件未能生成，任务已停止。")
        raise


# Reading the stored file can fail transiently (object storage): OSError, as for e-mail.
@shared_task(autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=5)
def check_signed_form(material_id: int) -> None:
    signed_form_check(material_id=material_id)
