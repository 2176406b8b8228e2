"""Browser: follow the address a certificate's QR code carries and see the verification."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.services.certificates import certificate_revoke
from tests.certificates.conftest import csv_bytes, import_csv, sat

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _qr_link(certificate: Certificate) -> str:
    """The address under the QR code in the PDF (the QR image is that link's content)."""
    with certificate.pdf.open("rb") as handle:
        page = PdfReader(handle).pages[0]
        [uri] = {annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]}
    return str(uri)


@pytest.fixture
def certificate(live_server, settings, exams, person) -> Certificate:
    settings.WECAN_PUBLIC_URL = live_server.url
    import_csv(csv_bytes(sat(2023, person.id_number, "303", dict.fromkeys(("1", "2", "3", "4"), 75))))
    return Certificate.objects.get(candidate=person.user)


def test_following_the_qr_link_verifies_the_certificate_and_shows_a_revocation(
    live_server, browser_page, certificate, django_user_model
):
    link = _qr_link(certificate)
    assert link.startswith(live_server.url)

    browser_page.goto(link)
    verdict = browser_page.locator(".verification__verdict")
    assert verdict.inner_text().strip() == "证书有效"
    details = browser_page.locator(".verification dl").inner_text()
    assert "王*明" in details and "内科学" in details and "中级" in details and certificate.number in details
    assert "王小明" not in browser_page.content()

    administrator = django_user_model.objects.create_user(username="exam-admin", password="x", role="administrator")
    certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="证书信息有误")
    browser_page.reload()
    assert verdict.inner_text().strip() == "证书已吊销"


def test_typing_the_code_on_the_verification_page_leads_to_the_result(live_server, browser_page, certificate):
    browser_page.goto(f"{live_server.url}/certificates/verify/")
    browser_page.get_by_label("查验码").fill(certificate.verification_code)
    browser_page.get_by_role("button", name="查验").click()
    browser_page.wait_for_url(f"**/certificates/verify/{certificate.verification_code}/")
    assert browser_page.locator(".verification__verdict").inner_text().strip() == "证书有效"

    browser_page.get_by_label("查验码").fill("no-such-code")
    browser_page.get_by_role("button", name="查验").click()
    browser_page.wait_for_url("**/certificates/verify/no-such-code/")
    assert "未找到" in browser_page.locator(".verification__verdict").inner_text()


def test_the_verification_page_fits_a_phone(live_server, browser, certificate):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(_qr_link(certificate))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
