"""Writes of ``registration.models.HistoryRecord`` from scores: next year's history-candidate facts.

A record (exam year, ID digest, specialty code) says what a person's sitting of a specialty means for
the following year: ``passed_subjects`` are the subjects still valid then (so the application leaves
them out of the defaults), ``absent`` / ``disqualified`` take away the history-candidate status. The
history import (staff's CSV) writes the same rows with the same key; these writes keep what it wrote
about the person (name, district, site, level, education, unit) and change only the score facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from certificates.rules import YearOutcome
from registration.models import Application, HistoryRecord


@dataclass(frozen=True)
class HistoryEntry:
    id_number_digest: str
    specialty_code: str
    outcome: YearOutcome


def _facts_from_application(application: Application) -> dict[str, str]:
    """What the history import would give about the person, taken from their application that year."""
    unit_name = application.unit.name if application.unit else application.other_unit_name
    return {
        "name": application.candidate.name,
        "district_code": application.district.code,
        "site_code": application.site.code if application.site else "",
        "level": application.specialty.level if application.specialty else "",
        "education": application.highest_education,
        "unit_name": unit_name,
    }


def _applications(entries: list[HistoryEntry]) -> dict[tuple[int, str, str], Application]:
    found = Application.objects.filter(
        exam__year__in={entry.outcome.year for entry in entries},
        candidate__id_number_digest__in={entry.id_number_digest for entry in entries},
        specialty__code__in={entry.specialty_code for entry in entries},
    ).select_related("exam", "candidate", "district", "site", "specialty", "unit")
    return {
        (application.exam.year, application.candidate.id_number_digest or "", application.specialty.code): application
        for application in found
        if application.specialty is not None
    }


@dataclass
class HistoryWrites:
    written: int = 0
    removed: int = 0
    # Not passed, but neither an earlier record nor an application says who and where: nothing written.
    without_facts: int = 0


def history_records_refresh(*, entries: Iterable[HistoryEntry], batch_size: int = 500) -> HistoryWrites:
    """Brings each entry's HistoryRecord to what the scores say; the caller may rely on:

    - a specialty passed that year leaves no record (the person is not a history candidate);
    - otherwise the record holds the subjects carried forward and the absent/disqualified flags,
      created from the person's application of that year when there is no record yet;
    - a record already equal to that is not written again (a repeated import changes nothing).
    """
    result = HistoryWrites()
    pending = list(entries)
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        with transaction.atomic():
            _refresh_batch(batch, result)
    return result


def _refresh_batch(batch: list[HistoryEntry], result: HistoryWrites) -> None:
    # A superset of the batch's keys in one query; the exact keys are picked out below.
    candidates = HistoryRecord.objects.select_for_update().filter(
        exam_year__in={entry.outcome.year for entry in batch},
        id_number_digest__in={entry.id_number_digest for entry in batch},
        specialty_code__in={entry.specialty_code for entry in batch},
    )
    records = {
        (record.exam_year, record.id_number_digest, record.specialty_code): record
        for record in candidates.order_by("pk")
    }
    applications = _applications([entry for entry in batch if not entry.outcome.specialty_passed])
    for entry in batch:
        key = (entry.outcome.year, entry.id_number_digest, entry.specialty_code)
        record = records.get(key)
        if entry.outcome.specialty_passed:
            if record is not None:
                record.delete()
                result.removed += 1
            continue
        values = {
            "passed_subjects": sorted(entry.outcome.carried_forward),
            "absent": entry.outcome.absent,
            "disqualified": entry.outcome.disqualified,
        }
        if record is None:
            application = applications.get(key)
            facts = _facts_from_application(application) if application is not None else {}
            if not facts or not all(facts.values()):
                result.without_facts += 1
                continue
            record = HistoryRecord(
                exam_year=entry.outcome.year,
                id_number_digest=entry.id_number_digest,
                specialty_code=entry.specialty_code,
                **facts,
            )
        elif all(getattr(record, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(record, name, value)
        record.full_clean(validate_unique=False)
        record.save()
        result.written += 1
