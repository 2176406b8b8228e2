"""Who confirms on site: an application without a 报名点 is confirmed by its site or by any registration
point under that site; one with a point, by that point or its site. Everyone else: 404.

Seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试";
seed 002 line 41: "经报名点或考点确认报名信息后，'报名确认'节点变为绿色";
seed 002 line 62: only online-confirmation districts make the candidate choose a 报名点.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from registration.choices import Role
from registration.models import Application, City, RegistrationPoint, Site
from registration.services.staff import staff_user_upsert
from review.models import Job
from tests.review.conftest import STAFF_PASSWORD, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def beijing(world):
    """Beyond the world's BJ site (point BJ1): a second point under it, and a second site with its own point."""
    bj2 = RegistrationPoint.objects.create(site=world.bj_site, code="BJ010102", name="东城报名点二")
    other_city = City.objects.create(district=world.bj, code="BJ02", name="西城区")
    other_site = Site.objects.create(city=other_city, code="BJ0201", name="西城区考点")
    other_point = RegistrationPoint.objects.create(site=other_site, code="BJ020101", name="西城报名点")
    staff = {
        "bj_point": world.staff["bj_point"],
        "bj_point2": staff_user_upsert(username="bj_point2", role=Role.POINT_STAFF, scope=bj2, password=STAFF_PASSWORD),
        "bj_site": staff_user_upsert(
            username="bj_site", role=Role.SITE_REVIEWER, scope=world.bj_site, password=STAFF_PASSWORD
        ),
        "bj_other_point": staff_user_upsert(
            username="bj_other_point", role=Role.POINT_STAFF, scope=other_point, password=STAFF_PASSWORD
        ),
        "bj_other_site": staff_user_upsert(
            username="bj_other_site", role=Role.SITE_REVIEWER, scope=other_site, password=STAFF_PASSWORD
        ),
        "bj_district": world.staff["bj_district"],
    }
    return staff


def without_point(world, **fields):
    """A Beijing application at the BJ site that chose no 报名点."""
    return world.make_application(point=world.bj1, registration_point=None, **fields)


# Who may confirm: every point under the site and the site itself for an application without a point;
# the chosen point and its site for one with a point.
WITHOUT_POINT = {"bj_point": 200, "bj_point2": 200, "bj_site": 200, "bj_other_point": 404, "bj_other_site": 404}
WITH_POINT = {"bj_point": 200, "bj_point2": 404, "bj_site": 200, "bj_other_point": 404, "bj_other_site": 404}


@pytest.mark.parametrize(("name", "expected"), WITHOUT_POINT.items())
def test_confirm_an_application_without_a_point(world, beijing, name, expected):
    application = without_point(world)

    response = token_client(beijing[name]).post(f"/api/v1/staff/applications/{application.pk}/confirm/")

    assert response.status_code == expected, response.json()
    application.refresh_from_db()
    assert application.status == ("confirmed" if expected == 200 else "submitted")
    if expected == 404:
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("name", "expected"), WITH_POINT.items())
def test_confirm_an_application_with_a_point(world, beijing, name, expected):
    application = world.make_application(point=world.bj1)

    response = token_client(beijing[name]).post(f"/api/v1/staff/applications/{application.pk}/confirm/")

    assert response.status_code == expected, response.json()
    application.refresh_from_db()
    assert application.status == ("confirmed" if expected == 200 else "submitted")


@pytest.mark.parametrize(("name", "expected"), WITHOUT_POINT.items())
def test_reject_an_application_without_a_point(world, beijing, name, expected):
    application = without_point(world)

    response = token_client(beijing[name]).post(
        f"/api/v1/staff/applications/{application.pk}/reject/",
        {"reasons": ["missing_materials"], "note": "缺毕业证书原件"},
        format="json",
    )

    assert response.status_code == expected, response.json()
    application.refresh_from_db()
    assert application.status == ("confirmation_rejected" if expected == 200 else "submitted")


@pytest.mark.parametrize(("name", "expected"), WITHOUT_POINT.items())
def test_confirm_by_code_an_application_without_a_point(world, beijing, name, expected):
    application = without_point(world)

    response = token_client(beijing[name]).post(
        "/api/v1/staff/confirm-by-code/",
        {"number": application.number, "verification_code": application.verification_code},
        format="json",
    )

    assert response.status_code == expected, response.json()
    application.refresh_from_db()
    assert application.status == ("confirmed" if expected == 200 else "submitted")


def test_a_point_lists_its_own_and_its_sites_applications_without_a_point_only(world, beijing):
    own = world.make_application(point=world.bj1)
    pointless = without_point(world)
    world.make_application(point=RegistrationPoint.objects.get(code="BJ010102"))
    world.make_application(point=RegistrationPoint.objects.get(code="BJ020101"), registration_point=None)

    body = token_client(beijing["bj_point"]).get("/api/v1/staff/applications/").json()

    assert {row["id"] for row in body["results"]} == {own.pk, pointless.pk}


def test_the_district_reviewer_does_not_confirm(world, beijing):
    application = without_point(world)

    response = token_client(beijing["bj_district"]).post(f"/api/v1/staff/applications/{application.pk}/confirm/")

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "expected"), [("bj_point2", "confirmed"), ("bj_other_point", "submitted")])
def test_bulk_confirm_takes_the_applications_without_a_point_of_the_site(
    world, beijing, name, expected, django_capture_on_commit_callbacks
):
    application = without_point(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(beijing[name]).post(
            "/api/v1/staff/applications/bulk-confirm/", {"applications": [application.pk]}, format="json"
        )

    application.refresh_from_db()
    assert application.status == expected
    if expected == "confirmed":
        assert response.status_code == 202
        assert Job.objects.get(pk=response.json()["id"]).succeeded == 1
    else:
        assert response.status_code == 400


class TestAdmin:
    def test_a_point_under_the_site_confirms_from_the_detail_page(self, world, beijing, client):
        application = without_point(world)
        client.force_login(beijing["bj_point2"])

        page = client.get(reverse("admin:registration_application_change", args=[application.pk]))
        assert 'data-kind="confirm"' in page.content.decode()
        response = client.post(reverse("admin:registration_application_decide", args=[application.pk, "confirm"]))

        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == "confirmed"

    def test_a_point_of_another_site_gets_404(self, world, beijing, client):
        application = without_point(world)
        client.force_login(beijing["bj_other_point"])

        assert client.get(reverse("admin:registration_application_change", args=[application.pk])).status_code == 404
        response = client.post(reverse("admin:registration_application_decide", args=[application.pk, "confirm"]))

        assert response.status_code == 404
        application.refresh_from_db()
        assert application.status == "submitted"

    def test_the_site_confirms_by_scanning_the_form(self, world, beijing, client):
        application = without_point(world)
        client.force_login(beijing["bj_site"])

        response = client.post(
            reverse("admin:registration_application_confirm_by_code"),
            {"number": application.number, "verification_code": application.verification_code},
        )

        assert response.status_code == 200
        assert response.context["outcome"]["ok"] is True
        application.refresh_from_db()
        assert application.status == "confirmed"

    def test_the_site_rejects_a_selection(self, world, beijing, client):
        application = without_point(world)
        client.force_login(beijing["bj_site"])

        client.post(
            reverse("admin:registration_application_changelist"),
            {
                "action": "reject_selected",
                ACTION_CHECKBOX_NAME: [application.pk],
                "apply": "1",
                "reasons": ["unclear_materials"],
                "note": "",
            },
        )

        assert Application.objects.get(pk=application.pk).status == "confirmation_rejected"
