"""A candidate registers on the page (once refused, then accepted), signs out, and signs in by ID number."""

import pytest
from captcha.conf import settings as captcha_settings
from playwright.sync_api import Page, expect

from registration.models import User

pytestmark = pytest.mark.browser

PASSWORD = "wecan2026pass"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def captcha_test_mode(settings, monkeypatch):
    # django-simple-captcha keeps its own copy of the setting, read at import.
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def fill_passwords_and_captcha(page: Page) -> None:
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.fill('input[name="captcha_1"]', "PASSED")


def test_a_candidate_registers_and_signs_in_again_by_id_number(live_server, browser_page, captcha_test_mode):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/register/")
    expect(page.get_by_role("heading", name="注册考生账号")).to_be_visible()

    page.fill('input[name="username"]', "li_si")
    page.fill('input[name="name"]', "李四")
    page.select_option('select[name="id_type"]', "resident_id")
    page.fill('input[name="id_number"]', "110105194912310021")
    page.fill('input[name="id_number_confirm"]', "110105194912310021")
    page.fill('input[name="email"]', "li_si@example.com")
    page.fill('input[name="mobile"]', "13912345678")
    fill_passwords_and_captcha(page)
    page.get_by_role("button", name="注册", exact=True).click()

    expect(page.locator(".field--error")).to_contain_text("证件号码校验位不正确，请核对。")
    expect(page.locator('input[name="username"]')).to_have_value("li_si")
    expect(page.locator('input[name="password1"]')).to_have_value("")

    page.fill('input[name="id_number"]', ID_NUMBER.lower())
    page.fill('input[name="id_number_confirm"]', ID_NUMBER)
    fill_passwords_and_captcha(page)
    page.get_by_role("button", name="注册", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".site-nav__user")).to_have_text("李四")
    assert User.objects.get(username="li_si").id_number_masked == "1101**********002X"

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或证件号码").fill(ID_NUMBER.lower())
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".site-nav__user")).to_have_text("李四")


def test_the_captcha_refresh_shows_a_new_picture_and_keeps_what_was_typed(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/register/")
    page.fill('input[name="username"]', "li_si")
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="captcha_1"]', "abcd")
    key_before = page.locator('input[name="captcha_0"]').input_value()
    picture_before = page.locator("img.captcha__image").get_attribute("src")

    page.get_by_role("button", name="换一张").click()

    expect(page.locator('input[name="captcha_0"]')).not_to_have_value(key_before)
    expect(page.locator("img.captcha__image")).not_to_have_attribute("src", picture_before)
    expect(page.locator('input[name="captcha_1"]')).to_have_value("")
    expect(page.locator('input[name="username"]')).to_have_value("li_si")
    expect(page.locator('input[name="password1"]')).to_have_value(PASSWORD)


def test_a_wrong_captcha_on_the_page_says_验证码(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/register/")
    page.fill('input[name="username"]', "li_si")
    fill_passwords_and_captcha(page)  # "PASSED" is wrong outside the captcha's test mode
    page.get_by_role("button", name="注册", exact=True).click()

    expect(page.locator(".field--error").filter(has=page.locator("img.captcha__image"))).to_contain_text(
        "验证码不正确"
    )
    expect(page.locator('input[name="username"]')).to_have_value("li_si")
