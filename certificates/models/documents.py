"""The PDFs made for an application: its form (申请表) and its admission ticket (准考证), one row per version."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("报名申请表")
    ADMISSION_TICKET = "admission_ticket", _("准考证")


class DocumentStatus(models.TextChoices):
    RENDERING = "rendering", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("无法生成")


class ApplicationDocument(models.Model):
    """One version of one of an application's PDFs, cached in private storage.

    ``version`` is what the document shows that can change: for the form the 验证码 (every content
    change issues a new one), for the ticket a digest of its content. Only the row of the current
    version is served; a new version deletes the older rows and their files.
    """

    application = models.ForeignKey(
        "registration.Application", on_delete=models.CASCADE, related_name="+", verbose_name=_("报名信息")
    )
    kind = models.CharField(_("文书"), max_length=20, choices=DocumentKind.choices)
    version = models.CharField(_("版本"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.RENDERING
    )
    key = models.CharField(_("存储位置"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("文件大小(字节)"), null=True, blank=True)
    failure = models.CharField(_("无法生成的原因"), max_length=300, blank=True)
    # When rendering was last queued, and how often: a request finding it waiting too long queues it again.
    queued_at = models.DateTimeField(_("排队时间"))
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=1)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名文书")
        verbose_name_plural = _("报名文书")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "version"], name="document_version_unique"),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_known"),
            models.CheckConstraint(condition=Q(status__in=DocumentStatus.values), name="document_status_known"),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.READY) | ~Q(key=""), name="document_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application_id} {self.version} ({self.get_status_display()})"
