"""The arrangement over the API: who may start it (an administrator or the district's reviewer),
who follows a job, the candidate's own arrangement, and the audited move of one candidate."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from certificates.models import ArrangementJob, Seat, SeatChange
from tests.arrangement.conftest import ARRANGE, JOB, MINE, MOVE, make_rooms, seats_of, token_client

pytestmark = pytest.mark.django_db


def test_without_credentials_the_arrangement_is_401(world):
    assert APIClient().post(ARRANGE.format(exam=world.exam.pk), {}, format="json").status_code == 401


@pytest.mark.parametrize("staff", ["sh_point", "sh_site", "sh_finance"])
def test_roles_other_than_administrator_and_district_reviewer_may_not_start_it(world, api_as, staff):
    response = api_as(staff).post(ARRANGE.format(exam=world.exam.pk), {}, format="json")
    assert response.status_code == 403
    assert not ArrangementJob.objects.exists()


def test_a_candidate_may_not_start_it(world, registered):
    application = registered()
    response = token_client(application.candidate).post(ARRANGE.format(exam=world.exam.pk), {}, format="json")
    assert response.status_code == 403


def test_another_districts_reviewer_gets_404(world, api_as):
    response = api_as("bj_district").post(ARRANGE.format(exam=world.exam.pk), {"district": "SH"}, format="json")
    assert response.status_code == 404
    assert not ArrangementJob.objects.exists()


def test_an_unknown_exam_is_404(world, api_as):
    assert api_as("admin").post(ARRANGE.format(exam=world.exam.pk + 99), {}, format="json").status_code == 404


@pytest.mark.parametrize("body", [{"district": ["SH"]}, {"district": "SH", "sites": "all"}])
def test_a_malformed_body_is_400(world, api_as, body):
    response = api_as("admin").post(ARRANGE.format(exam=world.exam.pk), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_start_answers_202_with_the_job_queued_on_commit(world, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api_as("admin").post(ARRANGE.format(exam=world.exam.pk), {}, format="json")
    assert response.status_code == 202
    job = response.json()["job"]
    assert (job["status"], job["district"], job["exam"]) == ("pending", None, world.exam.pk)
    assert len(queued) == 1


def test_only_the_starter_and_administrators_follow_a_job(world, registered, arrange, api_as):
    make_rooms(world.site_a, [5])
    registered()
    job = arrange("sh_district")
    assert (job["percent"], job["seated"]) == (100, 1)

    assert api_as("admin").get(JOB.format(job=job["id"])).status_code == 200
    assert api_as("bj_district").get(JOB.format(job=job["id"])).status_code == 404
    assert api_as("sh_site").get(JOB.format(job=job["id"])).status_code == 403


def test_the_candidate_reads_their_arrangement_with_each_subjects_time(world, registered, arrange, timetable):
    application = registered()
    make_rooms(world.site_a, [5])
    client = token_client(application.candidate)
    assert client.get(MINE.format(id=application.pk)).json() == {"arranged": False}

    arrange()
    body = client.get(MINE.format(id=application.pk)).json()

    day = world.exam.exam_date.isoformat()
    assert body["arranged"] is True
    assert (body["venue"], body["room"], body["seat"]) == ("第一教学楼", "第一教学楼第01考场", "01")
    assert body["address"] == "徐汇区考点所在路1号"
    assert body["sessions"][0] == {
        "subject": "基础知识",
        "starts_at": f"{day}T08:30:00+08:00",
        "ends_at": f"{day}T10:00:00+08:00",
    }
    assert [session["subject"] for session in body["sessions"]] == [
        "基础知识",
        "相关专业知识",
        "专业知识",
        "专业实践能力",
    ]


def test_another_candidates_arrangement_is_404_and_staff_are_403(world, registered, api_as):
    mine, theirs = registered(), registered()
    assert token_client(mine.candidate).get(MINE.format(id=theirs.pk)).status_code == 404
    assert api_as("admin").get(MINE.format(id=mine.pk)).status_code == 403


def test_a_refunded_candidate_is_no_longer_arranged(world, registered, arrange):
    application = registered()
    make_rooms(world.site_a, [5])
    arrange()
    type(application).objects.filter(pk=application.pk).update(status="refunded")
    assert token_client(application.candidate).get(MINE.format(id=application.pk)).json() == {"arranged": False}


# ---- Moving one candidate -------------------------------------------------------------------


@pytest.fixture
def seated(world, registered, arrange):
    rooms = make_rooms(world.site_a, [2, 2])
    applications = [registered(), registered()]
    arrange()
    return rooms, applications


def test_a_move_is_recorded_with_who_why_from_and_to(world, seated, api_as):
    (first, second), (moved, _other) = seated
    response = api_as("sh_district").post(
        MOVE.format(id=moved.pk), {"room": second.pk, "seat": 2, "reason": "需要靠近出口"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "application": moved.pk,
        "room": second.pk,
        "room_name": second.name,
        "venue": "第一教学楼",
        "seat": 2,
        "date": world.exam.exam_date.isoformat(),
    }
    change = SeatChange.objects.get()
    assert (change.from_room, change.from_number, change.to_room, change.to_number) == (first, 1, second, 2)
    assert (change.actor, change.reason) == (world.staff["sh_district"], "需要靠近出口")
    assert Seat.objects.get(application=moved).job is None


def test_a_candidate_left_without_a_seat_can_be_seated_by_hand(world, seated, registered, api_as):
    (_first, second), _applications = seated
    late = registered()
    response = api_as("admin").post(
        MOVE.format(id=late.pk), {"room": second.pk, "seat": 1, "reason": "补排"}, format="json"
    )
    assert response.status_code == 200
    assert seats_of([late]) == [(second.name, 1)]
    assert SeatChange.objects.get().from_room is None


def test_a_taken_seat_is_409(world, seated, api_as):
    (first, _second), (moved, _other) = seated
    response = api_as("sh_district").post(
        MOVE.format(id=moved.pk), {"room": first.pk, "seat": 2, "reason": "换座"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert not SeatChange.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"seat": 3, "reason": "换座"}, "seat"), ({"seat": 1, "reason": "  "}, "reason"), ({"seat": 1}, "reason")],
    ids=["beyond the room's seats", "blank reason", "no reason"],
)
def test_a_bad_move_is_400_naming_the_field(world, seated, api_as, body, field):
    (_first, second), (moved, _other) = seated
    response = api_as("sh_district").post(MOVE.format(id=moved.pk), {"room": second.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_room_of_another_site_is_refused(world, seated, api_as):
    _rooms, (moved, _other) = seated
    (elsewhere,) = make_rooms(world.site_b, [5])
    response = api_as("sh_district").post(
        MOVE.format(id=moved.pk), {"room": elsewhere.pk, "seat": 1, "reason": "换考点"}, format="json"
    )
    assert response.status_code == 400
    assert "room" in response.json()["fields"]


def test_a_move_outside_the_reviewers_district_is_404_and_other_roles_403(world, seated, api_as):
    (_first, second), (moved, _other) = seated
    body = {"room": second.pk, "seat": 2, "reason": "换座"}
    assert api_as("bj_district").post(MOVE.format(id=moved.pk), body, format="json").status_code == 404
    assert api_as("sh_site").post(MOVE.format(id=moved.pk), body, format="json").status_code == 403
    assert not SeatChange.objects.exists()


def test_an_application_not_registered_cannot_be_seated(world, seated, api_as):
    (_first, second), _applications = seated
    submitted = world.make_application(status="submitted")
    response = api_as("admin").post(
        MOVE.format(id=submitted.pk), {"room": second.pk, "seat": 2, "reason": "补排"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
