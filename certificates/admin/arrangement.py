"""Admin of the exam arrangement: the timetable and specialty days, venues with their rooms (the
administrator edits them; district and site reviewers see those of their scope), the seats given,
the seat moves and the allocation jobs with their reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certificates.access import (
    districts_to_allocate,
    is_administrator,
    is_arrangement_staff,
    may_allocate,
    sites_in_scope,
)
from certificates.models import ArrangementJob, ExamSession, Room, Seat, SeatChange, SpecialtyExamDay, Venue
from certificates.selectors.arrangement import free_seats, jobs_of
from certificates.services.arrangement import arrangement_start, seat_move
from wecan.errors import NotFound, PortalError


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


def seat_runs(numbers: list[int]) -> str:
    """Ascending seat numbers as runs, as a person reads them: ``1–3、7、9–12``."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return "、".join(f"{run[0]}" if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


class SeatMoveForm(forms.Form):
    """A new seat for one candidate: a room of their site with a seat free on their exam day."""

    room = forms.TypedChoiceField(label=_("新考场"), coerce=int)
    seat = forms.IntegerField(label=_("新座位号"), min_value=1, max_value=32767)
    reason = forms.CharField(label=_("调整原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args: Any, free: list[tuple[Room, list[int]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.free = {room.pk: set(numbers) for room, numbers in free}
        self.fields["room"].choices = [  # type: ignore[attr-defined]
            (room.pk, gettext("%(room)s（空座：%(seats)s）") % {"room": room, "seats": seat_runs(numbers)})
            for room, numbers in free
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        room, seat = data.get("room"), data.get("seat")
        if room is not None and seat is not None and seat not in self.free.get(room, set()):
            self.add_error("seat", gettext("第 %(seat)d 座不是所选考场当天的空座。") % {"seat": seat})
        return data


@admin.register(Seat)
class SeatAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The seats given; administrators and district reviewers move one candidate here (``seat_move``,
    audited as a ``SeatChange``)."""

    list_display = ["application", "room", "number", "date", "job", "assigned_at", "move_link"]
    list_filter = ["date"]
    list_select_related = ["application__exam", "room__venue"]
    search_fields = ["application__number"]
    search_help_text = _("输入网报号")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seat]:
        return super().get_queryset(request).filter(room__venue__site__in=sites_in_scope(request.user))

    def get_list_display(self, request: HttpRequest) -> Any:
        return self.list_display if may_allocate(request.user) else self.list_display[:-1]

    @admin.display(description=_("调整"))
    def move_link(self, seat: Seat) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:certificates_seat_move", args=[seat.pk]), gettext("调整座位")
        )

    def get_urls(self) -> list[URLPattern]:
        move = path("<int:seat_id>/move/", self.admin_site.admin_view(self.move_view), name="certificates_seat_move")
        return [move, *super().get_urls()]

    def move_view(self, request: HttpRequest, seat_id: int) -> HttpResponse:
        """The move form: out of scope is 404, a role that does not seat candidates 403."""
        if not may_allocate(request.user):
            raise PermissionDenied
        seat = (
            self.get_queryset(request)
            .select_related("application__candidate", "application__site", "room__venue")
            .filter(pk=seat_id, application__district__in=districts_to_allocate(request.user))
            .first()
        )
        if seat is None:
            raise Http404
        application = seat.application
        form = SeatMoveForm(
            request.POST if request.method == "POST" else None,
            free=free_seats(site_id=application.site_id, date=seat.date),  # type: ignore[arg-type]
        )
        if form.is_valid():
            try:
                moved = seat_move(
                    actor=request.user,  # type: ignore[arg-type]
                    application_id=application.pk,
                    room_id=form.cleaned_data["room"],
                    number=form.cleaned_data["seat"],
                    reason=form.cleaned_data["reason"],
                )
            except NotFound:
                raise Http404 from None
            except PortalError as error:
                for field, texts in error.fields.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
                if not error.fields:
                    form.add_error(None, str(error.message))
            else:
                self.message_user(
                    request,
                    gettext("已将考生 %(number)s 调整到 %(room)s 第 %(seat)02d 座。")
                    % {"number": application.number, "room": moved.room, "seat": moved.number},
                    messages.SUCCESS,
                )
                return redirect("admin:certificates_seat_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("调整座位"),
            "seat": seat,
            "form": form,
        }
        return TemplateResponse(request, "admin/certificates/seat/move.html", context)


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
