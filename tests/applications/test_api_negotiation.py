"""The API answers JSON whatever a client's ``Accept`` asks (wecan/negotiation.py); a view offering
more than one form (the schema) still answers the one asked for."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_client_asking_for_html_gets_the_json_every_client_gets(api, draft):
    url = f"/api/v1/applications/{draft['id']}/"
    as_json = api.get(url, HTTP_ACCEPT="application/json")

    as_html = api.get(url, HTTP_ACCEPT="text/html")

    assert as_html.status_code == as_json.status_code == 200
    assert as_html["Content-Type"] == as_json["Content-Type"] == "application/json"
    assert as_html.content == as_json.content


def test_an_error_is_json_whatever_was_asked_for():
    response = APIClient().get("/api/v1/applications/", HTTP_ACCEPT="text/html")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_schema_answers_in_the_form_asked_for():
    client = APIClient()

    assert client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")["Content-Type"].startswith(
        "application/vnd.oai.openapi+json"
    )
    assert client.get("/api/schema/?format=json").json()["openapi"].startswith("3.")
    assert client.get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
