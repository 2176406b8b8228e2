"""Who may use what certificates keeps: the one place its admin, API and services ask.

Scores and certificates are national data, for the exam administrator (and superusers) only. The
exam arrangement is run by the administrator for any district and by a district's reviewer for
theirs; a site's reviewer also sees its rooms' sign-in sheets and lists. The rule follows the
staff scopes of DESIGN.md §1 (``review.scope`` holds the same rule for applications, which this app
cannot import); a district, site or room outside the caller's scope is "not found".
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from registration.choices import Role
from registration.models import District, Site


def is_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff and user.is_administrator)


def is_arrangement_staff(user: Any) -> bool:
    """The roles that work on the arrangement at all (the scope is checked separately)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_administrator or user.role in {Role.DISTRICT_REVIEWER, Role.SITE_REVIEWER})


def may_allocate(user: Any) -> bool:
    """Starting an allocation or moving a seat: administrators and district reviewers."""
    if not is_arrangement_staff(user):
        return False
    return bool(user.is_administrator or user.role == Role.DISTRICT_REVIEWER)


def districts_to_allocate(user: Any) -> QuerySet[District]:
    if not may_allocate(user):
        return District.objects.none()
    if user.is_administrator:
        return District.objects.all()
    return District.objects.filter(pk=user.district_id)


def sites_in_scope(user: Any) -> QuerySet[Site]:
    """The sites whose rooms, seats and sign-in sheets ``user`` sees."""
    if not is_arrangement_staff(user):
        return Site.objects.none()
    if user.is_administrator:
        return Site.objects.all()
    if user.role == Role.DISTRICT_REVIEWER and user.district_id:
        return Site.objects.filter(city__district_id=user.district_id)
    if user.role == Role.SITE_REVIEWER and user.site_id:
        return Site.objects.filter(pk=user.site_id)
    return Site.objects.none()
