"""API tokens: knox's hashed, expiring tokens, checked in one query a request."""

from __future__ import annotations

import binascii
from hmac import compare_digest

import knox.auth
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from registration.models import User
from wecan.joined_rows import JoinedRows

# The tokens whose key is the first characters of the one presented, each with its account. The ORM
# built this join again on every request: more than half a millisecond, about a quarter of a GET.
_tokens_by_key = JoinedRows(AuthToken, ("user",), key="token_key")
# Knox's words, which DRF's catalogue translates.
_INVALID_TOKEN = _("Invalid token.")


class ApiTokenAuthentication(knox.auth.TokenAuthentication):
    """Knox's check, on a statement built once. Knox also reads every other token of the account on
    each request to delete the expired ones; here a request checks only its own token's expiry, and
    expired tokens are deleted when the account is next issued one (``user_token_issue``)."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        try:
            key = token.decode()
        except UnicodeDecodeError as error:  # a header in Latin-1 that is not UTF-8: no key of ours
            raise exceptions.AuthenticationFailed(_INVALID_TOKEN) from error
        now = timezone.now()
        found = _tokens_by_key(key[: CONSTANTS.TOKEN_KEY_LENGTH], using=router.db_for_read(AuthToken))
        for auth_token in found:
            if auth_token.expiry is not None and auth_token.expiry < now:
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(_INVALID_TOKEN) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(_INVALID_TOKEN)


class ApiTokenScheme(KnoxTokenScheme):
    """The schema's word for these tokens: knox's ``Authorization: Token <key>``."""

    target_class = "registration.token_auth.ApiTokenAuthentication"
