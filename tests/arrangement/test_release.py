"""A candidate who is no longer registered gives back their seat: refunded (退费) or, where the
district takes no online payment, abandoned. The seat is freed with an audit record, the next
allocation may give it to someone else, and the candidate's arrangement and ticket are gone."""

from __future__ import annotations

import pytest

from certificates.models import Seat, SeatChange
from certificates.services.arrangement import seat_release
from registration.services.applications import transition, transition_many
from registration.workflow import Action
from tests.arrangement.conftest import MINE, make_rooms, seats_of, token_client

pytestmark = pytest.mark.django_db

TICKET = "/api/v1/applications/{id}/admission-ticket.pdf"


@pytest.fixture
def seated(world, registered, arrange, timetable):
    (room,) = make_rooms(world.site_a, [3])
    applications = [registered(), registered()]
    arrange()
    assert seats_of(applications) == [(room.name, 1), (room.name, 2)]
    return room, applications


def test_a_refunded_candidate_gives_back_the_seat_and_a_newcomer_gets_it(
    world, seated, registered, arrange, django_capture_on_commit_callbacks
):
    """Seed 003 line 876: the ticket is printed by registered candidates only; a refund ends the registration."""
    room, (refunded, kept) = seated
    finance = world.staff["sh_finance"]

    with django_capture_on_commit_callbacks(execute=True):
        transition(application_id=refunded.pk, action=Action.REFUND, actor=finance, reason="考生申请退费")

    assert seats_of([refunded, kept]) == [None, (room.name, 2)]
    change = SeatChange.objects.get()
    assert (change.application, change.actor, change.from_room, change.from_number) == (refunded, finance, room, 1)
    assert (change.to_room, change.to_number, change.reason) == (None, None, "退费，座位释放")
    client = token_client(refunded.candidate)
    assert client.get(MINE.format(id=refunded.pk)).json() == {"arranged": False}
    assert client.get(TICKET.format(id=refunded.pk)).status_code == 409

    newcomer = registered()
    job = arrange()

    assert (job["total"], job["seated"]) == (1, 1)
    assert seats_of([newcomer, kept]) == [(room.name, 1), (room.name, 2)]


def test_an_abandoned_candidate_of_a_district_without_online_payment_gives_back_the_seat(
    world, registered, arrange, django_capture_on_commit_callbacks
):
    """Seed 002 line 47: without online payment, passing the review is 报名成功; abandoned, it is not."""
    (room,) = make_rooms(world.bj_site, [2])
    world.bj.online_payment = False
    world.bj.save()
    approved = world.make_application(status="approved", point=world.bj1)
    arrange("admin")
    assert seats_of([approved]) == [(room.name, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        transition(application_id=approved.pk, action=Action.ABANDON, actor=None)

    assert not Seat.objects.exists()
    change = SeatChange.objects.get()
    assert (change.actor, change.from_number, change.reason) == (None, 1, "逾期视为放弃，座位释放")


def test_applications_abandoned_in_one_set_give_back_their_seats_too(
    world, registered, arrange, django_capture_on_commit_callbacks
):
    """Seed 002 line 47, as above, through the sweeps' bulk transition: the same release and record."""
    (room,) = make_rooms(world.bj_site, [2])
    world.bj.online_payment = False
    world.bj.save()
    approved = world.make_application(status="approved", point=world.bj1)
    unseated = world.make_application(status="draft", point=world.bj1)
    arrange("admin")
    assert seats_of([approved]) == [(room.name, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        transition_many(application_ids=[approved.pk, unseated.pk], action=Action.ABANDON, actor=None)

    assert not Seat.objects.exists()
    change = SeatChange.objects.get()
    assert (change.application, change.actor, change.reason) == (approved, None, "逾期视为放弃，座位释放")


def test_a_candidate_still_registered_keeps_the_seat(world, seated):
    """A late or repeated notice changes nothing: only an application no longer registered is freed."""
    room, (first, _second) = seated

    assert seat_release(application_id=first.pk, action=Action.REFUND, actor_id=None) is False

    assert seats_of([first]) == [(room.name, 1)]
    assert not SeatChange.objects.exists()


def test_a_refund_of_a_candidate_without_a_seat_records_nothing(world, registered, django_capture_on_commit_callbacks):
    unseated = registered()

    with django_capture_on_commit_callbacks(execute=True):
        transition(application_id=unseated.pk, action=Action.REFUND, actor=None)

    assert not SeatChange.objects.exists()
    assert seat_release(application_id=unseated.pk, action=Action.REFUND, actor_id=None) is False


def test_transitions_that_keep_or_never_had_a_seat_free_nothing(world, seated, django_capture_on_commit_callbacks):
    """Other candidates' transitions (here a withdrawal) leave the seated ones alone."""
    _room, applications = seated
    submitted = world.make_application(status="submitted")

    with django_capture_on_commit_callbacks(execute=True):
        transition(application_id=submitted.pk, action=Action.WITHDRAW, actor=submitted.candidate)

    assert Seat.objects.filter(application__in=applications).count() == 2
    assert not SeatChange.objects.exists()
