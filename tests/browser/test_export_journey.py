"""A point's staff member exports a long application list: the export runs in the background, its
progress bar stands on the list page, which shows the file's link once the worker has written it, and
the file downloaded is the list. Screenshots of both moments go under test-results/screenshots/."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from review.admin import pages
from review.services.jobs import application_export_run
from review.tasks import run_application_export
from tests.browser.test_backoffice_journey import DESKTOP, SCREENSHOTS, english_on, named, staff_context, submitted
from tests.files.helpers import use_private_storage
from tests.review.conftest import world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_export_shows_its_progress_bar_then_the_file_on_the_list_page(
    world,  # noqa: F811
    browser,
    live_server,
    settings,
    tmp_path,
    monkeypatch,
):
    use_private_storage(settings, tmp_path)
    named(world)
    applications = submitted(world, 3)
    monkeypatch.setattr(pages, "EXPORT_DIRECT_LIMIT", 2)
    # The worker is held back until the test runs the job itself, so the page is seen while it waits.
    queued: list[int] = []
    monkeypatch.setattr(run_application_export, "delay", queued.append)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = staff_context(browser, live_server, world.staff["sh_point"], DESKTOP)
    page.goto(f"{live_server.url}/admin/registration/application/")

    page.get_by_role("button", name="后台导出 Excel").click()

    export = page.locator(".wecan-export")
    expect(export).to_contain_text("排队中 · 0 / 3（0%）")
    expect(export.locator("progress")).to_have_attribute("value", "0")
    expect(export.get_by_role("link")).to_be_hidden()
    assert english_on(page) == set()
    page.screenshot(path=str(SCREENSHOTS / "sh_point-export-waiting-desktop.png"), full_page=True)

    application_export_run(job_id=queued[0])

    # static/job-progress.js asks for the progress and shows the link without a reload.
    link = export.get_by_role("link", name=re.compile("下载"))
    expect(link).to_be_visible(timeout=15_000)
    expect(export).to_contain_text("已完成 · 3 / 3（100%）")
    expect(export.locator("progress")).to_have_js_property("value", 100)
    assert english_on(page) == set()
    page.screenshot(path=str(SCREENSHOTS / "sh_point-export-done-desktop.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {application.number for application in applications}
    page.context.close()
