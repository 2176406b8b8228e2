"""On the live Celery worker (CI): bulk confirmation of 1,000 applications runs as a job to the end."""

from __future__ import annotations

import time

import pytest

from registration.models import Application, ApplicationEvent
from review.models import ReminderDelivery
from tests.review.conftest import many_submitted

pytestmark = pytest.mark.live_worker

# Bounds the wait for the worker; the test passes as soon as the job is done.
PATIENCE_SECONDS = 300


def wait_for(api, job_id):
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        job = api.get(f"/api/v1/staff/jobs/{job_id}/").json()
        if job["status"] in {"done", "failed"}:
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"the job did not finish in {PATIENCE_SECONDS} s: {job}")
        time.sleep(0.5)


def test_the_worker_confirms_1000_applications_as_one_job(world, api_as):
    ids = many_submitted(world, 1000)
    api = api_as("sh_point")

    started = time.perf_counter()
    response = api.post("/api/v1/staff/applications/bulk-confirm/", {"applications": ids}, format="json")
    assert response.status_code == 202, response.json()
    assert (response.json()["status"], response.json()["total"]) == ("pending", 1000)
    job = wait_for(api, response.json()["id"])
    elapsed = time.perf_counter() - started

    assert (job["status"], job["processed"], job["succeeded"], job["failed"], job["percent"]) == (
        "done",
        1000,
        1000,
        0,
        100,
    )
    assert Application.objects.filter(pk__in=ids, status="confirmed").count() == 1000
    assert ApplicationEvent.objects.filter(action="confirm", reason="批量确认").count() == 1000
    print(f"\nlive worker bulk confirm: 1000 applications in {elapsed:.1f} s")


def test_the_worker_sends_the_rejection_e_mail(world, api_as):
    application = world.make_application()

    api_as("sh_point").post(
        f"/api/v1/staff/applications/{application.pk}/reject/", {"reasons": ["missing_materials"]}, format="json"
    )

    deadline = time.monotonic() + 60
    while not ReminderDelivery.objects.filter(reminder__application=application, status="sent").exists():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not deliver the reminder in 60 s")
        time.sleep(0.2)
    delivery = ReminderDelivery.objects.get(reminder__application=application)
    assert (delivery.channel, delivery.attempts, delivery.detail) == ("email", 1, application.email)
