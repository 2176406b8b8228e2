"""The set-based import (staging table, one upsert, the rule over every sitting, set-wise writes): what
it could get wrong that a line-by-line import could not."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError

from certificates.models import Certificate, CertificateEvent, Score, ScoreImport
from certificates.services.scores import score_import_create, score_import_run
from registration.models import HistoryRecord
from tests.certificates.conftest import csv_bytes, import_csv, make_application, make_person, merge_last_year, sat

pytestmark = pytest.mark.django_db


def _stored(person) -> dict[tuple[int, str], tuple[int | None, bool, bool]]:
    return {
        (score.exam.year, score.subject.code): (score.score, score.absent, score.disqualified)
        for score in Score.objects.filter(id_number_digest=person.user.id_number_digest).select_related(
            "exam", "subject"
        )
    }


def test_a_corrected_line_on_reimport_changes_that_score_its_source_and_what_the_rule_says(
    exams, person, internal_medicine
):
    """Seed 003 line 1058 (four subjects within two consecutive years): the corrected score is the one judged."""
    make_application(person, exams[2022], internal_medicine)
    first = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40})))
    untouched = {score.pk: score.updated_at for score in Score.objects.exclude(subject__code="3")}
    history = HistoryRecord.objects.get(exam_year=2022)
    assert history.passed_subjects == ["1", "2"]

    corrected = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 60, "4": 40})))

    assert (corrected.created_count, corrected.updated_count, corrected.unchanged_count) == (0, 1, 3)
    assert _stored(person)[(2022, "3")] == (60, False, False)
    assert Score.objects.get(subject__code="3").source_id == corrected.pk
    # The lines that did not change keep their row as it was, source and time included.
    assert {score.pk: score.updated_at for score in Score.objects.exclude(subject__code="3")} == untouched
    assert set(Score.objects.exclude(subject__code="3").values_list("source_id", flat=True)) == {first.pk}
    history.refresh_from_db()
    assert history.passed_subjects == ["1", "2", "3"]
    assert corrected.history_records_written == 1

    # Corrected the other way (the last subject now passed): the specialty passes and the record goes.
    passed = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 60, "4": 61})))
    assert (passed.updated_count, passed.certificates_issued) == (1, 1)
    assert not HistoryRecord.objects.filter(exam_year=2022).exists()


def test_of_lines_repeating_a_key_the_first_accepted_one_counts_and_each_later_one_names_it(exams, person):
    rows = [
        [2022, person.id_number, "303", "1", 101, 0, 0],  # line 2: refused for its score, so it is not the first
        [2022, person.id_number, "303", "1", 50, 0, 0],  # line 3: the one that counts
        [2022, person.id_number, "303", "2", 70, 0, 0],
        [2022, person.id_number, "303", "1", 90, 0, 0],  # line 5: a repeat with another score
        [2023, person.id_number, "303", "1", 90, 0, 0],  # another exam: another key
        [2022, person.id_number, "303", "1", 50, 0, 0],  # line 7: a repeat with the same score
    ]
    record = import_csv(csv_bytes(rows))
    assert (record.lines, record.created_count, record.rejected_count) == (6, 3, 3)
    assert record.errors == [
        {"line": 2, "reason": "成绩“101”应为0至100之间的整数。"},
        {"line": 5, "reason": "与第3行重复（同一考试、证件号码、专业和科目）。"},
        {"line": 7, "reason": "与第3行重复（同一考试、证件号码、专业和科目）。"},
    ]
    assert _stored(person) == {
        (2022, "1"): (50, False, False),
        (2022, "2"): (70, False, False),
        (2023, "1"): (90, False, False),
    }

    # The same file again: the repeats are refused again and nothing changes.
    again = import_csv(csv_bytes(rows))
    assert (again.created_count, again.updated_count, again.unchanged_count, again.rejected_count) == (0, 0, 3, 3)
    assert again.errors == record.errors


def test_one_file_of_two_exam_years_passes_across_them_and_leaves_other_candidates_alone(
    exams, person, other_person, internal_medicine
):
    """Seed 003 line 1058: two subjects in 2022 and two in 2023, from one file, pass the specialty in 2023."""
    earlier = import_csv(csv_bytes(sat(2022, other_person.id_number, "303", {"1": 70, "2": 70, "3": 10, "4": 10})))
    make_application(person, exams[2022], internal_medicine)

    record = import_csv(
        csv_bytes(
            sat(2023, person.id_number, "303", {"3": 60, "4": 99})
            + sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40})
        )
    )

    assert (record.created_count, record.certificates_issued) == (6, 1)
    certificate = Certificate.objects.get()
    assert (certificate.candidate, certificate.exam.year, certificate.number) == (person.user, 2023, "202300000001")
    # 2022 was not passed: next year's defaults leave out the two subjects passed then.
    assert HistoryRecord.objects.get(exam_year=2022).passed_subjects == ["1", "2"]
    assert not HistoryRecord.objects.filter(exam_year=2023).exists()
    # Someone not in the file keeps their scores as they were, and gets nothing.
    assert set(
        Score.objects.filter(id_number_digest=other_person.user.id_number_digest).values_list("source_id", flat=True)
    ) == {earlier.pk}
    assert not Certificate.objects.filter(candidate=other_person.user).exists()


def test_a_sitting_merged_under_the_old_id_number_counts_even_from_the_same_file(exams, person, internal_medicine):
    """Seed 002 line 60: with 成绩合并 the two years under two ID numbers roll together, whichever file brings them."""
    old = make_person(303)
    merge_last_year(person, old, exams, internal_medicine)

    record = import_csv(
        csv_bytes(
            sat(2022, old.id_number, "303", {"1": 70, "2": 65, "3": 40, "4": 20})
            + sat(2023, person.id_number, "303", {"3": 60, "4": 99})
        )
    )

    assert record.certificates_issued == 1
    certificate = Certificate.objects.get()
    assert (certificate.candidate, certificate.exam.year) == (person.user, 2023)
    # The old number's own account gets nothing from the merged sitting.
    assert not Certificate.objects.filter(candidate=old.user).exists()


def test_a_revoked_merge_no_longer_counts(exams, person, internal_medicine):
    """Seed 002 line 60: without a merge, a changed ID number "不能进行两年成绩的滚动管理"."""
    from registration.models import User
    from review.services.merges import score_merge_revoke

    old = make_person(303)
    import_csv(csv_bytes(sat(2022, old.id_number, "303", {"1": 70, "2": 65, "3": 40, "4": 20})))
    merge = merge_last_year(person, old, exams, internal_medicine)
    score_merge_revoke(merge_id=merge.pk, actor=User.objects.get(username="boss"), reason="合并有误")

    record = import_csv(csv_bytes(sat(2023, person.id_number, "303", {"3": 60, "4": 99})))

    assert record.certificates_issued == 0
    assert not Certificate.objects.exists()


def test_a_history_candidates_earlier_subjects_count_and_only_the_one_who_fails_gets_next_years_record(
    exams, person, other_person, internal_medicine
):
    """Seed 003 line 1058 and seed 002 line 49: last year's passes (already stored, not in this file) count
    this year; who passes now is no history candidate, who fails now carries only this year's passes."""
    for candidate, number in ((person, "10000001"), (other_person, "10000002")):
        make_application(candidate, exams[2022], internal_medicine, number=number)
        make_application(candidate, exams[2023], internal_medicine, number=number)
    import_csv(
        csv_bytes(
            sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40})
            + sat(2022, other_person.id_number, "303", {"1": 70, "2": 65, "3": 50, "4": 40})
        )
    )
    assert HistoryRecord.objects.filter(exam_year=2022).count() == 2

    record = import_csv(
        csv_bytes(
            sat(2023, person.id_number, "303", {"3": 61, "4": 62})
            + sat(2023, other_person.id_number, "303", {"3": 61, "4": 20})
        )
    )

    assert record.certificates_issued == 1
    assert Certificate.objects.get().candidate == person.user
    assert not HistoryRecord.objects.filter(exam_year=2023, id_number_digest=person.user.id_number_digest).exists()
    failed = HistoryRecord.objects.get(exam_year=2023, id_number_digest=other_person.user.id_number_digest)
    assert (failed.passed_subjects, failed.name, failed.district_code) == (["3"], "李四", "SH")
    # Last year's records are what last year's scores made them.
    assert [record.passed_subjects for record in HistoryRecord.objects.filter(exam_year=2022)] == [["1", "2"]] * 2


def test_an_import_failing_midway_leaves_nothing_half_written_and_can_run_again(
    exams, person, other_person, internal_medicine
):
    make_application(other_person, exams[2022], internal_medicine)
    # A certificate already numbered as the import's first of 2022 would be (a number is unique across
    # years): the import fails when it issues certificates, after its scores and history were written.
    blocker = Certificate.objects.create(
        number="202200000001",
        verification_code="BLOCKER00001",
        candidate=other_person.user,
        id_number_digest=other_person.user.id_number_digest,
        name="李四",
        id_number_masked=other_person.user.id_number_masked,
        specialty=exams[2023].specialties.get(code="368"),
        level="中级",
        exam=exams[2023],
        issued_on=exams[2023].exam_date,
    )
    data = csv_bytes(
        sat(2022, person.id_number, "303", {"1": 90, "2": 90, "3": 90, "4": 90})
        + sat(2022, other_person.id_number, "303", {"1": 90, "2": 10, "3": 10, "4": 10})
    )
    record = score_import_create(file=ContentFile(data, name="scores.csv"), uploaded_by=None, queue=False)

    with pytest.raises(IntegrityError):
        score_import_run(score_import_id=record.pk)

    assert not Score.objects.exists()
    assert not HistoryRecord.objects.exists()
    assert list(Certificate.objects.all()) == [blocker]
    assert not CertificateEvent.objects.exists()
    record.refresh_from_db()
    assert (record.status, record.created_count, record.errors) == ("running", 0, [])

    # Once the obstacle is gone, the task's next delivery imports the file whole.
    blocker.delete()
    done = score_import_run(score_import_id=record.pk)
    assert (done.status, done.created_count, done.certificates_issued, done.history_records_written) == (
        "done",
        8,
        1,
        1,
    )
    assert ScoreImport.objects.get(pk=record.pk).status == "done"
