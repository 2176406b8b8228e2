"""Refunds by finance, through the order's provider."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import Discrepancy, DiscrepancyStatus, Order, OrderEvent, OrderStatus, Payment, PaymentDisposition
from payments.providers import get_provider
from registration.models import User
from registration.models.application import Application, ApplicationStatus
from registration.services.applications import transition
from registration.workflow import Action
from wecan.errors import InvalidInput, InvalidState


def order_refund(*, order_id: int, actor: User, reason: str) -> Order:
    """退费: refunds a paid order in full at its gateway, then moves the application to ``refunded``.

    The caller may rely on: ``InvalidState`` and nothing done unless the order is paid and the
    application ``paid``; the gateway refund is requested once per order (a retry after a failure
    refunds nothing twice); ``GatewayUnavailable``/``GatewayRefused`` leave everything as it was.
    """
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("请填写退费原因。")]})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        payment = Payment.objects.filter(order=order, disposition=PaymentDisposition.CREDITED).first()
        application_status = Application.objects.values_list("status", flat=True).get(pk=order.application_id)
        if order.status != OrderStatus.PAID or payment is None or application_status != ApplicationStatus.PAID:
            raise InvalidState(_("只有已缴费的订单可以退费。"))
        get_provider(order.provider).refund(
            out_trade_no=order.number, amount=payment.amount, out_request_no=f"{order.number}R", reason=reason
        )
        now = timezone.now()
        payment.refunded_at = now
        payment.save(update_fields=["refunded_at"])
        order.status = OrderStatus.REFUNDED
        order.refunded_at = now
        order.save(update_fields=["status", "refunded_at"])
        OrderEvent.objects.create(order=order, actor=actor, action="refunded", note=reason)
        transition(application_id=order.application_id, action=Action.REFUND, actor=actor, reason=reason)
    return order


def payment_refund(*, payment_id: int, actor: User, note: str) -> Payment:
    """Returns a payment that was kept for refund (a duplicate, or one that could not be credited),
    and resolves its open discrepancies with ``note``. The credited payment of an order is refunded
    with ``order_refund`` instead; a payment already refunded is refused."""
    if not note.strip():
        raise InvalidInput(fields={"note": [_("请填写处理说明。")]})
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("order").get(pk=payment_id)
        if payment.disposition == PaymentDisposition.CREDITED:
            raise InvalidState(_("已入账的支付请通过订单退费。"))
        if payment.refunded_at is not None:
            raise InvalidState(_("该笔支付已退款。"))
        get_provider(payment.provider).refund(
            out_trade_no=payment.order.number,
            amount=payment.amount,
            out_request_no=f"{payment.trade_no}R",
            reason=note,
        )
        now = timezone.now()
        payment.refunded_at = now
        payment.save(update_fields=["refunded_at"])
        Discrepancy.objects.filter(gateway_trade_no=payment.trade_no, status=DiscrepancyStatus.OPEN).update(
            status=DiscrepancyStatus.RESOLVED,
            note=_("已退款：%(note)s") % {"note": note},
            resolved_by=actor,
            resolved_at=now,
        )
        OrderEvent.objects.create(
            order=payment.order, actor=actor, action="payment_refunded", note=f"{payment.trade_no}: {note}"
        )
    return payment
