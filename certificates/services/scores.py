"""Score imports: store the uploaded file, import it in a worker, and apply the two-year rule.

Importing upserts one ``Score`` per (exam, ID digest, specialty, subject), so importing the same file
again changes nothing; then, for every person and specialty the file touched, it refreshes next
year's ``HistoryRecord`` and issues the certificate of a specialty that has passed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TypeVar

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import tasks
from certificates.models import Certificate, Score, ScoreImport, ScoreImportStatus
from certificates.rules import SubjectResult, first_pass_year, specialty_outcomes
from certificates.score_files import Catalogue, ExamFacts, ScoreFileError, ScoreLine, read_score_file
from certificates.services.certificates import certificate_issue
from certificates.services.history import HistoryEntry, history_records_refresh
from registration.choices import Role
from registration.models import Exam, Specialty, Subject, User
from registration.selectors.applications import merged_sittings, subject_codes
from wecan.errors import InvalidInput, TooLarge

MAX_SCORE_FILE_BYTES = 20 * 1024 * 1024
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


@dataclass
class _Upserted:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert_scores(lines: list[ScoreLine], source: ScoreImport) -> _Upserted:
    result = _Upserted()
    exam_ids = sorted({line.exam_id for line in lines})
    digests = sorted({line.id_number_digest for line in lines})
    existing: dict[tuple[int, str, int, int], Score] = {}
    for chunk in _chunks(digests):
        rows = Score.objects.select_for_update().filter(exam_id__in=exam_ids, id_number_digest__in=chunk).order_by("pk")
        for score in rows:
            existing[(score.exam_id, score.id_number_digest, score.specialty_id, score.subject_id)] = score
    now = timezone.now()
    new: list[Score] = []
    changed: list[Score] = []
    for line in lines:
        found = existing.get(line.key)
        if found is None:
            score = Score(
                exam_id=line.exam_id,
                id_number_digest=line.id_number_digest,
                specialty_id=line.specialty_id,
                subject_id=line.subject_id,
            )
            new.append(score)
        elif (found.score, found.absent, found.disqualified) == (line.score, line.absent, line.disqualified):
            result.unchanged += 1
            continue
        else:
            score = found
            changed.append(score)
        score.score, score.absent, score.disqualified = line.score, line.absent, line.disqualified
        score.source = source
        score.updated_at = now
        # The keys were looked up in the catalogue already; the database constraints guard the rest.
        score.full_clean(
            exclude=["exam", "specialty", "subject", "source"], validate_unique=False, validate_constraints=False
        )
    Score.objects.bulk_create(new, batch_size=_CHUNK)
    Score.objects.bulk_update(changed, ["score", "absent", "disqualified", "source", "updated_at"], batch_size=_CHUNK)
    result.created, result.updated = len(new), len(changed)
    return result


@dataclass
class RulesApplied:
    certificates_issued: int = 0
    passed_without_account: int = 0
    history_written: int = 0
    history_without_facts: int = 0


def scores_apply_rules(*, pairs: set[tuple[str, int]], years: set[int], actor: User | None) -> RulesApplied:
    """For each (ID digest, specialty id): refresh the HistoryRecords of ``years`` and the year after
    each, and issue the certificate of a passed specialty to the account with that ID number.

    The caller may rely on: running it twice gives what running it once gave.
    """
    applied = RulesApplied()
    if not pairs:
        return applied
    required = subject_codes()
    specialties = Specialty.objects.in_bulk({specialty_id for _digest, specialty_id in pairs})
    results: dict[tuple[str, int], list[SubjectResult]] = defaultdict(list)
    # 成绩合并 (seed 002 line 60): a year sat under an earlier ID number counts as the candidate's own.
    merged = merged_sittings(digests={digest for digest, _specialty in pairs})
    owner = {(old, year): digest for digest, sittings in merged.items() for old, year in sittings}
    for chunk in _chunks(sorted({digest for digest, _specialty in pairs} | {old for old, _year in owner})):
        rows = Score.objects.filter(id_number_digest__in=chunk, specialty_id__in=list(specialties)).values_list(
            "id_number_digest",
            "specialty_id",
            "exam__year",
            "exam__pass_score",
            "subject__code",
            "score",
            "absent",
            "disqualified",
        )
        for digest, specialty_id, year, pass_score, subject, score, absent, disqualified in rows:
            result = SubjectResult(year, subject, score, pass_score, absent=absent, disqualified=disqualified)
            if (digest, specialty_id) in pairs:
                results[(digest, specialty_id)].append(result)
            merged_into = owner.get((digest, year))
            if merged_into is not None and (merged_into, specialty_id) in pairs:
                results[(merged_into, specialty_id)].append(result)

    touched_years = years | {year + 1 for year in years}
    entries: list[HistoryEntry] = []
    passes: list[tuple[str, int, int]] = []
    for (digest, specialty_id), specialty_results in sorted(results.items()):
        outcomes = specialty_outcomes(specialty_results, required=required)
        code = specialties[specialty_id].code
        entries += [HistoryEntry(digest, code, outcome) for outcome in outcomes if outcome.year in touched_years]
        pass_year = first_pass_year(outcomes)
        if pass_year is not None:
            passes.append((digest, specialty_id, pass_year))

    writes = history_records_refresh(entries=entries)
    applied.history_written = writes.written + writes.removed
    applied.history_without_facts = writes.without_facts

    accounts: dict[str, User] = {}
    issued: set[tuple[str, int]] = set()
    for chunk in _chunks(sorted({digest for digest, _specialty, _year in passes})):
        for user in User.objects.filter(role=Role.CANDIDATE, id_number_digest__in=chunk):
            accounts[user.id_number_digest or ""] = user
        issued.update(
            Certificate.objects.filter(id_number_digest__in=chunk).values_list("id_number_digest", "specialty_id")
        )
    exams = {exam.year: exam for exam in Exam.objects.filter(year__in={year for _d, _s, year in passes})}
    for digest, specialty_id, year in passes:
        if (digest, specialty_id) in issued:
            continue
        candidate = accounts.get(digest)
        if candidate is None:
            applied.passed_without_account += 1
            continue
        _certificate, created = certificate_issue(
            candidate=candidate, specialty=specialties[specialty_id], exam=exams[year], actor=actor
        )
        applied.certificates_issued += int(created)
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

    with transaction.atomic():
        record = _locked_import(score_import_id)
        if record.status in _TERMINAL:
            return record
        try:
            with record.file.open("rb") as handle:
                data = handle.read()
            parsed = read_score_file(data, catalogue=_catalogue())
        except ScoreFileError as error:
            record.status = ScoreImportStatus.FAILED
            record.message = str(error.message)
            record.finished_at = timezone.now()
            _discard_file(record)
            record.save(update_fields=["status", "message", "finished_at", "file"])
            return record

        exam_ids = sorted({line.exam_id for line in parsed.lines})
        # Two imports of the same exam year take turns, so their upserts never race.
        years = set(
            Exam.objects.select_for_update().filter(pk__in=exam_ids).order_by("pk").values_list("year", flat=True)
        )
        upserted = _upsert_scores(parsed.lines, record)
        applied = scores_apply_rules(
            pairs={(line.id_number_digest, line.specialty_id) for line in parsed.lines},
            years=years,
            actor=record.uploaded_by,
        )
        record.status = ScoreImportStatus.DONE
        record.lines = len(parsed.lines) + len(parsed.rejected)
        record.created_count = upserted.created
        record.updated_count = upserted.updated
        record.unchanged_count = upserted.unchanged
        record.rejected_count = len(parsed.rejected)
        record.errors = [{"line": rejected.line, "reason": rejected.reason} for rejected in parsed.rejected]
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
