import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from registration.choices import Degree, Education, Gender, IdType, Role, TrainingMode
from registration.models import (
    City,
    DegreeRecord,
    District,
    DistrictFee,
    Exam,
    RegistrationPoint,
    Site,
    Specialty,
    Subject,
    Unit,
    User,
)
from registration.pii import encrypt_id_number, id_number_digest, mask_id_number
from tests.factories.accounts import token_header
from tests.files.helpers import upload_accepted_photo_and_materials, use_private_storage


def resident_id(body17: str) -> str:
    from registration.identity import mod11_2_check_character

    return body17 + mod11_2_check_character(body17)


def make_candidate(username: str, id_number: str, *, gender: str = Gender.MALE) -> User:
    user = User(
        username=username,
        name="张三",
        id_type=IdType.RESIDENT_ID,
        id_number_ciphertext=encrypt_id_number(id_number),
        id_number_digest=id_number_digest(id_number),
        id_number_masked=mask_id_number(id_number),
        gender=gender,
        birth_date=datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        nationality="中国",
        mobile="13812341234",
        email=f"{username}@example.com",
        role=Role.CANDIDATE,
    )
    user.set_password("secret-pass-1")
    user.save()
    return user


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_header(user))
    return client


@pytest.fixture
def exam(db):
    now = timezone.now()
    exam = Exam.objects.create(
        year=now.year,
        name=f"{now.year}年度卫生专业技术资格考试",
        registration_opens=now - datetime.timedelta(days=5),
        registration_closes=now + datetime.timedelta(days=10),
        confirmation_deadline=now + datetime.timedelta(days=15),
        payment_opens=now - datetime.timedelta(days=1),
        payment_closes=now + datetime.timedelta(days=20),
        ticket_opens=now - datetime.timedelta(days=1),
        ticket_closes=now + datetime.timedelta(days=30),
        exam_date=(now + datetime.timedelta(days=60)).date(),
        work_years_cutoff=datetime.date(now.year - 1, 12, 31),
    )
    for code, name in [("1", "基础知识"), ("2", "相关专业知识"), ("3", "专业知识"), ("4", "专业实践能力")]:
        Subject.objects.create(code=code, name=name, minutes=90, pass_score=60, full_score=100)
    for code, name, category, level in [
        ("303", "内科学", "临床医学类", "中级"),
        ("102", "中药学(士)", "药学类", "初级(士)"),
        ("368", "主管护师", "护理类", "中级"),
    ]:
        exam.specialties.add(Specialty.objects.create(code=code, name=name, category=category, level=level))
    Specialty.objects.create(code="999", name="未开考专业", category="技术类", level="中级")
    return exam


def _district(exam: Exam, code: str, name: str, *, online: bool) -> District:
    district = District.objects.create(
        exam=exam, code=code, name=name, online_confirmation=online, online_payment=True, history_auto_confirm=online
    )
    DistrictFee.objects.create(district=district, level="中级", fee_per_subject=Decimal("95.00"))
    city = City.objects.create(district=district, code=f"{code}01", name=f"{name}市区")
    site = Site.objects.create(city=city, code=f"{code}0101", name=f"{name}第一考点")
    RegistrationPoint.objects.create(site=site, code=f"{code}010101", name=f"{name}第一报名点")
    return district


@pytest.fixture
def shanghai(exam):
    return _district(exam, "SH", "上海", online=True)


@pytest.fixture
def beijing(exam):
    return _district(exam, "BJ", "北京", online=False)


@pytest.fixture
def unit(db):
    return Unit.objects.create(name="上海市第一人民医院", province="上海", city="上海")


@pytest.fixture
def candidate(db):
    return make_candidate("zhangsan", resident_id("11010119900307123"))


@pytest.fixture
def other_candidate(db):
    return make_candidate("lisi", resident_id("31010119851212345"), gender=Gender.FEMALE)


@pytest.fixture
def api(candidate):
    return token_client(candidate)


@pytest.fixture
def degree(candidate):
    return DegreeRecord.objects.create(
        candidate=candidate,
        education=Education.BACHELOR,
        certificate_number="104221201205001234",
        school="复旦大学上海医学院",
        graduation_date=datetime.date(2012, 7, 1),
        training_mode=TrainingMode.FULL_TIME,
        major="临床医学",
        degree=Degree.BACHELOR,
        degree_certificate_number="1042242012001234",
    )


def valid_sections(*, district_code: str, degree_id: int, unit_id: int | None) -> dict[str, dict]:
    return {
        "site": {
            "city": f"{district_code}01",
            "site": f"{district_code}0101",
            "registration_point": f"{district_code}010101",
        },
        "basic": {
            "id_valid_until": "2036-01-01",
            "gender": "male",
            "birth_date": "1990-03-07",
            "ethnicity": "汉族",
            "health_status": "健康",
            "nationality": "中国",
        },
        "contact": {"address": "上海市徐汇区漕溪北路1号", "postcode": "200030", "mobile": "13812341234"},
        "exam": {
            "specialty": "303",
            "subjects": ["1", "2", "3", "4"],
            "current_qualification": "医师",
            "qualification_date": "2015-12",
            "practice_category": "临床执业医师",
            "first_registration_month": "2014-06",
        },
        "education": {
            "degree_record": degree_id,
            "highest_education": "本科",
            "schooling_years": "五年制",
            "work_experience": "2012年至今在上海市第一人民医院心内科工作",
        },
        "work": {
            "unit": unit_id,
            "unit_affiliation": "省(自治区、直辖市)",
            "unit_nature": "医疗卫生",
            "years_in_specialty": 11,
        },
    }


@pytest.fixture
def sections(shanghai, degree, unit):
    return valid_sections(district_code="SH", degree_id=degree.pk, unit_id=unit.pk)


@pytest.fixture
def draft(api, exam, shanghai):
    response = api.post(
        "/api/v1/applications/", {"exam": exam.pk, "district": "SH", "pledge_accepted": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def complete(api, draft, sections, settings, tmp_path, django_capture_on_commit_callbacks):
    """Every section saved, the photo accepted and the materials finalized: ready to submit."""
    for key, body in sections.items():
        response = api.put(f"/api/v1/applications/{draft['id']}/sections/{key}/", body, format="json")
        assert response.status_code == 200, (key, response.json())
    use_private_storage(settings, tmp_path / "private")
    upload_accepted_photo_and_materials(api, draft, django_capture_on_commit_callbacks)
    return api.get(f"/api/v1/applications/{draft['id']}/").json()
