"""The score rules (成绩合格标准, 成绩滚动管理) as pure functions: no database, no Django.

- A subject passes when it was sat (not absent, not disqualified) with a score at or above the
  exam's pass score.
- A subject passed in exam year N still counts in year N+1, and no later: it is valid until N+1.
- A specialty passes in year N when its four subjects are all passed in years N-1 and N together.
  Results of different specialties never merge: callers give one specialty's results at a time.
- Once a specialty has passed, its results are used up: nothing carries into the following year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SubjectResult:
    """One subject sat (or missed) in one exam year, with that exam's pass score."""

    year: int
    subject: str
    score: int | None
    pass_score: int
    absent: bool = False
    disqualified: bool = False


def subject_passed(result: SubjectResult) -> bool:
    """Absent and disqualified never pass, whatever score a file gives them."""
    if result.absent or result.disqualified or result.score is None:
        return False
    return result.score >= result.pass_score


def valid_until(result: SubjectResult) -> int | None:
    """The last exam year in which a passed subject counts (the year after it was passed), else ``None``."""
    return result.year + 1 if subject_passed(result) else None


@dataclass(frozen=True)
class YearOutcome:
    """One specialty of one person in one exam year, seen through the two-year rule.

    ``counted``: the subjects that count this year (passed this year, or last year and carried);
    ``carried_forward``: the subjects still valid next year (next year's defaults leave them out);
    ``absent``: missed every subject sat this year; ``disqualified``: disqualified in any subject.
    """

    year: int
    passed_now: frozenset[str]
    counted: frozenset[str]
    specialty_passed: bool
    carried_forward: frozenset[str]
    absent: bool
    disqualified: bool


def specialty_outcomes(results: Iterable[SubjectResult], *, required: Collection[str]) -> list[YearOutcome]:
    """Year by year (oldest first), what the results of ONE person in ONE specialty amount to.

    ``required`` are the subject codes a specialty is examined in (the four subjects).
    """
    by_year: dict[int, list[SubjectResult]] = defaultdict(list)
    for result in results:
        by_year[result.year].append(result)
    required_set = frozenset(required)
    outcomes: list[YearOutcome] = []
    carry: frozenset[str] = frozenset()
    previous_year: int | None = None
    for year in sorted(by_year):
        sat = by_year[year]
        passed_now = frozenset(result.subject for result in sat if subject_passed(result))
        # Only the year just before counts: a gap of a year lets every earlier pass expire.
        carried = carry if previous_year == year - 1 else frozenset()
        counted = passed_now | carried
        passed = bool(required_set) and required_set <= counted
        carry = frozenset() if passed else passed_now
        outcomes.append(
            YearOutcome(
                year=year,
                passed_now=passed_now,
                counted=counted,
                specialty_passed=passed,
                carried_forward=carry,
                absent=all(result.absent for result in sat),
                disqualified=any(result.disqualified for result in sat),
            )
        )
        previous_year = year
    return outcomes


def first_pass_year(outcomes: Iterable[YearOutcome]) -> int | None:
    """The exam year in which the specialty was first passed, or ``None``."""
    return next((outcome.year for outcome in outcomes if outcome.specialty_passed), None)
