"""Registering a candidate account through the API and the page: the same rules, in Chinese, nothing
half-saved, one account per ID number, and the ID number never in clear."""

import datetime
import logging

import pytest
from django.db import connection
from django.urls import reverse

from registration.choices import Gender, IdType, Role
from registration.models import User
from registration.pii import decrypt_id_number
from registration.services import accounts as account_services
from registration.services.accounts import candidate_register
from tests.factories.accounts import CANDIDATE_PASSWORD, CandidateFactory, resident_id_number
from wecan.errors import InvalidInput

# Every registration solves the captcha (CAPTCHA_TEST_MODE's "PASSED"); tests/accounts/test_captcha.py
# drives real challenges.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("captcha_test_mode")]

REGISTER_URL = "/api/v1/auth/register/"
ID_NUMBER = "11010519491231002X"
TAKEN = "该证件号码已注册过账号，请直接登录；忘记密码可通过电子邮箱找回。"


def registration(**overrides):
    body = {
        "username": "li_si",
        "password": CANDIDATE_PASSWORD,
        "name": "李四",
        "id_type": IdType.RESIDENT_ID,
        "id_number": ID_NUMBER,
        "email": "Li.Si@Example.COM",
        "mobile": "13912345678",
        "captcha_key": "any-key",
        "captcha_answer": "PASSED",
    }
    body.update(overrides)
    return body


def page_registration(**overrides):
    body = registration()
    del body["captcha_key"], body["captcha_answer"]
    password = body.pop("password")
    body.update(
        password1=password,
        password2=password,
        id_number_confirm=body["id_number"],
        captcha_0="any-key",
        captcha_1="PASSED",
    )
    body.update(overrides)
    return body


# API


def test_registering_answers_201_with_the_account_and_the_masked_id_number(api_client):
    response = api_client.post(REGISTER_URL, registration(), format="json")

    assert response.status_code == 201, response.json()
    user = User.objects.get(username="li_si")
    assert response.json() == {
        "id": user.pk,
        "username": "li_si",
        "name": "李四",
        "id_type": "resident_id",
        "id_number_masked": "1101**********002X",
        "gender": "female",
        "birth_date": "1949-12-31",
    }


def test_registration_keeps_the_number_only_encrypted_and_derives_the_identity(api_client):
    api_client.post(REGISTER_URL, registration(id_number=ID_NUMBER.lower()), format="json")

    user = User.objects.get(username="li_si")
    assert decrypt_id_number(user.id_number_ciphertext) == ID_NUMBER
    assert user.role == Role.CANDIDATE
    assert user.gender == Gender.FEMALE
    assert user.birth_date == datetime.date(1949, 12, 31)
    assert user.nationality == "中国"
    assert user.email == "Li.Si@example.com"
    assert user.check_password(CANDIDATE_PASSWORD)
    assert ID_NUMBER not in str(user)


def test_a_travel_permit_carries_no_birth_date_or_gender(api_client):
    response = api_client.post(
        REGISTER_URL, registration(id_type=IdType.HK_MACAO_PERMIT, id_number="h12345678"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["id_number_masked"] == "H1*****78"
    assert response.json()["gender"] == ""
    assert response.json()["birth_date"] is None
    assert User.objects.get(username="li_si").nationality == "中国香港"


def test_every_wrong_field_is_named_at_once_in_chinese_and_nothing_is_saved(api_client):
    response = api_client.post(
        REGISTER_URL,
        {
            "username": "ab",
            "password": "hzqmwxyrtb",
            "name": "李",
            "id_type": IdType.RESIDENT_ID,
            "id_number": "110105194912310021",
            "email": "not-an-address",
            "mobile": "23912345678",
            "captcha_key": "any-key",
            "captcha_answer": "PASSED",
        },
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "输入有误，请按提示修改。"
    assert body["fields"] == {
        "username": ["用户名只能包含字母、数字和下划线，长度为4至30个字符。"],
        "password": ["密码必须同时包含字母和数字。"],
        "name": ["姓名长度应为2至50个字符。"],
        "id_number": ["证件号码校验位不正确，请核对。"],
        "email": ["请填写有效的电子邮箱地址。"],
        "mobile": ["手机号码应为以1开头的11位数字。"],
    }
    assert not User.objects.exists()


def test_blank_fields_are_each_asked_for(api_client):
    blank = dict.fromkeys(["username", "password", "name", "id_number", "email", "mobile"], "")
    response = api_client.post(REGISTER_URL, registration(**blank), format="json")

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["username"] == ["请填写用户名。"]
    assert fields["password"] == ["请设置密码。"]
    assert fields["name"] == ["请填写姓名。"]
    assert fields["id_number"] == ["请填写证件号码。"]
    assert fields["email"] == ["请填写电子邮箱，找回密码时要用到它。"]
    assert fields["mobile"] == ["请填写手机号码。"]


def test_a_missing_field_and_an_unknown_field_are_refused(api_client):
    body = registration(role="administrator")
    del body["mobile"]

    response = api_client.post(REGISTER_URL, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"mobile", "role"}
    assert not User.objects.exists()


def test_an_unknown_id_type_is_refused(api_client):
    response = api_client.post(REGISTER_URL, registration(id_type="passport"), format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"id_type"}


def test_a_username_that_reads_as_an_id_number_is_refused(api_client):
    response = api_client.post(REGISTER_URL, registration(username="H12345678"), format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["username"] == ["用户名不能是证件号码的格式，请另取一个。"]


def test_a_taken_username_is_refused_whatever_its_case(api_client, candidate):
    response = api_client.post(
        REGISTER_URL, registration(username="ZHANG_SAN", id_number=resident_id_number()), format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"username": ["该用户名已被注册，请另取一个。"]}


def test_a_password_like_the_username_is_refused(api_client):
    response = api_client.post(REGISTER_URL, registration(username="lisi2026", password="lisi2026"), format="json")

    assert response.status_code == 400
    assert "password" in response.json()["fields"]


@pytest.mark.parametrize("spelling", ["11010519491231002x", "11010519491231002X", " 11010519491231002X "])
def test_an_id_number_registers_once_whatever_its_spelling(api_client, candidate, spelling):
    response = api_client.post(REGISTER_URL, registration(id_number=spelling), format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"id_number": [TAKEN]}
    assert User.objects.count() == 1


def test_a_registration_racing_another_gets_the_same_field_error(candidate, monkeypatch):
    # The other registration commits between this one's check and its insert: the check sees nothing.
    real_check = account_services.user_id_number_taken
    checks = []

    def taken_after_the_first_check(**kwargs):
        checks.append(kwargs)
        return len(checks) > 1 and real_check(**kwargs)

    monkeypatch.setattr(account_services, "user_id_number_taken", taken_after_the_first_check)

    with pytest.raises(InvalidInput) as caught:
        candidate_register(**CandidateFactory.build_kwargs(username="wang_wu", id_number=ID_NUMBER.lower()))

    assert caught.value.fields == {"id_number": [TAKEN]}
    assert len(checks) == 2  # the database refused the insert, and the second look says why
    assert User.objects.count() == 1


def test_the_user_row_holds_no_id_number_in_clear(api_client, caplog):
    caplog.set_level(logging.DEBUG)
    api_client.post(REGISTER_URL, registration(), format="json")
    user = User.objects.get(username="li_si")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registration_user WHERE id = %s", [user.pk])
        row = cursor.fetchone()
    stored = " ".join(str(value) for value in row)
    # The whole number, its 17 digits before the check, and the 10 between the masked ends.
    for secret in (ID_NUMBER, ID_NUMBER.lower(), ID_NUMBER[:17], ID_NUMBER[4:14]):
        assert secret not in stored
        assert secret not in caplog.text
    assert "1101**********002X" in stored


# Page


def test_the_page_asks_for_every_field_and_a_captcha(client):
    response = client.get(reverse("register"))

    assert response.status_code == 200
    for name in ("username", "password1", "password2", "name", "id_type", "id_number", "id_number_confirm"):
        assert f'name="{name}"' in response.text
    assert 'name="captcha_1"' in response.text
    assert "注册考生账号" in response.text


def test_registering_on_the_page_signs_in_and_goes_home(client, captcha_test_mode):
    response = client.post(reverse("register"), page_registration())

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="li_si")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert user.id_number_masked == "1101**********002X"


def test_a_failed_page_submit_keeps_what_was_typed_but_the_passwords_and_shows_each_error(client, captcha_test_mode):
    response = client.post(
        reverse("register"),
        page_registration(id_number="110105194912310021", id_number_confirm="110105194912310021", mobile="12"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "id_number": ["证件号码校验位不正确，请核对。"],
        "mobile": ["手机号码应为以1开头的11位数字。"],
    }
    page = response.text
    assert "证件号码校验位不正确，请核对。" in page
    assert 'value="li_si"' in page
    assert 'value="李四"' in page
    assert CANDIDATE_PASSWORD not in page
    assert not User.objects.exists()


def test_the_page_gives_the_same_answer_as_the_api_for_a_taken_id_number(client, candidate, captcha_test_mode):
    response = client.post(
        reverse("register"), page_registration(id_number=ID_NUMBER.lower(), id_number_confirm=ID_NUMBER)
    )

    assert response.context["form"].errors == {"id_number": [TAKEN]}
    assert User.objects.count() == 1


def test_a_password_refused_by_the_service_shows_beside_the_first_password(client, captcha_test_mode):
    response = client.post(reverse("register"), page_registration(password1="hzqmwxyrtb", password2="hzqmwxyrtb"))

    assert response.context["form"].errors == {"password1": ["密码必须同时包含字母和数字。"]}


def test_the_repeated_entries_must_agree(client, captcha_test_mode):
    response = client.post(
        reverse("register"),
        page_registration(password2="another2026pass", id_number_confirm=resident_id_number()),
    )

    assert response.context["form"].errors == {
        "password2": ["两次输入的密码不一致。"],
        "id_number_confirm": ["两次输入的证件号码不一致。"],
    }
    assert not User.objects.exists()


def test_a_wrong_captcha_is_refused(client):
    response = client.post(reverse("register"), page_registration(captcha_1="WRONG"))

    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["王(yan)", "张𠮷", "刘䶮", "𤳵明"])
def test_a_name_with_rare_characters_or_pinyin_for_one_registers(api_client, name):
    """Seed 003 line 467: "支持输入「·」和生僻字……若生僻字列表中无此字，用括号+拼音代替"."""
    response = api_client.post(REGISTER_URL, registration(name=name), format="json")

    assert response.status_code == 201, response.json()
    assert User.objects.get(username="li_si").name == name


@pytest.mark.parametrize("name", ["王<b>", "John(yan)", "王(yan"])
def test_a_name_with_other_markup_is_refused_with_the_rule_in_words(api_client, name):
    response = api_client.post(REGISTER_URL, registration(name=name), format="json")

    assert response.status_code == 400
    assert "括号加拼音" in response.json()["fields"]["name"][0]
    assert not User.objects.filter(username="li_si").exists()
