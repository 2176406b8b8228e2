"""Writes to certificates: issue (once per person and specialty), render the PDF, revoke.

Each runs in one transaction, locks what it changes and writes a ``CertificateEvent``; the PDF is
rendered by a worker queued on commit.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import tasks, typed_codes
from certificates.models import Certificate, CertificateEvent, CertificateStatus
from certificates.pdf import qr_svg_data_uri, render_pdf
from registration.models import Exam, Specialty, User
from wecan.errors import InvalidInput, InvalidState, NotFound

_BATCH = 2000
_RENDER_BATCH = 500


def verification_url(code: str) -> str:
    """The absolute address of the public verification page of ``code``: what the QR code carries."""
    return settings.WECAN_PUBLIC_URL.rstrip("/") + reverse("certificate-verify-result", kwargs={"code": code})


def _new_verification_code() -> str:
    # The only key to the public page, so random; short and without look-alikes, as it is typed from paper.
    return typed_codes.new_code()


def _record(certificate: Certificate, *, action: str, actor: User | None, note: str = "") -> None:
    CertificateEvent.objects.create(certificate=certificate, action=action, actor=actor, note=note)


def _new_certificate(
    *, candidate: User, specialty: Specialty, exam: Exam, serial: int, issued_on: datetime.date
) -> Certificate:
    """A certificate numbered year + serial, with an unguessable verification code."""
    return Certificate(
        number=f"{exam.year}{serial:08d}",
        verification_code=_new_verification_code(),
        candidate=candidate,
        id_number_digest=candidate.id_number_digest or "",
        name=candidate.name,
        id_number_masked=candidate.id_number_masked,
        specialty=specialty,
        level=specialty.level,
        exam=exam,
        issued_on=issued_on,
    )


def _queue_renders(certificate_ids: list[int]) -> None:
    for start in range(0, len(certificate_ids), _RENDER_BATCH):
        tasks.render_certificate_pdfs.delay(certificate_ids[start : start + _RENDER_BATCH])


def certificate_issue(
    *, candidate: User, specialty: Specialty, exam: Exam, actor: User | None
) -> tuple[Certificate, bool]:
    """The candidate's certificate for ``specialty``, issued now if there is none yet (``created`` says which).

    The caller may rely on: at most one certificate per ID number and specialty, whatever calls
    race; a new one has a number unique in its exam year (year + serial), today's issue date, an
    unguessable verification code, and its PDF queued for rendering once the transaction commits.
    """
    digest = candidate.id_number_digest or ""
    if not digest:
        raise InvalidInput(_("该账号没有证件号码，不能发证。"))
    with transaction.atomic():
        # The exam row serialises issuing within a year, so serial numbers never collide.
        locked_exam = Exam.objects.select_for_update().get(pk=exam.pk)
        existing = Certificate.objects.filter(id_number_digest=digest, specialty=specialty).first()
        if existing is not None:
            return existing, False
        serial = Certificate.objects.filter(exam=locked_exam).count() + 1
        certificate = _new_certificate(
            candidate=candidate, specialty=specialty, exam=locked_exam, serial=serial, issued_on=timezone.localdate()
        )
        certificate.full_clean()
        certificate.save()
        _record(certificate, action=CertificateEvent.Action.ISSUED, actor=actor, note=f"{locked_exam.year}")
        certificate_id = certificate.pk
        transaction.on_commit(lambda: tasks.render_certificate_pdf.delay(certificate_id))
    return certificate, True


@dataclass(frozen=True)
class Grant:
    """A specialty passed (first) in ``exam_year`` by the candidate with no certificate for it yet."""

    candidate_id: int
    specialty_id: int
    exam_year: int


def certificates_issue_passed(*, grants: Sequence[Grant], actor: User | None) -> int:
    """Issues the certificate of every grant at once (a score import may pass tens of thousands); returns how many.

    The caller may rely on what ``certificate_issue`` promises for each: numbers continue each exam
    year's serial in the order of ``grants``, each certificate has its ``issued`` event and its PDF
    queued once the transaction commits (by a task per batch, which queues the render of each). The
    caller checked that none exists yet: a second certificate for an ID number and specialty is
    refused by the database, and then nothing is issued.
    """
    if not grants:
        return 0
    with transaction.atomic():
        # The exam rows serialise issuing within a year, as for one certificate.
        exams = {
            exam.year: exam
            for exam in Exam.objects.select_for_update()
            .filter(year__in={grant.exam_year for grant in grants})
            .order_by("pk")
        }
        serials = {year: Certificate.objects.filter(exam=exam).count() for year, exam in exams.items()}
        specialties = Specialty.objects.in_bulk({grant.specialty_id for grant in grants})
        issued_on = timezone.localdate()
        certificate_ids: list[int] = []
        # A batch at a time, so that tens of thousands of model instances never sit in memory at once.
        for start in range(0, len(grants), _BATCH):
            batch = grants[start : start + _BATCH]
            candidates = User.objects.only("name", "id_number_digest", "id_number_masked").in_bulk(
                {grant.candidate_id for grant in batch}
            )
            certificates = []
            for grant in batch:
                serials[grant.exam_year] += 1
                certificates.append(
                    _new_certificate(
                        candidate=candidates[grant.candidate_id],
                        specialty=specialties[grant.specialty_id],
                        exam=exams[grant.exam_year],
                        serial=serials[grant.exam_year],
                        issued_on=issued_on,
                    )
                )
            Certificate.objects.bulk_create(certificates)
            CertificateEvent.objects.bulk_create(
                [
                    CertificateEvent(
                        certificate_id=certificate.pk,
                        action=CertificateEvent.Action.ISSUED,
                        actor=actor,
                        note=f"{certificate.exam.year}",
                    )
                    for certificate in certificates
                ]
            )
            certificate_ids += [certificate.pk for certificate in certificates]
        transaction.on_commit(lambda: _queue_renders(certificate_ids))
    return len(certificate_ids)


def certificate_pdf_render(*, certificate_id: int) -> Certificate:
    """Renders and stores the certificate's PDF once; a certificate that has one is left as it is.

    Rendering happens outside the transaction; if another worker stored a PDF meanwhile, this one's
    file is deleted and theirs kept.
    """
    certificate = Certificate.objects.select_related("specialty", "exam").filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound()
    if certificate.pdf:
        return certificate
    url = verification_url(certificate.verification_code)
    content = render_pdf(
        template_name="certificates/certificate_pdf.html",
        context={"certificate": certificate, "verification_url": url, "qr_code": qr_svg_data_uri(url)},
    )
    name = default_storage.save(
        f"certificates/certificates/{certificate.issued_on:%Y}/{certificate.number}-{secrets.token_hex(8)}.pdf",
        ContentFile(content),
    )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        if locked.pdf:
            transaction.on_commit(lambda: default_storage.delete(name))
            return locked
        locked.pdf.name = name
        locked.pdf_rendered_at = timezone.now()
        locked.save(update_fields=["pdf", "pdf_rendered_at"])
        _record(locked, action=CertificateEvent.Action.RENDERED, actor=None)
    return locked


def certificate_revoke(*, certificate_id: int, actor: User, reason: str) -> Certificate:
    """Revokes a valid certificate with a reason; the public page then says it is revoked.

    Refuses a blank reason (``InvalidInput``) and a certificate already revoked (``InvalidState``).
    """
    reason = reason.strip()
    if not reason:
        raise InvalidInput(fields={"reason": [_("请填写吊销原因。")]})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None:
            raise NotFound()
        if certificate.status == CertificateStatus.REVOKED:
            raise InvalidState(_("证书%(number)s已被吊销。") % {"number": certificate.number})
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason
        certificate.full_clean()
        certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
        _record(certificate, action=CertificateEvent.Action.REVOKED, actor=actor, note=reason)
    return certificate
