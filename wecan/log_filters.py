"""No log line of the portal carries a full ID number.

ID numbers reach log lines through request lines and referrers (access logs), exception messages
(a database error quoting a value) and anything a library chooses to print. ``MaskIdNumbers`` sits
on every handler (``LOGGING``, Celery's, gunicorn's) and masks what looks like an ID number in the
finished message and its traceback, as the portal masks them on screen (``3101**********1234``).
"""

from __future__ import annotations

import logging
import re

# The unambiguous shapes of the six ID types (registration/identity.py): 18 characters with a
# check character (resident ID, residence permits, the new foreign permanent residence ID), the
# old 15-digit resident ID, HK/Macao permits (H/M + 8 or 10 digits), the old foreign permanent
# residence ID (3 letters + 12 digits), and the 10-digit Taiwan permit. The 8-digit Taiwan permit
# looks like a 网报号 and is left alone.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|[HMhm]\d{10}|[HMhm]\d{8}|[A-Za-z]{3}\d{12}|\d{10})(?![0-9A-Za-z])"
)


def _mask(match: re.Match[str]) -> str:
    number = match.group(0)
    keep = 4 if len(number) >= 12 else 2
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def mask_id_numbers(text: str) -> str:
    return _ID_NUMBER.sub(_mask, text)


class MaskIdNumbers(logging.Filter):
    """Rewrites the record's message (and its traceback) with ID numbers masked; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_id_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_id_numbers(record.stack_info)
        return True


def mask_handlers(logger: logging.Logger) -> None:
    """Puts the filter on every handler of ``logger`` (for loggers that others configure)."""
    for handler in logger.handlers:
        if not any(isinstance(existing, MaskIdNumbers) for existing in handler.filters):
            handler.addFilter(MaskIdNumbers())


class RefusalsUnlogged(logging.Filter):
    """Drops Django's line for each 429: a flood would write one a request, and the abuse limits log
    each address they shut once instead (registration/throttling.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 429
