"""The worker's pool child is killed (SIGKILL, as the OOM killer does) in the middle of rendering the
application form: the broker hands the render to a fresh child, and exactly one PDF results."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from pypdf import PdfReader

from certificates.models import ApplicationDocument, DocumentKind, DocumentStatus
from registration import private_files
from registration.models import Application
from tests.faults.conftest import (
    kill_pool_children,
    pool_children,
    queued_messages,
    unacknowledged_messages,
    wait_until,
)
from tests.files.helpers import put_photo
from tests.files.images import photo_jpeg
from wecan.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)

RENDER_TASK = "certificates.tasks.render_application_document"


def render_running() -> bool:
    """The worker is connected to the test database: its pool child runs the render. (The worker
    connects only inside a task and, with ``CONN_MAX_AGE=0``, closes at the task's end.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0] > 0


def render_started(worker) -> bool:
    """The form's preparation (the task the save queues) is done and the render it queued runs."""
    log = worker.log()
    prepared = re.search(r"prepare_application_form\[[0-9a-f-]+\] succeeded", log)
    return bool(prepared) and f"{RENDER_TASK}[" in log and render_running()


def form_rows(application_id: int):
    return ApplicationDocument.objects.filter(application_id=application_id, kind=DocumentKind.APPLICATION_FORM)


def stored_documents(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in (root / "documents").rglob("*") if path.is_file())


def test_a_render_killed_midway_is_redelivered_and_leaves_one_pdf(
    api, draft, sections, fault_broker, shared_storage, start_worker
):
    application_id = draft["id"]
    # Everything but the last section, with the photo checked in-process: the form cannot be made yet.
    celery_app.conf.task_always_eager = True
    assert put_photo(api, application_id, photo_jpeg()).status_code == 202
    *first_sections, (last_key, last_body) = sections.items()
    for key, body in first_sections:
        assert api.put(f"/api/v1/applications/{application_id}/sections/{key}/", body, format="json").status_code == 200
    assert not form_rows(application_id).exists()

    # The last section completes the application: its form's render goes to the waiting worker.
    celery_app.conf.task_always_eager = False
    worker = start_worker(CONN_MAX_AGE="0")
    assert not render_running()
    response = api.put(f"/api/v1/applications/{application_id}/sections/{last_key}/", last_body, format="json")
    assert response.status_code == 200
    code = Application.objects.get(pk=application_id).verification_code
    wait_until(lambda: render_started(worker), "a pool child rendering the form", interval=0.005)
    killed = kill_pool_children(worker)
    assert len(killed) == 1

    # A fresh child takes the redelivered render; the row is ready once it has stored the PDF.
    wait_until(
        lambda: form_rows(application_id).filter(status=DocumentStatus.READY).exists(),
        "the form rendered after the kill",
    )
    wait_until(lambda: unacknowledged_messages(fault_broker) == 0, "the redelivered render acknowledged")
    log = worker.log()
    # Celery reports a lost job only for a child that had accepted it: the kill came mid-render.
    assert "WorkerLostError" in log and "signal 9 (SIGKILL)" in log
    # Before the kill the child had not finished: the one render that completed came after it.
    assert log.count(" rendered: ") == 1 and log.index("WorkerLostError") < log.index(" rendered: ")
    task_ids = re.findall(rf"Task {re.escape(RENDER_TASK)}\[([0-9a-f-]+)\] received", log)
    assert len(task_ids) == 2 and task_ids[0] == task_ids[1], "the same message, delivered twice"
    assert pool_children(worker) and set(pool_children(worker)).isdisjoint(killed)

    document = form_rows(application_id).get()
    assert document.version == Application.objects.get(pk=application_id).verification_code == code
    # Redelivered by the broker, not queued again by the portal.
    assert document.attempts == 1
    assert queued_messages(fault_broker) == 0
    assert stored_documents(shared_storage) == [document.key]
    pdf = private_files.read(document.key)
    assert document.size == len(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert f"验证码：{code}" in reader.pages[0].extract_text()
