"""Signing in by username or ID number (用户名或证件号码), and the lockout that counts both spellings as one.

django-axes locks an account after repeated failures. ``lockout_username`` (``AXES_USERNAME_CALLABLE``)
maps whatever was typed to the account's username, so five failures by ID number and by username
lock the same account; ``login_authenticate`` is how the API signs in and learns of a lockout.

A password check costs tens of milliseconds of CPU, so each web process checks at most
``PASSWORD_CHECKS_PER_PROCESS`` at once: a burst of logins (a flood of wrong passwords, or the morning
registration opens) cannot take every thread of every worker, and a login that finds the slots taken
is answered at once with 429 and ``Retry-After: 1`` (``LoginBusy``) instead of waiting in line: a
waiting thread is a thread the other requests cannot have. The hashing itself runs on threads of lower
scheduling priority (``PASSWORD_CHECK_NICENESS``), so that while it lasts the other requests of every
worker still get the processor first.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password, verify_password
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from rest_framework import status
from rest_framework.request import Request

from registration.models import User
from registration.pii import typed_id_number_digest
from registration.selectors.accounts import user_get_by_login
from wecan.errors import InvalidInput, PortalError


class InvalidCredentials(InvalidInput):
    code = "invalid_credentials"
    default_message = gettext_lazy("用户名（或证件号码）或密码不正确。")


class LockedOut(PortalError):
    code = "locked_out"
    status = status.HTTP_429_TOO_MANY_REQUESTS


class LoginBusy(PortalError):
    """Every password-check slot of this process is taken; nothing was checked or counted."""

    code = "busy"
    status = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = gettext_lazy("登录的人较多，请稍后重新登录。")
    retry_after = 1


T = TypeVar("T")

_password_checks = threading.BoundedSemaphore(settings.PASSWORD_CHECKS_PER_PROCESS)


def _lower_priority() -> None:
    # On Linux a thread's niceness is its own; raising it needs no privilege.
    with suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), settings.PASSWORD_CHECK_NICENESS)


# As many threads as slots, so a check holding a slot never waits for a thread.
_hashing = ThreadPoolExecutor(
    max_workers=settings.PASSWORD_CHECKS_PER_PROCESS, thread_name_prefix="password-check", initializer=_lower_priority
)


def _hashed(work: Callable[..., T], *args: Any) -> T:
    """``work`` run on a password-check thread; the caller holds a slot and waits (the GIL is free
    while Argon2 runs)."""
    return _hashing.submit(work, *args).result()


def password_check_free() -> bool:
    """Whether a password-check slot is free now: a hint, checked before a login's other work, so
    that a login which would be refused anyway is refused before it costs anything."""
    if _password_checks.acquire(blocking=False):
        _password_checks.release()
        return True
    return False


@contextmanager
def password_check_slot() -> Iterator[None]:
    """Holds one of the process's password-check slots; raises ``LoginBusy`` when none is free."""
    if not _password_checks.acquire(blocking=False):
        raise LoginBusy()
    try:
        yield
    finally:
        _password_checks.release()


def account_for_login(request: HttpRequest | Request | None, login: str) -> User | None:
    """The account ``login`` names, looked up once per request: the limit per account, django-axes
    (twice) and the backend all ask."""
    found: dict[str, User | None] | None = getattr(request, "_accounts_by_login", None)
    if found is None:
        found = {}
        if request is not None:
            request._accounts_by_login = found  # type: ignore[attr-defined]
    if login not in found:
        found[login] = user_get_by_login(login=login)
    return found[login]


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多，账号已被暂时锁定，请%(minutes)d分钟后再试。") % {"minutes": minutes}


class UsernameOrIdNumberBackend(ModelBackend):
    """Authenticates with a username, or with an ID number of any spelling, and the password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        login = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if login is None or password is None:
            return None
        user = account_for_login(request, login)
        with password_check_slot():
            if user is None:
                # Hash anyway, so an unknown login answers as slowly as a known one.
                _hashed(make_password, password)
                return None
            correct, must_update = _hashed(verify_password, password, user.password)
            if correct and must_update:
                # As Django's check_password does: a hash of older parameters is renewed at sign-in.
                user.password = _hashed(make_password, password)
                user.save(update_fields=["password"])
        if correct and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The name django-axes counts failures under: the account's username when the login finds an
    account (by username or ID number), otherwise a keyed digest of the normalised login: what was
    typed may be someone's ID number, and django-axes keeps this name in its tables."""
    # Django's authenticate() hands over whatever was typed as ``username``.
    login = str((credentials or {}).get("username") or "")
    user = account_for_login(request, login)
    if user is not None:
        return user.get_username()
    return "unknown:" + typed_id_number_digest(login)[:32]


@sensitive_variables("password")
def login_authenticate(*, request: Request, login: str, password: str) -> User:
    """The account for ``login`` and ``password``; raises ``LockedOut`` while django-axes locks the
    account (whatever the password) and ``InvalidCredentials`` for a wrong login or password.

    ``request`` is DRF's request: django-axes marks it ``axes_locked_out``, and its middleware, which
    looks at Django's request underneath, leaves the API's own 429 answer alone.
    """
    user = authenticate(request, username=login, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(lockout_message())
    if not isinstance(user, User):
        raise InvalidCredentials()
    # Token sign-in opens no session; the signal still records the login and clears earlier failures.
    user_logged_in.send(sender=User, request=request, user=user)
    return user
