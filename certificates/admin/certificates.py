"""Admin of certificates: look them up, see their history, revoke with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from certificates.admin.access import AdministratorOnlyMixin
from certificates.models import Certificate, CertificateEvent
from certificates.services.certificates import certificate_revoke
from registration.pii import typed_id_number_digest
from wecan.errors import PortalError


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    fields = ["created_at", "action", "actor", "note"]
    readonly_fields = ["created_at", "action", "actor", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("吊销原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Certificate)
class CertificateAdmin(AdministratorOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "name", "id_number_masked", "specialty", "level", "exam", "issued_on", "status"]
    list_filter = ["status", "exam", "level"]
    list_select_related = ["specialty", "exam"]
    search_fields = ["number", "name"]
    search_help_text = _("输入证书编号、姓名或完整的证件号码")
    readonly_fields = [
        "number",
        "name",
        "id_number_masked",
        "candidate",
        "specialty",
        "level",
        "exam",
        "issued_on",
        "status",
        "revoked_at",
        "revocation_reason",
        "pdf_rendered_at",
    ]
    exclude = ["pdf", "id_number_digest"]
    inlines = [CertificateEventInline]
    actions = ["revoke"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Certificate], search_term: str
    ) -> tuple[QuerySet[Certificate], bool]:
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(id_number_digest=typed_id_number_digest(search_term))
        return results, distinct

    @admin.action(description=_("吊销所选证书"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> HttpResponse | None:
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            revoked = 0
            for certificate in queryset:
                try:
                    certificate_revoke(
                        certificate_id=certificate.pk,
                        actor=request.user,  # type: ignore[arg-type]
                        reason=form.cleaned_data["reason"],
                    )
                except PortalError as error:
                    self.message_user(request, str(error.message), messages.WARNING)
                else:
                    revoked += 1
            if revoked:
                self.message_user(request, _("已吊销%(count)s张证书。") % {"count": revoked}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("吊销证书"),
            "certificates": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/certificates/certificate/revoke.html", context)
