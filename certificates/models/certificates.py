"""Qualification certificates (专业技术资格证书) and their audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已吊销")


class Certificate(models.Model):
    """Issued once per person and specialty, when the two-year rule says the specialty is passed.

    Name and masked ID number are copied from the account when issued: a certificate shows what it
    was issued with. ``verification_code`` is the unguessable key of the public verification page (``typed_codes``).
    """

    number = models.CharField(_("证书编号"), max_length=32, unique=True)
    verification_code = models.CharField(_("查验码"), max_length=32, unique=True, editable=False)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("考生"), on_delete=models.PROTECT, related_name="certificates"
    )
    id_number_digest = models.CharField(max_length=64, editable=False, verbose_name=_("证件号码摘要"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number_masked = models.CharField(_("证件号码"), max_length=24)
    specialty = models.ForeignKey(
        "registration.Specialty", verbose_name=_("专业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("级别"), max_length=20)
    exam = models.ForeignKey(
        "registration.Exam", verbose_name=_("合格考试年度"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("发证日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)
    pdf = models.FileField(_("证书文件"), upload_to="certificates/certificates/%Y/", blank=True)
    pdf_rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")
        constraints = [
            models.UniqueConstraint(fields=["id_number_digest", "specialty"], name="certificate_once_per_specialty"),
            models.CheckConstraint(condition=Q(status__in=CertificateStatus.values), name="certificate_status_known"),
            models.CheckConstraint(
                condition=Q(status=CertificateStatus.VALID, revoked_at__isnull=True)
                | Q(status=CertificateStatus.REVOKED, revoked_at__isnull=False),
                name="certificate_revoked_at_with_status",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def verification_code_grouped(self) -> str:
        """The code as printed and typed: ``K7QM-X2PD-9RWB``."""
        from certificates.typed_codes import grouped

        return grouped(self.verification_code)


class CertificateEvent(models.Model):
    """Who did what to a certificate, when: issued, PDF rendered, revoked."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("发证")
        RENDERED = "rendered", _("生成证书文件")
        REVOKED = "revoked", _("吊销")

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="events", verbose_name=_("资格证书")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("证书操作记录")
        verbose_name_plural = _("证书操作记录")

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.action}"
