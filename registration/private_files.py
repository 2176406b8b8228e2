"""Private file storage: uploads and generated documents are never under a public URL.

Keys are built by the code (a kind, a random token, a fixed name); what the client called a file is
never part of one. On the local disk a file is answered through a view that has checked who asks;
on S3-compatible storage the view answers with a redirect to a short-lived signed URL.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from storages.backends.s3 import S3Storage

IMAGE_TYPE = "image/jpeg"


def storage() -> Storage:
    return default_storage


def put(key: str, data: bytes) -> None:
    """Stores ``data`` at exactly ``key``, replacing what was there: running twice leaves one file."""
    target = storage()
    if target.exists(key):
        target.delete(key)
    saved = target.save(key, ContentFile(data))
    if saved != key:
        # Another writer took the key between delete and save: ours must not live on under another name.
        target.delete(saved)
        raise FileExistsError(key)


def read(key: str) -> bytes:
    with storage().open(key, "rb") as handle:
        return handle.read()


def delete(*keys: str) -> None:
    target = storage()
    for key in keys:
        if key:
            target.delete(key)


def image_response(key: str, *, download_name: str) -> HttpResponseBase:
    """The stored JPEG for a caller already allowed to see it; ``download_name`` is ours, not the client's."""
    target = storage()
    disposition = f'inline; filename="{download_name}"'
    if isinstance(target, S3Storage):
        url = target.url(key, parameters={"ResponseContentType": IMAGE_TYPE, "ResponseContentDisposition": disposition})
        response: HttpResponseBase = HttpResponseRedirect(url)
    else:
        response = FileResponse(target.open(key, "rb"), content_type=IMAGE_TYPE)
        response["Content-Disposition"] = disposition
    # Neither the browser nor a proxy keeps a copy of a private file.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
