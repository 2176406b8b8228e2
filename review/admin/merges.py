"""成绩合并 in the admin: site staff link last year's record by 网报号 + 档案号/准考证号; administrators
revoke with a reason (an action). Both call ``review.services.merges``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration.models import ScoreMerge, User
from review.scope import Duty, applications_in_scope, is_administrator, is_staff_member, may
from review.services.merges import score_merge_create, score_merge_revoke
from wecan.errors import PortalError


class ScoreMergeAddForm(forms.Form):
    application_number = forms.CharField(label=gettext_lazy("网报号"), max_length=20)
    number = forms.CharField(label=gettext_lazy("档案号或上一年度准考证号"), max_length=30)


class RevokeActionForm(helpers.ActionForm):
    reason = forms.CharField(label=gettext_lazy("撤销原因"), max_length=500, required=False)


@admin.register(ScoreMerge)
class ScoreMergeAdmin(admin.ModelAdmin):
    list_display = ["application", "exam_year", "found_by", "number", "merged_by", "merged_at", "revoked_at"]
    list_filter = ["exam_year", "found_by"]
    search_fields = ["application__number", "number"]
    # The ID number's digest serves lookups; nobody reads it.
    exclude = ["id_number_digest"]
    readonly_fields = [field.name for field in ScoreMerge._meta.fields if field.name not in {"id", "id_number_digest"}]
    action_form = RevokeActionForm
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScoreMerge]:
        scope = applications_in_scope(request.user)
        merges = super().get_queryset(request).filter(application__in=scope)
        return merges.select_related("application__exam", "merged_by")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Duty.MERGE_SCORES)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if is_administrator(request.user) else {}

    @admin.action(description=gettext_lazy("撤销成绩合并（须填写撤销原因）"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ScoreMerge]) -> None:
        reason = request.POST.get("reason", "")
        for merge in queryset.order_by("pk"):
            try:
                score_merge_revoke(merge_id=merge.pk, actor=request.user, reason=reason)  # type: ignore[arg-type]
            except PortalError as error:
                details = [text for texts in error.fields.values() for text in texts]
                messages.error(request, f"{merge.number}：{' '.join(details) or error.message}")
            else:
                messages.success(request, _("已撤销成绩合并：%(number)s") % {"number": merge.number})

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = ScoreMergeAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            actor: User = request.user  # type: ignore[assignment]
            application_id = (
                applications_in_scope(actor)
                .filter(number=form.cleaned_data["application_number"].strip())
                .order_by("-exam__year")
                .values_list("pk", flat=True)
                .first()
            )
            if application_id is None:
                form.add_error("application_number", _("您的范围内没有此网报号的报名信息。"))
            else:
                try:
                    merge = score_merge_create(
                        application_id=application_id, actor=actor, number=form.cleaned_data["number"]
                    )
                except PortalError as error:
                    for texts in error.fields.values():
                        for text in texts:
                            form.add_error("number", text)
                    if not error.fields:
                        form.add_error(None, str(error.message))
                else:
                    messages.success(
                        request,
                        _("已合并%(year)d年度成绩（%(number)s）。") % {"year": merge.exam_year, "number": merge.number},
                    )
                    return redirect("admin:registration_scoremerge_changelist")
        return TemplateResponse(
            request,
            "review/admin/score_merge_add.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("成绩合并"), "form": form},
        )
