"""Finance exports of the daily totals: CSV (UTF-8 with BOM, so Excel reads the Chinese) and XLSX,
every cell neutralised against formula injection (``wecan.spreadsheets``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook

from payments.selectors import DailyTotal
from wecan.spreadsheets import safe_row


def _header() -> list[str]:
    return [_("日期"), _("考试"), _("考区"), _("支付渠道"), _("缴费笔数"), _("金额(元)")]


def daily_totals_csv(rows: Sequence[DailyTotal]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header())
    for row in rows:
        writer.writerow(
            safe_row([row.day.isoformat(), row.exam, row.district, row.channel, row.payments, f"{row.amount:.2f}"])
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def daily_totals_xlsx(rows: Sequence[DailyTotal]) -> bytes:
    # write_only streams rows to the file instead of keeping a cell object per value.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("每日缴费汇总"))
    sheet.append(_header())
    for row in rows:
        sheet.append(safe_row([row.day, row.exam, row.district, row.channel, row.payments, row.amount]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
