"""Reading settlement statements: the sandbox's CSV (UTF-8) and Alipay's 业务明细 CSV (GBK).

Lines are streamed, checked one by one, and handed on as plain values; a bad line is reported with
its number and the rest are read.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


class StatementFormatError(Exception):
    """The file is not a statement of the provider's format at all (no header found)."""


class Line(NamedTuple):
    line_no: int
    trade_no: str
    out_trade_no: str
    is_refund: bool
    amount: str  # "380.00", never negative: refunds are marked by is_refund
    finished_at: str  # ISO 8601 with its offset, or "" when the line gives none


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


def _normal_amount(amount: str) -> str:
    amount = amount.lstrip("-")
    if "." not in amount:
        return amount + ".00"
    if len(amount) - amount.index(".") == 2:
        return amount + "0"
    return amount


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
    return Line(line_no, trade_no, out_trade_no, types[trade_type], _normal_amount(amount), finished_at)


def read_statement(stream: IO[bytes], provider: str) -> Iterator[Line | BadLine]:
    """Each data line of the statement, checked: a ``Line``, or a ``BadLine`` saying what is wrong."""
    if provider == Provider.ALIPAY:
        yield from _read_alipay(stream)
    else:
        yield from _read_sandbox(stream)


def _read_sandbox(stream: IO[bytes]) -> Iterator[Line | BadLine]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    header = text.readline()
    if [cell.strip() for cell in header.split(",")] != SANDBOX_HEADER:
        raise StatementFormatError(
            _("不是沙箱支付平台的对账单：首行应为 %(header)s。") % {"header": ",".join(SANDBOX_HEADER)}
        )
    match = _SANDBOX_LINE.match
    for line_no, raw in enumerate(text, start=2):
        found = match(raw)
        if found is not None:
            trade_no, out_trade_no, trade_type, amount, finished = found.groups()
            try:
                finished_at = _sandbox_time(finished) if finished else ""
            except ValueError:
                yield BadLine(line_no, _("时间无效：%(value)s") % {"value": finished[:40]})
                continue
            yield Line(line_no, trade_no, out_trade_no, trade_type == "refund", _normal_amount(amount), finished_at)
            continue
        if not raw.strip():
            continue
        row = next(csv.reader([raw]), [])
        if len(row) != len(SANDBOX_HEADER):
            yield BadLine(line_no, _("应有 %(count)s 列。") % {"count": len(SANDBOX_HEADER)})
            continue
        yield _check(line_no, [cell.strip() for cell in row], _SANDBOX_TYPES, _sandbox_time)


def _read_alipay(stream: IO[bytes]) -> Iterator[Line | BadLine]:
    text = io.TextIOWrapper(stream, encoding="gbk", errors="replace", newline="")
    positions: list[int] | None = None
    width = 0
    for line_no, raw in enumerate(text, start=1):
        if raw.startswith("#") or not raw.strip():
            continue
        cells = [cell.strip() for cell in next(csv.reader([raw]), [])]
        if positions is None:
            if ALIPAY_COLUMNS["trade_no"] not in cells:
                raise StatementFormatError(_("不是支付宝业务明细对账单：未找到“支付宝交易号”表头。"))
            try:
                positions = [cells.index(name) for name in ALIPAY_COLUMNS.values()]
            except ValueError:
                raise StatementFormatError(_("支付宝对账单缺少必需的列。")) from None
            width = max(positions) + 1
            continue
        if len(cells) < width:
            yield BadLine(line_no, _("列数不足。"))
            continue
        yield _check(line_no, [cells[position] for position in positions], _ALIPAY_TYPES, _alipay_time)
    if positions is None:
        raise StatementFormatError(_("不是支付宝业务明细对账单：未找到“支付宝交易号”表头。"))
