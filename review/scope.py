"""Who sees which applications, and who may do what: the one place the admin and the staff API ask.

Registration-point staff see their point's applications, and those of their site that chose no
point; site staff their site's; district reviewers and finance their district's; administrators
(and superusers) all; candidates and anyone else see none. An application outside the caller's
scope is "not found", never "forbidden".

Seed 003 line 781: candidates confirm "到所选考点或其下设报名点". Where the district confirms on site
the 报名点 is optional (seed 002 line 62), so an application without one is confirmed by its site or
by any registration point under that site; one with a point, by that point or its site.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from registration.choices import Role
from registration.models import Application


class Duty(StrEnum):
    """What a staff member does to an application; each is allowed to some roles."""

    VIEW = "view"
    CONFIRM = "confirm"  # 报名确认: confirm, reject, confirm by code, bulk confirm
    REVIEW_SITE = "review_site"  # 考点初审
    REVIEW_DISTRICT = "review_district"  # 考区终审
    REOPEN = "reopen"  # a district reviewer reopens a rejected review
    DECLARE = "declare"  # records the eligibility declaration (policies, change of post)
    MERGE_SCORES = "merge_scores"  # 成绩合并: links last year's record under another ID number


# Administrators (and superusers) may do everything; the other roles only what is listed.
DUTY_ROLES: dict[Duty, frozenset[str]] = {
    Duty.VIEW: frozenset({Role.POINT_STAFF, Role.SITE_REVIEWER, Role.DISTRICT_REVIEWER, Role.FINANCE}),
    Duty.CONFIRM: frozenset({Role.POINT_STAFF, Role.SITE_REVIEWER}),
    Duty.REVIEW_SITE: frozenset({Role.SITE_REVIEWER}),
    Duty.REVIEW_DISTRICT: frozenset({Role.DISTRICT_REVIEWER}),
    Duty.REOPEN: frozenset({Role.DISTRICT_REVIEWER}),
    Duty.DECLARE: frozenset({Role.POINT_STAFF, Role.SITE_REVIEWER, Role.DISTRICT_REVIEWER}),
    # Seed 002 line 60: the candidate applies "至考点" — the site's staff merge; only administrators revoke.
    Duty.MERGE_SCORES: frozenset({Role.SITE_REVIEWER}),
}


def is_staff_member(user: Any) -> bool:
    """Signed in, active, and staff (any role but candidate) or a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role != Role.CANDIDATE)


def is_administrator(user: Any) -> bool:
    return is_staff_member(user) and bool(user.is_administrator)


def may(user: Any, duty: Duty) -> bool:
    """Whether the user's role allows ``duty`` at all (the scope is checked separately)."""
    if not is_staff_member(user):
        return False
    return is_administrator(user) or user.role in DUTY_ROLES[duty]


def applications_in_scope(user: Any) -> QuerySet[Application]:
    """The applications ``user`` may see; an empty queryset for candidates and strangers."""
    applications = Application.objects.all()
    if not is_staff_member(user):
        return applications.none()
    if is_administrator(user):
        return applications
    if user.role == Role.POINT_STAFF and user.registration_point_id:
        return applications.filter(
            Q(registration_point_id=user.registration_point_id)
            | Q(registration_point__isnull=True, site_id=user.registration_point.site_id)
        )
    if user.role == Role.SITE_REVIEWER and user.site_id:
        return applications.filter(site_id=user.site_id)
    if user.role in {Role.DISTRICT_REVIEWER, Role.FINANCE} and user.district_id:
        return applications.filter(district_id=user.district_id)
    return applications.none()


def application_in_scope(user: Any, application: Application) -> bool:
    """The same rule as ``applications_in_scope``, for a row already loaded (and locked)."""
    if not is_staff_member(user):
        return False
    if is_administrator(user):
        return True
    if user.role == Role.POINT_STAFF:
        if not user.registration_point_id:
            return False
        if application.registration_point_id is None:
            return application.site_id is not None and application.site_id == user.registration_point.site_id
        return application.registration_point_id == user.registration_point_id
    if user.role == Role.SITE_REVIEWER:
        return bool(user.site_id) and application.site_id == user.site_id
    if user.role in {Role.DISTRICT_REVIEWER, Role.FINANCE}:
        return bool(user.district_id) and application.district_id == user.district_id
    return False
