"""The candidate's pages: scores (成绩查询) and certificates (我的证书) with their PDFs."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import path

from certificates.downloads import certificate_pdf_response
from certificates.models import Certificate
from certificates.selectors.certificates import certificate_of_candidate, certificates_of_candidate
from certificates.selectors.scores import scores_of_candidate
from certificates.services.certificates import verification_url
from registration.models import User


def _candidate(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_candidate:
        raise PermissionDenied
    return user


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    records = scores_of_candidate(candidate=_candidate(request))
    # One table per exam year and specialty, as a score report (成绩单) shows them.
    groups = [
        {"exam_year": year, "specialty_name": name, "records": list(rows)}
        for (year, name), rows in groupby(records, key=lambda record: (record.exam_year, record.specialty_shown_name))
    ]
    return render(request, "certificates/scores.html", {"groups": groups})


@login_required
def certificates(request: HttpRequest) -> HttpResponse:
    items = [
        {"certificate": certificate, "verification_url": verification_url(certificate.verification_code)}
        for certificate in certificates_of_candidate(candidate=_candidate(request))
    ]
    return render(request, "certificates/certificates.html", {"items": items})


@login_required
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponseBase:
    try:
        certificate = certificate_of_candidate(candidate=_candidate(request), certificate_id=certificate_id)
    except Certificate.DoesNotExist:
        raise Http404 from None
    if not certificate.pdf:
        return render(request, "certificates/pdf_pending.html", {"certificate": certificate}, status=202)
    return certificate_pdf_response(certificate)


urlpatterns = [
    path("scores/", scores, name="my-scores"),
    path("certificates/", certificates, name="my-certificates"),
    path("certificates/<int:certificate_id>/certificate.pdf", certificate_pdf, name="my-certificate-pdf"),
]
