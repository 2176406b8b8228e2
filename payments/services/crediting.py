"""Recording what a gateway says was paid: the one path that credits an order, exactly once."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

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
from wecan.errors import NotFound

logger = logging.getLogger(__name__)

SOURCES = ("notification", "query", "statement")


def _why_not_creditable(order: Order, application: Application, amount: Decimal, paid_at: datetime.datetime) -> str:
    """Empty when the payment may credit the order; otherwise the reason, in words for finance."""
    if amount != order.amount:
        return _("支付金额 %(paid)s 元与订单金额 %(due)s 元不符") % {"paid": amount, "due": order.amount}
    if order.status != OrderStatus.PENDING or paid_at > order.expires_at:
        return _("订单已过期")
    if not is_open(application.exam, Window.PAYMENT, paid_at):
        return _("支付时间不在网上缴费时间内")
    if application.status != ApplicationStatus.APPROVED:
        return _("报名状态为“%(status)s”，不能缴费") % {"status": application.get_status_display()}
    return ""


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
    discrepancy for finance. Nothing a gateway reports is lost. ``NotFound`` for an unknown order.
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
        existing = Payment.objects.filter(provider=provider, trade_no=trade_no).first()
        if existing is not None:
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


def _credit(order: Order, payment: Payment, *, source: str, actor: User | None) -> None:
    order.status = OrderStatus.PAID
    order.paid_at = payment.paid_at
    order.save(update_fields=["status", "paid_at"])
    recovered = source == "statement"
    note = _("支付平台交易号 %(trade_no)s，%(amount)s 元") % {"trade_no": payment.trade_no, "amount": payment.amount}
    OrderEvent.objects.create(order=order, actor=actor, action="recovered" if recovered else "credited", note=note)
    transition(
        application_id=order.application_id,
        action=Action.PAY,
        actor=actor,
        reason=_("订单 %(number)s 缴费成功（%(note)s）") % {"number": order.number, "note": note},
    )
    if recovered:
        # The statement found it before any notification or query did: say so where finance looks.
        Discrepancy.objects.filter(
            district_id=order.district_id,
            kind=DiscrepancyKind.MISSING_HERE,
            gateway_trade_no=payment.trade_no,
            status=DiscrepancyStatus.OPEN,
        ).update(
            status=DiscrepancyStatus.RESOLVED,
            note=_("对账补记入账：订单仍有效，已按对账单入账。"),
            resolved_at=timezone.now(),
        )


def _keep_for_refund(order: Order, payment: Payment, *, disposition: str, reason: str) -> None:
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
