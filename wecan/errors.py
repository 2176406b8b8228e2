"""One error hierarchy with stable codes, and the one handler that turns errors into API bodies.

Services raise ``PortalError`` subclasses; the API answers ``{"code", "message", "fields"}`` with the
error's status, and pages show ``message`` (and ``fields`` beside their inputs).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class PortalError(Exception):
    """A refusal the caller can rely on: a stable ``code``, an HTTP ``status``, a message in words."""

    code = "error"
    status: int = status.HTTP_400_BAD_REQUEST
    default_message: Any = _("请求无法处理。")
    # Seconds after which trying again may succeed, sent as ``Retry-After``; None for no header.
    retry_after: int | None = None

    def __init__(self, message: Any = None, *, fields: Mapping[str, Sequence[Any]] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.fields = {name: [str(text) for text in texts] for name, texts in (fields or {}).items()}
        super().__init__(str(self.message))


class InvalidInput(PortalError):
    code = "invalid"
    default_message = _("输入有误，请按提示修改。")


class NotFound(PortalError):
    code = "not_found"
    status = status.HTTP_404_NOT_FOUND
    default_message = _("未找到。")


class InvalidState(PortalError):
    code = "invalid_state"
    status = status.HTTP_409_CONFLICT
    default_message = _("当前状态下不能进行此操作。")


class Conflict(PortalError):
    code = "conflict"
    status = status.HTTP_409_CONFLICT
    default_message = _("与已有数据冲突。")


class TooLarge(PortalError):
    code = "too_large"
    status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_message = _("提交的内容过大。")


class ServiceUnavailable(PortalError):
    code = "service_unavailable"
    status = status.HTTP_503_SERVICE_UNAVAILABLE
    default_message = _("系统繁忙，请稍后重试。")


class WindowClosed(PortalError):
    code = "window_closed"
    status = status.HTTP_423_LOCKED
    default_message = _("不在办理时间内。")


def _fields_from_detail(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, Mapping):
        fields: dict[str, list[str]] = {}
        for name, value in detail.items():
            if isinstance(value, Mapping):
                # Nested serializer errors: flatten to dotted names.
                for sub_name, sub_texts in _fields_from_detail(value).items():
                    fields[f"{name}.{sub_name}"] = sub_texts
            elif isinstance(value, list | tuple):
                fields[str(name)] = [str(item) for item in value]
            else:
                fields[str(name)] = [str(value)]
        return fields
    if isinstance(detail, list | tuple):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, message: Any, fields: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: list(texts) for name, texts in fields.items()}
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error, ours or DRF's, leaves with the body of API.md."""
    if isinstance(exc, OperationalError | InterfaceError):
        # The database went away mid-request: its transaction is gone with it, so nothing was half
        # written; the client may simply try again.
        logger.warning("database unavailable during an API request: %s", exc)
        exc = ServiceUnavailable()
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # Django refuses the body before reading it whole; say so in the API's own body.
        exc = TooLarge()
    if isinstance(exc, PortalError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status, headers=headers)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", InvalidInput.default_message, fields), status=400)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, drf_exceptions.APIException):
        return response
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = error_body("invalid", InvalidInput.default_message, _fields_from_detail(exc.detail))
        return response
    detail = exc.detail
    message = detail if not isinstance(detail, list | dict) else exc.default_detail
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    response.data = error_body(str(code), message)
    return response
