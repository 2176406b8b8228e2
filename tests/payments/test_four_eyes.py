"""Four eyes on money: a credit or refund proposed by one finance user is carried out only when a
second finance user of the same district approves (API.md v1.1, resolve/ with action, approve/)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payments.errors import GatewayRefused
from payments.models import Discrepancy, Order, OrderEvent, OrderStatus, Payment
from payments.services.orders import order_expire
from payments_sandbox.models import SandboxTrade
from registration.models.application import Application, ApplicationStatus
from tests.payments.conftest import (
    finance_user,
    new_order,
    post_notification,
    sandbox_statement,
    signed_notification,
    token_client,
)

TODAY = timezone.localtime().replace(microsecond=0).isoformat()


@pytest.fixture
def first(finance):
    return token_client(finance)


@pytest.fixture
def second(district):
    return token_client(finance_user("sh_finance_2", district))


def resolve(client, discrepancy: Discrepancy, **body):
    return client.post(f"/api/v1/finance/discrepancies/{discrepancy.pk}/resolve/", body, format="json")


def approve(client, discrepancy: Discrepancy):
    return client.post(f"/api/v1/finance/discrepancies/{discrepancy.pk}/approve/", {}, format="json")


@pytest.fixture
def paid_after_expiry(district, specialty, subjects, exam, pay_at_sandbox):
    """A payment kept for refund: a second trade for an order already paid (a duplicate), with its
    open discrepancy."""
    order = new_order(district, specialty)
    pay_at_sandbox(order)
    assert post_notification(signed_notification(order, trade_no="T-DUP")) == (200, "success")
    payment = Payment.objects.get(trade_no="T-DUP")
    assert payment.disposition == "duplicate"
    return order, payment, Discrepancy.objects.get(gateway_trade_no="T-DUP")


@pytest.fixture
def late_payment_not_refunded(district, specialty, subjects, exam, pay_at_sandbox, monkeypatch):
    """A payment that came after the order expired and the window closed, whose automatic refund the
    gateway refused: it waits for finance, with its open discrepancy."""
    exam.payment_closes = timezone.now() + datetime.timedelta(minutes=10)
    exam.save()
    order = new_order(district, specialty)
    order_expire(order_id=order.pk)
    SandboxTrade.objects.filter(out_trade_no=order.number).update(time_expire=None)

    def refused(self, **kwargs):
        raise GatewayRefused("退款功能暂停")

    monkeypatch.setattr("payments_sandbox.provider.SandboxProvider.refund", refused)
    with time_machine.travel(order.expires_at + datetime.timedelta(minutes=1), tick=False):
        trade_no = pay_at_sandbox(order)
    monkeypatch.undo()
    payment = Payment.objects.get(trade_no=trade_no)
    assert (payment.disposition, payment.refunded_at) == ("uncreditable", None)
    return order, payment, Discrepancy.objects.get(gateway_trade_no=trade_no)


def test_a_refund_proposed_by_one_is_carried_out_when_another_approves(first, second, finance, paid_after_expiry):
    order, payment, discrepancy = paid_after_expiry
    assert discrepancy.kind == "duplicate"

    proposed = resolve(first, discrepancy, note="逾期支付，原路退回", action="refund")

    assert proposed.status_code == 200, proposed.json()
    assert (proposed.json()["status"], proposed.json()["proposed_by"]) == ("awaiting_approval", "sh_finance")
    assert Payment.objects.get(pk=payment.pk).refunded_at is None

    approved = approve(second, discrepancy)

    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert (body["status"], body["action"], body["proposed_by"], body["approved_by"]) == (
        "resolved",
        "refund",
        "sh_finance",
        "sh_finance_2",
    )
    assert Payment.objects.get(pk=payment.pk).refunded_at is not None
    assert SandboxTrade.objects.get(out_trade_no=order.number).refunded_amount == payment.amount
    assert OrderEvent.objects.filter(order=order, action="refund_proposed", actor=finance).exists()
    # The order's own payment stays credited.
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_the_proposer_cannot_approve_their_own_proposal(first, paid_after_expiry):
    _order, payment, discrepancy = paid_after_expiry
    assert resolve(first, discrepancy, note="退款", action="refund").status_code == 200

    answer = approve(first, discrepancy)

    assert answer.status_code == 403
    assert answer.json()["code"] == "four_eyes_required"
    assert Payment.objects.get(pk=payment.pk).refunded_at is None
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "awaiting_approval"


def test_finance_of_another_district_cannot_approve(first, other_finance, paid_after_expiry):
    _order, payment, discrepancy = paid_after_expiry
    assert resolve(first, discrepancy, note="退款", action="refund").status_code == 200

    assert approve(token_client(other_finance), discrepancy).status_code == 404
    assert Payment.objects.get(pk=payment.pk).refunded_at is None


def test_a_credit_approved_by_a_second_user_pays_the_application(first, second, exam, late_payment_not_refunded):
    order, payment, discrepancy = late_payment_not_refunded
    # The administrator extended the payment window; finance agree to credit the late payment.
    exam.payment_closes = timezone.now() + datetime.timedelta(days=3)
    exam.save()
    assert resolve(first, discrepancy, note="缴费期已延长，按时入账", action="credit").status_code == 200
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED

    answer = approve(second, discrepancy)

    assert answer.status_code == 200, answer.json()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Payment.objects.get(pk=payment.pk).disposition == "credited"
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.PAID
    assert OrderEvent.objects.filter(order=order, action="credited_by_approval").exists()


def test_approving_twice_or_without_a_proposal_is_refused(first, second, paid_after_expiry):
    _order, _payment, discrepancy = paid_after_expiry
    assert approve(second, discrepancy).json()["code"] == "invalid_state"
    assert resolve(first, discrepancy, note="退款", action="refund").status_code == 200
    assert approve(second, discrepancy).status_code == 200
    assert approve(second, discrepancy).json()["code"] == "invalid_state"
    assert resolve(first, discrepancy, note="again").json()["code"] == "invalid_state"


def test_a_note_alone_is_resolved_at_once_by_one_user(first, paid_after_expiry):
    _order, payment, discrepancy = paid_after_expiry

    answer = resolve(first, discrepancy, note="已电话联系考生，待其申请退款")

    assert (answer.json()["status"], answer.json()["action"], answer.json()["resolved_by"]) == (
        "resolved",
        "none",
        "sh_finance",
    )
    assert Payment.objects.get(pk=payment.pk).refunded_at is None


def test_an_unconfirmed_statement_line_can_be_noted_but_not_credited(
    district, specialty, subjects, finance, first, django_capture_on_commit_callbacks
):
    """The fabricated-statement attack: the invented line cannot be turned into a credit either."""
    order = new_order(district, specialty)
    with django_capture_on_commit_callbacks(execute=True):
        first.post(
            "/api/v1/finance/statements/",
            {
                "provider": "sandbox",
                "file": SimpleUploadedFile(
                    "s.csv", sandbox_statement([("FAKE1", order.number, "payment", "380.00", TODAY)])
                ),
            },
            format="multipart",
        )
    discrepancy = Discrepancy.objects.get(gateway_trade_no="FAKE1")

    for action in ("credit", "refund"):
        answer = resolve(first, discrepancy, note="入账", action=action)
        assert (answer.status_code, answer.json()["code"]) == (409, "invalid_state")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_bad_resolve_bodies_are_refused(first, paid_after_expiry):
    _order, _payment, discrepancy = paid_after_expiry
    assert resolve(first, discrepancy, note="x", action="pay").status_code == 400
    assert resolve(first, discrepancy, note=" ", action="refund").status_code == 400
    assert resolve(first, discrepancy, note="x", action="refund", approver="me").status_code == 400
    assert first.get("/api/v1/finance/discrepancies/?status=bogus").status_code == 400
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "open"


def test_awaiting_approval_is_listed_by_status(first, second, paid_after_expiry):
    _order, _payment, discrepancy = paid_after_expiry
    resolve(first, discrepancy, note="退款", action="refund")

    listed = second.get("/api/v1/finance/discrepancies/?status=awaiting_approval").json()

    assert [item["id"] for item in listed["results"]] == [discrepancy.pk]


def test_a_signed_notification_reusing_another_orders_trade_is_a_discrepancy(district, specialty, subjects):
    """A validly signed notification naming a trade credited to another order is recorded, not dropped."""
    first_order, second_order = new_order(district, specialty), new_order(district, specialty)
    assert post_notification(signed_notification(first_order, trade_no="T1")) == (200, "success")

    answer = post_notification(signed_notification(second_order, trade_no="T1"))

    assert answer == (200, "success")
    assert Order.objects.get(pk=second_order.pk).status == OrderStatus.PENDING
    discrepancy = Discrepancy.objects.get(kind="trade_reused")
    assert (discrepancy.order, discrepancy.gateway_trade_no, discrepancy.status) == (second_order, "T1", "open")
    assert first_order.number in discrepancy.detail
    # The same notification again is the same discrepancy.
    assert post_notification(signed_notification(second_order, trade_no="T1")) == (200, "success")
    assert Discrepancy.objects.filter(kind="trade_reused").count() == 1


def test_a_duplicate_cannot_be_proposed_for_credit(first, paid_after_expiry):
    _order, _payment, discrepancy = paid_after_expiry

    answer = resolve(first, discrepancy, note="入账", action="credit")

    assert (answer.status_code, answer.json()["code"]) == (409, "invalid_state")
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "open"


def test_the_admin_proposes_and_another_user_approves(client, finance, district, paid_after_expiry):
    _order, payment, discrepancy = paid_after_expiry
    client.force_login(finance)
    client.post(
        "/admin/payments/discrepancy/",
        {
            "action": "resolve",
            "_selected_action": [discrepancy.pk],
            "apply": "1",
            "note": "退回",
            "resolution": "refund",
        },
    )
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "awaiting_approval"
    client.post("/admin/payments/discrepancy/", {"action": "approve", "_selected_action": [discrepancy.pk]})
    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "awaiting_approval"

    client.force_login(finance_user("sh_finance_2", district))
    client.post("/admin/payments/discrepancy/", {"action": "approve", "_selected_action": [discrepancy.pk]})

    assert Discrepancy.objects.get(pk=discrepancy.pk).status == "resolved"
    assert Payment.objects.get(pk=payment.pk).refunded_at is not None
