"""The candidate's pages: the 打印报名表 button, and the page it leads to (PDF, waiting page, or why not)."""

from __future__ import annotations

import pytest

from certificates.models import ApplicationDocument, DocumentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_client(client, candidate):
    client.force_login(candidate)
    return client


def test_the_overview_and_review_pages_offer_printing_once_the_photo_is_accepted(browser_client, complete):
    for path in ["", "review/"]:
        page = browser_client.get(f"/applications/{complete['id']}/{path}").content.decode()
        assert "打印报名表" in page
        assert f'href="/applications/{complete["id"]}/form.pdf"' in page
        assert f'data-document-api="/api/v1/applications/{complete["id"]}/form.pdf"' in page
        assert "documents.js" in page
        assert "打印准考证" not in page  # not paid


def test_without_a_photo_there_is_no_print_button(browser_client, draft):
    assert "打印报名表" not in browser_client.get(f"/applications/{draft['id']}/").content.decode()


def test_a_paid_candidate_is_offered_the_admission_ticket(browser_client, paid):
    page = browser_client.get(f"/applications/{paid['id']}/").content.decode()
    assert f'href="/applications/{paid["id"]}/admission-ticket.pdf"' in page


def test_the_page_answers_the_pdf_when_it_is_ready(browser_client, complete):
    response = browser_client.get(f"/applications/{complete['id']}/form.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_while_rendering_the_page_waits_and_asks_again(browser_client, complete, django_capture_on_commit_callbacks):
    ApplicationDocument.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        response = browser_client.get(f"/applications/{complete['id']}/form.pdf")
    assert response.status_code == 202
    assert response["Retry-After"] == "2"
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "报名申请表正在生成" in page
    assert ApplicationDocument.objects.get().status == DocumentStatus.RENDERING


def test_when_the_form_cannot_be_made_the_page_says_why(browser_client, draft):
    response = browser_client.get(f"/applications/{draft['id']}/form.pdf")
    assert response.status_code == 409
    page = response.content.decode()
    assert "报名信息填写完整、照片检查合格后才能打印报名表。" in page
    assert "“基本信息”尚未填写。" in page


def test_another_candidates_form_page_is_not_found(client, other_candidate, complete):
    client.force_login(other_candidate)
    assert client.get(f"/applications/{complete['id']}/form.pdf").status_code == 404


def test_staff_are_refused_and_visitors_sent_to_log_in(client, complete, shanghai):
    from registration.models import User

    response = client.get(f"/applications/{complete['id']}/form.pdf")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(
        User.objects.create_user(username="sh_site", password="x", role="district_reviewer", district=shanghai)
    )
    assert client.get(f"/applications/{complete['id']}/form.pdf").status_code == 403


def test_the_ticket_page_answers_the_ticket_once_paid(browser_client, paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = browser_client.get(f"/applications/{paid['id']}/admission-ticket.pdf")
    assert first.status_code == 202
    assert browser_client.get(f"/applications/{paid['id']}/admission-ticket.pdf").status_code == 200
