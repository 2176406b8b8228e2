"""What staff work keeps: issued 验证码, eligibility declarations, background jobs and the candidates' to-dos."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class IssuedCode(models.Model):
    """Every 验证码 an application has carried, so a stale printed form is told apart from a wrong code."""

    application = models.ForeignKey(
        "registration.Application", on_delete=models.CASCADE, related_name="+", verbose_name=_("报名信息")
    )
    code = models.CharField(_("验证码"), max_length=7)
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)

    class Meta:
        ordering = ["application", "issued_at", "id"]
        verbose_name = _("已签发验证码")
        verbose_name_plural = _("已签发验证码")
        constraints = [models.UniqueConstraint(fields=["application", "code"], name="issued_code_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.code}"


class EarlyApplicationPolicy(models.Model):
    """A policy letting a candidate apply before the usual years are reached (提前申报), or at once
    (``direct``: 直接申报, whatever the years; only staff record it, after checking the proof).

    ``specialty_codes`` / ``target_levels`` empty mean every specialty / level; ``once_only``
    policies may be used in one exam year only.
    """

    key = models.SlugField(_("标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    years_early = models.PositiveSmallIntegerField(_("可提前年数"), default=1, validators=[MinValueValidator(1)])
    specialty_codes = models.JSONField(_("适用专业代码"), default=list, blank=True)
    once_only = models.BooleanField(_("只能享受一次"), default=False)
    direct = models.BooleanField(_("直接申报"), default=False)
    target_levels = models.JSONField(_("适用报考级别"), default=list, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("提前申报政策")
        verbose_name_plural = _("提前申报政策")

    def __str__(self) -> str:
        return self.name

    def applies_to(self, specialty_code: str) -> bool:
        return not self.specialty_codes or specialty_code in self.specialty_codes


class EligibilityDeclaration(models.Model):
    """Facts the eligibility pre-check needs beyond the application: policies claimed, a change of post."""

    application = models.OneToOneField(
        "registration.Application",
        on_delete=models.CASCADE,
        related_name="eligibility_declaration",
        verbose_name=_("报名信息"),
    )
    policies = models.ManyToManyField(EarlyApplicationPolicy, verbose_name=_("申请的提前申报政策"), blank=True)
    post_changed_on = models.DateField(_("转入现岗位日期"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("修改时间"))

    class Meta:
        verbose_name = _("报考条件申报")
        verbose_name_plural = _("报考条件申报")

    def __str__(self) -> str:
        return str(self.application_id)


class JobKind(models.TextChoices):
    BULK_CONFIRM = "bulk_confirm", _("批量确认")
    APPLICATION_EXPORT = "application_export", _("导出报名信息")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """A background job over many applications, with its progress for the page that follows it."""

    kind = models.CharField(_("类型"), max_length=20, choices=JobKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    application_ids = models.JSONField(default=list, editable=False, verbose_name=_("报名信息编号"))
    # Bulk confirmation where fees are paid on site: the receipt number given for each application id.
    fee_receipt_numbers = models.JSONField(default=dict, blank=True, editable=False, verbose_name=_("缴费收据号"))
    total = models.PositiveIntegerField(_("总数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    succeeded = models.PositiveIntegerField(_("成功"), default=0)
    skipped = models.PositiveIntegerField(_("已是目标状态"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    errors = models.JSONField(_("失败明细"), default=list, blank=True)
    # An export's file: its format, and its private storage key (chosen at the start, so a rerun overwrites).
    file_format = models.CharField(_("文件格式"), max_length=4, choices=ExportFormat.choices, blank=True)
    file_key = models.CharField(_("文件"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        constraints = [
            models.CheckConstraint(condition=Q(processed__lte=models.F("total")), name="job_processed_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def downloadable(self) -> bool:
        return self.kind == JobKind.APPLICATION_EXPORT and self.status == JobStatus.DONE and bool(self.file_key)

    @property
    def file_name(self) -> str:
        """The name the staff member's browser saves the export under (ours, never a client's)."""
        return f"applications-{timezone.localtime(self.created_at):%Y%m%d-%H%M}-{self.pk}.{self.file_format}"


class ReminderKind(models.TextChoices):
    CONFIRMATION_PENDING = "confirmation_pending", _("报名未确认")
    AUTO_CONFIRMED = "auto_confirmed", _("已自动确认")
    CONFIRMATION_REJECTED = "confirmation_rejected", _("报名确认不通过")
    REVIEW_REJECTED = "review_rejected", _("资格审核不通过")
    TO_PAY = "to_pay", _("待缴费")
    DEADLINE_SOON = "deadline_soon", _("即将截止")
    ABANDONED = "abandoned", _("视为放弃")


class Reminder(models.Model):
    """A to-do (待办事项提醒) shown on the candidate's pages and sent through the reminder channels.

    ``key`` makes creating it idempotent: one reminder per event or per deadline and application.
    An open to-do is closed when the application moves on.
    """

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("考生")
    )
    application = models.ForeignKey(
        "registration.Application",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("报名信息"),
    )
    kind = models.CharField(_("类型"), max_length=24, choices=ReminderKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    # The same words in English, written beside them when the reminder is made, for English pages.
    title_en = models.CharField(_("标题（英文）"), max_length=200, blank=True)
    body_en = models.TextField(_("内容（英文）"), blank=True)
    key = models.CharField(max_length=100, unique=True, editable=False, verbose_name=_("标识"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("已处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("待办事项提醒")
        verbose_name_plural = _("待办事项提醒")
        indexes = [models.Index(fields=["candidate", "closed_at", "created_at"], name="reminder_candidate_open")]

    def __str__(self) -> str:
        return self.title

    def _in_language(self, chinese: str, english: str) -> str:
        return english if english and (get_language() or "").startswith("en") else chinese

    @property
    def shown_title(self) -> str:
        return self._in_language(self.title, self.title_en)

    @property
    def shown_body(self) -> str:
        return self._in_language(self.body, self.body_en)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    SKIPPED = "skipped", _("无需发送")


class ReminderDelivery(models.Model):
    """One reminder through one channel: sent at most once."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("提醒"))
    channel = models.CharField(_("渠道"), max_length=20)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["reminder", "channel"]
        verbose_name = _("提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"], name="reminder_delivery_once_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} {self.channel} {self.status}"


class SignedFormCheck(models.Model):
    """What a worker read from the barcode of an uploaded signed application form (申请表)."""

    material_file = models.OneToOneField(
        "registration.MaterialFile",
        on_delete=models.CASCADE,
        related_name="signed_form_check",
        verbose_name=_("证明材料文件"),
    )
    number = models.CharField(_("网报号"), max_length=20, blank=True)
    code = models.CharField(_("验证码"), max_length=20, blank=True)
    checked_at = models.DateTimeField(_("识别时间"), auto_now=True)

    class Meta:
        verbose_name = _("申请表条形码识别")
        verbose_name_plural = _("申请表条形码识别")

    def __str__(self) -> str:
        return f"{self.material_file_id} {self.number} {self.code}"
