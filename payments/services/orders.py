"""Orders: made by the candidate inside the payment window, synchronised with the gateway, expired."""

from __future__ import annotations

import datetime
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import GatewayRefused
from payments.models import Order, OrderEvent, OrderStatus
from payments.providers import get_provider
from payments.providers.base import PaymentRequest
from payments.selectors import order_quote
from payments.services.crediting import payment_record
from registration.models import User
from registration.models.application import Application, ApplicationStatus
from registration.windows import Window, require_open
from wecan.errors import Conflict, InvalidState, NotFound

logger = logging.getLogger(__name__)

_NUMBER_ATTEMPTS = 8


def _new_order_number() -> str:
    # Time first so numbers sort by creation, then random digits so they say nothing of volume.
    return f"{timezone.localtime():%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def _absolute(path: str) -> str:
    return f"{settings.PAYMENTS_PUBLIC_URL}{path}"


def _check_payable(application: Application) -> None:
    if not application.district.online_payment:
        raise InvalidState(_("本考区不实行网上缴费，资格审核通过即报名成功，请留意当地缴费通知。"))
    if application.status == ApplicationStatus.PAID:
        raise InvalidState(_("您已缴费，报名成功。"))
    if application.status != ApplicationStatus.APPROVED:
        raise InvalidState(_("资格审核通过后才能缴费。"))
    require_open(application.exam, Window.PAYMENT)


def order_create(*, application_id: int, candidate: User, provider_name: str) -> tuple[Order, bool]:
    """生成订单: an order for the candidate's approved application; (order, created).

    The caller may rely on: ``NotFound`` for an application not the candidate's; ``InvalidState`` in a
    district without online payment or before approval; ``WindowClosed`` outside the payment window;
    at most one open order per application (an open one for the same provider is returned, for
    another provider it is a ``Conflict``); an open order past its expiry is first settled with the
    gateway (credited if it was paid, else expired) so no payment is overtaken by a new order.
    """
    provider = get_provider(provider_name)
    application = (
        Application.objects.select_related("exam", "district").filter(pk=application_id, candidate=candidate).first()
    )
    if application is None:
        raise NotFound()
    _check_payable(application)
    stale = Order.objects.filter(
        application=application, status=OrderStatus.PENDING, expires_at__lte=timezone.now()
    ).first()
    if stale is not None:
        order_sync(order_id=stale.pk)

    for _attempt in range(_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return _create(application_id=application.pk, candidate=candidate, provider_name=provider.name)
        except IntegrityError:
            open_order = Order.objects.filter(application_id=application.pk, status=OrderStatus.PENDING).first()
            if open_order is not None:
                return _reuse(open_order, provider_name)
            # Otherwise the random order number was taken: draw again.
    raise Conflict(_("订单号分配失败，请重试。"))


def _reuse(order: Order, provider_name: str) -> tuple[Order, bool]:
    if order.provider != provider_name:
        raise Conflict(
            _("已有未支付的订单（%(number)s），请完成支付，或于%(time)s订单过期后更换支付方式。")
            % {"number": order.number, "time": timezone.localtime(order.expires_at).strftime("%H:%M")}
        )
    return order, False


def _create(*, application_id: int, candidate: User, provider_name: str) -> tuple[Order, bool]:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("exam", "district", "specialty")
        .get(pk=application_id)
    )
    _check_payable(application)
    open_order = Order.objects.filter(application=application, status=OrderStatus.PENDING).first()
    if open_order is not None:
        if open_order.expires_at <= timezone.now():
            raise Conflict(_("正在向支付平台确认上一笔订单的支付结果，请稍后再试。"))
        return _reuse(open_order, provider_name)
    quote = order_quote(application=application)
    now = timezone.now()
    order = Order(
        application=application,
        district=application.district,
        number=_new_order_number(),
        provider=provider_name,
        amount=quote.amount,
        level=quote.level,
        specialty_code=quote.specialty_code,
        specialty_name=quote.specialty_name,
        subject_codes=quote.subject_codes,
        fee_per_subject=quote.fee_per_subject,
        expires_at=now + datetime.timedelta(minutes=settings.PAYMENTS_ORDER_TTL_MINUTES),
    )
    order.full_clean(validate_unique=False, validate_constraints=False)
    order.save()
    order.pay_url = get_provider(provider_name).create_payment(
        PaymentRequest(
            order_number=order.number,
            amount=order.amount,
            subject=f"{application.exam.name} {quote.specialty_name} 报名费"[:120],
            expires_at=order.expires_at,
            notify_url=_absolute(reverse("payments-notify", kwargs={"provider": provider_name})),
            return_url=_absolute(reverse("payment-return", kwargs={"application_id": application.pk})),
        )
    )
    order.save(update_fields=["pay_url"])
    OrderEvent.objects.create(order=order, actor=candidate, action="created", note=f"{order.amount} 元")
    return order, True


def order_sync(*, order_id: int) -> Order:
    """Asks the gateway about a pending order: credits it if paid; closes and expires it once past
    its expiry and unpaid. Anything else is left for the next try. Safe to run any number of times.

    Raises ``GatewayUnavailable`` when the gateway cannot be asked.
    """
    order = Order.objects.get(pk=order_id)
    if order.status != OrderStatus.PENDING:
        return order
    provider = get_provider(order.provider)
    state = provider.query(out_trade_no=order.number)
    if state.paid and state.total_amount is not None:
        if state.total_amount != order.amount:
            logger.warning(
                "order %s: the gateway reports %s paid, not %s", order.number, state.total_amount, order.amount
            )
            return order
        payment_record(
            provider=order.provider,
            out_trade_no=order.number,
            trade_no=state.trade_no,
            amount=state.total_amount,
            paid_at=state.paid_at,
            source="query",
        )
    elif order.expires_at <= timezone.now():
        try:
            # Closed first, so that the trade cannot be paid after the order is called expired.
            provider.close(out_trade_no=order.number)
        except GatewayRefused:
            logger.info("order %s: the gateway would not close the trade; asking again later", order.number)
            return order
        order_expire(order_id=order.pk)
    order.refresh_from_db()
    return order


def order_close_at_gateway(*, order_id: int) -> None:
    """Closes the gateway trade of an order that is no longer pending here; a paid trade stays open
    (its payment, if it ever arrives, is kept for refund). ``GatewayUnavailable`` to try again."""
    order = Order.objects.get(pk=order_id)
    if order.status == OrderStatus.PENDING:
        return
    try:
        get_provider(order.provider).close(out_trade_no=order.number)
    except GatewayRefused:
        logger.info("order %s: the gateway would not close the trade (paid meanwhile?)", order.number)


def order_expire(*, order_id: int) -> Order:
    """Marks a pending order expired (audited); any other order is returned unchanged."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status == OrderStatus.PENDING:
            order.status = OrderStatus.EXPIRED
            order.save(update_fields=["status"])
            OrderEvent.objects.create(order=order, action="expired")
    return order
