"""Admin of the exam arrangement: the timetable and specialty days, venues with their rooms (the
administrator edits them; district and site reviewers see those of their scope), the seats given,
the seat moves and the allocation jobs with their reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certificates.access import (
    districts_to_allocate,
    is_administrator,
    is_arrangement_staff,
    may_allocate,
    sites_in_scope,
)
from certificates.models import ArrangementJob, ExamSession, Room, Seat, SeatChange, SpecialtyExamDay, Venue
from certificates.selectors.arrangement import jobs_of
from certificates.services.arrangement import arrangement_start


class AdministratorEditsMixin:
    """The administrator maintains the data; arrangement staff may look at it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_arrangement_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_arrangement_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)


class ReadOnlyMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_arrangement_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_arrangement_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExamSession)
class ExamSessionAdmin(AdministratorEditsMixin, admin.ModelAdmin):
    """The timetable: each subject's start and end; two subjects of an exam may not overlap."""

    list_display = ["exam", "subject", "starts", "ends"]
    list_filter = ["exam"]
    list_select_related = ["exam", "subject"]
    ordering = ["exam", "starts"]


@admin.register(SpecialtyExamDay)
class SpecialtyExamDayAdmin(AdministratorEditsMixin, admin.ModelAdmin):
    """Specialties that sit on another day than the exam's date."""

    list_display = ["exam", "specialty", "date"]
    list_filter = ["exam", "date"]
    list_select_related = ["exam", "specialty"]
    autocomplete_fields = ["specialty"]


class RoomInline(admin.TabularInline):
    model = Room
    fields = ["position", "name", "seats"]
    extra = 1

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_arrangement_staff(request.user)


@admin.register(Venue)
class VenueAdmin(AdministratorEditsMixin, admin.ModelAdmin):
    """A site's venues, filled in ``position`` order, each with its rooms and their seats."""

    list_display = ["name", "site", "address", "position"]
    list_select_related = ["site"]
    search_fields = ["name", "address", "site__name"]
    inlines = [RoomInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Venue]:
        return super().get_queryset(request).filter(site__in=sites_in_scope(request.user))


@admin.register(Seat)
class SeatAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "room", "number", "date", "job", "assigned_at"]
    list_filter = ["date"]
    list_select_related = ["application__exam", "room__venue"]
    search_fields = ["application__number"]
    search_help_text = _("输入网报号")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seat]:
        return super().get_queryset(request).filter(room__venue__site__in=sites_in_scope(request.user))


@admin.register(SeatChange)
class SeatChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "application", "actor", "from_room", "from_number", "to_room", "to_number", "reason"]
    list_select_related = ["application__exam", "actor", "from_room__venue", "to_room__venue"]
    search_fields = ["application__number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SeatChange]:
        return super().get_queryset(request).filter(application__site__in=sites_in_scope(request.user))


class ArrangementStartForm(forms.ModelForm):
    """Starts an allocation: the exam, and a district (an administrator may leave it empty: all)."""

    class Meta:
        model = ArrangementJob
        fields = ["exam", "district"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        exam, district = data.get("exam"), data.get("district")
        if exam is not None and district is not None and district.exam_id != exam.pk:
            self.add_error("district", _("该考区不属于所选考试。"))
        return data


@admin.register(ArrangementJob)
class ArrangementJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Progress and report of the allocations: each staff member follows the ones they started, and
    administrators and district reviewers start one here (``arrangement_start``, run by a worker)."""

    list_display = ["__str__", "district", "status", "total", "seated", "unseated", "created_by", "created_at"]
    list_filter = ["status"]
    form = ArrangementStartForm
    fields = [
        "exam",
        "district",
        "status",
        "created_by",
        "total",
        "processed",
        "seated",
        "unseated",
        "report",
        "message",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArrangementJob]:
        return jobs_of(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may_allocate(request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["exam", "district"] if obj is None else self.fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "district":
            kwargs["queryset"] = districts_to_allocate(request.user).select_related("exam")
            kwargs["required"] = not is_administrator(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ArrangementJob, form: Any, change: bool) -> None:
        district = obj.district.code if obj.district is not None else None
        job = arrangement_start(actor=request.user, exam_id=obj.exam_id, district_code=district)  # type: ignore[arg-type]
        obj.pk = job.pk
