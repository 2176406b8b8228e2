"""Reads of certificates: the candidate's own, and what the public verification page may show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from certificates import typed_codes
from certificates.models import Certificate, CertificateStatus
from registration.models import User


def certificates_of_candidate(*, candidate: User) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(candidate=candidate)
        .select_related("specialty", "exam")
        .order_by("-issued_on", "-id")
    )


def certificate_of_candidate(*, candidate: User, certificate_id: int) -> Certificate:
    """The candidate's own certificate; anyone else's is ``Certificate.DoesNotExist`` (a 404)."""
    return certificates_of_candidate(candidate=candidate).get(pk=certificate_id)


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧**娜``: enough to recognise, not to identify."""
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class Verification:
    """What anyone holding the code may learn: never the full name or the ID number."""

    valid: bool
    status: str
    status_label: str
    number: str
    name_masked: str
    specialty: str
    specialty_code: str
    level: str
    issued_on: datetime.date
    revoked_on: datetime.date | None


def certificate_verification(*, code: str) -> Verification | None:
    """The verification of ``code``, or ``None`` when no certificate has it.

    A code of the typed kind is read in any case and with or without hyphens; an older code is
    matched exactly as it was issued.
    """
    lookup = typed_codes.normalized(code) or code
    certificate = Certificate.objects.select_related("specialty").filter(verification_code=lookup).first()
    if certificate is None:
        return None
    revoked_on = timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None
    return Verification(
        valid=certificate.status == CertificateStatus.VALID,
        status=certificate.status,
        status_label=str(certificate.get_status_display()),
        number=certificate.number,
        name_masked=mask_name(certificate.name),
        specialty=certificate.specialty.name,
        specialty_code=certificate.specialty.code,
        level=certificate.level,
        issued_on=certificate.issued_on,
        revoked_on=revoked_on,
    )
