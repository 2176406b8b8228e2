"""The way through: one 状态信息 sentence with one button to the next step, from the home page on."""

import datetime
import re

import pytest

from registration.models import Application
from registration.windows import deadline_text
from tests.files.helpers import load_shanghai_slots


@pytest.fixture
def browser(client, candidate):
    client.force_login(candidate)
    return client


def status_box(html: str) -> str:
    match = re.search(r'<section class="status-info".*?</section>', html, flags=re.S)
    assert match, "no 状态信息 box"
    return match.group(0)


def next_button(html: str) -> str | None:
    match = re.search(r'href="([^"]+)" data-testid="next-step"', status_box(html))
    return match.group(1) if match else None


def save_all(api, draft, sections):
    for key, body in sections.items():
        assert api.put(f"/api/v1/applications/{draft['id']}/sections/{key}/", body, format="json").status_code == 200


def test_home_after_login_offers_to_continue_at_the_next_step(browser, draft):
    html = browser.get("/").content.decode()
    assert "继续报名" in html
    assert f'href="/applications/{draft["id"]}/sections/site/" data-testid="continue"' in html


def test_home_without_an_application_offers_to_start(browser, exam, shanghai):
    html = browser.get("/").content.decode()
    assert 'href="/exams/" data-testid="continue"' in html


def test_home_for_a_visitor_has_no_continue(client, draft):
    assert 'data-testid="continue"' not in client.get("/").content.decode()


def test_the_status_box_leads_section_by_section_then_to_the_photo(browser, api, draft, sections):
    """Seed 002 (7): after the sections "系统会自动跳转至上传照片页面"."""
    overview = browser.get(f"/applications/{draft['id']}/").content.decode()
    assert "请在" in status_box(overview) and "“考点信息”" in status_box(overview)
    assert next_button(overview) == f"/applications/{draft['id']}/sections/site/"
    save_all(api, draft, sections)
    overview = browser.get(f"/applications/{draft['id']}/").content.decode()
    assert next_button(overview) == f"/applications/{draft['id']}/photo/"


def test_no_button_to_the_page_the_candidate_is_on(browser, draft):
    html = browser.get(f"/applications/{draft['id']}/sections/site/").content.decode()
    assert "状态信息" in html
    assert next_button(html) is None


def test_after_the_photo_an_online_district_goes_to_the_materials(browser, api, draft, sections):
    save_all(api, draft, sections)
    Application.objects.filter(pk=draft["id"]).update(photo_status="accepted")
    html = browser.get(f"/applications/{draft['id']}/").content.decode()
    assert next_button(html) == f"/applications/{draft['id']}/materials/"
    assert "打印报名表" in status_box(html)


def test_submitted_on_site_says_where_to_go_and_by_when(browser, api, exam, beijing, degree, unit):
    response = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "BJ"}, format="json")
    application = Application.objects.get(pk=response.json()["id"])
    Application.objects.filter(pk=application.pk).update(status="submitted")
    html = browser.get(f"/applications/{application.pk}/").content.decode()
    box = status_box(html)
    # Seed 003 line 781: "到所选考点或其下设报名点进行现场确认", or the exam is given up.
    assert "到所选考点或其下设报名点完成报名确认，逾期视为放弃考试" in box
    assert exam.confirmation_deadline.astimezone().strftime("%Y-%m-%d") in box
    assert next_button(html) == f"/applications/{application.pk}/form.pdf"


def test_a_withdrawn_application_may_be_fixed_until_the_confirmation_deadline(client, candidate, draft, exam):
    """Seed 002 line 34: "可在报名确认结束前点击'撤回信息提交'……修改完成后须再次提交"."""
    import time_machine

    from registration.models import ApplicationEvent

    Application.objects.filter(pk=draft["id"]).update(contact_saved_at=None)
    ApplicationEvent.objects.create(application_id=draft["id"], action="withdraw", from_status="submitted")
    with time_machine.travel(exam.registration_closes + datetime.timedelta(hours=1), tick=False):
        client.force_login(candidate)
        box = status_box(client.get(f"/applications/{draft['id']}/").content.decode())

    assert "网上报名已于" not in box
    assert deadline_text(exam.confirmation_deadline) in box


def test_approved_in_an_online_payment_district_goes_to_payment(browser, draft):
    Application.objects.filter(pk=draft["id"]).update(status="approved")
    html = browser.get(f"/applications/{draft['id']}/").content.decode()
    assert "完成网上缴费" in status_box(html)
    assert next_button(html) == f"/applications/{draft['id']}/payment/"


def test_the_status_box_speaks_english(browser, draft):
    browser.cookies["django_language"] = "en"
    box = status_box(browser.get(f"/applications/{draft['id']}/").content.decode())
    assert "Fill in" in box and "Status" in box
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r'"[^"]*"', "", box.split("</h2>")[1].split("<a")[0]))


def test_education_links_to_the_degree_records_and_back(browser, draft, degree):
    section_url = f"/applications/{draft['id']}/sections/education/"
    html = browser.get(section_url).content.decode()
    assert f'href="/accounts/degrees/?next={section_url}"' in html
    degrees = browser.get(f"/accounts/degrees/?next={section_url}").content.decode()
    assert f'href="{section_url}" data-testid="back-to-section"' in degrees
    response = browser.post(
        "/accounts/degrees/",
        {
            "next": section_url,
            "education": "硕士",
            "certificate_number": "102461201505000123",
            "school": "复旦大学",
            "graduation_date": "2015-07-01",
            "training_mode": "全日制",
            "major": "内科学",
            "degree": "硕士",
            "degree_certificate_number": "1024642015000123",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "已添加学历学位信息" in html
    assert f'href="{section_url}" data-testid="back-to-section"' in html


def test_the_degree_page_does_not_link_back_off_site(browser, candidate):
    html = browser.get("/accounts/degrees/?next=https://evil.example/").content.decode()
    assert 'data-testid="back-to-section"' not in html
    assert 'name="next" value="https://evil.example/"' not in html


def test_the_materials_page_offers_the_form_to_print(browser, api, draft, sections, shanghai):
    """Seed 001 三: "系统将跳转至【上传材料】页，点击【打印报名表】按钮"."""
    load_shanghai_slots(shanghai)
    save_all(api, draft, sections)
    Application.objects.filter(pk=draft["id"]).update(photo_status="accepted")
    html = browser.get(f"/applications/{draft['id']}/materials/").content.decode()
    assert f'href="/applications/{draft["id"]}/form.pdf"' in html and "打印报名表" in html


def test_section_pages_after_payment_are_read_only_and_say_so(browser, api, draft, sections):
    save_all(api, draft, sections)
    Application.objects.filter(pk=draft["id"]).update(status="paid")
    html = browser.get(f"/applications/{draft['id']}/sections/contact/").content.decode()
    assert 'data-testid="read-only"' in html and "不能修改" in html
    assert '<fieldset class="plain-fieldset" disabled>' in html
    assert "保存并下一步" not in html


def test_a_disabled_submit_says_why(browser, draft):
    html = browser.get(f"/applications/{draft['id']}/review/").content.decode()
    assert 'disabled aria-describedby="submit-blocked"' in html
    assert 'id="submit-blocked"' in html


def test_month_fields_are_month_pickers(browser, draft):
    html = browser.get(f"/applications/{draft['id']}/sections/exam/").content.decode()
    for name in ("qualification_date", "first_registration_month", "residency_certificate_month"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert tag.startswith('<input type="month"'), tag
        assert tag.count("type=") == 1
