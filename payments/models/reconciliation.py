"""Settlement statements imported by finance, their lines, and the discrepancies they reveal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models.orders import Provider


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("等待导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("导入失败")


class StatementOrigin(models.TextChoices):
    # A file a finance user uploaded: evidence to check with the gateway, never a reason to credit.
    UPLOAD = "upload", _("财务上传")
    # Fetched by the portal from the gateway over its signed API: the gateway's own word.
    GATEWAY = "gateway", _("支付平台下载")


class Statement(models.Model):
    """A gateway's settlement statement for one district, uploaded by finance (or fetched from the
    gateway) and imported by a worker."""

    district = models.ForeignKey(
        "registration.District", on_delete=models.PROTECT, related_name="statements", verbose_name=_("考区")
    )
    provider = models.CharField(_("支付渠道"), max_length=10, choices=Provider.choices)
    origin = models.CharField(_("来源"), max_length=10, choices=StatementOrigin.choices, default=StatementOrigin.UPLOAD)
    file = models.FileField(_("对账单文件"), upload_to="payments/statements/")
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, verbose_name=_("文件摘要"))
    # The days the statement covers; a payment credited here on them must appear in it.
    period_start = models.DateField(_("账单起始日期"), null=True, blank=True)
    period_end = models.DateField(_("账单截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    # Touched as the import goes on; an import whose heartbeat stops was cut short and is resumed.
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    lines = models.PositiveIntegerField(_("明细行数"), default=0)
    matched = models.PositiveIntegerField(_("一致"), default=0)
    amount_mismatch = models.PositiveIntegerField(_("金额不符"), default=0)
    missing_here = models.PositiveIntegerField(_("平台有本地无"), default=0)
    missing_at_gateway = models.PositiveIntegerField(_("本地有平台无"), default=0)
    duplicate = models.PositiveIntegerField(_("重复支付"), default=0)
    recovered = models.PositiveIntegerField(_("补记入账"), default=0)
    refunds = models.PositiveIntegerField(_("退款明细"), default=0)
    refund_missing_here = models.PositiveIntegerField(_("平台有退款本地无"), default=0)
    refund_missing_at_gateway = models.PositiveIntegerField(_("本地已退款平台无"), default=0)
    other_district = models.PositiveIntegerField(_("其他考区"), default=0)
    errors = models.JSONField(_("无法识别的行"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对账单")
        verbose_name_plural = _("对账单")
        constraints = [
            # The same file uploaded again is the same statement: re-importing changes nothing.
            models.UniqueConstraint(fields=["district", "provider", "sha256"], name="statement_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.file_name or self.pk}"


class LineKind(models.TextChoices):
    MATCHED = "matched", _("一致")
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")
    MISSING_HERE = "missing_here", _("平台有本地无")
    DUPLICATE = "duplicate", _("重复支付")
    REFUND = "refund", _("退款")
    # A refund at the gateway that no refund recorded here accounts for.
    REFUND_UNKNOWN = "refund_unknown", _("退款，本地无记录")
    OTHER_DISTRICT = "other_district", _("其他考区")


class StatementLine(models.Model):
    """One payment (or refund) line of a statement, classified against the orders and payments here."""

    # No database constraints on this bulk table: a million-line import would pay a trigger per row,
    # and the import service is the only writer.
    statement = models.ForeignKey(
        Statement,
        on_delete=models.CASCADE,
        related_name="statement_lines",
        db_constraint=False,
        db_index=False,
        verbose_name=_("对账单"),
    )
    line_no = models.PositiveIntegerField(_("行号"))
    trade_no = models.CharField(_("支付平台交易号"), max_length=64)
    out_trade_no = models.CharField(_("订单号码"), max_length=64)
    is_refund = models.BooleanField(_("退款"), default=False)
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    order = models.ForeignKey(
        "payments.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("订单"),
    )
    kind = models.CharField(_("对账结果"), max_length=16, choices=LineKind.choices, blank=True)

    class Meta:
        ordering = ["statement", "line_no"]
        verbose_name = _("对账明细")
        verbose_name_plural = _("对账明细")
        indexes = [models.Index(fields=["statement", "trade_no"], name="statementline_trade")]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.line_no}"


class DiscrepancyKind(models.TextChoices):
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")
    MISSING_HERE = "missing_here", _("平台已收款，本地未入账")
    MISSING_AT_GATEWAY = "missing_at_gateway", _("本地已入账，对账单无此笔")
    DUPLICATE = "duplicate", _("重复支付，需退款")
    # A validly signed notification named a trade already recorded for another order.
    TRADE_REUSED = "trade_reused", _("交易号已用于其他订单")
    REFUND_MISSING_HERE = "refund_missing_here", _("平台已退款，本地无退款记录")
    REFUND_MISSING_AT_GATEWAY = "refund_missing_at_gateway", _("本地已退款，对账单无此笔退款")


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    # A credit or refund proposed by one finance user, waiting for a second one.
    AWAITING_APPROVAL = "awaiting_approval", _("待复核")
    RESOLVED = "resolved", _("已处理")


class DiscrepancyAction(models.TextChoices):
    NONE = "none", _("仅填写说明")
    CREDIT = "credit", _("入账")
    REFUND = "refund", _("退款")


class Discrepancy(models.Model):
    """Something the gateway and the portal disagree on, for finance of the district to resolve.

    One per district, kind and gateway trade: found again (a re-import, a repeated notification) it
    is the same discrepancy.
    """

    district = models.ForeignKey(
        "registration.District", on_delete=models.PROTECT, related_name="discrepancies", verbose_name=_("考区")
    )
    statement = models.ForeignKey(
        Statement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discrepancies",
        verbose_name=_("对账单"),
    )
    kind = models.CharField(_("类型"), max_length=30, choices=DiscrepancyKind.choices)
    order = models.ForeignKey(
        "payments.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discrepancies",
        verbose_name=_("订单"),
    )
    order_number = models.CharField(_("订单号码"), max_length=64)
    gateway_trade_no = models.CharField(_("支付平台交易号"), max_length=64)
    amount_here = models.DecimalField(_("本地金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_gateway = models.DecimalField(_("平台金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN
    )
    detail = models.CharField(_("情况"), max_length=200, blank=True)
    note = models.TextField(_("处理说明"), blank=True)
    action = models.CharField(_("处理方式"), max_length=10, choices=DiscrepancyAction.choices, blank=True)
    # Four eyes: a credit or a refund is proposed by one finance user and approved by another.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提议人"),
    )
    proposed_at = models.DateTimeField(_("提议时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )
    approved_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对账差异")
        verbose_name_plural = _("对账差异")
        constraints = [
            models.UniqueConstraint(fields=["district", "kind", "gateway_trade_no"], name="discrepancy_once_per_trade"),
            models.CheckConstraint(condition=Q(status="open") | ~Q(note=""), name="resolved_discrepancy_has_note"),
        ]
        indexes = [models.Index(fields=["district", "status"], name="discrepancy_district_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order_number}"
