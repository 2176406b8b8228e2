"""Every staff role × an application in / out of its scope × every staff endpoint and the admin change page.

In scope and the role does the operation: 200. Out of scope: 404, never a hint that it exists. A role
that does not do the operation: 403 wherever the application is. A candidate's token: 403 everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from registration.models import Application
from tests.review.conftest import make_candidate, token_client

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # with {id}
    status: str  # the state the application is put in so that the operation can succeed
    body: dict[str, Any] | None
    roles: frozenset[str]  # who does it (besides the administrator)


# Finance staff look at orders and payments, not at applications (registration.scope): 403 here.
VIEWERS = frozenset({"sh_point", "sh_site", "sh_district"})
# Seed 003 line 781: confirmation "到所选考点或其下设报名点": the point and its site both confirm.
CONFIRMERS = frozenset({"sh_point", "sh_site"})
ENDPOINTS = [
    Endpoint("detail", "get", "/api/v1/staff/applications/{id}/", "submitted", None, VIEWERS),
    Endpoint("confirm", "post", "/api/v1/staff/applications/{id}/confirm/", "submitted", {}, CONFIRMERS),
    Endpoint(
        "reject",
        "post",
        "/api/v1/staff/applications/{id}/reject/",
        "submitted",
        {"reasons": ["education_mismatch"], "note": "学历证书不清晰"},
        CONFIRMERS,
    ),
    Endpoint(
        "confirm_by_code",
        "post",
        "/api/v1/staff/confirm-by-code/",
        "submitted",
        {"number": "{number}", "verification_code": "{code}"},
        CONFIRMERS,
    ),
    Endpoint(
        "review_site",
        "post",
        "/api/v1/staff/applications/{id}/review/",
        "confirmed",
        {"stage": "site", "decision": "approve"},
        frozenset({"sh_site"}),
    ),
    Endpoint(
        "review_district",
        "post",
        "/api/v1/staff/applications/{id}/review/",
        "site_approved",
        {"stage": "district", "decision": "reject", "reasons": ["insufficient_years"]},
        frozenset({"sh_district"}),
    ),
    Endpoint(
        "reopen",
        "post",
        "/api/v1/staff/applications/{id}/reopen/",
        "review_rejected",
        {"note": "补充材料后复核"},
        frozenset({"sh_district"}),
    ),
    Endpoint(
        "declaration",
        "put",
        "/api/v1/staff/applications/{id}/eligibility-declaration/",
        "submitted",
        {"policies": ["frontline_epidemic"], "post_changed_on": None},
        frozenset({"sh_point", "sh_site", "sh_district"}),
    ),
]

# Each role, and where an application is outside its scope (the administrator has no outside).
ROLES_OUTSIDE = {"sh_point": "p2", "sh_site": "p3", "sh_district": "bj1", "sh_finance": "bj1", "admin": None}
CASES = [
    (role, where, endpoint)
    for role, outside in ROLES_OUTSIDE.items()
    for where in (["inside", "outside"] if outside else ["inside"])
    for endpoint in ENDPOINTS
]


def _call(client, endpoint: Endpoint, application: Application):
    body = endpoint.body
    if body is not None:
        body = {
            key: value.format(number=application.number, code=application.verification_code)
            if isinstance(value, str)
            else value
            for key, value in body.items()
        }
    path = endpoint.path.format(id=application.pk)
    return getattr(client, endpoint.method)(path, body, format="json") if body is not None else client.get(path)


@pytest.mark.parametrize(("role", "where", "endpoint"), CASES, ids=lambda value: getattr(value, "name", value))
def test_staff_endpoint_answers_by_role_and_scope(world, role, where, endpoint):
    point = world.p1 if where == "inside" else getattr(world, ROLES_OUTSIDE[role])
    application = world.make_application(point=point, status=endpoint.status)

    response = _call(token_client(world.staff[role]), endpoint, application)

    allowed = role == "admin" or role in endpoint.roles
    expected = (200 if where == "inside" else 404) if allowed else 403
    assert response.status_code == expected, response.json()
    if expected == 404:
        assert response.json()["code"] == "not_found"
    if expected != 200:
        application.refresh_from_db()
        assert application.status == endpoint.status


@pytest.mark.parametrize("role", [role for role in ROLES_OUTSIDE if role in VIEWERS | {"admin"}])
def test_the_list_holds_exactly_the_roles_scope(world, role):
    applications = {name: world.make_application(point=getattr(world, name)) for name in ("p1", "p2", "p3", "bj1")}
    visible = {
        "sh_point": {"p1"},
        "sh_site": {"p1", "p2"},
        "sh_district": {"p1", "p2", "p3"},
        "admin": {"p1", "p2", "p3", "bj1"},
    }[role]

    body = token_client(world.staff[role]).get("/api/v1/staff/applications/").json()

    assert {row["id"] for row in body["results"]} == {applications[name].pk for name in visible}
    assert body["count"] == len(visible)


@pytest.mark.parametrize(
    ("role", "where"),
    [(role, "inside") for role in ROLES_OUTSIDE if role in VIEWERS | {"admin"}]
    + [(role, "outside") for role, outside in ROLES_OUTSIDE.items() if outside and role in VIEWERS],
)
def test_the_admin_change_page_answers_in_scope_and_404_outside(world, client, role, where):
    point = world.p1 if where == "inside" else getattr(world, ROLES_OUTSIDE[role])
    application = world.make_application(point=point)
    client.force_login(world.staff[role])

    response = client.get(reverse("admin:registration_application_change", args=[application.pk]))

    assert response.status_code == (200 if where == "inside" else 404)
    if where == "inside":
        assert application.number in response.content.decode()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_a_candidate_token_is_403_on_every_staff_endpoint_even_for_their_own_application(world, endpoint):
    candidate = make_candidate()
    application = world.make_application(status=endpoint.status, candidate=candidate)

    response = _call(token_client(candidate), endpoint, application)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert token_client(candidate).get("/api/v1/staff/applications/").status_code == 403


def test_without_credentials_staff_endpoints_are_401(world, client):
    application = world.make_application()
    assert client.get("/api/v1/staff/applications/").status_code == 401
    assert client.post(f"/api/v1/staff/applications/{application.pk}/confirm/").status_code == 401
