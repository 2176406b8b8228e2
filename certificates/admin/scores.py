"""Admin of scores: upload a score file (imported by a worker), read the import report, look scores up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from certificates.admin.access import AdministratorOnlyMixin, is_administrator
from certificates.models import Score, ScoreImport
from certificates.rules import SubjectResult, subject_passed
from certificates.score_files import COLUMNS
from certificates.services.scores import score_import_create
from registration.pii import typed_id_number_digest
from wecan.errors import PortalError


class ScoreUploadForm(forms.Form):
    file = forms.FileField(label=_("成绩文件（CSV）"))


@admin.register(ScoreImport)
class ScoreImportAdmin(AdministratorOnlyMixin, admin.ModelAdmin):
    list_display = [
        "import_number",
        "original_name",
        "status",
        "lines",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
        "certificates_issued",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]

    @admin.display(description=_("序号"), ordering="pk")
    def import_number(self, score_import: ScoreImport) -> int:
        return score_import.pk

    readonly_fields = [
        "original_name",
        "sha256",
        "uploaded_by",
        "status",
        "created_at",
        "finished_at",
        "lines",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
        "certificates_issued",
        "passed_without_account",
        "history_records_written",
        "message",
        "rejected_lines",
    ]
    exclude = ["file", "errors"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_administrator(request.user)

    @admin.display(description=_("被拒绝的行"))
    def rejected_lines(self, score_import: ScoreImport) -> str:
        if not score_import.errors:
            return "—"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td></tr>", ((error["line"], error["reason"]) for error in score_import.errors)
        )
        return format_html(
            '<table class="score-import-errors"><thead><tr><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("行号"),
            _("原因"),
            rows,
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ScoreUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                record = score_import_create(file=form.cleaned_data["file"], uploaded_by=request.user)  # type: ignore[arg-type]
            except PortalError as error:
                form.add_error("file", str(error.message))
            else:
                messages.success(request, _("文件已上传，正在后台导入；导入结果见本页。"))
                return redirect(reverse("admin:certificates_scoreimport_change", args=[record.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("上传成绩文件"),
            "form": form,
            "columns": COLUMNS,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/certificates/scoreimport/upload.html", context)


@admin.register(Score)
class ScoreAdmin(AdministratorOnlyMixin, admin.ModelAdmin):
    list_display = ["exam", "specialty", "subject", "score", "absent", "disqualified", "passed", "source"]
    list_filter = ["exam", "subject", "absent", "disqualified"]
    list_select_related = ["exam", "specialty", "subject", "source"]
    search_fields = ["specialty__code"]
    search_help_text = _("输入完整的证件号码或专业代码")
    readonly_fields = ["exam", "specialty", "subject", "score", "absent", "disqualified", "source", "updated_at"]
    exclude = ["id_number_digest"]

    @admin.display(description=_("合格"), boolean=True)
    def passed(self, score: Score) -> bool:
        return subject_passed(
            SubjectResult(
                year=score.exam.year,
                subject=score.subject.code,
                score=score.score,
                pass_score=score.exam.pass_score,
                absent=score.absent,
                disqualified=score.disqualified,
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Score], search_term: str
    ) -> tuple[QuerySet[Score], bool]:
        # ID numbers are stored only as their keyed digest: a whole number typed in is looked up by it.
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(id_number_digest=typed_id_number_digest(search_term))
        return results, distinct
