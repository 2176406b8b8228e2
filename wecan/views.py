"""Plain Django views of the project itself."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from wecan.errors import NotFound, error_body


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the benchmarks' plain-view baseline: the process answers and the
    database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path that matches nothing: under /api/ the API's JSON error body, elsewhere the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(NotFound.code, NotFound.default_message),
            status=NotFound.status,
            json_dumps_params={"ensure_ascii": False},
        )
    return defaults.page_not_found(request, exception)
