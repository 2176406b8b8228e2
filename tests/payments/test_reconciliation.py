"""Statement import and reconciliation: each class with a crafted statement, re-import, bad lines,
resolution, and finance scope."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payments.models import Discrepancy, Order, OrderEvent, OrderStatus, Payment, Statement, StatementLine
from payments.providers.base import format_gateway_time
from payments.providers.signing import generate_key_pair, sign_params
from payments.services.orders import order_expire
from payments.services.refunds import order_refund
from payments_sandbox.services import ALIPAY_STATEMENT_HEADER, sandbox_app_default, sandbox_trade_pay
from registration.models.application import Application, ApplicationStatus
from tests.payments.conftest import new_order, post_notification, sandbox_statement, signed_notification, token_client

NOW = timezone.localtime().replace(microsecond=0)
TODAY = NOW.isoformat()


def upload(client, content: bytes, provider: str = "sandbox", name: str = "statement.csv", **extra):
    return client.post(
        "/api/v1/finance/statements/",
        {"provider": provider, "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra},
        format="multipart",
    )


def pay(order: Order, trade_no: str) -> None:
    # Paid at the statements' moment: paid at the real now, a payment made after Beijing's midnight
    # fell outside the day of a statement written before it (NOW is taken when the module loads).
    form = signed_notification(order, trade_no=trade_no, gmt_payment=format_gateway_time(NOW))
    assert post_notification(form) == (200, "success")


@pytest.fixture
def finance_api(finance):
    return token_client(finance)


@pytest.fixture
def imported(finance_api, django_capture_on_commit_callbacks):
    """Uploads a statement and runs the import queued on commit; returns the API's statement body."""

    def run(content: bytes, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(finance_api, content, **extra)
        assert response.status_code in (200, 201), response.json()
        return finance_api.get(f"/api/v1/finance/statements/{response.json()['id']}/").json()

    return run


def test_a_line_that_agrees_with_a_credited_payment_is_matched(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    pay(order, "T1")

    body = imported(sandbox_statement([("T1", order.number, "payment", "380.00", TODAY)]))

    assert body["status"] == "done"
    assert (body["lines"], body["matched"], body["missing_at_gateway"]) == (1, 1, 0)
    assert not Discrepancy.objects.exists()
    # Matched lines are counted; only the lines that need attention are kept.
    assert not StatementLine.objects.exists()


def test_a_different_amount_is_an_amount_mismatch(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    pay(order, "T1")

    body = imported(sandbox_statement([("T1", order.number, "payment", "300.00", TODAY)]))

    assert body["amount_mismatch"] == 1
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, str(discrepancy.amount_here), str(discrepancy.amount_gateway)) == (
        "amount_mismatch",
        "380.00",
        "300.00",
    )


def test_an_uploaded_line_the_gateway_confirms_credits_the_open_order_audited(
    district, specialty, subjects, finance, imported, monkeypatch
):
    """The notification was lost; the statement line is credited once the gateway's own query agrees."""
    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: "error: timed out")
    order = new_order(district, specialty)
    trade_no = sandbox_trade_pay(app=sandbox_app_default(), out_trade_no=order.number).trade_no

    body = imported(sandbox_statement([(trade_no, order.number, "payment", "380.00", TODAY)]))

    assert (body["missing_here"], body["recovered"]) == (1, 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.PAID
    assert Payment.objects.get().source == "query"
    assert OrderEvent.objects.filter(order=order, action="credited").exists()
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.status) == ("missing_here", "resolved")
    assert "支付平台已确认" in discrepancy.note


def test_a_fabricated_statement_line_credits_nothing_and_stays_open(district, specialty, subjects, finance, imported):
    """Issue 14: a finance user's invented trade for an unpaid order is evidence the gateway denies."""
    order = new_order(district, specialty)

    body = imported(sandbox_statement([("FAKE0001", order.number, "payment", "380.00", TODAY)]))

    assert (body["missing_here"], body["recovered"]) == (1, 0)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.APPROVED
    assert not Payment.objects.exists()
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.status, discrepancy.gateway_trade_no) == ("missing_here", "open", "FAKE0001")


def test_a_line_with_the_real_trade_but_another_amount_credits_nothing(
    district, specialty, subjects, finance, imported, monkeypatch
):
    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: "error: timed out")
    order = new_order(district, specialty)
    trade_no = sandbox_trade_pay(app=sandbox_app_default(), out_trade_no=order.number).trade_no

    body = imported(sandbox_statement([(trade_no, order.number, "payment", "3.80", TODAY)]))

    assert (body["amount_mismatch"], body["recovered"]) == (1, 0)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING
    assert not Payment.objects.exists()


def test_paid_at_the_gateway_for_an_expired_order_needs_a_refund(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    order_expire(order_id=order.pk)

    body = imported(sandbox_statement([("T9", order.number, "payment", "380.00", TODAY)]))

    assert (body["missing_here"], body["recovered"]) == (1, 0)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.status, discrepancy.order_number) == ("missing_here", "open", order.number)


def test_a_payment_for_an_order_nobody_here_knows_is_missing_here(district, specialty, subjects, finance, imported):
    body = imported(sandbox_statement([("T9", "20990101000000000001", "payment", "12.00", TODAY)]))

    assert body["missing_here"] == 1
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.order, discrepancy.district) == ("missing_here", None, finance.district)


def test_credited_here_but_absent_from_the_statement_is_missing_at_gateway(
    district, specialty, subjects, finance, imported
):
    present, absent = new_order(district, specialty), new_order(district, specialty)
    pay(present, "T1")
    pay(absent, "T2")

    body = imported(sandbox_statement([("T1", present.number, "payment", "380.00", TODAY)]))

    assert (body["matched"], body["missing_at_gateway"]) == (1, 1)
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.gateway_trade_no, discrepancy.order_number) == (
        "missing_at_gateway",
        "T2",
        absent.number,
    )


def test_two_gateway_payments_for_one_order_are_a_duplicate(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    pay(order, "T1")

    body = imported(
        sandbox_statement(
            [("T1", order.number, "payment", "380.00", TODAY), ("T2", order.number, "payment", "380.00", TODAY)]
        )
    )

    assert (body["matched"], body["duplicate"]) == (1, 1)
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.gateway_trade_no) == ("duplicate", "T2")


def test_a_refund_made_here_and_other_districts_lines_are_counted_not_discrepancies(
    district, other_district, specialty, subjects, finance, imported, pay_at_sandbox
):
    mine, theirs = new_order(district, specialty), new_order(other_district, specialty)
    trade_no = pay_at_sandbox(mine)
    order_refund(order_id=mine.pk, actor=finance, reason="考生申请退费")
    pay(theirs, "T2")

    body = imported(
        sandbox_statement(
            [
                (trade_no, mine.number, "payment", "380.00", TODAY),
                (trade_no, mine.number, "refund", "380.00", TODAY),
                ("T2", theirs.number, "payment", "360.00", TODAY),
            ]
        )
    )

    assert (body["matched"], body["refunds"], body["other_district"]) == (1, 1, 1)
    assert (body["refund_missing_here"], body["refund_missing_at_gateway"]) == (0, 0)
    assert not Discrepancy.objects.exists()


def test_a_refund_at_the_gateway_unknown_here_is_a_discrepancy(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    pay(order, "T1")

    body = imported(
        sandbox_statement(
            [("T1", order.number, "payment", "380.00", TODAY), ("T1", order.number, "refund", "380.00", TODAY)]
        )
    )

    assert (body["matched"], body["refunds"], body["refund_missing_here"]) == (1, 1, 1)
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.order, discrepancy.gateway_trade_no, str(discrepancy.amount_gateway)) == (
        "refund_missing_here",
        order,
        "T1",
        "380.00",
    )


def test_a_refund_made_here_but_absent_from_the_statement_is_a_discrepancy(
    district, specialty, subjects, finance, imported, pay_at_sandbox
):
    order = new_order(district, specialty)
    trade_no = pay_at_sandbox(order)
    order_refund(order_id=order.pk, actor=finance, reason="考生申请退费")

    body = imported(sandbox_statement([(trade_no, order.number, "payment", "380.00", TODAY)]))

    assert (body["matched"], body["refunds"], body["refund_missing_at_gateway"]) == (1, 0, 1)
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.gateway_trade_no, str(discrepancy.amount_here)) == (
        "refund_missing_at_gateway",
        trade_no,
        "380.00",
    )


def test_bad_lines_are_reported_by_number_and_the_rest_imported(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    pay(order, "T1")
    content = (
        sandbox_statement(
            [
                ("T1", order.number, "payment", "380.00", TODAY),
                ("T2", order.number, "payment", "three hundred", TODAY),
                ("T3", "bad order!", "payment", "1.00", TODAY),
                ("T4", order.number, "gift", "1.00", TODAY),
                ("T5", order.number, "payment", "1.00", "yesterday"),
            ]
        )
        + b"only,three,cells\n"
    )

    body = imported(content)

    assert (body["status"], body["lines"], body["matched"], body["error_count"]) == ("done", 1, 1, 5)
    assert [error["line"] for error in body["errors"]] == [3, 4, 5, 6, 7]
    assert "金额" in body["errors"][0]["message"]


def test_a_file_that_is_not_a_statement_fails_with_the_reason(finance, imported):
    body = imported(b"hello,world\n1,2\n")

    assert body["status"] == "failed"
    assert "trade_no" in body["errors"][0]["message"]


def test_an_alipay_file_found_not_a_statement_only_at_its_end_keeps_nothing(
    district, specialty, subjects, finance, imported, alipay_configured
):
    """Alipay's header is looked for line by line, so such a file is known not to be a statement only
    once it has been read to its end, its lines already handed to COPY: the import fails with the
    reason, and what was staged is dropped with the transaction."""
    order = new_order(district, specialty, provider="alipay")
    content = alipay_statement([("2026030122001411", order.number, "交易", "380.00")])
    headless = content.replace(ALIPAY_STATEMENT_HEADER.encode("gbk"), b"#")

    body = imported(headless, provider="alipay", name="20260301_业务明细.csv")

    assert (body["status"], body["lines"], body["error_count"]) == ("failed", 0, 1)
    assert "支付宝交易号" in body["errors"][0]["message"]
    assert not StatementLine.objects.exists()
    assert not Discrepancy.objects.exists()


def test_lines_read_one_by_one_reach_the_staging_in_batches_and_none_is_lost(
    district, specialty, subjects, finance, imported
):
    """A chunk with a bad line is read line by line and handed to COPY a thousand lines at a time
    (reconciliation._LINES_A_READ): the 2,500 good lines around it are all there, the last
    batch not a full one."""
    orders = [new_order(district, specialty) for _ in range(3)]
    for number, order in enumerate(orders):
        pay(order, f"T{number}")
    rows = [(f"T{number}", order.number, "payment", "380.00", TODAY) for number, order in enumerate(orders)]
    rows += [(f"X{number}", f"N{number}", "payment", "380.00", TODAY) for number in range(2497)]
    content = sandbox_statement(rows[:1200]) + b"only,three,cells\n" + sandbox_statement(rows[1200:]).split(b"\n", 1)[1]

    body = imported(content)

    assert (body["status"], body["lines"], body["error_count"]) == ("done", 2500, 1)
    assert [error["line"] for error in body["errors"]] == [1202]
    assert (body["matched"], body["missing_here"]) == (3, 2497)
    assert StatementLine.objects.filter(kind="missing_here").count() == 2497


def test_importing_the_same_file_again_changes_nothing(district, specialty, subjects, finance, finance_api, imported):
    unpaid, absent = new_order(district, specialty), new_order(district, specialty)
    pay(absent, "T2")
    content = sandbox_statement([("T9", unpaid.number, "payment", "380.00", TODAY)])
    first = imported(content)
    snapshot = (
        list(Discrepancy.objects.order_by("id").values()),
        list(Payment.objects.order_by("id").values()),
        list(StatementLine.objects.order_by("id").values()),
    )

    again = upload(finance_api, content, name="renamed.csv")

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Statement.objects.count() == 1
    assert snapshot == (
        list(Discrepancy.objects.order_by("id").values()),
        list(Payment.objects.order_by("id").values()),
        list(StatementLine.objects.order_by("id").values()),
    )


def test_running_the_import_job_twice_changes_nothing(district, specialty, subjects, finance, imported):
    from payments.tasks import statement_import

    order = new_order(district, specialty)
    body = imported(sandbox_statement([("T9", order.number, "payment", "380.00", TODAY)]))
    before = list(Discrepancy.objects.values()), Payment.objects.count()

    statement_import.delay(body["id"])

    assert (list(Discrepancy.objects.values()), Payment.objects.count()) == before


@pytest.fixture
def alipay_configured(settings):
    """The Alipay provider with generated keys: the app's own pair, and the pair the gateway signs with."""
    app_private, _app_public = generate_key_pair()
    gateway_private, gateway_public = generate_key_pair()
    settings.ALIPAY_APP_ID = "2021000000000777"
    settings.ALIPAY_APP_PRIVATE_KEY = app_private
    settings.ALIPAY_PUBLIC_KEY = gateway_public
    # Nothing listens there: the provider's query fails as a gateway that cannot be reached.
    settings.ALIPAY_GATEWAY_URL = "http://127.0.0.1:9/gateway.do"
    return gateway_private


def alipay_statement(rows: list[tuple[str, str, str, str]]) -> bytes:
    """Alipay's 业务明细 CSV in GBK: (支付宝交易号, 商户订单号, 业务类型, 订单金额) per line."""
    when = format_gateway_time(NOW)
    lines = [
        "#支付宝业务明细查询",
        "#账号：[20889999999999990156]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        ALIPAY_STATEMENT_HEADER,
    ]
    for trade_no, out_trade_no, kind, amount in rows:
        cells = [trade_no, out_trade_no, kind, "报名费", when, when, "", "", "", "", "", amount, amount]
        lines.append(",".join(f"{cell}\t" for cell in cells + ["0.00"] * 12))
    lines += [
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#交易合计：1笔",
    ]
    return "\r\n".join(lines).encode("gbk")


def test_alipay_gbk_statement_is_read(district, specialty, subjects, finance, imported, alipay_configured):
    paid, open_order = (
        new_order(district, specialty, provider="alipay"),
        new_order(district, specialty, provider="alipay"),
    )
    form = {
        "app_id": "2021000000000777",
        "out_trade_no": paid.number,
        "trade_no": "2026030122001411",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "380.00",
    }
    assert post_notification(sign_params(alipay_configured, form), provider="alipay") == (200, "success")

    body = imported(
        alipay_statement(
            [
                ("2026030122001411", paid.number, "交易", "380.00"),
                ("2026030122001412", open_order.number, "交易", "380.00"),
                ("2026030122001411", paid.number, "退款", "-380.00"),
                ("bad id!", paid.number, "交易", "380.00"),
            ]
        ),
        provider="alipay",
        name="20260301_业务明细.csv",
    )

    assert body["status"] == "done", body
    assert (body["lines"], body["matched"], body["missing_here"], body["refunds"], body["error_count"]) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert body["errors"][0]["line"] == 8
    # The gateway could not be asked, so the uploaded line credits nothing and waits for finance.
    assert (body["recovered"], Order.objects.get(pk=open_order.pk).status) == (0, OrderStatus.PENDING)
    assert Discrepancy.objects.get(gateway_trade_no="2026030122001412").status == "open"


def test_resolving_a_discrepancy_needs_a_note_and_happens_once(
    district, specialty, subjects, finance, finance_api, imported
):
    imported(sandbox_statement([("T9", "20990101000000000001", "payment", "12.00", TODAY)]))
    discrepancy = Discrepancy.objects.get()
    url = f"/api/v1/finance/discrepancies/{discrepancy.pk}/resolve/"

    listed = finance_api.get("/api/v1/finance/discrepancies/?status=open").json()
    assert [
        (item["id"], item["kind"], item["gateway_trade_no"], item["amount_gateway"]) for item in listed["results"]
    ] == [(discrepancy.pk, "missing_here", "T9", "12.00")]
    assert finance_api.post(url, {"note": "  "}, format="json").status_code == 400
    assert finance_api.post(url, {"note": "已联系支付宝，原路退回"}, format="json").status_code == 200
    assert finance_api.post(url, {"note": "again"}, format="json").json()["code"] == "invalid_state"
    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.note, discrepancy.resolved_by) == (
        "resolved",
        "已联系支付宝，原路退回",
        finance,
    )
    assert finance_api.get("/api/v1/finance/discrepancies/?status=open").json()["count"] == 0


def test_finance_of_another_district_can_neither_see_nor_resolve(
    district, specialty, subjects, finance, other_finance, imported
):
    body = imported(sandbox_statement([("T9", "20990101000000000001", "payment", "12.00", TODAY)]))
    discrepancy = Discrepancy.objects.get()
    stranger = token_client(other_finance)

    assert stranger.get("/api/v1/finance/discrepancies/").json()["count"] == 0
    assert (
        stranger.post(
            f"/api/v1/finance/discrepancies/{discrepancy.pk}/resolve/", {"note": "x"}, format="json"
        ).status_code
        == 404
    )
    assert stranger.get(f"/api/v1/finance/statements/{body['id']}/").status_code == 404
    discrepancy.refresh_from_db()
    assert discrepancy.status == "open"


def test_candidates_and_other_staff_get_403_on_finance_endpoints(api, district):
    from registration.choices import Role
    from registration.services.staff import staff_user_upsert

    reviewer = staff_user_upsert(
        username="sh_district", role=Role.DISTRICT_REVIEWER, scope=district, password="staff-pass-2026"
    )
    for client in (api, token_client(reviewer)):
        assert client.get("/api/v1/finance/discrepancies/").status_code == 403
        assert upload(client, b"x").status_code == 403


def test_a_statement_needs_a_known_provider_and_a_file(finance_api):
    assert upload(finance_api, b"x", provider="wechat").status_code == 400
    assert (
        finance_api.post("/api/v1/finance/statements/", {"provider": "sandbox"}, format="multipart").status_code == 400
    )
    assert upload(finance_api, b"").status_code == 400


def test_a_day_given_at_upload_bounds_missing_at_gateway(district, specialty, subjects, finance, imported):
    order = new_order(district, specialty)
    pay(order, "T1")
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    body = imported(sandbox_statement([]), date=yesterday)

    assert (body["period_start"], body["missing_at_gateway"]) == (yesterday, 0)


def test_an_import_cut_short_is_resumed_by_the_sweep_within_minutes(
    district, specialty, subjects, finance, finance_api, django_capture_on_commit_callbacks
):
    """Issue 14: a worker killed mid-import leaves the statement importing; the sweep picks it up again
    after PAYMENTS_STATEMENT_STALL_MINUTES, not after the broker's one-hour visibility timeout."""
    from payments.tasks import statements_resume

    order = new_order(district, specialty)
    pay(order, "T1")
    response = upload(finance_api, sandbox_statement([("T1", order.number, "payment", "380.00", TODAY)]))
    statement = Statement.objects.get(pk=response.json()["id"])
    # What a killed worker leaves: claimed, a heartbeat, then nothing.
    Statement.objects.filter(pk=statement.pk).update(status="importing", progress=60, heartbeat_at=timezone.now())

    assert statements_resume.delay().get() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
        assert statements_resume.delay().get() == 1

    statement.refresh_from_db()
    assert (statement.status, statement.matched, statement.progress) == ("done", 1, 100)


def test_a_second_delivery_leaves_a_live_import_to_its_worker(district, specialty, subjects, finance, finance_api):
    from payments.services.reconciliation import statement_import

    response = upload(finance_api, sandbox_statement([]))
    Statement.objects.filter(pk=response.json()["id"]).update(status="importing", heartbeat_at=timezone.now())

    statement_import(statement_id=response.json()["id"])

    assert Statement.objects.get(pk=response.json()["id"]).status == "importing"


def test_stalled_imports_are_resumed_every_two_minutes_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-resume-stalled-statements"]
    assert (entry["task"], entry["schedule"]) == ("payments.tasks.statements_resume", datetime.timedelta(minutes=2))


def test_yesterdays_statement_is_fetched_from_the_gateway_each_morning_and_imported(
    district, specialty, subjects, finance, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue 14: the fetch runs on beat for every enabled provider; a statement the portal fetched is
    the gateway's word, so a paid trade whose notification was lost is credited from it."""
    from payments.tasks import statements_fetch_daily

    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: "error: timed out")
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with time_machine.travel(yesterday, tick=False):
        order = new_order(district, specialty)
        trade_no = sandbox_trade_pay(app=sandbox_app_default(), out_trade_no=order.number).trade_no

    with django_capture_on_commit_callbacks(execute=True):
        assert statements_fetch_daily.delay().get() == 1

    statement = Statement.objects.get()
    assert (statement.origin, statement.provider, statement.district, statement.uploaded_by) == (
        "gateway",
        "sandbox",
        district,
        None,
    )
    assert (statement.status, statement.period_start, statement.recovered) == ("done", timezone.localdate(yesterday), 1)
    assert Payment.objects.get().trade_no == trade_no
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert OrderEvent.objects.filter(order=order, action="recovered").exists()
    # Finance sees the day's import with their others.
    assert token_client(finance).get(f"/api/v1/finance/statements/{statement.pk}/").json()["origin"] == "gateway"


def test_fetching_the_same_day_again_changes_nothing(district, specialty, subjects, django_capture_on_commit_callbacks):
    from payments.services.reconciliation import statement_fetch

    day = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = statement_fetch(provider_name="sandbox", day=day)
        again = statement_fetch(provider_name="sandbox", day=day)

    assert [statement.pk for statement in again] == [statement.pk for statement in first]
    assert Statement.objects.count() == 1


def test_the_daily_fetch_runs_on_beat_each_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-fetch-daily-statements"]
    assert entry["task"] == "payments.tasks.statements_fetch_daily"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({9}, {30})


def test_an_import_reads_a_time_without_offset_as_beijing_time(district, specialty, subjects, finance, imported):
    """A line at 23:30 without offset is on that day in Beijing (read as UTC it would be the next)."""
    body = imported(sandbox_statement([("T9", "20990101000000000001", "payment", "12.00", "2026-03-01T23:30:00")]))

    assert (body["status"], body["missing_here"]) == ("done", 1)
    line = StatementLine.objects.get()
    assert timezone.localtime(line.paid_at, timezone.get_default_timezone()).replace(tzinfo=None) == datetime.datetime(
        2026, 3, 1, 23, 30
    )
