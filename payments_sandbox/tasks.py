"""The sandbox's notifications, sent and re-sent on Alipay's schedule by the workers."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from payments_sandbox.services import sandbox_notification_deliver, sandbox_notifications_due


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def sandbox_deliver_notification(notification_id: int) -> bool:
    """One delivery of a sandbox notification, if it is due (its schedule lives on the row)."""
    return sandbox_notification_deliver(notification_id=notification_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def sandbox_deliver_due() -> int:
    """Beat: sends every sandbox notification whose next attempt has come (Alipay's retry schedule)."""
    notification_ids = sandbox_notifications_due()
    for notification_id in notification_ids:
        sandbox_deliver_notification.delay(notification_id)
    return len(notification_ids)
