"""Reading settlement statements: the sandbox's CSV (UTF-8) and Alipay's 业务明细 CSV (GBK).

Lines are streamed, checked, and handed on as plain values; a bad line is reported with its number
and the rest are read. For the import, a chunk of lines that all have the usual well-formed shape is
checked at once by one regular expression and handed on already written as staging rows (``Rows``):
a million-line file is not taken apart line by line in Python. Any other chunk is read line by line.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from typing import IO, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import Provider
from payments.providers.base import GATEWAY_TIME_FORMAT

_TRADE_NUMBER = re.compile(r"^[0-9A-Za-z_\-]{1,64}$")
_AMOUNT = re.compile(r"^-?\d{1,10}(\.\d{1,2})?$")
# A well-formed sandbox line in one match (the usual case); anything else is checked field by field.
_SANDBOX_LINE = re.compile(
    r"^([0-9A-Za-z_\-]{1,64}),([0-9A-Za-z_\-]{1,64}),(payment|refund),(\d{1,10}(?:\.\d{1,2})?),([0-9T:+\-. Z]*)\r?\n?$"
)
SANDBOX_HEADER = ["trade_no", "out_trade_no", "trade_type", "amount", "finished_at"]
ALIPAY_COLUMNS = {
    "trade_no": "支付宝交易号",
    "out_trade_no": "商户订单号",
    "trade_type": "业务类型",
    "amount": "订单金额（元）",
    "finished_at": "完成时间",
}
_SANDBOX_TYPES = {"payment": False, "refund": True}
_ALIPAY_TYPES = {"交易": False, "退款": True}


# Shapes a chunk is checked against in one match: subsets of what the line-by-line checks accept (ASCII
# digits, times within their ranges), so a chunk read either way gives the same lines.
_ID = r"[0-9A-Za-z_\-]{1,64}+"
_BULK_AMOUNT = r"[0-9]{1,10}+(?:\.[0-9]{1,2})?+"
_BULK_DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_BULK_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_SANDBOX_BULK_RUN = re.compile(
    rf"(?:{_ID},{_ID},(?:payment|refund),{_BULK_AMOUNT},"
    rf"{_BULK_DATE}T{_BULK_CLOCK}(?:\.[0-9]{{1,6}})?(?:[+\-](?:[01][0-9]|2[0-3]):[0-5][0-9]|Z)?\r?\n)*+"
)
# Days the date shape lets through that may not exist (2026-02-30): a chunk with one is read line by line.
_DOUBTFUL_DAY = re.compile(r"-(?:02-(?:29|3[01])|(?:0[469]|11)-31)[T ]")
_CHUNK_CHARACTERS = 1 << 20


class StatementFormatError(Exception):
    """The file is not a statement of the provider's format at all (no header found)."""


class Line(NamedTuple):
    line_no: int
    trade_no: str
    out_trade_no: str
    is_refund: bool
    amount: str  # a decimal as written ("380.00", "380"), never negative: refunds are marked by is_refund
    finished_at: str  # ISO 8601 with its offset, or "" when the line gives none


class Rows(NamedTuple):
    """``lines`` consecutive well-formed lines as staging rows, one a line, tab-separated:
    line number, trade number, order number, trade type as written, amount, finished time as written
    (a time without offset is Beijing time)."""

    lines: int
    text: str


@dataclass(frozen=True)
class BadLine:
    line_no: int
    message: str


def _sandbox_time(text: str) -> str:
    """``text`` checked as an ISO 8601 time; one without an offset is taken as Beijing time."""
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return timezone.make_aware(moment, timezone.get_default_timezone()).isoformat()
    return text


def _alipay_time(text: str) -> str:
    naive = datetime.datetime.strptime(text, GATEWAY_TIME_FORMAT)
    return timezone.make_aware(naive, timezone.get_default_timezone()).isoformat()


def _check(line_no: int, cells: list[str], types: dict[str, bool], parse_time: Callable[[str], str]) -> Line | BadLine:
    trade_no, out_trade_no, trade_type, amount, finished = cells
    if not _TRADE_NUMBER.match(trade_no):
        return BadLine(line_no, _("交易号无效：%(value)s") % {"value": trade_no[:64]})
    if not _TRADE_NUMBER.match(out_trade_no):
        return BadLine(line_no, _("订单号无效：%(value)s") % {"value": out_trade_no[:64]})
    if trade_type not in types:
        return BadLine(line_no, _("业务类型无效：%(value)s") % {"value": trade_type[:20]})
    if not _AMOUNT.match(amount):
        return BadLine(line_no, _("金额无效：%(value)s") % {"value": amount[:20]})
    try:
        finished_at = parse_time(finished) if finished else ""
    except ValueError:
        return BadLine(line_no, _("时间无效：%(value)s") % {"value": finished[:40]})
    # Alipay writes a refund's amount negative; the line's kind says it is a refund.
    return Line(line_no, trade_no, out_trade_no, types[trade_type], amount.lstrip("-"), finished_at)


def read_statement(stream: IO[bytes], provider: str, *, bulk: bool = False) -> Iterator[Line | BadLine | Rows]:
    """Each data line of the statement, checked: a ``Line``, or a ``BadLine`` saying what is wrong;
    with ``bulk``, chunks of well-formed lines come as ``Rows`` instead of their ``Line``s."""
    if provider == Provider.ALIPAY:
        yield from _read_alipay(stream, bulk)
    else:
        yield from _read_sandbox(stream, bulk)


def _chunks(text: IO[str]) -> Iterator[list[str]]:
    while lines := text.readlines(_CHUNK_CHARACTERS):
        yield lines


def _bulk_rows(
    lines: list[str], first_line_no: int, run: re.Pattern[str], rows: Callable[[str], list[str]]
) -> Rows | None:
    """The chunk as staging rows when every line of it has the bulk shape ``run`` (``rows`` then gives
    each line's five values, tab-separated); else ``None``."""
    chunk = "".join(lines)
    if not chunk.endswith("\n"):
        chunk += "\n"
    if run.fullmatch(chunk) is None or _DOUBTFUL_DAY.search(chunk) is not None:
        return None
    values = rows(chunk)
    numbers = map(str, range(first_line_no, first_line_no + len(values)))
    # Joined without a Python step per line: this is what makes a million lines cheap.
    return Rows(len(values), "".join(chain.from_iterable(zip(numbers, repeat("\t"), values, repeat("\n")))))


def _sandbox_rows(chunk: str) -> list[str]:
    # The bulk shape has commas only between its five fields, in the staging's order.
    rows = chunk.replace("\r", "").replace(",", "\t").split("\n")
    rows.pop()
    return rows


def _read_sandbox(stream: IO[bytes], bulk: bool) -> Iterator[Line | BadLine | Rows]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    header = text.readline()
    if [cell.strip() for cell in header.split(",")] != SANDBOX_HEADER:
        raise StatementFormatError(
            _("不是沙箱支付平台的对账单：首行应为 %(header)s。") % {"header": ",".join(SANDBOX_HEADER)}
        )
    line_no = 2
    for lines in _chunks(text):
        rows = _bulk_rows(lines, line_no, _SANDBOX_BULK_RUN, _sandbox_rows) if bulk else None
        if rows is not None:
            yield rows
        else:
            for offset, raw in enumerate(lines):
                item = _sandbox_line(line_no + offset, raw)
                if item is not None:
                    yield item
        line_no += len(lines)


def _sandbox_line(line_no: int, raw: str) -> Line | BadLine | None:
    found = _SANDBOX_LINE.match(raw)
    if found is not None:
        trade_no, out_trade_no, trade_type, amount, finished = found.groups()
        try:
            finished_at = _sandbox_time(finished) if finished else ""
        except ValueError:
            return BadLine(line_no, _("时间无效：%(value)s") % {"value": finished[:40]})
        return Line(line_no, trade_no, out_trade_no, trade_type == "refund", amount, finished_at)
    if not raw.strip():
        return None
    row = next(csv.reader([raw]), [])
    if len(row) != len(SANDBOX_HEADER):
        return BadLine(line_no, _("应有 %(count)s 列。") % {"count": len(SANDBOX_HEADER)})
    return _check(line_no, [cell.strip() for cell in row], _SANDBOX_TYPES, _sandbox_time)


def _alipay_bulk_line(positions: list[int], width: int, *, values: bool) -> str:
    """The bulk shape of a detail line for this header: plain cells, the five read ones well-formed
    (padded with spaces or tabs as Alipay pads them), any further columns after them; with ``values``,
    the five are captured."""
    trade_no, out_trade_no, trade_type, amount, finished_at = positions
    open_ = "(" if values else "(?:"
    shapes = {
        trade_no: rf"[ \t]*{open_}{_ID})[ \t]*",
        out_trade_no: rf"[ \t]*{open_}{_ID})[ \t]*",
        trade_type: rf"[ \t]*{open_}交易|退款)[ \t]*",
        # A refund's amount is written negative; the trade type says it is a refund.
        amount: rf"[ \t]*-?{open_}{_BULK_AMOUNT})[ \t]*",
        finished_at: rf"[ \t]*{open_}{_BULK_DATE} {_BULK_CLOCK})[ \t]*",
    }
    cells = ",".join(shapes.get(column, r'[^,"\r\n]*+') for column in range(width))
    return cells + r'(?:,[^,"\r\n]*+)*+\r?\n'


def _read_alipay(stream: IO[bytes], bulk: bool) -> Iterator[Line | BadLine | Rows]:
    text = io.TextIOWrapper(stream, encoding="gbk", errors="replace", newline="")
    header: _AlipayHeader | None = None
    line_no = 1
    for lines in _chunks(text):
        rows = _bulk_rows(lines, line_no, header.bulk_run, header.rows) if bulk and header is not None else None
        if rows is not None:
            yield rows
            line_no += len(lines)
            continue
        for raw in lines:
            if not (raw.startswith("#") or not raw.strip()):
                cells = [cell.strip() for cell in next(csv.reader([raw]), [])]
                if header is None:
                    header = _AlipayHeader(cells)
                elif len(cells) < header.width:
                    yield BadLine(line_no, _("列数不足。"))
                else:
                    yield _check(
                        line_no, [cells[position] for position in header.positions], _ALIPAY_TYPES, _alipay_time
                    )
            line_no += 1
    if header is None:
        raise StatementFormatError(_("不是支付宝业务明细对账单：未找到“支付宝交易号”表头。"))


class _AlipayHeader:
    """Where the five columns read are, found by their names in the header line."""

    def __init__(self, cells: list[str]) -> None:
        if ALIPAY_COLUMNS["trade_no"] not in cells:
            raise StatementFormatError(_("不是支付宝业务明细对账单：未找到“支付宝交易号”表头。"))
        try:
            self.positions = [cells.index(name) for name in ALIPAY_COLUMNS.values()]
        except ValueError:
            raise StatementFormatError(_("支付宝对账单缺少必需的列。")) from None
        self.width = max(self.positions) + 1
        self.bulk_run = re.compile(f"(?:{_alipay_bulk_line(self.positions, self.width, values=False)})*+")
        self._values = re.compile(_alipay_bulk_line(self.positions, self.width, values=True))
        # The captured values come in the file's column order; the staging wants the fields' order.
        in_file_order = sorted(self.positions)
        self._in_staging_order = itemgetter(*[in_file_order.index(position) for position in self.positions])

    def rows(self, chunk: str) -> list[str]:
        return list(map("\t".join, map(self._in_staging_order, self._values.findall(chunk))))
