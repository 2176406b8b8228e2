"""Staff decisions in the admin: per application (buttons on the detail page) and on a selection
(list actions, with an intermediate page for reasons and a note). Everything calls the review services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin, helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration.models import Application, User
from registration.windows import Window, is_open
from registration.workflow import Action, allowed
from review.models import EarlyApplicationPolicy, EligibilityDeclaration
from review.reasons import NOTE_MAX_LENGTH, RejectionReason
from review.scope import Duty, may
from review.selectors import queue_neighbours, signed_form_verdicts
from review.services.decisions import (
    application_confirm,
    application_reject,
    application_reopen,
    application_review,
)
from review.services.declarations import eligibility_declaration_save
from review.services.jobs import bulk_confirm_receipts_parse, bulk_confirm_start
from wecan.errors import PortalError

# More than this in one selection goes through a background job (confirm) or narrower filters.
SELECTION_LIMIT = 500

Decide = Callable[[int, User, dict[str, Any]], Application]


@dataclass(frozen=True)
class Kind:
    title: Any
    action: Action
    duty: Duty
    needs_reasons: bool
    note_required: bool
    decide: Decide


def _review(stage: str, decision: str) -> Decide:
    def decide(application_id: int, actor: User, data: dict[str, Any]) -> Application:
        return application_review(
            application_id=application_id,
            actor=actor,
            stage=stage,
            decision=decision,
            reasons=data.get("reasons", []),
            note=data.get("note", ""),
        )

    return decide


KINDS: dict[str, Kind] = {
    "confirm": Kind(
        gettext_lazy("报名确认通过"),
        Action.CONFIRM,
        Duty.CONFIRM,
        False,
        False,
        lambda application_id, actor, data: application_confirm(
            application_id=application_id,
            actor=actor,
            late_reason=data.get("late_reason", ""),
            fee_receipt_number=data.get("fee_receipt_number", ""),
        ),
    ),
    "reject": Kind(
        gettext_lazy("报名确认不通过"),
        Action.REJECT_CONFIRMATION,
        Duty.CONFIRM,
        True,
        False,
        lambda application_id, actor, data: application_reject(
            application_id=application_id,
            actor=actor,
            reasons=data["reasons"],
            note=data["note"],
            late_reason=data.get("late_reason", ""),
        ),
    ),
    "approve_site": Kind(
        gettext_lazy("考点初审通过"), Action.APPROVE_SITE, Duty.REVIEW_SITE, False, False, _review("site", "approve")
    ),
    "reject_site": Kind(
        gettext_lazy("考点初审不通过"), Action.REJECT_SITE, Duty.REVIEW_SITE, True, False, _review("site", "reject")
    ),
    "approve_district": Kind(
        gettext_lazy("考区终审通过"),
        Action.APPROVE_DISTRICT,
        Duty.REVIEW_DISTRICT,
        False,
        False,
        _review("district", "approve"),
    ),
    "reject_district": Kind(
        gettext_lazy("考区终审不通过"),
        Action.REJECT_DISTRICT,
        Duty.REVIEW_DISTRICT,
        True,
        False,
        _review("district", "reject"),
    ),
    "reopen": Kind(
        gettext_lazy("重新审核"),
        Action.REOPEN_REVIEW,
        Duty.REOPEN,
        False,
        True,
        lambda application_id, actor, data: application_reopen(
            application_id=application_id, actor=actor, note=data["note"]
        ),
    ),
}


class DecisionForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=gettext_lazy("不通过原因"), choices=RejectionReason.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("考生会看到此备注；选择“其他”时必填。"),
    )

    late_reason = forms.CharField(
        label=gettext_lazy("逾期确认原因"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy("报名确认已截止：仅考务管理员可逾期确认，原因记入操作记录。"),
    )

    fee_receipt_number = forms.CharField(
        label=gettext_lazy("现场缴费收据号"),
        max_length=40,
        help_text=gettext_lazy("本考区实行现场缴费：请收取报名费，填写收据号；金额按收费标准记录。"),
    )

    def __init__(self, *args: Any, kind: Kind, late: bool = False, fee_on_site: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Asked for only where it counts: a confirmation decision after the confirmation deadline.
        if not (late and kind.duty == Duty.CONFIRM):
            del self.fields["late_reason"]
        # Seed 003 line 761: where the district takes no online payment, the fee is paid at confirmation.
        if fee_on_site and kind.action == Action.CONFIRM:
            self.fields["fee_receipt_number"].error_messages["required"] = _("请填写缴费收据号。")
        else:
            del self.fields["fee_receipt_number"]
        if kind.needs_reasons:
            self.fields["reasons"].error_messages["required"] = _("请至少选择一项不通过原因。")
        else:
            del self.fields["reasons"]
            self.fields["note"].help_text = ""
        if kind.note_required:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = _("请写明原因。")


def _kind(kind_name: str) -> Kind:
    kind = KINDS.get(kind_name)
    if kind is None:
        raise Http404
    return kind


def buttons_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    """The decisions this staff member may take on this application now, for the detail page."""
    buttons = [
        {
            "kind": name,
            "title": kind.title,
            "url": reverse("admin:registration_application_decide", args=[application.pk, name]),
        }
        for name, kind in KINDS.items()
        if may(request.user, kind.duty) and allowed(kind.action, application.status)
    ]
    return {"decision_buttons": buttons}


def decide_view(model_admin: ModelAdmin) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, application_id: int, kind: str) -> HttpResponse:
        decision = _kind(kind)
        application = model_admin.get_queryset(request).filter(pk=application_id).first()
        if application is None:
            raise Http404
        if not may(request.user, decision.duty):
            raise PermissionDenied
        late = not is_open(application.exam, Window.CONFIRMATION)
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            kind=decision,
            late=late,
            fee_on_site=not application.district.online_payment,
        )
        if request.method == "POST" and form.is_valid():
            try:
                decision.decide(application.pk, request.user, form.cleaned_data)  # type: ignore[arg-type]
            except PortalError as error:
                form.add_error(None, str(error.message))
                for field, texts in error.fields.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(
                    request,
                    _("%(number)s：%(decision)s。") % {"number": application.number, "decision": decision.title},
                )
                if request.POST.get("queue") == application.status:
                    # Decided from the review desk: the next application of the same queue opens.
                    return _next_in_queue(request, application)
                return redirect("admin:registration_application_change", application.pk)
        return TemplateResponse(
            request,
            "review/admin/decide.html",
            {
                **model_admin.admin_site.each_context(request),
                "opts": model_admin.model._meta,
                "title": f"{decision.title} · {application.number}",
                "application": application,
                "decision": decision,
                "form": form,
                # Beside the confirm button: which version of the form the candidate signed and uploaded.
                "signed_forms": list(signed_form_verdicts(application).values())
                if decision.action == Action.CONFIRM
                else [],
            },
        )

    return view


class DeclarationForm(forms.Form):
    policies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("提前申报政策"),
        queryset=EarlyApplicationPolicy.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    post_changed_on = forms.DateField(
        label=gettext_lazy("转入现岗位日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("转岗人员填写；从事现岗位工作须满两年。"),
    )


def _next_in_queue(request: HttpRequest, decided: Application) -> HttpResponse:
    neighbours = queue_neighbours(
        user=request.user, status=decided.status, submitted_at=decided.submitted_at, application_id=decided.pk
    )
    if neighbours.next_id is None:
        messages.info(request, _("队列中已没有待处理的报名信息。"))
        return redirect(reverse("admin:registration_application_changelist") + f"?status__exact={decided.status}")
    return redirect("admin:registration_application_change", neighbours.next_id)


def declaration_view(model_admin: ModelAdmin) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, application_id: int) -> HttpResponse:
        application = model_admin.get_queryset(request).filter(pk=application_id).first()
        if application is None:
            raise Http404
        if not may(request.user, Duty.DECLARE):
            raise PermissionDenied
        declaration = EligibilityDeclaration.objects.filter(application=application).first()
        initial = (
            {"policies": list(declaration.policies.all()), "post_changed_on": declaration.post_changed_on}
            if declaration
            else {}
        )
        form = DeclarationForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                eligibility_declaration_save(
                    application_id=application.pk,
                    actor=request.user,  # type: ignore[arg-type]
                    policy_keys=[policy.key for policy in form.cleaned_data["policies"]],
                    post_changed_on=form.cleaned_data["post_changed_on"],
                )
            except PortalError as error:
                form.add_error(None, str(error.message))
                for texts in error.fields.values():
                    for text in texts:
                        form.add_error(None, text)
            else:
                messages.success(request, _("报考条件申报已保存，资格预审已更新。"))
                return redirect("admin:registration_application_change", application.pk)
        return TemplateResponse(
            request,
            "review/admin/declaration.html",
            {
                **model_admin.admin_site.each_context(request),
                "opts": model_admin.model._meta,
                "title": _("报考条件申报 · %(number)s") % {"number": application.number},
                "application": application,
                "form": form,
            },
        )

    return view


# --- Actions on a selection -------------------------------------------------------------------------


class FeeReceiptsForm(forms.Form):
    fee_receipts = forms.CharField(
        label=gettext_lazy("现场缴费收据号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 50}),
        help_text=gettext_lazy(
            "每行一条：网报号,收据号。未开通网上缴费的考区，确认时按收据号记录现场收取的报名费（金额按收费标准）；"
            "没有收据号的报名信息不予确认，在任务结果中逐条列出。"
        ),
    )


@admin.action(description=gettext_lazy("批量确认通过（后台任务）"), permissions=["confirm"])
def bulk_confirm(model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Application]) -> HttpResponse | None:
    actor: User = request.user  # type: ignore[assignment]
    ids = list(queryset.values_list("pk", flat=True))
    on_site = queryset.filter(district__online_payment=False).order_by("pk")
    form = None
    receipts: dict[int, str] = {}
    if on_site.exists():
        # Seed 003 line 761: these candidates pay at confirmation; the receipts come first.
        form = FeeReceiptsForm(
            request.POST if "apply" in request.POST else None,
            initial={"fee_receipts": "".join(f"{number},\n" for number in on_site.values_list("number", flat=True))},
        )
        if not ("apply" in request.POST and form.is_valid()):
            return _fee_receipts_page(model_admin, request, queryset, on_site, form)
        try:
            receipts = bulk_confirm_receipts_parse(
                actor=actor, text=form.cleaned_data["fee_receipts"], application_ids=ids
            )
        except PortalError as error:
            _form_errors(form, error, field="fee_receipts")
            return _fee_receipts_page(model_admin, request, queryset, on_site, form)
    try:
        job = bulk_confirm_start(actor=actor, application_ids=ids, fee_receipt_numbers=receipts)
    except PortalError as error:
        if form is None:
            messages.error(request, str(error.message))
            return None
        _form_errors(form, error, field="fee_receipts")
        return _fee_receipts_page(model_admin, request, queryset, on_site, form)
    messages.info(request, _("已开始批量确认%(count)d条报名信息。") % {"count": job.total})
    return redirect("admin:review_job_change", job.pk)


def _form_errors(form: forms.Form, error: PortalError, *, field: str) -> None:
    texts = [text for texts in error.fields.values() for text in texts]
    form.add_error(field, texts or [str(error.message)])


def _fee_receipts_page(
    model_admin: ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Application],
    on_site: QuerySet[Application],
    form: FeeReceiptsForm,
) -> HttpResponse:
    select_across = request.POST.get("select_across") == "1"
    return TemplateResponse(
        request,
        "review/admin/bulk_confirm_receipts.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("批量确认通过：已选%(count)d条，其中%(on_site)d条须现场缴费")
            % {"count": queryset.count(), "on_site": on_site.count()},
            "form": form,
            "on_site": on_site.select_related("candidate", "district")[:SELECTION_LIMIT],
            "select_across": select_across,
            "selected_ids": [] if select_across else list(queryset.values_list("pk", flat=True)),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


def _decide_selected(
    model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Application], name: str
) -> HttpResponse | None:
    kind = KINDS[name]
    count = queryset.count()
    if count > SELECTION_LIMIT:
        messages.error(
            request,
            _("一次最多处理%(limit)d条，请缩小筛选范围（已选%(count)d条）。")
            % {"limit": SELECTION_LIMIT, "count": count},
        )
        return None
    form = DecisionForm(request.POST if "apply" in request.POST else None, kind=kind)
    if "apply" in request.POST and form.is_valid():
        done, refused = 0, []
        for application in queryset.order_by("pk"):
            try:
                kind.decide(application.pk, request.user, form.cleaned_data)  # type: ignore[arg-type]
                done += 1
            except PortalError as error:
                refused.append(f"{application.number}：{error.message}")
        if done:
            messages.success(request, _("%(decision)s：%(count)d条。") % {"decision": kind.title, "count": done})
        for line in refused:
            messages.warning(request, line)
        return None
    return TemplateResponse(
        request,
        "review/admin/decide_selected.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("%(decision)s：已选%(count)d条") % {"decision": kind.title, "count": count},
            "decision": kind,
            "form": form,
            "applications": queryset.select_related("candidate")[:SELECTION_LIMIT],
            "action_name": f"{name}_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


def _selection_action(name: str, permission: str) -> Callable[..., HttpResponse | None]:
    def action(model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Application]) -> HttpResponse | None:
        return _decide_selected(model_admin, request, queryset, name)

    action.__name__ = f"{name}_selected"
    return admin.action(description=KINDS[name].title, permissions=[permission])(action)


reject_selected = _selection_action("reject", "confirm")
approve_site_selected = _selection_action("approve_site", "review_site")
reject_site_selected = _selection_action("reject_site", "review_site")
approve_district_selected = _selection_action("approve_district", "review_district")
reject_district_selected = _selection_action("reject_district", "review_district")
