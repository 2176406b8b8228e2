"""The application form (申请表) and the admission ticket (准考证) over the API (API.md).

Each answers the cached PDF of the current version (200), or 202 with ``Retry-After`` while a worker
renders it; 409 ``document_not_ready`` says what is missing (sections, photo) in ``fields``; another
candidate's application is 404.
"""

from __future__ import annotations

from django.http import HttpResponseBase
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.document_downloads import RETRY_AFTER_SECONDS, candidate_document_response
from certificates.models import DocumentKind
from registration.permissions import IsCandidate

RENDERING = inline_serializer("DocumentRendering", {"status": serializers.ChoiceField(choices=["rendering"])})
ERROR = OpenApiResponse(description='`{"code", "message", "fields"}`')


def _answer(request: Request, application_id: int, kind: str) -> HttpResponseBase:
    response = candidate_document_response(candidate=request.user, application_id=application_id, kind=kind)  # type: ignore[arg-type]
    if response is not None:
        return response
    return Response(
        {"status": "rendering"}, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


class ApplicationFormPdf(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(
        summary="The application form (申请表) PDF of the current 验证码",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(RENDERING, description="Being rendered: ask again after Retry-After seconds"),
            404: ERROR,
            409: OpenApiResponse(description="`document_not_ready`: sections not saved or no accepted photo"),
        },
    )
    def get(self, request: Request, application_id: int) -> HttpResponseBase:
        return _answer(request, application_id, DocumentKind.APPLICATION_FORM)


class AdmissionTicketPdf(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(
        summary="The admission ticket (准考证) PDF, once paid and inside the ticket window",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(RENDERING, description="Being rendered: ask again after Retry-After seconds"),
            404: ERROR,
            409: OpenApiResponse(description="`invalid_state` before payment; `document_not_ready` without a photo"),
            423: OpenApiResponse(description="`window_closed` outside the ticket window"),
        },
    )
    def get(self, request: Request, application_id: int) -> HttpResponseBase:
        return _answer(request, application_id, DocumentKind.ADMISSION_TICKET)


urlpatterns = [
    path("applications/<int:application_id>/form.pdf", ApplicationFormPdf.as_view(), name="api-application-form-pdf"),
    path(
        "applications/<int:application_id>/admission-ticket.pdf",
        AdmissionTicketPdf.as_view(),
        name="api-admission-ticket-pdf",
    ),
]
