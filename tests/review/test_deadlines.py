"""The deadline sweep, with time travel on the database: what a passed deadline leaves behind is abandoned."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from registration.models import Application, ApplicationEvent
from review.models import Reminder, ReminderKind
from review.services.deadlines import abandonable_id_chunks
from review.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db


@pytest.fixture
def left_behind(world):
    """One application in each state, in SH (fees paid online) and BJ (made to pay on site here)."""
    world.bj.online_payment = False
    world.bj.save()
    return {
        "draft": world.make_application(status="draft"),
        "rejected": world.make_application(
            status="confirmation_rejected",
            rejection_reasons=[{"code": "missing_materials", "label": "材料不全", "note": ""}],
        ),
        "submitted": world.make_application(status="submitted"),
        "confirmed": world.make_application(status="confirmed"),
        "approved": world.make_application(status="approved"),
        "approved_offline": world.make_application(status="approved", point=world.bj1),
        "paid": world.make_application(status="paid"),
    }


def statuses(applications):
    return {name: Application.objects.get(pk=app.pk).status for name, app in applications.items()}


def sweep(capture):
    with capture(execute=True):
        sweep_deadlines.delay()


def test_nothing_moves_before_a_deadline(world, left_behind, django_capture_on_commit_callbacks):
    sweep(django_capture_on_commit_callbacks)
    assert not ApplicationEvent.objects.filter(action="abandon").exists()


def test_the_confirmation_deadline_abandons_every_unconfirmed_one(
    world, left_behind, django_capture_on_commit_callbacks
):
    """Seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试" —
    submitted and never confirmed is unconfirmed too, as are drafts and rejected ones."""
    with time_machine.travel(world.exam.confirmation_deadline + datetime.timedelta(minutes=1), tick=False):
        sweep(django_capture_on_commit_callbacks)

    assert statuses(left_behind) == {
        "draft": "abandoned",
        "rejected": "abandoned",
        "submitted": "abandoned",
        "confirmed": "confirmed",
        "approved": "approved",
        "approved_offline": "approved",
        "paid": "paid",
    }
    event = ApplicationEvent.objects.get(application=left_behind["rejected"], action="abandon")
    assert (event.actor, event.from_status, event.to_status) == (None, "confirmation_rejected", "abandoned")
    assert event.reason.startswith("报名确认截止（")
    assert event.reason.endswith("前未完成报名确认，视为放弃。")
    event = ApplicationEvent.objects.get(application=left_behind["submitted"], action="abandon")
    assert (event.actor, event.from_status, event.to_status) == (None, "submitted", "abandoned")
    assert "前未完成报名确认，视为放弃" in event.reason
    reminder = Reminder.objects.get(application=left_behind["submitted"], kind=ReminderKind.ABANDONED)
    assert "前完成报名确认，视为放弃本次考试" in reminder.body


def test_the_payment_window_is_left_to_the_payments_sweep(world, left_behind, django_capture_on_commit_callbacks):
    """The payment deadline must see the orders, so payments/ sweeps it (tests/payments/test_payment_deadline.py)."""
    with time_machine.travel(world.exam.payment_closes + datetime.timedelta(minutes=1), tick=False):
        sweep(django_capture_on_commit_callbacks)

    result = statuses(left_behind)
    assert (result["approved"], result["approved_offline"], result["paid"]) == ("approved", "approved", "paid")


def test_the_sweep_is_idempotent(world, left_behind, django_capture_on_commit_callbacks):
    with time_machine.travel(world.exam.payment_closes + datetime.timedelta(hours=1), tick=False):
        sweep(django_capture_on_commit_callbacks)
        sweep(django_capture_on_commit_callbacks)

    assert ApplicationEvent.objects.filter(action="abandon").count() == 3
    assert Reminder.objects.filter(kind=ReminderKind.ABANDONED).count() == 3


def test_the_candidate_gets_a_to_do_saying_why(world, left_behind, django_capture_on_commit_callbacks):
    with time_machine.travel(world.exam.confirmation_deadline + datetime.timedelta(hours=1), tick=False):
        sweep(django_capture_on_commit_callbacks)

    reminder = Reminder.objects.get(application=left_behind["draft"])
    assert (reminder.kind, reminder.title) == (ReminderKind.ABANDONED, "视为放弃")
    assert "前完成报名确认" in reminder.body


def test_ids_are_read_in_chunks_in_order_and_all_of_them(world):
    drafts = [world.make_application(status="draft") for _ in range(5)]
    later = world.exam.confirmation_deadline + datetime.timedelta(days=1)

    chunks = list(abandonable_id_chunks(now=later, chunk_size=2))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert [pk for chunk in chunks for pk in chunk] == sorted(app.pk for app in drafts)


def test_an_application_that_moved_on_meanwhile_is_left_alone(world, django_capture_on_commit_callbacks):
    from review.services.deadlines import applications_abandon_unconfirmed

    application = world.make_application(status="draft")
    later = world.exam.confirmation_deadline + datetime.timedelta(days=1)
    Application.objects.filter(pk=application.pk).update(status="confirmed")

    assert applications_abandon_unconfirmed(application_ids=[application.pk, 999_999], now=later) == []
    assert not ApplicationEvent.objects.filter(action="abandon").exists()
