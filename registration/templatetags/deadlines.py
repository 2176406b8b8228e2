"""``{{ exam.confirmation_deadline|deadline }}``: a deadline as the last moment that counts."""

from __future__ import annotations

import datetime

from django import template

from registration.windows import deadline_text

register = template.Library()


@register.filter
def deadline(moment: datetime.datetime | None) -> str:
    return deadline_text(moment) if moment else ""
