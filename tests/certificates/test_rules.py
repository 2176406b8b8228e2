"""The two-year rolling rule (成绩滚动管理) as pure functions: no database."""

from __future__ import annotations

from certificates.rules import SubjectResult, first_pass_year, specialty_outcomes, subject_passed, valid_until

FOUR = ("1", "2", "3", "4")


def results(year: int, scores: dict[str, int | None], *, pass_score: int = 60, absent=(), disqualified=()):
    return [
        SubjectResult(year, subject, score, pass_score, absent=subject in absent, disqualified=subject in disqualified)
        for subject, score in scores.items()
    ]


def test_a_subject_passes_at_the_pass_score_and_not_below():
    assert subject_passed(SubjectResult(2022, "1", 60, 60))
    assert not subject_passed(SubjectResult(2022, "1", 59, 60))


def test_the_pass_score_is_the_exams_own():
    assert not subject_passed(SubjectResult(2022, "1", 62, 65))
    assert subject_passed(SubjectResult(2022, "1", 55, 55))


def test_absent_and_disqualified_never_pass_whatever_the_score():
    assert not subject_passed(SubjectResult(2022, "1", None, 60, absent=True))
    assert not subject_passed(SubjectResult(2022, "1", 95, 60, disqualified=True))


def test_a_passed_subject_is_valid_until_the_following_year_and_a_failed_one_not_at_all():
    assert valid_until(SubjectResult(2022, "1", 75, 60)) == 2023
    assert valid_until(SubjectResult(2022, "1", 40, 60)) is None


def test_all_four_passed_in_one_year_pass_the_specialty_that_year():
    outcomes = specialty_outcomes(results(2022, dict.fromkeys(FOUR, 70)), required=FOUR)
    assert [outcome.specialty_passed for outcome in outcomes] == [True]
    assert first_pass_year(outcomes) == 2022
    # Used up: nothing carries into the next year.
    assert outcomes[0].carried_forward == frozenset()


def test_two_in_one_year_and_two_in_the_next_pass_in_the_second_year():
    history = results(2022, {"1": 70, "2": 65, "3": 50, "4": 40}) + results(2023, {"3": 61, "4": 88})
    outcomes = specialty_outcomes(history, required=FOUR)
    assert [(outcome.year, outcome.specialty_passed) for outcome in outcomes] == [(2022, False), (2023, True)]
    assert outcomes[0].carried_forward == {"1", "2"}
    assert outcomes[1].counted == set(FOUR)


def test_passes_expire_after_one_further_year_so_only_the_middle_years_count():
    # Two in N, one in N+1, then in N+2 the one never passed: N's two have expired.
    history = (
        results(2021, {"1": 70, "2": 70, "3": 10, "4": 10})
        + results(2022, {"3": 70, "4": 10})
        + results(2023, {"4": 70})
    )
    outcomes = specialty_outcomes(history, required=FOUR)
    assert [outcome.specialty_passed for outcome in outcomes] == [False, False, False]
    assert outcomes[2].counted == {"3", "4"}
    assert first_pass_year(outcomes) is None


def test_after_an_expiry_the_expired_subjects_sat_again_complete_the_specialty():
    history = (
        results(2021, {"1": 70, "2": 70, "3": 10, "4": 10})
        + results(2022, {"3": 70, "4": 10})
        + results(2023, {"1": 66, "2": 71, "4": 60})
    )
    outcomes = specialty_outcomes(history, required=FOUR)
    assert [outcome.specialty_passed for outcome in outcomes] == [False, False, True]
    assert first_pass_year(outcomes) == 2023


def test_a_year_without_a_sitting_lets_earlier_passes_expire():
    history = results(2021, {"1": 70, "2": 70, "3": 70}) + results(2023, {"4": 70})
    outcomes = specialty_outcomes(history, required=FOUR)
    assert [outcome.specialty_passed for outcome in outcomes] == [False, False]
    assert outcomes[1].counted == {"4"}


def test_absent_and_disqualified_sittings_are_flagged_for_the_history_record():
    absent_everywhere = specialty_outcomes(results(2022, dict.fromkeys(FOUR), absent=FOUR), required=FOUR)
    assert absent_everywhere[0].absent and not absent_everywhere[0].disqualified
    partly_absent = specialty_outcomes(results(2022, {"1": 70, "2": None}, absent={"2"}), required=FOUR)
    assert not partly_absent[0].absent
    disqualified = specialty_outcomes(results(2022, {"1": 90, "2": 90}, disqualified={"2"}), required=FOUR)
    assert disqualified[0].disqualified
    assert disqualified[0].carried_forward == {"1"}


def test_a_specialty_with_no_required_subjects_never_passes():
    assert not specialty_outcomes(results(2022, {"1": 90}), required=())[0].specialty_passed
