"""The sandbox gateway's own records: what a real gateway would keep on its side.

Nothing of the portal's (orders, payments) is read here: the sandbox knows merchant apps, their
trades and the notifications it owes them, as Alipay does.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxApp(models.Model):
    """A merchant app at the sandbox: the key it signs requests with, and the gateway's own key pair.

    ``merchant_private_key`` is kept only for the portal's own sandbox app (generated for development
    and tests); an app registered for the Alipay protocol brings just its public key.
    """

    app_id = models.CharField(_("应用ID"), max_length=32, unique=True)
    merchant_public_key = models.TextField(_("应用公钥"))
    merchant_private_key = models.TextField(_("应用私钥"), blank=True)
    gateway_private_key = models.TextField(_("网关私钥"))
    gateway_public_key = models.TextField(_("网关公钥"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱应用")
        verbose_name_plural = _("沙箱应用")

    def __str__(self) -> str:
        return self.app_id


class SandboxTradeStatus(models.TextChoices):
    WAIT_BUYER_PAY = "WAIT_BUYER_PAY", _("等待付款")
    TRADE_SUCCESS = "TRADE_SUCCESS", _("支付成功")
    TRADE_CLOSED = "TRADE_CLOSED", _("交易关闭")


class SandboxTrade(models.Model):
    app = models.ForeignKey(SandboxApp, on_delete=models.CASCADE, related_name="trades")
    out_trade_no = models.CharField(max_length=64)
    trade_no = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=256)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    notify_url = models.CharField(max_length=500, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    time_expire = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=SandboxTradeStatus.choices, default=SandboxTradeStatus.WAIT_BUYER_PAY
    )
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refund_requests = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("沙箱交易")
        verbose_name_plural = _("沙箱交易")
        constraints = [models.UniqueConstraint(fields=["app", "out_trade_no"], name="sandbox_trade_once_per_order")]
        indexes = [models.Index(fields=["app", "paid_at"], name="sandbox_trade_paid_at")]

    def __str__(self) -> str:
        return self.trade_no


class SandboxNotification(models.Model):
    """An asynchronous notification owed to the merchant, re-sent on Alipay's schedule until answered."""

    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="notifications")
    notify_url = models.CharField(max_length=500)
    params = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # None once answered "success" or given up on.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_response = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱异步通知")
        verbose_name_plural = _("沙箱异步通知")
        indexes = [models.Index(fields=["next_attempt_at"], name="sandbox_notification_due")]

    def __str__(self) -> str:
        return f"{self.trade_id} #{self.attempts}"
