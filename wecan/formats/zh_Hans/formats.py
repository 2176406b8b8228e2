"""Chinese formats: Django's, except that a date is typed and offered as 2026-11-29 (Django's first
input format is 2026/11/29), so forms agree with the dates shown as 2026年11月29日 or 2026-11-29."""

from django.conf.locale.zh_Hans.formats import (  # noqa: F401  (Django's formats, kept as they are)
    DATE_FORMAT,
    DATETIME_FORMAT,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    TIME_INPUT_FORMATS,
    YEAR_MONTH_FORMAT,
)
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DJANGO_DATE_INPUT_FORMATS
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DJANGO_DATETIME_INPUT_FORMATS

DATE_INPUT_FORMATS = ["%Y-%m-%d", *(entry for entry in _DJANGO_DATE_INPUT_FORMATS if entry != "%Y-%m-%d")]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    *(entry for entry in _DJANGO_DATETIME_INPUT_FORMATS if entry != "%Y-%m-%d %H:%M"),
]
