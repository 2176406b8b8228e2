"""The candidate's pages for the form (打印报名表) and the admission ticket (打印准考证).

Each answers the PDF when its current version is ready; while a worker renders it, a page that asks
again by itself (202); when it cannot be made, a page saying why with the error's status. The
application pages' button polls the API instead and opens this page once the PDF is there.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.urls import path

from certificates.document_downloads import RETRY_AFTER_SECONDS, candidate_document_response
from certificates.models import DocumentKind
from registration.models import User
from wecan.errors import NotFound, PortalError


def _document_page(request: HttpRequest, application_id: int, kind: DocumentKind) -> HttpResponseBase:
    user = request.user
    if not isinstance(user, User) or not user.is_candidate:
        raise PermissionDenied
    context = {"application_id": application_id, "title": kind.label}
    try:
        response = candidate_document_response(candidate=user, application_id=application_id, kind=kind)
    except NotFound:
        raise Http404 from None
    except PortalError as error:
        context.update(message=error.message, fields=error.fields)
        return render(request, "certificates/documents/unavailable.html", context, status=error.status)
    if response is None:
        context["retry_after"] = RETRY_AFTER_SECONDS
        response = render(request, "certificates/documents/rendering.html", context, status=202)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_required
def application_form_pdf(request: HttpRequest, application_id: int) -> HttpResponseBase:
    return _document_page(request, application_id, DocumentKind.APPLICATION_FORM)


@login_required
def admission_ticket_pdf(request: HttpRequest, application_id: int) -> HttpResponseBase:
    return _document_page(request, application_id, DocumentKind.ADMISSION_TICKET)


urlpatterns = [
    path("applications/<int:application_id>/form.pdf", application_form_pdf, name="application-form-pdf"),
    path("applications/<int:application_id>/admission-ticket.pdf", admission_ticket_pdf, name="admission-ticket-pdf"),
]
