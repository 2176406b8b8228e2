"""Appeals by the owner of an ID number that someone else registered (证件号码被冒用申诉)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    APPROVED = "approved", _("已批准，账号已归还")
    REJECTED = "rejected", _("已驳回")


class IdentityAppeal(models.Model):
    """A person says the account registered with their ID number is not theirs, and proves it with a
    picture of the ID card and a photo of themselves holding it. An administrator decides; approval
    moves the account to the appellant (their e-mail and mobile, a new password of their own).

    The row is the audit record of the decision: who, when, why, and the contact details it replaced.
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被申诉账号"),
        on_delete=models.CASCADE,
        related_name="identity_appeals",
    )
    name = models.CharField(_("申诉人姓名"), max_length=50)
    email = models.EmailField(_("申诉人电子邮箱"))
    mobile = models.CharField(_("申诉人手机号码"), max_length=11)
    statement = models.TextField(_("情况说明"), max_length=500, blank=True)
    # Private storage keys (registration.private_files), re-encoded JPEGs without metadata.
    id_card_key = models.CharField(_("证件照片存储位置"), max_length=200, editable=False)
    holding_photo_key = models.CharField(_("手持证件照片存储位置"), max_length=200, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    replaced_email = models.CharField(_("被替换的电子邮箱"), max_length=254, blank=True, editable=False)
    replaced_mobile = models.CharField(_("被替换的手机号码"), max_length=11, blank=True, editable=False)

    class Meta:
        verbose_name = _("证件号码被冒用申诉")
        verbose_name_plural = _("证件号码被冒用申诉")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                name="identity_appeal_decided_when_not_pending",
                condition=models.Q(status=AppealStatus.PENDING, decided_at__isnull=True)
                | (~models.Q(status=AppealStatus.PENDING) & models.Q(decided_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.account_id} ({self.get_status_display()})"
