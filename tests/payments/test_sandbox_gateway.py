"""The sandbox gateway: checkout, its API, statements, and notifications re-sent on Alipay's schedule."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import time_machine
from cryptography.fernet import Fernet
from django.utils import timezone

from payments.models import OrderStatus
from payments.providers.signing import canonical, rsa2_verify
from payments_sandbox.models import SandboxNotification, SandboxTrade
from payments_sandbox.services import RETRY_DELAYS, sandbox_app_default
from payments_sandbox.tasks import sandbox_deliver_due

BASE_DIR = Path(__file__).resolve().parents[2]
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

    monkeypatch.setattr("payments_sandbox.services._post_form", post_form)
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
    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: sent.append(url) or "failure")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
        for _hour in range(30):
            sandbox_deliver_due.delay()
            clock.shift(datetime.timedelta(hours=1))
        sandbox_deliver_due.delay()

    assert len(sent) == 8
    assert SandboxNotification.objects.get().next_attempt_at is None


def _django_process(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a fresh process whose settings are read from ``environment`` only."""
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "wecan.settings",
        **environment,
    }
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    return subprocess.run(run, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False)


PROBE_DISABLED = """
import sys
from django.apps import apps
from django.test import Client
from django.urls import Resolver404, resolve
import wecan.urls, payments.tasks
from payments.providers import enabled_providers, get_provider
from wecan.errors import InvalidInput
try:
    get_provider("sandbox")
    refused = False
except InvalidInput:
    refused = True
try:
    resolve("/sandbox-gateway/api/pay/")
    routed = True
except Resolver404:
    routed = False
client = Client()
print(apps.is_installed("payments_sandbox"), routed, enabled_providers(), refused,
      client.get("/sandbox-gateway/checkout/20261129220010000/").status_code,
      client.post("/sandbox-gateway/api/pay/", {"out_trade_no": "1"}).status_code,
      client.get("/sandbox-gateway/gateway.do").status_code,
      any(name.startswith("payments_sandbox") for name in sys.modules))
"""


def test_with_the_sandbox_disabled_its_app_is_not_installed_and_its_addresses_are_404(tmp_path):
    """Issue 14: the sandbox lives in its own app, installed and routed only where enabled; the provider
    registry then neither offers it nor imports it."""
    result = _django_process(PROBE_DISABLED, PAYMENTS_SANDBOX_ENABLED="false", WECAN_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "[]", "True", "404", "404", "404", "False"]


def test_with_the_sandbox_enabled_the_same_probe_finds_it(tmp_path):
    # Guards the probe above: it tells an installed sandbox from one that is not.
    result = _django_process(
        "from django.apps import apps; from django.urls import resolve; "
        "print(apps.is_installed('payments_sandbox'), resolve('/sandbox-gateway/api/pay/').url_name)",
        PAYMENTS_SANDBOX_ENABLED="true",
        WECAN_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "sandbox-api-pay"]


def test_production_refuses_to_start_with_the_sandbox_enabled_and_leaves_it_out_otherwise():
    """Issue 14: production refuses the sandbox gateway at settings load, as it refuses DEBUG."""
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PII_HASH_KEY": secrets.token_urlsafe(32),
    }
    probe = "from django.apps import apps; print(apps.is_installed('payments_sandbox'))"

    refused = _django_process(probe, **production, PAYMENTS_SANDBOX_ENABLED="true")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: PAYMENTS_SANDBOX_ENABLED must be off in production" in refused.stderr

    started = _django_process(probe, **production)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "False"
