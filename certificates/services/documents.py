"""Writes for the application form (申请表) and the admission ticket (准考证): ask for the current
version, render it in a worker, store it, and discard the versions that are no longer current.

A document is cached per (application, kind, version): the form's version is the 验证码, so every
content change makes a new one, and the rows and files of older versions are deleted as soon as the
change is known (``form_prepare``, queued on ``application_content_changed`` unless one is waiting). Only the current
version's file is ever served: ``document_fetch`` looks it up by the version the application calls
for at the moment of the request.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from certificates import tasks
from certificates.models import ApplicationDocument, DocumentKind, DocumentStatus
from certificates.pdf import render_pdf
from certificates.selectors.documents import (
    TEMPLATES,
    DocumentNotReady,
    PhotoUnavailable,
    candidate_application,
    current_version,
    document_application,
    document_context,
    document_resources,
    form_blockers,
    photo_bytes,
    ready_document,
    require_ready,
    stylesheet,
)
from registration import private_files
from registration.models import User

logger = logging.getLogger(__name__)

# A render queued longer ago than this (its task was lost) or failed that long ago is queued again
# by the next request for it.
REQUEUE_AFTER = datetime.timedelta(seconds=30)


def _queue(document_id: int) -> None:
    # Robust: a broker that is away (or, run in-process, a render that fails) leaves the row
    # waiting, and the next request queues it again; the candidate's request does not fail.
    transaction.on_commit(lambda: tasks.render_application_document.delay(document_id), robust=True)


def _discard_other_versions(application_id: int, kind: str, keep: str | None) -> None:
    """Deletes the application's rows of ``kind`` but the ``keep`` version, and their files on commit."""
    rows = ApplicationDocument.objects.select_for_update().filter(application_id=application_id, kind=kind)
    if keep is not None:
        rows = rows.exclude(version=keep)
    stale = list(rows)
    if not stale:
        return
    keys = [row.key for row in stale if row.key]
    ApplicationDocument.objects.filter(pk__in=[row.pk for row in stale]).delete()
    if keys:
        transaction.on_commit(lambda: private_files.delete(*keys))


def document_request(*, application_id: int, kind: str, version: str) -> ApplicationDocument:
    """Makes sure ``version`` of the application's document is rendered or on its way.

    The caller may rely on: the row returned is ``READY`` (its file is stored), ``RENDERING`` (a
    render is queued, on commit) or ``FAILED`` (``failure`` says why, in words for the candidate);
    the application's other versions of ``kind`` are gone, their files deleted on commit. Safe to
    call any number of times: one row per version, and a render is queued again only when the last
    one is older than ``REQUEUE_AFTER``.
    """
    now = timezone.now()
    with transaction.atomic():
        _discard_other_versions(application_id, kind, keep=version)
        document, created = ApplicationDocument.objects.select_for_update().get_or_create(
            application_id=application_id, kind=kind, version=version, defaults={"queued_at": now}
        )
        if created:
            _queue(document.pk)
        elif document.status != DocumentStatus.READY and document.queued_at < now - REQUEUE_AFTER:
            document.status = DocumentStatus.RENDERING
            document.failure = ""
            document.queued_at = now
            document.attempts += 1
            document.full_clean()
            document.save(update_fields=["status", "failure", "queued_at", "attempts"])
            _queue(document.pk)
    return document


# How long a queued preparation keeps others from being queued beside it. A preparation reads the
# application when it runs, so one more queued while it waits would only repeat it: on the day
# registration opens the workers render a form in the time the web saves a dozen sections, and a
# preparation queued for every save would pile up behind them. Should a mark outlive its message (a
# broker that lost it), the next change after the mark expires queues one again, and a download
# renders the current version meanwhile (``document_fetch``).
FORM_PREPARATION_MARK_SECONDS = 600


def _preparation_mark(application_id: int) -> str:
    return f"form-preparation-queued:{application_id}"


def form_preparation_queue(*, application_id: int) -> bool:
    """After a content change: queues the form's preparation, unless one queued earlier has not
    started yet. Returns whether it queued one."""
    mark = _preparation_mark(application_id)
    if not cache.add(mark, 1, FORM_PREPARATION_MARK_SECONDS):
        return False
    try:
        tasks.prepare_application_form.delay(application_id)
    except Exception:
        cache.delete(mark)
        raise
    return True


def form_prepare(*, application_id: int) -> ApplicationDocument | None:
    """After a content change: the form's older versions go, and the new one is rendered when the
    application can be printed (every section saved, photo accepted). Returns the form's row, if any."""
    # Removed before the application is read: a change committed before the removal is in what is
    # read below, and one committed after it finds no mark and queues a preparation of its own.
    cache.delete(_preparation_mark(application_id))
    application = document_application(application_id=application_id)
    if application is None:
        return None
    kind = DocumentKind.APPLICATION_FORM
    if form_blockers(application):
        with transaction.atomic():
            _discard_other_versions(application_id, kind, keep=None)
        return None
    return document_request(application_id=application_id, kind=kind, version=current_version(application, kind))


def document_fetch(*, candidate: User, application_id: int, kind: str) -> ApplicationDocument:
    """The current version of the candidate's document for downloading, or its render on its way.

    Raises ``NotFound`` for another candidate's application, ``DocumentNotReady`` (409) while the
    application cannot have the document (sections, photo; or a render that failed, with why), and
    for the ticket ``InvalidState`` before payment and ``WindowClosed`` outside the ticket window.
    Otherwise returns the row: ``READY`` to serve, or ``RENDERING`` (answer 202 and ask again).
    """
    application = candidate_application(candidate=candidate, application_id=application_id)
    require_ready(application, kind)
    version = current_version(application, kind)
    document = ready_document(application=application, kind=kind, version=version)
    if document is None:
        document = document_request(application_id=application.pk, kind=kind, version=version)
        # Run in-process (the embedded default), the render has happened on commit: answer it at once.
        document.refresh_from_db()
    document.application = application
    if document.status == DocumentStatus.FAILED:
        raise DocumentNotReady(
            document.failure or DocumentNotReady.default_message, fields={"photo": [document.failure]}
        )
    return document


def document_lost(*, document_id: int) -> None:
    """The stored file of a ready row is gone: the row goes too, so the next request renders anew."""
    with transaction.atomic():
        ApplicationDocument.objects.filter(pk=document_id).delete()


def _fail(document_id: int, reason: str) -> None:
    with transaction.atomic():
        document = ApplicationDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status != DocumentStatus.RENDERING:
            return
        document.status = DocumentStatus.FAILED
        document.failure = reason[:300]
        document.full_clean()
        document.save(update_fields=["status", "failure"])
    logger.warning("document %s of application %s not rendered: %s", document_id, document.application_id, reason)


def document_render(*, document_id: int) -> None:
    """The worker's render of a queued version; idempotent.

    A row already rendered, failed or deleted is left alone; a version that is no longer current is
    deleted instead of rendered; a missing photo fails the row with a reason (never a PDF without
    it). The PDF is rendered outside any transaction and stored under a fresh key; if the row changed
    meanwhile, that file is deleted and the row left as it is.
    """
    document = ApplicationDocument.objects.filter(pk=document_id, status=DocumentStatus.RENDERING).first()
    if document is None:
        return
    application = document_application(application_id=document.application_id)
    if application is None:
        return
    version = current_version(application, document.kind)
    if version != document.version:
        with transaction.atomic():
            _discard_other_versions(application.pk, document.kind, keep=version)
        return
    try:
        photo = photo_bytes(application)
    except PhotoUnavailable as missing:
        _fail(document_id, str(missing))
        return
    # The documents are official Chinese forms, whatever language the requesting page was in.
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_pdf(
            template_name=TEMPLATES[DocumentKind(document.kind)],
            context=document_context(application, document.kind),
            stylesheets=[stylesheet(document.kind)],
            resources=document_resources(application, document.kind, photo=photo),
        )
    key = f"documents/{document.kind}/{uuid.uuid4().hex}.pdf"
    private_files.put(key, pdf)
    with transaction.atomic():
        locked = ApplicationDocument.objects.select_for_update().filter(pk=document_id).first()
        if locked is None or locked.status != DocumentStatus.RENDERING:
            transaction.on_commit(lambda: private_files.delete(key))
            return
        locked.status = DocumentStatus.READY
        locked.key = key
        locked.size = len(pdf)
        locked.rendered_at = timezone.now()
        # The fields are checked here; the row's constraints by the database as it saves: checking
        # them again from Python would take four more round trips, a twentieth of the render.
        locked.full_clean(exclude=["application"], validate_unique=False, validate_constraints=False)
        locked.save(update_fields=["status", "key", "size", "rendered_at"])
    logger.info("document %s (%s %s) rendered: %d bytes", document_id, document.kind, document.version, len(pdf))
