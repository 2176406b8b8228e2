"""Reads of the exam catalogue, for the public catalogue API and the pages."""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import District, Exam, Specialty, Unit
from wecan.errors import NotFound


def exam_list_open(*, now: datetime.datetime | None = None) -> QuerySet[Exam]:
    """Exams whose registration has opened and whose ticket window has not closed, newest first."""
    now = now or timezone.now()
    return Exam.objects.filter(registration_opens__lte=now, ticket_closes__gt=now).order_by("-year")


def exam_get(*, exam_id: int) -> Exam:
    """The exam ``exam_id``; ``NotFound`` when there is none."""
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        raise NotFound(_("考试不存在。"))
    return exam


def district_tree_list(*, exam: Exam) -> QuerySet[District]:
    """The exam's districts with their cities, sites and registration points prefetched (four queries)."""
    return exam.districts.order_by("code").prefetch_related("cities__sites__registration_points")


def specialty_list(*, exam: Exam, category: str = "", level: str = "") -> QuerySet[Specialty]:
    """The specialties the exam offers, by code; ``category`` and ``level`` narrow them when given."""
    specialties = exam.specialties.order_by("code")
    if category:
        specialties = specialties.filter(category=category)
    if level:
        specialties = specialties.filter(level=level)
    return specialties


def unit_search(*, q: str, province: str = "", city: str = "") -> QuerySet[Unit]:
    """Units whose name contains ``q`` (any case), optionally in one province and city.

    Names that start with ``q`` come first, then the rest, each by name.
    """
    condition = Q(name__icontains=q)
    if province:
        condition &= Q(province=province)
    if city:
        condition &= Q(city=city)
    prefix_first = Case(When(name__istartswith=q, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Unit.objects.filter(condition).order_by(prefix_first, "name", "pk")
