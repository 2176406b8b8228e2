"""Who sees which applications, and who may do what: the one place the admin, the staff API, the
exports and the selectors ask.

The scope rule itself (which rows a staff member sees) is ``registration.scope``'s, re-exported
here: payments and the file selectors need it too and may not import review (DESIGN.md §2). What
this module adds are the duties: which roles do what to the applications in their scope.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from registration.choices import Role
from registration.scope import (
    AREA_ROLES,
    Area,
    application_in_scope,
    application_scope_parts,
    applications_in_scope,
    is_administrator,
    is_staff_member,
)

__all__ = [
    "DUTY_ROLES",
    "Duty",
    "application_in_scope",
    "application_scope_parts",
    "applications_in_scope",
    "is_administrator",
    "is_staff_member",
    "may",
]


class Duty(StrEnum):
    """What a staff member does to an application; each is allowed to some roles."""

    VIEW = "view"
    CONFIRM = "confirm"  # 报名确认: confirm, reject, confirm by code, bulk confirm
    REVIEW_SITE = "review_site"  # 考点初审
    REVIEW_DISTRICT = "review_district"  # 考区终审
    REOPEN = "reopen"  # a district reviewer reopens a rejected review
    DECLARE = "declare"  # records the eligibility declaration (policies, change of post)
    MERGE_SCORES = "merge_scores"  # 成绩合并: links last year's record under another ID number


# Administrators (and superusers) may do everything; the other roles only what is listed. Finance
# staff look at orders and payments, not at applications (registration.scope).
DUTY_ROLES: dict[Duty, frozenset[str]] = {
    Duty.VIEW: AREA_ROLES[Area.APPLICATIONS],
    Duty.CONFIRM: frozenset({Role.POINT_STAFF, Role.SITE_REVIEWER}),
    Duty.REVIEW_SITE: frozenset({Role.SITE_REVIEWER}),
    Duty.REVIEW_DISTRICT: frozenset({Role.DISTRICT_REVIEWER}),
    Duty.REOPEN: frozenset({Role.DISTRICT_REVIEWER}),
    Duty.DECLARE: frozenset({Role.POINT_STAFF, Role.SITE_REVIEWER, Role.DISTRICT_REVIEWER}),
    # Seed 002 line 60: the candidate applies "至考点" — the site's staff merge; only administrators revoke.
    Duty.MERGE_SCORES: frozenset({Role.SITE_REVIEWER}),
}


def may(user: Any, duty: Duty) -> bool:
    """Whether the user's role allows ``duty`` at all (the scope is checked separately)."""
    if not is_staff_member(user):
        return False
    return is_administrator(user) or user.role in DUTY_ROLES[duty]
