"""Private file storage: uploads and generated documents are never under a public URL.

Keys are built by the code (a kind, a random token, a fixed name); what the client called a file is
never part of one. On the local disk a file is answered through a view that has checked who asks;
on S3-compatible storage the view answers with a redirect to a short-lived signed URL.
"""

from __future__ import annotations

from typing import IO

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from storages.backends.s3 import S3Storage

IMAGE_TYPE = "image/jpeg"


def storage() -> Storage:
    return default_storage


def put(key: str, data: bytes | IO[bytes]) -> None:
    """Stores ``data`` (bytes, or an open binary file read from its start) at exactly ``key``, replacing
    what was there: running twice leaves one file."""
    target = storage()
    if target.exists(key):
        target.delete(key)
    saved = target.save(key, ContentFile(data) if isinstance(data, bytes) else File(data))
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
    return _response(key, content_type=IMAGE_TYPE, disposition=f'inline; filename="{download_name}"')


def download_response(key: str, *, download_name: str, content_type: str) -> HttpResponseBase:
    """The stored file as an attachment, for a caller already allowed to have it; the name is ours."""
    return _response(key, content_type=content_type, disposition=f'attachment; filename="{download_name}"')


def _response(key: str, *, content_type: str, disposition: str) -> HttpResponseBase:
    target = storage()
    if isinstance(target, S3Storage):
        parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        url = target.url(key, parameters=parameters)
        response: HttpResponseBase = HttpResponseRedirect(url)
    else:
        response = FileResponse(target.open(key, "rb"), content_type=content_type)
        response["Content-Disposition"] = disposition
    # Neither the browser nor a proxy keeps a copy of a private file.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
