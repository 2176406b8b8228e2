"""Background jobs of the registration app: they take ids (or nothing) and are safe to run twice."""

from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import OperationalError


# A database that is briefly away (restart, failover) is retried with growing pauses, not lost.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def clear_expired_sessions() -> None:
    """Delete every session past its expiry date; sessions still valid are left alone."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
