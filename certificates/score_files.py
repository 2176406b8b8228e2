"""Reading a score file (CSV): each line becomes a ``ScoreLine`` or a ``RejectedLine`` with its reason.

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


class ScoreLine(NamedTuple):
    line: int
    exam_id: int
    id_number_digest: str
    specialty_id: int
    subject_id: int
    score: int | None
    absent: bool
    disqualified: bool

    @property
    def key(self) -> tuple[int, str, int, int]:
        return (self.exam_id, self.id_number_digest, self.specialty_id, self.subject_id)


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
    """Checks one data line against the catalogue. A file lists a person's subjects one after another,
    so the digest of the ID number just seen is kept rather than computed again (the keyed hash and the
    check digit are most of a line's cost)."""

    def __init__(self, columns: dict[str, int], catalogue: Catalogue) -> None:
        self.cells_of = itemgetter(*(columns[column] for column in COLUMNS))
        self.catalogue = catalogue
        self.last_id_text: str | None = None
        self.last_digest = ""

    def __call__(self, cells: list[str], number: int) -> ScoreLine:
        catalogue = self.catalogue
        year_text, id_text, specialty_code, subject_code, score_text, absent_text, disqualified_text = [
            cell.strip() for cell in self.cells_of(cells)
        ]
        exam = catalogue.exams.get(int(year_text)) if year_text.isdecimal() else None
        if exam is None:
            raise _Reject(_("考试年度“%(year)s”没有对应的考试。") % {"year": year_text})
        if id_text != self.last_id_text:
            self.last_digest = _id_digest(id_text)
            self.last_id_text = id_text
        specialty_id = catalogue.specialties.get(specialty_code)
        if specialty_id is None:
            raise _Reject(_("专业代码“%(code)s”不存在。") % {"code": specialty_code})
        if specialty_code not in exam.specialty_codes:
            raise _Reject(
                _("专业代码“%(code)s”不是%(year)s年度考试的专业。") % {"code": specialty_code, "year": year_text}
            )
        subject = catalogue.subjects.get(subject_code)
        if subject is None:
            raise _Reject(_("科目代码“%(code)s”不存在。") % {"code": subject_code})
        subject_id, full_score = subject
        absent = _flag(absent_text, lambda: _("缺考"))
        disqualified = _flag(disqualified_text, lambda: _("违纪"))
        if absent and disqualified:
            raise _Reject(_("缺考和违纪不能同时标记。"))
        return ScoreLine(
            number,
            exam.exam_id,
            self.last_digest,
            specialty_id,
            subject_id,
            _score(score_text, full_score=full_score, absent=absent, disqualified=disqualified),
            absent,
            disqualified,
        )


def duplicate_reason(first_line: int) -> str:
    """Why a line is refused when an earlier accepted line of the file has its key (the earlier one counts)."""
    return _("与第%(line)s行重复（同一考试、证件号码、专业和科目）。") % {"line": first_line}


def read_score_file(handle: BinaryIO, *, catalogue: Catalogue) -> Iterator[ScoreLine | RejectedLine]:
    """Every data line in file order, accepted or rejected with a reason in words; line numbers count
    from the header (1). Read as it goes: a file of a million lines is never held in memory.

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
                yield read_line(cells, number)
            except _Reject as rejected:
                yield RejectedLine(number, rejected.reason)
        if not seen:
            raise ScoreFileError(_("文件中没有成绩数据。"))
    finally:
        # The caller closes the file; the wrapper must not close it first.
        text.detach()
