"""Certificates over the API: the candidate's own with their PDFs, and the public verification."""

from __future__ import annotations

from django.http import HttpResponseBase
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.downloads import certificate_pdf_response
from certificates.models import Certificate, CertificateStatus
from certificates.selectors.certificates import (
    certificate_of_candidate,
    certificate_verification,
    certificates_of_candidate,
)
from certificates.services.certificates import verification_url
from certificates.throttling import CertificateVerifyThrottle
from registration.permissions import IsCandidate
from wecan.errors import NotFound

# How long a client waits before asking again for a PDF that a worker is still rendering.
PDF_RETRY_AFTER_SECONDS = 3


class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="证书编号")
    specialty = serializers.CharField(source="specialty.code", help_text="专业代码")
    specialty_name = serializers.CharField(source="specialty.name")
    level = serializers.CharField(help_text="级别")
    exam_year = serializers.IntegerField(source="exam.year", help_text="合格考试年度")
    issued_on = serializers.DateField(help_text="发证日期")
    status = serializers.ChoiceField(choices=CertificateStatus.values)
    verification_url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField(help_text="证书PDF地址；生成中为 null")

    def get_verification_url(self, certificate: Certificate) -> str:
        return verification_url(certificate.verification_code)

    def get_pdf(self, certificate: Certificate) -> str | None:
        if not certificate.pdf:
            return None
        url = reverse("api-my-certificate-pdf", kwargs={"certificate_id": certificate.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class MyCertificates(GenericAPIView):
    permission_classes = [IsCandidate]
    serializer_class = CertificateSerializer

    @extend_schema(responses=CertificateSerializer(many=True), summary="The candidate's certificates")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(certificates_of_candidate(candidate=request.user))  # type: ignore[arg-type]
        return self.get_paginated_response(CertificateSerializer(page, many=True, context={"request": request}).data)


class MyCertificatePdf(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(description="Still rendering: ask again after Retry-After seconds"),
        },
        summary="The certificate's PDF, to its owner only",
    )
    def get(self, request: Request, certificate_id: int) -> HttpResponseBase:
        try:
            certificate = certificate_of_candidate(candidate=request.user, certificate_id=certificate_id)  # type: ignore[arg-type]
        except Certificate.DoesNotExist:
            raise NotFound() from None
        if not certificate.pdf:
            return Response(
                {"status": "rendering"},
                status=status.HTTP_202_ACCEPTED,
                headers={"Retry-After": str(PDF_RETRY_AFTER_SECONDS)},
            )
        return certificate_pdf_response(certificate)


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="证书有效（未吊销）")
    status = serializers.ChoiceField(choices=CertificateStatus.values)
    name_masked = serializers.CharField(help_text="姓名（部分隐藏）")
    specialty = serializers.CharField(help_text="专业名称")
    specialty_code = serializers.CharField()
    level = serializers.CharField(help_text="级别")
    issued_on = serializers.DateField(help_text="发证日期")
    number = serializers.CharField(help_text="证书编号")
    revoked_on = serializers.DateField(allow_null=True, help_text="吊销日期")


class CertificateVerify(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [CertificateVerifyThrottle]

    @extend_schema(responses=VerificationSerializer, summary="Public verification of a certificate (证书查验)")
    def get(self, request: Request, code: str) -> Response:
        verification = certificate_verification(code=code)
        if verification is None:
            raise NotFound()
        return Response(VerificationSerializer(verification).data)


urlpatterns = [
    path("me/certificates/", MyCertificates.as_view(), name="api-my-certificates"),
    path(
        "me/certificates/<int:certificate_id>/certificate.pdf",
        MyCertificatePdf.as_view(),
        name="api-my-certificate-pdf",
    ),
    path("certificates/verify/<str:code>/", CertificateVerify.as_view(), name="api-certificate-verify"),
]
