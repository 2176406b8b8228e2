"""The 考点信息 section says whether a 报名点 is needed in the district.

Seed 002 line 62: "采用线上确认的考区(天津、上海、新疆兵团)，考生在填写考点信息时还须选择报名点。"
"""

from __future__ import annotations

import re

import pytest

from tests.applications.conftest import token_client

pytestmark = pytest.mark.django_db


def point_label(html: str) -> str:
    match = re.search(r'<div class="field[^"]*" data-field="registration_point">.*?</div>', html, re.S)
    assert match, html
    return match.group(0)


@pytest.fixture
def browser(client, candidate):
    client.force_login(candidate)
    return client


def _create(candidate, exam, district: str, api=None) -> int:
    response = (api or token_client(candidate)).post(
        "/api/v1/applications/", {"exam": exam.pk, "district": district, "pledge_accepted": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_an_online_district_marks_the_point_required(browser, candidate, exam, shanghai):
    application_id = _create(candidate, exam, "SH")

    field = point_label(browser.get(f"/applications/{application_id}/sections/site/").content.decode())

    assert '<span class="required">*</span>' in field
    assert "可不选报名点" not in field


def test_an_on_site_district_says_the_point_is_optional(browser, candidate, exam, beijing):
    application_id = _create(candidate, exam, "BJ")

    field = point_label(browser.get(f"/applications/{application_id}/sections/site/").content.decode())

    assert '<span class="required">*</span>' not in field
    assert "本考区现场确认，可不选报名点" in field


def test_without_a_point_an_online_district_refuses_and_an_on_site_one_saves(candidate, exam, shanghai, beijing):
    api = token_client(candidate)
    sh = _create(candidate, exam, "SH", api)

    refused = api.put(f"/api/v1/applications/{sh}/sections/site/", {"city": "SH01", "site": "SH0101"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["fields"]["registration_point"] == ["本考区网上确认，请选择报名点。"]
    api.post(f"/api/v1/applications/{sh}/change-district/", {"district": "BJ"}, format="json")
    saved = api.put(f"/api/v1/applications/{sh}/sections/site/", {"city": "BJ01", "site": "BJ0101"}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["sections"]["site"] == {"city": "BJ01", "site": "BJ0101", "registration_point": None}
