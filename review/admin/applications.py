"""The back office for applications: a scoped, read-only list and detail page with staff decisions.

Staff never edit the candidate's content: every field is shown read-only, and decisions go through
the review services (buttons on the detail page, actions on the list). Rows come only from
``review.scope.applications_in_scope``; an application outside the scope is a 404 here too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from registration.models import Application, Specialty
from registration.pii import typed_id_number_digest
from registration.selectors.applications import status_nodes
from registration.selectors.history import application_history
from review.admin import decisions, pages
from review.admin.desk import desk_context
from review.admin.files import application_files_html
from review.admin.search import TokenSearchChangeList, search_redirect
from review.models import EligibilityDeclaration, ExportFormat
from review.reasons import rejection_summary
from review.scope import Duty, application_in_scope, may
from review.selectors import application_eligibility, export_jobs_recent, staff_applications

_OUTCOME_LABELS = {"pass": _("通过"), "warn": _("请核对"), "fail": _("不符合")}


class LevelFilter(admin.SimpleListFilter):
    title = _("报考级别")
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        levels = Specialty.objects.filter(applications__in=model_admin.get_queryset(request)).values_list(
            "level", flat=True
        )
        return [(level, level) for level in sorted(set(levels))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        return queryset.filter(specialty__level=self.value()) if self.value() else queryset


class ResubmittedFilter(admin.SimpleListFilter):
    title = _("重新提交")
    parameter_name = "resubmitted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("是（确认不通过后再次提交）")), ("no", _("否"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        if self.value() == "yes":
            return queryset.filter(resubmission_count__gt=0)
        if self.value() == "no":
            return queryset.filter(resubmission_count=0)
        return queryset


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "candidate_name",
        "id_number_masked",
        "specialty",
        "level",
        "status",
        "registration_point",
        "submitted_at",
        "resubmitted",
    ]
    list_display_links = ["number", "candidate_name"]
    list_filter = [
        "status",
        ("specialty", admin.RelatedOnlyFieldListFilter),
        LevelFilter,
        ("registration_point", admin.RelatedOnlyFieldListFilter),
        ("submitted_at", admin.DateFieldListFilter),
        ResubmittedFilter,
    ]
    search_fields = ["number", "candidate__name"]
    search_help_text = _("按网报号、姓名或完整的证件号码查找。")
    list_per_page = 50
    ordering = ["submitted_at", "id"]
    change_form_template = "review/admin/application_change_form.html"
    change_list_template = "review/admin/application_change_list.html"
    actions = [
        decisions.bulk_confirm,
        decisions.reject_selected,
        decisions.approve_site_selected,
        decisions.reject_site_selected,
        decisions.approve_district_selected,
        decisions.reject_district_selected,
    ]
    fieldsets = [
        (
            _("报名"),
            {
                "fields": [
                    "number",
                    "exam",
                    "district",
                    "status",
                    "nodes",
                    "verification_code",
                    "submitted_at",
                    "resubmission_count",
                    "reasons",
                ]
            },
        ),
        (_("考生"), {"fields": ["candidate_name", "id_type", "id_number_masked"]}),
        (_("考点信息"), {"fields": ["city", "site", "registration_point"]}),
        (
            _("基本信息"),
            {
                "fields": [
                    "id_valid_until",
                    "gender",
                    "birth_date",
                    "ethnicity",
                    "health_status",
                    "nationality",
                    "foreign_nationality",
                ]
            },
        ),
        (_("联系方式"), {"fields": ["address", "postcode", "mobile", "email"]}),
        (
            _("报考信息"),
            {
                "fields": [
                    "specialty",
                    "level",
                    "subject_names",
                    "current_qualification",
                    "qualification_date",
                    "practice_category",
                    "first_registration_month",
                    "residency_certificate_month",
                ]
            },
        ),
        (_("教育情况"), {"fields": ["degree", "highest_education", "schooling_years", "work_experience"]}),
        (
            _("工作情况"),
            {"fields": ["unit_name", "unit_affiliation", "unit_nature", "unit_category", "years_in_specialty"]},
        ),
        (_("照片与证明材料"), {"fields": ["files"]}),
        (_("资格预审（仅供参考）"), {"fields": ["eligibility", "declaration"]}),
        (_("操作记录"), {"fields": ["history"]}),
    ]
    readonly_fields = [
        "candidate_name",
        "id_type",
        "id_number_masked",
        "nodes",
        "reasons",
        "level",
        "subject_names",
        "degree",
        "unit_name",
        "files",
        "eligibility",
        "declaration",
        "history",
    ]

    # --- Scope and permissions -----------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return staff_applications(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Duty.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may(request.user, Duty.VIEW):
            return False
        return obj is None or application_in_scope(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The candidate's content is read-only to staff; decisions have their own views.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_confirm_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Duty.CONFIRM)

    def has_review_site_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Duty.REVIEW_SITE)

    def has_review_district_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Duty.REVIEW_DISTRICT)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        application = self.get_object(request, object_id)
        if application is None:
            # Out of scope is "not found", as in the API (Django would redirect with a message).
            raise Http404
        context = {
            **(extra_context or {}),
            **decisions.buttons_context(request, application),
            **desk_context(request, application),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TokenSearchChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST" and "_search" in request.POST and self.has_view_permission(request):
            return search_redirect(request)
        context = {
            **(extra_context or {}),
            "can_confirm": may(request.user, Duty.CONFIRM),
            "export_direct_limit": pages.EXPORT_DIRECT_LIMIT,
            "export_formats": ExportFormat.choices,
            "export_jobs": export_jobs_recent(user=request.user),
        }
        return super().changelist_view(request, extra_context=context)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Application], search_term: str
    ) -> tuple[QuerySet[Application], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            # ID numbers are kept only as a keyed hash: a whole number (any spelling) finds its candidate.
            digest = typed_id_number_digest(search_term)
            results |= queryset.filter(candidate__id_number_digest=digest)
        return results, may_have_duplicates

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        name = "registration_application"
        return [
            path("dashboard/", wrap(pages.dashboard_view(self)), name=f"{name}_dashboard"),
            path("confirm-by-code/", wrap(pages.confirm_by_code_view(self)), name=f"{name}_confirm_by_code"),
            path("export/<str:file_format>/", wrap(pages.export_view(self)), name=f"{name}_export"),
            path("<int:application_id>/decide/<str:kind>/", wrap(decisions.decide_view(self)), name=f"{name}_decide"),
            path(
                "<int:application_id>/declaration/",
                wrap(decisions.declaration_view(self)),
                name=f"{name}_declaration",
            ),
            path("<int:application_id>/photo/", wrap(pages.photo_view(self)), name=f"{name}_photo"),
            path(
                "<int:application_id>/materials/<int:file_id>/",
                wrap(pages.material_view(self)),
                name=f"{name}_material",
            ),
            *super().get_urls(),
        ]

    # --- What the list and the page show ---------------------------------------------------------

    @admin.display(description=_("姓名"), ordering="candidate__name")
    def candidate_name(self, application: Application) -> str:
        return application.candidate.name

    @admin.display(description=_("证件类型"))
    def id_type(self, application: Application) -> str:
        return str(application.candidate.get_id_type_display())

    @admin.display(description=_("证件号码"))
    def id_number_masked(self, application: Application) -> str:
        return application.candidate.id_number_masked

    @admin.display(description=_("报考级别"), ordering="specialty__level")
    def level(self, application: Application) -> str:
        return application.specialty.level if application.specialty else "—"

    # Words, not Django's boolean icons: their alternative text is English ("True", "False").
    @admin.display(description=_("重新提交"), ordering="resubmission_count")
    def resubmitted(self, application: Application) -> str:
        return str(_("是")) if application.resubmission_count > 0 else str(_("否"))

    @admin.display(description=_("报考科目"))
    def subject_names(self, application: Application) -> str:
        return "、".join(subject.name for subject in application.subjects.order_by("code")) or "—"

    @admin.display(description=_("报考学历"))
    def degree(self, application: Application) -> str:
        record = application.degree_record
        if record is None:
            return "—"
        return (
            f"{record.education} · {record.school} · {record.major} · {date_format(record.graduation_date)} · "
            f"{record.training_mode} · {record.degree} · {record.certificate_number}"
        )

    @admin.display(description=_("单位名称"))
    def unit_name(self, application: Application) -> str:
        return application.unit.name if application.unit else (application.other_unit_name or "—")

    @admin.display(description=_("报考流程"))
    def nodes(self, application: Application) -> SafeString:
        return format_html(
            '<ol class="review-nodes">{}</ol>',
            format_html_join(
                "",
                '<li class="review-node review-node--{}" data-node="{}">{}</li>',
                ((node.state, node.key, node.label) for node in status_nodes(application)),
            ),
        )

    @admin.display(description=_("不通过原因"))
    def reasons(self, application: Application) -> str:
        return rejection_summary(application.rejection_reasons) or "—"

    @admin.display(description=_("照片与材料"))
    def files(self, application: Application) -> SafeString:
        return application_files_html(application)

    @admin.display(description=_("资格预审"))
    def eligibility(self, application: Application) -> SafeString:
        result = application_eligibility(application)
        checks = format_html_join(
            "",
            '<li class="review-check review-check--{}"><strong>{}</strong> {}</li>',
            ((check.outcome.value, _OUTCOME_LABELS[check.outcome.value], check.message) for check in result.checks),
        )
        return format_html(
            '<div class="review-eligibility review-eligibility--{}" data-outcome="{}">'
            '<p class="review-eligibility__outcome">{}：{}</p><ul>{}</ul>'
            '<p class="help">{}</p></div>',
            result.outcome.value,
            result.outcome.value,
            _("预审结论"),
            _OUTCOME_LABELS[result.outcome.value],
            checks,
            _("预审只作参考，由审核人员结合证明材料作出决定。"),
        )

    @admin.display(description=_("报考条件申报"))
    def declaration(self, application: Application) -> SafeString:
        declaration = EligibilityDeclaration.objects.filter(application=application).first()
        policies = ", ".join(policy.name for policy in declaration.policies.all()) if declaration else ""
        changed = date_format(declaration.post_changed_on) if declaration and declaration.post_changed_on else ""
        return format_html(
            '{}：{}<br>{}：{}<br><a href="{}">{}</a>',
            _("提前申报政策"),
            policies or "—",
            _("转入现岗位日期"),
            changed or "—",
            reverse("admin:registration_application_declaration", args=[application.pk]),
            _("修改申报"),
        )

    @admin.display(description=_("操作记录"))
    def history(self, application: Application) -> SafeString:
        entries = application_history(application=application)
        if not entries:
            return format_html("{}", "—")
        return format_html(
            '<ol class="review-history">{}</ol>',
            format_html_join(
                "",
                '<li><time datetime="{}">{}</time> {}</li>',
                (
                    (entry.at.isoformat(), date_format(localtime(entry.at), "DATETIME_FORMAT"), entry.text)
                    for entry in entries
                ),
            ),
        )
