"""The one staff scope rule, typed on ``User``: which applications and which finance records a staff
member sees. It lives in registration/ because every app may import it (DESIGN.md §2): review/scope.py
re-exports it beside the duties, the admin, the staff API, the exports and the selectors ask it, the
file selectors decide with it who sees a photo or a scan, and payments/selectors.py scopes orders,
payments, statements and discrepancies with it.

Least privilege, each role what its duty needs:
- applications (their content, photo and proof materials) are seen by those who confirm and review
  them: registration-point staff their point's, and their site's applications that chose no point
  (seed 003 line 781: confirmation "到所选考点或其下设报名点"; seed 002 line 62: the 报名点 is optional
  where the district confirms on site); site reviewers their site's; district reviewers their
  district's;
- finance records are seen by finance staff of their district, who see an application only as its
  order shows it (the candidate's name and 网报号), never its content, photo or materials;
- administrators (and superusers) see all of both;
- no one on staff sees an application its candidate never submitted: a draft in progress is the
  candidate's own, and so is one abandoned as such;
- candidates and strangers see nothing here. Out of scope is "not found", never "forbidden".

django-scopes (a scoped manager that refuses a query outside ``with scope(...)``) was weighed: its
scope is one tenant, while here one user's scope is a point *or* a site *or* a district *or* the
finance records, and the same rows are read unscoped by candidates, tasks and sweeps, each of which
would need ``scopes_disabled()``. One typed filter that every staff read starts from is kept instead.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from registration.choices import Role
from registration.models import Application, ApplicationEvent, District, RegistrationPoint, Site
from registration.models.application import ApplicationStatus
from registration.workflow import Action


class Area(StrEnum):
    """What a staff member looks at: the applications, or the money paid for them."""

    APPLICATIONS = "applications"
    FINANCE = "finance"


# Besides administrators, who work in both.
AREA_ROLES: dict[Area, frozenset[str]] = {
    Area.APPLICATIONS: frozenset({Role.POINT_STAFF, Role.SITE_REVIEWER, Role.DISTRICT_REVIEWER}),
    Area.FINANCE: frozenset({Role.FINANCE}),
}

# Filters that match no row and every row.
_NOTHING = Q(pk__in=[])
_EVERYTHING = Q()
# States an application reaches only through a submission; a draft or an abandoned one may never
# have been submitted, and is shown once its audit trail holds a submission.
_SUBMITTED_STATES = frozenset(ApplicationStatus.values) - {ApplicationStatus.DRAFT, ApplicationStatus.ABANDONED}


def is_staff_member(user: Any) -> bool:
    """Signed in, active, and staff (any role but candidate) or a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role != Role.CANDIDATE)


def is_administrator(user: Any) -> bool:
    return is_staff_member(user) and bool(user.is_administrator)


def works_in(user: Any, area: Area) -> bool:
    """Whether the user's role looks at ``area`` at all (which rows is ``area_filter``'s answer)."""
    return is_staff_member(user) and (is_administrator(user) or user.role in AREA_ROLES[area])


@dataclass(frozen=True)
class _Reach:
    """What a staff member's scope covers: everything, a district, a site, or a registration point
    (with its site's applications that chose no point, the site looked up in the same statement)."""

    everything: bool = False
    district_id: int | None = None
    site_id: int | None = None
    registration_point_id: int | None = None


def _reach(user: Any, area: Area) -> _Reach | None:
    """The one rule: what of ``area`` each role sees; ``None`` for nothing."""
    if not works_in(user, area):
        return None
    if is_administrator(user):
        return _Reach(everything=True)
    if user.role == Role.POINT_STAFF and user.registration_point_id:
        return _Reach(registration_point_id=user.registration_point_id)
    if user.role == Role.SITE_REVIEWER and user.site_id:
        return _Reach(site_id=user.site_id)
    if user.role in {Role.DISTRICT_REVIEWER, Role.FINANCE} and user.district_id:
        return _Reach(district_id=user.district_id)
    return None


def area_filter(user: Any, area: Area) -> Q:
    """The rows of ``area`` that ``user`` sees, as a filter over the row's own ``district_id`` (and,
    for applications, ``site_id`` and ``registration_point_id``); matches nothing out of the area."""
    parts = area_parts(user, area)
    return parts[0] if len(parts) == 1 else reduce(operator.or_, parts)


def area_parts(user: Any, area: Area) -> tuple[Q, ...]:
    """``area_filter`` as the filters whose union it is: two for registration-point staff (the
    point's rows, and the site's rows that chose no point), one for everyone else. A queue read part
    by part follows each part's index in order, where PostgreSQL reads the whole ``OR`` and sorts it."""
    reach = _reach(user, area)
    if reach is None:
        return (_NOTHING,)
    if reach.everything:
        return (_EVERYTHING,)
    if reach.registration_point_id is not None:
        # The point's site as a subquery: reading the point first was a query and a model of its own
        # on every request of its staff, a tenth of the queue's page (bench/staff_queue.py).
        point_site = Subquery(
            RegistrationPoint.objects.filter(pk=reach.registration_point_id).order_by().values("site_id")
        )
        return (
            Q(registration_point_id=reach.registration_point_id),
            Q(registration_point__isnull=True, site_id=point_site),
        )
    if reach.site_id is not None:
        return (Q(site_id=reach.site_id),)
    return (Q(district_id=reach.district_id),)


def sites_in_scope(user: Any) -> QuerySet[Site]:
    """The sites all of whose applications ``user`` sees (their rooms and seating, say): every site
    for administrators, a district reviewer's district's, a site reviewer's own; none for
    registration-point staff, who see one point's share of a site, nor outside the applications."""
    reach = _reach(user, Area.APPLICATIONS)
    if reach is None or reach.registration_point_id is not None:
        return Site.objects.none()
    if reach.everything:
        return Site.objects.all()
    if reach.site_id is not None:
        return Site.objects.filter(pk=reach.site_id)
    if reach.district_id is not None:
        return Site.objects.filter(city__district_id=reach.district_id)
    return Site.objects.none()


def districts_in_scope(user: Any) -> QuerySet[District]:
    """The districts all of whose applications ``user`` sees: every one for administrators, a
    district reviewer's own; none for anyone else."""
    reach = _reach(user, Area.APPLICATIONS)
    if reach is None:
        return District.objects.none()
    if reach.everything:
        return District.objects.all()
    if reach.district_id is not None:
        return District.objects.filter(pk=reach.district_id)
    return District.objects.none()


def applications_in_scope(user: Any) -> QuerySet[Application]:
    """The applications ``user`` may see; an empty queryset for finance, candidates and strangers."""
    if not works_in(user, Area.APPLICATIONS):
        return Application.objects.none()
    return Application.objects.filter(area_filter(user, Area.APPLICATIONS)).filter(_ever_submitted())


def application_scope_parts(user: Any, *, status: str = "") -> list[QuerySet[Application]]:
    """``applications_in_scope``, in ``status`` if one is given, as the querysets whose union it is,
    one for each of ``area_parts``. A status only a submission reaches needs no look at the audit
    trail for one."""
    if not works_in(user, Area.APPLICATIONS):
        return [Application.objects.none()]
    shown = Q(status=status) if status else Q()
    if status not in _SUBMITTED_STATES:
        shown &= _ever_submitted()
    return [Application.objects.filter(part, shown) for part in area_parts(user, Area.APPLICATIONS)]


def _ever_submitted() -> Q:
    submitted = ApplicationEvent.objects.filter(application=OuterRef("pk"), action=Action.SUBMIT.value)
    return Q(status__in=_SUBMITTED_STATES) | Q(Exists(submitted))


def application_in_scope(user: Any, application: Application) -> bool:
    """The same rule for a row already loaded (and locked): asked of the database, not written twice."""
    return applications_in_scope(user).filter(pk=application.pk).exists()
