import re

import pytest

from registration.models import Application
from tests.files.helpers import upload_accepted_photo_and_materials, use_private_storage


@pytest.fixture
def browser(client, candidate):
    client.force_login(candidate)
    return client


def page_url(application_id, tail=""):
    return f"/applications/{application_id}/{tail}"


def node_states(html):
    return dict(re.findall(r'data-node="(\w+)" data-state="(\w+)"', html))


def test_flow_from_exam_list_through_the_pledge_to_the_first_section(browser, exam, shanghai):
    html = browser.get("/exams/").content.decode()
    assert exam.name in html
    response = browser.post(f"/exams/{exam.pk}/district/", {"district": "SH"})
    assert response.status_code == 302
    notice_url = response["Location"]
    assert "考生诚信考试承诺书" in browser.get(notice_url).content.decode()

    refused = browser.post(notice_url, {})
    assert "请阅读并勾选同意" in refused.content.decode()
    assert not Application.objects.exists()

    response = browser.post(notice_url, {"pledge": "on"})
    application = Application.objects.get()
    assert application.pledge_accepted_at is not None
    assert response["Location"] == page_url(application.pk, "sections/site/")


def test_section_page_shows_the_nodes_with_their_states(browser, draft):
    html = browser.get(page_url(draft["id"], "sections/site/")).content.decode()
    assert node_states(html) == {
        "fill": "current", "photo": "todo", "materials": "todo", "submit": "todo",
        "confirm": "todo", "review": "todo", "pay": "todo",
    }  # fmt: skip
    assert "保存并下一步" in html


def test_failed_save_keeps_what_was_typed_and_marks_the_fields(browser, draft):
    response = browser.post(
        page_url(draft["id"], "sections/contact/"),
        {"address": "上海市徐汇区漕溪北路1号", "postcode": "2000", "mobile": "1381234"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="上海市徐汇区漕溪北路1号"' in html
    assert 'value="2000"' in html
    assert "邮编应为6位数字。" in html and "手机号码应为以1开头的11位数字。" in html
    assert html.count("field--error") == 2
    assert Application.objects.get().contact_saved_at is None


def test_saving_a_section_goes_to_the_next_one(browser, draft, sections):
    response = browser.post(page_url(draft["id"], "sections/site/"), sections["site"])
    assert response.status_code == 302
    assert response["Location"] == page_url(draft["id"], "sections/basic/")


def test_last_section_goes_to_the_photo_then_review_submit_and_withdraw(
    browser, draft, sections, api, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Seed 002 (7): "以上信息提交后，系统会自动跳转至上传照片页面"."""
    for key, body in sections.items():
        body = {name: ("" if value is None else value) for name, value in body.items()}
        response = browser.post(page_url(draft["id"], f"sections/{key}/"), body)
        assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == page_url(draft["id"], "photo/")
    review = browser.get(page_url(draft["id"], "review/")).content.decode()
    assert "提交报名信息" in review and "尚未填写" not in review
    assert "138****1234" in review and "13812341234" not in review

    use_private_storage(settings, tmp_path)
    upload_accepted_photo_and_materials(api, draft, django_capture_on_commit_callbacks)
    response = browser.post(page_url(draft["id"], "submit/"), follow=True)
    html = response.content.decode()
    assert "报名信息已提交" in html
    assert node_states(html)["submit"] == "done"
    assert Application.objects.get().status == "submitted"

    response = browser.post(page_url(draft["id"], "withdraw/"), follow=True)
    assert "已撤回信息提交" in response.content.decode()
    assert Application.objects.get().status == "draft"


def test_submitting_an_incomplete_application_says_what_is_missing(browser, draft):
    response = browser.post(page_url(draft["id"], "submit/"), follow=True)
    html = response.content.decode()
    assert "报名信息尚未填写完整" in html
    assert "“考点信息”尚未填写。" in html
    assert Application.objects.get().status == "draft"


def test_another_candidates_pages_are_404(client, other_candidate, draft):
    client.force_login(other_candidate)
    for tail in ["", "sections/site/", "review/", "change-district/"]:
        assert client.get(page_url(draft["id"], tail)).status_code == 404
    assert client.post(page_url(draft["id"], "submit/")).status_code == 404


def test_pages_need_a_login(client, draft):
    response = client.get(page_url(draft["id"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_change_district_page_clears_sections(browser, complete, beijing):
    response = browser.post(page_url(complete["id"], "change-district/"), {"district": "BJ"})
    assert response["Location"] == page_url(complete["id"], "sections/site/")
    application = Application.objects.get()
    assert application.district.code == "BJ" and application.site_saved_at is None


BAD_INPUTS = [
    ("contact", {"postcode": "12345a", "mobile": "23812341234"}),
    ("basic", {"gender": "female", "birth_date": "1990-03-07", "nationality": "中国"}),
    (
        "exam",
        {"specialty": "303", "subjects": ["1"], "current_qualification": "医师", "practice_category": "临床执业医师"},
    ),
    ("work", {"unit": "", "unit_affiliation": "中央", "unit_nature": "科研", "years_in_specialty": "2.5"}),
]


@pytest.mark.parametrize(("section", "body"), BAD_INPUTS, ids=[section for section, _ in BAD_INPUTS])
def test_pages_and_api_give_the_same_answers(browser, api, draft, section, body):
    api_fields = api.put(f"/api/v1/applications/{draft['id']}/sections/{section}/", body, format="json").json()[
        "fields"
    ]
    html = browser.post(page_url(draft["id"], f"sections/{section}/"), body).content.decode()
    page_fields = {}
    for name, block in re.findall(r'data-field="(\w+)">(.*?)</div>', html, flags=re.S):
        errors = re.findall(r'<p class="field-error" role="alert">(.*?)</p>', block)
        if errors:
            page_fields[name] = errors
    import html as html_module

    page_fields = {name: [html_module.unescape(text) for text in texts] for name, texts in page_fields.items()}
    assert page_fields == api_fields


def test_pages_say_when_the_window_closed(browser, draft, exam):
    import datetime

    import time_machine

    with time_machine.travel(exam.registration_closes + datetime.timedelta(hours=1)):
        html = browser.get(page_url(draft["id"], "sections/site/")).content.decode()
    assert 'data-testid="window-notice"' in html
    assert "网上报名已于" in html
