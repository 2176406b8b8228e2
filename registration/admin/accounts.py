"""Admin of accounts: candidates (identity read-only, ID number only masked) and scoped staff."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm, UsernameField
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from registration.choices import Role
from registration.models import DegreeRecord, User
from registration.pii import typed_id_number_digest
from registration.services.staff import ROLE_SCOPE_MODELS, StaffScope, staff_user_upsert
from wecan.admin_language import choose_in_words, group_label

_SCOPE_FIELDS = ("registration_point", "site", "district")
_DEGREE_FIELDS = (
    "education",
    "certificate_number",
    "school",
    "graduation_date",
    "training_mode",
    "major",
    "degree",
    "degree_certificate_number",
)
_STAFF_ROLES = [(value, label) for value, label in Role.choices if value != Role.CANDIDATE]


def _check_scope(form: forms.ModelForm) -> None:
    """Puts, beside each scope field, what the role asks of it (ROLE_SCOPE_MODELS: the one scope it works in)."""
    role = form.cleaned_data.get("role")
    if "role" not in form.fields or role not in ROLE_SCOPE_MODELS:
        return
    expected = ROLE_SCOPE_MODELS[role]
    for name in _SCOPE_FIELDS:
        field = User._meta.get_field(name)
        wording = {"role": Role(role).label, "scope": getattr(field, "verbose_name", name)}
        given = form.cleaned_data.get(name)
        if field.related_model is expected and given is None:
            form.add_error(name, _("%(role)s须选择所属的%(scope)s。") % wording)
        elif field.related_model is not expected and given is not None:
            form.add_error(name, _("%(role)s不设%(scope)s，请清空。") % wording)


class StaffCreationForm(UserCreationForm):
    """Admin creates staff accounts only: candidates register themselves with their ID number."""

    class Meta:
        model = User
        fields = ("username", "name", "email", "role", *_SCOPE_FIELDS)
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        if isinstance(role, forms.ChoiceField):
            role.choices = _STAFF_ROLES

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_scope(self)
        return data

    def scope(self) -> StaffScope | None:
        return next((self.cleaned_data[name] for name in _SCOPE_FIELDS if self.cleaned_data.get(name)), None)


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields.get("role")
        if isinstance(role, forms.ChoiceField):
            role.choices = _STAFF_ROLES
        for name in ("groups", "user_permissions"):
            if name in self.fields:
                choose_in_words(self.fields[name])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_scope(self)
        return data


class DegreeRecordInline(admin.TabularInline):
    """The candidate's degree records, to look at: only the candidate maintains them."""

    model = DegreeRecord
    extra = 0
    fields = _DEGREE_FIELDS
    readonly_fields = _DEGREE_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "name", "id_number_masked", "role", "scope", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["registration_point", "site", "district__exam"]
    search_fields = ["username", "name"]
    search_help_text = _("按用户名、姓名或完整的证件号码查找。")
    ordering = ["username"]
    readonly_fields = ["id_number_masked", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("身份信息"), {"fields": ["name", "id_type", "id_number_masked", "gender", "birth_date"]}),
        (_("联系方式"), {"fields": ["email", "mobile"]}),
        (_("角色与工作范围"), {"fields": ["role", *_SCOPE_FIELDS]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "password1", "password2", "name", "email"],
            },
        ),
        (_("角色与工作范围"), {"fields": ["role", *_SCOPE_FIELDS]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if isinstance(obj, User) and obj.is_candidate:
            # Identity is fixed at registration, and a candidate's account never becomes a staff account.
            fields += ["name", "id_type", "gender", "birth_date", "role", *_SCOPE_FIELDS]
        return fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[admin.options.InlineModelAdmin]]:
        return [DegreeRecordInline] if isinstance(obj, User) and obj.is_candidate else []

    @admin.display(description=_("工作范围"))
    def scope(self, obj: User) -> str:
        return str(obj.registration_point or obj.site or obj.district or "—")

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new staff account comes from the staff service: admin flag, role group and scope together.
        creation = cast(StaffCreationForm, form)
        data = creation.cleaned_data
        created = staff_user_upsert(
            username=data["username"],
            role=data["role"],
            scope=creation.scope(),
            password=data["password1"],
            name=data.get("name", ""),
            email=data.get("email", ""),
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            # ID numbers are stored only as a digest: a full number (any spelling) finds its account.
            results |= queryset.filter(id_number_digest=typed_id_number_digest(search_term))
        return results, may_have_duplicates


# Token digests mean nothing to a person: a token ends at logout, at its expiry or with a new password.
admin.site.unregister(AuthToken)
admin.site.unregister(Group)


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_in_words(self.fields["permissions"])


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """The groups of the roles (kept in step with the roles by ``registration.services.staff``), in words."""

    form = GroupForm
    list_display = ["role_name"]

    @admin.display(description=_("角色"), ordering="name")
    def role_name(self, group: Group) -> str:
        return group_label(group)
