"""Rate limit of the public certificate verification (page and API), per client address, in the cache."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class CertificateVerifyThrottle(SimpleRateThrottle):
    """Scope ``certificate_verify``: the rate comes from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``
    when set there, else ``DEFAULT_RATE``. The page and the API share one budget per address."""

    scope = "certificate_verify"
    DEFAULT_RATE = "30/min"

    def get_rate(self) -> str:
        return str(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.DEFAULT_RATE)

    def get_ident(self, request: Any) -> str:
        # X-Forwarded-For is only believed behind a declared number of proxies: a client could
        # otherwise spoof a new address per request and never be limited.
        if api_settings.NUM_PROXIES is None:
            return str(request.META.get("REMOTE_ADDR", ""))
        return str(super().get_ident(request))

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
