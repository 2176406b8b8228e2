"""The exam catalogue: an exam year with its windows, where candidates register, what they sit."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registration.choices import SPECIALTY_CATEGORIES, SPECIALTY_LEVELS, CountedFrom

# The photo file's size bounds of seed 003 line 639, the default of every exam (each may change them).
PHOTO_MIN_BYTES = 20 * 1024
PHOTO_MAX_BYTES = 45 * 1024


class Exam(models.Model):
    """One exam year, with every time window of API.md and the bounds uploads must keep."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    registration_opens = models.DateTimeField(_("网上报名开始"))
    registration_closes = models.DateTimeField(_("网上报名截止"))
    confirmation_deadline = models.DateTimeField(_("报名确认截止"))
    payment_opens = models.DateTimeField(_("缴费开始"))
    payment_closes = models.DateTimeField(_("缴费截止"))
    ticket_opens = models.DateTimeField(_("准考证打印开始"))
    ticket_closes = models.DateTimeField(_("准考证打印截止"))
    exam_date = models.DateField(_("考试日期"))
    # Years of work are counted to this day: 31 December of the year before the exam.
    work_years_cutoff = models.DateField(_("工作年限计算截止日期"))
    specialties = models.ManyToManyField(
        "registration.Specialty", related_name="exams", blank=True, verbose_name=_("专业")
    )

    # Seed 003 line 639: "文件大小必须在 20kb—45kb 之间": every new exam starts from these bounds.
    photo_min_bytes = models.PositiveIntegerField(_("照片最小字节数"), default=PHOTO_MIN_BYTES)
    photo_max_bytes = models.PositiveIntegerField(_("照片最大字节数"), default=PHOTO_MAX_BYTES)
    photo_min_width = models.PositiveIntegerField(_("照片最小宽度(像素)"), default=295)
    photo_min_height = models.PositiveIntegerField(_("照片最小高度(像素)"), default=413)
    material_min_bytes = models.PositiveIntegerField(_("材料最小字节数"), default=10 * 1024)
    material_max_bytes = models.PositiveIntegerField(_("材料最大字节数"), default=150 * 1024)
    pass_score = models.PositiveSmallIntegerField(_("合格分数线"), default=60)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration_opens__lt=models.F("registration_closes")),
                name="exam_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(payment_opens__lt=models.F("payment_closes")),
                name="exam_payment_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(ticket_opens__lt=models.F("ticket_closes")),
                name="exam_ticket_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A 考区 (usually a province) of one exam, with how it confirms and collects fees."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="districts", verbose_name=_("考试"))
    code = models.CharField(_("代码"), max_length=10)
    name = models.CharField(_("名称"), max_length=50)
    online_confirmation = models.BooleanField(_("网上确认"), default=False)
    online_payment = models.BooleanField(_("网上缴费"), default=True)
    history_auto_confirm = models.BooleanField(_("历史考生自动确认"), default=False)

    class Meta:
        ordering = ["exam", "code"]
        verbose_name = _("考区")
        verbose_name_plural = _("考区")
        constraints = [models.UniqueConstraint(fields=["exam", "code"], name="district_code_unique_per_exam")]

    def __str__(self) -> str:
        return f"{self.name} ({self.exam.year})"


class DistrictFee(models.Model):
    """The district's fee for one subject at one level, in yuan."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="fees", verbose_name=_("考区"))
    level = models.CharField(_("级别"), max_length=20)
    fee_per_subject = models.DecimalField(
        _("每科费用(元)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )

    class Meta:
        ordering = ["district", "level"]
        verbose_name = _("考区收费标准")
        verbose_name_plural = _("考区收费标准")
        constraints = [models.UniqueConstraint(fields=["district", "level"], name="district_fee_unique_per_level")]

    def __str__(self) -> str:
        return f"{self.district.name} {self.level} {self.fee_per_subject}"


class City(models.Model):
    """A 报名地市."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="cities", verbose_name=_("考区"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["district", "code"]
        verbose_name = _("报名地市")
        verbose_name_plural = _("报名地市")
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="city_code_unique_per_district")]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A 考点: it hosts the exam and does the first stage of the qualification review."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="sites", verbose_name=_("报名地市"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["city", "code"]
        verbose_name = _("考点")
        verbose_name_plural = _("考点")
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="site_code_unique_per_city")]

    def __str__(self) -> str:
        return self.name


class RegistrationPoint(models.Model):
    """A 报名点: where registrations are confirmed."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="registration_points", verbose_name=_("考点"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["site", "code"]
        verbose_name = _("报名点")
        verbose_name_plural = _("报名点")
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="point_code_unique_per_site")]

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    """A specialty (专业) at one level; codes and names come from reference data only."""

    code = models.CharField(_("专业代码"), max_length=10, unique=True)
    name = models.CharField(_("专业名称"), max_length=100)
    name_en = models.CharField(_("专业名称（英文）"), max_length=150, blank=True)
    category = models.CharField(_("专业类别"), max_length=50)
    level = models.CharField(_("级别"), max_length=20)

    class Meta:
        ordering = ["code"]
        verbose_name = _("专业")
        verbose_name_plural = _("专业")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def shown_name(self) -> str:
        """The name in the page's language: English where the reference data gives one."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def shown_category(self) -> str:
        # A category added in the admin outside the closed set is shown as stored.
        return str(dict(SPECIALTY_CATEGORIES).get(self.category, self.category))

    @property
    def shown_level(self) -> str:
        return str(dict(SPECIALTY_LEVELS).get(self.level, self.level))


class Subject(models.Model):
    """One of the four subjects every specialty is examined in."""

    code = models.CharField(_("科目代码"), max_length=4, unique=True)
    name = models.CharField(_("科目名称"), max_length=50)
    name_en = models.CharField(_("科目名称（英文）"), max_length=100, blank=True)
    minutes = models.PositiveSmallIntegerField(_("考试时长(分钟)"))
    pass_score = models.PositiveSmallIntegerField(_("合格分数"))
    full_score = models.PositiveSmallIntegerField(_("满分"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("科目")
        verbose_name_plural = _("科目")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def shown_name(self) -> str:
        """The name in the page's language: English where the reference data gives one."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

class MaterialSlot(models.Model):
    """A kind of proof material a district asks for, and how many files it takes."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="material_slots", verbose_name=_("考区")
    )
    code = models.CharField(_("代码"), max_length=10)
    title = models.CharField(_("材料名称"), max_length=200)
    title_en = models.CharField(_("材料名称（英文）"), max_length=200, blank=True)
    max_files = models.PositiveSmallIntegerField(_("最多文件数"), validators=[MinValueValidator(1)])
    # A hint shown to the candidate about whom the slot concerns; it never blocks submission.
    who = models.CharField(_("适用人员"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["district", "position", "code"]
        verbose_name = _("证明材料项")
        verbose_name_plural = _("证明材料项")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="material_slot_code_unique_per_district"),
            models.CheckConstraint(condition=models.Q(max_files__gte=1), name="material_slot_takes_a_file"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def shown_title(self) -> str:
        """The title in the page's language: English where the reference data gives one."""
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title


class Unit(models.Model):
    """An employer in the unit directory that candidates search when filling 工作情况."""

    name = models.CharField(_("单位名称"), max_length=200)
    province = models.CharField(_("省份"), max_length=50)
    city = models.CharField(_("城市"), max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(Upper("name"), "province", "city", name="unit_unique_per_place"),
        ]
        indexes = [models.Index(fields=["province", "city"], name="unit_place_idx")]

    def __str__(self) -> str:
        return self.name


class EligibilityRule(models.Model):
    """Years of professional work a target level asks for, by education (reference/eligibility.csv)."""

    category_group = models.CharField(_("类别组"), max_length=40)
    target_level = models.CharField(_("报考级别"), max_length=20)
    education = models.CharField(_("学历"), max_length=20)
    min_years = models.PositiveSmallIntegerField(_("最少年限"))
    # Blank: no start to count from and nothing to hold. Set with ``min_years`` 0: held is enough
    # (seed 003 line 204: 博士 "取得规培证后报考").
    counted_from = models.CharField(_("起算"), max_length=40, blank=True, choices=CountedFrom.choices)
    # A second way to qualify (seed 003 line 202: 本科 "满4年或者拿到规培证后，执业满2年").
    alternative_counted_from = models.CharField(
        _("或自…起算"), max_length=40, blank=True, choices=CountedFrom.choices
    )
    alternative_min_years = models.PositiveSmallIntegerField(_("或满年限"), null=True, blank=True)
    # For people only: the pre-check never reads it.
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["category_group", "target_level", "education"]
        verbose_name = _("报考年限规则")
        verbose_name_plural = _("报考年限规则")
        constraints = [
            models.UniqueConstraint(
                fields=["category_group", "target_level", "education"], name="eligibility_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_group} {self.target_level} {self.education}: {self.min_years}"
