"""Names, not codes: the overview, the review page and the API's `labels` name every coded choice."""

import json
import re

import pytest

from registration.models import Specialty, Subject


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
    # Chinese first: the names each language gives are kept per language, not for whichever came first.
    chinese = api.get(f"/api/v1/applications/{saved['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["labels"]
    labels = api.get(f"/api/v1/applications/{saved['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()["labels"]
    assert (chinese["basic"]["ethnicity"], chinese["basic"]["gender"]) == ("汉族", "男")
    assert chinese["education"]["degree_record"].startswith("本科 · ")
    assert labels["exam"]["subjects"][0] == "Basic knowledge"
    assert labels["basic"]["ethnicity"] == "Han"
    assert labels["basic"]["gender"] == "Male"
    assert labels["work"]["unit_nature"] == "Health care"
    assert labels["education"]["degree_record"].startswith("Undergraduate · ")


def _english_name(code: str, name_en: str) -> None:
    # Saved (not updated) so the cached application bodies are retired as an admin's edit does.
    specialty = Specialty.objects.get(code=code)
    specialty.name_en = name_en
    specialty.save()


def test_labels_in_english_name_the_specialty_its_category_and_level_in_english(api, saved):
    _english_name("303", "Internal Medicine")
    english = api.get(f"/api/v1/applications/{saved['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["labels"]["exam"]["specialty"] == "303 Internal Medicine"
    assert english["labels"]["exam"]["category"] == "Clinical medicine"
    assert english["labels"]["exam"]["level"] == "Intermediate"
    # The section keeps the values a client writes back.
    assert english["sections"]["exam"]["category"] == "临床医学类"
    assert english["sections"]["exam"]["level"] == "中级"
    chinese = api.get(f"/api/v1/applications/{saved['id']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["labels"]
    assert (chinese["exam"]["specialty"], chinese["exam"]["category"], chinese["exam"]["level"]) == (
        "303 内科学",
        "临床医学类",
        "中级",
    )


def test_a_specialty_without_an_english_name_keeps_its_chinese_one_in_english(api, saved):
    labels = api.get(f"/api/v1/applications/{saved['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()["labels"]
    assert labels["exam"]["specialty"] == "303 内科学"
    assert labels["exam"]["level"] == "Intermediate"


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


def test_overview_and_exam_page_in_english_show_the_specialty_in_english(client, candidate, saved):
    _english_name("303", "Internal Medicine")
    client.force_login(candidate)
    client.cookies["django_language"] = "en"
    html = client.get(f"/applications/{saved['id']}/").content.decode()
    for shown in ("<dd>303 Internal Medicine</dd>", "<dd>Clinical medicine</dd>", "<dd>Intermediate</dd>"):
        assert shown in html
    for chinese in ("内科学", "临床医学类", "中级"):
        assert f"<dd>{chinese}" not in html
    # The exam section's lists: values stay the stored words, the page shows English.
    page = client.get(f"/applications/{saved['id']}/sections/exam/").content.decode()
    cascade = re.search(r'<script id="cascade-data" type="application/json">(.*?)</script>', page, flags=re.S)
    assert cascade is not None
    rows = {row[0]: row for row in json.loads(cascade.group(1))["specialties"]}
    assert rows["303"] == ["303", "Internal Medicine", "临床医学类", "中级", "Clinical medicine", "Intermediate"]
    assert rows["102"][1:] == ["中药学(士)", "药学类", "初级(士)", "Pharmacy", "Junior (assistant)"]
