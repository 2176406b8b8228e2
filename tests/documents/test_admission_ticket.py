"""The admission ticket (准考证): for a paid application inside the ticket window, with the subjects'
times from the exam's timetable, the site, once arranged the venue, its address, the room and the
seat, a QR code and the candidate rules."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certificates.models import ExamSession, Room, SpecialtyExamDay, Venue
from certificates.services.arrangement import arrangement_run, arrangement_start
from registration.choices import Role
from registration.models import Exam, Site, Specialty, Subject
from registration.services.applications import application_submit
from registration.services.staff import staff_user_upsert
from tests.applications.conftest import resident_id
from tests.documents.conftest import TICKET, fetch_pdf, page_barcodes, pdf_text

FULL_ID_NUMBER = resident_id("11010119900307123")

pytestmark = pytest.mark.django_db

# Seed 003 lines 862–866, as reference/timetable.csv gives them.
SEED_TIMETABLE = (("1", "08:30", "10:00"), ("2", "10:45", "12:15"), ("3", "14:00", "15:30"), ("4", "16:15", "17:45"))


@pytest.fixture(autouse=True)
def timetable(exam):
    for code, starts, ends in SEED_TIMETABLE:
        ExamSession.objects.create(
            exam=exam,
            subject=Subject.objects.get(code=code),
            starts=datetime.time.fromisoformat(starts),
            ends=datetime.time.fromisoformat(ends),
        )


def test_a_paid_candidate_gets_the_ticket_with_number_name_full_id_subjects_times_and_site(
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
        FULL_ID_NUMBER,
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
    # The printed ticket carries the full ID number, which the site checks against the ID card (issue 19).
    assert candidate.id_number_masked not in text
    assert page_barcodes(pdf, tmp_path).get("QRCode") == ticket_number


def test_the_times_follow_the_exams_timetable(api, paid, exam, django_capture_on_commit_callbacks):
    url = TICKET.format(id=paid["id"])
    fetch_pdf(api, url, django_capture_on_commit_callbacks)
    ExamSession.objects.filter(exam=exam, subject__code="1").update(
        starts=datetime.time(8, 0), ends=datetime.time(10, 0)
    )
    text = pdf_text(fetch_pdf(api, url, django_capture_on_commit_callbacks))
    assert "08:00–10:00" in text
    assert "10:45–12:15" in text


def test_a_specialty_sitting_on_another_day_has_that_day_on_its_ticket(
    api, paid, exam, django_capture_on_commit_callbacks
):
    later = exam.exam_date + datetime.timedelta(days=1)
    SpecialtyExamDay.objects.create(exam=exam, specialty=Specialty.objects.get(code="303"), date=later)
    text = pdf_text(fetch_pdf(api, TICKET.format(id=paid["id"]), django_capture_on_commit_callbacks))
    assert f"基础知识 {later.year}年{later.month}月{later.day}日 08:30–10:00" in text


def test_without_a_timetable_the_ticket_says_the_times_follow(api, paid, exam, django_capture_on_commit_callbacks):
    ExamSession.objects.filter(exam=exam).delete()
    text = pdf_text(fetch_pdf(api, TICKET.format(id=paid["id"]), django_capture_on_commit_callbacks))
    assert "考试时间另行公布" in text
    assert "08:30" not in text


def test_once_arranged_the_ticket_prints_venue_address_room_and_seat(
    api, paid, exam, django_capture_on_commit_callbacks
):
    url = TICKET.format(id=paid["id"])
    before = pdf_text(fetch_pdf(api, url, django_capture_on_commit_callbacks))
    assert "考场尚未编排" in before
    venue = Venue.objects.create(
        site=Site.objects.get(code="SH0101"), name="上海医学考试中心", address="上海市徐汇区医学院路138号"
    )
    Room.objects.create(venue=venue, name="第07考场", seats=30)
    administrator = staff_user_upsert(username="boss", role=Role.ADMINISTRATOR, scope=None, password="staff-pass-2026")
    with django_capture_on_commit_callbacks(execute=False):
        job = arrangement_start(actor=administrator, exam_id=exam.pk, district_code=None)
    arrangement_run(job_id=job.pk)

    text = pdf_text(fetch_pdf(api, url, django_capture_on_commit_callbacks))

    for expected in ["上海医学考试中心", "上海市徐汇区医学院路138号", "第07考场", "座位号 01"]:
        assert expected in text, expected
    assert "考场尚未编排" not in text


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


def test_before_the_window_the_ticket_page_says_when_it_opens(client, candidate, paid, exam):
    """Seed 003 line 876: "一般为考前一周开放打印准考证" — the ticket is printed in a window before the exam."""
    opens = timezone.now() + datetime.timedelta(days=3)
    Exam.objects.filter(pk=exam.pk).update(ticket_opens=opens, ticket_closes=opens + datetime.timedelta(days=7))
    client.force_login(candidate)

    response = client.get(f"/applications/{paid['id']}/admission-ticket.pdf")

    assert response.status_code == 423
    local = timezone.localtime(opens)
    assert f"准考证打印尚未开始，开始时间为{local:%Y-%m-%d %H:%M}" in response.content.decode()


def test_an_approved_candidate_of_a_district_without_online_payment_gets_the_ticket(
    api, complete, candidate, shanghai, django_capture_on_commit_callbacks
):
    """Seed 002 line 47: "未开通网上缴费的考区,【资格审核】节点变为绿色即表示报名成功。" """
    from registration.services.applications import transition
    from registration.workflow import Action

    shanghai.online_payment = False
    shanghai.save()
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application_id=complete["id"], actor=candidate)
        for action in (Action.CONFIRM, Action.APPROVE_SITE):
            transition(application_id=complete["id"], action=action, actor=None, reason="test")
    refused = api.get(TICKET.format(id=complete["id"]))
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_state")
    assert "资格审核通过后才能打印准考证" in refused.json()["message"]

    transition(application_id=complete["id"], action=Action.APPROVE_DISTRICT, actor=None, reason="test")

    pdf = fetch_pdf(api, TICKET.format(id=complete["id"]), django_capture_on_commit_callbacks)
    assert "准考证" in pdf_text(pdf)
