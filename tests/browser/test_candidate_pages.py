"""Every candidate page at desktop (1366×900) and phone (390×844) size, in Chinese and English:
axe-core finds no WCAG 2.1 A/AA violation, English pages show no full-width colon, and a
screenshot of each is saved under test-results/screenshots/candidate/ (README, "Screenshots")."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, Page

from registration.services.applications import application_submit, transition
from registration.workflow import Action
from tests.applications.conftest import token_client, valid_sections
from tests.files.helpers import load_shanghai_slots, upload_accepted_photo_and_materials, use_private_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots" / "candidate"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE = Axe()


class NoCapture:
    """Tasks queued on commit run at once here: the test commits, so they already ran."""

    def __call__(self, execute: bool = False):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def world(settings, tmp_path, live_server, exam, shanghai, unit, candidate, degree):
    """A candidate with a draft ready to submit, and one approved application to pay for."""
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.ALIPAY_APP_ID = ""
    settings.PAYMENTS_PUBLIC_URL = live_server.url
    use_private_storage(settings, tmp_path / "private")
    load_shanghai_slots(shanghai)
    api = token_client(candidate)
    body = {"exam": exam.pk, "district": "SH", "pledge_accepted": True}
    draft = api.post("/api/v1/applications/", body, format="json").json()
    for key, body in valid_sections(district_code="SH", degree_id=degree.pk, unit_id=unit.pk).items():
        assert api.put(f"/api/v1/applications/{draft['id']}/sections/{key}/", body, format="json").status_code == 200
    upload_accepted_photo_and_materials(api, draft, NoCapture())
    return {"url": live_server.url, "draft": draft["id"], "candidate": candidate, "exam": exam}


def _pages(world) -> dict[str, str]:
    application = world["draft"]
    pages = {
        "home": "/",
        "exams": "/exams/",
        "district": f"/exams/{world['exam'].pk}/district/",
        "notice": f"/exams/{world['exam'].pk}/district/SH/notice/",
        "overview": f"/applications/{application}/",
        **{f"section-{key}": f"/applications/{application}/sections/{key}/" for key in (
            "site", "basic", "contact", "exam", "education", "work")},
        "photo": f"/applications/{application}/photo/",
        "materials": f"/applications/{application}/materials/",
        "review": f"/applications/{application}/review/",
        "change-district": f"/applications/{application}/change-district/",
        "degrees": "/accounts/degrees/",
        "scores": "/scores/",
        "certificates": "/certificates/",
        "reminders": "/reminders/",
    }  # fmt: skip
    return pages


def _language_code(language: str) -> str:
    return "zh-hans" if language == "zh" else "en"


def _signed_in(browser: Browser, world, size: str, language: str) -> Page:
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN" if language == "zh" else "en-US")
    session = Client()
    session.force_login(world["candidate"])
    session_key = session.cookies[django_settings.SESSION_COOKIE_NAME].value
    cookies = [
        {"name": django_settings.SESSION_COOKIE_NAME, "value": session_key},
        {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": _language_code(language)},
    ]
    context.add_cookies([{**cookie, "url": world["url"]} for cookie in cookies])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _check(page: Page, name: str, size: str, language: str, problems: list[str]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}-{language}.png"), full_page=True)
    results = AXE.run(page, options=WCAG_21_AA)
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{name} {size} {language}: {violation['id']} ({violation['help']}) at {targets}")
    if language == "en":
        text = page.locator("main").inner_text()
        if "：" in text:
            problems.append(f"{name} {size} {language}: a full-width colon in English: {text[:300]!r}")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_candidate_pages_pass_axe_and_are_photographed(browser, world, size, language):
    problems: list[str] = []
    page = _signed_in(browser, world, size, language)
    for name, path in _pages(world).items():
        response = page.goto(world["url"] + path)
        assert response is not None and response.status == 200, (name, response and response.status)
        _check(page, name, size, language, problems)

    # Submitted, then approved: the overview with its next step, and the payment page.
    application = world["draft"]
    application_submit(application_id=application, actor=world["candidate"])
    for action in (Action.CONFIRM, Action.APPROVE_SITE, Action.APPROVE_DISTRICT):
        transition(application_id=application, action=action, actor=None, reason="测试审核")
    base = f"/applications/{application}/"
    approved = {"overview-approved": base, "payment": f"{base}payment/"}
    for name, path in approved.items():
        page.goto(world["url"] + path)
        _check(page, name, size, language, problems)
    page.context.close()

    # Pages before sign-in.
    context = page.context.browser.new_context(viewport=SIZES[size])
    anonymous = context.new_page()
    anonymous.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": _language_code(language), "url": world["url"]}]
    )
    public = {"public-home": "/", "login": "/accounts/login/", "register": "/accounts/register/"}
    for name, path in {**public, "verify": "/certificates/verify/"}.items():
        anonymous.goto(world["url"] + path)
        _check(anonymous, name, size, language, problems)
    context.close()
    assert not problems, "\n".join(problems)
