"""A content change queues the form's preparation, unless one queued before it has not started yet:
that one reads the application when it runs (certificates/services/documents.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from certificates import tasks
from certificates.models import ApplicationDocument
from certificates.services.documents import _preparation_mark, form_preparation_queue, form_prepare
from registration.services.applications import application_create
from tests.applications.conftest import token_client


@pytest.fixture
def held(monkeypatch):
    """The preparations queued, held back as by workers that are behind."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.prepare_application_form, "delay", queued.append)
    yield queued
    # The marks outlive the test in the run's cache, where the next test's ids may meet them.
    cache.delete_many([_preparation_mark(application_id) for application_id in queued])


def save(api, application_id: int, key: str, body: dict, capture_on_commit) -> None:
    with capture_on_commit(execute=True):
        response = api.put(f"/api/v1/applications/{application_id}/sections/{key}/", body, format="json")
    assert response.status_code == 200, response.json()


def test_changes_made_while_a_preparation_waits_queue_no_other(
    api, complete, sections, held, django_capture_on_commit_callbacks
):
    for key in ("contact", "basic", "contact"):
        save(api, complete["id"], key, sections[key], django_capture_on_commit_callbacks)

    assert held == [complete["id"]]


def test_a_change_after_the_preparation_started_queues_another_and_the_last_version_is_made(
    api, complete, sections, held, django_capture_on_commit_callbacks
):
    save(api, complete["id"], "contact", sections["contact"], django_capture_on_commit_callbacks)
    save(api, complete["id"], "basic", sections["basic"], django_capture_on_commit_callbacks)
    started = form_prepare(application_id=held[0])
    save(
        api,
        complete["id"],
        "contact",
        {**sections["contact"], "postcode": "200031"},
        django_capture_on_commit_callbacks,
    )

    assert held == [complete["id"], complete["id"]]
    code = api.get(f"/api/v1/applications/{complete['id']}/").json()["verification_code"]
    with django_capture_on_commit_callbacks(execute=True):
        latest = form_prepare(application_id=held[1])
    assert started.version != code
    assert latest.version == code
    assert list(
        ApplicationDocument.objects.filter(application_id=complete["id"]).values_list("version", flat=True)
    ) == [code]


def test_each_application_waits_for_its_own_preparation(
    api, complete, sections, other_candidate, exam, shanghai, held, django_capture_on_commit_callbacks
):
    other = application_create(candidate=other_candidate, exam=exam, district=shanghai, pledge_accepted=True)
    save(api, complete["id"], "contact", sections["contact"], django_capture_on_commit_callbacks)
    save(token_client(other_candidate), other.pk, "contact", sections["contact"], django_capture_on_commit_callbacks)

    assert held == [complete["id"], other.pk]


def test_a_preparation_the_broker_refused_keeps_no_change_waiting(monkeypatch, complete):
    def broker_down(application_id: int) -> None:
        raise ConnectionError("the broker is away")

    monkeypatch.setattr(tasks.prepare_application_form, "delay", broker_down)
    with pytest.raises(ConnectionError):
        form_preparation_queue(application_id=complete["id"])

    queued: list[int] = []
    monkeypatch.setattr(tasks.prepare_application_form, "delay", queued.append)
    assert form_preparation_queue(application_id=complete["id"]) is True
    assert queued == [complete["id"]]
    cache.delete(_preparation_mark(complete["id"]))
