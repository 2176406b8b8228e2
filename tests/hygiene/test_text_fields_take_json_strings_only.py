"""Finding: a lone surrogate in a text field was a 500 (psycopg2), and numbers, lists and objects were
stored as their Python repr. API.md v1.1: "Text fields accept JSON strings only: a number, list,
object, or a string with a lone surrogate is 400 with `fields`, never stored and never a 500."
"""

from __future__ import annotations

import json

import pytest

from registration.models import Application, DegreeRecord

# Fields that take a whole number (or, for ``unit``, null); every other field of a section takes text.
NUMBER_FIELDS = {"degree_record", "unit", "years_in_specialty"}
LONE_SURROGATE = "\ud800"


def bad_values(field: str, good) -> list:
    if field == "subjects":
        return [1, "1", {"code": "1"}, [1, 2], ["1", ["2"]], [f"1{LONE_SURROGATE}"]]
    values = [["甲", "乙"], {"value": "甲"}, f"甲{LONE_SURROGATE}乙", LONE_SURROGATE, True]
    if field not in NUMBER_FIELDS:
        values += [123, 12.5]
    return values


def put_raw(api, url: str, body: dict):
    # json.dumps writes a lone surrogate as the escape "\ud800", as a hostile client would.
    return api.generic("PUT", url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("section", ["site", "basic", "contact", "exam", "education", "work"])
def test_a_wrongly_typed_or_undecodable_value_is_400_with_fields_and_nothing_is_stored(api, draft, sections, section):
    url = f"/api/v1/applications/{draft['id']}/sections/{section}/"
    before = Application.objects.values().get(pk=draft["id"])
    refused = 0
    for field, good in sections[section].items():
        for value in bad_values(field, good):
            response = put_raw(api, url, {**sections[section], field: value})
            assert response.status_code == 400, (field, value, response.content)
            body = response.json()
            assert body["code"] == "invalid" and field in body["fields"], (field, value, body)
            refused += 1
    assert refused >= 3 * len(sections[section])
    assert Application.objects.values().get(pk=draft["id"]) == before
    assert api.get(f"/api/v1/applications/{draft['id']}/").json()["sections"][section] is None

    # The same body with proper values is taken, so the refusals above were about the values alone.
    assert put_raw(api, url, sections[section]).status_code == 200


@pytest.mark.django_db
def test_a_number_is_not_stored_as_its_repr_in_a_text_field(api, draft, sections):
    url = f"/api/v1/applications/{draft['id']}/sections/education/"
    response = put_raw(api, url, {**sections["education"], "work_experience": {"years": 11}})
    assert response.status_code == 400
    assert Application.objects.get(pk=draft["id"]).work_experience == ""


@pytest.mark.django_db
def test_every_refused_field_is_named_at_once(api, draft, sections):
    body = {**sections["contact"], "address": ["上海"], "mobile": 13812341234, "postcode": 200030}
    response = put_raw(api, f"/api/v1/applications/{draft['id']}/sections/contact/", body)
    assert response.status_code == 400
    assert {"address", "mobile", "postcode"} <= set(response.json()["fields"])


@pytest.mark.django_db
def test_a_lone_surrogate_anywhere_in_an_api_body_is_400_not_500(api, draft):
    """Outside the sections too: the degree records, a key of the body, a nested value."""
    degree = {
        "education": "本科",
        "certificate_number": f"1042{LONE_SURROGATE}",
        "school": "复旦大学",
        "graduation_date": "2012-07-01",
        "training_mode": "全日制",
        "major": "临床医学",
        "degree": "学士",
    }
    response = api.generic("POST", "/api/v1/me/degrees/", json.dumps(degree), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"certificate_number": [response.json()["fields"]["certificate_number"][0]]}
    assert not DegreeRecord.objects.filter(school="复旦大学").exists()

    response = put_raw(api, f"/api/v1/applications/{draft['id']}/sections/site/", {f"city{LONE_SURROGATE}": "SH01"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["city\\ud800"]

    response = api.generic(
        "POST",
        "/api/v1/auth/token/",
        json.dumps({"login": f"zhangsan{LONE_SURROGATE}", "password": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "login" in response.json()["fields"]


@pytest.mark.django_db
def test_the_pages_still_save_a_section_from_their_form(client, candidate, draft, sections):
    client.force_login(candidate)
    response = client.post(f"/applications/{draft['id']}/sections/contact/", sections["contact"])
    assert response.status_code in {200, 302}
    assert Application.objects.get(pk=draft["id"]).address == sections["contact"]["address"]
