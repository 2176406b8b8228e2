"""A flood of logins cannot take the site down (issue 21): an address a limit refused is refused again
near the top of the middleware while the wait lasts, a few dozen failed sign-ins a minute shut the
address, and each process checks only so many passwords at once, answering a login that finds every
check taken with 429 and ``Retry-After: 1`` rather than a queue."""

import contextlib
import datetime
import logging
import os
import threading

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registration.auth import password_check_slot
from tests.factories.accounts import CANDIDATE_PASSWORD

pytestmark = pytest.mark.django_db

FLOODER = "203.0.113.66"
NEIGHBOUR = "198.51.100.7"
WRONG_PASSWORD = "wrong2026pass"


@pytest.fixture
def login_limit(settings):
    settings.ABUSE_THROTTLE_RATES = {**settings.ABUSE_THROTTLE_RATES, "login_address": "2/hour"}


@contextlib.contextmanager
def every_password_check_taken():
    """As when the process's other threads are all checking passwords."""
    with contextlib.ExitStack() as taken:
        for _ in range(django_settings.PASSWORD_CHECKS_PER_PROCESS):
            taken.enter_context(password_check_slot())
        yield


def token_request(api_client, address, login="zhang_san", password=WRONG_PASSWORD):
    return api_client.post(
        "/api/v1/auth/token/", {"login": login, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_once_refused_an_address_is_refused_before_the_view_until_the_wait_is_over(
    api_client, candidate, login_limit, django_assert_num_queries
):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(2):
            token_request(api_client, FLOODER)
        first_refusal = token_request(api_client, FLOODER)

        with django_assert_num_queries(0):
            gated = token_request(api_client, FLOODER)

        assert first_refusal.status_code == gated.status_code == 429
        assert gated.json() == first_refusal.json()
        assert gated.json() == {"code": "throttled", "message": "请求过于频繁，请60分钟后再试。"}
        assert int(gated["Retry-After"]) == 3600
        assert token_request(api_client, NEIGHBOUR, password=CANDIDATE_PASSWORD).status_code == 200

        traveller.shift(datetime.timedelta(minutes=30))
        assert int(token_request(api_client, FLOODER)["Retry-After"]) == 1800

        traveller.shift(datetime.timedelta(minutes=31))
        assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 200


def test_the_gate_answers_in_english_to_an_english_client(api_client, candidate, login_limit):
    for _ in range(3):
        token_request(api_client, FLOODER)

    gated = api_client.post(
        "/api/v1/auth/token/",
        {"login": "zhang_san", "password": WRONG_PASSWORD},
        format="json",
        REMOTE_ADDR=FLOODER,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert gated.status_code == 429
    assert gated.json()["code"] == "throttled"
    assert "minute" in gated.json()["message"]


def test_the_login_page_of_a_refused_address_is_refused_before_the_view(
    client, candidate, login_limit, django_assert_num_queries
):
    for sequence in range(3):
        client.post(reverse("login"), {"username": f"guess_{sequence}", "password": "x"}, REMOTE_ADDR=FLOODER)

    with django_assert_num_queries(0):
        gated = client.post(reverse("login"), {"username": "zhang_san", "password": "x"}, REMOTE_ADDR=FLOODER)

    assert gated.status_code == 429
    assert "请求过于频繁" in gated.text
    assert int(gated["Retry-After"]) > 0
    assert client.get(reverse("login"), REMOTE_ADDR=FLOODER).status_code == 200, "reading the page is not limited"


def test_a_limit_per_account_does_not_shut_the_address(api_client, candidate, settings):
    """A hospital's address stays open when one account of it is over its own limit."""
    settings.ABUSE_THROTTLE_RATES = {**settings.ABUSE_THROTTLE_RATES, "login_account": "1/hour"}
    token_request(api_client, FLOODER, login="li_si")
    assert token_request(api_client, FLOODER, login="li_si").status_code == 429

    assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 200


def test_a_token_login_finding_the_password_check_taken_is_answered_at_once(
    api_client, candidate, login_limit, django_assert_num_queries
):
    """Before the limits and the lockout: it reads nothing and counts against no limit."""
    with every_password_check_taken(), django_assert_num_queries(0):
        for _ in range(3):
            busy = token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD)

    assert busy.status_code == 429
    assert busy["Retry-After"] == "1"
    assert busy.json() == {"code": "busy", "message": "登录的人较多，请稍后重新登录。"}
    assert not AccessAttempt.objects.exists(), "a login never checked is not a failure"
    assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 200


def test_the_login_page_finding_the_password_check_taken_keeps_what_was_typed(client, candidate):
    with every_password_check_taken():
        busy = client.post(reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD})

    assert busy.status_code == 200
    assert "登录的人较多，请稍后重新登录。" in busy.text
    assert 'value="zhang_san"' in busy.text
    assert not AccessAttempt.objects.exists()
    assert "_auth_user_id" not in client.session


def test_the_back_office_login_finding_the_password_check_taken_says_so(client):
    with every_password_check_taken():
        busy = client.post(reverse("admin:login"), {"username": "site_clerk", "password": CANDIDATE_PASSWORD})

    assert busy.status_code == 200
    assert "登录的人较多，请稍后重新登录。" in busy.text
    assert not AccessAttempt.objects.exists()


def test_a_failed_login_looks_its_account_up_once(api_client, candidate):
    """The limit per account, django-axes and the backend share one look-up per request."""
    with CaptureQueriesContext(connection) as queries:
        assert token_request(api_client, FLOODER).status_code == 400

    account_reads = [query for query in queries.captured_queries if 'FROM "registration_user"' in query["sql"]]
    assert len(account_reads) == 1


def test_passwords_are_checked_on_a_thread_of_lower_priority(api_client, candidate, monkeypatch, settings):
    """Other requests of the worker get the processor first while a password is hashed."""
    seen = []
    real_verify = MD5PasswordHasher.verify

    def observed_verify(self, password, encoded):
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return real_verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", observed_verify)

    assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 200

    [(thread, niceness)] = seen
    assert thread.startswith("password-check")
    assert niceness >= settings.PASSWORD_CHECK_NICENESS > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.fixture
def failure_limit(settings):
    settings.ABUSE_THROTTLE_RATES = {**settings.ABUSE_THROTTLE_RATES, "login_failures_address": "3/minute"}


def test_the_failure_that_reaches_the_limit_shuts_the_address_for_the_rest_of_the_minute(
    api_client, candidate, failure_limit, django_assert_num_queries
):
    """Each failure before the lockout costs a password check: an address failing a few dozen a
    minute is refused at the gate, with no query and no check, its neighbours not."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for login in ("guess_1", "guess_2", "zhang_san"):
            assert token_request(api_client, FLOODER, login=login).status_code == 400

        with django_assert_num_queries(0):
            gated = token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD)

        assert gated.status_code == 429
        assert gated.json() == {"code": "throttled", "message": "请求过于频繁，请1分钟后再试。"}
        assert 0 < int(gated["Retry-After"]) <= 60
        assert token_request(api_client, NEIGHBOUR, password=CANDIDATE_PASSWORD).status_code == 200

        traveller.shift(datetime.timedelta(seconds=61))
        assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 200


def test_sign_ins_that_succeed_or_find_the_check_busy_are_not_failures(api_client, candidate, failure_limit):
    """A hospital signing its staff in from one address is limited by the attempts, not by this."""
    for _ in range(5):
        assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 200
    with every_password_check_taken():
        for _ in range(5):
            assert token_request(api_client, FLOODER).json()["code"] == "busy"

    assert token_request(api_client, FLOODER).status_code == 400


def test_failures_on_the_login_page_and_the_api_count_together_and_shut_both(
    client, api_client, candidate, failure_limit
):
    for sequence in range(2):
        client.post(reverse("login"), {"username": f"guess_{sequence}", "password": "x"}, REMOTE_ADDR=FLOODER)
    assert token_request(api_client, FLOODER).status_code == 400

    assert token_request(api_client, FLOODER, password=CANDIDATE_PASSWORD).status_code == 429
    page = client.post(reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD}, REMOTE_ADDR=FLOODER)
    assert page.status_code == 429
    assert "请求过于频繁" in page.text


def test_attempts_on_a_locked_out_account_count_as_failures(api_client, candidate, settings):
    """django-axes locks the account for the address after AXES_FAILURE_LIMIT failures (5); the
    attempts it then refuses are failures of the address too."""
    settings.ABUSE_THROTTLE_RATES = {**settings.ABUSE_THROTTLE_RATES, "login_failures_address": "7/minute"}
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert token_request(api_client, FLOODER).status_code == 400
    for _ in range(3):  # the failure that locks it, then two attempts while it is locked
        assert token_request(api_client, FLOODER).json()["code"] == "locked_out"

    assert token_request(api_client, FLOODER, login="li_si").json()["code"] == "throttled"


def test_an_address_shut_is_logged_once_and_the_refusals_not_one_by_one(api_client, candidate, login_limit, caplog):
    """A flood would otherwise write a log line a request."""
    with caplog.at_level(logging.INFO):
        for _ in range(6):
            token_request(api_client, FLOODER)

    shut = [record.getMessage() for record in caplog.records if record.name == "registration.throttling"]
    assert shut == ["Limit login_address shuts an address for 3600 s"]
    refusals = [record for record in caplog.records if getattr(record, "status_code", None) == 429]
    assert refusals == []
    assert [record.status_code for record in caplog.records if record.name == "django.request"] == [400, 400]
