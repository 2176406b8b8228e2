"""Degree records (学历学位信息维护) through the API and the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.choices import Role
from registration.models import DegreeRecord, User
from tests.factories.accounts import CandidateFactory, DegreeRecordFactory, token_header

pytestmark = pytest.mark.django_db

DEGREES_URL = "/api/v1/me/degrees/"


def degree(**overrides):
    body = {
        "education": "本科",
        "certificate_number": "102461201505001234",
        "school": "复旦大学",
        "graduation_date": "2015-07-01",
        "training_mode": "全日制",
        "major": "临床医学",
        "degree": "学士",
        "degree_certificate_number": "1024642015001234",
    }
    body.update(overrides)
    return body


@pytest.fixture
def candidate_client(api_client, candidate):
    api_client.credentials(HTTP_AUTHORIZATION=token_header(candidate))
    return api_client


def test_adding_a_degree_record_answers_201_with_it(candidate_client, candidate):
    response = candidate_client.post(DEGREES_URL, degree(school=" 复旦大学 "), format="json")

    assert response.status_code == 201, response.json()
    record = DegreeRecord.objects.get(candidate=candidate)
    assert response.json() == {"id": record.pk, **degree()}


def test_without_a_degree_no_degree_certificate_is_asked_for(candidate_client, candidate):
    body = degree(degree="无")
    del body["degree_certificate_number"]

    response = candidate_client.post(DEGREES_URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["degree_certificate_number"] == ""


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"degree_certificate_number": ""}, {"degree_certificate_number": ["有学位时请填写学位证书编号。"]}),
        ({"degree": "无"}, {"degree_certificate_number": ["学位为“无”时不填写学位证书编号。"]}),
        (
            {"certificate_number": " ", "school": ""},
            {"certificate_number": ["请填写学历证书编号。"], "school": ["请填写毕业学校。"]},
        ),
    ],
)
def test_bad_degree_records_are_refused_in_chinese(candidate_client, candidate, overrides, fields):
    response = candidate_client.post(DEGREES_URL, degree(**overrides), format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert not DegreeRecord.objects.exists()


def test_a_graduation_date_in_the_future_is_refused(candidate_client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = candidate_client.post(DEGREES_URL, degree(graduation_date=tomorrow.isoformat()), format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"graduation_date": ["毕业时间不能晚于今天。"]}


def test_values_outside_the_choices_unknown_fields_and_bad_dates_are_refused(candidate_client):
    response = candidate_client.post(
        DEGREES_URL,
        degree(education="小学", training_mode="夜校", graduation_date="2015-13-01", grade="A"),
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"education", "training_mode", "graduation_date", "grade"}
    assert not DegreeRecord.objects.exists()


def test_the_list_is_paginated_and_holds_only_the_callers_records(candidate_client, candidate):
    older = DegreeRecordFactory(candidate=candidate, graduation_date=datetime.date(2010, 7, 1))
    newer = DegreeRecordFactory(candidate=candidate, graduation_date=datetime.date(2015, 7, 1))
    DegreeRecordFactory(candidate=CandidateFactory())

    response = candidate_client.get(DEGREES_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    assert [record["id"] for record in body["results"]] == [newer.pk, older.pk]


def test_degree_records_are_for_signed_in_candidates(api_client, db):
    staff = User.objects.create_superuser("admin", "admin@example.com", "admin2026pass")
    assert api_client.get(DEGREES_URL).status_code == 401

    api_client.force_authenticate(staff)
    assert staff.role == Role.ADMINISTRATOR
    assert api_client.get(DEGREES_URL).status_code == 403


# Page


def test_the_page_lists_the_records_and_adds_one(client, candidate):
    DegreeRecordFactory(candidate=candidate, school="上海交通大学", degree="无", degree_certificate_number="")
    client.force_login(candidate)

    listed = client.get(reverse("degrees"))
    added = client.post(reverse("degrees"), degree(), follow=True)

    assert "上海交通大学" in listed.text
    assert added.redirect_chain == [(reverse("degrees"), 302)]
    assert "已添加学历学位信息。" in added.text
    assert "复旦大学" in added.text
    assert DegreeRecord.objects.filter(candidate=candidate).count() == 2


def test_a_bad_record_on_the_page_shows_the_error_beside_its_field_and_keeps_the_input(client, candidate):
    client.force_login(candidate)

    response = client.post(reverse("degrees"), degree(degree_certificate_number=""))

    assert response.status_code == 200
    assert response.context["form"].errors == {"degree_certificate_number": ["有学位时请填写学位证书编号。"]}
    assert 'value="102461201505001234"' in response.text
    assert not DegreeRecord.objects.exists()


def test_the_degrees_page_needs_a_signed_in_candidate(client, db):
    response = client.get(reverse("degrees"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
