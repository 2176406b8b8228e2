"""Rate limits of the public endpoints that hash a password or create something: registration,
sign-in (page and API token), password reset, identity appeals.

Each endpoint is limited twice: per client address (sized for a hospital whose staff all come from
one address) and per account (whatever spelling names it), with rates from the environment
(``ABUSE_THROTTLE_RATES``); sign-ins also by their failures per address. The same throttle classes
serve DRF views (``throttle_classes``, checked before the handler runs) and pages (``throttle_page``,
checked before the view runs), so a refused request never reaches a password hasher. Refusals are 429
with ``Retry-After``.

Once a limit per address refuses, ``AbuseGateMiddleware`` refuses that address's next POSTs to the
same views near the top of the middleware until the wait is over, from the process's memory of the
refusal (or one cache read): a flood from one address then costs the workers little more than reading
it, and cannot starve everyone else.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import BaseCache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from registration.auth import lockout_username
from registration.pii import typed_id_number_digest
from wecan.errors import error_body

logger = logging.getLogger(__name__)

AnyRequest = HttpRequest | Request
# Longer than any login, e-mail or ID number the forms accept.
_LONGEST_FIELD = 254


def client_address(request: AnyRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind the ``NUM_PROXIES`` proxies the entry of
    ``X-Forwarded-For`` that the nearest of them added. Throttles and the lockout both count it."""
    return BaseThrottle().get_ident(request) or ""  # type: ignore[arg-type]  # it reads only META and headers


def _posted(request: AnyRequest, name: str) -> str:
    """A field of the body as typed, or "" for one no form accepts (the throttles run before any
    validation, so what they look up must be text a database takes)."""
    data = request.data if isinstance(request, Request) else request.POST
    value = data.get(name) if hasattr(data, "get") else None
    if not isinstance(value, str) or "\x00" in value or len(value) > _LONGEST_FIELD:
        return ""
    return value


def throttled_message(wait: float) -> str:
    minutes = max(1, -(-int(wait) // 60))
    return _("请求过于频繁，请%(minutes)d分钟后再试。") % {"minutes": minutes}


def _digest(identity: str) -> str:
    # Hashed: an identity may be an ID number, and cache keys show up in monitoring.
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _refusing_key(scope: str, address: str) -> str:
    return f"abuse-refusing:{scope}:{_digest(address)}"


class AbuseThrottle(SimpleRateThrottle):
    """One limit: ``scope`` names its rate in ``ABUSE_THROTTLE_RATES``; ``identity`` what it counts."""

    scope = ""
    # The identity is the client address alone: a refusal is remembered for AbuseGateMiddleware.
    counts_addresses = True

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]
        return caches[settings.ABUSE_THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        return settings.ABUSE_THROTTLE_RATES[self.scope]

    def identity(self, request: AnyRequest) -> str:
        return client_address(request)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        # allow_request has just worked the identity out.
        if not self.key_identity:
            return None
        return f"abuse-throttle:{self.scope}:{_digest(self.key_identity)}"

    def throttle_failure(self) -> bool:
        if self.counts_addresses:
            wait = self.wait() or 1
            key = _refusing_key(self.scope, self.key_identity)
            # Logged when the address is shut, not for each request refused while it is.
            if self.cache.add(key, time.time() + wait, math.ceil(wait)):
                logger.warning("Limit %s shuts an address for %d s", self.scope, math.ceil(wait))
            else:
                self.cache.set(key, time.time() + wait, math.ceil(wait))
        return super().throttle_failure()

    def allow_request(self, request: Any, view: Any) -> bool:
        # Once a request: get_cache_key reads it, and throttle_failure, which DRF calls without the request.
        self.key_identity = self.identity(request)
        return super().allow_request(request, view)


class RegisterByAddress(AbuseThrottle):
    scope = "register_address"


class RegisterByAccount(AbuseThrottle):
    """Counts registrations of one ID number, however it is spelt."""

    scope = "register_account"
    counts_addresses = False

    def identity(self, request: AnyRequest) -> str:
        id_number = _posted(request, "id_number")
        return typed_id_number_digest(id_number) if id_number.strip() else ""


class LoginByAddress(AbuseThrottle):
    scope = "login_address"


class LoginFailuresByAddress(AbuseThrottle):
    """Counts the failed sign-ins from one address (a wrong password, an unknown or a locked-out
    account), not its attempts: a few dozen failures a minute from one address is a client guessing,
    and each before the lockout cost a password check. Checked, as a view's limit, it records nothing;
    ``user_login_failed`` records each failure (``failure_recorded``), and the failure that
    reaches the rate shuts the address at once, through ``AbuseGateMiddleware``."""

    scope = "login_failures_address"
    recording = False

    def throttle_success(self) -> bool:
        return super().throttle_success() if self.recording else True

    @classmethod
    def failure_recorded(cls, request: AnyRequest) -> None:
        """Counts one failed sign-in; the one that reaches the rate shuts the address."""
        throttle = cls()
        throttle.recording = True
        limit = throttle.num_requests  # type: ignore[attr-defined]  # set from the rate; DRF's stubs omit it
        if throttle.allow_request(request, None) and len(getattr(throttle, "history", ())) >= limit:
            throttle.throttle_failure()


@receiver(user_login_failed)
def _login_failure_recorded(*, request: AnyRequest | None = None, **kwargs: Any) -> None:
    if request is not None:
        LoginFailuresByAddress.failure_recorded(request)


class LoginByAccount(AbuseThrottle):
    """Counts sign-ins to one account, by username and ID number alike (the API's ``login``, the
    page's ``username``), under the name the lockout counts it."""

    scope = "login_account"
    counts_addresses = False

    def identity(self, request: AnyRequest) -> str:
        login = _posted(request, "login") or _posted(request, "username")
        return lockout_username(request, {"username": login}) if login.strip() else ""


# Every way in by password (the token API, the login page, the back office's login) is limited alike.
SIGN_IN_LIMITS: tuple[type[AbuseThrottle], ...] = (LoginByAddress, LoginFailuresByAddress, LoginByAccount)


class PasswordResetByAddress(AbuseThrottle):
    scope = "password_reset_address"


class PasswordResetByAccount(AbuseThrottle):
    scope = "password_reset_account"
    counts_addresses = False

    def identity(self, request: AnyRequest) -> str:
        return _posted(request, "email").strip().lower()


class CaptchaByAddress(AbuseThrottle):
    scope = "captcha_address"


class AppealByAddress(AbuseThrottle):
    scope = "appeal_address"


class ThrottledApiMixin(APIView):
    """Answers a refusal with the API's error body, in words, and ``Retry-After``."""

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        error = exceptions.Throttled(detail=throttled_message(wait or 0))
        # Set after the message, which DRF would otherwise finish with an English sentence.
        error.wait = math.ceil(wait) if wait is not None else None  # type: ignore[attr-defined]
        raise error


def throttle_page(
    *throttle_classes: type[AbuseThrottle],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Refuses a page's POST with 429 and ``Retry-After`` when any of the limits is reached, before
    the view (and so any password hashing) runs."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                waits = []
                for throttle_class in throttle_classes:
                    throttle = throttle_class()
                    if not throttle.allow_request(request, None):  # no DRF view here
                        waits.append(throttle.wait() or 0)
                if waits:
                    return _page_refusal(request, max(waits))
            return view(request, *args, **kwargs)

        wrapped.abuse_throttles = throttle_classes  # type: ignore[attr-defined]  # read by AbuseGateMiddleware
        return wrapped

    return decorator


def _page_refusal(request: HttpRequest, wait: float) -> HttpResponse:
    response = render(request, "registration/throttled.html", {"message": throttled_message(wait)}, status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


def _api_refusal(wait: float) -> HttpResponse:
    # The body and header ThrottledApiMixin's refusal has.
    body = error_body(exceptions.Throttled.default_code, throttled_message(wait))
    response = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(math.ceil(wait))
    return response


@functools.lru_cache(maxsize=512)
def _address_scopes(path: str) -> tuple[str, ...]:
    """The scopes of the limits per address of the view at ``path`` (DRF's ``throttle_classes``, or a
    page's ``throttle_page``)."""
    try:
        view = resolve(path).func
    except Resolver404:
        return ()
    view_class = getattr(view, "view_class", None)
    throttles: Sequence[type] = getattr(view_class, "throttle_classes", None) or getattr(view, "abuse_throttles", [])
    return tuple(
        throttle.scope for throttle in throttles if issubclass(throttle, AbuseThrottle) and throttle.counts_addresses
    )


# Refusals this process has read, key → end: a refusal's end never moves, so a flood from one
# address is answered from memory, without a round trip to the shared cache each time.
_refusals_seen: dict[str, float] = {}
_REFUSALS_REMEMBERED = 10_000


@receiver(setting_changed)
def _forget_refusals(*, setting: str, **kwargs: Any) -> None:
    if setting in {"CACHES", "ABUSE_THROTTLE_CACHE", "ABUSE_THROTTLE_RATES", "ROOT_URLCONF"}:
        _refusals_seen.clear()
        _address_scopes.cache_clear()


def _refusal_end(keys: list[str]) -> float:
    now = time.time()
    remembered = [end for key in keys if (end := _refusals_seen.get(key, 0)) > now]
    if remembered:
        return max(remembered)
    found = caches[settings.ABUSE_THROTTLE_CACHE].get_many(keys)
    if found:
        if len(_refusals_seen) > _REFUSALS_REMEMBERED:
            _refusals_seen.clear()
        _refusals_seen.update(found)
    return max(found.values(), default=0)


class AbuseGateMiddleware:
    """Refuses a POST from an address that a limit of its view refused a moment ago, while that
    refusal's wait lasts, before sessions, parsing and the other limits run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method == "POST":
            scopes = _address_scopes(request.path_info)
            if scopes:
                address = client_address(request)
                wait = _refusal_end([_refusing_key(scope, address) for scope in scopes]) - time.time()
                if wait > 0:
                    # Ahead of LocaleMiddleware: the language is read here, as it would read it.
                    with translation.override(translation.get_language_from_request(request)):
                        if request.path_info.startswith("/api/"):
                            return _api_refusal(wait)
                        return _page_refusal(request, wait)
        return self.get_response(request)
