"""Background jobs of the payments app: they take ids, are safe to run twice, retry what is transient."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from payments.errors import GatewayRefused, GatewayUnavailable
from payments.providers import enabled_providers
from payments.selectors import (
    orders_pending_to_query,
    refunds_stale,
    statements_stalled,
    unpaid_past_deadline_id_chunks,
)
from payments.services.deadlines import applications_abandon_unpaid
from payments.services.orders import order_close_at_gateway
from payments.services.orders import order_sync as order_sync_service
from payments.services.reconciliation import statement_fetch as statement_fetch_service
from payments.services.reconciliation import statement_import as statement_import_service
from payments.services.refunds import payment_refund
from payments.services.refunds import refund_settle as refund_settle_service
from wecan.errors import InvalidState

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError, GatewayUnavailable), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def order_sync(order_id: int) -> None:
    """Asks the gateway about one pending order: credits it if paid, expires it once past its time."""
    order_sync_service(order_id=order_id)


@shared_task(
    autoretry_for=(OperationalError, GatewayUnavailable), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def order_close(order_id: int) -> None:
    """Closes at its gateway an order expired here (superseded by a paid one), so it cannot be paid."""
    order_close_at_gateway(order_id=order_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def payment_refund_uncreditable(payment_id: int, reason: str) -> None:
    """Returns a payment that came too late to be credited. Its refund is recorded before the gateway is
    asked: a gateway that does not answer leaves it to the refund sweep, a refusal to finance (the
    discrepancy stays open); a payment already refunded, or being refunded, is left as it is."""
    try:
        payment_refund(payment_id=payment_id, actor=None, note=reason)
    except (InvalidState, GatewayUnavailable, GatewayRefused) as error:
        logger.warning("payment %s not refunded automatically: %s", payment_id, error)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def orders_sync_pending() -> int:
    """Beat: every order pending longer than PAYMENTS_QUERY_AFTER_MINUTES gets a query of its own."""
    older_than = timezone.now() - datetime.timedelta(minutes=settings.PAYMENTS_QUERY_AFTER_MINUTES)
    order_ids = orders_pending_to_query(older_than=older_than)
    for order_id in order_ids:
        order_sync.delay(order_id)
    return len(order_ids)


@shared_task(
    autoretry_for=(OperationalError, GatewayUnavailable), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def refund_settle(refund_id: int) -> None:
    """Asks the gateway whether a refund left waiting for its answer was made, and records it."""
    refund_settle_service(refund_id=refund_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def refunds_settle_stale() -> int:
    """Beat: every refund still waiting for the gateway's answer after PAYMENTS_REFUND_SETTLE_AFTER_MINUTES
    (its worker or request died between the call and the record) gets a settling task of its own."""
    refund_ids = refunds_stale()
    for refund_id in refund_ids:
        refund_settle.delay(refund_id)
    return len(refund_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def statement_import(statement_id: int) -> None:
    statement_import_service(statement_id=statement_id)


@shared_task(
    autoretry_for=(OperationalError, GatewayUnavailable, GatewayRefused),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=8,
)
def statement_fetch(provider_name: str, day: str) -> int:
    """Fetches one provider's statement of ``day`` (ISO date) and imports it; retried while the gateway
    cannot answer (a bill is published some hours after its day ends)."""
    return len(statement_fetch_service(provider_name=provider_name, day=datetime.date.fromisoformat(day)))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def statements_fetch_daily() -> int:
    """Beat, each morning: yesterday's statement from every enabled provider, imported like an upload."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    names = enabled_providers()
    for name in names:
        statement_fetch.delay(name, day.isoformat())
    return len(names)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def statements_resume() -> int:
    """Beat: an import cut short (worker killed, task lost) is queued again within minutes, not after the
    broker's visibility timeout; the import claims it only if no live worker is at it."""
    statement_ids = statements_stalled()
    for statement_id in statement_ids:
        statement_import.delay(statement_id)
    return len(statement_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def abandon_unpaid(application_ids: list[int]) -> int:
    """Abandons those of the given applications still unpaid, with no order pending, after the window,
    in one set; returns how many moved."""
    return len(applications_abandon_unpaid(application_ids=application_ids, now=timezone.now()))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def sweep_unpaid() -> int:
    """Beat: queues the abandonment of every application left unpaid after the payment window, one task
    per chunk of ids. An application with an order still pending waits for the order's query."""
    chunks = 0
    for ids in unpaid_past_deadline_id_chunks(now=timezone.now()):
        transaction.on_commit(partial(abandon_unpaid.delay, ids))
        chunks += 1
    return chunks
