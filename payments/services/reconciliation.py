"""Statement reconciliation: upload, import on a worker (set-based SQL), discrepancies and their resolution.

The import streams the file once, checking its lines (a chunk of well-formed ones at a time), into a
staging table (PostgreSQL: ``COPY``; SQLite: batched inserts), then classifies every line in one
``INSERT … SELECT`` joined with the orders and payments, and records discrepancies with
``INSERT … SELECT … ON CONFLICT DO NOTHING``.
Only the few lines for unpaid orders go through the ORM, one by one, each checked with the gateway.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import (
    DiscrepancyKind,
    DiscrepancyStatus,
    LineKind,
    Order,
    OrderStatus,
    Payment,
    PaymentDisposition,
    Provider,
    RefundStatus,
    Statement,
    StatementLine,
    StatementOrigin,
    StatementStatus,
)
from payments.providers import get_provider
from payments.providers.base import TradeState
from payments.services.crediting import payment_record
from payments.services.statement_files import BadLine, Line, Rows, StatementFormatError, read_statement
from registration.choices import Role
from registration.models import District, User
from wecan.errors import InvalidInput, NotFound, PortalError, TooLarge

logger = logging.getLogger(__name__)

# Bad lines kept on the statement to show; all of them are counted.
MAX_REPORTED_ERRORS = 1000
# The lines checked one by one (a chunk that is not all well-formed) handed to COPY at a time.
_LINES_A_READ = 1000
_STAGING = "payments_statement_staging"
_COLUMNS = "line_no, trade_no, out_trade_no, trade_type, amount, paid_at"
_CLASSIFIED = "payments_statement_classified"
NULL = "\\N"


def statement_upload(
    *,
    user: User,
    provider: str,
    file: UploadedFile,
    district: District | None = None,
    day: datetime.date | None = None,
) -> tuple[Statement, bool]:
    """Stores a statement file for the user's district and queues its import; (statement, created).

    The caller may rely on: finance upload for their own district, administrators name one
    (``InvalidInput`` otherwise); the same file for the same district and provider is the same
    statement, returned as it is (re-importing changes nothing); a file over
    ``PAYMENTS_STATEMENT_MAX_BYTES`` is ``TooLarge``.
    """
    if provider not in Provider.values:
        raise InvalidInput(fields={"provider": [_("不支持此支付渠道。")]})
    if user.role == Role.FINANCE:
        district = user.district
    elif not user.is_administrator:
        raise NotFound()
    if district is None:
        raise InvalidInput(fields={"district": [_("请选择考区。")]})
    if file.size is None or file.size == 0:
        raise InvalidInput(fields={"file": [_("对账单文件为空。")]})
    if file.size > settings.PAYMENTS_STATEMENT_MAX_BYTES:
        raise TooLarge(_("对账单文件过大。"))
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    return _statement_store(
        district=district,
        provider=provider,
        file=file,
        file_name=os.path.basename(file.name or ""),
        sha256=sha256,
        day=day,
        user=user,
        origin=StatementOrigin.UPLOAD,
    )


def statement_fetch(*, provider_name: str, day: datetime.date) -> list[Statement]:
    """Fetches the day's statement from the gateway over its signed API and imports it for every
    district that took payments online around that day; returns their statements.

    A statement fetched so is the gateway's own word (``origin`` gateway): its lines for unpaid orders
    credit without a further query. Fetching the same day again changes nothing. The gateway is
    asked outside any transaction; ``GatewayUnavailable`` or ``GatewayRefused`` when it cannot answer.
    """
    content = get_provider(provider_name).fetch_statement(day=day)
    sha256 = hashlib.sha256(content).hexdigest()
    start = _day_start(day)
    # A day after the window too: a payment begun in time may be made after the window's close.
    districts = District.objects.filter(
        online_payment=True,
        exam__payment_opens__lt=start + datetime.timedelta(days=1),
        exam__payment_closes__gt=start - datetime.timedelta(days=1),
    ).order_by("pk")
    name = f"{provider_name}-{day:%Y%m%d}.csv"
    return [
        _statement_store(
            district=district,
            provider=provider_name,
            file=ContentFile(content, name=name),
            file_name=name,
            sha256=sha256,
            day=day,
            user=None,
            origin=StatementOrigin.GATEWAY,
        )[0]
        for district in districts
    ]


def _statement_store(
    *,
    district: District,
    provider: str,
    file: File[Any],
    file_name: str,
    sha256: str,
    day: datetime.date | None,
    user: User | None,
    origin: str,
) -> tuple[Statement, bool]:
    """The statement for this file, district and provider, stored and its import queued if it is new."""
    with transaction.atomic():
        existing = Statement.objects.filter(district=district, provider=provider, sha256=sha256).first()
        if existing is not None:
            return existing, False
        statement = Statement(
            district=district,
            provider=provider,
            origin=origin,
            file_name=file_name[:200],
            sha256=sha256,
            period_start=day,
            period_end=day,
            uploaded_by=user,
        )
        statement.file.save(f"{district.pk}-{provider}-{sha256[:16]}.csv", file, save=False)
        statement.full_clean(validate_constraints=False)
        statement.save()
        statement_id = statement.pk

        from payments.tasks import statement_import as statement_import_task

        transaction.on_commit(lambda: statement_import_task.delay(statement_id))
    return statement, True


def _progress(statement_id: int, percent: int) -> None:
    """Progress for finance to see, and the heartbeat that tells the sweep this import is alive."""
    Statement.objects.filter(pk=statement_id).update(progress=percent, heartbeat_at=timezone.now())


class _StagedLines:
    """A statement's lines, checked as ``COPY`` reads them, as staging rows (tab-separated, ``COPY``'s
    text format), a chunk a read: PostgreSQL stores one chunk while Python checks the next, on the
    other core, where checking the whole file first and copying it after took the two one after the
    other (bench/reconcile.py). Counts the lines and keeps the first bad ones; a file that is not a
    statement ends the reading and is raised by ``raise_if_not_a_statement`` once ``COPY`` is done."""

    def __init__(self, items: Iterator[Line | BadLine | Rows]) -> None:
        self.lines = 0
        self.bad = 0
        self.errors: list[dict[str, Any]] = []
        self._not_a_statement: StatementFormatError | None = None
        self._text = self._rows(items)

    def read(self, size: int = -1) -> str:
        """The next chunk of rows; ``""`` at the end (``size`` is ``COPY``'s wish, not a limit)."""
        try:
            return next(self._text, "")
        except StatementFormatError as error:
            # Ends the COPY cleanly: an exception raised here reaches the caller only as psycopg2's
            # "error in .read() call".
            self._not_a_statement = error
            return ""

    def raise_if_not_a_statement(self) -> None:
        if self._not_a_statement is not None:
            raise self._not_a_statement

    def _rows(self, items: Iterator[Line | BadLine | Rows]) -> Iterator[str]:
        pending: list[str] = []
        for item in items:
            if isinstance(item, Rows):
                self.lines += item.lines
                if pending:
                    yield "".join(pending)
                    pending = []
                if item.lines:  # an empty read is how COPY learns the end
                    yield item.text
            elif isinstance(item, BadLine):
                self.bad += 1
                if len(self.errors) < MAX_REPORTED_ERRORS:
                    self.errors.append({"line": item.line_no, "message": item.message})
            else:
                self.lines += 1
                line_no, trade_no, out_trade_no, is_refund, amount, finished_at = item
                trade_type = "refund" if is_refund else "payment"
                pending.append(
                    f"{line_no}\t{trade_no}\t{out_trade_no}\t{trade_type}\t{amount}\t{finished_at or NULL}\n"
                )
                if len(pending) == _LINES_A_READ:
                    yield "".join(pending)
                    pending = []
        if pending:
            yield "".join(pending)


def _load_staging(cursor: Any, staged: _StagedLines) -> None:
    if connection.vendor == "postgresql":
        # The trade type as the file words it (payment/refund, 交易/退款); is_refund is worked out by
        # PostgreSQL as it copies, and a time without offset is read as Beijing time.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} (line_no integer, trade_no varchar(64), out_trade_no varchar(64), "
            "trade_type varchar(8), is_refund boolean GENERATED ALWAYS AS (trade_type IN ('refund', '退款')) STORED, "
            "amount numeric(12, 2), paid_at timestamp with time zone)"
        )
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        cursor.copy_expert(f"COPY {_STAGING} ({_COLUMNS}) FROM STDIN", staged)
        staged.raise_if_not_a_statement()
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [connection.timezone_name])
        # Its size, and how its trade numbers spread: without them the planner takes the few payments
        # absent from the statement for a great many and joins every order to find their districts.
        cursor.execute(f"ANALYZE {_STAGING} (trade_no)")
        return
    # SQLite: the plain path, batched inserts of the same rows.
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_STAGING} (line_no integer, trade_no varchar(64), out_trade_no varchar(64), "
        "trade_type varchar(8), is_refund boolean, amount numeric(12, 2), paid_at timestamp with time zone)"
    )
    insert = f"INSERT INTO {_STAGING} ({_COLUMNS}, is_refund) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    beijing = timezone.get_default_timezone()
    batch: list[tuple[Any, ...]] = []
    for row in (row for text in iter(staged.read, "") for row in text.removesuffix("\n").split("\n")):
        line_no, trade_no, out_trade_no, trade_type, amount, paid_at = row.split("\t")
        when = None
        if paid_at != NULL:
            moment = datetime.datetime.fromisoformat(paid_at)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, beijing)
            when = connection.ops.adapt_datetimefield_value(moment)
        is_refund = trade_type in {"refund", "退款"}
        batch.append((int(line_no), trade_no, out_trade_no, trade_type, Decimal(amount), when, is_refund))
        if len(batch) == 5000:
            cursor.executemany(insert, batch)
            batch = []
    if batch:
        cursor.executemany(insert, batch)
    staged.raise_if_not_a_statement()


# One pass over the staged lines, each joined with its order (by number) and any payment already
# recorded for its trade, classified by the first rule that holds. Only the lines that need attention
# (about 1%) are kept, in a temporary table like the staging one and then in payments_statementline:
# each staged line joins at most one order and one payment, so the matched ones are the rest. The
# payments join is a full one: in the same pass, a payment credited here in the statement's days that
# no line names comes out as a row without a line (kind absent), missing at the gateway if its order
# is of this district.
_ABSENT_KIND = "absent"
_CLASSIFY = f"""
CREATE TEMPORARY TABLE {_CLASSIFIED} AS
SELECT * FROM (
SELECT s.line_no, s.trade_no, s.out_trade_no, s.is_refund, s.amount, s.paid_at, o.id AS order_id,
  o.amount AS order_amount, p.order_id AS payment_order_id, p.trade_no AS payment_trade_no,
  p.amount AS payment_amount,
  CASE
    WHEN s.line_no IS NULL THEN CASE
      WHEN p.disposition = 'credited' AND p.paid_at >= %(start)s AND p.paid_at < %(end)s THEN '{_ABSENT_KIND}'
      ELSE '{LineKind.MATCHED}' END
    WHEN o.id IS NOT NULL AND o.district_id <> %(district)s THEN '{LineKind.OTHER_DISTRICT}'
    WHEN s.is_refund THEN CASE
      WHEN EXISTS (
        SELECT 1 FROM payments_refund r JOIN payments_payment rp ON rp.id = r.payment_id
        WHERE rp.provider = %(provider)s AND rp.trade_no = s.trade_no AND r.amount = s.amount
          AND r.status IN ('{RefundStatus.SUCCEEDED}', '{RefundStatus.REQUESTED}')
      ) THEN '{LineKind.REFUND}'
      ELSE '{LineKind.REFUND_UNKNOWN}' END
    WHEN p.id IS NOT NULL THEN CASE
      WHEN p.amount <> s.amount THEN '{LineKind.AMOUNT_MISMATCH}'
      WHEN p.disposition = 'duplicate' THEN '{LineKind.DUPLICATE}'
      WHEN p.disposition = 'uncreditable' THEN '{LineKind.MISSING_HERE}'
      ELSE '{LineKind.MATCHED}' END
    WHEN o.id IS NULL THEN '{LineKind.MISSING_HERE}'
    WHEN o.amount <> s.amount THEN '{LineKind.AMOUNT_MISMATCH}'
    WHEN o.status IN ('{OrderStatus.PAID}', '{OrderStatus.REFUNDED}') THEN '{LineKind.DUPLICATE}'
    ELSE '{LineKind.MISSING_HERE}'
  END AS kind
FROM {_STAGING} s
LEFT JOIN payments_order o ON o.provider = %(provider)s AND o.number = s.out_trade_no
FULL JOIN (
  SELECT id, order_id, trade_no, amount, disposition, paid_at FROM payments_payment WHERE provider = %(provider)s
) p ON p.trade_no = s.trade_no
) AS lines WHERE kind <> '{LineKind.MATCHED}'
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter

_KEEP_LINES = f"""
INSERT INTO payments_statementline
  (statement_id, line_no, trade_no, out_trade_no, is_refund, amount, paid_at, order_id, kind)
SELECT %(statement)s, line_no, trade_no, out_trade_no, is_refund, amount, paid_at, order_id, kind
FROM {_CLASSIFIED} WHERE line_no IS NOT NULL
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter

_LINE_DISCREPANCIES = f"""
INSERT INTO payments_discrepancy (district_id, statement_id, kind, order_id, order_number, gateway_trade_no,
  amount_here, amount_gateway, status, detail, note, action, created_at)
SELECT %(district)s, %(statement)s,
  CASE WHEN kind = '{LineKind.REFUND_UNKNOWN}' THEN '{DiscrepancyKind.REFUND_MISSING_HERE}' ELSE kind END,
  order_id, out_trade_no, trade_no, order_amount, amount, '{DiscrepancyStatus.OPEN}', '', '', '', %(now)s
FROM {_CLASSIFIED}
WHERE kind IN ('{LineKind.AMOUNT_MISMATCH}', '{LineKind.MISSING_HERE}', '{LineKind.DUPLICATE}',
  '{LineKind.REFUND_UNKNOWN}')
ON CONFLICT (district_id, kind, gateway_trade_no) DO NOTHING
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter

# Credited here in the statement's days, yet absent from it (found by the classification's full join).
_ABSENT = f"""
CREATE TEMPORARY TABLE payments_statement_absent AS
SELECT o.district_id, o.id AS order_id, o.number, c.payment_trade_no AS trade_no, c.payment_amount AS amount
FROM {_CLASSIFIED} c JOIN payments_order o ON o.id = c.payment_order_id
WHERE c.kind = '{_ABSENT_KIND}' AND o.district_id = %(district)s
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter
_ABSENT_DISCREPANCIES = f"""
INSERT INTO payments_discrepancy (district_id, statement_id, kind, order_id, order_number, gateway_trade_no,
  amount_here, amount_gateway, status, detail, note, action, created_at)
SELECT district_id, %(statement)s, '{DiscrepancyKind.MISSING_AT_GATEWAY}', order_id, number, trade_no, amount, NULL,
  '{DiscrepancyStatus.OPEN}', '', '', '', %(now)s
FROM payments_statement_absent WHERE true
ON CONFLICT (district_id, kind, gateway_trade_no) DO NOTHING
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter


# Refunded here in the statement's days, yet no refund line of the trade in it.
_REFUNDS_ABSENT_FROM = f"""
FROM payments_refund r JOIN payments_payment p ON p.id = r.payment_id JOIN payments_order o ON o.id = p.order_id
WHERE o.district_id = %(district)s AND p.provider = %(provider)s AND r.status = '{RefundStatus.SUCCEEDED}'
  AND r.finished_at >= %(start)s AND r.finished_at < %(end)s
  AND NOT EXISTS (SELECT 1 FROM {_STAGING} s WHERE s.is_refund AND s.trade_no = p.trade_no)
"""  # noqa: S608 - only constants are formatted in; every value is a bound parameter
_REFUNDS_ABSENT_COUNT = f"SELECT COUNT(*) {_REFUNDS_ABSENT_FROM}"
_REFUNDS_ABSENT_DISCREPANCIES = f"""
INSERT INTO payments_discrepancy (district_id, statement_id, kind, order_id, order_number, gateway_trade_no,
  amount_here, amount_gateway, status, detail, note, action, created_at)
SELECT o.district_id, %(statement)s, '{DiscrepancyKind.REFUND_MISSING_AT_GATEWAY}', o.id, o.number, p.trade_no,
  r.amount, NULL, '{DiscrepancyStatus.OPEN}', '', '', '', %(now)s
{_REFUNDS_ABSENT_FROM}
ON CONFLICT (district_id, kind, gateway_trade_no) DO NOTHING
"""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def _local_day(value: Any) -> datetime.date | None:
    """A database time (aware on PostgreSQL, text on SQLite) as a Beijing date."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
    return timezone.localtime(value, timezone.get_default_timezone()).date()


def statement_import(*, statement_id: int) -> Statement:
    """Imports and reconciles a statement; safe to run again (a finished statement is left as it is).

    Lines are classified matched, amount_mismatch, missing_here, duplicate (or refund, or
    other_district), and counted; all but the matched ones are kept as statement lines. Payments
    credited here on the statement's days but absent from it are missing_at_gateway. Discrepancies
    are opened once per district, kind and trade. A missing_here line for an unpaid order is
    credited only once the gateway confirms it (``_settle_unknown_payments``). A file that is not a
    statement fails the import with the reason; a bad line is reported and the rest imported.
    """
    statement = Statement.objects.select_related("district").get(pk=statement_id)
    now = timezone.now()
    stalled = now - datetime.timedelta(minutes=settings.PAYMENTS_STATEMENT_STALL_MINUTES)
    # Claimed when waiting, or when the worker importing it stopped beating (killed): a second delivery
    # while another worker is at it leaves it to that worker.
    claimed = (
        Statement.objects.filter(pk=statement_id)
        .filter(
            Q(status=StatementStatus.PENDING)
            | Q(status=StatementStatus.IMPORTING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stalled))
        )
        .update(status=StatementStatus.IMPORTING, progress=0, heartbeat_at=now)
    )
    if not claimed:
        return statement
    try:
        with transaction.atomic():
            statement = Statement.objects.select_for_update().select_related("district").get(pk=statement_id)
            if statement.status == StatementStatus.DONE:
                return statement
            with statement.file.open("rb") as raw:
                staged = _StagedLines(read_statement(raw, statement.provider, bulk=True))
                counts = _reconcile(statement, staged)
            for name, value in counts.items():
                setattr(statement, name, value)
            statement.lines = staged.lines
            statement.errors = staged.errors
            statement.error_count = staged.bad
            statement.progress = 90
            statement.heartbeat_at = timezone.now()
            statement.save()
    except StatementFormatError as error:
        Statement.objects.filter(pk=statement_id).update(
            status=StatementStatus.FAILED, errors=[{"line": 1, "message": str(error)}], error_count=1, progress=100
        )
        return Statement.objects.get(pk=statement_id)
    if connection.vendor == "postgresql":
        # Statistics for the discrepancies just opened, before the settling looks each one up: with
        # none, the planner took the district's open ones for a few and read all of them a trade
        # (14,000 rows, 2.5 ms a line, at a million lines; bench/reconcile.py). Outside the
        # transaction, whose lock would keep another district's import waiting.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE payments_discrepancy")
    statement.recovered = _settle_unknown_payments(statement)
    statement.status = StatementStatus.DONE
    statement.progress = 100
    statement.finished_at = timezone.now()
    statement.save(update_fields=["recovered", "status", "progress", "finished_at"])
    return statement


def _reconcile(statement: Statement, staged: _StagedLines) -> dict[str, int]:
    """Loads, classifies and records discrepancies in set-based SQL; sets the statement's period."""
    params: dict[str, Any] = {
        "statement": statement.pk,
        "district": statement.district_id,
        "provider": statement.provider,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    StatementLine.objects.filter(statement=statement).delete()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this transaction only: the refund check's subplan makes the classification look
            # costly enough for JIT, whose compiling takes longer than the joins; and hash joins of a
            # million lines in memory rather than in batches spilled to disk.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        _load_staging(cursor, staged)
        if statement.period_start is None:
            cursor.execute(f"SELECT MIN(paid_at), MAX(paid_at) FROM {_STAGING} WHERE NOT is_refund")  # noqa: S608
            first, last = cursor.fetchone()
            statement.period_start, statement.period_end = _local_day(first), _local_day(last)
        period = statement.period_start is not None and statement.period_end is not None
        # No period (no payment line): no payment is looked for as absent (NULL bounds compare to nothing).
        params["start"] = params["end"] = None
        if statement.period_start is not None and statement.period_end is not None:
            params["start"] = connection.ops.adapt_datetimefield_value(_day_start(statement.period_start))
            params["end"] = connection.ops.adapt_datetimefield_value(
                _day_start(statement.period_end + datetime.timedelta(days=1))
            )
        cursor.execute(_CLASSIFY, params)
        cursor.execute(_KEEP_LINES, params)
        cursor.execute(_LINE_DISCREPANCIES, params)
        cursor.execute(f"SELECT kind, COUNT(*) FROM {_CLASSIFIED} WHERE line_no IS NOT NULL GROUP BY kind")  # noqa: S608
        by_kind = dict(cursor.fetchall())
        absent = refunds_absent = 0
        if period:
            cursor.execute(_ABSENT, params)
            cursor.execute("SELECT COUNT(*) FROM payments_statement_absent")
            absent = cursor.fetchone()[0]
            cursor.execute(_ABSENT_DISCREPANCIES, params)
            cursor.execute("DROP TABLE payments_statement_absent")
            cursor.execute(_REFUNDS_ABSENT_COUNT, params)
            refunds_absent = cursor.fetchone()[0]
            cursor.execute(_REFUNDS_ABSENT_DISCREPANCIES, params)
        for table in (_CLASSIFIED, _STAGING):
            cursor.execute(f"DROP TABLE {table}")
    return {
        "matched": staged.lines - sum(by_kind.values()),
        "amount_mismatch": by_kind.get(LineKind.AMOUNT_MISMATCH, 0),
        "missing_here": by_kind.get(LineKind.MISSING_HERE, 0),
        "duplicate": by_kind.get(LineKind.DUPLICATE, 0),
        "refunds": by_kind.get(LineKind.REFUND, 0) + by_kind.get(LineKind.REFUND_UNKNOWN, 0),
        "refund_missing_here": by_kind.get(LineKind.REFUND_UNKNOWN, 0),
        "refund_missing_at_gateway": refunds_absent,
        "other_district": by_kind.get(LineKind.OTHER_DISTRICT, 0),
        "missing_at_gateway": absent,
    }


def _settle_unknown_payments(statement: Statement) -> int:
    """Records the payments a statement shows for this district's unpaid orders; returns how many
    were credited.

    An uploaded file is only evidence: a line counts once the gateway's own query confirms it (paid,
    the same trade number, the same amount). A statement the portal fetched from the gateway is the
    gateway's word. Each confirmed trade goes through ``payment_record``, which credits it or keeps
    it for refund; an unconfirmed line stays an open discrepancy.
    """
    lines = (
        StatementLine.objects.filter(
            statement=statement,
            kind__in=[LineKind.MISSING_HERE, LineKind.AMOUNT_MISMATCH],
            # Open orders only: a payment for an expired one reaches us through its notification or a
            # fetched statement; asking the gateway about every expired order's line would cost a call each.
            order_id__in=Order.objects.filter(district_id=statement.district_id, status=OrderStatus.PENDING).values(
                "pk"
            ),
        )
        .exclude(Exists(Payment.objects.filter(provider=statement.provider, trade_no=OuterRef("trade_no"))))
        .order_by("line_no")
        .values_list("trade_no", "out_trade_no", "amount", "paid_at")
    )
    trusted = statement.origin == StatementOrigin.GATEWAY
    credited = 0
    for count, (trade_no, out_trade_no, amount, paid_at) in enumerate(lines.iterator(), start=1):
        if count % 100 == 0:
            _progress(statement.pk, 95)
        source = "statement"
        if not trusted:
            confirmed = _gateway_confirms(statement.provider, out_trade_no, trade_no, amount)
            if confirmed is None:
                continue
            paid_at, source = confirmed.paid_at or paid_at, "query"
        payment = payment_record(
            provider=statement.provider,
            out_trade_no=out_trade_no,
            trade_no=trade_no,
            amount=amount,
            paid_at=paid_at,
            source=source,
        )
        credited += payment.disposition == PaymentDisposition.CREDITED and payment.source == source
    return credited


def _gateway_confirms(provider: str, out_trade_no: str, trade_no: str, amount: Decimal) -> TradeState | None:
    """The gateway's answer when it says the trade is paid with this trade number and amount; else ``None``.

    Asked outside any transaction: no row is locked while the gateway answers.
    """
    try:
        state = get_provider(provider).query(out_trade_no=out_trade_no)
    except PortalError as error:
        logger.warning("statement line %s (order %s) not confirmed: %s", trade_no, out_trade_no, error)
        return None
    if state.paid and state.trade_no == trade_no and state.total_amount == amount:
        return state
    logger.warning(
        "statement line %s (order %s, %s) not confirmed by the gateway: %s %s %s",
        trade_no,
        out_trade_no,
        amount,
        state.trade_status,
        state.trade_no,
        state.total_amount,
    )
    return None
