"""The arrangement in the admin: the administrator edits the timetable (an overlap is refused) and the
venues with their rooms; district and site reviewers see the venues of their scope only; an
allocation is started there and its report read by whoever started it."""

from __future__ import annotations

import pytest

from certificates.models import ArrangementJob, ExamSession, Seat, SeatChange, Venue
from tests.arrangement.conftest import make_rooms, seats_of

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


MOVE_PAGE = "/admin/certificates/seat/{seat}/move/"


@pytest.fixture
def seated_pair(world, registered, arrange):
    """Two rooms of three at site A: two candidates in the first room's seats 1 and 2."""
    rooms = make_rooms(world.site_a, [3, 3])
    applications = [registered(), registered()]
    arrange()
    return rooms, applications


def _seat(application) -> Seat:
    return Seat.objects.get(application=application)


def test_a_district_reviewer_moves_a_candidate_in_the_admin_to_a_free_seat_with_a_reason(world, seated_pair, login):
    (first, second), (moved, other) = seated_pair
    client = login("sh_district")
    assert "调整座位" in client.get("/admin/certificates/seat/").content.decode()

    page = client.get(MOVE_PAGE.format(seat=_seat(moved).pk)).content.decode()
    # The free seats of the site that day, per room, as runs.
    assert f"{first}（空座：3）" in page and f"{second}（空座：1–3）" in page
    response = client.post(
        MOVE_PAGE.format(seat=_seat(moved).pk), {"room": second.pk, "seat": 2, "reason": "座位电脑故障"}
    )

    assert response.status_code == 302
    assert seats_of([moved, other]) == [(second.name, 2), (first.name, 2)]
    change = SeatChange.objects.get()
    assert (change.actor, change.from_room, change.from_number, change.to_room, change.to_number, change.reason) == (
        world.staff["sh_district"],
        first,
        1,
        second,
        2,
        "座位电脑故障",
    )


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"seat": 2, "reason": "换座"}, "第 2 座不是所选考场当天的空座。"),
        ({"seat": 9, "reason": "换座"}, "第 9 座不是所选考场当天的空座。"),
        ({"seat": 3, "reason": ""}, "该字段是必填项。"),
        ({"seat": "", "reason": "换座"}, "该字段是必填项。"),
    ],
    ids=["taken that day", "beyond the room", "no reason", "no seat"],
)
def test_a_bad_move_in_the_admin_is_refused_in_chinese_and_changes_nothing(world, seated_pair, login, form, says):
    (first, _second), (moved, other) = seated_pair

    response = login("sh_district").post(MOVE_PAGE.format(seat=_seat(moved).pk), {"room": first.pk, **form})

    assert response.status_code == 200
    assert says in response.content.decode()
    assert seats_of([moved, other]) == [(first.name, 1), (first.name, 2)]
    assert not SeatChange.objects.exists()


def test_a_room_of_another_site_is_not_offered_nor_accepted(world, seated_pair, login):
    _rooms, (moved, _other) = seated_pair
    (elsewhere,) = make_rooms(world.site_b, [5], venue="别处楼")
    client = login("admin")
    assert "别处楼" not in client.get(MOVE_PAGE.format(seat=_seat(moved).pk)).content.decode()

    response = client.post(MOVE_PAGE.format(seat=_seat(moved).pk), {"room": elsewhere.pk, "seat": 1, "reason": "换"})

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not SeatChange.objects.exists()


def test_the_move_page_is_404_out_of_scope_and_403_for_roles_that_do_not_seat(world, seated_pair, login):
    _rooms, (moved, _other) = seated_pair
    url = MOVE_PAGE.format(seat=_seat(moved).pk)
    assert login("bj_district").get(url).status_code == 404
    assert login("sh_site").get(url).status_code == 403
    assert "调整座位" not in login("sh_site").get("/admin/certificates/seat/").content.decode()
    assert login("admin").get(MOVE_PAGE.format(seat=_seat(moved).pk + 99)).status_code == 404
