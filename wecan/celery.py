"""The Celery app. Configuration comes from Django settings (``CELERY_*``)."""

import logging
import os

from celery import Celery, signals

from wecan.log_filters import mask_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wecan.settings")

app = Celery("wecan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _mask_id_numbers(logger: logging.Logger, **kwargs: object) -> None:
    # The worker sets up its own handlers: they mask ID numbers as the portal's do.
    mask_handlers(logger)
