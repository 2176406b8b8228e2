"""Scores (成绩): one row per sitting of a subject, keyed by exam, ID digest, specialty and subject.

ID numbers are never stored here in clear: only the keyed digest of ``registration.pii``, which is
also how a score finds its candidate (``User.id_number_digest``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScoreImportStatus(models.TextChoices):
    PENDING = "pending", _("等待导入")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("导入失败")


class ScoreImport(models.Model):
    """One uploaded score file and what importing it did: the audit record of every score write."""

    # Kept only until the import finishes: the file holds ID numbers in clear, the portal must not.
    file = models.FileField(_("成绩文件"), upload_to="certificates/score-imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ScoreImportStatus.choices, default=ScoreImportStatus.PENDING
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    lines = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    certificates_issued = models.PositiveIntegerField(_("新发证书"), default=0)
    history_records_written = models.PositiveIntegerField(_("写入历史考生记录"), default=0)
    # Passed a specialty, but no account has that ID number yet: no certificate until there is one.
    passed_without_account = models.PositiveIntegerField(_("合格但无账号"), default=0)
    # [{"line": 3, "reason": "..."}], in line order.
    errors = models.JSONField(_("被拒绝的行"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("成绩导入")
        verbose_name_plural = _("成绩导入")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ScoreImportStatus.values), name="score_import_status_known")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class Score(models.Model):
    """A candidate's result in one subject of one specialty at one exam.

    Whether it passed and until when it counts are derived (``certificates.rules``), not stored.
    """

    # No foreign keys in the database: each is checked row by row, deferred to the commit, which for a
    # national file of a million lines took longer than the import itself. Scores are written only by
    # the import, with ids it read from the catalogue in the same transaction, and Django keeps the
    # references (PROTECT refuses to delete an exam, specialty, subject or import that has scores).
    # The exam needs no index of its own: the unique (exam, digest, specialty, subject) starts with it.
    # Nor do the specialty, subject and source, read alone only to refuse deleting one that has scores
    # (and a subject's scores are a quarter of all): their indexes cost the import's upsert a third of its time.
    exam = models.ForeignKey(
        "registration.Exam",
        verbose_name=_("考试"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    id_number_digest = models.CharField(max_length=64, editable=False)
    specialty = models.ForeignKey(
        "registration.Specialty",
        verbose_name=_("专业"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    subject = models.ForeignKey(
        "registration.Subject",
        verbose_name=_("科目"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    score = models.PositiveSmallIntegerField(_("成绩"), null=True, blank=True)
    absent = models.BooleanField(_("缺考"), default=False)
    disqualified = models.BooleanField(_("违纪"), default=False)
    source = models.ForeignKey(
        ScoreImport,
        verbose_name=_("来源导入"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scores",
        db_constraint=False,
        db_index=False,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["exam__year", "specialty__code", "subject__code"]
        verbose_name = _("成绩")
        verbose_name_plural = _("成绩")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "id_number_digest", "specialty", "subject"], name="score_unique_per_sitting"
            ),
            models.CheckConstraint(condition=~Q(absent=True, disqualified=True), name="score_absent_or_disqualified"),
            models.CheckConstraint(condition=Q(absent=False) | Q(score__isnull=True), name="score_none_when_absent"),
            models.CheckConstraint(
                condition=Q(absent=True) | Q(disqualified=True) | Q(score__isnull=False), name="score_given_when_sat"
            ),
        ]
        indexes = [models.Index(fields=["id_number_digest", "specialty"], name="score_candidate_specialty")]

    def __str__(self) -> str:
        return f"{self.exam_id} {self.specialty_id} {self.subject_id}"
