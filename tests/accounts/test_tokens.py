"""API tokens (API.md, additions of v1.1): stored only as digests, expiring, revoked at logout and by
a password change or reset."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken

from registration.models import User
from registration.token_auth import ApiTokenAuthentication
from tests.factories.accounts import CANDIDATE_PASSWORD
from tests.orm_rows import assert_loaded_as_the_orm_loads

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
ME_URL = "/api/v1/me/"


def sign_in(api_client, login="zhang_san", password=CANDIDATE_PASSWORD):
    response = api_client.post(TOKEN_URL, {"login": login, "password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def me_status(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    status = api_client.get(ME_URL).status_code
    api_client.credentials()
    return status


def test_the_token_answer_says_when_it_expires(api_client, candidate, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(hours=24)
    with time_machine.travel(timezone.now(), tick=False):
        body = sign_in(api_client)
        expires_at = parse_datetime(body["expires_at"])

        assert expires_at == timezone.now() + datetime.timedelta(hours=24)


def test_a_token_stops_working_when_it_expires(api_client, candidate, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(hours=24)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = sign_in(api_client)["token"]
        traveller.shift(datetime.timedelta(hours=23, minutes=59))
        assert me_status(api_client, token) == 200

        traveller.shift(datetime.timedelta(minutes=2))

        assert me_status(api_client, token) == 401


def test_logout_revokes_the_calling_token_and_no_other(api_client, candidate):
    phone, tablet = sign_in(api_client)["token"], sign_in(api_client)["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")

    response = api_client.post(LOGOUT_URL)

    assert response.status_code == 204
    assert me_status(api_client, phone) == 401
    assert me_status(api_client, tablet) == 200


def test_logout_needs_credentials(api_client):
    response = api_client.post(LOGOUT_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_logout_with_a_revoked_token_is_a_401(api_client, candidate):
    token = sign_in(api_client)["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    api_client.post(LOGOUT_URL)

    assert api_client.post(LOGOUT_URL).status_code == 401


def test_a_password_change_on_the_page_revokes_every_token(api_client, client, candidate):
    tokens = [sign_in(api_client)["token"] for _ in range(2)]
    client.force_login(candidate)

    response = client.post(
        reverse("password_change"),
        {"old_password": CANDIDATE_PASSWORD, "new_password1": "another2026pass", "new_password2": "another2026pass"},
    )

    assert response.status_code == 302
    assert [me_status(api_client, token) for token in tokens] == [401, 401]
    assert me_status(api_client, sign_in(api_client, password="another2026pass")["token"]) == 200


def test_a_password_reset_revokes_every_token(api_client, client, candidate, mailoutbox):
    token = sign_in(api_client)["token"]
    client.post(reverse("password_reset"), {"email": "zhang_san@example.com"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    form_page = client.get(link.split("testserver", 1)[1], follow=True)

    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "another2026pass", "new_password2": "another2026pass"}
    )

    assert done.status_code == 302
    assert me_status(api_client, token) == 401


def test_a_password_hash_upgrade_at_login_keeps_the_tokens(api_client, client, candidate, settings):
    token = sign_in(api_client)["token"]
    # The stored MD5 hash is upgraded to the new first hasher at this login.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert client.post(reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD}).status_code == 302
    candidate.refresh_from_db()

    assert candidate.password.startswith("pbkdf2_sha256$")
    assert me_status(api_client, token) == 200


def test_an_account_keeps_its_ten_newest_tokens(api_client, candidate):
    tokens = [sign_in(api_client)["token"] for _ in range(11)]

    assert me_status(api_client, tokens[0]) == 401
    assert [me_status(api_client, token) for token in tokens[1:]] == [200] * 10


def test_a_database_reader_finds_no_working_token(api_client, candidate):
    token = sign_in(api_client)["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'authtoken_token'")
        (plain_tables,) = cursor.fetchone()

    stored = [str(value) for row in rows for value in row]
    assert rows and plain_tables == 0
    assert token not in stored
    # Whatever a reader copies out of the table and sends, it does not sign in.
    for value in stored:
        assert me_status(api_client, value) == 401


def test_a_request_loads_its_token_and_account_as_the_orm_does(api_client, candidate):
    """The one fixed statement a request runs gives the same token and account, field by field and
    type by type, as the ORM's query of them (SQLite returns dates and booleans in its own form)."""
    key = sign_in(api_client)["token"]
    candidate.last_login = timezone.now()
    candidate.birth_date = datetime.date(1949, 12, 31)
    candidate.save()

    account, auth_token = ApiTokenAuthentication().authenticate_credentials(key.encode())

    expected = AuthToken.objects.select_related("user").get(digest=auth_token.digest)
    assert_loaded_as_the_orm_loads(auth_token, expected)
    assert_loaded_as_the_orm_loads(account, expected.user)
    assert auth_token.user is account


def test_an_authenticated_request_asks_the_database_once_for_its_token_and_account(
    api_client, candidate, django_assert_num_queries
):
    key = sign_in(api_client)["token"]

    with django_assert_num_queries(1):
        ApiTokenAuthentication().authenticate_credentials(key.encode())


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda key: key[:15] + "0" * (len(key) - 15), id="the right key, the wrong rest"),
        pytest.param(lambda key: key[:15], id="the key alone"),
        pytest.param(lambda key: key + "00", id="the token and more"),
        pytest.param(lambda key: key[:15] + "é" * 10, id="not UTF-8"),
    ],
)
def test_a_token_that_only_starts_like_a_real_one_is_refused(api_client, candidate, forged):
    key = sign_in(api_client)["token"]
    header = f"Token {forged(key)}"

    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_deactivated_account_s_token_is_refused(api_client, candidate):
    token = sign_in(api_client)["token"]
    User.objects.filter(pk=candidate.pk).update(is_active=False)

    assert me_status(api_client, token) == 401
