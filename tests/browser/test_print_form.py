"""A candidate prints the application form (打印报名表) from the application pages and gets the PDF."""

import io

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from certificates.models import ApplicationDocument
from registration.services.applications import application_create
from tests.applications.conftest import (  # noqa: F401  (fixtures)
    candidate,
    degree,
    exam,
    shanghai,
    token_client,
    unit,
    valid_sections,
)
from tests.files.helpers import put_photo, use_private_storage
from tests.files.images import photo_jpeg

pytestmark = pytest.mark.browser


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名或证件号码").fill("zhangsan")
    page.fill('input[name="password"]', "secret-pass-1")
    page.get_by_role("button", name="登录", exact=True).click()


@pytest.fixture
def application(settings, tmp_path, exam, shanghai, candidate, degree, unit):  # noqa: F811
    """Every section saved and the photo accepted (through the API): the form can be printed."""
    use_private_storage(settings, tmp_path / "private")
    api = token_client(candidate)
    application = application_create(candidate=candidate, exam=exam, district=shanghai, pledge_accepted=True)
    for key, body in valid_sections(district_code="SH", degree_id=degree.pk, unit_id=unit.pk).items():
        assert api.put(f"/api/v1/applications/{application.pk}/sections/{key}/", body, format="json").status_code == 200
    assert put_photo(api, application.pk, photo_jpeg()).status_code == 202
    application.refresh_from_db()
    return application


@pytest.mark.parametrize("page_path", ["", "review/"], ids=["overview", "review"])
def test_the_print_button_gives_the_pdf_of_the_current_code(live_server, browser_page, application, page_path):
    # No cached form yet: the button's request has it rendered (in-process here, by a worker in production).
    ApplicationDocument.objects.all().delete()
    page = browser_page
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/applications/{application.pk}/{page_path}")
    # The script asks the API until the PDF is there, then opens the page's PDF (the browser's viewer).
    pdf_url = f"{live_server.url}/applications/{application.pk}/form.pdf"
    with page.expect_response(pdf_url) as opened:
        page.get_by_role("link", name="打印报名表").click()
    response = opened.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    expect(page).to_have_url(pdf_url)
    # The viewer holds the document; the same URL in this browser session gives its bytes.
    data = page.context.request.get(pdf_url).body()
    assert data.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert f"网报号：{application.number}" in text
    assert f"验证码：{application.verification_code}" in text


def test_the_print_button_says_why_the_form_cannot_be_printed_yet(live_server, browser_page, application):
    application.work_saved_at = None
    application.save(update_fields=["work_saved_at"])
    page = browser_page
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    page.get_by_role("link", name="打印报名表").click()
    status = page.get_by_test_id("document-status")
    expect(status).to_contain_text("报名信息填写完整、照片检查合格后才能打印报名表。")
    expect(status).to_contain_text("“工作情况”尚未填写。")
