"""Answering a stored document PDF: private (no shared cache keeps it), to its candidate only."""

from __future__ import annotations

from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from storages.backends.s3 import S3Storage

from certificates.models import ApplicationDocument, DocumentStatus
from certificates.services.documents import document_fetch, document_lost
from registration import private_files
from registration.models import User

PDF_TYPE = "application/pdf"
# How long a client waits before asking again for a PDF that a worker is rendering (about 0.1 s).
RETRY_AFTER_SECONDS = 2


def document_download_name(document: ApplicationDocument) -> str:
    """``application-form-12345678.pdf``: ASCII, so every browser and S3 keep it as it is."""
    return f"{document.kind.replace('_', '-')}-{document.application.number}.pdf"


def document_response(document: ApplicationDocument) -> HttpResponseBase:
    """The stored PDF inline (a redirect to a short-lived signed URL on S3-compatible storage).

    Raises ``FileNotFoundError`` when the local file is gone.
    """
    storage = private_files.storage()
    disposition = f'inline; filename="{document_download_name(document)}"'
    if isinstance(storage, S3Storage):
        parameters = {"ResponseContentType": PDF_TYPE, "ResponseContentDisposition": disposition}
        response: HttpResponseBase = HttpResponseRedirect(storage.url(document.key, parameters=parameters))
    else:
        response = FileResponse(storage.open(document.key, "rb"), content_type=PDF_TYPE)
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def candidate_document_response(*, candidate: User, application_id: int, kind: str) -> HttpResponseBase | None:
    """The candidate's current PDF of ``kind``, or ``None`` while a worker renders it (answer 202).

    Raises what ``document_fetch`` raises (404, 409, 423). A ready row whose file is gone is
    dropped and rendered again.
    """
    for _attempt in range(2):
        document = document_fetch(candidate=candidate, application_id=application_id, kind=kind)
        if document.status != DocumentStatus.READY:
            return None
        try:
            return document_response(document)
        except FileNotFoundError:
            document_lost(document_id=document.pk)
    return None
