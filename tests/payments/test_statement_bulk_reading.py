"""Statements are read a chunk of well-formed lines at a time for the import (a million lines are not
taken apart line by line in Python): the chunks give exactly the lines the line-by-line reading gives,
and anything out of the usual shape is read line by line, its bad lines reported as before."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.services import statement_files
from payments.services.statement_files import BadLine, Line, Rows, read_statement
from tests.payments.conftest import sandbox_statement
from tests.payments.test_alipay_bill import DETAILS

BEIJING = timezone.get_default_timezone()


def _instant(text: str) -> datetime.datetime | None:
    # As the staging table reads it: a time without offset is Beijing time.
    if not text or text == "\\N":
        return None
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def read(content: bytes, provider: str, *, bulk: bool) -> tuple[list[tuple], list[BadLine], int]:
    """The lines as staged (number, trade, order, refund?, amount, instant), the bad lines, and how many
    chunks came in bulk."""
    lines, bad, chunks = [], [], 0
    for item in read_statement(io.BytesIO(content), provider, bulk=bulk):
        if isinstance(item, Rows):
            chunks += 1
            for row in item.text.splitlines():
                line_no, trade_no, out_trade_no, trade_type, amount, finished = row.split("\t")
                is_refund = trade_type in {"refund", "退款"}
                lines.append((int(line_no), trade_no, out_trade_no, is_refund, Decimal(amount), _instant(finished)))
        elif isinstance(item, BadLine):
            bad.append(item)
        else:
            assert isinstance(item, Line)
            line_no, trade_no, out_trade_no, is_refund, amount, finished = item
            lines.append((line_no, trade_no, out_trade_no, is_refund, Decimal(amount), _instant(finished)))
    return lines, bad, chunks


@pytest.fixture
def small_chunks(monkeypatch):
    # A few lines a chunk, so a small file has well-formed chunks and chunks out of shape.
    monkeypatch.setattr(statement_files, "_CHUNK_CHARACTERS", 400)


SANDBOX_ROWS = [
    ("T1", "20260301000000000001", "payment", "380.00", "2026-03-01T10:10:30+08:00"),
    ("T2", "20260301000000000002", "payment", "380", "2026-03-01T10:10:31"),
    ("T3", "20260301000000000003", "refund", "95.5", "2026-03-01T02:10:31Z"),
    ("T4", "20260301000000000004", "payment", "380.00", "2026-03-01T10:10:31.250+08:00"),
]


def test_sandbox_chunks_give_the_lines_read_one_by_one(small_chunks):
    rows = SANDBOX_ROWS * 20
    rows.insert(30, ("T5", "20260301000000000005", "payment", "380.00", "2026-02-30T10:00:00"))  # no such day
    rows.insert(50, ("T6", "bad order", "payment", "380.00", "2026-03-01T10:00:00"))
    rows.insert(60, ("T7", "20280229000000000007", "payment", "380.00", "2028-02-29T10:00:00"))  # leap day
    content = sandbox_statement(rows).replace(b"\n", b"\r\n", 7) + b"\n" + b"T8,O8,payment,1.00\n"

    by_chunk = read(content, "sandbox", bulk=True)
    by_line = read(content, "sandbox", bulk=False)

    assert by_chunk[0] == by_line[0]
    assert by_chunk[1] == by_line[1]
    assert [bad.line_no for bad in by_chunk[1]] == [32, 52, 86]
    assert by_chunk[2] > 1 and by_line[2] == 0
    assert len(by_chunk[0]) == 81
    assert by_chunk[0][1][5] == datetime.datetime(2026, 3, 1, 2, 10, 31, tzinfo=datetime.UTC)


def test_alipay_chunks_give_the_lines_read_one_by_one(small_chunks):
    text = DETAILS.decode("gbk").split("\r\n")
    detail = text[5]
    refund = detail.replace("2026030122001411\t", "2026030122001412\t").replace(",交易\t,", ",退款\t,")
    refund = refund.replace(",380.00\t,380.00\t,", ",-380.00\t,-380.00\t,")
    short = ",".join(detail.split(",")[:8])
    body = [detail, refund] * 15 + [short] + [detail.replace("2026-03-01 10:10:30", "2026-04-31 10:10:30")]
    content = "\r\n".join(text[:5] + body + [detail] * 10 + text[6:]).encode("gbk")

    by_chunk = read(content, "alipay", bulk=True)
    by_line = read(content, "alipay", bulk=False)

    assert by_chunk[0] == by_line[0]
    assert by_chunk[1] == by_line[1]
    assert [bad.line_no for bad in by_chunk[1]] == [36, 37]
    assert by_chunk[2] > 1
    assert by_chunk[0][1] == (
        7,
        "2026030122001412",
        "20260301101010000001",
        True,
        Decimal("380.00"),
        datetime.datetime(2026, 3, 1, 10, 10, 30, tzinfo=BEIJING),
    )
