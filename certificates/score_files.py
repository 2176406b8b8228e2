"""Reading a score file (CSV): each line becomes a staging row or a ``RejectedLine`` with its reason.

Columns (English or Chinese header, any order; other columns are ignored): ``exam_year`` 考试年度,
``id_number`` 证件号码, ``specialty_code`` 专业代码, ``subject_code`` 科目代码, ``score`` 成绩,
``absent`` 缺考, ``disqualified`` 违纪. UTF-8 (with or without BOM), or GB18030 as spreadsheets in
China save it. ID numbers leave this module only as the keyed digest.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import BinaryIO, NamedTuple

from django.utils.translation import gettext as _

from certificates.staging import COPY_BOOLEAN, COPY_NULL
from registration.identity import mod11_2_check_character, normalize_id_number
from registration.pii import id_number_digest
from wecan.errors import InvalidInput

COLUMNS = ("exam_year", "id_number", "specialty_code", "subject_code", "score", "absent", "disqualified")
HEADER_ALIASES = {
    "考试年度": "exam_year",
    "证件号码": "id_number",
    "专业代码": "specialty_code",
    "科目代码": "subject_code",
    "成绩": "score",
    "缺考": "absent",
    "违纪": "disqualified",
}
_TRUE = frozenset({"1", "是", "Y", "YES", "TRUE", "T"})
_FALSE = frozenset({"", "0", "否", "N", "NO", "FALSE", "F"})
_FLAGS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
_EIGHTEEN = re.compile(r"\d{17}[\dX]")
_OTHER_ID = re.compile(r"[0-9A-Z()（）\-]{5,30}")
_SCORE = re.compile(r"(\d{1,3})(?:\.0+)?")
_BLOCK = 1024 * 1024
_STAGED_BATCH = 5000


class ScoreFileError(InvalidInput):
    """The file as a whole cannot be read (encoding, header): no line of it is imported."""

    code = "invalid_score_file"


@dataclass(frozen=True)
class ExamFacts:
    exam_id: int
    specialty_codes: frozenset[str]


@dataclass(frozen=True)
class Catalogue:
    """What lines are checked against: exams by year, specialty ids by code, subjects by code."""

    exams: Mapping[int, ExamFacts]
    specialties: Mapping[str, int]
    subjects: Mapping[str, tuple[int, int]]  # code → (id, full score)


class StagedLines(NamedTuple):
    """Accepted lines as staging rows in COPY's text format, one a line: line number, ID digest, exam id,
    specialty id, subject id, score (``\\N`` when none), absent and disqualified (``t``/``f``)."""

    lines: int
    text: str


STAGED_COLUMNS = (
    "line",
    "id_number_digest",
    "exam_id",
    "specialty_id",
    "subject_id",
    "score",
    "absent",
    "disqualified",
)


class RejectedLine(NamedTuple):
    line: int
    reason: str


class _Reject(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _encoding(handle: BinaryIO) -> str:
    """The file's encoding, checked over the whole file a block at a time (never held in memory)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        handle.seek(0)
        try:
            while block := handle.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        handle.seek(0)
        return encoding
    raise ScoreFileError(_("文件编码无法识别，请保存为UTF-8或GBK编码的CSV文件。"))


def _header(row: list[str]) -> dict[str, int]:
    names = [HEADER_ALIASES.get(cell.strip(), cell.strip().lower()) for cell in row]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise ScoreFileError(_("第1行表头缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        raise ScoreFileError(_("第1行表头有重复的列：%(columns)s。") % {"columns": "、".join(repeated)})
    return {column: names.index(column) for column in COLUMNS}


def _flag(text: str, label: Callable[[], str]) -> bool:
    value = _FLAGS.get(text.upper())
    if value is None:
        raise _Reject(_("%(label)s标记“%(value)s”无法识别，应为1/0或是/否。") % {"label": label(), "value": text})
    return value


def _id_digest(text: str) -> str:
    number = normalize_id_number(text)
    if not number:
        raise _Reject(_("证件号码为空。"))
    if _EIGHTEEN.fullmatch(number):
        if mod11_2_check_character(number[:17]) != number[17]:
            raise _Reject(_("证件号码校验位不正确。"))
    elif not _OTHER_ID.fullmatch(number):
        raise _Reject(_("证件号码格式不正确。"))
    return id_number_digest(number)


def _score(text: str, *, full_score: int, absent: bool, disqualified: bool) -> int | None:
    if absent:
        if text:
            raise _Reject(_("缺考的科目不应有成绩。"))
        return None
    if not text:
        if disqualified:
            return None
        raise _Reject(_("成绩为空；未参加考试的请标记缺考。"))
    match = _SCORE.fullmatch(text)
    if match is None or int(match[1]) > full_score:
        raise _Reject(_("成绩“%(value)s”应为0至%(full)s之间的整数。") % {"value": text, "full": full_score})
    return int(match[1])


class _LineReader:
    """Checks one data line against the catalogue and gives its staging row.

    A million lines are made of few distinct values: a few exams, specialties and subjects, scores
    from 0 to 100, and each person's four subjects one after another. So what a line's values give is
    worked out once (by the checks below) and looked up for the lines that repeat them: the keyed hash
    of the ID number just seen, the ids of a (year, specialty, subject), the score and flags of a
    subject. A line whose values were refused before goes through every check in order again, so it
    is refused with the first reason, as any line is.
    """

    def __init__(self, columns: dict[str, int], catalogue: Catalogue) -> None:
        self.cells_of = itemgetter(*(columns[column] for column in COLUMNS))
        self.catalogue = catalogue
        self.last_id_text: str | None = None
        self.last_digest = ""
        # (year, specialty code, subject code) → "exam_id\tspecialty_id\tsubject_id", with the subject's full score.
        self._ids: dict[tuple[str, str, str], tuple[str, int]] = {}
        # (full score, score, absent, disqualified) as written → "score\tabsent\tdisqualified".
        self._marks: dict[tuple[int, str, str, str], str] = {}

    def __call__(self, cells: list[str], number: int) -> str:
        """The line's staging row (``StagedLines``); raises ``_Reject`` with the first reason it fails."""
        year_text, id_text, specialty_code, subject_code, score_text, absent_text, disqualified_text = [
            cell.strip() for cell in self.cells_of(cells)
        ]
        ids = self._ids.get((year_text, specialty_code, subject_code))
        if ids is None:
            # Checked in full: the ID number's check comes between the year's and the specialty's.
            exam = self._exam(year_text)
            digest = self._digest(id_text)
            specialty_id = self._specialty(specialty_code, exam, year_text)
            subject_id, full_score = self._subject(subject_code)
            ids = (f"{exam.exam_id}\t{specialty_id}\t{subject_id}", full_score)
            self._ids[(year_text, specialty_code, subject_code)] = ids
        else:
            digest = self._digest(id_text)
        exam_specialty_subject, full_score = ids
        marks = self._marks.get((full_score, score_text, absent_text, disqualified_text))
        if marks is None:
            marks = self._checked_marks(full_score, score_text, absent_text, disqualified_text)
            self._marks[(full_score, score_text, absent_text, disqualified_text)] = marks
        return f"{number}\t{digest}\t{exam_specialty_subject}\t{marks}\n"

    def _exam(self, year_text: str) -> ExamFacts:
        exam = self.catalogue.exams.get(int(year_text)) if year_text.isdecimal() else None
        if exam is None:
            raise _Reject(_("考试年度“%(year)s”没有对应的考试。") % {"year": year_text})
        return exam

    def _digest(self, id_text: str) -> str:
        # A file lists a person's subjects one after another: the keyed hash and the check digit are
        # worked out once for them.
        if id_text != self.last_id_text:
            self.last_digest = _id_digest(id_text)
            self.last_id_text = id_text
        return self.last_digest

    def _specialty(self, specialty_code: str, exam: ExamFacts, year_text: str) -> int:
        specialty_id = self.catalogue.specialties.get(specialty_code)
        if specialty_id is None:
            raise _Reject(_("专业代码“%(code)s”不存在。") % {"code": specialty_code})
        if specialty_code not in exam.specialty_codes:
            raise _Reject(
                _("专业代码“%(code)s”不是%(year)s年度考试的专业。") % {"code": specialty_code, "year": year_text}
            )
        return specialty_id

    def _subject(self, subject_code: str) -> tuple[int, int]:
        subject = self.catalogue.subjects.get(subject_code)
        if subject is None:
            raise _Reject(_("科目代码“%(code)s”不存在。") % {"code": subject_code})
        return subject

    def _checked_marks(self, full_score: int, score_text: str, absent_text: str, disqualified_text: str) -> str:
        absent = _flag(absent_text, lambda: _("缺考"))
        disqualified = _flag(disqualified_text, lambda: _("违纪"))
        if absent and disqualified:
            raise _Reject(_("缺考和违纪不能同时标记。"))
        score = _score(score_text, full_score=full_score, absent=absent, disqualified=disqualified)
        return f"{COPY_NULL if score is None else score}\t{COPY_BOOLEAN[absent]}\t{COPY_BOOLEAN[disqualified]}"


def duplicate_reason(first_line: int) -> str:
    """Why a line is refused when an earlier accepted line of the file has its key (the earlier one counts)."""
    return _("与第%(line)s行重复（同一考试、证件号码、专业和科目）。") % {"line": first_line}


def read_score_file(handle: BinaryIO, *, catalogue: Catalogue) -> Iterator[StagedLines | RejectedLine]:
    """Every data line in file order: the accepted ones a batch at a time as staging rows, each rejected
    one with a reason in words; line numbers count from the header (1). Read as it goes: a file of a
    million lines is never held in memory.

    A line repeating the key of an earlier one is yielded too: the import refuses it (``duplicate_reason``),
    as it is the one that sees every line's key. Raises ``ScoreFileError`` when the file cannot be read
    at all (encoding, missing columns, no data); the caller must then keep nothing already yielded.
    """
    text = io.TextIOWrapper(handle, encoding=_encoding(handle), newline="")
    try:
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise ScoreFileError(_("文件不是有效的CSV：%(error)s") % {"error": error}) from None
        if header is None:
            raise ScoreFileError(_("文件为空。"))
        read_line = _LineReader(_header(header), catalogue)
        width = len(header)
        seen = False
        rows: list[str] = []
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise ScoreFileError(
                    _("第%(line)s行不是有效的CSV：%(error)s") % {"line": reader.line_num, "error": error}
                ) from None
            number = reader.line_num
            if not "".join(cells).strip():
                continue
            seen = True
            if len(cells) != width:
                yield RejectedLine(
                    number, _("应有%(expected)s列，实际%(actual)s列。") % {"expected": width, "actual": len(cells)}
                )
                continue
            try:
                rows.append(read_line(cells, number))
            except _Reject as rejected:
                yield RejectedLine(number, rejected.reason)
                continue
            if len(rows) == _STAGED_BATCH:
                yield StagedLines(len(rows), "".join(rows))
                rows = []
        if not seen:
            raise ScoreFileError(_("文件中没有成绩数据。"))
        if rows:
            yield StagedLines(len(rows), "".join(rows))
    finally:
        # The caller closes the file; the wrapper must not close it first.
        text.detach()
