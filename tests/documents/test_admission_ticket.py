"""The admission ticket (准考证): for a paid application inside the ticket window, with the subjects'
times derived from the subject rows, the site, a QR code and the candidate rules."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certificates.selectors.documents import exam_sessions
from registration.models import Exam, Subject
from registration.services.applications import application_submit
from tests.documents.conftest import TICKET, fetch_pdf, page_barcodes, pdf_text

pytestmark = pytest.mark.django_db


def test_a_paid_candidate_gets_the_ticket_with_number_name_masked_id_subjects_times_and_site(
    api, paid, candidate, exam, tmp_path, django_capture_on_commit_callbacks
):
    pdf = fetch_pdf(api, TICKET.format(id=paid["id"]), django_capture_on_commit_callbacks)
    text = pdf_text(pdf)
    ticket_number = f"{exam.year}{paid['number']}"
    exam_day = f"{exam.exam_date.year}年{exam.exam_date.month}月{exam.exam_date.day}日"
    for expected in [
        f"{exam.year}年度卫生专业技术资格考试准考证",
        ticket_number,
        candidate.name,
        candidate.id_number_masked,
        "内科学（303）",
        "中级",
        "上海第一考点",
        f"基础知识 {exam_day} 08:30–10:00",
        f"相关专业知识 {exam_day} 10:45–12:15",
        f"专业知识 {exam_day} 14:00–15:30",
        f"专业实践能力 {exam_day} 16:15–17:45",
        "考生须知",
    ]:
        assert expected in text, expected
    assert "11010119900307123" not in text.replace(" ", "")
    assert page_barcodes(pdf, tmp_path).get("QRCode") == ticket_number


def test_the_times_follow_the_subject_rows_minutes(api, paid, exam, django_capture_on_commit_callbacks):
    Subject.objects.filter(code="1").update(minutes=120)
    text = pdf_text(fetch_pdf(api, TICKET.format(id=paid["id"]), django_capture_on_commit_callbacks))
    assert "08:30–10:30" in text
    assert "11:15–12:45" in text
    assert "14:00–15:30" in text


def test_the_exam_day_puts_two_subjects_in_each_half_day_and_a_fifth_on_the_next_day():
    subjects = [Subject(code=str(code), name=f"科目{code}", minutes=90) for code in (5, 3, 1, 2, 4)]
    day = datetime.date(2026, 4, 11)
    sessions = exam_sessions(exam_date=day, subjects=subjects)
    assert [(s.code, s.date, f"{s.starts:%H:%M}", f"{s.ends:%H:%M}") for s in sessions] == [
        ("1", day, "08:30", "10:00"),
        ("2", day, "10:45", "12:15"),
        ("3", day, "14:00", "15:30"),
        ("4", day, "16:15", "17:45"),
        ("5", day + datetime.timedelta(days=1), "08:30", "10:00"),
    ]


def test_only_the_subjects_taken_are_on_the_ticket(
    api, complete, sections, candidate, django_capture_on_commit_callbacks
):
    from tests.documents.conftest import pay

    body = {**sections["exam"], "subjects": ["2", "4"]}
    assert api.put(f"/api/v1/applications/{complete['id']}/sections/exam/", body, format="json").status_code == 200
    application_submit(application_id=complete["id"], actor=candidate)
    pay(complete["id"])
    text = pdf_text(fetch_pdf(api, TICKET.format(id=complete["id"]), django_capture_on_commit_callbacks))
    assert "相关专业知识" in text
    assert "专业实践能力" in text
    assert "基础知识" not in text


def test_before_payment_the_ticket_is_refused(api, complete):
    response = api.get(TICKET.format(id=complete["id"]))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert "缴费成功后才能打印准考证" in response.json()["message"]


@pytest.mark.parametrize(
    ("opens", "closes", "says"), [(1, 10, "尚未开始"), (-10, -1, "已于")], ids=["not yet open", "closed"]
)
def test_outside_the_ticket_window_the_ticket_is_refused(api, paid, exam, opens, closes, says):
    now = timezone.now()
    Exam.objects.filter(pk=exam.pk).update(
        ticket_opens=now + datetime.timedelta(days=opens), ticket_closes=now + datetime.timedelta(days=closes)
    )
    response = api.get(TICKET.format(id=paid["id"]))
    assert response.status_code == 423
    assert response.json()["code"] == "window_closed"
    assert says in response.json()["message"]


def test_another_candidates_ticket_is_not_found(other_api, paid):
    assert other_api.get(TICKET.format(id=paid["id"])).status_code == 404


def test_a_changed_exam_date_gives_a_new_ticket(api, paid, exam, django_capture_on_commit_callbacks):
    url = TICKET.format(id=paid["id"])
    fetch_pdf(api, url, django_capture_on_commit_callbacks)
    later = exam.exam_date + datetime.timedelta(days=7)
    Exam.objects.filter(pk=exam.pk).update(exam_date=later)
    with django_capture_on_commit_callbacks(execute=False) as renders:
        assert api.get(url).status_code == 202  # the old date is never served
    for render in renders:
        render()
    text = pdf_text(fetch_pdf(api, url, django_capture_on_commit_callbacks))
    assert f"{later.year}年{later.month}月{later.day}日" in text
