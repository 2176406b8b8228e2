"""The validation tasks: idempotent, retried on transient errors, and swept up when lost."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from registration import private_files, tasks
from registration.models import ApplicationEvent, MaterialFile, Photo
from tests.files import images
from tests.files.helpers import application_body, post_material, put_photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lost_tasks(monkeypatch):
    """Queued validations go nowhere, as when a message is lost between web and worker."""
    monkeypatch.setattr(tasks.validate_photo, "delay", lambda *args, **kwargs: None)
    monkeypatch.setattr(tasks.validate_material, "delay", lambda *args, **kwargs: None)


def stored_files(settings_, upload):
    root = settings_.STORAGES["default"]["OPTIONS"]["location"]
    return sorted(path.name for path in (root / upload.key).parent.iterdir())


def test_the_tasks_are_acks_late_and_retried_with_backoff():
    for task in (tasks.validate_photo, tasks.validate_material):
        assert task.acks_late is True
        assert task.max_retries == 5 and task.retry_backoff
        assert OSError in task.autoretry_for
    assert settings.CELERY_BEAT_SCHEDULE["registration-requeue-stale-uploads"]["task"] == (
        "registration.tasks.requeue_stale_uploads"
    )


def test_validating_twice_gives_one_result_and_one_thumbnail(api, application_id, lost_tasks, settings):
    file_id = post_material(api, application_id, "0", images.material_jpeg()).json()["id"]
    assert MaterialFile.objects.get(pk=file_id).status == "pending"

    tasks.validate_material.apply(args=[file_id])
    first = MaterialFile.objects.get(pk=file_id)
    tasks.validate_material.apply(args=[file_id])
    second = MaterialFile.objects.get(pk=file_id)

    assert first.status == second.status == "accepted"
    assert first.checked_at == second.checked_at
    # The upload itself is replaced by its re-encoded scan (registration.imaging).
    assert stored_files(settings, second) == ["scan.jpg", "thumbnail.jpg"]
    assert ApplicationEvent.objects.filter(application_id=application_id, action="material_accepted").count() == 1


def test_concurrent_validations_of_one_photo_record_one_verdict(api, application_id, lost_tasks, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    put_photo(api, application_id, images.photo_jpeg())
    photo = Photo.objects.get(application_id=application_id)
    barrier = threading.Barrier(4)

    def validate():
        try:
            barrier.wait()
            tasks.validate_photo.apply(args=[photo.pk])
        finally:
            connection.close()

    threads = [threading.Thread(target=validate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    photo.refresh_from_db()
    assert photo.status == "accepted"
    assert stored_files(settings, photo) == ["photo.jpg"]
    assert ApplicationEvent.objects.filter(application_id=application_id, action="photo_accepted").count() == 1
    assert Photo.objects.filter(application__isnull=True).count() == 1


def test_a_transient_storage_error_is_retried(api, application_id, lost_tasks, monkeypatch):
    put_photo(api, application_id, images.photo_jpeg())
    photo = Photo.objects.get(application_id=application_id)
    real_read = private_files.read
    calls = []

    def flaky_read(key):
        calls.append(key)
        if len(calls) == 1:
            raise ConnectionResetError("storage went away")
        return real_read(key)

    monkeypatch.setattr(private_files, "read", flaky_read)
    result = tasks.validate_photo.apply(args=[photo.pk], throw=False)
    assert result.successful()
    assert len(calls) == 2
    assert Photo.objects.get(pk=photo.pk).status == "accepted"


def test_a_missing_stored_file_is_a_rejection_not_an_endless_retry(api, application_id, lost_tasks):
    put_photo(api, application_id, images.photo_jpeg())
    photo = Photo.objects.get(application_id=application_id)
    private_files.delete(photo.key)
    tasks.validate_photo.apply(args=[photo.pk])
    photo.refresh_from_db()
    assert photo.status == "rejected" and "请重新上传" in photo.reason
    assert application_body(api, application_id)["photo_status"] == "rejected"


def test_the_sweep_requeues_uploads_left_pending(api, application_id, lost_tasks, monkeypatch):
    put_photo(api, application_id, images.photo_jpeg())
    file_id = post_material(api, application_id, "0", images.material_jpeg()).json()["id"]
    assert tasks.requeue_stale_uploads() == 0
    monkeypatch.undo()  # the worker is back

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=settings.UPLOAD_REQUEUE_AFTER_MINUTES + 1)):
        assert tasks.requeue_stale_uploads() == 2

    photo = Photo.objects.get(application_id=application_id)
    assert photo.status == "accepted" and photo.attempts == 2
    assert MaterialFile.objects.get(pk=file_id).status == "accepted"
    assert application_body(api, application_id)["photo_status"] == "accepted"


def test_the_sweep_gives_up_after_the_last_attempt_so_the_candidate_can_upload_again(api, application_id, lost_tasks):
    put_photo(api, application_id, images.photo_jpeg())
    Photo.objects.update(attempts=settings.UPLOAD_MAX_ATTEMPTS)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert tasks.requeue_stale_uploads() == 1
    status = api.get(f"/api/v1/applications/{application_id}/photo/").json()
    assert status["status"] == "rejected" and "系统未能完成检查" in status["reason"]
