"""The bulk twin of ``transition()`` that the deadline sweeps use: the same table, the same audit, the
to-dos queued once per set, and nothing twice."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.models import Q

from registration.models import Application, ApplicationEvent, Exam
from registration.models.application import ApplicationStatus
from registration.services.applications import transition, transition_many
from registration.signals import applications_transitioned
from registration.workflow import TRANSITIONS, Action
from review.models import Reminder, ReminderKind
from review.services.deadlines import applications_abandon_unconfirmed
from review.services.reminders import reminder_for_transition, reminders_for_transitions
from tests.review.conftest import make_candidate, token_client

pytestmark = pytest.mark.django_db

ABANDON = TRANSITIONS[Action.ABANDON]


def status_of(application: Application) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=application.pk)


def audit(application: Application) -> list[tuple]:
    return list(
        ApplicationEvent.objects.filter(application=application, action="abandon").values_list(
            "actor", "action", "from_status", "to_status", "reason"
        )
    )


@pytest.fixture
def received():
    """What ``applications_transitioned`` says, call by call."""
    calls: list[dict] = []

    def listener(**kwargs):
        calls.append({key: kwargs[key] for key in ("application_ids", "action", "to_status", "actor_id")})

    applications_transitioned.connect(listener)
    yield calls
    applications_transitioned.disconnect(listener)


def test_only_the_sources_of_the_table_move(world):
    """registration/workflow.py: the table alone says which state may be abandoned; every other one stays."""
    applications = {status: world.make_application(status=status) for status in ApplicationStatus.values}

    moved = transition_many(
        application_ids=[application.pk for application in applications.values()],
        action=Action.ABANDON,
        actor=None,
        reason="测试",
    )

    assert moved == sorted(applications[status].pk for status in ABANDON.sources)
    for status, application in applications.items():
        expected = ABANDON.target if status in ABANDON.sources else status
        assert status_of(application) == expected
        assert len(audit(application)) == (1 if status in ABANDON.sources else 0)


def test_the_condition_narrows_the_sources(world):
    draft, approved = world.make_application(status="draft"), world.make_application(status="approved")

    moved = transition_many(
        application_ids=[draft.pk, approved.pk], action=Action.ABANDON, actor=None, condition=Q(status="approved")
    )

    assert moved == [approved.pk]
    assert (status_of(draft), status_of(approved)) == ("draft", "abandoned")


def test_the_confirmation_sweep_leaves_an_exam_whose_deadline_is_still_ahead(world):
    """Seed 003 line 781: only "未按期" — the deadline of the application's own exam."""
    draft = world.make_application(status="draft")
    later_exam = Exam.objects.get(pk=world.exam.pk)
    later_exam.pk = None
    later_exam.year += 1
    later_exam.confirmation_deadline += datetime.timedelta(days=30)
    later_exam.save()
    waiting = world.make_application(status="draft")
    Application.objects.filter(pk=waiting.pk).update(exam=later_exam)

    moved = applications_abandon_unconfirmed(
        application_ids=[draft.pk, waiting.pk], now=world.exam.confirmation_deadline + datetime.timedelta(minutes=1)
    )

    assert moved == [draft.pk]
    assert status_of(waiting) == "draft"


def test_a_second_run_moves_nothing_and_writes_no_second_event(world):
    drafts = [world.make_application(status="draft") for _ in range(3)]
    ids = [application.pk for application in drafts]

    first = transition_many(application_ids=ids, action=Action.ABANDON, actor=None, reason="测试")
    revisions = list(Application.objects.filter(pk__in=ids).order_by("pk").values_list("revision", flat=True))
    second = transition_many(application_ids=ids, action=Action.ABANDON, actor=None, reason="测试")

    assert (first, second) == (sorted(ids), [])
    assert ApplicationEvent.objects.filter(application_id__in=ids, action="abandon").count() == 3
    # Not even touched: the second run writes no row at all.
    assert list(Application.objects.filter(pk__in=ids).order_by("pk").values_list("revision", flat=True)) == revisions


def test_its_audit_events_are_those_of_transition(world):
    one, other = (
        world.make_application(status="confirmation_rejected"),
        world.make_application(status="confirmation_rejected"),
    )
    before = Application.objects.get(pk=other.pk)

    transition(application_id=one.pk, action=Action.ABANDON, actor=None, reason="报名确认截止，视为放弃。")
    transition_many(application_ids=[other.pk], action=Action.ABANDON, actor=None, reason="报名确认截止，视为放弃。")

    assert (
        audit(other)
        == audit(one)
        == [(None, "abandon", "confirmation_rejected", "abandoned", "报名确认截止，视为放弃。")]
    )
    after = Application.objects.get(pk=other.pk)
    assert after.revision > before.revision
    assert after.updated_at > before.updated_at


def test_the_to_dos_are_queued_once_per_set_on_commit(world, received, django_capture_on_commit_callbacks, monkeypatch):
    queued: list[tuple] = []
    monkeypatch.setattr("review.tasks.remind_transitioned.delay", lambda *args: queued.append(args))
    drafts = [world.make_application(status="draft") for _ in range(3)]
    ids = sorted(application.pk for application in drafts)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transition_many(application_ids=ids, action=Action.ABANDON, actor=None)
    assert (received, queued) == ([], [])
    for callback in callbacks:
        callback()

    assert received == [{"application_ids": ids, "action": "abandon", "to_status": "abandoned", "actor_id": None}]
    assert queued == [(ids, "abandon", "abandoned")]


def test_nothing_is_sent_or_changed_when_the_transaction_rolls_back(
    world, received, django_capture_on_commit_callbacks
):
    draft = world.make_application(status="draft")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        transition_many(application_ids=[draft.pk], action=Action.ABANDON, actor=None)
        raise RuntimeError("the caller fails after")

    assert (callbacks, received) == ([], [])
    assert status_of(draft) == "draft"
    assert audit(draft) == []


def test_an_empty_set_sends_nothing(world, received, django_capture_on_commit_callbacks):
    confirmed = world.make_application(status="confirmed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert transition_many(application_ids=[confirmed.pk], action=Action.ABANDON, actor=None) == []

    assert (callbacks, received) == ([], [])


def test_the_to_dos_of_a_set_are_those_one_transition_gives(world, django_capture_on_commit_callbacks):
    """Seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试" —
    the candidate's to-do says so, the same whether the sweep moved one application or a set."""
    one, other = world.make_application(status="submitted"), world.make_application(status="submitted")
    for application in (one, other):
        Reminder.objects.create(
            candidate_id=application.candidate_id,
            application=application,
            kind=ReminderKind.CONFIRMATION_PENDING,
            title="报名未确认",
            body="……",
            key=f"earlier:{application.pk}",
        )
    transition(application_id=one.pk, action=Action.ABANDON, actor=None, reason="测试")
    reminder_for_transition(application_id=one.pk, action="abandon", from_status="submitted", to_status="abandoned")
    transition_many(application_ids=[other.pk], action=Action.ABANDON, actor=None, reason="测试")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminders_for_transitions(application_ids=[other.pk], action="abandon", to_status="abandoned") == 1
    assert len(callbacks) == 1  # one delivery task for the set

    def words(application):
        reminder = Reminder.objects.get(application=application, kind=ReminderKind.ABANDONED)
        return [
            text.replace(application.number, "N")
            for text in (reminder.title, reminder.body, reminder.title_en, reminder.body_en)
        ]

    assert words(other) == words(one)
    assert "前完成报名确认，视为放弃本次考试" in words(other)[1]
    assert not Reminder.objects.filter(application__in=[one, other], closed_at__isnull=True).exclude(
        kind=ReminderKind.ABANDONED
    )


def test_the_to_dos_are_made_once_however_often_the_task_runs(world):
    drafts = [world.make_application(status="draft") for _ in range(2)]
    ids = transition_many(application_ids=[app.pk for app in drafts], action=Action.ABANDON, actor=None)

    first = reminders_for_transitions(application_ids=ids, action="abandon", to_status="abandoned")
    again = reminders_for_transitions(application_ids=ids, action="abandon", to_status="abandoned")

    assert (first, again) == (2, 0)
    assert Reminder.objects.filter(application_id__in=ids, kind=ReminderKind.ABANDONED).count() == 2


def test_an_application_that_moved_on_before_the_task_gets_no_to_do(world):
    draft = world.make_application(status="draft")
    ids = transition_many(application_ids=[draft.pk], action=Action.ABANDON, actor=None)
    Application.objects.filter(pk=draft.pk).update(status="draft")

    assert reminders_for_transitions(application_ids=ids, action="abandon", to_status="abandoned") == 0


def test_the_cached_body_shows_the_abandonment_at_once(world, django_capture_on_commit_callbacks):
    """The candidate's cached application body is keyed on the revision the bulk UPDATE bumps."""
    candidate = make_candidate()
    draft = world.make_application(status="draft", candidate=candidate)
    api = token_client(candidate)
    url = f"/api/v1/applications/{draft.pk}/"
    assert api.get(url).json()["status"] == "draft"
    assert api.get(url).json()["status"] == "draft"  # now from the cache

    applications_abandon_unconfirmed(
        application_ids=[draft.pk], now=world.exam.confirmation_deadline + datetime.timedelta(minutes=1)
    )

    assert api.get(url).json()["status"] == "abandoned"
