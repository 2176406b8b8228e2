"""Orders (one application's fee, payable at one gateway) and the payments gateways report for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    SANDBOX = "sandbox", _("沙箱支付")
    ALIPAY = "alipay", _("支付宝")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("未交费")
    PAID = "paid", _("已交费")
    EXPIRED = "expired", _("已过期")
    REFUNDED = "refunded", _("已退费")


class Order(models.Model):
    """What a candidate is asked to pay: the selected subjects × the district's fee for the level.

    ``district`` is the application's, kept here so finance scope and reconciliation need no join.
    ``status`` changes only through ``payments.services``.
    """

    application = models.ForeignKey(
        "registration.Application", on_delete=models.PROTECT, related_name="orders", verbose_name=_("报名信息")
    )
    district = models.ForeignKey(
        "registration.District", on_delete=models.PROTECT, related_name="orders", verbose_name=_("考区")
    )
    number = models.CharField(_("订单号码"), max_length=32, unique=True)
    provider = models.CharField(_("支付渠道"), max_length=10, choices=Provider.choices)
    amount = models.DecimalField(_("订单金额(元)"), max_digits=10, decimal_places=2)
    level = models.CharField(_("报考级别"), max_length=20)
    specialty_code = models.CharField(_("专业代码"), max_length=10)
    specialty_name = models.CharField(_("报考专业"), max_length=100)
    subject_codes = models.JSONField(_("报考科目"), default=list)
    fee_per_subject = models.DecimalField(_("每科费用(元)"), max_digits=8, decimal_places=2)
    status = models.CharField(_("缴费状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    pay_url = models.TextField(_("支付地址"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("退费时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        constraints = [
            # One order a candidate can still pay, and one that was paid, per application.
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="pending"), name="one_open_order_per_application"
            ),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="paid"), name="one_paid_order_per_application"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_not_negative"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="order_status_created"),
            models.Index(fields=["district", "status"], name="order_district_status"),
        ]

    def __str__(self) -> str:
        return self.number


class PaymentDisposition(models.TextChoices):
    CREDITED = "credited", _("已入账")
    # The order had been paid already through another gateway trade.
    DUPLICATE = "duplicate", _("重复支付，需退款")
    # The order had expired, the window had closed or the application could no longer be paid.
    UNCREDITABLE = "uncreditable", _("无法入账，需退款")


class Payment(models.Model):
    """One gateway trade that paid for an order, whatever became of it: credited, or kept for refund.

    The unique gateway trade number is the last guard against crediting one payment twice.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("订单"))
    provider = models.CharField(_("支付渠道"), max_length=10, choices=Provider.choices)
    trade_no = models.CharField(_("支付平台交易号"), max_length=64)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(_("支付时间"))
    source = models.CharField(_("来源"), max_length=12)  # notification, query, statement
    disposition = models.CharField(_("处理结果"), max_length=12, choices=PaymentDisposition.choices)
    refunded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("支付记录")
        verbose_name_plural = _("支付记录")
        constraints = [
            models.UniqueConstraint(fields=["provider", "trade_no"], name="payment_trade_no_unique"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(disposition="credited"), name="one_credited_payment_per_order"
            ),
        ]
        indexes = [models.Index(fields=["provider", "paid_at"], name="payment_provider_paid_at")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.trade_no}"


class OrderEvent(models.Model):
    """The order's audit trail: created, credited, recovered, expired, refunded, and by whom."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("订单"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=30)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"
