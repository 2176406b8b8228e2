"""Who may use what certificates keeps: the one place its admin, API and services ask.

Scores and certificates are national data, for the exam administrator (and superusers) only. The
exam arrangement is run by the administrator for any district and by a district's reviewer for
theirs; a site's reviewer also sees its rooms' sign-in sheets and lists. Which districts and sites a
staff member's scope covers is the one scope rule's (``registration.scope``); this module adds only
which roles do the arrangement's work. A district, site or room outside the caller's scope is "not
found".
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from registration import scope
from registration.choices import Role
from registration.models import District, Site
from registration.scope import is_administrator, is_staff_member

__all__ = [
    "districts_to_allocate",
    "is_administrator",
    "is_arrangement_staff",
    "may_allocate",
    "sites_in_scope",
]

# Besides administrators: who works on the arrangement at all, and who seats candidates.
ARRANGEMENT_ROLES = frozenset({Role.DISTRICT_REVIEWER, Role.SITE_REVIEWER})
ALLOCATION_ROLES = frozenset({Role.DISTRICT_REVIEWER})


def is_arrangement_staff(user: Any) -> bool:
    """The roles that work on the arrangement at all (the scope is checked separately)."""
    return is_staff_member(user) and (is_administrator(user) or user.role in ARRANGEMENT_ROLES)


def may_allocate(user: Any) -> bool:
    """Starting an allocation or moving a seat: administrators and district reviewers."""
    return is_staff_member(user) and (is_administrator(user) or user.role in ALLOCATION_ROLES)


def districts_to_allocate(user: Any) -> QuerySet[District]:
    return scope.districts_in_scope(user) if may_allocate(user) else District.objects.none()


def sites_in_scope(user: Any) -> QuerySet[Site]:
    """The sites whose rooms, seats and sign-in sheets ``user`` sees."""
    return scope.sites_in_scope(user) if is_arrangement_staff(user) else Site.objects.none()
