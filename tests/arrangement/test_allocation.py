"""The allocation (考场编排): every registered candidate without a seat gets one at their own site on
their exam day, rooms filled in order, one specialty kept together, nobody twice in a seat a day;
a report of who could not be seated and why; re-runs seat only the new ones; the same input gives
the same seats."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import ProtectedError

from certificates.models import ArrangementJob, Seat, SpecialtyExamDay
from certificates.services.arrangement import arrangement_run
from registration.models import Specialty
from tests.arrangement.conftest import MOVE, make_rooms, seats_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def surgery(world):
    specialty = Specialty.objects.create(code="304", name="普通外科学", category="临床医学类", level="中级")
    world.exam.specialties.add(specialty)
    return specialty


def test_rooms_fill_in_order_and_each_specialty_takes_consecutive_seats(world, registered, arrange, surgery):
    rooms = make_rooms(world.site_a, [3, 3, 3])
    # Created out of order: the allocation orders by specialty code, then 网报号.
    surgeons = [registered(specialty=surgery) for _ in range(2)]
    internists = [registered() for _ in range(4)]

    job = arrange()

    assert job["status"] == "done"
    assert (job["total"], job["seated"], job["unseated"], job["report"]) == (6, 6, 0, [])
    first, second, _third = (room.name for room in rooms)
    assert seats_of(internists) == [(first, 1), (first, 2), (first, 3), (second, 1)]
    assert seats_of(surgeons) == [(second, 2), (second, 3)]
    assert not Seat.objects.filter(room=rooms[2]).exists()


def test_candidates_sit_at_their_own_site_only(world, registered, arrange):
    (room_a,) = make_rooms(world.site_a, [1])
    (room_b,) = make_rooms(world.site_b, [5])
    at_a = [registered(point=world.p1) for _ in range(2)]
    at_b = registered(point=world.p3)

    job = arrange()

    assert seats_of([*at_a, at_b]) == [(room_a.name, 1), None, (room_b.name, 1)]
    assert job["unseated"] == 1


def test_too_few_seats_reports_who_was_left_out_and_why(world, registered, arrange):
    """A site short of seats seats as many as it can; a site without rooms seats nobody; the report
    names both, with the 网报号 of each candidate left without a seat."""
    make_rooms(world.site_a, [2])
    at_a = [registered(point=world.p1) for _ in range(3)]
    at_b = registered(point=world.p3)

    job = arrange()

    assert (job["total"], job["seated"], job["unseated"]) == (4, 2, 2)
    report = {line["site"]: line for line in job["report"]}
    assert report["SH0101"]["reason"] == "考点座位不足。"
    assert report["SH0101"]["seats"] == 2
    assert report["SH0101"]["numbers"] == [at_a[2].number]
    assert report["SH0102"]["reason"] == "考点尚未设置考场。"
    assert report["SH0102"]["numbers"] == [at_b.number]
    assert report["SH0101"]["date"] == world.exam.exam_date.isoformat()


def test_a_full_room_is_skipped_and_the_next_one_filled(world, registered, arrange):
    full, spare = make_rooms(world.site_a, [2, 2])
    first = [registered() for _ in range(2)]
    arrange()
    assert seats_of(first) == [(full.name, 1), (full.name, 2)]

    later = [registered() for _ in range(2)]
    job = arrange()

    assert seats_of(later) == [(spare.name, 1), (spare.name, 2)]
    assert (job["total"], job["seated"]) == (2, 2)


def test_a_rerun_seats_only_the_new_candidates_and_moves_nobody(world, registered, arrange):
    make_rooms(world.site_a, [10])
    first = [registered() for _ in range(3)]
    arrange()
    before = seats_of(first)
    assigned = {seat.application_id: seat.assigned_at for seat in Seat.objects.all()}

    newcomer = registered()
    job = arrange()

    assert seats_of(first) == before
    assert {seat.application_id: seat.assigned_at for seat in Seat.objects.filter(application__in=first)} == assigned
    assert seats_of([newcomer]) == [(before[0][0], 4)]
    assert (job["total"], job["seated"]) == (1, 1)


def test_the_same_input_gives_the_same_seats(world, registered, arrange, surgery):
    make_rooms(world.site_a, [2, 3], venue="甲楼", position=1)
    make_rooms(world.site_a, [2], venue="乙楼", position=0)
    applications = [registered(specialty=surgery if index % 3 else None) for index in range(7)]
    arrange()
    first = seats_of(applications)
    Seat.objects.all().delete()

    arrange()

    assert seats_of(applications) == first
    # The venue of the lower position is filled first, whatever the order it was entered in.
    assert first[0][0].startswith("乙楼")


def test_only_registered_candidates_are_seated(world, registered, arrange):
    """Seed 002 line 47: where a district takes no online payment, passing the review is 报名成功."""
    make_rooms(world.site_a, [5])
    make_rooms(world.bj_site, [5])
    world.bj.online_payment = False
    world.bj.save()
    paid = registered()
    approved_online = world.make_application(status="approved")
    submitted = world.make_application(status="submitted")
    approved_on_site = world.make_application(status="approved", point=world.bj1)

    arrange("admin")

    seated = seats_of([paid, approved_online, submitted, approved_on_site])
    assert seated[0] is not None and seated[3] is not None
    assert seated[1] is None and seated[2] is None


def test_a_seat_is_used_once_a_day_and_again_on_another_day(world, registered, arrange, surgery):
    (room,) = make_rooms(world.site_a, [2])
    next_day = world.exam.exam_date + datetime.timedelta(days=1)
    SpecialtyExamDay.objects.create(exam=world.exam, specialty=surgery, date=next_day)
    internists = [registered() for _ in range(2)]
    surgeons = [registered(specialty=surgery) for _ in range(2)]

    job = arrange()

    assert job["seated"] == 4
    assert seats_of(internists) == seats_of(surgeons) == [(room.name, 1), (room.name, 2)]
    assert {seat.date for seat in Seat.objects.filter(application__in=surgeons)} == {next_day}


def test_a_district_reviewer_arranges_only_their_district(world, registered, arrange):
    make_rooms(world.site_a, [5])
    make_rooms(world.bj_site, [5])
    shanghai = registered()
    beijing = registered(point=world.bj1)

    job = arrange("sh_district")

    assert job["district"] == "SH"
    assert seats_of([shanghai, beijing])[1] is None


def test_a_moved_candidate_keeps_the_new_seat_and_the_old_one_is_given_to_a_newcomer(
    world, registered, arrange, api_as
):
    (room,) = make_rooms(world.site_a, [3])
    moved, other = registered(), registered()
    arrange()
    assert seats_of([moved, other]) == [(room.name, 1), (room.name, 2)]

    response = api_as("sh_district").post(
        MOVE.format(id=moved.pk), {"room": room.pk, "seat": 3, "reason": "座位电脑故障"}, format="json"
    )
    assert response.status_code == 200, response.json()
    newcomer = registered()
    arrange()

    assert seats_of([moved, other, newcomer]) == [(room.name, 3), (room.name, 2), (room.name, 1)]


def test_running_a_finished_job_again_changes_nothing(world, registered, arrange):
    make_rooms(world.site_a, [5])
    registered()
    job = arrange()
    registered()  # would be seated by a new job, not by this one run twice

    again = arrangement_run(job_id=job["id"])

    assert again.seated == 1
    assert Seat.objects.count() == 1
    assert ArrangementJob.objects.get(pk=job["id"]).finished_at == again.finished_at


def test_a_job_resumed_after_a_crash_counts_the_seats_it_already_gave(world, registered, arrange):
    make_rooms(world.site_a, [5])
    registered()
    registered()
    job = arrange()
    # As if the worker had died after seating the first batch, before marking the job done.
    ArrangementJob.objects.filter(pk=job["id"]).update(status="running", finished_at=None)
    registered()

    resumed = arrangement_run(job_id=job["id"])

    assert (resumed.status, resumed.total, resumed.seated, resumed.processed) == ("done", 3, 3, 3)


def test_a_rerun_fills_a_freed_seat_per_day_and_reports_only_those_beyond_the_free_seats(
    world, registered, arrange, surgery, api_as
):
    """Free seats are counted per site and day, gaps included: the n free seats of a day go to its
    first n waiting candidates, and only those after them are reported, under that day."""
    first, second = make_rooms(world.site_a, [2, 2])
    next_day = world.exam.exam_date + datetime.timedelta(days=1)
    SpecialtyExamDay.objects.create(exam=world.exam, specialty=surgery, date=next_day)
    moved, *_others = [registered() for _ in range(3)]
    arrange()
    response = api_as("admin").post(MOVE.format(id=moved.pk), {"room": second.pk, "seat": 2, "reason": "换座"})
    assert response.status_code == 200  # day one now has one free seat: the first room's seat 1
    late = [registered() for _ in range(2)]
    surgeon = registered(specialty=surgery)

    job = arrange()

    assert seats_of([*late, surgeon]) == [(first.name, 1), None, (first.name, 1)]
    assert (job["total"], job["seated"], job["unseated"]) == (3, 2, 1)
    (line,) = job["report"]
    assert (line["date"], line["unseated"], line["numbers"]) == (world.exam.exam_date.isoformat(), 1, [late[1].number])


def test_a_room_with_seats_given_cannot_be_deleted(world, registered, arrange):
    """The database does not check the seat's room (a million checks an allocation): Django refuses."""
    (room,) = make_rooms(world.site_a, [2])
    registered()
    arrange()

    with pytest.raises(ProtectedError):
        room.delete()
    with pytest.raises(ProtectedError):
        room.venue.delete()
    assert Seat.objects.filter(room=room).count() == 1
