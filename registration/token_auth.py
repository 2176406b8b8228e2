"""API tokens: knox's hashed, expiring tokens, checked in one query a request."""

from __future__ import annotations

from typing import Any

import knox.auth
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class ApiTokenAuthentication(knox.auth.TokenAuthentication):
    """Knox reads every other token of the account on each request to delete the expired ones; here a
    request checks only its own token's expiry, and expired tokens are deleted when the account is
    next issued one (``user_token_issue``)."""

    def _cleanup_token(self, auth_token: Any) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class ApiTokenScheme(KnoxTokenScheme):
    """The schema's word for these tokens: knox's ``Authorization: Token <key>``."""

    target_class = "registration.token_auth.ApiTokenAuthentication"
