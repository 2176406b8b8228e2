"""The 《考生诚信考试承诺书》 in every channel: submission refuses an application without it (409
``pledge_required``), on the pages and over the API alike; the API takes it at creation or later."""

from __future__ import annotations

import pytest

from registration.models import Application, ApplicationEvent

pytestmark = pytest.mark.django_db


def url(application_id, tail=""):
    return f"/api/v1/applications/{application_id}/{tail}"


@pytest.fixture
def unpledged(complete):
    """A complete application whose pledge was never accepted (opened over the API without it)."""
    Application.objects.filter(pk=complete["id"]).update(pledge_accepted_at=None)
    return complete


def test_creation_records_the_pledge_or_its_absence(api, exam, shanghai, beijing, other_candidate):
    from tests.applications.conftest import token_client

    with_pledge = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "SH", "pledge_accepted": True})
    without = token_client(other_candidate).post(
        "/api/v1/applications/", {"exam": exam.pk, "district": "BJ"}, format="json"
    )

    assert with_pledge.json()["pledge_accepted"] is True
    assert without.json()["pledge_accepted"] is False
    assert Application.objects.get(pk=without.json()["id"]).pledge_accepted_at is None


@pytest.mark.parametrize("value", ["maybe", [], {"yes": 1}])
def test_a_pledge_that_is_not_a_boolean_is_400(api, exam, shanghai, value):
    response = api.post(
        "/api/v1/applications/", {"exam": exam.pk, "district": "SH", "pledge_accepted": value}, format="json"
    )

    assert response.status_code == 400
    assert "pledge_accepted" in response.json()["fields"]
    assert not Application.objects.exists()


def test_submission_without_the_pledge_is_409_and_changes_nothing(api, unpledged):
    response = api.post(url(unpledged["id"], "submit/"))

    assert response.status_code == 409
    assert response.json()["code"] == "pledge_required"
    assert "考生诚信考试承诺书" in response.json()["message"]
    assert Application.objects.get().status == "draft"


def test_the_pledge_endpoint_accepts_it_once_and_then_submission_goes_through(api, unpledged):
    first = api.post(url(unpledged["id"], "pledge/"))
    again = api.post(url(unpledged["id"], "pledge/"))

    assert first.status_code == 200 and first.json()["pledge_accepted"] is True
    assert again.status_code == 200
    assert ApplicationEvent.objects.filter(action="accept_pledge").count() == 1
    assert api.post(url(unpledged["id"], "submit/")).json()["status"] == "submitted"


def test_the_pledge_of_someone_elses_application_is_404(unpledged, other_candidate):
    from tests.applications.conftest import token_client

    response = token_client(other_candidate).post(url(unpledged["id"], "pledge/"))

    assert response.status_code == 404
    assert Application.objects.get().pledge_accepted_at is None


def test_the_pledge_cannot_be_given_once_past_submission(api, unpledged):
    Application.objects.filter(pk=unpledged["id"]).update(status="confirmed")

    response = api.post(url(unpledged["id"], "pledge/"))

    assert response.status_code == 409
    assert Application.objects.get().pledge_accepted_at is None


class TestPages:
    @pytest.fixture
    def browser(self, client, candidate):
        client.force_login(candidate)
        return client

    def test_the_review_page_asks_for_the_pledge_and_submission_refuses_without_it(self, browser, unpledged):
        page = browser.get(f"/applications/{unpledged['id']}/review/").content.decode()
        assert 'name="pledge"' in page

        refused = browser.post(f"/applications/{unpledged['id']}/submit/", follow=True)

        assert "请先阅读并同意《考生诚信考试承诺书》" in refused.content.decode()
        assert Application.objects.get().status == "draft"

    def test_ticking_the_pledge_on_the_review_page_submits(self, browser, unpledged):
        browser.post(f"/applications/{unpledged['id']}/submit/", {"pledge": "on"})

        application = Application.objects.get()
        assert application.status == "submitted"
        assert application.pledge_accepted_at is not None

    def test_an_application_opened_with_the_pledge_is_not_asked_again(self, browser, complete):
        page = browser.get(f"/applications/{complete['id']}/review/").content.decode()
        assert 'name="pledge"' not in page
