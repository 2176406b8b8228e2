"""Refunds are recorded before the gateway is called and settled with its answer; a crash in between
leaves a row the sweep settles by asking the gateway."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from payments.errors import GatewayUnavailable
from payments.models import Order, OrderEvent, OrderStatus, Payment, Refund
from payments.services.refunds import order_refund
from payments.tasks import refunds_settle_stale
from payments_sandbox.models import SandboxTrade
from registration.models.application import Application, ApplicationStatus
from wecan.errors import InvalidState


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing after it runs, no ``except Exception`` catches it."""


@pytest.fixture
def paid_order(order, pay_at_sandbox):
    pay_at_sandbox(order)
    order.refresh_from_db()
    return order


def application_status(order: Order) -> str:
    return Application.objects.get(pk=order.application_id).status


def after_settle_delay():
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=6))


def test_a_refund_is_recorded_with_the_gateways_answer(paid_order, finance):
    order_refund(order_id=paid_order.pk, actor=finance, reason="考生申请退费")

    refund = Refund.objects.get()
    assert (refund.status, refund.out_request_no, refund.requested_by, refund.amount) == (
        "succeeded",
        f"{paid_order.number}R01",
        finance,
        paid_order.amount,
    )
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.REFUNDED
    assert application_status(paid_order) == ApplicationStatus.REFUNDED
    assert [event.action for event in OrderEvent.objects.filter(order=paid_order)][-2:] == [
        "refund_requested",
        "refunded",
    ]


def test_a_worker_killed_between_the_gateway_call_and_its_record_is_settled_by_the_sweep(
    paid_order, finance, monkeypatch
):
    def killed(**kwargs):
        raise WorkerKilled

    monkeypatch.setattr("payments.services.refunds.refund_succeeded", killed)
    with pytest.raises(WorkerKilled):
        order_refund(order_id=paid_order.pk, actor=finance, reason="考生申请退费")
    monkeypatch.undo()

    # The gateway refunded, the portal has only the request.
    assert SandboxTrade.objects.get(out_trade_no=paid_order.number).refunded_amount == paid_order.amount
    assert Refund.objects.get().status == "requested"
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID
    # Too young to settle: its request may still be waiting for the gateway.
    assert refunds_settle_stale.delay().get() == 0

    with after_settle_delay():
        assert refunds_settle_stale.delay().get() == 1

    assert Refund.objects.get().status == "succeeded"
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.REFUNDED
    assert application_status(paid_order) == ApplicationStatus.REFUNDED
    assert Payment.objects.get().refunded_at is not None


def test_a_request_that_never_reached_the_gateway_is_settled_as_failed_and_may_be_made_again(
    paid_order, finance, monkeypatch
):
    def killed(self, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr("payments_sandbox.provider.SandboxProvider.refund", killed)
    with pytest.raises(WorkerKilled):
        order_refund(order_id=paid_order.pk, actor=finance, reason="考生申请退费")
    monkeypatch.undo()

    with after_settle_delay():
        refunds_settle_stale.delay()

    refund = Refund.objects.get()
    assert refund.status == "failed"
    assert "无此退款" in refund.gateway_message
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID
    assert application_status(paid_order) == ApplicationStatus.PAID

    order_refund(order_id=paid_order.pk, actor=finance, reason="再次申请")

    assert [(r.out_request_no[-3:], r.status) for r in Refund.objects.order_by("pk")] == [
        ("R01", "failed"),
        ("R02", "succeeded"),
    ]
    assert SandboxTrade.objects.get(out_trade_no=paid_order.number).refunded_amount == paid_order.amount


def test_an_unreachable_gateway_leaves_the_request_and_a_second_one_waits(paid_order, finance, monkeypatch):
    def unreachable(self, **kwargs):
        raise GatewayUnavailable

    monkeypatch.setattr("payments_sandbox.provider.SandboxProvider.refund", unreachable)
    with pytest.raises(GatewayUnavailable):
        order_refund(order_id=paid_order.pk, actor=finance, reason="考生申请退费")

    assert Refund.objects.get().status == "requested"
    with pytest.raises(InvalidState):
        order_refund(order_id=paid_order.pk, actor=finance, reason="再点一次")
    assert Refund.objects.count() == 1


def test_a_refused_refund_is_recorded_and_changes_nothing_else(paid_order, finance):
    # The gateway has already refunded the whole trade elsewhere: it refuses a second full refund.
    SandboxTrade.objects.filter(out_trade_no=paid_order.number).update(refunded_amount=paid_order.amount)

    with pytest.raises(Exception, match="退款金额超过可退金额"):
        order_refund(order_id=paid_order.pk, actor=finance, reason="考生申请退费")

    refund = Refund.objects.get()
    assert (refund.status, refund.gateway_message) == ("failed", "退款金额超过可退金额。")
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID
    assert OrderEvent.objects.filter(order=paid_order, action="refund_failed").exists()


def test_an_order_that_is_not_paid_is_not_refunded(order, finance):
    with pytest.raises(InvalidState):
        order_refund(order_id=order.pk, actor=finance, reason="考生申请退费")
    assert not Refund.objects.exists()


def test_stale_refunds_are_settled_every_five_minutes_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["payments-settle-stale-refunds"]
    assert (entry["task"], entry["schedule"]) == ("payments.tasks.refunds_settle_stale", datetime.timedelta(minutes=5))


def test_finance_sees_the_refunds_of_their_district_in_the_admin(client, paid_order, finance, other_finance):
    order_refund(order_id=paid_order.pk, actor=finance, reason="考生申请退费")

    client.force_login(finance)
    assert paid_order.number in client.get("/admin/payments/refund/").content.decode()
    client.force_login(other_finance)
    assert paid_order.number not in client.get("/admin/payments/refund/").content.decode()
