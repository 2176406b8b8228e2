"""The payment deadline (issue 12): the unpaid sweep, payments begun in time, and payments that come late.

Seed 002 line 45: "开通网上缴费的考区,考生须在资格审核通过后,于规定时间内完成缴费,否则视为主动放弃本次考试。"
DESIGN.md §3: abandoned when the payment window closed in ``approved`` with no order paid in time.
"""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone

from payments.models import Discrepancy, Order, OrderEvent, OrderStatus, Payment, Refund
from payments.providers.base import format_gateway_time
from payments.selectors import unpaid_past_deadline_id_chunks
from payments.services.crediting import payment_record
from payments.services.deadlines import applications_abandon_unpaid
from payments.services.orders import order_create, order_expire
from payments.tasks import orders_sync_pending, sweep_unpaid
from payments_sandbox.models import SandboxTrade
from payments_sandbox.services import sandbox_app_default, sandbox_trade_pay
from registration.models import Application, ApplicationEvent
from registration.models.application import ApplicationStatus
from review.models import Reminder, ReminderKind
from review.tasks import sweep_deadlines
from tests.factories.accounts import CandidateFactory
from tests.payments.conftest import approved_application, new_order, post_notification, signed_notification


def status_of(application_or_order) -> str:
    pk = getattr(application_or_order, "application_id", None) or application_or_order.pk
    return Application.objects.get(pk=pk).status


def after_deadline(exam, minutes: int = 1):
    return time_machine.travel(exam.payment_closes + datetime.timedelta(minutes=minutes), tick=False)


def sweep(capture) -> None:
    with capture(execute=True):
        sweep_unpaid.delay()


def lose_notifications(monkeypatch) -> None:
    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: "error: timed out")


@pytest.fixture
def closing_soon(exam):
    """The payment window closes in ten minutes; orders live thirty."""
    exam.payment_closes = timezone.now() + datetime.timedelta(minutes=10)
    exam.save()
    return exam


def test_an_unpaid_approved_application_is_abandoned_when_the_window_closes(
    application, exam, django_capture_on_commit_callbacks
):
    """Seed 002 line 45: "于规定时间内完成缴费,否则视为主动放弃本次考试"."""
    with after_deadline(exam):
        sweep(django_capture_on_commit_callbacks)

    assert status_of(application) == ApplicationStatus.ABANDONED
    event = ApplicationEvent.objects.get(application=application, action="abandon")
    assert (event.actor, event.from_status) == (None, "approved")
    assert "前未完成缴费，视为放弃" in event.reason
    # The same transition as every sweep's: the candidate's to-do says why.
    reminder = Reminder.objects.get(application=application, kind=ReminderKind.ABANDONED)
    assert "前完成缴费" in reminder.body


def test_nothing_is_abandoned_before_the_window_closes(application, exam, django_capture_on_commit_callbacks):
    with time_machine.travel(exam.payment_closes - datetime.timedelta(minutes=1), tick=False):
        sweep(django_capture_on_commit_callbacks)
    assert status_of(application) == ApplicationStatus.APPROVED


def test_a_district_without_online_payment_is_not_swept(
    application, district, exam, django_capture_on_commit_callbacks
):
    """Seed 002 line 47: "未开通网上缴费的考区,【资格审核】节点变为绿色即表示报名成功。" """
    district.online_payment = False
    district.save()
    with after_deadline(exam, minutes=60):
        sweep(django_capture_on_commit_callbacks)
    assert status_of(application) == ApplicationStatus.APPROVED


def test_the_review_sweep_leaves_the_payment_deadline_to_payments(
    application, exam, django_capture_on_commit_callbacks
):
    with after_deadline(exam), django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines.delay()
    assert status_of(application) == ApplicationStatus.APPROVED


def test_a_notification_arriving_late_credits_a_payment_begun_in_time(
    order, closing_soon, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 12: the sweep never abandons an application with a live order; the notification that
    arrives after the deadline still credits it."""
    lose_notifications(monkeypatch)
    trade = sandbox_trade_pay(app=sandbox_app_default(), out_trade_no=order.number)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING

    with after_deadline(closing_soon, minutes=2):
        sweep(django_capture_on_commit_callbacks)
        assert status_of(order) == ApplicationStatus.APPROVED
        # The gateway's re-sent notification arrives after the deadline.
        form = signed_notification(order, trade_no=trade.trade_no, gmt_payment=format_gateway_time(trade.paid_at))
        assert post_notification(form) == (200, "success")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert status_of(order) == ApplicationStatus.PAID


def test_the_active_query_after_the_deadline_credits_a_payment_begun_in_time(
    order, closing_soon, monkeypatch, django_capture_on_commit_callbacks
):
    lose_notifications(monkeypatch)
    sandbox_trade_pay(app=sandbox_app_default(), out_trade_no=order.number)

    with after_deadline(closing_soon, minutes=5):
        sweep(django_capture_on_commit_callbacks)
        orders_sync_pending.delay()
        sweep(django_capture_on_commit_callbacks)

    assert Payment.objects.get().source == "query"
    assert status_of(order) == ApplicationStatus.PAID


def test_an_unpaid_order_is_settled_first_then_the_application_abandoned(
    order, closing_soon, django_capture_on_commit_callbacks
):
    with time_machine.travel(order.expires_at + datetime.timedelta(minutes=1), tick=False):
        sweep(django_capture_on_commit_callbacks)
        # Still pending here until the gateway is asked: not abandoned yet.
        assert status_of(order) == ApplicationStatus.APPROVED
        orders_sync_pending.delay()
        sweep(django_capture_on_commit_callbacks)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED
    assert status_of(order) == ApplicationStatus.ABANDONED


def test_a_payment_after_the_order_expired_and_the_window_closed_is_refunded_and_reported(
    order, closing_soon, pay_at_sandbox
):
    """Issue 12: refunded and reported; the candidate is not left with money taken for nothing."""
    order_expire(order_id=order.pk)
    # The gateway's own timeout is laxer than ours: it still takes the payment after our order expired.
    SandboxTrade.objects.filter(out_trade_no=order.number).update(time_expire=None)
    with time_machine.travel(order.expires_at + datetime.timedelta(minutes=5), tick=False):
        trade_no = pay_at_sandbox(order)

    payment = Payment.objects.get(trade_no=trade_no)
    assert payment.disposition == "uncreditable"
    assert payment.refunded_at is not None
    assert Refund.objects.get(payment=payment).status == "succeeded"
    assert SandboxTrade.objects.get(out_trade_no=order.number).refunded_amount == order.amount
    discrepancy = Discrepancy.objects.get(gateway_trade_no=trade_no)
    assert (discrepancy.kind, discrepancy.status) == ("missing_here", "resolved")
    assert "已退款" in discrepancy.note
    assert status_of(order) == ApplicationStatus.APPROVED


def test_a_late_payment_of_an_expired_order_supersedes_the_new_one_while_the_window_is_open(
    order, api, application, django_capture_on_commit_callbacks
):
    """The candidate ordered again; the first order's payment then arrives and is credited; the new
    order can no longer be paid."""
    with time_machine.travel(order.expires_at + datetime.timedelta(minutes=1), tick=False):
        orders_sync_pending.delay()
        assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED
        again = api.post(f"/api/v1/applications/{application.pk}/order/", {"provider": "sandbox"}, format="json")
        assert again.status_code == 201, again.json()
        with django_capture_on_commit_callbacks(execute=True):
            assert post_notification(signed_notification(order, trade_no="T-FIRST")) == (200, "success")

    newer = Order.objects.get(number=again.json()["order_number"])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert newer.status == OrderStatus.EXPIRED
    assert OrderEvent.objects.filter(order=newer, action="superseded").exists()
    assert SandboxTrade.objects.get(out_trade_no=newer.number).status == "TRADE_CLOSED"
    assert status_of(order) == ApplicationStatus.PAID


def test_the_sweep_reads_ids_in_chunks_and_skips_those_with_a_pending_order(district, specialty, subjects, exam):
    unpaid = [
        approved_application(candidate=CandidateFactory(), district=district, specialty=specialty) for _ in range(3)
    ]
    with_order = new_order(district, specialty)

    chunks = list(unpaid_past_deadline_id_chunks(now=exam.payment_closes, chunk_size=2))

    assert [len(chunk) for chunk in chunks] == [2, 1]
    assert [pk for chunk in chunks for pk in chunk] == sorted(app.pk for app in unpaid)
    assert with_order.application_id not in {pk for chunk in chunks for pk in chunk}


def test_abandoning_is_refused_once_the_application_moved_on(application, exam):
    Application.objects.filter(pk=application.pk).update(status="paid")
    assert applications_abandon_unpaid(application_ids=[application.pk, 999_999], now=exam.payment_closes) == []
    assert not ApplicationEvent.objects.filter(action="abandon").exists()


def test_the_unpaid_sweep_runs_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-sweep-unpaid"]
    assert (entry["task"], entry["schedule"]) == ("payments.tasks.sweep_unpaid", datetime.timedelta(minutes=10))


def test_a_pending_order_blocks_the_abandonment_until_it_is_settled(order, exam):
    """Seed 002 line 45: "于规定时间内完成缴费,否则视为主动放弃" — a payment begun in time (an order still
    pending) is waited for; once the order expired unpaid, the application is abandoned."""
    assert applications_abandon_unpaid(application_ids=[order.application_id], now=exam.payment_closes) == []
    assert status_of(order) == ApplicationStatus.APPROVED

    order_expire(order_id=order.pk)

    assert applications_abandon_unpaid(application_ids=[order.application_id], now=exam.payment_closes) == [
        order.application_id
    ]
    assert status_of(order) == ApplicationStatus.ABANDONED


def hold_the_application_lock(work, ready: threading.Event, release: threading.Event, errors: list) -> None:
    """In a thread with its own connection: ``work()`` in a transaction that keeps the application's row
    lock it took until ``release`` (or a few seconds, so a sweep that waits for the lock ends too)."""
    try:
        with transaction.atomic():
            work()
            ready.set()
            release.wait(timeout=5)
    except Exception as error:
        errors.append(error)
    finally:
        ready.set()
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_an_order_made_under_the_lock_while_the_sweep_runs_stops_the_abandonment(application, candidate, exam):
    """The order is made (not yet committed) in time while the sweep runs at the window's close: the
    sweep must not decide on a snapshot taken before the order commits. A single UPDATE with NOT EXISTS
    would wait for the row, then abandon on its old snapshot (the row itself was not changed)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every writer")
    ready, release, errors = threading.Event(), threading.Event(), []

    def make_order():
        order_create(application_id=application.pk, candidate=candidate, provider_name="sandbox")

    thread = threading.Thread(target=hold_the_application_lock, args=(make_order, ready, release, errors))
    thread.start()
    assert ready.wait(timeout=60)
    moved = applications_abandon_unpaid(application_ids=[application.pk], now=exam.payment_closes)
    release.set()
    thread.join()

    assert (errors, moved) == ([], [])
    assert status_of(application) == ApplicationStatus.APPROVED
    assert Order.objects.get(application=application).status == OrderStatus.PENDING
    # The next sweep sees the order, and waits for it.
    assert applications_abandon_unpaid(application_ids=[application.pk], now=exam.payment_closes) == []


@pytest.mark.django_db(transaction=True)
def test_a_payment_credited_while_the_sweep_runs_is_not_overwritten(order, exam):
    """The crediting holds the application's lock when the sweep comes: the sweep passes it by, and the
    application stays paid with its one audit event."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every writer")
    ready, release, errors = threading.Event(), threading.Event(), []

    def credit():
        payment_record(
            provider="sandbox",
            out_trade_no=order.number,
            trade_no="2026000122001000000000000009",
            amount=order.amount,
            paid_at=timezone.now(),
            source="notification",
        )

    thread = threading.Thread(target=hold_the_application_lock, args=(credit, ready, release, errors))
    thread.start()
    assert ready.wait(timeout=60)
    moved = applications_abandon_unpaid(application_ids=[order.application_id], now=exam.payment_closes)
    release.set()
    thread.join()

    assert (errors, moved) == ([], [])
    assert status_of(order) == ApplicationStatus.PAID
    assert list(
        ApplicationEvent.objects.filter(application_id=order.application_id, action__in=["pay", "abandon"]).values_list(
            "action", flat=True
        )
    ) == ["pay"]
