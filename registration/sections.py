"""The six sections of the application: their fields and rules, in one place.

Each section is a Django form bound to the application it is for. The service that saves a section
validates with it, so the pages and the API give the same answers for the same input; the pages
also render it, and the API schema is derived from it.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration import choices
from registration.identity import NATIONALITY_OTHER
from registration.models import City, DegreeRecord, RegistrationPoint, Site, Subject, Unit
from registration.models.application import Application
from registration.pii import mask_mobile

SECTION_KEYS = ("site", "basic", "contact", "exam", "education", "work")


def _blank_choice(options: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", gettext_lazy("请选择")), *options]


_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthInput(forms.TextInput):
    """A month picker on phones and desktops (``<input type="month">``); it posts ``YYYY-MM``."""

    input_type = "month"


class MonthField(forms.CharField):
    """A month as ``YYYY-MM``, kept as the first day of that month."""

    widget = MonthInput
    default_error_messages = {"invalid": gettext_lazy("请按“年-月”填写，例如 2020-07。")}

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
        if month > timezone.localdate():
            raise ValidationError(_("年月不能晚于当前月份。"), code="future")
        return month

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, datetime.date) else value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # The placeholder shows the format to browsers that fall back to a text box.
        return {**super().widget_attrs(widget), "placeholder": "2020-07", "pattern": r"\d{4}-\d{2}"}


class FixedChoiceField(forms.ChoiceField):
    """A choice field whose choices its section fixes. Each form's copy of the field shares them,
    where Django's deep-copies every (lazily translated) name for every form: a twentieth of a
    section save. A form may give its copy other choices; no one changes them in place."""

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedChoiceField:
        copied: FixedChoiceField = forms.Field.__deepcopy__(self, memo)  # type: ignore[attr-defined]  # not in the stubs
        copied._choices = self._choices  # type: ignore[attr-defined]
        return copied


class SectionForm(forms.Form):
    """A section bound to its application; ``values()`` gives the model fields it sets."""

    key: ClassVar[str]
    title: ClassVar[Any]
    # Model fields this section owns, cleared by 修改考区.
    model_fields: ClassVar[tuple[str, ...]]

    def __init__(self, data: Mapping[str, Any] | None = None, *, application: Application, **kwargs: Any) -> None:
        self.application = application
        if data is None:
            kwargs.setdefault("initial", self.representation(application) or self.defaults(application))
        super().__init__(data, **kwargs)
        required = _("此项为必填项。")
        for field in self.fields.values():
            field.error_messages["required"] = required

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.model_fields}

    def full_clean(self) -> None:
        refused = self._refused_values() if self.is_bound else {}
        if refused:
            # Validated as if absent, so that nothing of a refused value reaches a rule or a query.
            if isinstance(self.data, QueryDict):
                data = self.data.copy()
                for name in refused:
                    data.pop(name, None)
                self.data = data
            else:
                self.data = {name: value for name, value in self.data.items() if name not in refused}
        super().full_clean()
        for name, message in refused.items():
            # In place of "required" or whatever the value's absence gave.
            self.errors.pop(name, None)
            self.add_error(name, message)

    def _refused_values(self) -> dict[str, str]:
        """Values of the wrong JSON type for their field: a number, list or object where text is due
        would be stored as its Python repr. The pages send only text; the API sends JSON."""
        refused: dict[str, str] = {}
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            message = _refusal(field, value)
            if message:
                refused[name] = message
        return refused

    @classmethod
    def defaults(cls, application: Application) -> dict[str, Any]:
        return {}

    @classmethod
    def representation(cls, application: Application) -> dict[str, Any] | None:
        """The section as the API shows it, or ``None`` while it has not been saved."""
        if getattr(application, f"{cls.key}_saved_at") is None:
            return None
        return {name: _api_value(getattr(application, name)) for name in cls.model_fields}

    @classmethod
    def labels(cls, application: Application) -> dict[str, Any] | None:
        """The names, in the active language, of the section's coded values; ``None`` while unsaved.

        The section itself keeps its codes, so a client can write back what it read; these sit
        beside it for display.
        """
        shown = cls.representation(application)
        if shown is None:
            return None
        language = translation.get_language()
        named: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            value = shown.get(name)
            if isinstance(field, forms.ChoiceField) and isinstance(value, str) and value:
                named[name] = _choice_names(field, language).get(value, value)
        return named


@functools.cache
def _choice_names(source: forms.ChoiceField | type[models.Choices], language: str | None) -> dict[str, str]:
    """Value → name in ``language`` (the active one) of a section's choice field (one of the class's
    own, whose choices are fixed) or of a model's choices: built once per language, not translated
    again on each body."""
    return {value: str(name) for value, name in source.choices}  # type: ignore[union-attr]


def _refusal(field: forms.Field, value: Any) -> str:
    """Why ``value`` cannot be taken for ``field`` as sent, or ``""``; absent and null are the
    field's own business (required or not). Text that is not valid Unicode is refused earlier, by
    the API's JSON parser (``wecan.parsers``), for every endpoint."""
    if value is None:
        return ""
    if isinstance(field, forms.MultipleChoiceField):
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
            return _("请提交由文字组成的列表。")
        return ""
    if isinstance(field, forms.IntegerField):
        # A whole number may come as a JSON number or as text, as the pages send it.
        return "" if isinstance(value, int | float | str) and not isinstance(value, bool) else _("请填写整数。")
    return "" if isinstance(value, str) else _("请填写文字，不能是数字、列表或对象。")


def _api_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _month_value(value: datetime.date | None) -> str | None:
    return value.strftime("%Y-%m") if value else None


class SiteSection(SectionForm):
    key = "site"
    title = gettext_lazy("考点信息")
    model_fields = ("city", "site", "registration_point")

    city = forms.CharField(label=gettext_lazy("报名地市"), max_length=20)
    site = forms.CharField(label=gettext_lazy("考点"), max_length=20)
    registration_point = forms.CharField(label=gettext_lazy("报名点"), max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        point = self.fields["registration_point"]
        # Seed 002 line 62: only online-confirmation districts make the candidate choose a 报名点;
        # the page marks it required (`*`) there and says plainly that it is optional elsewhere.
        if self.application.district.online_confirmation:
            point.required = True
            point.error_messages["required"] = _("本考区网上确认，请选择报名点。")
        else:
            point.help_text = _("本考区现场确认，可不选报名点：到所选考点或其下设的任一报名点均可确认。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        district = self.application.district
        city = site = point = None
        if data.get("city"):
            city = City.objects.filter(district=district, code=data["city"]).first()
            if city is None:
                self.add_error("city", _("所选报名地市不属于本考区。"))
        if city and data.get("site"):
            site = Site.objects.filter(city=city, code=data["site"]).first()
            if site is None:
                self.add_error("site", _("所选考点不属于该报名地市。"))
        if site and data.get("registration_point"):
            point = RegistrationPoint.objects.filter(site=site, code=data["registration_point"]).first()
            if point is None:
                self.add_error("registration_point", _("所选报名点不属于该考点。"))
        elif district.online_confirmation and "registration_point" not in self.errors:
            self.add_error("registration_point", _("本考区网上确认，请选择报名点。"))
        data.update(city=city, site=site, registration_point=point)
        return data

    @classmethod
    def representation(cls, application: Application) -> dict[str, Any] | None:
        if application.site_saved_at is None:
            return None
        return {
            "city": application.city.code if application.city else None,
            "site": application.site.code if application.site else None,
            "registration_point": application.registration_point.code if application.registration_point else None,
        }

    @classmethod
    def labels(cls, application: Application) -> dict[str, Any] | None:
        if application.site_saved_at is None:
            return None
        return {
            "city": application.city.name if application.city else None,
            "site": application.site.name if application.site else None,
            "registration_point": application.registration_point.name if application.registration_point else None,
        }


class BasicSection(SectionForm):
    key = "basic"
    title = gettext_lazy("基本信息")
    model_fields = (
        "id_valid_until",
        "gender",
        "birth_date",
        "ethnicity",
        "health_status",
        "nationality",
        "foreign_nationality",
    )

    id_valid_until = forms.DateField(label=gettext_lazy("证件有效截止日期"), widget=_DATE_INPUT)
    gender = FixedChoiceField(label=gettext_lazy("性别"), choices=_blank_choice(choices.Gender.choices))
    birth_date = forms.DateField(label=gettext_lazy("出生日期"), widget=_DATE_INPUT)
    ethnicity = FixedChoiceField(label=gettext_lazy("民族"), choices=_blank_choice(choices.ETHNICITIES))
    health_status = FixedChoiceField(label=gettext_lazy("健康状况"), choices=_blank_choice(choices.HEALTH_STATUSES))
    nationality = FixedChoiceField(label=gettext_lazy("国籍"), choices=_blank_choice(choices.NATIONALITIES))
    foreign_nationality = forms.CharField(label=gettext_lazy("外籍人员国籍"), max_length=50, required=False)

    @classmethod
    def defaults(cls, application: Application) -> dict[str, Any]:
        account = application.candidate
        return {
            "gender": account.gender,
            "birth_date": account.birth_date,
            "nationality": account.nationality,
            "ethnicity": "",
            "health_status": "",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account = self.application.candidate
        # Gender, birth date and nationality are the account's where its ID number says them.
        if account.gender and data.get("gender") and data["gender"] != account.gender:
            self.add_error("gender", _("性别须与证件信息一致。"))
        if account.birth_date and data.get("birth_date") and data["birth_date"] != account.birth_date:
            self.add_error("birth_date", _("出生日期须与证件信息一致。"))
        if data.get("birth_date") and data["birth_date"] >= timezone.localdate():
            self.add_error("birth_date", _("出生日期不合理。"))
        if account.nationality and data.get("nationality") and data["nationality"] != account.nationality:
            self.add_error("nationality", _("国籍由证件类型确定，应为“%(value)s”。") % {"value": account.nationality})
        if data.get("nationality") == NATIONALITY_OTHER:
            if not data.get("foreign_nationality", "").strip():
                self.add_error("foreign_nationality", _("国籍为“其他”时，请填写外籍人员国籍。"))
        else:
            data["foreign_nationality"] = ""
        return data


class ContactSection(SectionForm):
    key = "contact"
    title = gettext_lazy("联系方式")
    model_fields = ("address", "postcode", "mobile", "email")

    address = forms.CharField(label=gettext_lazy("地址"), max_length=50, required=False)
    postcode = forms.RegexField(
        label=gettext_lazy("邮编"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("邮编应为6位数字。")},
    )
    mobile = forms.CharField(label=gettext_lazy("手机号码"), max_length=11)
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱"),
        required=False,
        error_messages={"invalid": gettext_lazy("请填写有效的电子邮箱。")},
    )

    def clean_mobile(self) -> str:
        mobile = self.cleaned_data["mobile"]
        # The number is shown masked (138****1234); sent back unchanged, it keeps the number on file.
        current = self.application.mobile or self.application.candidate.mobile
        if current and mobile == mask_mobile(current):
            return current
        if not re.fullmatch(r"1\d{10}", mobile):
            raise ValidationError(_("手机号码应为以1开头的11位数字。"), code="invalid")
        return mobile

    @classmethod
    def defaults(cls, application: Application) -> dict[str, Any]:
        return {"mobile": mask_mobile(application.candidate.mobile), "email": application.candidate.email}

    @classmethod
    def representation(cls, application: Application) -> dict[str, Any] | None:
        shown = super().representation(application)
        if shown is not None:
            shown["mobile"] = mask_mobile(application.mobile)
        return shown


class ExamSection(SectionForm):
    key = "exam"
    title = gettext_lazy("报考信息")
    model_fields = (
        "specialty",
        "subjects",
        "current_qualification",
        "qualification_date",
        "practice_category",
        "first_registration_month",
        "residency_certificate_month",
    )

    category = forms.CharField(label=gettext_lazy("专业类别"), max_length=50, required=False)
    level = forms.CharField(label=gettext_lazy("报考级别"), max_length=20, required=False)
    specialty = forms.CharField(label=gettext_lazy("报考专业"), max_length=10)
    subjects = forms.MultipleChoiceField(
        label=gettext_lazy("报考科目"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("科目“%(value)s”不存在。")},
    )
    current_qualification = FixedChoiceField(
        label=gettext_lazy("现有技术资格"), choices=_blank_choice(choices.QUALIFICATIONS)
    )
    qualification_date = MonthField(label=gettext_lazy("现有技术资格取得年月"), required=False)
    practice_category = FixedChoiceField(
        label=gettext_lazy("执业类别"), choices=_blank_choice(choices.PRACTICE_CATEGORIES)
    )
    first_registration_month = MonthField(label=gettext_lazy("首次注册年月"), required=False)
    residency_certificate_month = MonthField(label=gettext_lazy("住培合格证书发证年月"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].choices = [(subject.code, subject.shown_name) for subject in Subject.objects.all()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        specialty = None
        if data.get("specialty"):
            specialty = self.application.exam.specialties.filter(code=data["specialty"]).first()
            if specialty is None:
                self.add_error("specialty", _("本次考试没有代码为“%(code)s”的专业。") % {"code": data["specialty"]})
        if specialty is not None:
            if data.get("category") and data["category"] != specialty.category:
                self.add_error("category", _("专业类别与所选专业不一致。"))
            if data.get("level") and data["level"] != specialty.level:
                self.add_error("level", _("报考级别与所选专业不一致。"))
        data["specialty"] = specialty
        if data.get("subjects"):
            data["subjects"] = list(Subject.objects.filter(code__in=data["subjects"]))
        practice = data.get("practice_category")
        month_missing = not data.get("first_registration_month") and "first_registration_month" not in self.errors
        if practice and practice != choices.PRACTICE_CATEGORY_NONE and month_missing:
            self.add_error("first_registration_month", _("执业类别不为“无”时，首次注册年月不能为空。"))
        return data

    @classmethod
    def defaults(cls, application: Application) -> dict[str, Any]:
        from registration.selectors.applications import default_subject_codes

        specialty = application.specialty
        return {"subjects": default_subject_codes(application=application, specialty=specialty)}

    @classmethod
    def representation(cls, application: Application) -> dict[str, Any] | None:
        if application.exam_saved_at is None:
            return None
        specialty = application.specialty
        return {
            "specialty": specialty.code if specialty else None,
            "category": specialty.category if specialty else None,
            "level": specialty.level if specialty else None,
            "subjects": sorted(subject.code for subject in application.subjects.all()),
            "current_qualification": application.current_qualification,
            "qualification_date": _month_value(application.qualification_date),
            "practice_category": application.practice_category,
            "first_registration_month": _month_value(application.first_registration_month),
            "residency_certificate_month": _month_value(application.residency_certificate_month),
        }

    @classmethod
    def labels(cls, application: Application) -> dict[str, Any] | None:
        named = super().labels(application)
        if named is None:
            return None
        specialty = application.specialty
        if specialty is not None:
            # The seeds print a specialty with its code (报考专业及代码: 303 内科学).
            named.update(
                specialty=f"{specialty.code} {specialty.shown_name}",
                category=specialty.shown_category,
                level=specialty.shown_level,
            )
        named["subjects"] = [subject.shown_name for subject in application.subjects.all()]
        return named


class EducationSection(SectionForm):
    key = "education"
    title = gettext_lazy("教育情况")
    model_fields = ("degree_record", "highest_education", "schooling_years", "work_experience")

    degree_record = forms.IntegerField(label=gettext_lazy("报考学历"))
    highest_education = FixedChoiceField(
        label=gettext_lazy("最高学历"), choices=_blank_choice(choices.HIGHEST_EDUCATIONS)
    )
    schooling_years = FixedChoiceField(label=gettext_lazy("学制"), choices=_blank_choice(choices.SCHOOLING_YEARS))
    work_experience = forms.CharField(
        label=gettext_lazy("专业工作经历"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 200}),
        help_text=gettext_lazy("包含工作时间、所在科室，200个字以内"),
    )

    def clean_degree_record(self) -> DegreeRecord:
        record = DegreeRecord.objects.filter(
            pk=self.cleaned_data["degree_record"], candidate=self.application.candidate
        ).first()
        if record is None:
            raise ValidationError(_("请从您的学历学位信息中选择。"), code="invalid_choice")
        return record

    @classmethod
    def representation(cls, application: Application) -> dict[str, Any] | None:
        if application.education_saved_at is None:
            return None
        record = application.degree_record
        cited = None
        if record is not None:
            cited = {
                "education": record.education,
                "certificate_number": record.certificate_number,
                "school": record.school,
                "graduation_date": record.graduation_date.isoformat(),
                "training_mode": record.training_mode,
                "major": record.major,
                "degree": record.degree,
                "degree_certificate_number": record.degree_certificate_number,
            }
        return {
            "degree_record": record.pk if record else None,
            "degree": cited,
            "highest_education": application.highest_education,
            "schooling_years": application.schooling_years,
            "work_experience": application.work_experience,
        }

    @classmethod
    def labels(cls, application: Application) -> dict[str, Any] | None:
        named = super().labels(application)
        record = application.degree_record
        if named is not None and record is not None:
            when = record.graduation_date.strftime("%Y-%m")
            educations = _choice_names(choices.Education, translation.get_language())
            education = educations.get(record.education, record.education)
            named["degree_record"] = f"{education} · {record.school} · {record.major} · {when}"
        return named


class WorkSection(SectionForm):
    key = "work"
    title = gettext_lazy("工作情况")
    model_fields = (
        "unit",
        "other_unit_name",
        "unit_affiliation",
        "unit_nature",
        "unit_category",
        "years_in_specialty",
    )

    unit = forms.IntegerField(label=gettext_lazy("单位名称"), required=False)
    other_unit_name = forms.CharField(label=gettext_lazy("其它单位"), max_length=200, required=False)
    unit_affiliation = FixedChoiceField(
        label=gettext_lazy("单位所属"), choices=_blank_choice(choices.UNIT_AFFILIATIONS)
    )
    unit_nature = FixedChoiceField(label=gettext_lazy("单位性质"), choices=_blank_choice(choices.UNIT_NATURES))
    unit_category = FixedChoiceField(
        label=gettext_lazy("单位类别"), choices=_blank_choice(choices.UNIT_CATEGORIES), required=False
    )
    years_in_specialty = forms.IntegerField(
        label=gettext_lazy("从事本专业年限"),
        min_value=0,
        max_value=60,
        error_messages={
            "invalid": gettext_lazy("请填写整数年数。"),
            "min_value": gettext_lazy("年限不能为负数。"),
            "max_value": gettext_lazy("年限不能超过60年。"),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = None
        if data.get("unit") is not None:
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                self.add_error("unit", _("单位不在单位库中，请重新检索或选择“其它”。"))
            data["other_unit_name"] = ""
        elif "unit" not in self.errors:
            if not data.get("other_unit_name", "").strip():
                self.add_error("other_unit_name", _("单位选择“其它”时，请填写单位名称。"))
            if not data.get("unit_category"):
                self.add_error("unit_category", _("单位选择“其它”时，请选择单位类别。"))
        data["unit"] = unit
        return data

    @classmethod
    def representation(cls, application: Application) -> dict[str, Any] | None:
        if application.work_saved_at is None:
            return None
        return {
            "unit": application.unit_id,
            "unit_name": application.unit.name if application.unit else None,
            "other_unit_name": application.other_unit_name,
            "unit_affiliation": application.unit_affiliation,
            "unit_nature": application.unit_nature,
            "unit_category": application.unit_category,
            "years_in_specialty": application.years_in_specialty,
        }

    @classmethod
    def labels(cls, application: Application) -> dict[str, Any] | None:
        named = super().labels(application)
        if named is not None:
            named["unit"] = application.unit.name if application.unit else str(_("其它"))
        return named


SECTIONS: dict[str, type[SectionForm]] = {
    form.key: form for form in (SiteSection, BasicSection, ContactSection, ExamSection, EducationSection, WorkSection)
}


def input_field_names(section: str) -> set[str]:
    """The fields a body for ``section`` may carry; anything else is refused."""
    return set(SECTIONS[section].base_fields)


def cleared_values() -> dict[str, Any]:
    """Every section field back to empty, as 修改考区 leaves them (subjects are cleared apart)."""
    values: dict[str, Any] = {f"{key}_saved_at": None for key in SECTION_KEYS}
    for form in SECTIONS.values():
        for name in form.model_fields:
            if name == "subjects":
                continue
            field = Application._meta.get_field(name)
            values[name] = None if getattr(field, "null", False) else ""
    return values
