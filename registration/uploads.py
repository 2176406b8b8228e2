"""The size cap on photo and material uploads, applied while the request body is being read.

Django reads a multipart body through its upload handlers as it arrives; this handler goes first and
refuses a body whose declared length, or a file whose received bytes, pass the cap — so a huge
upload is answered 413 after at most the cap has been read, never held whole in memory or on disk.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext as _

from wecan.errors import InvalidInput, TooLarge


class CappedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        # The multipart framing adds a little to the file itself.
        if content_length > self.max_bytes + settings.UPLOAD_FORM_OVERHEAD_BYTES:
            raise RequestDataTooBig("upload too large")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            raise RequestDataTooBig("upload too large")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def cap_uploads(request: HttpRequest) -> None:
    """Puts the cap in front of the request's upload handlers; call before the body is read."""
    handlers = list(request.upload_handlers)
    request.upload_handlers = [CappedUploadHandler(request, max_bytes=settings.UPLOAD_MAX_FILE_BYTES), *handlers]


def uploaded_bytes(upload: Any, *, field: str = "file") -> bytes:
    """The bytes of an uploaded file (its name and content type are ignored), within the cap."""
    if not isinstance(upload, UploadedFile):
        raise InvalidInput(fields={field: [_("请选择要上传的文件。")]})
    if upload.size is not None and upload.size > settings.UPLOAD_MAX_FILE_BYTES:
        raise TooLarge()
    data = upload.read(settings.UPLOAD_MAX_FILE_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_FILE_BYTES:
        raise TooLarge()
    if not data:
        raise InvalidInput(fields={field: [_("上传的文件是空的。")]})
    return data
