"""Signing in by username or ID number, on the page and for an API token, and the lockout that counts
both spellings of one account together."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from registration.auth import lockout_username
from tests.factories.accounts import CANDIDATE_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ID_NUMBER = "11010519491231002X"  # the candidate fixture's


def get_token(api_client, login, password=CANDIDATE_PASSWORD):
    return api_client.post(TOKEN_URL, {"login": login, "password": password}, format="json")


# API


@pytest.mark.parametrize("login", ["zhang_san", ID_NUMBER, ID_NUMBER.lower(), f" {ID_NUMBER} "])
def test_a_token_is_issued_for_the_username_or_the_id_number(api_client, candidate, login):
    response = get_token(api_client, login)

    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"token", "expires_at"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["username"] == "zhang_san"


def test_each_sign_in_gets_its_own_token(api_client, candidate):
    """API.md v1.1: tokens are revoked one by one at logout, so two devices never share one."""
    first, second = get_token(api_client, "zhang_san").json(), get_token(api_client, ID_NUMBER).json()

    assert first["token"] != second["token"]


@pytest.mark.parametrize(
    ("login", "password"), [("zhang_san", "wrong2026pass"), ("nobody", CANDIDATE_PASSWORD), (ID_NUMBER, "x")]
)
def test_a_wrong_login_or_password_is_a_400_in_chinese(api_client, candidate, login, password):
    response = get_token(api_client, login, password)

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "用户名（或证件号码）或密码不正确。"}


def test_the_token_body_refuses_unknown_fields_and_asks_for_missing_ones(api_client, candidate):
    response = api_client.post(TOKEN_URL, {"username": "zhang_san", "password": CANDIDATE_PASSWORD}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "login"}


def test_the_token_endpoint_takes_json_only(api_client, candidate):
    response = api_client.post(TOKEN_URL, {"login": "zhang_san", "password": CANDIDATE_PASSWORD})

    assert response.status_code == 415


def test_five_failures_by_id_number_and_username_lock_the_account_even_for_the_right_password(api_client, candidate):
    for login in [ID_NUMBER.lower(), ID_NUMBER, "zhang_san", ID_NUMBER]:
        assert get_token(api_client, login, "wrong2026pass").status_code == 400

    fifth = get_token(api_client, "zhang_san", "wrong2026pass")
    right = get_token(api_client, "zhang_san")
    by_id_number = get_token(api_client, ID_NUMBER)

    for response in (fifth, right, by_id_number):
        assert response.status_code == 429
        assert response.json() == {
            "code": "locked_out",
            "message": "登录失败次数过多，账号已被暂时锁定，请15分钟后再试。",
        }


def test_the_lock_lifts_after_the_cool_off(api_client, candidate):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            get_token(api_client, "zhang_san", "wrong2026pass")
        assert get_token(api_client, "zhang_san").status_code == 429

        traveller.shift(datetime.timedelta(minutes=16))

        assert get_token(api_client, ID_NUMBER).status_code == 200


def test_a_success_clears_earlier_failures(api_client, candidate):
    for _ in range(4):
        get_token(api_client, "zhang_san", "wrong2026pass")
    assert get_token(api_client, ID_NUMBER).status_code == 200

    for _ in range(4):
        assert get_token(api_client, "zhang_san", "wrong2026pass").status_code == 400


def test_failures_of_one_account_do_not_lock_another(api_client, candidate):
    for _ in range(5):
        get_token(api_client, "someone_else", "wrong2026pass")

    assert get_token(api_client, "zhang_san").status_code == 200


def test_lockout_counts_a_login_under_the_accounts_username(candidate):
    assert lockout_username(None, {"username": ID_NUMBER.lower()}) == "zhang_san"
    assert lockout_username(None, {"username": "zhang_san"}) == "zhang_san"
    # Unknown logins are counted under a digest: one spelling, and never the typed text.
    unknown = lockout_username(None, {"username": " h12345678 "})
    assert unknown == lockout_username(None, {"username": "H12345678"})
    assert unknown.startswith("unknown:") and "12345678" not in unknown


def test_failed_logins_with_an_unregistered_id_number_leave_it_nowhere_in_axes_tables(client, candidate):
    from axes.models import AccessAttempt

    stranger = "310101198001010015"
    for _attempt in range(2):
        client.post(reverse("login"), {"username": stranger, "password": "wrong2026pass"})
    attempts = list(AccessAttempt.objects.values())
    assert attempts, "the failures were recorded"
    assert stranger not in repr(attempts)


def test_the_token_opens_the_account(api_client, candidate):
    token = get_token(api_client, ID_NUMBER).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": candidate.pk,
        "username": "zhang_san",
        "name": "张三",
        "id_type": "resident_id",
        "id_number_masked": "1101**********002X",
        "gender": "female",
        "birth_date": "1949-12-31",
        "email": "zhang_san@example.com",
        "mobile": "13812341234",
        "role": "candidate",
    }


def test_the_account_needs_credentials(api_client):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_is_refused(api_client, candidate):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert api_client.get("/api/v1/me/").status_code == 401


# Pages


@pytest.mark.parametrize("login", ["zhang_san", ID_NUMBER.lower()])
def test_the_page_signs_in_by_username_or_id_number(client, candidate, login):
    response = client.post(reverse("login"), {"username": login, "password": CANDIDATE_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == candidate.pk


def test_the_login_page_labels_the_field_for_both(client):
    response = client.get(reverse("login"))

    assert "用户名或证件号码" in response.text


def test_a_wrong_password_on_the_page_says_so_in_chinese(client, candidate):
    response = client.post(reverse("login"), {"username": ID_NUMBER, "password": "wrong2026pass"})

    assert response.status_code == 200
    assert "用户名（或证件号码）或密码不正确。" in response.text
    assert "_auth_user_id" not in client.session


def test_a_locked_account_gets_a_clear_page_even_with_the_right_password(client, candidate, captcha_test_mode):
    # From the third failure on the page asks for the captcha, which a person solves each time.
    solved = {"captcha_0": "any-key", "captcha_1": "PASSED"}
    for login in [ID_NUMBER, "zhang_san", ID_NUMBER.lower(), "zhang_san"]:
        response = client.post(reverse("login"), {"username": login, "password": "wrong2026pass", **solved})
        assert response.status_code == 200

    fifth = client.post(reverse("login"), {"username": ID_NUMBER, "password": "wrong2026pass", **solved})
    right = client.post(reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD, **solved})

    for response in (fifth, right):
        assert response.status_code == 429
        assert "账号已暂时锁定" in response.text
        assert "请 15 分钟后再试" in response.text
        # The lockout page does not tell who owns the ID number that was typed.
        assert "zhang_san" not in response.text
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_signs_out(client, candidate):
    client.force_login(candidate)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_takes_the_old_password_and_a_valid_new_one(client, candidate):
    client.force_login(candidate)

    refused = client.post(
        reverse("password_change"),
        {"old_password": CANDIDATE_PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    changed = client.post(
        reverse("password_change"),
        {"old_password": CANDIDATE_PASSWORD, "new_password1": "another2026pass", "new_password2": "another2026pass"},
    )

    assert "密码长度应为8至18个字符。" in refused.text
    assert changed.status_code == 302
    assert changed.url == reverse("password_change_done")
    candidate.refresh_from_db()
    assert candidate.check_password("another2026pass")


def test_password_reset_sends_a_chinese_mail_whose_link_sets_a_new_password(client, candidate, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "ZHANG_SAN@example.com"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["zhang_san@example.com"]
    assert "重设密码" in mail.subject
    assert "张三，您好" in mail.body
    assert ID_NUMBER not in mail.body
    link = next(line for line in mail.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]

    form_page = client.get(path, follow=True)
    assert "设置新密码" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another2026pass", "new_password2": "another2026pass"},
    )

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    candidate.refresh_from_db()
    assert candidate.check_password("another2026pass")
