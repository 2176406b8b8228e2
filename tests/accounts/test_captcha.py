"""The API registers with the same captcha as the page (API.md, additions of v1.1): a challenge from
GET /api/v1/auth/captcha/, its key and answer with the registration, each challenge good for one try."""

import base64
import datetime
import io

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from registration.choices import IdType
from registration.models import User
from tests.factories.accounts import CANDIDATE_PASSWORD

pytestmark = pytest.mark.django_db

CAPTCHA_URL = "/api/v1/auth/captcha/"
REGISTER_URL = "/api/v1/auth/register/"
ID_NUMBER = "11010519491231002X"
WRONG = "验证码不正确或已失效，请重新输入图片中的字符。"


def registration(**captcha):
    return {
        "username": "li_si",
        "password": CANDIDATE_PASSWORD,
        "name": "李四",
        "id_type": IdType.RESIDENT_ID,
        "id_number": ID_NUMBER,
        "email": "li_si@example.com",
        "mobile": "13912345678",
        **captcha,
    }


def new_captcha(api_client):
    response = api_client.get(CAPTCHA_URL)
    assert response.status_code == 200
    body = response.json()
    return body["key"], CaptchaStore.objects.get(hashkey=body["key"]).response


def test_the_captcha_endpoint_gives_a_key_and_a_png_picture(api_client):
    response = api_client.get(CAPTCHA_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"key", "image"}
    assert CaptchaStore.objects.filter(hashkey=body["key"]).exists()
    prefix = "data:image/png;base64,"
    assert body["image"].startswith(prefix)
    picture = Image.open(io.BytesIO(base64.b64decode(body["image"][len(prefix) :])))
    assert picture.format == "PNG"
    assert picture.size == (120, 40)


def test_registering_with_the_right_answer_in_any_case_succeeds(api_client):
    key, answer = new_captcha(api_client)

    response = api_client.post(
        REGISTER_URL, registration(captcha_key=key, captcha_answer=f" {answer.upper()} "), format="json"
    )

    assert response.status_code == 201, response.json()
    assert not CaptchaStore.objects.filter(hashkey=key).exists()


@pytest.mark.parametrize("missing", ["captcha_key", "captcha_answer"])
def test_registering_without_the_captcha_is_refused(api_client, missing):
    key, answer = new_captcha(api_client)
    body = registration(captcha_key=key, captcha_answer=answer)
    del body[missing]

    response = api_client.post(REGISTER_URL, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {missing}
    assert not User.objects.exists()


@pytest.mark.parametrize("answer", ["", "zzzz"])
def test_a_wrong_or_blank_answer_is_refused_naming_only_the_captcha(api_client, candidate, answer):
    """Without a solved captcha nothing else is checked, so a script cannot learn that this ID number
    (the candidate fixture's) is registered."""
    key, _answer = new_captcha(api_client)

    response = api_client.post(REGISTER_URL, registration(captcha_key=key, captcha_answer=answer), format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"captcha_answer": [WRONG]}


def test_a_challenge_is_good_for_one_try_only(api_client):
    key, answer = new_captcha(api_client)
    api_client.post(REGISTER_URL, registration(captcha_key=key, captcha_answer="zzzz"), format="json")

    again = api_client.post(REGISTER_URL, registration(captcha_key=key, captcha_answer=answer), format="json")

    assert again.status_code == 400
    assert again.json()["fields"] == {"captcha_answer": [WRONG]}
    assert not User.objects.exists()


def test_a_used_challenge_does_not_register_a_second_account(api_client):
    key, answer = new_captcha(api_client)
    assert (
        api_client.post(REGISTER_URL, registration(captcha_key=key, captcha_answer=answer), format="json").status_code
        == 201
    )

    body = registration(captcha_key=key, captcha_answer=answer) | {
        "username": "wang_wu",
        "id_number": "310101199001011230",
    }
    again = api_client.post(REGISTER_URL, body, format="json")

    assert again.status_code == 400
    assert set(again.json()["fields"]) == {"captcha_answer"}


def test_an_expired_challenge_is_refused(api_client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        key, answer = new_captcha(api_client)
        traveller.shift(datetime.timedelta(minutes=6))

        response = api_client.post(REGISTER_URL, registration(captcha_key=key, captcha_answer=answer), format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"captcha_answer"}


def test_an_unknown_key_is_refused(api_client):
    response = api_client.post(REGISTER_URL, registration(captcha_key="f" * 40, captcha_answer="abcd"), format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"captcha_answer"}


# The page


def test_the_registration_page_offers_a_new_picture_without_reloading(client):
    response = client.get(reverse("register"))

    assert "换一张" in response.text
    assert 'data-refresh-url="/captcha/refresh/"' in response.text
    assert "captcha.js" in response.text


def test_the_refresh_gives_a_new_key_and_picture(client):
    response = client.get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    assert response.status_code == 200
    assert CaptchaStore.objects.filter(hashkey=response.json()["key"]).exists()


def test_a_wrong_answer_on_the_page_says_验证码_and_keeps_what_was_typed(client):
    body = registration() | {
        "password1": CANDIDATE_PASSWORD,
        "password2": CANDIDATE_PASSWORD,
        "id_number_confirm": ID_NUMBER,
        "captcha_0": "f" * 40,
        "captcha_1": "zzzz",
    }

    response = client.post(reverse("register"), body)

    assert response.status_code == 200
    assert WRONG in response.text
    assert 'value="li_si"' in response.text
    assert 'value="li_si@example.com"' in response.text
    assert not User.objects.exists()
