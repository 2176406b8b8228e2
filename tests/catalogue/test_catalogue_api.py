import datetime

import factory
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from registration.models import Specialty
from tests.factories.catalogue import (
    CityFactory,
    DistrictFactory,
    ExamFactory,
    RegistrationPointFactory,
    SiteFactory,
    SpecialtyFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

WINDOWS = [
    "registration_opens",
    "registration_closes",
    "confirmation_deadline",
    "payment_opens",
    "payment_closes",
    "ticket_opens",
    "ticket_closes",
    "exam_date",
]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def exam():
    return ExamFactory()


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    return body["results"]


# --- exams ---------------------------------------------------------------------------------------


def test_open_exams_are_listed_with_their_windows_anonymously(api, exam):
    [body] = _results(api.get("/api/v1/exams/"))

    assert set(body) == {"id", "name", "year", "windows"}
    assert (body["id"], body["name"], body["year"]) == (exam.id, exam.name, exam.year)
    assert list(body["windows"]) == WINDOWS
    opens = datetime.datetime.fromisoformat(body["windows"]["registration_opens"])
    assert opens == exam.registration_opens
    assert body["windows"]["registration_opens"].endswith("+08:00")
    assert body["windows"]["exam_date"] == exam.exam_date.isoformat()


def test_exams_not_yet_open_or_past_their_ticket_window_are_not_listed(api, exam):
    now = timezone.now()
    ExamFactory(registration_opens=now + datetime.timedelta(days=1))
    ExamFactory(
        registration_opens=now - datetime.timedelta(days=90),
        registration_closes=now - datetime.timedelta(days=60),
        ticket_opens=now - datetime.timedelta(days=10),
        ticket_closes=now - datetime.timedelta(seconds=1),
    )
    # Registration closed, tickets still to print: the exam is still running.
    running = ExamFactory(
        registration_opens=now - datetime.timedelta(days=90),
        registration_closes=now - datetime.timedelta(days=60),
    )

    listed = {body["id"] for body in _results(api.get("/api/v1/exams/"))}

    assert listed == {exam.id, running.id}


# --- districts -----------------------------------------------------------------------------------


def test_the_district_tree_has_the_fields_of_the_contract(api, exam):
    point = RegistrationPointFactory(site__city__district__exam=exam, site__city__district__code="SH")
    site = point.site
    city = site.city
    district = city.district

    [body] = _results(api.get(f"/api/v1/exams/{exam.id}/districts/"))

    assert body == {
        "code": "SH",
        "name": district.name,
        "online_confirmation": district.online_confirmation,
        "online_payment": district.online_payment,
        "history_auto_confirm": district.history_auto_confirm,
        "cities": [
            {
                "code": city.code,
                "name": city.name,
                "sites": [
                    {
                        "code": site.code,
                        "name": site.name,
                        "registration_points": [{"code": point.code, "name": point.name}],
                    }
                ],
            }
        ],
    }


def test_districts_of_other_exams_are_not_in_the_tree(api, exam):
    DistrictFactory(exam=exam, code="SH")
    DistrictFactory(code="BJ")

    assert [body["code"] for body in _results(api.get(f"/api/v1/exams/{exam.id}/districts/"))] == ["SH"]


def test_the_district_tree_takes_the_same_few_queries_however_large(api, exam, django_assert_max_num_queries):
    for _district in range(3):
        district = DistrictFactory(exam=exam)
        for _city in range(2):
            city = CityFactory(district=district)
            for _site in range(2):
                RegistrationPointFactory.create_batch(2, site=SiteFactory(city=city))

    # The exam, the count, then districts, cities, sites and points: one query each.
    with django_assert_max_num_queries(6):
        results = _results(api.get(f"/api/v1/exams/{exam.id}/districts/"))

    assert len(results) == 3
    assert sum(len(site["registration_points"]) for d in results for c in d["cities"] for site in c["sites"]) == 24


# --- specialties ---------------------------------------------------------------------------------


@pytest.fixture
def specialties(exam):
    offered = [
        SpecialtyFactory(code="301", name="全科医学", category="临床医学类", level="中级", name_en="General Practice"),
        SpecialtyFactory(code="368", name="护理学", category="护理类", level="中级"),
        SpecialtyFactory(code="203", name="护理学(师)", category="护理类", level="初级(师)"),
    ]
    exam.specialties.add(*offered)
    SpecialtyFactory(code="102", name="中药学(士)", category="药学类", level="初级(士)")  # not offered
    return offered


def test_specialties_are_those_the_exam_offers_with_the_fields_of_the_contract(api, exam, specialties):
    results = _results(api.get(f"/api/v1/exams/{exam.id}/specialties/"))

    # name_en (v1.1 addition): the English name beside the Chinese one, empty where none is given.
    assert results == [
        {"code": "203", "name": "护理学(师)", "category": "护理类", "level": "初级(师)", "name_en": ""},
        {"code": "301", "name": "全科医学", "category": "临床医学类", "level": "中级", "name_en": "General Practice"},
        {"code": "368", "name": "护理学", "category": "护理类", "level": "中级", "name_en": ""},
    ]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"category": "护理类"}, ["203", "368"]),
        ({"level": "中级"}, ["301", "368"]),
        ({"category": "护理类", "level": "初级(师)"}, ["203"]),
        ({"category": "药学类"}, []),
        ({"level": "高级"}, []),
        ({"category": ""}, ["203", "301", "368"]),
    ],
)
def test_specialties_filter_by_category_and_level(api, exam, specialties, query, codes):
    results = _results(api.get(f"/api/v1/exams/{exam.id}/specialties/", query))

    assert [body["code"] for body in results] == codes


def test_a_specialty_filter_with_a_nul_character_is_refused(api, exam, specialties):
    response = api.get(f"/api/v1/exams/{exam.id}/specialties/", {"category": "护理\x00类"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "category" in response.json()["fields"]


def test_every_reference_specialty_fits_one_page(api, exam):
    exam.specialties.add(*SpecialtyFactory.create_batch(90))

    body = api.get(f"/api/v1/exams/{exam.id}/specialties/").json()

    assert body["count"] == len(body["results"]) == Specialty.objects.count()


# --- units ---------------------------------------------------------------------------------------


def test_units_whose_name_contains_q_in_any_case_are_found(api, exam):
    clinic = UnitFactory(name="Shanghai East Clinic", province="上海", city="浦东新区")
    UnitFactory(name="北京协和医院", province="北京", city="东城区")

    [body] = _results(api.get(f"/api/v1/exams/{exam.id}/units/", {"q": "EAST clinic"}))

    assert body == {"id": clinic.id, "name": "Shanghai East Clinic", "province": "上海", "city": "浦东新区"}


def test_units_starting_with_q_come_first(api, exam):
    UnitFactory(name="复旦大学附属中山医院")
    UnitFactory(name="中山医院分院")

    names = [body["name"] for body in _results(api.get(f"/api/v1/exams/{exam.id}/units/", {"q": "中山"}))]

    assert names == ["中山医院分院", "复旦大学附属中山医院"]


def test_units_filter_by_province_and_city(api, exam):
    UnitFactory(name="第一人民医院", province="上海", city="徐汇区")
    UnitFactory(name="第一人民医院", province="上海", city="黄浦区")
    UnitFactory(name="第一人民医院", province="北京", city="东城区")

    def places(**query):
        results = _results(api.get(f"/api/v1/exams/{exam.id}/units/", {"q": "人民", **query}))
        return sorted((body["province"], body["city"]) for body in results)

    assert places(province="上海") == [("上海", "徐汇区"), ("上海", "黄浦区")]
    assert places(province="上海", city="黄浦区") == [("上海", "黄浦区")]
    assert places(city="东城区") == [("北京", "东城区")]
    assert places(province="广东") == []


def test_at_most_twenty_units_come_at_a_time(api, exam):
    UnitFactory.create_batch(25, name=factory.Sequence(lambda n: f"第{n}医院"))

    body = api.get(f"/api/v1/exams/{exam.id}/units/", {"q": "医院"}).json()

    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert body["next"] is not None
    assert len(api.get(body["next"]).json()["results"]) == 5


@pytest.mark.parametrize(
    "query",
    [{}, {"q": ""}, {"q": "   "}, {"q": "医" * 5000}, {"q": "医院\x00"}],
    ids=["missing", "empty", "blank", "very long", "nul"],
)
def test_a_missing_or_unusable_q_is_refused_with_400(api, exam, query):
    response = api.get(f"/api/v1/exams/{exam.id}/units/", query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"q"}


@pytest.mark.parametrize("q", ["%", "_", "\\", "'", '"', "%' OR 1=1 --", "<script>", "😀", "医院%", "[a-z]*"])
def test_odd_characters_in_q_are_taken_literally(api, exam, q):
    UnitFactory(name="普通医院")
    literal = UnitFactory(name=f"特殊{q}单位")

    results = _results(api.get(f"/api/v1/exams/{exam.id}/units/", {"q": q}))

    assert [body["id"] for body in results] == [literal.id]


# --- unknown exam --------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["districts", "specialties", "units"])
@pytest.mark.parametrize("exam_id", ["0", "987654", "99999999999999999999999"])
def test_an_unknown_exam_is_404_with_the_error_body(api, endpoint, exam_id):
    response = api.get(f"/api/v1/exams/{exam_id}/{endpoint}/", {"q": "医院"})

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "考试不存在。"}


def test_a_closed_exam_still_answers_its_catalogue(api):
    now = timezone.now()
    closed = ExamFactory(
        registration_opens=now - datetime.timedelta(days=90),
        registration_closes=now - datetime.timedelta(days=60),
        ticket_opens=now - datetime.timedelta(days=10),
        ticket_closes=now - datetime.timedelta(days=1),
    )
    DistrictFactory(exam=closed, code="SH")

    assert [body["code"] for body in _results(api.get(f"/api/v1/exams/{closed.id}/districts/"))] == ["SH"]


# --- schema --------------------------------------------------------------------------------------


def test_the_catalogue_is_described_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    for path in (
        "/api/v1/exams/",
        "/api/v1/exams/{exam_id}/districts/",
        "/api/v1/exams/{exam_id}/specialties/",
        "/api/v1/exams/{exam_id}/units/",
    ):
        assert "get" in schema["paths"][path], path
    components = schema["components"]["schemas"]
    assert set(components["ExamWindowsOutput"]["properties"]) == set(WINDOWS)
    assert set(components["UnitOutput"]["properties"]) == {"id", "name", "province", "city"}
    unit_parameters = {p["name"]: p for p in schema["paths"]["/api/v1/exams/{exam_id}/units/"]["get"]["parameters"]}
    assert unit_parameters["q"]["required"] is True
    assert {"province", "city"} <= set(unit_parameters)
