"""Background jobs of the registration app: they take ids (or nothing) and are safe to run twice."""

from importlib import import_module

from botocore.exceptions import BotoCoreError
from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from registration.services.files import material_validate, photo_validate, uploads_requeue_stale

# What passes by itself: a database or a storage that is briefly away. Bad images are no error
# here: the checks turn them into a rejection.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, BotoCoreError)


# A database that is briefly away (restart, failover) is retried with growing pauses, not lost.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def clear_expired_sessions() -> None:
    """Delete every session past its expiry date; sessions still valid are left alone."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=120, max_retries=5)
def validate_photo(photo_id: int) -> None:
    """Checks a pending photo and records the verdict; a photo already decided is left as it is."""
    photo_validate(photo_id=photo_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=120, max_retries=5)
def validate_material(file_id: int) -> None:
    """Checks a pending proof material and records the verdict (and its thumbnail) once."""
    material_validate(file_id=file_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def requeue_stale_uploads() -> int:
    """Beat: queues again the uploads whose validation task was lost, so nobody stays pending."""
    return uploads_requeue_stale()
