"""Factories of the exam catalogue. ``ExamFactory`` builds an exam whose every window is open now."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from registration.models import (
    City,
    District,
    DistrictFee,
    Exam,
    MaterialSlot,
    RegistrationPoint,
    Site,
    Specialty,
    Unit,
)


def _from_now(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


class ExamFactory(factory.django.DjangoModelFactory):
    """An exam with registration, confirmation, payment and ticket windows all open now, exam ahead.

    Pass any window to move it, e.g. ``ExamFactory(registration_closes=timezone.now())``.
    """

    class Meta:
        model = Exam

    year = factory.Sequence(lambda n: timezone.localdate().year + n)
    name = factory.LazyAttribute(lambda exam: f"{exam.year}年度卫生专业技术资格考试")
    registration_opens = factory.LazyFunction(lambda: _from_now(-7))
    registration_closes = factory.LazyFunction(lambda: _from_now(10))
    confirmation_deadline = factory.LazyFunction(lambda: _from_now(14))
    payment_opens = factory.LazyFunction(lambda: _from_now(-7))
    payment_closes = factory.LazyFunction(lambda: _from_now(21))
    ticket_opens = factory.LazyFunction(lambda: _from_now(-7))
    ticket_closes = factory.LazyFunction(lambda: _from_now(28))
    exam_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=28))
    work_years_cutoff = factory.LazyAttribute(lambda exam: datetime.date(exam.year - 1, 12, 31))


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    exam = factory.SubFactory(ExamFactory)
    code = factory.Sequence(lambda n: f"D{n:02d}")
    name = factory.Sequence(lambda n: f"考区{n}")
    online_confirmation = True
    online_payment = True
    history_auto_confirm = False


class DistrictFeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistrictFee

    district = factory.SubFactory(DistrictFactory)
    level = "中级"
    fee_per_subject = Decimal("95.00")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"地市{n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    city = factory.SubFactory(CityFactory)
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"考点{n}")


class RegistrationPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationPoint

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"报名点{n}")


class SpecialtyFactory(factory.django.DjangoModelFactory):
    """A 中级 clinical specialty; codes start at 900 so they never meet the reference data's."""

    class Meta:
        model = Specialty

    code = factory.Sequence(lambda n: str(900 + n))
    name = factory.Sequence(lambda n: f"测试专业{n}")
    category = "临床医学类"
    level = "中级"


class MaterialSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialSlot

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"M{n}")
    title = factory.Sequence(lambda n: f"证明材料{n}")
    max_files = 2
    who = ""
    position = factory.Sequence(lambda n: n)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"第{n}人民医院")
    province = "上海"
    city = "徐汇区"
