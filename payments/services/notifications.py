"""The gateways' asynchronous notifications: verified, then recorded once."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from payments.errors import NotificationRejected
from payments.models import Order
from payments.providers import enabled_providers, get_provider
from payments.providers.base import PAID_STATES
from payments.services.crediting import payment_record

logger = logging.getLogger(__name__)


def notification_handle(*, provider_name: str, form: Mapping[str, str]) -> bool:
    """True when the notification was handled (the gateway is answered ``success``), repeats included.

    False, with nothing changed and the reason logged, for anything that cannot be verified: an
    unknown provider, a bad signature, another app's id, an unknown order, an amount that is not the
    order's, a malformed body. Only ``TRADE_SUCCESS``/``TRADE_FINISHED`` record a payment; other
    verified states are acknowledged.
    """
    if provider_name not in enabled_providers():
        logger.warning("notification refused: provider %r is not enabled", provider_name)
        return False
    provider = get_provider(provider_name)
    reference = form.get("out_trade_no", "")[:64]
    try:
        payment = provider.verify_notification(form)
    except NotificationRejected as rejected:
        logger.warning("notification refused (%s, order %r): %s", provider_name, reference, rejected)
        return False
    if payment.app_id != provider.app_id:
        logger.warning("notification refused (%s, order %r): app_id %r", provider_name, reference, payment.app_id)
        return False
    order = Order.objects.filter(provider=provider_name, number=payment.out_trade_no).first()
    if order is None:
        logger.warning("notification refused (%s): unknown order %r", provider_name, reference)
        return False
    if payment.total_amount != order.amount:
        logger.warning(
            "notification refused (%s, order %s): total_amount %s, order amount %s",
            provider_name,
            order.number,
            payment.total_amount,
            order.amount,
        )
        return False
    if payment.trade_status not in PAID_STATES:
        logger.info(
            "notification (%s, order %s): %s, nothing to credit", provider_name, order.number, payment.trade_status
        )
        return True
    payment_record(
        provider=provider_name,
        out_trade_no=order.number,
        trade_no=payment.trade_no,
        amount=payment.total_amount,
        paid_at=payment.paid_at,
        source="notification",
    )
    return True
