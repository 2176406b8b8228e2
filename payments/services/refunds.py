"""Refunds through the order's provider, recorded before and after the gateway call.

Each refund is a ``Refund`` row written (and committed) before the gateway is asked, outside any
row lock; its answer is recorded in a transaction of its own. A crash in between leaves the row
``requested``, and ``refunds_settle_stale`` settles it by asking the gateway whether it refunded.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import GatewayRefused, GatewayUnavailable
from payments.models import (
    Discrepancy,
    DiscrepancyStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentDisposition,
    Refund,
    RefundStatus,
)
from payments.providers import get_provider
from registration.models import User
from registration.models.application import Application, ApplicationStatus
from registration.services.applications import transition
from registration.workflow import Action
from wecan.errors import InvalidInput, InvalidState

logger = logging.getLogger(__name__)


def order_refund(*, order_id: int, actor: User, reason: str) -> Order:
    """退费: refunds a paid order in full at its gateway, then moves the application to ``refunded``.

    The caller may rely on: ``InvalidState`` and nothing done unless the order is paid and the
    application ``paid``; the request is recorded before the gateway is called; ``GatewayRefused``
    records the refusal and changes nothing else; ``GatewayUnavailable`` leaves the request to be
    settled by the sweep (never refunded twice: a second request waits for the first's answer).
    """
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("请填写退费原因。")]})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        payment = Payment.objects.filter(order=order, disposition=PaymentDisposition.CREDITED).first()
        application_status = Application.objects.values_list("status", flat=True).get(pk=order.application_id)
        if order.status != OrderStatus.PAID or payment is None or application_status != ApplicationStatus.PAID:
            raise InvalidState(_("只有已缴费的订单可以退费。"))
        refund = _record_request(order, payment, actor=actor, reason=reason, closes_order=True)
    _send(refund.pk)
    order.refresh_from_db()
    return order


def payment_refund(*, payment_id: int, actor: User | None, note: str) -> Payment:
    """Returns a payment that was kept for refund (a duplicate, or one that could not be credited),
    and resolves its open discrepancies with ``note`` once the gateway has refunded. The credited
    payment of an order is refunded with ``order_refund`` instead; a payment already refunded, or
    with a refund in progress, is refused. Gateway errors as for ``order_refund``."""
    if not note.strip():
        raise InvalidInput(fields={"note": [_("请填写处理说明。")]})
    with transaction.atomic():
        order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.disposition == PaymentDisposition.CREDITED:
            raise InvalidState(_("已入账的支付请通过订单退费。"))
        if payment.refunded_at is not None:
            raise InvalidState(_("该笔支付已退款。"))
        refund = _record_request(order, payment, actor=actor, reason=note, closes_order=False)
    _send(refund.pk)
    payment.refresh_from_db()
    return payment


def _record_request(order: Order, payment: Payment, *, actor: User | None, reason: str, closes_order: bool) -> Refund:
    """The refund request, written under the order's lock before anything is sent."""
    attempt = Refund.objects.filter(payment__order=order).count() + 1
    refund = Refund(
        payment=payment,
        out_request_no=f"{order.number}R{attempt:02d}",
        amount=payment.amount,
        reason=reason,
        closes_order=closes_order,
        requested_by=actor,
    )
    refund.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            refund.save()
    except IntegrityError:
        raise InvalidState(_("该笔支付已有退款正在处理，请稍后查看结果。")) from None
    OrderEvent.objects.create(
        order=order, actor=actor, action="refund_requested", note=f"{refund.out_request_no}: {reason}"
    )
    return refund


def _send(refund_id: int) -> None:
    """Asks the gateway to make the recorded refund, outside any lock, and records its answer."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    order = refund.payment.order
    try:
        get_provider(order.provider).refund(
            out_trade_no=order.number, amount=refund.amount, out_request_no=refund.out_request_no, reason=refund.reason
        )
    except GatewayRefused as refused:
        refund_failed(refund_id=refund.pk, message=str(refused.message))
        raise
    except GatewayUnavailable:
        logger.warning("refund %s: the gateway did not answer; the sweep will ask again", refund.out_request_no)
        raise
    refund_succeeded(refund_id=refund.pk)


def refund_succeeded(*, refund_id: int) -> Refund:
    """Records that the gateway made the refund: the payment is refunded, and for an order's refund
    the order and the application too; discrepancies of the trade are resolved. Idempotent."""
    with transaction.atomic():
        order_id = Refund.objects.values_list("payment__order_id", flat=True).get(pk=refund_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        now = timezone.now()
        refund.status = RefundStatus.SUCCEEDED
        refund.finished_at = now
        refund.save(update_fields=["status", "finished_at"])
        payment = refund.payment
        payment.refunded_at = now
        payment.save(update_fields=["refunded_at"])
        actor = refund.requested_by
        if refund.closes_order:
            order.status = OrderStatus.REFUNDED
            order.refunded_at = now
            order.save(update_fields=["status", "refunded_at"])
            OrderEvent.objects.create(order=order, actor=actor, action="refunded", note=refund.reason)
            transition(application_id=order.application_id, action=Action.REFUND, actor=actor, reason=refund.reason)
        else:
            OrderEvent.objects.create(
                order=order, actor=actor, action="payment_refunded", note=f"{payment.trade_no}: {refund.reason}"
            )
        _resolve_discrepancies(payment, refund, now)
    return refund


def _resolve_discrepancies(payment: Payment, refund: Refund, now: datetime.datetime) -> None:
    note = _("已退款：%(note)s") % {"note": refund.reason}
    discrepancies = Discrepancy.objects.filter(gateway_trade_no=payment.trade_no)
    discrepancies.filter(status=DiscrepancyStatus.OPEN).update(
        status=DiscrepancyStatus.RESOLVED, note=note, resolved_by=refund.requested_by, resolved_at=now
    )
    # A refund two finance users agreed on: the approver is the one who sent it.
    discrepancies.filter(status=DiscrepancyStatus.AWAITING_APPROVAL).update(
        status=DiscrepancyStatus.RESOLVED,
        approved_by=refund.requested_by,
        approved_at=now,
        resolved_by=refund.requested_by,
        resolved_at=now,
    )


def refund_failed(*, refund_id: int, message: str) -> Refund:
    """Records that the gateway refused (or never received) the refund; a new request may follow."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment__order").get(pk=refund_id)
        if refund.status != RefundStatus.REQUESTED:
            return refund
        refund.status = RefundStatus.FAILED
        refund.finished_at = timezone.now()
        refund.gateway_message = message[:200]
        refund.save(update_fields=["status", "finished_at", "gateway_message"])
        OrderEvent.objects.create(
            order=refund.payment.order, action="refund_failed", note=f"{refund.out_request_no}: {message}"
        )
    return refund


def refund_settle(*, refund_id: int) -> Refund:
    """Settles a refund left ``requested`` (its worker or request died after recording it): the
    gateway is asked whether it made it. ``GatewayUnavailable`` leaves it for the next sweep."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != RefundStatus.REQUESTED:
        return refund
    order = refund.payment.order
    if get_provider(order.provider).refund_done(out_trade_no=order.number, out_request_no=refund.out_request_no):
        return refund_succeeded(refund_id=refund.pk)
    return refund_failed(refund_id=refund.pk, message=_("支付平台无此退款请求，未退款。"))
