"""The transition table: every action allowed from its sources and refused from every other state."""

import threading

import pytest
from django.db import connection

from registration.models import Application, ApplicationEvent, ApplicationStatus
from registration.services.applications import application_submit, transition
from registration.signals import application_transitioned
from registration.workflow import TRANSITIONS, Action
from wecan.errors import InvalidState

CASES = [(action, status) for action in Action for status in ApplicationStatus]


@pytest.mark.parametrize(("action", "status"), CASES, ids=[f"{a.value}-from-{s.value}" for a, s in CASES])
def test_every_action_from_every_state(draft, action, status):
    Application.objects.filter(pk=draft["id"]).update(status=status)
    rule = TRANSITIONS[action]
    if status in rule.sources:
        application = transition(application_id=draft["id"], action=action, actor=None, reason="测试")
        assert application.status == rule.target
        event = ApplicationEvent.objects.filter(application_id=draft["id"]).latest("id")
        assert (event.action, event.from_status, event.to_status, event.reason) == (
            action.value,
            status.value,
            rule.target.value,
            "测试",
        )
    else:
        events_before = ApplicationEvent.objects.count()
        with pytest.raises(InvalidState):
            transition(application_id=draft["id"], action=action, actor=None)
        assert Application.objects.get(pk=draft["id"]).status == status
        assert ApplicationEvent.objects.count() == events_before


def test_a_failing_check_changes_nothing(draft):
    def refuse(application):
        raise InvalidState("不行")

    with pytest.raises(InvalidState):
        transition(application_id=draft["id"], action=Action.SUBMIT, actor=None, check=refuse)
    assert Application.objects.get(pk=draft["id"]).status == "draft"
    assert ApplicationEvent.objects.filter(action="submit").count() == 0


def test_transition_signal_is_sent_on_commit_only(draft, django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append((kwargs["action"], kwargs["from_status"], kwargs["to_status"]))

    application_transitioned.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            transition(application_id=draft["id"], action=Action.SUBMIT, actor=None)
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [("submit", "draft", "submitted")]
    finally:
        application_transitioned.disconnect(listener)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_give_one_transition(complete, candidate):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            application_submit(application_id=complete["id"], actor=candidate)
            outcomes.append("submitted")
        except InvalidState:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "submitted"]
    assert ApplicationEvent.objects.filter(application_id=complete["id"], action="submit").count() == 1

