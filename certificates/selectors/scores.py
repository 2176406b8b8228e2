"""Reads of scores: a candidate's results with whether each passed and until when it counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from certificates.models import Score
from certificates.rules import SubjectResult, subject_passed, valid_until
from registration.models import User
from registration.selectors.applications import merged_sittings


@dataclass(frozen=True)
class ScoreRecord:
    exam_id: int
    exam_year: int
    exam_name: str
    specialty: str
    specialty_name: str
    subject: str
    subject_name: str
    score: int | None
    absent: bool
    disqualified: bool
    passed: bool
    valid_until: int | None
    # The names in the page's language (the API answers with the Chinese ones above).
    specialty_shown_name: str
    subject_shown_name: str


def scores_of_candidate(*, candidate: User) -> list[ScoreRecord]:
    """The candidate's scores (found by ID digest), newest exam first, then by specialty and subject."""
    if not candidate.id_number_digest:
        return []
    # Years sat under an earlier ID number and merged by site staff (成绩合并) are the candidate's too.
    own = Q(id_number_digest=candidate.id_number_digest)
    for digest, year in merged_sittings(digests=[candidate.id_number_digest]).get(candidate.id_number_digest, []):
        own |= Q(id_number_digest=digest, exam__year=year)
    rows = (
        Score.objects.filter(own)
        .select_related("exam", "specialty", "subject")
        .order_by("-exam__year", "specialty__code", "subject__code")
    )
    records = []
    for row in rows:
        result = SubjectResult(
            year=row.exam.year,
            subject=row.subject.code,
            score=row.score,
            pass_score=row.exam.pass_score,
            absent=row.absent,
            disqualified=row.disqualified,
        )
        records.append(
            ScoreRecord(
                exam_id=row.exam_id,
                exam_year=row.exam.year,
                exam_name=row.exam.name,
                specialty=row.specialty.code,
                specialty_name=row.specialty.name,
                subject=row.subject.code,
                subject_name=row.subject.name,
                score=row.score,
                absent=row.absent,
                disqualified=row.disqualified,
                passed=subject_passed(result),
                valid_until=valid_until(result),
                specialty_shown_name=row.specialty.shown_name,
                subject_shown_name=row.subject.shown_name,
            )
        )
    return records
