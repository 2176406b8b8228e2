"""Scores feed next year's application: HistoryRecord rows (history-candidate status, subject defaults)."""

from __future__ import annotations

import pytest

from registration.models import HistoryRecord
from registration.selectors.applications import default_subject_codes
from tests.certificates.conftest import csv_bytes, import_csv, make_application, sat

pytestmark = pytest.mark.django_db


def test_a_failed_sitting_writes_next_years_defaults_from_the_application(exams, person, internal_medicine):
    make_application(person, exams[2022], internal_medicine)
    record = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40})))
    assert record.history_records_written == 1
    history = HistoryRecord.objects.get(exam_year=2022, id_number_digest=person.user.id_number_digest)
    assert (history.specialty_code, history.passed_subjects, history.absent, history.disqualified) == (
        "303",
        ["1", "2"],
        False,
        False,
    )
    assert (history.name, history.district_code, history.level, history.education, history.unit_name) == (
        "王小明",
        "SH",
        "中级",
        "本科",
        "上海市第六人民医院",
    )
    # Next year's application starts from the subjects still to pass.
    next_year = make_application(person, exams[2023], internal_medicine, number="10000002")
    assert default_subject_codes(application=next_year, specialty=internal_medicine) == ["3", "4"]


def test_only_subjects_passed_last_year_carry_into_next_years_defaults(exams, person, internal_medicine):
    make_application(person, exams[2021], internal_medicine)
    make_application(person, exams[2022], internal_medicine, number="10000002")
    import_csv(csv_bytes(sat(2021, person.id_number, "303", {"1": 70, "2": 70, "3": 30, "4": 30})))
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"3": 70, "4": 30})))
    history = HistoryRecord.objects.get(exam_year=2022, specialty_code="303")
    assert history.passed_subjects == ["3"]
    in_2023 = make_application(person, exams[2023], internal_medicine, number="10000003")
    assert default_subject_codes(application=in_2023, specialty=internal_medicine) == ["1", "2", "4"]


def test_absent_from_every_subject_or_disqualified_is_not_a_history_candidate(
    exams, person, other_person, internal_medicine
):
    make_application(person, exams[2022], internal_medicine)
    make_application(other_person, exams[2022], internal_medicine, number="10000002")
    import_csv(
        csv_bytes(
            sat(2022, person.id_number, "303", dict.fromkeys(("1", "2", "3", "4")), absent={"1", "2", "3", "4"})
            + sat(2022, other_person.id_number, "303", {"1": 90, "2": 90, "3": 20, "4": 20}, disqualified={"4"})
        )
    )
    absent = HistoryRecord.objects.get(id_number_digest=person.user.id_number_digest)
    assert (absent.absent, absent.disqualified, absent.passed_subjects) == (True, False, [])
    disqualified = HistoryRecord.objects.get(id_number_digest=other_person.user.id_number_digest)
    assert (disqualified.absent, disqualified.disqualified) == (False, True)
    in_2023 = make_application(person, exams[2023], internal_medicine, number="10000003")
    # Not a history candidate: all four subjects by default.
    assert default_subject_codes(application=in_2023, specialty=internal_medicine) == ["1", "2", "3", "4"]


def test_a_passed_specialty_leaves_no_history_record(exams, person, internal_medicine):
    make_application(person, exams[2022], internal_medicine)
    make_application(person, exams[2023], internal_medicine, number="10000002")
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 70, "3": 30, "4": 30})))
    assert HistoryRecord.objects.filter(exam_year=2022).exists()
    import_csv(csv_bytes(sat(2023, person.id_number, "303", {"3": 70, "4": 70})))
    assert not HistoryRecord.objects.filter(exam_year=2023).exists()


def test_a_record_from_the_history_import_keeps_its_facts_and_gets_the_score_facts(exams, person):
    HistoryRecord.objects.create(
        exam_year=2022,
        id_number_digest=person.user.id_number_digest,
        name="王小明",
        district_code="BJ",
        site_code="BJ0101",
        specialty_code="303",
        level="中级",
        education="硕士",
        unit_name="北京协和医院",
        passed_subjects=[],
    )
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 10, "3": 80, "4": 10})))
    history = HistoryRecord.objects.get(exam_year=2022)
    assert (history.district_code, history.education, history.unit_name) == ("BJ", "硕士", "北京协和医院")
    assert history.passed_subjects == ["1", "3"]


def test_without_an_application_or_earlier_record_no_history_record_is_guessed(exams, person):
    record = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 10, "3": 10, "4": 10})))
    assert not HistoryRecord.objects.exists()
    assert record.history_records_written == 0
    assert "1项" in record.message


def test_reimporting_writes_no_history_record_again(exams, person, internal_medicine):
    make_application(person, exams[2022], internal_medicine)
    data = csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40}))
    assert import_csv(data).history_records_written == 1
    assert import_csv(data).history_records_written == 0


def test_next_years_application_shows_the_imported_defaults_at_once(exams, person, internal_medicine):
    """The import writes history records with SQL, which no model signal sees: it retires the cached
    application bodies itself, or the API would show last year's failed subjects only minutes later.
    Seed 002 line 52: the defaults are last year's failed subjects (成绩滚动管理)."""
    make_application(person, exams[2022], internal_medicine)
    next_year = make_application(person, exams[2023], internal_medicine, number="10000002")
    url = f"/api/v1/applications/{next_year.pk}/"
    assert person.api().get(url).json()["history_subjects"] == {}

    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40})))

    assert person.api().get(url).json()["history_subjects"] == {"303": ["3", "4"]}

