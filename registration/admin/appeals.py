"""Admin of identity appeals (证件号码被冒用申诉): an administrator looks at the two pictures and
approves (the account moves to the appellant) or rejects with a reason. Only administrators see them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registration import private_files
from registration.models import AppealStatus, IdentityAppeal, User
from registration.services.appeals import identity_appeal_approve, identity_appeal_reject
from wecan.errors import PortalError

_PICTURES = {"id-card": "id_card_key", "holding": "holding_photo_key"}


class AppealDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("处理决定"),
        choices=[("", "---------"), ("approve", _("批准：把账号归还申诉人")), ("reject", _("驳回"))],
    )

    class Meta:
        model = IdentityAppeal
        fields = ["decision_note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("decision_note") or "").strip():
            self.add_error("decision_note", _("驳回时请填写理由。"))
        return data


@admin.register(IdentityAppeal)
class IdentityAppealAdmin(admin.ModelAdmin):
    form = AppealDecisionForm
    list_display = ["submitted_at", "name", "account_masked", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["account", "decided_by"]
    readonly_fields = [
        "account_masked",
        "name",
        "email",
        "mobile",
        "statement",
        "pictures",
        "submitted_at",
        "status",
        "decided_by",
        "decided_at",
        "replaced_email",
        "replaced_mobile",
    ]

    def _is_administrator(self, request: HttpRequest) -> bool:
        return isinstance(request.user, User) and request.user.is_active and request.user.is_administrator

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request) and (obj is None or obj.status == AppealStatus.PENDING)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        editable = ["decision", "decision_note"] if self.has_change_permission(request, obj) else ["decision_note"]
        return [*self.readonly_fields, *editable]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self.has_change_permission(request, obj):
            return list(self.readonly_fields)
        return [*self.readonly_fields, "decision_note"]

    @admin.display(description=_("被申诉账号"))
    def account_masked(self, appeal: IdentityAppeal) -> str:
        account = appeal.account
        return f"{account.username} · {account.name} · {account.id_number_masked}"

    @admin.display(description=_("证件照片 / 手持证件照片"))
    def pictures(self, appeal: IdentityAppeal) -> str:
        if appeal.pk is None:
            return "-"
        return format_html(
            '<a href="{0}" target="_blank"><img src="{0}" alt="" class="appeal-picture"></a> '
            '<a href="{1}" target="_blank"><img src="{1}" alt="" class="appeal-picture"></a>',
            reverse("admin:registration_identityappeal_picture", args=[appeal.pk, "id-card"]),
            reverse("admin:registration_identityappeal_picture", args=[appeal.pk, "holding"]),
        )

    def get_urls(self) -> list[URLPattern]:
        picture = path(
            "<int:appeal_id>/picture/<str:which>/",
            self.admin_site.admin_view(self.picture_view),
            name="registration_identityappeal_picture",
        )
        return [picture, *super().get_urls()]

    def picture_view(self, request: HttpRequest, appeal_id: int, which: str) -> HttpResponseBase:
        if not self._is_administrator(request) or which not in _PICTURES:
            raise PermissionDenied
        appeal = IdentityAppeal.objects.filter(pk=appeal_id).first()
        if appeal is None:
            raise PermissionDenied
        return private_files.image_response(getattr(appeal, _PICTURES[which]), download_name=f"appeal-{which}.jpg")

    def save_model(self, request: HttpRequest, obj: IdentityAppeal, form: forms.ModelForm, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)  # has_change_permission let only an administrator through
        note = form.cleaned_data.get("decision_note") or ""
        try:
            if form.cleaned_data["decision"] == "approve":
                identity_appeal_approve(appeal_id=obj.pk, actor=actor, note=note)
            else:
                identity_appeal_reject(appeal_id=obj.pk, actor=actor, note=note)
        except PortalError as error:
            self.message_user(request, str(error.message), level="error")
        obj.refresh_from_db()
