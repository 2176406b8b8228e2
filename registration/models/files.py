"""Uploaded images: the candidate's photo and proof materials, kept in private storage.

A row names its stored files by a random token, never by what the client called them, and says
how the worker judged them: pending, accepted, or rejected with a reason.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("检查中")
    ACCEPTED = "accepted", _("合格")
    REJECTED = "rejected", _("不合格")


class CheckedUpload(models.Model):
    """An upload and the worker's verdict on it. ``key`` is where its content is in private storage."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("令牌"))
    key = models.CharField(_("存储位置"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    reason_code = models.CharField(_("不合格代码"), max_length=40, blank=True)
    reason = models.CharField(_("不合格原因"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("文件大小(字节)"))
    width = models.PositiveIntegerField(_("宽(像素)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高(像素)"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # When the validation task was last queued, and how often: the sweep re-queues what waits too long.
    queued_at = models.DateTimeField(_("排队时间"))
    attempts = models.PositiveSmallIntegerField(_("检查次数"), default=1)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        abstract = True


class PhotoSource(models.TextChoices):
    UPLOAD = "upload", _("考试照片")
    ACCOUNT = "account", _("基本照片")


class Photo(CheckedUpload):
    """A candidate's photo: the account's 基本照片 (no application) or the one an application uses."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="photos", verbose_name=_("考生")
    )
    application = models.OneToOneField(
        "registration.Application",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photo",
        verbose_name=_("报名信息"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=PhotoSource.choices, default=PhotoSource.UPLOAD)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(application__isnull=True), name="one_account_photo_per_candidate"
            ),
        ]
        indexes = [
            models.Index(fields=["queued_at"], condition=Q(status="pending"), name="photo_pending_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.pk} ({self.get_status_display()})"


class MaterialFile(CheckedUpload):
    """One file of a proof material slot (证明材料) of an application."""

    application = models.ForeignKey(
        "registration.Application", on_delete=models.CASCADE, related_name="material_files", verbose_name=_("报名信息")
    )
    slot = models.ForeignKey(
        "registration.MaterialSlot", on_delete=models.PROTECT, related_name="files", verbose_name=_("证明材料项")
    )
    thumbnail_key = models.CharField(_("缩略图存储位置"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("证明材料文件")
        verbose_name_plural = _("证明材料文件")
        indexes = [
            models.Index(fields=["application", "slot"], name="material_file_slot"),
            models.Index(fields=["queued_at"], condition=Q(status="pending"), name="material_file_pending_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.slot.code} {self.pk} ({self.get_status_display()})"
