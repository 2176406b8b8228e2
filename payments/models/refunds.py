"""Refunds: each request to a gateway, recorded before it is sent and settled with its answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models.orders import Payment


class RefundStatus(models.TextChoices):
    # Recorded, sent or about to be sent; the gateway's answer is not recorded yet. A row left here
    # by a crash is settled by a sweep that asks the gateway.
    REQUESTED = "requested", _("退款处理中")
    SUCCEEDED = "succeeded", _("退款成功")
    FAILED = "failed", _("退款失败")


class Refund(models.Model):
    """One refund request for one gateway payment (pretix and Saleor keep the same record).

    ``closes_order``: the refund of the order's credited payment, which moves the application to
    ``refunded``; otherwise the return of a payment that was kept for refund.
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("支付记录"))
    out_request_no = models.CharField(_("退款请求号"), max_length=64, unique=True)
    amount = models.DecimalField(_("退款金额(元)"), max_digits=10, decimal_places=2)
    reason = models.TextField(_("退款原因"))
    closes_order = models.BooleanField(_("订单退费"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    gateway_message = models.CharField(_("支付平台答复"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("退款记录")
        verbose_name_plural = _("退款记录")
        constraints = [
            # One refund in flight or done per payment: a second request waits for the first's answer.
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status__in=["requested", "succeeded"]),
                name="one_live_refund_per_payment",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_created")]

    def __str__(self) -> str:
        return self.out_request_no
