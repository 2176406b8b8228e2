"""Reminder channels: how a to-do also reaches the candidate outside the portal.

A channel is a class with a ``key`` and ``send(reminder) -> Sent``; the setting ``REMINDER_CHANNELS``
lists the dotted paths of those in use (default: e-mail only), so SMS or WeChat is one class and one
line of settings. ``send`` raises on a transient failure (the worker retries); a reminder it cannot
send at all (no address) comes back as not sent, with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from review.models import Reminder

DEFAULT_CHANNELS = ("review.channels.EmailChannel",)


@dataclass(frozen=True)
class Sent:
    sent: bool
    detail: str = ""


class ReminderChannel(Protocol):
    key: str

    def send(self, reminder: Reminder) -> Sent: ...


class EmailChannel:
    """The reminder as an e-mail to the address the application (else the account) gives."""

    key = "email"

    def send(self, reminder: Reminder) -> Sent:
        application = reminder.application
        address = (application.email if application else "") or reminder.candidate.email
        if not address:
            return Sent(False, _("考生没有填写电子邮箱。"))
        body = "\n\n".join(
            [
                reminder.body,
                _("请登录卫生专业技术资格考试网上报名系统，在“待办事项提醒”中查看。"),
            ]
        )
        send_mail(
            subject=_("【待办事项提醒】%(title)s") % {"title": reminder.title},
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
        return Sent(True, address)


@cache
def _channel_classes(paths: tuple[str, ...]) -> tuple[type[ReminderChannel], ...]:
    return tuple(import_string(path) for path in paths)


def enabled_channels() -> list[ReminderChannel]:
    paths = tuple(getattr(settings, "REMINDER_CHANNELS", DEFAULT_CHANNELS))
    return [channel_class() for channel_class in _channel_classes(paths)]
