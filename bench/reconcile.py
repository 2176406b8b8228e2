"""Statement reconciliation at scale: 1,000,000 orders and a 1,000,000-line statement on PostgreSQL.

Figures: the seconds and peak RSS of the import job (``payments.services.reconciliation.statement_import``,
run in a process of its own as a worker would run it), and its ratio to a bare ``COPY`` of the same file
plus one SQL join of it with the orders and payments. Goals: ≤ 60 s, ≤ 500 MB, ≤ 3×.

The data: every order paid and in the statement, except 1% expired yet paid at the gateway (needs a
refund), 0.1% each of amount mismatches, payments absent from the statement, duplicate payments and
payments for unknown orders, and 100 orders still open, paid at the gateway with their notifications
lost: the uploaded statement credits each once the gateway's query confirms it (the verified-credit path).
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, Figure, django_env, fresh_database, manage, report

ORDERS = int(os.environ.get("BENCH_RECONCILE_ORDERS", "1000000"))
STATEMENT_PATH = "payments/statements/bench.csv"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | dict):
        return "'" + json.dumps(value) + "'::jsonb"
    return str(value)


def _series_insert(model: Any, count: int, overrides: dict[str, str]) -> str:
    """INSERT … SELECT … FROM generate_series(1, count) g for ``model``, every column given a value:
    ``overrides`` (SQL over ``g``), else NULL, the field's default or a blank of its type."""
    from django.db import models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        if column in overrides:
            value = overrides[column]
        elif field.null:
            value = "NULL"
        elif field.has_default() and not callable(field.default):
            value = _literal(field.default)
        elif isinstance(field, models.JSONField):
            value = "'[]'::jsonb"
        elif isinstance(field, models.BooleanField):
            value = "false"
        elif isinstance(field, models.DateTimeField):
            value = "now()"
        elif isinstance(field, models.DateField):
            value = "current_date"
        elif isinstance(field, models.CharField | models.TextField):
            value = "''"
        else:
            value = "0"
        columns.append(column)
        values.append(value)
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(1, {count}) AS g"
    )


def generate(data_dir: Path) -> int:
    """The orders, payments and statement file; returns the statement's id."""
    from django.db import connection
    from django.utils import timezone

    from payments.models import Order, Payment, Statement
    from payments_sandbox.models import SandboxTrade
    from payments_sandbox.services import sandbox_app_default
    from registration.models import Application, District, DistrictFee, Exam, Specialty, User

    now = timezone.now()
    day = timezone.localdate()
    exam = Exam.objects.create(
        year=day.year,
        name="基准考试",
        registration_opens=now - datetime.timedelta(days=60),
        registration_closes=now - datetime.timedelta(days=30),
        confirmation_deadline=now - datetime.timedelta(days=25),
        payment_opens=now - datetime.timedelta(days=10),
        payment_closes=now + datetime.timedelta(days=10),
        ticket_opens=now + datetime.timedelta(days=20),
        ticket_closes=now + datetime.timedelta(days=30),
        exam_date=day + datetime.timedelta(days=40),
        work_years_cutoff=datetime.date(day.year - 1, 12, 31),
    )
    district = District.objects.create(exam=exam, code="SH", name="上海", online_payment=True)
    DistrictFee.objects.create(district=district, level="中级", fee_per_subject="95.00")
    specialty = Specialty.objects.create(code="303", name="内科学", category="临床医学类", level="中级")
    midnight = f"(TIMESTAMP '{day.isoformat()} 00:00:00' AT TIME ZONE 'Asia/Shanghai')"
    paid_at = f"{midnight} + ((g % 86000) || ' seconds')::interval"
    pending = "g % 10000 = 5"
    expired = "g % 100 = 0"
    with connection.cursor() as cursor:
        cursor.execute(
            _series_insert(
                User,
                ORDERS,
                {
                    "username": "'bench' || g",
                    "name": "'考生'",
                    "id_type": "'resident_id'",
                    "id_number_digest": "md5(g::text)",
                    "role": "'candidate'",
                    "password": "'!'",
                    "is_active": "true",
                },
            )
        )
        cursor.execute("SELECT min(id) - 1 FROM registration_user")
        users = cursor.fetchone()[0]
        cursor.execute(
            _series_insert(
                Application,
                ORDERS,
                {
                    "exam_id": str(exam.pk),
                    "candidate_id": f"{users} + g",
                    "district_id": str(district.pk),
                    "specialty_id": str(specialty.pk),
                    "number": "lpad(g::text, 8, '0')",
                    "verification_code": "'1234567'",
                    "status": f"CASE WHEN {pending} THEN 'approved' WHEN {expired} THEN 'approved' ELSE 'paid' END",
                },
            )
        )
        cursor.execute("SELECT min(id) - 1 FROM registration_application")
        applications = cursor.fetchone()[0]
        cursor.execute(
            _series_insert(
                Order,
                ORDERS,
                {
                    "application_id": f"{applications} + g",
                    "district_id": str(district.pk),
                    "number": "'B' || lpad(g::text, 19, '0')",
                    "provider": "'sandbox'",
                    "amount": "380.00",
                    "level": "'中级'",
                    "specialty_code": "'303'",
                    "specialty_name": "'内科学'",
                    "subject_codes": """'["1","2","3","4"]'::jsonb""",
                    "fee_per_subject": "95.00",
                    "status": f"CASE WHEN {pending} THEN 'pending' WHEN {expired} THEN 'expired' ELSE 'paid' END",
                    "expires_at": "now() + interval '1 day'",
                    "paid_at": f"CASE WHEN {pending} OR {expired} THEN NULL ELSE {paid_at} END",
                },
            )
        )
        cursor.execute("SELECT min(id) - 1 FROM payments_order")
        orders = cursor.fetchone()[0]
        insert_payments = _series_insert(
            Payment,
            ORDERS,
            {
                "order_id": f"{orders} + g",
                "provider": "'sandbox'",
                "trade_no": "'T' || g",
                "amount": "380.00",
                "paid_at": paid_at,
                "source": "'notification'",
                "disposition": "'credited'",
            },
        )
        cursor.execute(f"{insert_payments} WHERE NOT ({pending}) AND NOT ({expired})")
        # The verified-credit path: the open orders were paid at the gateway (their notifications lost),
        # so the import's query to the gateway confirms each of their lines before crediting it.
        app = sandbox_app_default()
        insert_trades = _series_insert(
            SandboxTrade,
            ORDERS,
            {
                "app_id": str(app.pk),
                "out_trade_no": "'B' || lpad(g::text, 19, '0')",
                "trade_no": "'T' || g",
                "subject": "'报名费'",
                "total_amount": "380.00",
                "status": "'TRADE_SUCCESS'",
                "created_at": paid_at,
                "paid_at": paid_at,
            },
        )
        cursor.execute(f"{insert_trades} WHERE {pending}")
        cursor.execute("ANALYZE")

        statement_file = data_dir / "private" / STATEMENT_PATH
        statement_file.parent.mkdir(parents=True, exist_ok=True)
        finished = f"to_char(({paid_at}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+08:00'"
        number = "'B' || lpad(g::text, 19, '0')"
        lines = f"""
            SELECT 'T' || g AS trade_no, {number} AS out_trade_no, 'payment' AS trade_type,
                   CASE WHEN g % 1000 = 7 THEN '300.00' ELSE '380.00' END AS amount, {finished} AS finished_at
            FROM generate_series(1, {ORDERS}) g WHERE g % 1000 <> 8
            UNION ALL
            SELECT 'D' || g, {number}, 'payment', '380.00', {finished}
            FROM generate_series(1, {ORDERS}) g WHERE g % 1000 = 9
            UNION ALL
            SELECT 'U' || g, 'X' || g, 'payment', '95.00', {finished}
            FROM generate_series(1, {ORDERS}) g WHERE g % 1000 = 11
        """
        with statement_file.open("w", encoding="utf-8") as out:
            cursor.copy_expert(f"COPY ({lines}) TO STDOUT WITH (FORMAT csv, HEADER)", out)
    statement = Statement.objects.create(
        district=district, provider="sandbox", file=STATEMENT_PATH, file_name="bench.csv", sha256="bench"
    )
    return statement.pk


def run_import(statement_id: int) -> None:
    import django

    django.setup()
    from payments.services.reconciliation import statement_import

    started = time.perf_counter()
    statement = statement_import(statement_id=statement_id)
    seconds = time.perf_counter() - started
    counts = {
        name: getattr(statement, name)
        for name in (
            "status",
            "lines",
            "matched",
            "amount_mismatch",
            "missing_here",
            "missing_at_gateway",
            "duplicate",
            "recovered",
        )
    }
    print(json.dumps({"seconds": seconds, "rss_mb": _peak_rss_mb(), **counts}))


def run_baseline(statement_file: str) -> None:
    """A bare COPY of the file and one join classifying each line: the floor the import is measured against."""
    import psycopg2

    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    started = time.perf_counter()
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE raw (trade_no text, out_trade_no text, trade_type text, amount numeric(12, 2), "
            "finished_at timestamptz)"
        )
        with open(statement_file, encoding="utf-8") as data:
            cursor.copy_expert("COPY raw FROM STDIN WITH (FORMAT csv, HEADER)", data)
        cursor.execute(
            "CREATE TEMP TABLE classified AS SELECT r.trade_no, o.id AS order_id, "
            "CASE WHEN p.id IS NULL THEN 'missing' WHEN p.amount <> r.amount THEN 'mismatch' "
            "ELSE 'matched' END AS kind "
            "FROM raw r LEFT JOIN payments_order o ON o.number = r.out_trade_no "
            "LEFT JOIN payments_payment p ON p.trade_no = r.trade_no"
        )
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": _peak_rss_mb()}))


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run([PYTHON, __file__, *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="wecan-bench-reconcile-"))
    env = django_env(fresh_database("wecan_bench_reconcile"), WECAN_DATA_DIR=str(data_dir))
    manage("migrate", "--noinput", "-v", "0", env=env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    statement_id = generate(data_dir)
    connection.close()
    print(f"  generated {ORDERS:,} orders and the statement in {time.perf_counter() - started:.1f} s", flush=True)

    imported = _child(env, "--import", str(statement_id))
    baseline = _child(env, "--baseline", str(data_dir / "private" / STATEMENT_PATH))
    print(
        "  lines {lines:,}: matched {matched:,}, amount_mismatch {amount_mismatch:,}, missing_here {missing_here:,} "
        "(recovered {recovered}), missing_at_gateway {missing_at_gateway:,}, duplicate {duplicate:,}".format(**imported)
    )
    ratio = imported["seconds"] / baseline["seconds"]
    open_orders = len([g for g in range(1, ORDERS + 1) if g % 10000 == 5])
    report(
        [
            Figure("reconcile", "import (s)", imported["seconds"], "s", "≤ 60 s", imported["seconds"] <= 60),
            Figure(
                "reconcile", "import peak RSS (MB)", imported["rss_mb"], "MB", "≤ 500 MB", imported["rss_mb"] <= 500
            ),
            Figure("reconcile", "bare COPY + join (s)", baseline["seconds"], "s"),
            Figure("reconcile", "ratio to bare COPY + join", ratio, "×", "≤ 3×", ratio <= 3),
            # The verified-credit path: each open order's line credited once the gateway's query confirms it.
            Figure(
                "reconcile",
                "verified credits (open orders paid at the gateway)",
                imported["recovered"],
                "",
                f"= {open_orders}",
                imported["recovered"] == open_orders,
            ),
        ]
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--import"]:
        run_import(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--baseline"]:
        run_baseline(sys.argv[2])
    else:
        main()
