"""Fees paid on site (现场缴费) in districts without online payment, recorded at confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OnSiteFee(models.Model):
    """The fee a candidate paid at the registration point or site when confirmed there (seed 003 line
    761): recorded by the confirming staff member with the receipt's number; the amount comes from the
    district's fee table, never from what staff type."""

    application = models.OneToOneField(
        "registration.Application", on_delete=models.PROTECT, related_name="onsite_fee", verbose_name=_("报名信息")
    )
    district = models.ForeignKey(
        "registration.District", on_delete=models.PROTECT, related_name="onsite_fees", verbose_name=_("考区")
    )
    receipt_number = models.CharField(_("收据号"), max_length=40)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    level = models.CharField(_("报考级别"), max_length=20)
    subject_codes = models.JSONField(_("报考科目"), default=list)
    fee_per_subject = models.DecimalField(_("每科费用(元)"), max_digits=8, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("收费人"),
    )
    recorded_at = models.DateTimeField(_("收费时间"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("现场缴费")
        verbose_name_plural = _("现场缴费")
        constraints = [
            # A receipt is issued once: the same number twice in a district is a typing error or worse.
            models.UniqueConstraint(fields=["district", "receipt_number"], name="onsite_fee_receipt_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="onsite_fee_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.receipt_number
