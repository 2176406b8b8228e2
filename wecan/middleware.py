"""Request middleware: a 503 for the pages when the database is unreachable; staff reads from a replica.

When the database is unreachable the pages answer a 503 that says to try again, not a 500.

A refused POST keeps what was typed: the 503 page carries the posted values back in a form that
re-sends them to the same address, so nothing the candidate typed is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from wecan.db_routers import replica_reads

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        posted = [
            (name, value) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken" for value in values
        ]
        page = render_to_string("503.html", {"posted": posted, "resubmit_to": request.get_full_path()}, request=request)
        response = HttpResponse(page, status=503)
        response["Retry-After"] = "5"
        return response


# Staff reads that tolerate a replica's lag of a second or two: lists, detail pages, exports.
_STAFF_READ_PREFIXES = ("/admin/", "/api/v1/staff/", "/api/v1/finance/")


class StaffReadsFromReplicaMiddleware:
    """Installed only with ``DATABASE_REPLICA_URL``: a staff GET reads from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"GET", "HEAD"} and request.path.startswith(_STAFF_READ_PREFIXES):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
