"""Staff walk through their queues in a real browser: the point confirms online (20 applications, counting
the actions per decision) and by scanning the form, the site and the district review, finance resolves a
discrepancy. Every staff page is checked for English in Chinese mode (visible text and accessible names),
for fitting 1366 px, and saved as a screenshot at desktop and tablet size under test-results/screenshots/.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from payments.models import Discrepancy, DiscrepancyKind, DiscrepancyStatus
from registration.models import Application, User
from tests.files.helpers import upload_accepted_photo_and_materials, use_private_storage
from tests.review.conftest import World, token_client, world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 1024, "height": 768}
# Names of file formats and encodings, not English the staff member has to read.
ALLOWED_WORDS = {"CSV", "XLSX", "Excel", "GBK"}
EMAIL = re.compile(r"\S+@\S+")

# Visible text and accessible names (aria-label, alt, title, placeholder, value of buttons), leaving out
# what is marked as another language (the English switch), the signed-in user's name and a stored
# password's hash (its algorithm's own notation, shown to a superuser).
VISIBLE_WORDS = """() => {
  const words = [];
  const skip = (el) => el.closest(
    '[lang="en"], #user-tools strong, .field-password bdi, script, style, noscript, [hidden]'
  );
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const shown = box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
    // Visually hidden headings are read out by screen readers: they count too.
    if (shown || el.closest('.visually-hidden')) words.push(node.textContent);
  }
  const named = '[aria-label], [alt], [title], [placeholder], input[type=submit], input[type=button]';
  for (const el of document.querySelectorAll(named)) {
    if (skip(el)) continue;
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      if (el.getAttribute(name)) words.push(el.getAttribute(name));
    }
    if (el.type === 'submit' || el.type === 'button') words.push(el.value);
  }
  return words.join(' ');
}"""


def english_on(page: Page) -> set[str]:
    # A candidate's e-mail address is data, not the page's language.
    text = EMAIL.sub(" ", page.evaluate(VISIBLE_WORDS))
    return set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_WORDS


def staff_context(browser: Browser, live_server, user: User, viewport: dict[str, int]) -> Page:
    session = Client()
    session.force_login(user)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": session.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def open_as(browser, live_server) -> Iterator:
    pages: list[Page] = []

    def open_page(user: User, viewport: dict[str, int] = DESKTOP) -> Page:
        page = staff_context(browser, live_server, user, viewport)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


def named(people: World) -> World:
    for username, name in [
        ("sh_point", "张三"),
        ("sh_site", "李四"),
        ("sh_district", "王五"),
        ("sh_finance", "赵六"),
        ("bj_point", "钱七"),
    ]:
        User.objects.filter(username=username).update(name=name)
        people.staff[username].refresh_from_db()
    return people


def submitted(place: World, count: int, **fields) -> list[Application]:
    start = timezone.now() - datetime.timedelta(days=3)
    return [
        place.make_application(submitted_at=start + datetime.timedelta(minutes=index), **fields)
        for index in range(count)
    ]


def decide_with_keys(page: Page, keys: list[str]) -> None:
    """Presses the keys of one decision and waits until the desk has moved on."""
    page.wait_for_load_state()
    before = page.url
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_url(lambda url: url != before)
    page.wait_for_load_state()


def test_the_point_confirms_twenty_applications_from_its_queue_in_at_most_three_actions_each(
    world,  # noqa: F811
    open_as,
    live_server,
):
    """Seed 002: 报名点 confirm the submitted applications online; each decision from the desk takes at most
    three actions and the next application of the queue opens by itself."""
    named(world)
    applications = submitted(world, 20)
    page = open_as(world.staff["sh_point"])

    page.goto(f"{live_server.url}/admin/")
    expect(page.locator('[data-queue="confirm"] .wecan-queue__count')).to_have_text("20")
    page.locator('[data-queue="confirm"] a').click()
    page.get_by_role("link", name=applications[0].number).click()
    expect(page.locator("[data-desk]")).to_contain_text("1 / 20")

    actions = []
    for index in range(20):
        # Every fifth one is rejected: the reason (key 4, 材料不清晰), then R.
        keys = ["4", "r"] if index % 5 == 0 else ["a"]
        decide_with_keys(page, keys)
        actions.append(len(keys))

    assert max(actions) <= 3
    assert sum(actions) == 24  # 16 confirmed with one key, 4 rejected with two
    statuses = list(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("status", flat=True))
    assert statuses.count("confirmed") == 16 and statuses.count("confirmation_rejected") == 4
    expect(page.get_by_text("队列中已没有待处理的报名信息。")).to_be_visible()
    history = Application.objects.get(pk=applications[0].pk).events.get(action="reject_confirmation")
    assert history.reason == "材料不清晰"


def test_the_point_confirms_at_the_desk_by_scanning_the_form(world, open_as, live_server):  # noqa: F811
    named(world)
    current = world.make_application(point=world.bj1)
    page = open_as(world.staff["bj_point"])

    page.goto(f"{live_server.url}/admin/registration/application/confirm-by-code/")
    scan = page.get_by_label("扫描条形码")
    expect(scan).to_be_focused()
    # A scanner types the barcode and presses Enter: one action.
    scan.fill(f"{current.number}{current.verification_code}")
    scan.press("Enter")

    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "current")
    expect(verdict).to_contain_text("报名表有效，已确认")
    expect(verdict).to_contain_text(current.candidate.name)

    page.get_by_label("扫描条形码").fill(f"{current.number}0000000")
    page.get_by_label("扫描条形码").press("Enter")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "unknown")
    expect(page.locator("[data-verdict]")).to_contain_text("无法确认")


def test_the_site_and_then_the_district_review_with_the_keyboard(world, open_as, live_server):  # noqa: F811
    """Seed 000: 资格审核 is done first by the site (考点初审), then by the district (考区终审)."""
    named(world)
    confirmed = submitted(world, 3, status="confirmed")

    site = open_as(world.staff["sh_site"])
    site.goto(f"{live_server.url}/admin/")
    site.locator('[data-queue="review_site"] a').click()
    site.get_by_role("link", name=confirmed[0].number).click()
    for _ in confirmed:
        decide_with_keys(site, ["a"])
    assert set(Application.objects.filter(pk__in=[a.pk for a in confirmed]).values_list("status", flat=True)) == {
        "site_approved"
    }

    district = open_as(world.staff["sh_district"])
    district.goto(f"{live_server.url}/admin/")
    expect(district.locator('[data-queue="review_district"] .wecan-queue__count')).to_have_text("3")
    district.locator('[data-queue="review_district"] a').click()
    district.get_by_role("link", name=confirmed[0].number).click()
    decide_with_keys(district, ["a"])
    decide_with_keys(district, ["1", "r"])
    decide_with_keys(district, ["a"])

    statuses = sorted(Application.objects.filter(pk__in=[a.pk for a in confirmed]).values_list("status", flat=True))
    assert statuses == ["approved", "approved", "review_rejected"]
    page_text = district.goto(f"{live_server.url}/admin/registration/application/{confirmed[1].pk}/change/").text()
    assert "王五（考区）考区终审不通过：学历不符" in page_text


def test_finance_resolves_a_discrepancy_from_its_queue(world, open_as, live_server):  # noqa: F811
    named(world)
    discrepancy = Discrepancy.objects.create(
        district=world.sh,
        kind=DiscrepancyKind.MISSING_HERE,
        order_number="20261129000001",
        gateway_trade_no="T-20261129-1",
    )
    page = open_as(world.staff["sh_finance"])

    page.goto(f"{live_server.url}/admin/")
    expect(page.locator('[data-queue="discrepancies"] .wecan-queue__count')).to_have_text("1")
    page.locator('[data-queue="discrepancies"] a').click()
    page.locator(f'input[name="_selected_action"][value="{discrepancy.pk}"]').check()
    page.locator('select[name="action"]').select_option("resolve")
    page.locator('button[name="index"]').click()
    page.get_by_label("说明").fill("考生已线下退款，平台记录一致")
    page.get_by_role("button", name="确定").click()

    expect(page.locator(".messagelist")).to_contain_text("已处理 1 项")
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.RESOLVED


STAFF_PAGES = [
    ("sh_point", "home", "/admin/"),
    ("sh_point", "applications", "/admin/registration/application/"),
    ("sh_point", "desk", "/admin/registration/application/{application}/change/"),
    ("sh_point", "confirm-by-code", "/admin/registration/application/confirm-by-code/"),
    ("sh_point", "dashboard", "/admin/registration/application/dashboard/"),
    ("sh_point", "jobs", "/admin/review/job/"),
    ("sh_site", "home", "/admin/"),
    ("sh_site", "desk", "/admin/registration/application/{confirmed}/change/"),
    ("sh_district", "home", "/admin/"),
    ("sh_district", "applications", "/admin/registration/application/"),
    ("sh_finance", "home", "/admin/"),
    ("sh_finance", "orders", "/admin/payments/order/"),
    ("sh_finance", "payments", "/admin/payments/payment/"),
    ("sh_finance", "statements", "/admin/payments/statement/"),
    ("sh_finance", "statement-upload", "/admin/payments/statement/add/"),
    ("sh_finance", "discrepancies", "/admin/payments/discrepancy/"),
    ("sh_finance", "daily-totals", "/admin/payments/order/daily-totals/"),
]


def test_every_staff_page_is_in_chinese_fits_the_screen_and_is_saved_as_screenshots(
    world,  # noqa: F811
    browser,
    live_server,
):
    named(world)
    application = submitted(world, 3)[0]
    confirmed = world.make_application(status="confirmed")
    Discrepancy.objects.create(
        district=world.sh, kind=DiscrepancyKind.MISSING_HERE, order_number="20261129000002", gateway_trade_no="T-2"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, set[str]] = {}
    too_wide: dict[str, int] = {}
    for username, name, path in STAFF_PAGES:
        url = live_server.url + path.format(application=application.pk, confirmed=confirmed.pk)
        for label, viewport in (("desktop", DESKTOP), ("tablet", TABLET)):
            page = staff_context(browser, live_server, world.staff[username], viewport)
            response = page.goto(url)
            assert response is not None and response.status == 200, (username, path)
            english = english_on(page)
            if english:
                found[f"{username} {name} {label}"] = english
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide[f"{username} {name} {label}"] = width
            page.screenshot(path=str(SCREENSHOTS / f"{username}-{name}-{label}.png"), full_page=True)
            page.context.close()

    assert found == {}, found
    assert too_wide == {}, too_wide


def test_the_desk_shows_the_photo_and_every_material_full_size_turned_and_zoomed(
    world,  # noqa: F811
    open_as,
    live_server,
    settings,
    tmp_path,
):
    """Phone scans arrive sideways: the reviewer turns and zooms a material without leaving the desk."""
    use_private_storage(settings, tmp_path / "private")
    application = world.make_application(status="draft")
    upload_accepted_photo_and_materials(
        token_client(application.candidate), {"id": application.pk}, lambda execute: nullcontext()
    )
    # Test setup: submitted as the candidate would, the upload pipeline being what this test is about.
    Application.objects.filter(pk=application.pk).update(status="submitted")
    page = open_as(world.staff["sh_point"])

    page.goto(f"{live_server.url}/admin/registration/application/{application.pk}/change/")
    photo = page.get_by_alt_text("考生照片")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0

    page.locator("a.review-file").first.click()
    viewer = page.locator("[data-viewer]")
    expect(viewer).to_be_visible()
    image = viewer.locator("[data-viewer-image]")
    assert image.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
    viewer.get_by_role("button", name="向右旋转").click()
    page.keyboard.press("+")
    assert image.evaluate("image => image.style.transform") == "rotate(90deg) scale(1.25)"
    page.keyboard.press("q")
    page.keyboard.press("-")
    assert image.evaluate("image => image.style.transform") == "rotate(0deg) scale(1)"
    page.screenshot(path=str(SCREENSHOTS / "sh_point-material-viewer-desktop.png"))
    viewer.get_by_role("button", name="关闭").click()
    expect(viewer).to_be_hidden()
