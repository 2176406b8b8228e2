"""Names, not codes: the overview, the review page and the API's `labels` name every coded choice."""

import re

import pytest

from registration.models import Subject


@pytest.fixture
def saved(api, draft, sections):
    for key, body in sections.items():
        response = api.put(f"/api/v1/applications/{draft['id']}/sections/{key}/", body, format="json")
        assert response.status_code == 200, (key, response.json())
    return draft


def test_the_api_names_the_choices_beside_sections_that_keep_their_codes(api, saved, unit):
    body = api.get(f"/api/v1/applications/{saved['id']}/").json()
    assert body["sections"]["site"] == {"city": "SH01", "site": "SH0101", "registration_point": "SH010101"}
    assert body["sections"]["exam"]["specialty"] == "303"
    labels = body["labels"]
    assert labels["district"] == "上海"
    assert labels["site"] == {"city": "上海市区", "site": "上海第一考点", "registration_point": "上海第一报名点"}
    assert labels["exam"]["specialty"] == "303 内科学"
    assert labels["exam"]["subjects"] == ["基础知识", "相关专业知识", "专业知识", "专业实践能力"]
    assert labels["exam"]["practice_category"] == "临床执业医师"
    assert labels["basic"]["gender"] == "男"
    assert labels["education"]["degree_record"] == "本科 · 复旦大学上海医学院 · 临床医学 · 2012-07"
    assert labels["work"]["unit"] == unit.name
    assert labels["contact"] == {}


def test_a_section_read_and_written_back_unchanged_still_saves(api, saved):
    """The labels sit beside the sections, so a client that echoes a section back keeps working."""
    body = api.get(f"/api/v1/applications/{saved['id']}/").json()
    for key in ("site", "basic", "work"):
        echoed = {name: value for name, value in body["sections"][key].items() if name != "unit_name"}
        response = api.put(f"/api/v1/applications/{saved['id']}/sections/{key}/", echoed, format="json")
        assert response.status_code == 200, (key, response.json())


def test_unsaved_sections_have_no_labels(api, draft):
    labels = api.get(f"/api/v1/applications/{draft['id']}/").json()["labels"]
    assert labels == {"district": "上海", "site": None, "basic": None, "contact": None,
                      "exam": None, "education": None, "work": None}  # fmt: skip


def test_labels_follow_the_language_asked_for(api, saved):
    # The reference data's English column (reference/subjects.csv name_en).
    Subject.objects.filter(code="1").update(name_en="Basic knowledge")
    labels = api.get(f"/api/v1/applications/{saved['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()["labels"]
    assert labels["exam"]["subjects"][0] == "Basic knowledge"
    assert labels["basic"]["ethnicity"] == "Han"
    assert labels["basic"]["gender"] == "Male"
    assert labels["work"]["unit_nature"] == "Health care"


@pytest.mark.parametrize("page", ["", "review/"])
def test_overview_and_review_show_names_not_codes(client, candidate, saved, page):
    client.force_login(candidate)
    html = client.get(f"/applications/{saved['id']}/{page}").content.decode()
    summaries = "".join(re.findall(r'<section class="card summary".*?</section>', html, flags=re.S))
    for name in ("上海市区", "上海第一考点", "上海第一报名点", "303 内科学", "基础知识、相关专业知识", "临床执业医师"):
        assert name in summaries
    for code in ("SH01", "SH0101", "SH010101"):
        assert f"<dd>{code}</dd>" not in summaries
    assert "<dd>303</dd>" not in summaries


def test_overview_in_english_names_the_choices_in_english(client, candidate, saved):
    client.force_login(candidate)
    client.cookies["django_language"] = "en"
    html = client.get(f"/applications/{saved['id']}/").content.decode()
    assert "<dd>Han</dd>" in html and "<dd>Healthy</dd>" in html and "<dd>Male</dd>" in html
    assert "汉族" not in html
