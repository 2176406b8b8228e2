"""The two-year rule end to end: import scores, then what the candidate's API and next year's defaults say."""

from __future__ import annotations

import pytest

from certificates.models import Certificate
from tests.certificates.conftest import csv_bytes, import_csv, make_person, merge_last_year, sat

pytestmark = pytest.mark.django_db


def _scores(person) -> list[dict]:
    response = person.api().get("/api/v1/me/scores/")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def _certificates(person) -> list[dict]:
    response = person.api().get("/api/v1/me/certificates/")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_all_four_passed_in_one_year_issue_a_certificate(exams, person):
    record = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 60, "2": 75, "3": 88, "4": 61})))
    assert (record.status, record.created_count, record.rejected_count) == ("done", 4, 0)
    assert record.certificates_issued == 1

    scores = _scores(person)
    assert {(row["subject"], row["score"], row["passed"], row["valid_until"]) for row in scores} == {
        ("1", 60, True, 2023),
        ("2", 75, True, 2023),
        ("3", 88, True, 2023),
        ("4", 61, True, 2023),
    }
    assert {row["exam"] for row in scores} == {exams[2022].pk}
    assert {row["specialty"] for row in scores} == {"303"}
    [certificate] = _certificates(person)
    assert (certificate["specialty"], certificate["level"], certificate["exam_year"]) == ("303", "中级", 2022)
    assert certificate["status"] == "valid"
    assert certificate["pdf"].endswith(f"/api/v1/me/certificates/{certificate['id']}/certificate.pdf")


def test_two_in_year_n_and_two_in_year_n_plus_1_issue_the_certificate_in_n_plus_1(exams, person):
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 59, "4": 20})))
    assert _certificates(person) == []
    record = import_csv(csv_bytes(sat(2023, person.id_number, "303", {"3": 60, "4": 99})))
    assert record.certificates_issued == 1
    [certificate] = _certificates(person)
    assert certificate["exam_year"] == 2023
    failed = [row for row in _scores(person) if not row["passed"]]
    assert {(row["exam_year"], row["subject"], row["valid_until"]) for row in failed} == {
        (2022, "3", None),
        (2022, "4", None),
    }


def test_two_in_n_one_in_n_plus_1_then_the_rest_in_n_plus_2_only_counts_n_plus_1(exams, person):
    import_csv(csv_bytes(sat(2021, person.id_number, "303", {"1": 70, "2": 70, "3": 30, "4": 30})))
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"3": 70, "4": 30})))
    # The one subject never passed, now passed: N's two have expired, so the specialty is not passed.
    import_csv(csv_bytes(sat(2023, person.id_number, "303", {"4": 80})))
    assert _certificates(person) == []
    assert {(row["exam_year"], row["subject"]) for row in _scores(person) if row["valid_until"] == 2024} == {
        (2023, "4")
    }

    # Sitting the expired two again in N+3 completes it with N+2's pass: four within two years.
    record = import_csv(csv_bytes(sat(2024, person.id_number, "303", {"1": 61, "2": 62, "3": 63})))
    assert record.certificates_issued == 1
    assert _certificates(person)[0]["exam_year"] == 2024


def test_different_specialties_never_merge(exams, person):
    import_csv(
        csv_bytes(
            sat(2022, person.id_number, "303", {"1": 70, "2": 70, "3": 10, "4": 10})
            + sat(2023, person.id_number, "368", {"1": 10, "2": 10, "3": 70, "4": 70})
        )
    )
    assert _certificates(person) == []
    assert Certificate.objects.count() == 0


def test_absent_and_disqualified_subjects_never_pass_and_the_sitting_is_no_history_candidacy(
    exams, person, other_person
):
    import_csv(
        csv_bytes(
            sat(2022, person.id_number, "303", dict.fromkeys(("1", "2", "3", "4")), absent={"1", "2", "3", "4"})
            + sat(2022, other_person.id_number, "303", {"1": 90, "2": 90, "3": 90, "4": 90}, disqualified={"4"})
        )
    )
    assert {(row["subject"], row["score"], row["absent"], row["passed"]) for row in _scores(person)} == {
        (code, None, True, False) for code in ("1", "2", "3", "4")
    }
    other = {row["subject"]: row for row in _scores(other_person)}
    assert other["4"]["disqualified"] and not other["4"]["passed"] and other["4"]["valid_until"] is None
    assert other["1"]["passed"]
    assert _certificates(other_person) == []


def test_the_pass_score_is_the_exams_own(exams, person):
    exams[2022].pass_score = 65
    exams[2022].save()
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 64, "2": 65, "3": 90, "4": 90})))
    passed = {row["subject"]: row["passed"] for row in _scores(person)}
    assert passed == {"1": False, "2": True, "3": True, "4": True}
    assert _certificates(person) == []


def test_scores_of_someone_else_are_not_shown(exams, person, other_person):
    import_csv(csv_bytes(sat(2022, other_person.id_number, "303", {"1": 70})))
    assert _scores(person) == []
    assert len(_scores(other_person)) == 1


def test_scores_imported_before_the_account_exists_appear_once_it_does(exams):
    from tests.factories.accounts import resident_id_number

    id_number = resident_id_number(sequence=303)
    record = import_csv(csv_bytes(sat(2022, id_number, "303", {"1": 70, "2": 70, "3": 70, "4": 70})))
    assert (record.certificates_issued, record.passed_without_account) == (0, 1)
    late = make_person(303)
    assert len(_scores(late)) == 4
    # Importing the file again now issues the certificate to the new account, and changes no score.
    again = import_csv(csv_bytes(sat(2022, id_number, "303", {"1": 70, "2": 70, "3": 70, "4": 70})))
    assert (again.unchanged_count, again.created_count, again.updated_count) == (4, 0, 0)
    assert again.certificates_issued == 1
    assert len(_certificates(late)) == 1


def test_staff_get_403_on_the_candidate_endpoints(exams, django_user_model):
    from rest_framework.test import APIClient

    from registration.choices import Role

    admin = django_user_model.objects.create_user(
        username="exam-admin", password="x-pass-12345", role=Role.ADMINISTRATOR
    )
    client = APIClient()
    client.force_authenticate(admin)
    assert client.get("/api/v1/me/scores/").status_code == 403
    assert client.get("/api/v1/me/certificates/").status_code == 403
    assert APIClient().get("/api/v1/me/scores/").status_code == 401


def test_a_merged_sitting_under_the_old_id_number_counts_in_the_two_year_rule(exams, person, internal_medicine):
    """Seed 002 line 60: without 成绩合并 a changed ID number "不能进行两年成绩的滚动管理"; merged,
    two subjects of 2022 under the old number and two of 2023 under the new one pass the specialty."""
    old = make_person(303)
    import_csv(csv_bytes(sat(2022, old.id_number, "303", {"1": 70, "2": 65, "3": 40, "4": 20})))
    merge_last_year(person, old, exams, internal_medicine)

    record = import_csv(csv_bytes(sat(2023, person.id_number, "303", {"3": 60, "4": 99})))

    assert record.certificates_issued == 1
    [certificate] = _certificates(person)
    assert certificate["exam_year"] == 2023
    assert {(row["exam_year"], row["subject"], row["passed"]) for row in _scores(person)} >= {
        (2022, "1", True),
        (2022, "2", True),
    }


def test_without_a_merge_the_old_id_numbers_passes_do_not_count(exams, person, internal_medicine):
    old = make_person(303)
    import_csv(csv_bytes(sat(2022, old.id_number, "303", {"1": 70, "2": 65, "3": 40, "4": 20})))

    record = import_csv(csv_bytes(sat(2023, person.id_number, "303", {"3": 60, "4": 99})))

    assert record.certificates_issued == 0
    assert _certificates(person) == []
