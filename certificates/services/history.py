"""Writes of ``registration.models.HistoryRecord`` from scores: next year's history-candidate facts.

A record (exam year, ID digest, specialty code) says what a person's sitting of a specialty means for
the following year: ``passed_subjects`` are the subjects still valid then (so the application leaves
them out of the defaults), ``absent`` / ``disqualified`` take away the history-candidate status. The
history import (staff's CSV) writes the same rows with the same key; these writes keep what it wrote
about the person (name, district, site, level, education, unit) and change only the score facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from registration.application_bodies import application_bodies_outdated
from registration.models import Application, District, Exam, HistoryRecord, Site, Specialty, Unit, User

_HISTORY = HistoryRecord._meta.db_table
_SAME_KEY = (
    "h.exam_year = o.exam_year AND h.id_number_digest = o.id_number_digest AND h.specialty_code = o.specialty_code"
)


def _json(column: str) -> str:
    # The outcomes hold the JSON as text: PostgreSQL stores jsonb, SQLite the text as it is.
    return f"CAST({column} AS jsonb)" if connection.vendor == "postgresql" else column


def _statements(outcomes: str) -> dict[str, str]:
    unit_name = "CASE WHEN a.unit_id IS NOT NULL THEN unit.name ELSE a.other_unit_name END"
    site_code = "COALESCE(site.code, '')"
    # What the history import would give about the person, taken from their application that year;
    # a fact missing (no application, a blank field) writes nothing rather than guess it.
    facts = f"""
FROM {outcomes} o
JOIN {Exam._meta.db_table} e ON e.year = o.exam_year
JOIN {User._meta.db_table} u ON u.id_number_digest = o.id_number_digest
JOIN {Application._meta.db_table} a ON a.exam_id = e.id AND a.candidate_id = u.id AND a.specialty_id = o.specialty_id
JOIN {District._meta.db_table} d ON d.id = a.district_id
JOIN {Specialty._meta.db_table} sp ON sp.id = a.specialty_id
LEFT JOIN {Site._meta.db_table} site ON site.id = a.site_id
LEFT JOIN {Unit._meta.db_table} unit ON unit.id = a.unit_id
WHERE NOT o.specialty_passed AND NOT EXISTS (SELECT 1 FROM {_HISTORY} h WHERE {_SAME_KEY})
  AND u.name <> '' AND d.code <> '' AND {site_code} <> '' AND sp.level <> '' AND a.highest_education <> ''
  AND {unit_name} <> ''
"""  # noqa: S608 - only table and column names are formatted in
    return {
        # A specialty passed that year: the person is no history candidate.
        "remove": f"""
DELETE FROM {_HISTORY} WHERE EXISTS (
  SELECT 1 FROM {outcomes} o
  WHERE o.specialty_passed AND o.exam_year = {_HISTORY}.exam_year
    AND o.id_number_digest = {_HISTORY}.id_number_digest AND o.specialty_code = {_HISTORY}.specialty_code
)""",  # noqa: S608
        # A record already equal to what the scores say is not written again.
        "update": f"""
UPDATE {_HISTORY} AS h SET passed_subjects = {_json("o.passed_subjects")}, absent = o.absent,
  disqualified = o.disqualified
FROM {outcomes} o
WHERE NOT o.specialty_passed AND {_SAME_KEY}
  AND (
    h.passed_subjects <> {_json("o.passed_subjects")} OR h.absent <> o.absent OR h.disqualified <> o.disqualified
  )
""",  # noqa: S608
        "missing": f"""
SELECT COUNT(*) FROM {outcomes} o
WHERE NOT o.specialty_passed AND NOT EXISTS (SELECT 1 FROM {_HISTORY} h WHERE {_SAME_KEY})
""",  # noqa: S608
        "create": f"""
INSERT INTO {_HISTORY} (exam_year, id_number_digest, specialty_code, name, district_code, site_code, level,
  education, unit_name, passed_subjects, absent, disqualified, file_number, ticket_number)
SELECT o.exam_year, o.id_number_digest, o.specialty_code, u.name, d.code, {site_code}, sp.level,
  a.highest_education, {unit_name}, {_json("o.passed_subjects")}, o.absent, o.disqualified, '', ''
{facts}""",
    }


@dataclass
class HistoryWrites:
    written: int = 0
    removed: int = 0
    # Not passed, but neither an earlier record nor an application says who and where: nothing written.
    without_facts: int = 0


def history_records_refresh(*, cursor: Any, outcomes: str) -> HistoryWrites:
    """Brings the HistoryRecord of each row of the table ``outcomes`` (exam_year, id_number_digest,
    specialty_id, specialty_code, specialty_passed, passed_subjects as JSON text, absent, disqualified:
    one person's specialty in one year, as ``certificates.rules`` judged it) to what it says, in the
    caller's transaction. The caller may rely on:

    - a specialty passed that year leaves no record (the person is not a history candidate);
    - otherwise the record holds the subjects carried forward and the absent/disqualified flags,
      created from the person's application of that year when there is no record yet;
    - a record already equal to that is not written again (a repeated import changes nothing);
    - when a record was written or removed, the cached application bodies, which show the history
      subjects, are retired (their post_save signal does not fire for SQL).
    """
    statements = _statements(outcomes)
    result = HistoryWrites()
    cursor.execute(statements["remove"])
    result.removed = cursor.rowcount
    cursor.execute(statements["update"])
    result.written = cursor.rowcount
    cursor.execute(statements["missing"])
    missing = int(cursor.fetchone()[0])
    cursor.execute(statements["create"])
    result.written += cursor.rowcount
    result.without_facts = missing - cursor.rowcount
    if result.written or result.removed:
        application_bodies_outdated()
    return result
