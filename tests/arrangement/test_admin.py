"""The arrangement in the admin: the administrator edits the timetable (an overlap is refused) and the
venues with their rooms; district and site reviewers see the venues of their scope only; an
allocation is started there and its report read by whoever started it."""

from __future__ import annotations

import pytest

from certificates.models import ArrangementJob, ExamSession, Seat, Venue
from tests.arrangement.conftest import make_rooms

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client, world):
    def as_(name: str):
        client.force_login(world.staff[name])
        return client

    return as_


def test_the_administrator_adds_a_session_and_an_overlapping_one_is_refused(world, timetable, login):
    client = login("admin")
    session = ExamSession.objects.get(exam=world.exam, subject__code="4")
    response = client.post(
        f"/admin/certificates/examsession/{session.pk}/change/",
        {"exam": world.exam.pk, "subject": session.subject_id, "starts": "15:00", "ends": "16:30"},
    )
    assert response.status_code == 200
    assert "与“专业知识”的考试时间重叠。" in response.content.decode()
    session.refresh_from_db()
    assert f"{session.starts:%H:%M}" == "16:15"


def test_the_administrator_adds_a_venue_with_rooms_and_a_room_without_seats_is_refused(world, login):
    client = login("admin")
    form = {
        "site": world.site_a.pk,
        "name": "医学院考试中心",
        "address": "医学院路138号",
        "position": 0,
        "rooms-TOTAL_FORMS": 2,
        "rooms-INITIAL_FORMS": 0,
        "rooms-0-position": 1,
        "rooms-0-name": "101",
        "rooms-0-seats": 40,
        "rooms-1-position": 2,
        "rooms-1-name": "102",
        "rooms-1-seats": 0,
    }
    response = client.post("/admin/certificates/venue/add/", form)
    assert response.status_code == 200
    assert not Venue.objects.exists()

    form["rooms-1-seats"] = 35
    assert client.post("/admin/certificates/venue/add/", form).status_code == 302
    assert list(Venue.objects.get().rooms.order_by("position").values_list("name", "seats")) == [
        ("101", 40),
        ("102", 35),
    ]


def test_reviewers_see_the_venues_of_their_scope_and_cannot_change_them(world, login):
    make_rooms(world.site_a, [5], venue="甲楼")
    make_rooms(world.site_b, [5], venue="乙楼")
    make_rooms(world.bj_site, [5], venue="丙楼")

    district = login("sh_district").get("/admin/certificates/venue/").content.decode()
    assert "甲楼" in district and "乙楼" in district and "丙楼" not in district
    site = login("sh_site").get("/admin/certificates/venue/").content.decode()
    assert "甲楼" in site and "乙楼" not in site
    assert login("sh_site").get("/admin/certificates/venue/add/").status_code == 403
    assert login("sh_point").get("/admin/certificates/venue/").status_code == 403


def test_a_district_reviewer_starts_an_allocation_in_the_admin_and_reads_its_report(
    world, registered, login, django_capture_on_commit_callbacks
):
    make_rooms(world.site_a, [1])
    registered()
    left_out = registered()
    client = login("sh_district")
    form = client.get("/admin/certificates/arrangementjob/add/").content.decode()
    assert "北京" not in form  # only their own district is offered

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/certificates/arrangementjob/add/", {"exam": world.exam.pk, "district": world.sh.pk}
        )

    job = ArrangementJob.objects.get()
    assert response.status_code == 302
    assert (job.created_by, job.status, job.seated, job.unseated) == (world.staff["sh_district"], "done", 1, 1)
    assert Seat.objects.count() == 1
    report = client.get(f"/admin/certificates/arrangementjob/{job.pk}/change/").content.decode()
    assert left_out.number in report
    assert login("bj_district").get(f"/admin/certificates/arrangementjob/{job.pk}/change/").status_code == 302
    assert login("sh_site").get("/admin/certificates/arrangementjob/add/").status_code == 403
