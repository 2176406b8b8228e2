"""Admin of what review keeps besides applications: background jobs, early-application policies, to-dos."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext, gettext_lazy

from review.admin.pages import export_download_view
from review.models import EarlyApplicationPolicy, Job, Reminder, ReminderDelivery
from review.scope import is_administrator, is_staff_member
from review.selectors import jobs_visible_to


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Progress of a background job; its page refreshes itself until the job is finished."""

    list_display = ["__str__", "status", "created_by", "total", "processed", "succeeded", "failed", "created_at"]
    list_filter = ["kind", "status"]
    fields = [
        "kind",
        "status",
        "created_by",
        "total",
        "processed",
        "succeeded",
        "skipped",
        "failed",
        "errors",
        "file_format",
        "created_at",
        "started_at",
        "finished_at",
    ]
    change_form_template = "review/admin/job_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return jobs_visible_to(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context={**(extra_context or {}), "job": job})

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/download/", wrap(export_download_view), name="review_job_download"),
            path("<int:job_id>/progress/", wrap(self.progress_view), name="review_job_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        """The job's progress for the page that shows it (static/job-progress.js asks every two seconds)."""
        job = jobs_visible_to(request.user).filter(pk=job_id).first()
        if job is None:
            raise Http404
        download = reverse("admin:review_job_download", args=[job.pk]) if job.downloadable else ""
        return JsonResponse(
            {
                "status": job.status,
                "status_label": str(job.get_status_display()),
                "processed": job.processed,
                "total": job.total,
                "percent": job.percent,
                "finished": job.finished,
                "download_url": download if job.created_by_id == request.user.pk else "",
            }
        )


@admin.register(EarlyApplicationPolicy)
class EarlyApplicationPolicyAdmin(admin.ModelAdmin):
    """Administrators maintain the policies; other staff read them."""

    list_display = ["name", "years_early", "specialties", "once_only"]

    @admin.display(description=gettext_lazy("适用专业代码"))
    def specialties(self, policy: EarlyApplicationPolicy) -> str:
        return "、".join(policy.specialty_codes) or gettext("全部专业")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)


class ReminderDeliveryInline(admin.TabularInline):
    model = ReminderDelivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "detail", "sent_at")
    readonly_fields = ("channel", "status", "attempts", "detail", "sent_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """What the candidates were told, and through which channels (administrators only)."""

    list_display = ["title", "kind", "candidate", "application", "created_at", "closed_at"]
    list_filter = ["kind"]
    list_select_related = ["candidate", "application__exam"]
    search_fields = ["application__number", "candidate__username"]
    inlines = [ReminderDeliveryInline]
    fields = ["candidate", "application", "kind", "title", "body", "created_at", "closed_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)
