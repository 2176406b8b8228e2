"""Findings: unknown /api/ paths answered with Django's HTML 404, and admin export URLs with malformed
filter values were 500s. Now the JSON error body, and the export answers as the list does."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

EXPORT = "/admin/registration/application/export/{format}/"
CHANGELIST = "/admin/registration/application/"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing/",
        "/api/v1/applications/not-a-number/",
        "/api/v1/staff/applications/1/no-such-action/",
        "/api/v2/applications/",
        "/api/",
    ],
)
def test_an_unknown_api_path_answers_404_with_the_json_error_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": response.json()["message"]}
    assert response.json()["message"]


def test_an_unknown_api_path_is_json_with_a_token_and_for_every_method(api):
    for method in ("get", "post", "put", "delete"):
        response = getattr(api, method)("/api/v1/applications/1/sections/site/extra/")
        assert response.status_code == 404 and response.json()["code"] == "not_found", method


def test_an_unknown_page_keeps_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "query",
    [
        "submitted_at__gte=not-a-date",
        "registration_point__id__exact=abc",
        "specialty__id__exact=1e9999",
        "resubmission_count__gt=many",
        "p=-3",
    ],
)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_with_malformed_filter_values_answers_like_the_changelist(client, world, query, file_format):
    client.force_login(world.staff["sh_district"])
    world.make_application()
    listed = client.get(f"{CHANGELIST}?{query}")
    exported = client.get(f"{EXPORT.format(format=file_format)}?{query}")
    assert exported.status_code == listed.status_code
    if listed.status_code == 302:
        assert exported.status_code == 302 and exported["Location"] == f"{CHANGELIST}?e=1"
        assert client.get(exported["Location"]).status_code == 200
    else:
        assert exported.status_code == 200


def test_an_export_still_refuses_malformed_values_with_the_error_page_once_flagged(client, world):
    client.force_login(world.staff["sh_district"])
    listed = client.get(f"{CHANGELIST}?submitted_at__gte=not-a-date&e=1")
    exported = client.get(f"{EXPORT.format(format='csv')}?submitted_at__gte=not-a-date&e=1")
    assert listed.status_code == exported.status_code == 200
    assert "admin/invalid_setup.html" in [template.name for template in exported.templates]
