"""The sandbox gateway: checkout, its API, statements, and notifications re-sent on Alipay's schedule."""

import datetime

import time_machine
from django.utils import timezone

from payments.models import OrderStatus, SandboxNotification, SandboxTrade
from payments.providers.signing import canonical, rsa2_verify
from payments.sandbox.services import RETRY_DELAYS, sandbox_app_default
from payments.tasks import sandbox_deliver_due

SCHEDULE = [datetime.timedelta(0), *RETRY_DELAYS]


def test_the_schedule_is_alipays():
    minutes = [delay.total_seconds() / 60 for delay in RETRY_DELAYS]
    assert minutes == [4, 10, 10, 60, 120, 360, 900]


def test_checkout_pays_notifies_and_returns_the_candidate(
    client, order, gateway_transport, django_capture_on_commit_callbacks
):
    page = client.get(order.pay_url.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "380.00" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(order.pay_url.removeprefix("http://testserver"), {"action": "pay"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"http://testserver/applications/{order.application_id}/payment/return/")
    (url, params, answer) = gateway_transport[0]
    assert (url, answer) == ("http://testserver/payments/notify/sandbox/", "success")
    assert params["trade_status"] == "TRADE_SUCCESS"
    assert rsa2_verify(sandbox_app_default().gateway_public_key, canonical(params), params["sign"])
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert SandboxNotification.objects.get().delivered_at is not None


def test_api_pay_then_query_then_statement(client, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
    assert paid.status_code == 200
    assert paid.json()["trade_status"] == "TRADE_SUCCESS"

    query = client.get(f"/sandbox-gateway/api/query/?out_trade_no={order.number}").json()
    assert (query["trade_status"], query["total_amount"]) == ("TRADE_SUCCESS", "380.00")

    statement = client.get(f"/sandbox-gateway/api/statement/?date={timezone.localdate().isoformat()}")
    lines = statement.content.decode().splitlines()
    assert lines[0] == "trade_no,out_trade_no,trade_type,amount,finished_at"
    assert lines[1].startswith(f"{query['trade_no']},{order.number},payment,380.00,")


def test_the_api_refuses_unknown_trades_and_bad_dates(client, order):
    assert client.post("/sandbox-gateway/api/pay/", {"out_trade_no": "nope"}).status_code == 404
    assert client.get("/sandbox-gateway/api/query/?out_trade_no=nope").status_code == 404
    assert client.get("/sandbox-gateway/api/statement/?date=yesterday").status_code == 400


def test_a_trade_past_its_expiry_cannot_be_paid(client, order):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})

    assert response.status_code == 409
    assert SandboxTrade.objects.get(out_trade_no=order.number).status == "TRADE_CLOSED"


def test_an_unanswered_notification_is_resent_on_the_schedule_until_success(client, order, monkeypatch):
    answers = ["failure"] * 5 + ["success"]
    sent_at = []

    def post_form(url, params):
        sent_at.append(timezone.now())
        return answers[len(sent_at) - 1]

    monkeypatch.setattr("payments.sandbox.services._post_form", post_form)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
        sandbox_deliver_due.delay()
        for _minute in range(24 * 60):
            clock.shift(datetime.timedelta(minutes=1))
            sandbox_deliver_due.delay()

    offsets = [sent - start for sent in sent_at]
    assert offsets == [sum(SCHEDULE[: n + 1], datetime.timedelta(0)) for n in range(6)]
    notification = SandboxNotification.objects.get()
    assert (notification.attempts, notification.next_attempt_at, notification.last_response) == (6, None, "success")


def test_a_notification_never_answered_is_given_up_after_eight_deliveries(client, order, monkeypatch):
    sent = []
    monkeypatch.setattr("payments.sandbox.services._post_form", lambda url, params: sent.append(url) or "failure")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
        for _hour in range(30):
            sandbox_deliver_due.delay()
            clock.shift(datetime.timedelta(hours=1))
        sandbox_deliver_due.delay()

    assert len(sent) == 8
    assert SandboxNotification.objects.get().next_attempt_at is None


def test_the_gateway_is_off_when_disabled(client, order, settings):
    settings.PAYMENTS_SANDBOX_ENABLED = False
    assert client.get(order.pay_url.removeprefix("http://testserver")).status_code == 404
    assert client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number}).status_code == 404
    assert client.get("/sandbox-gateway/api/statement/?date=2026-01-01").status_code == 404


def test_the_sandbox_is_off_in_production_unless_enabled():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.PAYMENTS_SANDBOX_ENABLED)"
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "PII_ENCRYPTION_KEYS": "Q2hhbmdlLW1lLXRvLWEtcmVhbC1mZXJuZXQta2V5LTE=",
        "PII_HASH_KEY": "another-key",
        "DJANGO_SETTINGS_MODULE": "wecan.settings",
        "PATH": "/usr/bin:/bin",
    }
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    assert subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout.strip() == "False"
    enabled = {**env, "PAYMENTS_SANDBOX_ENABLED": "true"}
    assert subprocess.run(run, env=enabled, capture_output=True, text=True, check=True).stdout.strip() == "True"
