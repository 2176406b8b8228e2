"""History candidates: importing last year's records, and confirming unchanged submissions at once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from registration.application_bodies import application_bodies_outdated
from registration.models import Application, HistoryRecord, Subject
from registration.models.application import ApplicationStatus
from registration.pii import typed_id_number_digest
from registration.selectors.applications import history_record
from registration.services.applications import transition
from registration.workflow import Action
from wecan.errors import InvalidInput

HISTORY_COLUMNS = (
    "id_number",
    "name",
    "district",
    "site",
    "specialty",
    "level",
    "education",
    "work_unit",
    "subject_results",
    "absent",
    "disqualified",
)
# Optional: how site staff find the record for a score merge (成绩合并, seed 002 line 60).
HISTORY_NUMBER_COLUMNS = ("file_number", "ticket_number")
HISTORY_FIELDS = (
    "id_number_digest",
    "name",
    "district_code",
    "site_code",
    "specialty_code",
    "level",
    "education",
    "unit_name",
    "passed_subjects",
    "absent",
    "disqualified",
    "file_number",
    "ticket_number",
)
AUTO_CONFIRM_REASON = "历史考生自动确认"
_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"", "0", "false", "no", "n", "否"}
_BATCH = 1000
_MAX_ERRORS_SHOWN = 20


@dataclass
class HistoryImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Passed every subject: not a history candidate (seed 003 line 669), so no record (an earlier one goes).
    passed: int = 0


def _flag(value: str, *, line: int, column: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("第%(line)d行 %(column)s：应为“是”或“否”。") % {"line": line, "column": column})


def _passed_subjects(text: str, *, line: int, pass_scores: Mapping[str, int]) -> list[str]:
    """``1:72;2:55`` (subject code: score) → the codes passed, by each subject's pass score."""
    passed = []
    for part in filter(None, (piece.strip() for piece in re.split(r"[;；,，]", text))):
        match = re.fullmatch(r"(\w+)\s*[:：]\s*(\d+(?:\.\d+)?)", part)
        if not match or match.group(1) not in pass_scores:
            raise ValueError(
                _("第%(line)d行 subject_results：“%(part)s”应为“科目代码:分数”。") % {"line": line, "part": part}
            )
        if float(match.group(2)) >= pass_scores[match.group(1)]:
            passed.append(match.group(1))
    return sorted(passed)


def _parse(row: Mapping[str, Any], *, line: int, pass_scores: Mapping[str, int]) -> dict[str, Any]:
    missing = [column for column in HISTORY_COLUMNS if column not in row]
    if missing:
        raise ValueError(_("第%(line)d行缺少列：%(columns)s") % {"line": line, "columns": "、".join(missing)})
    text = {column: str(row.get(column) or "").strip() for column in (*HISTORY_COLUMNS, *HISTORY_NUMBER_COLUMNS)}
    for column in ("id_number", "name", "district", "specialty", "level"):
        if not text[column]:
            raise ValueError(_("第%(line)d行 %(column)s 不能为空。") % {"line": line, "column": column})
    for column in HISTORY_NUMBER_COLUMNS:
        if not re.fullmatch(r"[0-9A-Za-z-]{0,30}", text[column]):
            raise ValueError(
                _("第%(line)d行 %(column)s：应为不超过30位的字母、数字。") % {"line": line, "column": column}
            )
    return {
        "id_number_digest": typed_id_number_digest(text["id_number"]),
        "name": text["name"],
        "district_code": text["district"],
        "site_code": text["site"],
        "specialty_code": text["specialty"],
        "level": text["level"],
        "education": text["education"],
        "unit_name": text["work_unit"],
        "passed_subjects": _passed_subjects(text["subject_results"], line=line, pass_scores=pass_scores),
        "absent": _flag(text["absent"], line=line, column="absent"),
        "disqualified": _flag(text["disqualified"], line=line, column="disqualified"),
        "file_number": text["file_number"],
        "ticket_number": text["ticket_number"],
    }


def history_import(*, rows: Iterable[Mapping[str, Any]], exam_year: int) -> HistoryImportReport:
    """Upserts last year's records (``HISTORY_COLUMNS``, and ``HISTORY_NUMBER_COLUMNS`` when the file
    has them) for ``exam_year``, keyed on ID number and specialty.

    A row whose subjects were all passed is left out, and removes an earlier record of that person
    and specialty: they passed, so they are no history candidate. The ID number is kept only as its
    keyed hash. Every row is checked first: on any bad row ``InvalidInput`` lists the lines and
    nothing is written. Running the same file twice changes nothing.
    """
    pass_scores = dict(Subject.objects.values_list("code", "pass_score"))
    all_codes = set(pass_scores)
    parsed: dict[tuple[str, str], dict[str, Any]] = {}
    errors = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            values = _parse(row, line=line, pass_scores=pass_scores)
        except ValueError as error:
            errors.append(str(error))
            continue
        # A later line for the same person and specialty wins, as a corrected entry would.
        parsed[(values["id_number_digest"], values["specialty_code"])] = values
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(_("……共%(count)d处错误。") % {"count": len(errors)})
        raise InvalidInput(_("历史考生文件有误，未导入任何记录。"), fields={"rows": shown})

    report = HistoryImportReport()
    keys = list(parsed)
    compared = [name for name in HISTORY_FIELDS if name not in {"id_number_digest", "specialty_code"}]
    with transaction.atomic():
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            existing = {
                (record.id_number_digest, record.specialty_code): record
                for record in HistoryRecord.objects.select_for_update().filter(
                    exam_year=exam_year, id_number_digest__in={digest for digest, _code in batch}
                )
            }
            to_create, to_update = [], []
            passed = []
            for key in batch:
                values = parsed[key]
                record = existing.get(key)
                if all_codes <= set(values["passed_subjects"]):
                    report.passed += 1
                    if record is not None:
                        passed.append(record.pk)
                elif record is None:
                    record = HistoryRecord(exam_year=exam_year, **values)
                    record.full_clean(validate_constraints=False, validate_unique=False)
                    to_create.append(record)
                elif any(getattr(record, name) != values[name] for name in compared):
                    for name in compared:
                        setattr(record, name, values[name])
                    record.full_clean(validate_constraints=False, validate_unique=False)
                    to_update.append(record)
                else:
                    report.unchanged += 1
            HistoryRecord.objects.filter(pk__in=passed).delete()
            HistoryRecord.objects.bulk_create(to_create)
            HistoryRecord.objects.bulk_update(to_update, compared)
            report.created += len(to_create)
            report.updated += len(to_update)
        # Bulk writes send no signals: the candidates' cached bodies show last year's results.
        application_bodies_outdated()
    return report


def history_differences(application: Application, record: HistoryRecord) -> list[str]:
    """What changed since last year among the facts auto-confirmation compares, in words; empty if none."""
    specialty = application.specialty
    degree = application.degree_record
    unit_name = application.unit.name if application.unit else application.other_unit_name
    this_year = {
        _("姓名"): (record.name, application.candidate.name),
        _("考区"): (record.district_code, application.district.code),
        _("考点"): (record.site_code, application.site.code if application.site else ""),
        _("报考专业"): (record.specialty_code, specialty.code if specialty else ""),
        _("报考级别"): (record.level, specialty.level if specialty else ""),
        _("学历"): (record.education, degree.education if degree else application.highest_education),
        _("工作单位"): (" ".join(record.unit_name.split()), " ".join((unit_name or "").split())),
    }
    return [label for label, (last, now) in this_year.items() if last != now]


def history_auto_confirm(*, application_id: int) -> Application | None:
    """Confirms a just-submitted application at once when it is a history candidate's (sat last year,
    neither absent nor disqualified), the district enables it, and district, site, specialty, level,
    education and work unit are unchanged; the confirmation's to-do tells the candidate so.

    Registration's submitted hook: it runs inside the submission's transaction, so a failure here
    fails the submission. Returns the confirmed application, or ``None`` when it stays in the queue.
    """
    application = (
        Application.objects.select_related(
            "exam", "district", "site", "specialty", "degree_record", "unit", "candidate"
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.status != ApplicationStatus.SUBMITTED:
        return None
    if not application.district.history_auto_confirm:
        return None
    record = history_record(application=application, specialty=application.specialty)
    if record is None or history_differences(application, record):
        return None

    def check(locked: Application) -> None:
        # The submission holds the row lock; the history record could have been re-imported meanwhile.
        if history_differences(locked, record):
            raise InvalidInput(_("历史考生自动确认未能完成：报名信息与上一年度不一致，请重新提交。"))

    return transition(
        application_id=application.pk,
        action=Action.CONFIRM,
        actor=None,
        reason=AUTO_CONFIRM_REASON,
        check=check,
    )
