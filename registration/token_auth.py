"""API tokens: knox's hashed, expiring tokens, checked in one query a request."""

from __future__ import annotations

import binascii
from collections.abc import Callable
from hmac import compare_digest
from typing import Any
from weakref import WeakKeyDictionary

import knox.auth
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from registration.models import User

_TOKEN_FIELDS = AuthToken._meta.concrete_fields
_ACCOUNT_FIELDS = User._meta.concrete_fields


def _select_list(alias: str, fields: tuple[models.Field, ...]) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in fields)


# Every request's one query: a fixed statement, which the ORM would build again each time (its join
# of the token and the account took more than half a millisecond to build, about a quarter of a GET).
_TOKENS_BY_KEY = (
    f"SELECT {_select_list('t', _TOKEN_FIELDS)}, {_select_list('a', _ACCOUNT_FIELDS)}"  # noqa: S608 - the models' own names
    f' FROM "{AuthToken._meta.db_table}" t JOIN "{User._meta.db_table}" a'
    f' ON a."{User._meta.pk.column}" = t."{AuthToken._meta.get_field("user").column}"'
    f' WHERE t."{AuthToken._meta.get_field("token_key").column}" = %s'
)


class ApiTokenAuthentication(knox.auth.TokenAuthentication):
    """Knox's check, on one fixed statement. Knox also reads every other token of the account on each
    request to delete the expired ones; here a request checks only its own token's expiry, and expired
    tokens are deleted when the account is next issued one (``user_token_issue``)."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        try:
            key = token.decode()
        except UnicodeDecodeError as error:  # a header in Latin-1 that is not UTF-8: no key of ours
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        now = timezone.now()
        for auth_token in _tokens_by_key(key[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if auth_token.expiry is not None and auth_token.expiry < now:
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(_("Invalid token."))


def _tokens_by_key(token_key: str) -> list[AuthToken]:
    """The tokens whose key starts so, each with its account, as the ORM would load them."""
    alias = router.db_for_read(AuthToken)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_TOKENS_BY_KEY, [token_key])
        rows = cursor.fetchall()
    converters = _column_converters(connection)
    tokens = []
    for row in rows:
        values = list(row)
        for index, column, column_converters in converters:
            for converter in column_converters:
                values[index] = converter(values[index], column, connection)
        auth_token = AuthToken.from_db(alias, _TOKEN_NAMES, values[: len(_TOKEN_NAMES)])
        auth_token.user = User.from_db(alias, _ACCOUNT_NAMES, values[len(_TOKEN_NAMES) :])
        tokens.append(auth_token)
    return tokens


_TOKEN_NAMES = [field.attname for field in _TOKEN_FIELDS]
_ACCOUNT_NAMES = [field.attname for field in _ACCOUNT_FIELDS]
Converters = list[tuple[int, Col, list[Callable[..., Any]]]]
# Per connection (each thread has its own): the statement's columns that the ORM would convert after
# reading (SQLite's dates arrive as text, for one), with their converters. None on PostgreSQL today.
_converters_of: WeakKeyDictionary[BaseDatabaseWrapper, Converters] = WeakKeyDictionary()


def _column_converters(connection: BaseDatabaseWrapper) -> Converters:
    if connection not in _converters_of:
        columns = [field.get_col(field.model._meta.db_table) for field in (*_TOKEN_FIELDS, *_ACCOUNT_FIELDS)]
        _converters_of[connection] = [
            (index, column, found)
            for index, column in enumerate(columns)
            if (found := [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)])
        ]
    return _converters_of[connection]


class ApiTokenScheme(KnoxTokenScheme):
    """The schema's word for these tokens: knox's ``Authorization: Token <key>``."""

    target_class = "registration.token_auth.ApiTokenAuthentication"
