"""The beat task that asks the gateway about pending orders: a lost notification leaves nobody unpaid."""

import datetime

import time_machine
from django.utils import timezone

from payments.models import OrderEvent, OrderStatus, Payment
from payments.tasks import orders_sync_pending
from payments_sandbox.models import SandboxTrade
from registration.models.application import Application, ApplicationStatus


def lose_notifications(monkeypatch):
    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: "error: timed out")


def test_a_payment_whose_notification_was_lost_is_credited_by_the_query(client, order, monkeypatch):
    lose_notifications(monkeypatch)
    client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
        assert orders_sync_pending.delay().get() == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get().source == "query"
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.PAID


def test_a_young_pending_order_is_not_asked_about_yet(client, order):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert orders_sync_pending.delay().get() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_an_unpaid_order_past_its_expiry_is_closed_at_the_gateway_and_expired(order):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        orders_sync_pending.delay()

    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert SandboxTrade.objects.get(out_trade_no=order.number).status == "TRADE_CLOSED"
    assert OrderEvent.objects.filter(order=order, action="expired").exists()


def test_an_unpaid_order_inside_its_life_stays_open(order):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)):
        orders_sync_pending.delay()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_the_query_runs_every_minute_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-query-pending-orders"]
    assert entry["task"] == "payments.tasks.orders_sync_pending"
    assert entry["schedule"] == datetime.timedelta(minutes=1)


def test_the_return_from_the_checkout_asks_the_gateway_at_once(client, order, candidate, monkeypatch):
    lose_notifications(monkeypatch)
    client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
    client.force_login(candidate)

    response = client.get(f"/applications/{order.application_id}/payment/return/")

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
