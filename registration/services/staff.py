"""Staff accounts: a role, the one scope it works in, and the admin permissions of that role."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from registration.choices import Role
from registration.models import District, RegistrationPoint, Site, User
from wecan.errors import Conflict, InvalidInput

StaffScope = RegistrationPoint | Site | District

# The model of the scope each staff role works in (the administrator works everywhere).
ROLE_SCOPE_MODELS: dict[str, type[models.Model] | None] = {
    Role.POINT_STAFF: RegistrationPoint,
    Role.SITE_REVIEWER: Site,
    Role.DISTRICT_REVIEWER: District,
    Role.FINANCE: District,
    Role.ADMINISTRATOR: None,
}

# The user field that holds each scope model.
_SCOPE_FIELDS: dict[type[models.Model], str] = {
    RegistrationPoint: "registration_point",
    Site: "site",
    District: "district",
}

_CATALOGUE_MODELS = (
    "exam",
    "district",
    "districtfee",
    "city",
    "site",
    "registrationpoint",
    "specialty",
    "subject",
    "materialslot",
    "unit",
    "eligibilityrule",
)
_VIEW_CATALOGUE = tuple(f"registration.view_{model}" for model in _CATALOGUE_MODELS)

# Admin permissions of each role's group ("app_label.codename"). Staff read the catalogue their
# work refers to; the administrator maintains it. Scoping rows to the staff member's point, site or
# district is the querysets' job, not the permissions'.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.POINT_STAFF: _VIEW_CATALOGUE,
    Role.SITE_REVIEWER: _VIEW_CATALOGUE,
    Role.DISTRICT_REVIEWER: _VIEW_CATALOGUE,
    Role.FINANCE: _VIEW_CATALOGUE,
    Role.ADMINISTRATOR: tuple(
        f"registration.{action}_{model}"
        for model in _CATALOGUE_MODELS
        for action in ("add", "change", "delete", "view")
    ),
}


def staff_group_sync(*, role: str) -> Group:
    """The Django group of ``role`` (named by the role's value), holding exactly ROLE_PERMISSIONS[role]."""
    wanted = ROLE_PERMISSIONS[role]
    condition = Q(pk__in=[])
    for permission in wanted:
        app_label, codename = permission.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(condition))
    if len(permissions) != len(wanted):
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        raise ImproperlyConfigured(f"Permissions missing (migrate first?): {sorted(set(wanted) - found)}")
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)
    return group


def _check_scope(role: str, scope: StaffScope | None, *, is_superuser: bool) -> None:
    if role not in ROLE_SCOPE_MODELS:
        raise InvalidInput(fields={"role": [_("不是工作人员的角色：%(role)s") % {"role": role}]})
    expected = ROLE_SCOPE_MODELS[role]
    if expected is None and scope is not None:
        raise InvalidInput(fields={"scope": [_("考务管理员不限定报名点、考点或考区。")]})
    if expected is not None and not isinstance(scope, expected):
        raise InvalidInput(
            fields={
                "scope": [
                    _("%(role)s须指定所属的%(scope)s。")
                    % {"role": Role(role).label, "scope": expected._meta.verbose_name}
                ]
            }
        )
    if is_superuser and role != Role.ADMINISTRATOR:
        raise InvalidInput(fields={"is_superuser": [_("只有考务管理员可以是超级用户。")]})


def staff_user_upsert(
    *,
    username: str,
    role: str,
    scope: StaffScope | None,
    password: str,
    name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    """Creates the staff account ``username``, or brings an existing one to what is given.

    The caller may rely on: the role and scope agree (a point for point staff, a site for site
    reviewers, a district for district reviewers and finance, none for the administrator), or
    ``InvalidInput`` is raised and nothing is saved; the account can use the admin
    (``is_staff``), is in its role's group and no other role's; its password is ``password``
    (checked by the password validators). A candidate's account is never turned into staff
    (``Conflict``).
    """
    _check_scope(role, scope, is_superuser=is_superuser)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            user = User(username=username)
        elif user.role == Role.CANDIDATE:
            raise Conflict(_("用户名“%(username)s”已是考生账号。") % {"username": username})

        user.role = role
        user.name = name
        user.email = email
        user.is_staff = True
        user.is_superuser = is_superuser
        user.is_active = True
        user.registration_point = user.site = user.district = None
        if scope is not None:
            setattr(user, _SCOPE_FIELDS[type(scope)], scope)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidInput(fields={"password": error.messages}) from None
        user.set_password(password)
        try:
            user.full_clean()
        except ValidationError as error:
            raise InvalidInput(fields=error.message_dict) from None
        user.save()

        group = staff_group_sync(role=role)
        other_roles = Group.objects.filter(name__in=[other for other in ROLE_PERMISSIONS if other != role])
        user.groups.remove(*other_roles)
        user.groups.add(group)
    return user
