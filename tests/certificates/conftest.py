"""Exam years, subjects, specialties and candidates for the score and certificate tests.

Scores are imported the way an administrator imports them: a CSV through ``score_import_create``
(the admin upload and the command call it too), run by the Celery task (eager here).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import TestCase
from rest_framework.test import APIClient

from certificates.models import ScoreImport
from certificates.services.scores import score_import_create
from certificates.throttling import CertificateVerifyThrottle
from registration.choices import Role
from registration.models import (
    Application,
    ApplicationStatus,
    District,
    Exam,
    HistoryRecord,
    ScoreMerge,
    Specialty,
    Subject,
    User,
)
from registration.services.staff import staff_user_upsert
from review.services.merges import score_merge_create
from tests.factories.accounts import CandidateFactory, resident_id_number, token_header
from tests.factories.catalogue import ExamFactory, SiteFactory

HEADER = "exam_year,id_number,specialty_code,subject_code,score,absent,disqualified"
YEARS = (2021, 2022, 2023, 2024)


@pytest.fixture(autouse=True)
def _private_files(request, settings, tmp_path):
    # A live worker reads files through its own (default) storage, so those tests keep it too.
    if request.node.get_closest_marker("live_worker"):
        return
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    # Only this test's verification budget is dropped: clearing the whole cache would also clear
    # the Celery broker's keys where the cache and the broker share a Redis database.
    key = CertificateVerifyThrottle.cache_format % {"scope": CertificateVerifyThrottle.scope, "ident": "127.0.0.1"}
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.fixture
def subjects(db) -> dict[str, Subject]:
    names = {"1": "基础知识", "2": "相关专业知识", "3": "专业知识", "4": "专业实践能力"}
    return {
        code: Subject.objects.get_or_create(
            code=code, defaults={"name": name, "minutes": 90, "pass_score": 60, "full_score": 100}
        )[0]
        for code, name in names.items()
    }


@pytest.fixture
def internal_medicine(db) -> Specialty:
    return Specialty.objects.create(code="303", name="内科学", category="临床医学类", level="中级")


@pytest.fixture
def nursing(db) -> Specialty:
    return Specialty.objects.create(code="368", name="主管护师", category="护理类", level="中级")


@pytest.fixture
def exams(subjects, internal_medicine, nursing) -> dict[int, Exam]:
    """One exam per year of YEARS, each offering both specialties, pass score 60."""
    made = {}
    for year in YEARS:
        exam = ExamFactory(year=year, work_years_cutoff=datetime.date(year - 1, 12, 31))
        exam.specialties.add(internal_medicine, nursing)
        made[year] = exam
    return made


@dataclass
class Person:
    user: User
    id_number: str

    def api(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token_header(self.user))
        return client


def make_person(sequence: int, *, name: str = "张三") -> Person:
    id_number = resident_id_number(sequence=sequence)
    user = CandidateFactory(id_number=id_number, name=name)
    return Person(user=user, id_number=id_number)


@pytest.fixture
def person(db) -> Person:
    return make_person(101, name="王小明")


@pytest.fixture
def other_person(db) -> Person:
    return make_person(202, name="李四")


def csv_bytes(rows: Iterable[Iterable[object]], *, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    lines = [header, *(",".join("" if cell is None else str(cell) for cell in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def sat(
    year: int,
    id_number: str,
    specialty: str,
    scores: dict[str, int | None],
    *,
    absent: Iterable[str] = (),
    disqualified: Iterable[str] = (),
) -> list[list[object]]:
    """CSV rows of one sitting: subject → score; subjects in ``absent`` / ``disqualified`` flagged."""
    rows: list[list[object]] = []
    for subject, score in scores.items():
        rows.append([year, id_number, specialty, subject, score, int(subject in absent), int(subject in disqualified)])
    return rows


def import_csv(data: bytes, *, name: str = "scores.csv", uploaded_by: User | None = None) -> ScoreImport:
    """Uploads ``data`` as the admin does; the (eager) worker imports it on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = score_import_create(file=ContentFile(data, name=name), uploaded_by=uploaded_by)
    record.refresh_from_db()
    return record


def make_application(person: Person, exam: Exam, specialty: Specialty, *, number: str = "10000001") -> Application:
    """The application the person sat ``exam`` with, as the portal holds it once it is complete."""
    district, _created = District.objects.get_or_create(exam=exam, code="SH", defaults={"name": "上海"})
    site = SiteFactory(city__district=district)
    return Application.objects.create(
        exam=exam,
        candidate=person.user,
        district=district,
        number=number,
        verification_code="1234567",
        city=site.city,
        site=site,
        specialty=specialty,
        highest_education="本科",
        other_unit_name="上海市第六人民医院",
    )


def merge_last_year(person: Person, old: Person, exams: dict[int, Exam], internal_medicine: Specialty) -> ScoreMerge:
    """Site staff merge ``old``'s sitting of 2022 into ``person``'s application of 2023 (成绩合并)."""
    HistoryRecord.objects.create(
        exam_year=2022,
        id_number_digest=old.user.id_number_digest,
        name="王小明",
        district_code="SH",
        site_code="SH01",
        specialty_code="303",
        level="中级",
        education="本科",
        unit_name="上海市第六人民医院",
        passed_subjects=["1", "2"],
        file_number="SH2022000777",
    )
    application = make_application(person, exams[2023], internal_medicine)
    # Staff see an application once it is submitted (registration/scope.py): the candidate asks at the site then.
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    admin = staff_user_upsert(username="boss", role=Role.ADMINISTRATOR, scope=None, password="staff-pass-2026")
    return score_merge_create(application_id=application.pk, actor=admin, number="SH2022000777")
