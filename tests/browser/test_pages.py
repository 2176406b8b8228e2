import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

STEPS_IN_CHINESE = ["填写/修改报考信息", "上传照片", "上传材料", "提交信息", "报名确认", "资格审核", "缴费"]
STEPS_IN_ENGLISH = [
    "Fill in / edit application",
    "Upload photo",
    "Upload materials",
    "Submit",
    "Registration confirmation",
    "Qualification review",
    "Payment",
]


def step_labels(page) -> list[str]:
    return [label.strip() for label in page.locator(".steps .step__label").all_inner_texts()]


def test_home_page_shows_the_seven_steps_in_order(live_server, browser_page):
    browser_page.goto(live_server.url)

    assert step_labels(browser_page) == STEPS_IN_CHINESE
    assert browser_page.locator("html").get_attribute("lang") == "zh-hans"


def test_switching_to_english_shows_the_home_page_in_english_and_back(live_server, browser_page):
    browser_page.goto(live_server.url)

    browser_page.get_by_role("button", name="English").click()
    browser_page.wait_for_load_state()

    assert step_labels(browser_page) == STEPS_IN_ENGLISH
    assert browser_page.locator("html").get_attribute("lang") == "en"
    assert browser_page.get_by_role("link", name="Log in").first.is_visible()

    browser_page.get_by_role("button", name="简体中文").click()
    browser_page.wait_for_load_state()

    assert step_labels(browser_page) == STEPS_IN_CHINESE


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_home_page_fits_a_phone_screen_without_horizontal_scrolling(live_server, browser, language):
    # Not is_mobile: a mobile viewport widens itself to fit overflowing content, hiding the overflow.
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(live_server.url)

        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("window.innerWidth") == PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
