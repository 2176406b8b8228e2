"""Recording what a gateway says was paid: the one path that credits an order, exactly once."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentDisposition,
)
from registration.models import User
from registration.models.application import Application, ApplicationStatus
from registration.services.applications import transition
from registration.windows import Window, is_open
from registration.workflow import Action
from wecan.errors import InvalidState, NotFound

logger = logging.getLogger(__name__)

# Where the word that a trade was paid came from: the gateway's notification, its answer to our
# query, a statement fetched from it, or two finance users agreeing on a payment the gateway confirmed.
SOURCES = ("notification", "query", "statement", "approval")


def _why_not_creditable(order: Order, application: Application, amount: Decimal, paid_at: datetime.datetime) -> str:
    """Empty when the payment may credit the order; otherwise the reason, in words for finance.

    A payment begun in time is honoured: an order made inside the payment window and paid within its
    life credits the application whenever the gateway's word arrives, after the window too (the
    unpaid sweep abandons no application with an order still pending). A payment the gateway took
    after the order had expired credits it while the window is still open, so that it blocks
    nobody; after the window it is returned.
    """
    if amount != order.amount:
        return _("支付金额 %(paid)s 元与订单金额 %(due)s 元不符") % {"paid": amount, "due": order.amount}
    if application.status != ApplicationStatus.APPROVED:
        return _("报名状态为“%(status)s”，不能缴费") % {"status": application.get_status_display()}
    begun_in_time = is_open(application.exam, Window.PAYMENT, order.created_at)
    if begun_in_time and paid_at <= order.expires_at:
        return ""
    if is_open(application.exam, Window.PAYMENT):
        return ""
    return _("订单过期后才支付，网上缴费已截止")


def payment_record(
    *,
    provider: str,
    out_trade_no: str,
    trade_no: str,
    amount: Decimal,
    paid_at: datetime.datetime | None,
    source: str,
    actor: User | None = None,
) -> Payment:
    """Records gateway trade ``trade_no`` as paying order ``out_trade_no``; returns its payment.

    The caller may rely on: the order row is locked throughout; a trade already recorded is returned
    unchanged (a repeat changes nothing); the first trade for an open order of the right amount, paid
    inside the order's life and the payment window while the application is approved, credits the
    order and moves the application to ``paid`` (audited); any other trade is kept for refund
    (``duplicate`` when the order was already paid, otherwise ``uncreditable``) with an open
    discrepancy for finance. A trade already recorded for another order leaves a ``trade_reused``
    discrepancy and credits nothing. Nothing a gateway reports is lost. ``NotFound`` for an unknown
    order.
    """
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("district")
            .filter(provider=provider, number=out_trade_no)
            .first()
        )
        if order is None:
            raise NotFound(_("订单不存在。"))
        existing = Payment.objects.filter(provider=provider, trade_no=trade_no).select_related("order").first()
        if existing is not None:
            if existing.order_id != order.pk:
                _record_reused_trade(order, existing, amount=amount, source=source)
            return existing
        paid_at = paid_at or timezone.now()
        application = (
            Application.objects.select_for_update(of=("self",)).select_related("exam").get(pk=order.application_id)
        )
        if order.status in {OrderStatus.PAID, OrderStatus.REFUNDED}:
            disposition, reason = PaymentDisposition.DUPLICATE, _("订单已由其他交易支付")
        else:
            reason = _why_not_creditable(order, application, amount, paid_at)
            disposition = PaymentDisposition.UNCREDITABLE if reason else PaymentDisposition.CREDITED
        payment = Payment(
            order=order,
            provider=provider,
            trade_no=trade_no,
            amount=amount,
            paid_at=paid_at,
            source=source,
            disposition=disposition,
        )
        payment.full_clean(validate_constraints=False)
        try:
            # The unique trade number is the last guard should two recorders ever pass the lock.
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            return Payment.objects.get(provider=provider, trade_no=trade_no)

        if disposition == PaymentDisposition.CREDITED:
            _credit(order, payment, source=source, actor=actor)
        else:
            _keep_for_refund(order, payment, disposition=disposition, reason=reason)
    return payment


_CREDIT_EVENTS = {"statement": "recovered", "approval": "credited_by_approval"}


def _credit(order: Order, payment: Payment, *, source: str, actor: User | None) -> None:
    order.status = OrderStatus.PAID
    order.paid_at = payment.paid_at
    order.save(update_fields=["status", "paid_at"])
    _supersede_open_orders(order)
    note = _("支付平台交易号 %(trade_no)s，%(amount)s 元") % {"trade_no": payment.trade_no, "amount": payment.amount}
    OrderEvent.objects.create(order=order, actor=actor, action=_CREDIT_EVENTS.get(source, "credited"), note=note)
    transition(
        application_id=order.application_id,
        action=Action.PAY,
        actor=actor,
        reason=_("订单 %(number)s 缴费成功（%(note)s）") % {"number": order.number, "note": note},
    )
    # A statement may have found the trade before the notification or the query credited it: the
    # discrepancy it opened is settled now, and says so where finance looks.
    Discrepancy.objects.filter(
        district_id=order.district_id,
        kind=DiscrepancyKind.MISSING_HERE,
        gateway_trade_no=payment.trade_no,
        status=DiscrepancyStatus.OPEN,
    ).update(
        status=DiscrepancyStatus.RESOLVED,
        note=_("支付平台已确认该笔交易，已入账（来源：%(source)s）。") % {"source": source},
        resolved_at=timezone.now(),
    )


def _supersede_open_orders(paid: Order) -> None:
    """A late payment of an expired order credited while the candidate had made a new one: the new
    one is expired here and closed at its gateway after commit, so it cannot be paid a second time."""
    for other in Order.objects.select_for_update().filter(
        application_id=paid.application_id, status=OrderStatus.PENDING
    ):
        other.status = OrderStatus.EXPIRED
        other.save(update_fields=["status"])
        OrderEvent.objects.create(order=other, action="superseded", note=paid.number)
        transaction.on_commit(partial(_close_at_gateway, other.pk))


def _close_at_gateway(order_id: int) -> None:
    from payments.tasks import order_close

    order_close.delay(order_id)


def _record_reused_trade(order: Order, existing: Payment, *, amount: Decimal, source: str) -> None:
    """A gateway trade already recorded for another order named again for ``order``: kept for finance."""
    Discrepancy.objects.get_or_create(
        district_id=order.district_id,
        kind=DiscrepancyKind.TRADE_REUSED,
        gateway_trade_no=existing.trade_no,
        defaults={
            "order": order,
            "order_number": order.number,
            "amount_here": order.amount,
            "amount_gateway": amount,
            "detail": (
                _("该交易号已记为订单 %(other)s 的支付（来源：%(source)s）")
                % {"other": existing.order.number, "source": source}
            )[:200],
        },
    )
    OrderEvent.objects.create(
        order=order,
        action="trade_reused",
        note=f"{existing.trade_no}: {existing.order.number}",
    )
    logger.warning(
        "trade %s reported for order %s is recorded for order %s already",
        existing.trade_no,
        order.number,
        existing.order.number,
    )


def payment_credit_approved(*, payment_id: int, proposer: User, approver: User) -> Payment:
    """Credits a payment that was kept for refund, on the word of two finance users (four eyes).

    The caller may rely on: ``InvalidState`` and nothing changed unless the payment is neither
    credited nor refunded, its amount is the order's, the order has no other credited payment and
    the application is ``approved``; the order and the application move to paid as any credit
    does, audited with both names.
    """
    with transaction.atomic():
        # The order first, then its payment: the order crediting does.
        order = Order.objects.select_for_update().get(payments__pk=payment_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.disposition == PaymentDisposition.CREDITED or payment.refunded_at is not None:
            raise InvalidState(_("该笔支付已入账或已退款。"))
        if order.status in {OrderStatus.PAID, OrderStatus.REFUNDED}:
            raise InvalidState(_("订单已由其他交易支付，只能退款。"))
        if payment.amount != order.amount:
            raise InvalidState(_("支付金额与订单金额不符，只能退款。"))
        application_status = Application.objects.values_list("status", flat=True).get(pk=order.application_id)
        if application_status != ApplicationStatus.APPROVED:
            raise InvalidState(_("报名状态已不能缴费，只能退款。"))
        payment.disposition = PaymentDisposition.CREDITED
        payment.save(update_fields=["disposition"])
        OrderEvent.objects.create(
            order=order,
            actor=proposer,
            action="credit_proposed",
            note=f"{payment.trade_no}",
        )
        _credit(order, payment, source="approval", actor=approver)
    return payment


def _keep_for_refund(order: Order, payment: Payment, *, disposition: str, reason: str) -> None:
    """Opens the discrepancy finance sees. A payment of the right amount that came too late (or for
    an application no longer payable) is also returned at once, after commit: it is reported, and
    the refund settles the discrepancy; a duplicate or a wrong amount waits for finance."""
    kind = DiscrepancyKind.DUPLICATE if disposition == PaymentDisposition.DUPLICATE else DiscrepancyKind.MISSING_HERE
    if payment.amount != order.amount and disposition != PaymentDisposition.DUPLICATE:
        kind = DiscrepancyKind.AMOUNT_MISMATCH
    Discrepancy.objects.get_or_create(
        district_id=order.district_id,
        kind=kind,
        gateway_trade_no=payment.trade_no,
        defaults={
            "order": order,
            "order_number": order.number,
            "amount_here": order.amount,
            "amount_gateway": payment.amount,
            "detail": (reason + _("，需退款"))[:200],
        },
    )
    OrderEvent.objects.create(order=order, action=f"payment_{disposition}", note=f"{payment.trade_no}: {reason}")
    logger.warning(
        "payment %s for order %s kept for refund (%s): %s", payment.trade_no, order.number, disposition, reason
    )
    if disposition == PaymentDisposition.UNCREDITABLE and payment.amount == order.amount:
        transaction.on_commit(partial(_refund_at_gateway, payment.pk, reason))


def _refund_at_gateway(payment_id: int, reason: str) -> None:
    from payments.tasks import payment_refund_uncreditable

    payment_refund_uncreditable.delay(payment_id, reason)
