"""POST /payments/notify/<provider>/: verified, credited exactly once, nothing changed for what cannot be trusted."""

import datetime
import logging
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from payments.models import Discrepancy, Order, OrderStatus, Payment
from payments.providers.signing import generate_key_pair, sign_params
from registration.models import ApplicationEvent
from registration.models.application import ApplicationStatus
from tests.payments.conftest import post_notification, signed_notification


def assert_nothing_changed(order):
    order.refresh_from_db()
    order.application.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert order.application.status == ApplicationStatus.APPROVED
    assert not Payment.objects.exists()
    assert not Discrepancy.objects.exists()


def test_a_verified_payment_credits_the_order_and_the_application(order):
    assert post_notification(signed_notification(order)) == (200, "success")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    payment = Payment.objects.get()
    assert (payment.order, payment.disposition, payment.source) == (order, "credited", "notification")
    assert order.application.__class__.objects.get(pk=order.application_id).status == ApplicationStatus.PAID
    event = ApplicationEvent.objects.filter(application_id=order.application_id).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("pay", "approved", "paid")


def test_trade_finished_credits_too(order):
    assert post_notification(signed_notification(order, trade_status="TRADE_FINISHED")) == (200, "success")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_repeat_is_answered_success_and_credits_nothing_more(order):
    form = signed_notification(order)
    assert post_notification(form) == (200, "success")
    assert post_notification(form) == (200, "success")
    assert post_notification(signed_notification(order, notify_id="again")) == (200, "success")

    assert Payment.objects.count() == 1
    assert ApplicationEvent.objects.filter(application_id=order.application_id, action="pay").count() == 1


@pytest.mark.parametrize("state", ["WAIT_BUYER_PAY", "TRADE_CLOSED"])
def test_other_trade_states_are_acknowledged_without_credit(order, state):
    assert post_notification(signed_notification(order, trade_status=state)) == (200, "success")
    assert_nothing_changed(order)


def test_a_forged_signature_is_refused_and_logged(order, caplog):
    forger_key, _public = generate_key_pair()
    form = sign_params(forger_key, {key: value for key, value in signed_notification(order).items() if key != "sign"})

    with caplog.at_level(logging.WARNING, logger="payments"):
        assert post_notification(form) == (400, "failure")

    assert_nothing_changed(order)
    assert "bad signature" in caplog.text


def test_a_field_changed_after_signing_is_refused(order):
    form = signed_notification(order)
    form["trade_no"] = "2026000122001999999999999999"
    assert post_notification(form) == (400, "failure")
    assert_nothing_changed(order)


def test_a_signed_wrong_amount_is_refused(order, caplog):
    with caplog.at_level(logging.WARNING, logger="payments"):
        assert post_notification(signed_notification(order, total_amount="0.01")) == (400, "failure")
    assert_nothing_changed(order)
    assert "total_amount" in caplog.text


def test_a_signed_notification_for_another_app_is_refused(order):
    assert post_notification(signed_notification(order, app_id="2021999999999999")) == (400, "failure")
    assert_nothing_changed(order)


def test_an_unknown_order_is_refused(order, caplog):
    with caplog.at_level(logging.WARNING, logger="payments"):
        assert post_notification(signed_notification(order, out_trade_no="20260101000000999999")) == (400, "failure")
    assert_nothing_changed(order)
    assert "unknown order" in caplog.text


@pytest.mark.parametrize(
    "mangle",
    [
        lambda form: {},
        lambda form: {key: value for key, value in form.items() if key != "sign"},
        lambda form: {**form, "sign": "not base64 at all!"},
        lambda form: {**form, "sign_type": "RSA"},
    ],
    ids=["empty", "unsigned", "garbage-signature", "rsa1"],
)
def test_a_malformed_body_is_refused(order, mangle):
    assert post_notification(mangle(signed_notification(order))) == (400, "failure")
    assert_nothing_changed(order)


@pytest.mark.parametrize("overrides", [{"total_amount": "abc"}, {"total_amount": ""}, {"gmt_payment": "yesterday"}])
def test_signed_but_unreadable_fields_are_refused(order, overrides):
    assert post_notification(signed_notification(order, **overrides)) == (400, "failure")
    assert_nothing_changed(order)


def test_a_json_body_is_refused(order, client):
    response = client.post("/payments/notify/sandbox/", signed_notification(order), content_type="application/json")
    assert (response.status_code, response.content) == (400, b"failure")
    assert_nothing_changed(order)


def test_an_unknown_or_disabled_provider_is_refused(order, settings):
    assert post_notification(signed_notification(order), provider="wechat") == (400, "failure")
    assert post_notification(signed_notification(order), provider="alipay") == (400, "failure")
    settings.PAYMENTS_SANDBOX_ENABLED = False
    assert post_notification(signed_notification(order)) == (400, "failure")
    assert_nothing_changed(order)


def test_a_payment_after_the_order_expired_is_credited_while_the_window_is_open(order):
    """Issue 12: a payment the gateway accepted after our order expired does not block the candidate."""
    paid_at = timezone.now() + datetime.timedelta(minutes=40)
    with time_machine.travel(paid_at):
        assert post_notification(signed_notification(order)) == (200, "success")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.application.__class__.objects.get(pk=order.application_id).status == ApplicationStatus.PAID
    assert Payment.objects.get().disposition == "credited"
    assert not Discrepancy.objects.exists()


def test_a_payment_begun_in_time_is_credited_after_the_window_closed(order):
    """Issue 12: an order made before the payment deadline and paid within its life credits the
    application, though the notification arrives after the deadline."""
    exam = order.application.exam
    exam.payment_closes = timezone.now() + datetime.timedelta(minutes=5)
    exam.save()
    later = timezone.now() + datetime.timedelta(minutes=10)
    with time_machine.travel(later):
        order.expires_at = later + datetime.timedelta(minutes=10)
        order.save()
        assert post_notification(signed_notification(order)) == (200, "success")

    assert Payment.objects.get().disposition == "credited"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_second_trade_for_a_paid_order_is_a_duplicate_needing_refund(order):
    post_notification(signed_notification(order))
    assert post_notification(signed_notification(order, trade_no="2026000122001000000000000002")) == (200, "success")

    assert list(Payment.objects.order_by("id").values_list("disposition", flat=True)) == ["credited", "duplicate"]
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.kind, discrepancy.gateway_trade_no) == ("duplicate", "2026000122001000000000000002")
    assert ApplicationEvent.objects.filter(application_id=order.application_id, action="pay").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_concurrent_notifications_credit_once(order):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every writer")
    form = signed_notification(order)
    start = threading.Barrier(20)
    answers: list[tuple[int, str]] = []

    def notify():
        try:
            start.wait()
            answers.append(post_notification(form))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=notify) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [(200, "success")] * 20
    assert Payment.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert ApplicationEvent.objects.filter(application_id=order.application_id, action="pay").count() == 1
