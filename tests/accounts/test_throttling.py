"""Public endpoints that hash a password or create something are rate limited per client address and
per account, from the environment's rates; a refused request is 429 with Retry-After, and is refused
before any password is hashed."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from registration.choices import IdType
from registration.models import User
from tests.factories.accounts import CANDIDATE_PASSWORD, resident_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("captcha_test_mode")]

HOSPITAL = "203.0.113.10"
ELSEWHERE = "198.51.100.30"


@pytest.fixture
def rates(settings):
    """Small limits, so that a test reaches them in a few requests."""
    settings.ABUSE_THROTTLE_RATES = {
        **settings.ABUSE_THROTTLE_RATES,
        "register_address": "3/hour",
        "register_account": "2/hour",
        "login_address": "4/hour",
        "login_account": "3/hour",
        "password_reset_address": "3/hour",
        "password_reset_account": "2/hour",
    }


@pytest.fixture
def hashes(monkeypatch):
    """Counts every password hashed or checked (the suite hashes with MD5)."""
    calls = []
    real_encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        calls.append(password)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    return calls


def api_registration(number, username):
    return {
        "username": username,
        "password": CANDIDATE_PASSWORD,
        "name": "李四",
        "id_type": IdType.RESIDENT_ID,
        "id_number": number,
        "email": f"{username}@example.com",
        "mobile": "13912345678",
        "captcha_key": "any-key",
        "captcha_answer": "PASSED",
    }


def register(api_client, number, username, address=HOSPITAL):
    return api_client.post(
        "/api/v1/auth/register/", api_registration(number, username), format="json", REMOTE_ADDR=address
    )


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_registrations_from_one_address_are_limited_and_others_go_on(api_client, rates, hashes):
    for sequence in range(3):
        assert register(api_client, resident_id_number(sequence=sequence), f"nurse_{sequence}").status_code == 201
    hashed_before = len(hashes)

    refused = register(api_client, resident_id_number(sequence=3), "nurse_3")

    assert_throttled(refused)
    assert refused.json() == {"code": "throttled", "message": "请求过于频繁，请60分钟后再试。"}
    assert len(hashes) == hashed_before, "the refused registration hashed no password"
    assert not User.objects.filter(username="nurse_3").exists()
    assert register(api_client, resident_id_number(sequence=3), "nurse_3", address=ELSEWHERE).status_code == 201


def test_registrations_of_one_id_number_are_limited_from_every_address(api_client, rates):
    number = resident_id_number(sequence=7)
    for address in ("192.0.2.1", "192.0.2.2"):
        register(api_client, number, "someone", address=address)

    assert_throttled(register(api_client, number.lower(), "someone", address="192.0.2.3"))


def test_the_registration_page_is_limited_per_address(client, rates, hashes):
    def page(sequence):
        number = resident_id_number(sequence=sequence)
        body = {
            **api_registration(number, f"doctor_{sequence}"),
            "password1": CANDIDATE_PASSWORD,
            "password2": CANDIDATE_PASSWORD,
            "id_number_confirm": number,
            "captcha_0": "any-key",
            "captcha_1": "PASSED",
        }
        client.logout()
        return client.post(reverse("register"), body, REMOTE_ADDR=HOSPITAL)

    for sequence in range(3):
        assert page(sequence).status_code == 302
    hashed_before = len(hashes)

    refused = page(3)

    assert_throttled(refused)
    assert "请求过于频繁" in refused.text
    assert len(hashes) == hashed_before


def test_token_requests_are_limited_per_address_before_any_password_is_checked(api_client, candidate, rates, hashes):
    for sequence in range(4):
        api_client.post(
            "/api/v1/auth/token/",
            {"login": f"guess_{sequence}", "password": "wrong2026pass"},
            format="json",
            REMOTE_ADDR=HOSPITAL,
        )
    hashed_before = len(hashes)

    refused = api_client.post(
        "/api/v1/auth/token/",
        {"login": "zhang_san", "password": CANDIDATE_PASSWORD},
        format="json",
        REMOTE_ADDR=HOSPITAL,
    )

    assert_throttled(refused)
    assert len(hashes) == hashed_before


def test_token_requests_are_limited_per_account_by_username_and_id_number_alike(api_client, candidate, rates):
    logins = ["zhang_san", "11010519491231002X", "11010519491231002x"]
    for number, login in enumerate(logins):
        api_client.post(
            "/api/v1/auth/token/",
            {"login": login, "password": CANDIDATE_PASSWORD},
            format="json",
            REMOTE_ADDR=f"192.0.2.{number + 1}",
        )

    refused = api_client.post(
        "/api/v1/auth/token/",
        {"login": "zhang_san", "password": CANDIDATE_PASSWORD},
        format="json",
        REMOTE_ADDR="192.0.2.9",
    )

    assert_throttled(refused)


def test_the_login_page_is_limited_per_address_before_any_password_is_checked(client, candidate, rates, hashes):
    for sequence in range(4):
        client.post(reverse("login"), {"username": f"guess_{sequence}", "password": "x"}, REMOTE_ADDR=HOSPITAL)
    hashed_before = len(hashes)

    refused = client.post(
        reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD}, REMOTE_ADDR=HOSPITAL
    )

    assert_throttled(refused)
    assert len(hashes) == hashed_before
    assert client.get(reverse("login"), REMOTE_ADDR=HOSPITAL).status_code == 200, "reading the page is not limited"


def test_password_reset_is_limited_per_address_and_per_account(client, candidate, rates, mailoutbox):
    for _ in range(2):
        client.post(reverse("password_reset"), {"email": "zhang_san@example.com"}, REMOTE_ADDR="192.0.2.1")
    per_account = client.post(reverse("password_reset"), {"email": "ZHANG_SAN@example.com"}, REMOTE_ADDR="192.0.2.2")
    client.post(reverse("password_reset"), {"email": "a@example.com"}, REMOTE_ADDR=HOSPITAL)
    client.post(reverse("password_reset"), {"email": "b@example.com"}, REMOTE_ADDR=HOSPITAL)
    client.post(reverse("password_reset"), {"email": "c@example.com"}, REMOTE_ADDR=HOSPITAL)
    per_address = client.post(reverse("password_reset"), {"email": "d@example.com"}, REMOTE_ADDR=HOSPITAL)

    assert_throttled(per_account)
    assert_throttled(per_address)
    assert len(mailoutbox) == 2


def test_a_hospital_behind_one_proxy_counts_each_client(api_client, rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for sequence in range(3):
        api_client.post(
            "/api/v1/auth/register/",
            api_registration(resident_id_number(sequence=sequence), f"clerk_{sequence}"),
            format="json",
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=HOSPITAL,
        )

    other_client = api_client.post(
        "/api/v1/auth/register/",
        api_registration(resident_id_number(sequence=5), "clerk_5"),
        format="json",
        REMOTE_ADDR="192.0.2.1",
        HTTP_X_FORWARDED_FOR=ELSEWHERE,
    )

    assert other_client.status_code == 201


def test_the_default_rates_let_a_hospital_register_hundreds_a_day():
    from wecan import settings as project_settings

    number, period = project_settings.ABUSE_THROTTLE_RATES["register_address"].split("/")
    per_day = int(number) * {"second": 86400, "minute": 1440, "hour": 24, "day": 1}[period]
    assert per_day >= 500


def test_the_admin_sign_in_is_limited_like_the_portals(client, rates, hashes):
    for sequence in range(4):
        client.post("/admin/login/", {"username": f"guess_{sequence}", "password": "x"}, REMOTE_ADDR=HOSPITAL)
    hashed_before = len(hashes)

    refused = client.post("/admin/login/", {"username": "root", "password": "x"}, REMOTE_ADDR=HOSPITAL)

    assert_throttled(refused)
    assert len(hashes) == hashed_before


@pytest.mark.parametrize("login", ["zhang\x00san", "x" * 5000, 42])
def test_a_hostile_login_is_refused_as_input_not_as_a_server_error(api_client, candidate, login):
    response = api_client.post("/api/v1/auth/token/", {"login": login, "password": "x"}, format="json")

    assert response.status_code == 400
