"""On-site confirmation by 网报号 + 验证码: the current code confirms, an old one is a stale form (409)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registration.models import Application, ApplicationEvent
from review.models import IssuedCode
from tests.review.conftest import fill_through_api, make_candidate, token_client

pytestmark = pytest.mark.django_db

BY_CODE = "/api/v1/staff/confirm-by-code/"


@pytest.fixture
def printed_twice(world, django_capture_on_commit_callbacks):
    """A BJ candidate printed the form, changed the contact section (a new code), then submitted."""
    candidate = make_candidate()
    own = token_client(candidate)
    with django_capture_on_commit_callbacks(execute=True):
        application_id = fill_through_api(world, own, candidate, district="BJ", point=world.bj1)
        first_code = Application.objects.get(pk=application_id).verification_code
        own.put(
            f"/api/v1/applications/{application_id}/sections/contact/",
            {"address": "北京市东城区东单北大街1号", "postcode": "100005", "mobile": "13812341234"},
            format="json",
        )
        assert own.post(f"/api/v1/applications/{application_id}/submit/").status_code == 200
    application = Application.objects.get(pk=application_id)
    assert application.verification_code != first_code
    return application, first_code


def test_every_issued_code_is_remembered(printed_twice):
    application, first_code = printed_twice
    codes = set(IssuedCode.objects.filter(application=application).values_list("code", flat=True))
    assert {first_code, application.verification_code} <= codes
    assert len(codes) == 8  # the one given at creation, six sections saved, then the contact section again


def test_the_current_code_confirms_and_says_how_in_the_audit(printed_twice, api_as):
    application, _first_code = printed_twice

    response = api_as("bj_point").post(
        BY_CODE, {"number": application.number, "verification_code": application.verification_code}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    event = ApplicationEvent.objects.filter(application=application).latest("id")
    assert (event.action, event.reason) == ("confirm", "现场确认（网报号 + 验证码）")


def test_an_old_code_is_a_stale_form_409_and_confirms_nothing(printed_twice, api_as):
    application, first_code = printed_twice

    response = api_as("bj_point").post(
        BY_CODE, {"number": application.number, "verification_code": first_code}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_form"
    assert response.json()["message"].startswith("报名表不是最新版本")
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_code_never_issued_is_400_wrong_code(printed_twice, api_as):
    application, _first_code = printed_twice

    response = api_as("bj_point").post(
        BY_CODE, {"number": application.number, "verification_code": "0000000"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "wrong_code"
    assert "验证码不正确" in response.json()["message"]


def test_a_number_not_in_the_scope_is_404_with_the_number_named(printed_twice, api_as):
    application, _first_code = printed_twice
    for number in [application.number, "99999999"]:
        response = api_as("sh_point").post(
            BY_CODE, {"number": number, "verification_code": application.verification_code}, format="json"
        )
        assert response.status_code == 404
        assert number in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "", "verification_code": "1234567"}, "number"),
        ({"number": "12345678", "verification_code": " "}, "verification_code"),
        ({"number": "12345678"}, "verification_code"),
        ({"number": "12345678", "verification_code": "1234567", "name": "x"}, "name"),
    ],
)
def test_missing_or_unknown_fields_are_400(world, api_as, body, field):
    response = api_as("bj_point").post(BY_CODE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_confirming_by_code_twice_is_409(printed_twice, api_as):
    application, _first_code = printed_twice
    body = {"number": application.number, "verification_code": application.verification_code}
    api = api_as("bj_point")
    assert api.post(BY_CODE, body, format="json").status_code == 200
    assert api.post(BY_CODE, body, format="json").json()["code"] == "invalid_state"


class TestScannerPage:
    def page(self):
        return reverse("admin:registration_application_confirm_by_code")

    def test_a_scan_of_number_and_code_confirms(self, client, world, printed_twice):
        application, _first_code = printed_twice
        client.force_login(world.staff["bj_point"])

        response = client.post(self.page(), {"scan": f"{application.number}{application.verification_code}"})

        assert response.status_code == 200
        assert 'data-code="confirmed"' in response.content.decode()
        application.refresh_from_db()
        assert application.status == "confirmed"

    def test_a_scan_of_the_stale_form_says_so(self, client, world, printed_twice):
        application, first_code = printed_twice
        client.force_login(world.staff["bj_point"])

        response = client.post(self.page(), {"scan": f"{application.number} {first_code}"})

        page = response.content.decode()
        assert 'data-code="stale_form"' in page
        assert "报名表不是最新版本" in page
        application.refresh_from_db()
        assert application.status == "submitted"

    def test_typed_number_and_code_work_too_and_garbage_is_refused(self, client, world, printed_twice):
        application, _first_code = printed_twice
        client.force_login(world.staff["bj_point"])

        garbage = client.post(self.page(), {"scan": "ABC-12"})
        assert "无法识别条形码内容" in garbage.content.decode()
        typed = client.post(
            self.page(), {"number": application.number, "verification_code": application.verification_code}
        )
        assert 'data-code="confirmed"' in typed.content.decode()

    def test_the_page_is_for_staff_who_confirm(self, client, world):
        """Seed 003 line 781: confirmation happens "到所選考點或其下設報名點", so points and sites scan; the
        district reviews and does not."""
        client.force_login(world.staff["sh_district"])
        assert client.get(self.page()).status_code == 403
