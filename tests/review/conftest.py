"""A small exam world for staff work: two districts, three sites, four points, staff of every role.

``SH`` confirms online (points P1, P2 at site SH-A; P3 at site SH-B); ``BJ`` confirms on site
(point BJ1 at site BJ-A). ``make_application`` puts a complete application anywhere, in any state.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from registration.choices import Degree, Education, IdType, Role, TrainingMode
from registration.identity import mod11_2_check_character
from registration.models import (
    Application,
    City,
    DegreeRecord,
    District,
    Exam,
    RegistrationPoint,
    Site,
    Specialty,
    Subject,
    Unit,
    User,
)
from registration.models.application import PhotoStatus
from registration.pii import encrypt_id_number, id_number_digest, mask_id_number
from registration.services.staff import staff_user_upsert
from review.models import EarlyApplicationPolicy
from tests.factories.accounts import token_header

STAFF_PASSWORD = "staff-pass-2026"
_sequence = itertools.count(1)


def resident_id(serial: int, *, born: datetime.date = datetime.date(1988, 5, 6)) -> str:
    body = f"310101{born:%Y%m%d}{serial % 1000:03d}"
    return body + mod11_2_check_character(body)


def make_candidate(*, name: str = "张三", id_number: str | None = None, email: str | None = None) -> User:
    serial = next(_sequence)
    id_number = id_number or resident_id(serial)
    user = User(
        username=f"candidate{serial}",
        name=name,
        id_type=IdType.RESIDENT_ID,
        id_number_ciphertext=encrypt_id_number(id_number),
        id_number_digest=id_number_digest(id_number),
        id_number_masked=mask_id_number(id_number),
        gender="male",
        birth_date=datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        nationality="中国",
        mobile="13812341234",
        email=f"candidate{serial}@example.com" if email is None else email,
        role=Role.CANDIDATE,
    )
    user.set_password("secret-pass-1")
    user.save()
    return user


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_header(user))
    return client


@dataclass
class World:
    exam: Exam
    sh: District
    bj: District
    site_a: Site
    site_b: Site
    bj_site: Site
    p1: RegistrationPoint
    p2: RegistrationPoint
    p3: RegistrationPoint
    bj1: RegistrationPoint
    unit: Unit
    specialty: Specialty
    staff: dict[str, User]

    def make_application(
        self,
        *,
        point: RegistrationPoint | None = None,
        status: str = "submitted",
        candidate: User | None = None,
        specialty: Specialty | None = None,
        **fields: Any,
    ) -> Application:
        """A complete application at ``point`` (P1 by default) in ``status``, written directly (test setup)."""
        point = point or self.p1
        site = point.site
        district = site.city.district
        candidate = candidate or make_candidate()
        degree = DegreeRecord.objects.create(
            candidate=candidate,
            education=fields.pop("education", Education.BACHELOR),
            certificate_number=f"10422120120500{next(_sequence):04d}",
            school="复旦大学上海医学院",
            graduation_date=fields.pop("graduation_date", datetime.date(2012, 7, 1)),
            training_mode=TrainingMode.FULL_TIME,
            major="临床医学",
            degree=Degree.BACHELOR,
            degree_certificate_number=f"104224201200{next(_sequence):04d}",
        )
        now = timezone.now()
        values: dict[str, Any] = {
            "exam": district.exam,
            "candidate": candidate,
            "district": district,
            "number": f"{next(_sequence) + 10_000_000:08d}",
            "verification_code": f"{next(_sequence) % 10**7:07d}",
            "status": status,
            "submitted_at": now if status != "draft" else None,
            "pledge_accepted_at": now,
            "city": site.city,
            "site": site,
            "registration_point": point,
            "id_valid_until": datetime.date(2036, 1, 1),
            "gender": "male",
            "birth_date": candidate.birth_date,
            "ethnicity": "汉族",
            "health_status": "健康",
            "nationality": "中国",
            "address": "上海市徐汇区漕溪北路1号",
            "postcode": "200030",
            "mobile": "13812341234",
            "email": candidate.email,
            "specialty": specialty or self.specialty,
            "current_qualification": "医师",
            "qualification_date": datetime.date(2015, 12, 1),
            "practice_category": "临床执业医师",
            "first_registration_month": datetime.date(2014, 6, 1),
            "degree_record": degree,
            "highest_education": "本科",
            "schooling_years": "五年制",
            "work_experience": "2012年至今在上海市第一人民医院心内科工作",
            "unit": self.unit,
            "unit_affiliation": "省(自治区、直辖市)",
            "unit_nature": "医疗卫生",
            "years_in_specialty": 11,
            "photo_status": PhotoStatus.ACCEPTED,
            "materials_finalized": district.online_confirmation,
            **{f"{key}_saved_at": now for key in ("site", "basic", "contact", "exam", "education", "work")},
        }
        values.update(fields)
        application = Application.objects.create(**values)
        application.subjects.set(Subject.objects.all())
        return application


def _staff(username: str, role: str, scope: Any, **extra: Any) -> User:
    return staff_user_upsert(username=username, role=role, scope=scope, password=STAFF_PASSWORD, **extra)


@pytest.fixture
def world(db) -> World:
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
        Subject.objects.get_or_create(
            code=code, defaults={"name": name, "minutes": 90, "pass_score": 60, "full_score": 100}
        )
    specialty, _created = Specialty.objects.get_or_create(
        code="303", defaults={"name": "内科学", "category": "临床医学类", "level": "中级"}
    )
    exam.specialties.add(specialty)
    sh = District.objects.create(
        exam=exam, code="SH", name="上海", online_confirmation=True, online_payment=True, history_auto_confirm=True
    )
    bj = District.objects.create(
        exam=exam, code="BJ", name="北京", online_confirmation=False, online_payment=True, history_auto_confirm=False
    )
    sh_city = City.objects.create(district=sh, code="SH01", name="徐汇区")
    bj_city = City.objects.create(district=bj, code="BJ01", name="东城区")
    site_a = Site.objects.create(city=sh_city, code="SH0101", name="徐汇区考点")
    site_b = Site.objects.create(city=sh_city, code="SH0102", name="徐汇区第二考点")
    bj_site = Site.objects.create(city=bj_city, code="BJ0101", name="东城区考点")
    p1 = RegistrationPoint.objects.create(site=site_a, code="SH010101", name="徐汇报名点一")
    p2 = RegistrationPoint.objects.create(site=site_a, code="SH010102", name="徐汇报名点二")
    p3 = RegistrationPoint.objects.create(site=site_b, code="SH010201", name="徐汇第二考点报名点")
    bj1 = RegistrationPoint.objects.create(site=bj_site, code="BJ010101", name="东城报名点")
    unit = Unit.objects.create(name="上海市第一人民医院", province="上海", city="上海")
    # The migration's policies, again: a transactional test before this one may have emptied the table.
    EarlyApplicationPolicy.objects.get_or_create(
        key="community_health",
        defaults={"name": "社区卫生服务机构提前一年报考", "specialty_codes": ["301", "302", "373"]},
    )
    EarlyApplicationPolicy.objects.get_or_create(
        key="frontline_epidemic", defaults={"name": "疫情防控一线医务人员提前一年申报", "once_only": True}
    )
    EarlyApplicationPolicy.objects.get_or_create(
        key="outstanding_contribution", defaults={"name": "突出贡献、获省部级以上表彰奖励直接申报", "direct": True}
    )
    EarlyApplicationPolicy.objects.get_or_create(
        key="residency_grassroots",
        defaults={
            "name": "本科及以上住培合格到基层工作直接参加中级考试",
            "direct": True,
            "target_levels": ["中级"],
        },
    )
    staff = {
        "sh_point": _staff("sh_point", Role.POINT_STAFF, p1),
        "sh_point2": _staff("sh_point2", Role.POINT_STAFF, p2),
        "sh_site": _staff("sh_site", Role.SITE_REVIEWER, site_a),
        "sh_site_b": _staff("sh_site_b", Role.SITE_REVIEWER, site_b),
        "sh_district": _staff("sh_district", Role.DISTRICT_REVIEWER, sh),
        "sh_finance": _staff("sh_finance", Role.FINANCE, sh),
        "bj_point": _staff("bj_point", Role.POINT_STAFF, bj1),
        "bj_district": _staff("bj_district", Role.DISTRICT_REVIEWER, bj),
        "admin": _staff("boss", Role.ADMINISTRATOR, None),
    }
    return World(
        exam=exam,
        sh=sh,
        bj=bj,
        site_a=site_a,
        site_b=site_b,
        bj_site=bj_site,
        p1=p1,
        p2=p2,
        p3=p3,
        bj1=bj1,
        unit=unit,
        specialty=specialty,
        staff=staff,
    )


@pytest.fixture
def api_as(world):
    """``api_as("sh_point")``: an API client with that staff member's token."""

    def client(name: str) -> APIClient:
        return token_client(world.staff[name])

    return client


def candidate_sections(world: World, candidate: User, *, point: RegistrationPoint | None = None) -> dict[str, dict]:
    """Valid bodies for the six sections, for ``candidate`` applying at ``point`` (P1 by default)."""
    point = point or world.p1
    degree = DegreeRecord.objects.create(
        candidate=candidate,
        education=Education.BACHELOR,
        certificate_number=f"10422120120500{next(_sequence):04d}",
        school="复旦大学上海医学院",
        graduation_date=datetime.date(2012, 7, 1),
        training_mode=TrainingMode.FULL_TIME,
        major="临床医学",
        degree=Degree.BACHELOR,
        degree_certificate_number=f"104224201200{next(_sequence):04d}",
    )
    return {
        "site": {"city": point.site.city.code, "site": point.site.code, "registration_point": point.code},
        "basic": {
            "id_valid_until": "2036-01-01",
            "gender": "male",
            "birth_date": candidate.birth_date.isoformat(),
            "ethnicity": "汉族",
            "health_status": "健康",
            "nationality": "中国",
        },
        "contact": {"address": "上海市徐汇区漕溪北路1号", "postcode": "200030", "mobile": "13812341234"},
        "exam": {
            "specialty": world.specialty.code,
            "subjects": ["1", "2", "3", "4"],
            "current_qualification": "医师",
            "qualification_date": "2015-12",
            "practice_category": "临床执业医师",
            "first_registration_month": "2014-06",
        },
        "education": {
            "degree_record": degree.pk,
            "highest_education": "本科",
            "schooling_years": "五年制",
            "work_experience": "2012年至今在上海市第一人民医院心内科工作",
        },
        "work": {
            "unit": world.unit.pk,
            "unit_affiliation": "省(自治区、直辖市)",
            "unit_nature": "医疗卫生",
            "years_in_specialty": 11,
        },
    }


def fill_through_api(world: World, client: APIClient, candidate: User, *, district: str = "SH", **options: Any) -> int:
    """Creates the candidate's application and saves all six sections through the API; returns its id.

    The photo and materials are marked done directly: their upload pipeline is not what these tests are about.
    """
    response = client.post(
        "/api/v1/applications/",
        {"exam": world.exam.pk, "district": district, "pledge_accepted": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    application_id = response.json()["id"]
    for key, body in candidate_sections(world, candidate, **options).items():
        saved = client.put(f"/api/v1/applications/{application_id}/sections/{key}/", body, format="json")
        assert saved.status_code == 200, (key, saved.json())
    Application.objects.filter(pk=application_id).update(photo_status=PhotoStatus.ACCEPTED, materials_finalized=True)
    return application_id


def many_submitted(world, count: int) -> list[int]:
    """``count`` submitted applications at P1, written in bulk (test setup)."""
    candidates = User.objects.bulk_create(
        [
            User(
                username=f"bulk{index}",
                name=f"考生{index}",
                id_number_digest=id_number_digest(f"bulk-{index}"),
                id_number_masked="3101**********0000",
                role=Role.CANDIDATE,
            )
            for index in range(count)
        ]
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                exam=world.exam,
                candidate=candidate,
                district=world.sh,
                number=f"{50_000_000 + index:08d}",
                verification_code=f"{index:07d}",
                status="submitted",
                site=world.site_a,
                registration_point=world.p1,
                specialty=world.specialty,
            )
            for index, candidate in enumerate(candidates)
        ]
    )
    return [application.pk for application in applications]
