"""The application (报名信息): one per candidate per exam, its six sections, its state and its audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registration.choices import Gender


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交，待确认")
    CONFIRMATION_REJECTED = "confirmation_rejected", _("确认不通过")
    CONFIRMED = "confirmed", _("已确认，待审核")
    SITE_APPROVED = "site_approved", _("考点初审通过")
    REVIEW_REJECTED = "review_rejected", _("资格审核不通过")
    APPROVED = "approved", _("资格审核通过")
    PAID = "paid", _("已缴费")
    REFUNDED = "refunded", _("已退费")
    ABANDONED = "abandoned", _("视为放弃")


class PhotoStatus(models.TextChoices):
    MISSING = "missing", _("未上传")
    PENDING = "pending", _("审核中")
    ACCEPTED = "accepted", _("合格")
    REJECTED = "rejected", _("不合格")


class Application(models.Model):
    """A candidate's registration for one exam.

    Section fields are columns so that staff queues filter and index them; ``<section>_saved_at`` says
    whether the candidate has saved that section (``None``: not yet, or cleared by 修改考区). ``status``
    changes only through ``registration.services.applications.transition`` (and its bulk twin ``transition_many``).
    """

    exam = models.ForeignKey(
        "registration.Exam", on_delete=models.PROTECT, related_name="applications", verbose_name=_("考试")
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("考生")
    )
    district = models.ForeignKey(
        "registration.District", on_delete=models.PROTECT, related_name="applications", verbose_name=_("考区")
    )
    number = models.CharField(_("网报号"), max_length=8)
    verification_code = models.CharField(_("验证码"), max_length=7)
    status = models.CharField(
        _("状态"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    pledge_accepted_at = models.DateTimeField(_("同意报考须知时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))
    # Bumped by the database on every UPDATE of the row (a trigger of migration 0008), whatever wrote
    # it: the key of the cached API body, so no write can forget to renew it.
    revision = models.PositiveBigIntegerField(default=0, editable=False, verbose_name=_("版本号"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    resubmission_count = models.PositiveSmallIntegerField(_("重新提交次数"), default=0)

    # 考点信息
    site_saved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("考点信息保存时间"))
    city = models.ForeignKey(
        "registration.City",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报名地市"),
    )
    site = models.ForeignKey(
        "registration.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("考点"),
    )
    registration_point = models.ForeignKey(
        "registration.RegistrationPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("报名点"),
    )

    # 基本信息
    basic_saved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("基本信息保存时间"))
    id_valid_until = models.DateField(_("证件有效截止日期"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    health_status = models.CharField(_("健康状况"), max_length=10, blank=True)
    nationality = models.CharField(_("国籍"), max_length=10, blank=True)
    foreign_nationality = models.CharField(_("外籍人员国籍"), max_length=50, blank=True)

    # 联系方式
    contact_saved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("联系方式保存时间"))
    address = models.CharField(_("地址"), max_length=50, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    # 报考信息
    exam_saved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("报考信息保存时间"))
    specialty = models.ForeignKey(
        "registration.Specialty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("报考专业"),
    )
    subjects = models.ManyToManyField("registration.Subject", blank=True, related_name="+", verbose_name=_("报考科目"))
    current_qualification = models.CharField(_("现有技术资格"), max_length=20, blank=True)
    qualification_date = models.DateField(_("现有技术资格取得年月"), null=True, blank=True)
    practice_category = models.CharField(_("执业类别"), max_length=20, blank=True)
    first_registration_month = models.DateField(_("首次注册年月"), null=True, blank=True)
    residency_certificate_month = models.DateField(_("住培合格证书发证年月"), null=True, blank=True)

    # 教育情况
    education_saved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("教育情况保存时间"))
    degree_record = models.ForeignKey(
        "registration.DegreeRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("学历学位信息"),
    )
    highest_education = models.CharField(_("最高学历"), max_length=10, blank=True)
    schooling_years = models.CharField(_("学制"), max_length=10, blank=True)
    work_experience = models.CharField(_("专业工作经历"), max_length=200, blank=True)

    # 工作情况
    work_saved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("工作情况保存时间"))
    unit = models.ForeignKey(
        "registration.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    other_unit_name = models.CharField(_("其它单位"), max_length=200, blank=True)
    unit_affiliation = models.CharField(_("单位所属"), max_length=20, blank=True)
    unit_nature = models.CharField(_("单位性质"), max_length=20, blank=True)
    unit_category = models.CharField(_("单位类别"), max_length=20, blank=True)
    years_in_specialty = models.PositiveSmallIntegerField(_("从事本专业年限"), null=True, blank=True)

    # Filled by the photo and materials work, and by staff decisions.
    photo_status = models.CharField(
        _("照片状态"), max_length=10, choices=PhotoStatus.choices, default=PhotoStatus.MISSING
    )
    materials_finalized = models.BooleanField(_("已上传全部证明材料"), default=False)
    rejection_reasons = models.JSONField(_("不通过原因"), default=list, blank=True)

    class Meta:
        verbose_name = _("报名信息")
        verbose_name_plural = _("报名信息")
        constraints = [
            models.UniqueConstraint(fields=["exam", "candidate"], name="one_application_per_candidate_per_exam"),
            models.UniqueConstraint(fields=["exam", "number"], name="application_number_unique_per_exam"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_known"),
        ]
        indexes = [
            # Staff queues: a scope, a status, oldest submission first, the id breaking ties; a page's
            # ids are read from the index alone (review.selectors.staff_queue).
            models.Index(fields=["registration_point", "status", "submitted_at", "id"], name="application_point_queue"),
            models.Index(
                fields=["site", "status", "submitted_at", "id"],
                condition=models.Q(registration_point__isnull=True),
                name="application_unpointed_queue",
            ),
            models.Index(fields=["site", "status", "submitted_at", "id"], name="application_site_queue"),
            models.Index(fields=["district", "status", "submitted_at", "id"], name="application_district_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.exam.year})"

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # Django adds its own only where none is defined
        return application_status_label(self.status)


def application_status_label(status: str) -> str:
    """A status as a person reads it, in the active language. Django's ``get_status_display`` builds
    and translates the label of every status on each call, which a staff page of fifty rows paid 550
    times; ``ApplicationStatus.values`` too builds its list anew."""
    try:
        return str(ApplicationStatus(status).label)
    except ValueError:
        return status


class ApplicationEvent(models.Model):
    """The audit trail: who moved the application from which state to which, why, when."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("报名信息")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.from_status}→{self.to_status}"


class HistoryRecord(models.Model):
    """Last year's sitting of an ID number in a specialty (imported by staff); history candidates start from it."""

    exam_year = models.PositiveSmallIntegerField(_("考试年度"))
    id_number_digest = models.CharField(max_length=64, db_index=True, verbose_name=_("证件号码摘要"))
    name = models.CharField(_("姓名"), max_length=50)
    district_code = models.CharField(_("考区"), max_length=10)
    site_code = models.CharField(_("考点"), max_length=20)
    specialty_code = models.CharField(_("专业代码"), max_length=10)
    level = models.CharField(_("级别"), max_length=20)
    education = models.CharField(_("学历"), max_length=10)
    unit_name = models.CharField(_("工作单位"), max_length=200)
    passed_subjects = models.JSONField(_("已通过科目"), default=list, blank=True)
    absent = models.BooleanField(_("缺考"), default=False)
    disqualified = models.BooleanField(_("违纪"), default=False)
    # How site staff find the record when the candidate's ID changed (成绩合并); blank when not imported.
    file_number = models.CharField(_("档案号"), max_length=30, blank=True, db_index=True)
    ticket_number = models.CharField(_("准考证号"), max_length=30, blank=True, db_index=True)

    class Meta:
        verbose_name = _("历史考生记录")
        verbose_name_plural = _("历史考生记录")
        constraints = [
            models.UniqueConstraint(
                fields=["exam_year", "id_number_digest", "specialty_code"], name="history_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam_year} {self.specialty_code} {self.name}"


class ScoreMergeFoundBy(models.TextChoices):
    FILE_NUMBER = "file_number", _("档案号")
    TICKET_NUMBER = "ticket_number", _("上一年度准考证号")


class ScoreMerge(models.Model):
    """成绩合并: the person who sat ``exam_year`` under another ID number is this candidate.

    Site staff link it (seed 002 line 60); an administrator may revoke it. While not revoked, last
    year's records and scores under ``id_number_digest`` count for ``candidate`` in the default
    subjects and the two-year rule.
    """

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("考生"), on_delete=models.PROTECT, related_name="score_merges"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("报名信息"), on_delete=models.PROTECT, related_name="score_merges"
    )
    exam_year = models.PositiveSmallIntegerField(_("上一年度"))
    id_number_digest = models.CharField(max_length=64, editable=False)
    found_by = models.CharField(_("查找依据"), max_length=20, choices=ScoreMergeFoundBy.choices)
    number = models.CharField(_("号码"), max_length=30)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("合并人"), on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("成绩合并")
        verbose_name_plural = _("成绩合并")
        constraints = [
            # One person of last year merges into one candidate, and a candidate takes one such person.
            models.UniqueConstraint(
                fields=["exam_year", "id_number_digest"],
                condition=Q(revoked_at__isnull=True),
                name="score_merge_one_per_sitting",
            ),
            models.UniqueConstraint(
                fields=["exam_year", "candidate"],
                condition=Q(revoked_at__isnull=True),
                name="score_merge_one_per_candidate",
            ),
            models.CheckConstraint(
                condition=Q(found_by__in=ScoreMergeFoundBy.values), name="score_merge_found_by_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam_year} → {self.candidate_id}"
