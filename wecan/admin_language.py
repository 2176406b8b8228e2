"""The admin in the staff member's language where Django and the third-party apps leave English:
the yes/no icons' alternative text, the names of the apps that have none in Chinese, permissions
(whose names Django stores in English in the database), the role groups (named by the role's code),
and the login records of django-axes, which name themselves in English."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from django.templatetags.static import static
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration.choices import Role

# Apps of other projects whose names reach the admin (the home page, the permission lists).
APP_NAMES = {
    "axes": gettext_lazy("登录安全"),
    "knox": gettext_lazy("接口令牌"),
    "captcha": gettext_lazy("图形验证码"),
}
# Nobody is given rights over captcha entries or token rows: their permissions are not offered.
APPS_WITHOUT_STAFF_PERMISSIONS = ("captcha", "knox")
_ICONS = {True: "yes", False: "no", None: "unknown"}


def boolean_icon(value: bool | None) -> SafeString:
    """Django's yes/no/unknown icon, its alternative text in words (Django writes True/False)."""
    words = {True: _("是"), False: _("否"), None: _("未知")}
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{_ICONS[value]}.svg"), words[value])


def permission_label(permission: Permission) -> str:
    """`报名管理 | 报名信息 | 查看` for Django's `registration | application | Can view application`."""
    model = permission.content_type.model_class()
    action, _sep, _rest = permission.codename.partition("_")
    verbs = {"add": _("新增"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}
    if model is None:
        return permission.name
    app_name = apps.get_app_config(model._meta.app_label).verbose_name
    model_name = model._meta.verbose_name
    # Custom permissions are named in Chinese by the apps that declare them.
    what = verbs[action] if permission.codename == f"{action}_{model._meta.model_name}" else permission.name
    return f"{app_name} | {model_name} | {what}"


def group_label(group: Group) -> str:
    """The role a group stands for (groups are named by the role's code)."""
    return str(Role(group.name).label) if group.name in Role.values else group.name


def choose_in_words(field: Any) -> None:
    """Shows groups and permissions of a form field by their Chinese names."""
    if field.queryset.model is Permission:
        permissions: QuerySet[Permission] = field.queryset
        field.queryset = permissions.select_related("content_type").exclude(
            content_type__app_label__in=APPS_WITHOUT_STAFF_PERMISSIONS
        )
        field.label_from_instance = permission_label
    elif field.queryset.model is Group:
        field.label_from_instance = group_label


def _moment(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


def _attempt_name(attempt: AccessAttempt) -> str:
    return _("%(username)s 的登录尝试（%(moment)s）") % {
        "username": attempt.username,
        "moment": _moment(attempt.attempt_time),
    }


def _log_name(log: AccessLog) -> str:
    return _("%(username)s 的登录记录（%(moment)s）") % {"username": log.username, "moment": _moment(log.attempt_time)}


def _failure_name(failure: AccessFailureLog) -> str:
    return _("%(username)s 登录失败（%(moment)s，%(address)s）") % {
        "username": failure.username,
        "moment": _moment(failure.attempt_time),
        "address": failure.ip_address or "—",
    }


class LockoutAdmin(AccessAttemptAdmin):
    """django-axes' list of login attempts, its status column named."""

    @admin.display(description=gettext_lazy("状态"))
    def status(self, obj: AccessAttempt) -> str:
        return str(super().status(obj))


def install() -> None:
    """Called once the admin has found every app's ModelAdmins."""
    admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]
    for label, name in APP_NAMES.items():
        if apps.is_installed(label):
            apps.get_app_config(label).verbose_name = name
    Group.__str__ = group_label  # type: ignore[assignment,method-assign]
    AccessAttempt.__str__ = _attempt_name
    AccessLog.__str__ = _log_name
    AccessFailureLog.__str__ = _failure_name
    if admin.site.is_registered(AccessAttempt):
        admin.site.unregister(AccessAttempt)
        admin.site.register(AccessAttempt, LockoutAdmin)
