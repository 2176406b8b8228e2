"""Serving a certificate's PDF: private (never cached by a shared cache), to callers that checked ownership."""

from __future__ import annotations

from django.http import FileResponse

from certificates.models import Certificate


def certificate_pdf_response(certificate: Certificate) -> FileResponse:
    """The stored PDF inline; the caller has checked the certificate is the requester's and has a PDF."""
    response = FileResponse(
        certificate.pdf.open("rb"), content_type="application/pdf", filename=f"{certificate.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
