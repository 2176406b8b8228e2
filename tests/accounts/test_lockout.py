"""The login lockout cannot be turned against an account's owner: failures lock the account only for
the address they came from, attempts while locked do not extend the lock, and behind the proxies
that NUM_PROXIES names the address is the client's own. On the page, a few failures bring the captcha."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories.accounts import CANDIDATE_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ID_NUMBER = "11010519491231002X"  # the candidate fixture's
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


def get_token(api_client, login, password=CANDIDATE_PASSWORD, **extra):
    return api_client.post(TOKEN_URL, {"login": login, "password": password}, format="json", **extra)


def lock_from(api_client, address, login="zhang_san"):
    for _ in range(5):
        get_token(api_client, login, "wrong2026pass", REMOTE_ADDR=address)


def test_failures_from_one_address_lock_the_account_there_even_for_the_right_password(api_client, candidate):
    lock_from(api_client, ATTACKER, login=ID_NUMBER)

    response = get_token(api_client, "zhang_san", REMOTE_ADDR=ATTACKER)

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_the_owner_from_another_address_still_gets_in(api_client, client, candidate):
    lock_from(api_client, ATTACKER, login=ID_NUMBER)

    by_api = get_token(api_client, ID_NUMBER, REMOTE_ADDR=OWNER)
    by_page = client.post(
        reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD}, REMOTE_ADDR=OWNER
    )

    assert by_api.status_code == 200
    assert by_page.status_code == 302


def test_the_owners_success_elsewhere_does_not_lift_the_attackers_lock(api_client, candidate):
    lock_from(api_client, ATTACKER)
    assert get_token(api_client, "zhang_san", REMOTE_ADDR=OWNER).status_code == 200

    assert get_token(api_client, "zhang_san", REMOTE_ADDR=ATTACKER).status_code == 429


def test_attempts_while_locked_do_not_extend_the_lock(api_client, candidate):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        lock_from(api_client, ATTACKER)
        # The attacker keeps trying through the cool-off, a wrong and a right password each minute.
        for _ in range(14):
            traveller.shift(datetime.timedelta(minutes=1))
            assert get_token(api_client, "zhang_san", "wrong2026pass", REMOTE_ADDR=ATTACKER).status_code == 429
            assert get_token(api_client, "zhang_san", REMOTE_ADDR=ATTACKER).status_code == 429

        traveller.shift(datetime.timedelta(minutes=1, seconds=1))

        assert get_token(api_client, "zhang_san", REMOTE_ADDR=ATTACKER).status_code == 200


def test_behind_the_proxies_the_client_address_comes_from_x_forwarded_for(api_client, candidate, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "192.0.2.1"
    for _ in range(5):
        get_token(api_client, "zhang_san", "wrong2026pass", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)

    # The same proxy, another client: not locked. A forged first entry does not help the attacker.
    owner = get_token(api_client, "zhang_san", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)
    attacker = get_token(api_client, "zhang_san", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{OWNER}, {ATTACKER}")

    assert owner.status_code == 200
    assert attacker.status_code == 429


def test_without_proxies_x_forwarded_for_is_ignored(api_client, candidate):
    for _ in range(5):
        get_token(api_client, "zhang_san", "wrong2026pass", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=OWNER)

    forged = get_token(api_client, "zhang_san", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert forged.status_code == 429


# The login page asks for the captcha after a few failures from the address.


def login_page(client, address, **data):
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def test_the_login_page_asks_for_the_captcha_after_three_failures_from_the_address(client, candidate):
    """Before that, no captcha; the third failure brings it, for every account tried from there."""
    for _ in range(2):
        response = login_page(client, ATTACKER, username="zhang_san", password="wrong2026pass")
        assert 'name="captcha_1"' not in response.text
    third = login_page(client, ATTACKER, username="zhang_san", password="wrong2026pass")

    assert 'name="captcha_1"' in third.text
    assert "换一张" in third.text
    assert 'name="captcha_1"' in client.get(reverse("login"), REMOTE_ADDR=ATTACKER).text
    assert 'name="captcha_1"' not in client.get(reverse("login"), REMOTE_ADDR=OWNER).text


def test_without_the_captcha_no_password_is_checked(client, candidate):
    for _ in range(3):
        login_page(client, ATTACKER, username="zhang_san", password="wrong2026pass")

    response = login_page(
        client, ATTACKER, username="zhang_san", password=CANDIDATE_PASSWORD, captcha_0="x", captcha_1="nope"
    )

    assert response.status_code == 200
    assert "验证码" in response.context["form"].errors["captcha"][0]
    assert "_auth_user_id" not in client.session


def test_with_the_captcha_solved_the_owner_signs_in(client, candidate, captcha_test_mode):
    for _ in range(3):
        login_page(client, ATTACKER, username="zhang_san", password="wrong2026pass")

    response = login_page(
        client, ATTACKER, username="zhang_san", password=CANDIDATE_PASSWORD, captcha_0="x", captcha_1="PASSED"
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == candidate.pk
