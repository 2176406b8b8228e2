"""The one rule for export cells (OWASP CSV injection)."""

import datetime
from decimal import Decimal

import pytest

from wecan.spreadsheets import safe_cell, safe_row


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")'])
def test_text_a_spreadsheet_would_run_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["上海", "A=1", "", " =1", 12, -3, Decimal("-1.50"), datetime.date(2026, 1, 1), None])
def test_everything_else_is_left_as_it_is(value):
    assert safe_cell(value) == value


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row(["=x", "y", 1]) == ["'=x", "y", 1]
