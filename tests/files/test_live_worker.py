"""On the live Celery worker (CI): uploads are checked out of process, hostile ones leave it standing."""

import time

import pytest

from registration import private_files
from registration.models import MaterialFile, Photo
from tests.files import images
from tests.files.helpers import post_material, put_photo

pytestmark = pytest.mark.live_worker

# Bounds the wait for the worker; the test passes as soon as the verdicts are in.
PATIENCE_SECONDS = 60


@pytest.fixture
def stored_files_removed():
    """The worker writes to the configured storage: take this test's files away afterwards."""
    yield
    for upload in [*Photo.objects.all(), *MaterialFile.objects.all()]:
        private_files.delete(upload.key, getattr(upload, "thumbnail_key", ""))


def verdicts(api, application_id):
    photo = api.get(f"/api/v1/applications/{application_id}/photo/").json()
    slots = api.get(f"/api/v1/applications/{application_id}/materials/").json()["slots"]
    files = [file for slot in slots for file in slot["files"]]
    return photo, files


def wait_for_verdicts(api, application_id):
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        photo, files = verdicts(api, application_id)
        if photo["status"] != "pending" and all(file["status"] != "pending" for file in files):
            return photo, files
        if time.monotonic() > deadline:
            pytest.fail(f"no verdict from the worker in {PATIENCE_SECONDS} s: {photo} {files}")
        time.sleep(0.2)


def test_the_worker_checks_uploads_and_survives_a_decompression_bomb(api, application_id, stored_files_removed):
    assert put_photo(api, application_id, images.photo_jpeg()).json() == {"status": "pending"}
    bomb = post_material(api, application_id, "3-1", images.bomb_jpeg())
    assert bomb.status_code == 201 and bomb.json()["status"] == "pending"
    photo, files = wait_for_verdicts(api, application_id)
    assert photo["status"] == "accepted"
    assert files[0]["status"] == "rejected" and "像素过大" in files[0]["reason"]

    # The same worker goes on with the next upload.
    assert post_material(api, application_id, "0", images.material_jpeg()).status_code == 201
    photo, files = wait_for_verdicts(api, application_id)
    assert sorted(file["status"] for file in files) == ["accepted", "rejected"]
    accepted = MaterialFile.objects.get(status="accepted")
    assert accepted.thumbnail_key and private_files.storage().exists(accepted.thumbnail_key)
