"""Score imports: store the uploaded file, import it in a worker, and apply the two-year rule.

Importing works on sets, for files of a million lines: each line is checked in Python as it is read
(rejected lines keep their number and reason) and the accepted ones are copied into a staging table;
one upsert writes one ``Score`` per (exam, ID digest, specialty, subject), so importing the same file
again changes nothing; then, for every person and specialty the file touched, the two-year rule runs
over all their sittings, next year's ``HistoryRecord`` rows are refreshed and the certificates of the
specialties passed are issued, each of these in a few statements. All of it is one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import PurePath
from typing import Any, TypeVar

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import tasks
from certificates.models import Certificate, Score, ScoreImport, ScoreImportStatus
from certificates.rules import SubjectResult, first_pass_year, specialty_outcomes
from certificates.score_files import (
    STAGED_COLUMNS,
    Catalogue,
    ExamFacts,
    RejectedLine,
    ScoreFileError,
    duplicate_reason,
    read_score_file,
)
from certificates.services.certificates import Grant, certificates_issue_passed
from certificates.services.history import history_records_refresh
from certificates.staging import COPY_BOOLEAN, StagingTable, copy_text
from registration.choices import Role
from registration.models import Exam, ScoreMerge, Specialty, Subject, User
from registration.selectors.applications import subject_codes
from wecan.errors import InvalidInput, TooLarge

# A national file of a million lines is about 40 MB.
MAX_SCORE_FILE_BYTES = 100 * 1024 * 1024
_CHUNK = 1000
_TERMINAL = (ScoreImportStatus.DONE, ScoreImportStatus.FAILED)

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def score_import_create(*, file: File, uploaded_by: User | None, queue: bool = True) -> ScoreImport:
    """Stores the uploaded CSV privately and (unless ``queue`` is false, for a caller that runs
    ``score_import_run`` itself) queues its import once the transaction commits.

    Refuses an empty file (``InvalidInput``) and one over ``MAX_SCORE_FILE_BYTES`` (``TooLarge``).
    """
    if not file.size:
        raise InvalidInput(fields={"file": [_("文件为空。")]})
    if file.size > MAX_SCORE_FILE_BYTES:
        raise TooLarge(_("成绩文件不能超过%(size)sMB。") % {"size": MAX_SCORE_FILE_BYTES // (1024 * 1024)})
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    with transaction.atomic():
        record = ScoreImport(
            original_name=PurePath(file.name or "scores.csv").name[:255],
            sha256=digest.hexdigest(),
            uploaded_by=uploaded_by,
        )
        record.file.save(f"{digest.hexdigest()[:16]}.csv", file, save=False)
        record.full_clean()
        record.save()
        record_id = record.pk
        if queue:
            transaction.on_commit(lambda: tasks.import_scores.delay(record_id))
    return record


def _catalogue() -> Catalogue:
    exams = {
        exam.year: ExamFacts(
            exam_id=exam.pk, specialty_codes=frozenset(specialty.code for specialty in exam.specialties.all())
        )
        for exam in Exam.objects.prefetch_related("specialties")
    }
    return Catalogue(
        exams=exams,
        specialties=dict(Specialty.objects.values_list("code", "pk")),
        subjects={
            code: (pk, full_score) for code, pk, full_score in Subject.objects.values_list("code", "pk", "full_score")
        },
    )


# Temporary tables of one import, in its transaction's connection (dropped before it commits).
_STAGING = "certificates_score_staging"
_PAIRS = "certificates_score_pairs"
_OUTCOMES = "certificates_score_outcomes"
_PASSES = "certificates_score_passes"
_SCORE = Score._meta.db_table
_KEY = "exam_id, id_number_digest, specialty_id, subject_id"

# The duplicates' check reads every staged line; so does the upsert.
_DUPLICATES = f"""
SELECT s.line, f.first_line FROM {_STAGING} s
JOIN (
  SELECT {_KEY}, MIN(line) AS first_line FROM {_STAGING} GROUP BY {_KEY} HAVING COUNT(*) > 1
) f ON f.exam_id = s.exam_id AND f.id_number_digest = s.id_number_digest AND f.specialty_id = s.specialty_id
  AND f.subject_id = s.subject_id
WHERE s.line > f.first_line
ORDER BY s.line
"""  # noqa: S608 - only constants are formatted in

# A line equal to the stored score writes nothing (a re-import changes no row, not even its source).
# In the unique key's order, so that the index is written page after page rather than all over.
_UPSERT = f"""
INSERT INTO {_SCORE} ({_KEY}, score, absent, disqualified, source_id, updated_at)
SELECT {_KEY}, score, absent, disqualified, %(source)s, %(now)s FROM {_STAGING} WHERE true
ORDER BY {_KEY}
ON CONFLICT ({_KEY}) DO UPDATE SET
  score = excluded.score, absent = excluded.absent, disqualified = excluded.disqualified,
  source_id = excluded.source_id, updated_at = excluded.updated_at
WHERE {_SCORE}.score IS DISTINCT FROM excluded.score OR {_SCORE}.absent <> excluded.absent
  OR {_SCORE}.disqualified <> excluded.disqualified
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter

# Every sitting of each (ID digest, specialty) the file touched, with the sittings merged into that
# person from an earlier ID number (成绩合并, seed 002 line 60), grouped by person and specialty.
_RESULTS = f"""
SELECT p.id_number_digest, p.specialty_id, s.exam_id, s.subject_id, s.score, s.absent, s.disqualified
FROM {_PAIRS} p
JOIN {_SCORE} s ON s.id_number_digest = p.id_number_digest AND s.specialty_id = p.specialty_id
UNION ALL
SELECT p.id_number_digest, p.specialty_id, s.exam_id, s.subject_id, s.score, s.absent, s.disqualified
FROM {_PAIRS} p
JOIN {User._meta.db_table} u ON u.id_number_digest = p.id_number_digest
JOIN {ScoreMerge._meta.db_table} m ON m.candidate_id = u.id AND m.revoked_at IS NULL
JOIN {_SCORE} s ON s.id_number_digest = m.id_number_digest AND s.specialty_id = p.specialty_id
JOIN {Exam._meta.db_table} e ON e.id = s.exam_id AND e.year = m.exam_year
ORDER BY 1, 2
"""  # noqa: S608 - only constants are formatted in

# Passed specialties without a certificate yet, with the candidate's account if there is one.
_TO_CERTIFY = f"""
SELECT p.id_number_digest, p.specialty_id, p.exam_year, u.id
FROM {_PASSES} p
LEFT JOIN {User._meta.db_table} u ON u.id_number_digest = p.id_number_digest AND u.role = %(candidate)s
WHERE NOT EXISTS (
  SELECT 1 FROM {Certificate._meta.db_table} c
  WHERE c.id_number_digest = p.id_number_digest AND c.specialty_id = p.specialty_id
)
ORDER BY p.id_number_digest, p.specialty_id
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter


@dataclass
class _Staged:
    lines: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    exam_ids: set[int] = field(default_factory=set)


_STAGING_TYPES = {
    "line": "integer PRIMARY KEY",
    "id_number_digest": "varchar(64) NOT NULL",
    "exam_id": "integer NOT NULL",
    "specialty_id": "integer NOT NULL",
    "subject_id": "integer NOT NULL",
    "score": "smallint",
    "absent": "boolean NOT NULL",
    "disqualified": "boolean NOT NULL",
}


def _stage_lines(cursor: Any, record: ScoreImport) -> _Staged:
    """Checks every line of the file: the accepted ones go to the staging table, the others to ``rejected``.

    Raises ``ScoreFileError`` (nothing written but the staging table) when the file cannot be read.
    """
    staging = StagingTable(cursor, _STAGING, [(column, _STAGING_TYPES[column]) for column in STAGED_COLUMNS])
    staged = _Staged()
    with record.file.open("rb") as handle:
        for item in read_score_file(handle, catalogue=_catalogue()):
            if isinstance(item, RejectedLine):
                staged.lines += 1
                staged.rejected.append(item)
            else:
                staged.lines += item.lines
                staging.write(item.text)
    staging.load()
    cursor.execute(f"SELECT DISTINCT exam_id FROM {_STAGING}")  # noqa: S608 - a constant
    staged.exam_ids = {exam_id for (exam_id,) in cursor.fetchall()}
    return staged


def _refuse_duplicates(cursor: Any) -> list[RejectedLine]:
    """A key's first accepted line in the file counts; each later line with that key is refused and
    names the first, as the line-by-line import always did."""
    cursor.execute(_DUPLICATES)
    duplicates = [RejectedLine(line, duplicate_reason(first_line)) for line, first_line in cursor.fetchall()]
    for chunk in _chunks([duplicate.line for duplicate in duplicates]):
        placeholders = ", ".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM {_STAGING} WHERE line IN ({placeholders})", list(chunk))  # noqa: S608
    return duplicates


@dataclass
class _Upserted:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _count(cursor: Any, sql: str, params: Sequence[object] = ()) -> int:
    cursor.execute(sql, params)
    return int(cursor.fetchone()[0])


def _upsert_scores(cursor: Any, *, exam_ids: set[int], source: ScoreImport) -> _Upserted:
    """One upsert of the staged lines. The exams of the file are locked by the caller, so no other
    import writes their scores meanwhile and the count before and after tells the new rows apart."""
    in_exams = f"SELECT COUNT(*) FROM {_SCORE} WHERE exam_id IN ({', '.join(['%s'] * len(exam_ids))})"  # noqa: S608
    before = _count(cursor, in_exams, sorted(exam_ids))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cursor.execute(_UPSERT, {"source": source.pk, "now": now})
    written = cursor.rowcount
    created = _count(cursor, in_exams, sorted(exam_ids)) - before
    staged = _count(cursor, f"SELECT COUNT(*) FROM {_STAGING}")  # noqa: S608
    return _Upserted(created=created, updated=written - created, unchanged=staged - written)


@dataclass
class RulesApplied:
    certificates_issued: int = 0
    passed_without_account: int = 0
    history_written: int = 0
    history_without_facts: int = 0


def _results(cursor: Any) -> Iterator[tuple[Any, ...]]:
    if connection.vendor != "postgresql":
        cursor.execute(_RESULTS)
        yield from cursor.fetchall()
        return
    # Read in slices by a server-side cursor, so a national file's results never sit in memory at
    # once; it lives inside the import's transaction, which transaction pooling (PgBouncer) allows.
    with connection.connection.cursor(name="certificates_score_results") as results:
        results.itersize = 20000
        results.execute(_RESULTS)
        yield from results


def _apply_rules(cursor: Any, *, years: set[int], actor: User | None) -> RulesApplied:
    """For each (ID digest, specialty) of the staged lines: the two-year rule (``certificates.rules``,
    the one statement of it) over all their sittings; then, set-wise, next year's HistoryRecords of
    ``years`` and the year after each, and the certificate of a passed specialty to the account with
    that ID number. Running it twice gives what running it once gave."""
    pairs = StagingTable(
        cursor, _PAIRS, [("id_number_digest", "varchar(64) NOT NULL"), ("specialty_id", "integer NOT NULL")]
    )
    pairs.fill(f"SELECT DISTINCT id_number_digest, specialty_id FROM {_STAGING}")  # noqa: S608
    outcomes = StagingTable(
        cursor,
        _OUTCOMES,
        [
            ("exam_year", "integer NOT NULL"),
            ("id_number_digest", "varchar(64) NOT NULL"),
            ("specialty_id", "integer NOT NULL"),
            ("specialty_code", "varchar(10) NOT NULL"),
            ("specialty_passed", "boolean NOT NULL"),
            ("passed_subjects", "text NOT NULL"),
            ("absent", "boolean NOT NULL"),
            ("disqualified", "boolean NOT NULL"),
        ],
    )
    passes = StagingTable(
        cursor,
        _PASSES,
        [("id_number_digest", "varchar(64) NOT NULL"), ("specialty_id", "integer NOT NULL"), ("exam_year", "integer")],
    )
    required = subject_codes()
    exams = {pk: (year, pass_score) for pk, year, pass_score in Exam.objects.values_list("pk", "year", "pass_score")}
    subjects = dict(Subject.objects.values_list("pk", "code"))
    specialty_codes = {pk: copy_text(code) for pk, code in Specialty.objects.values_list("pk", "code")}
    touched_years = years | {year + 1 for year in years}

    # A million rows hold few distinct sittings (exam, subject, score, flags) and few sets of subjects
    # carried forward: each is made once and shared, and each outcome is written as a staging row.
    sittings: dict[tuple[Any, ...], SubjectResult] = {}

    def sitting(key: tuple[Any, ...]) -> SubjectResult:
        exam_id, subject_id, score, absent, disqualified = key
        year, pass_score = exams[exam_id]
        result = SubjectResult(
            year=year,
            subject=subjects[subject_id],
            score=score,
            pass_score=pass_score,
            absent=absent,
            disqualified=disqualified,
        )
        sittings[key] = result
        return result

    carried_json: dict[frozenset[str], str] = {}
    rows_written: list[str] = []
    for (digest, specialty_id), rows in groupby(_results(cursor), key=itemgetter(0, 1)):
        results = [sittings.get(row[2:]) or sitting(row[2:]) for row in rows]
        outcomes_by_year = specialty_outcomes(results, required=required)
        for outcome in outcomes_by_year:
            if outcome.year in touched_years:
                carried = carried_json.get(outcome.carried_forward)
                if carried is None:
                    carried = copy_text(json.dumps(sorted(outcome.carried_forward)))
                    carried_json[outcome.carried_forward] = carried
                rows_written.append(
                    f"{outcome.year}\t{digest}\t{specialty_id}\t{specialty_codes[specialty_id]}\t"
                    f"{COPY_BOOLEAN[outcome.specialty_passed]}\t{carried}\t{COPY_BOOLEAN[outcome.absent]}\t"
                    f"{COPY_BOOLEAN[outcome.disqualified]}\n"
                )
        if len(rows_written) >= _CHUNK:
            outcomes.write("".join(rows_written))
            rows_written = []
        pass_year = first_pass_year(outcomes_by_year)
        if pass_year is not None:
            passes.add((digest, specialty_id, pass_year))
    outcomes.write("".join(rows_written))
    outcomes.load()
    passes.load()

    applied = RulesApplied()
    writes = history_records_refresh(cursor=cursor, outcomes=_OUTCOMES)
    applied.history_written = writes.written + writes.removed
    applied.history_without_facts = writes.without_facts

    cursor.execute(_TO_CERTIFY, {"candidate": Role.CANDIDATE})
    grants: list[Grant] = []
    for _digest, specialty_id, year, candidate_id in cursor.fetchall():
        if candidate_id is None:
            applied.passed_without_account += 1
        else:
            grants.append(Grant(candidate_id=candidate_id, specialty_id=specialty_id, exam_year=year))
    applied.certificates_issued = certificates_issue_passed(grants=grants, actor=actor)
    for table in (pairs, outcomes, passes):
        table.drop()
    return applied


def _locked_import(score_import_id: int) -> ScoreImport:
    return ScoreImport.objects.select_for_update().get(pk=score_import_id)


def _discard_file(record: ScoreImport) -> None:
    """Forgets the uploaded file once its import is over (the file is deleted when that commits)."""
    storage, name = record.file.storage, record.file.name
    record.file.name = ""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def score_import_run(*, score_import_id: int) -> ScoreImport:
    """Imports the file of ``score_import_id``, all of it or (when the file cannot be read) none.

    The caller may rely on: an import that is done or failed is returned untouched (a task
    delivered twice does nothing the second time); a run cut short leaves no score written; each
    rejected line is in ``errors`` as ``{"line", "reason"}`` and the other lines are imported; the
    uploaded file (ID numbers in clear) is deleted once the import is over.
    """
    with transaction.atomic():
        record = _locked_import(score_import_id)
        if record.status in _TERMINAL:
            return record
        record.status = ScoreImportStatus.RUNNING
        record.save(update_fields=["status"])

    with transaction.atomic(), connection.cursor() as cursor:
        record = _locked_import(score_import_id)
        if record.status in _TERMINAL:
            return record
        if connection.vendor == "postgresql":
            # The duplicates' check, the pairs and the results sort a million rows: in memory, not on disk;
            # and no JIT, whose compiling of these one-off statements costs more than it saves.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
        try:
            staged = _stage_lines(cursor, record)
        except ScoreFileError as error:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
            record.status = ScoreImportStatus.FAILED
            record.message = str(error.message)
            record.finished_at = timezone.now()
            _discard_file(record)
            record.save(update_fields=["status", "message", "finished_at", "file"])
            return record

        # Two imports of the same exam year take turns, so their upserts never race.
        years = set(
            Exam.objects.select_for_update()
            .filter(pk__in=staged.exam_ids)
            .order_by("pk")
            .values_list("year", flat=True)
        )
        rejected = sorted(staged.rejected + _refuse_duplicates(cursor))
        upserted = _upsert_scores(cursor, exam_ids=staged.exam_ids, source=record) if staged.exam_ids else _Upserted()
        applied = _apply_rules(cursor, years=years, actor=record.uploaded_by)
        cursor.execute(f"DROP TABLE {_STAGING}")
        record.status = ScoreImportStatus.DONE
        record.lines = staged.lines
        record.created_count = upserted.created
        record.updated_count = upserted.updated
        record.unchanged_count = upserted.unchanged
        record.rejected_count = len(rejected)
        record.errors = [{"line": line.line, "reason": line.reason} for line in rejected]
        record.certificates_issued = applied.certificates_issued
        record.passed_without_account = applied.passed_without_account
        record.history_records_written = applied.history_written
        if applied.history_without_facts:
            record.message = _("%(count)s项未通过的成绩在本系统中没有当年的报名信息，未写入历史考生记录。") % {
                "count": applied.history_without_facts
            }
        record.finished_at = timezone.now()
        _discard_file(record)
        record.full_clean(exclude=["uploaded_by"])
        record.save()
    return record
