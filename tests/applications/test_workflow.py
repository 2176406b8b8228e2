"""The transition table: every action allowed from its sources and refused from every other state."""

import threading

import pytest
from django.db import connection
from django.db.models import Q

from registration.models import Application, ApplicationEvent, ApplicationStatus
from registration.services.applications import application_submit, transition, transition_bulk
from registration.signals import application_transitioned, applications_transitioned
from registration.workflow import TRANSITIONS, Action
from tests.applications.conftest import token_client
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


BULK_CASES = [(action, status) for action in Action for status in ApplicationStatus]


@pytest.mark.parametrize(("action", "status"), BULK_CASES, ids=[f"{a.value}-from-{s.value}" for a, s in BULK_CASES])
def test_bulk_twin_follows_the_same_table(draft, action, status):
    Application.objects.filter(pk=draft["id"]).update(status=status)
    rule = TRANSITIONS[action]

    moved = transition_bulk(action=action, application_ids=[draft["id"]], reason="批量")

    if status in rule.sources:
        assert moved == [draft["id"]]
        assert Application.objects.get(pk=draft["id"]).status == rule.target
        event = ApplicationEvent.objects.filter(application_id=draft["id"]).latest("id")
        assert (event.action, event.from_status, event.to_status, event.reason) == (
            action.value,
            status.value,
            rule.target.value,
            "批量",
        )
    else:
        assert moved == []
        assert Application.objects.get(pk=draft["id"]).status == status


def test_bulk_twin_moves_only_rows_that_still_meet_the_condition_and_runs_twice_harmlessly(
    draft, other_candidate, exam, beijing
):
    body = {"exam": exam.pk, "district": "BJ"}
    other = token_client(other_candidate).post("/api/v1/applications/", body, format="json")
    assert other.status_code == 201, other.json()
    ids = [draft["id"], other.json()["id"]]
    events_before = ApplicationEvent.objects.count()

    moved = transition_bulk(action=Action.ABANDON, application_ids=ids, condition=Q(district__code="SH"))
    again = transition_bulk(action=Action.ABANDON, application_ids=ids, condition=Q(district__code="SH"))

    assert moved == [draft["id"]]
    assert again == []
    assert ApplicationEvent.objects.count() == events_before + 1
    assert dict(Application.objects.filter(pk__in=ids).values_list("pk", "status")) == {
        draft["id"]: "abandoned",
        other.json()["id"]: "draft",
    }


def test_bulk_twin_announces_its_moves_once_on_commit(draft, django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append((kwargs["moves"], kwargs["action"], kwargs["to_status"]))

    applications_transitioned.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            transition_bulk(action=Action.ABANDON, application_ids=[draft["id"]])
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [(((draft["id"], "draft"),), "abandon", "abandoned")]
    finally:
        applications_transitioned.disconnect(listener)
