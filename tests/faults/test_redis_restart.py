"""Redis restarts (keeping nothing on disk) while uploads wait for their check: the queued checks are
lost, and the sweep queues them again, so that every upload ends accepted or rejected."""

from __future__ import annotations

import re

import pytest

from registration.models import Application, MaterialFile, Photo
from registration.models.application import PhotoStatus
from registration.models.files import UploadStatus
from registration.tasks import requeue_stale_uploads
from tests.faults.conftest import queued_messages, unacknowledged_messages, wait_until
from tests.files import images
from tests.files.helpers import load_shanghai_slots, post_material, put_photo

pytestmark = pytest.mark.django_db(transaction=True)


def pending_uploads() -> int:
    return (
        Photo.objects.filter(status=UploadStatus.PENDING).count()
        + MaterialFile.objects.filter(status=UploadStatus.PENDING).count()
    )


def test_after_a_redis_restart_the_sweep_leaves_no_upload_pending(
    api, draft, shanghai, fault_broker, shared_storage, start_worker
):
    application_id = draft["id"]
    load_shanghai_slots(shanghai)
    # No worker yet: the three checks wait in Redis.
    assert put_photo(api, application_id, images.photo_jpeg()).status_code == 202
    assert post_material(api, application_id, "0", images.material_jpeg()).status_code == 201
    assert post_material(api, application_id, "3-1", images.cmyk_jpeg()).status_code == 201
    assert queued_messages(fault_broker) == 3
    assert pending_uploads() == 3

    fault_broker.restart()
    assert queued_messages(fault_broker) == 0

    # The sweep counts an upload as lost after UPLOAD_REQUEUE_AFTER_MINUTES: here at once.
    worker = start_worker(UPLOAD_REQUEUE_AFTER_MINUTES="0")
    # Nothing reaches the worker: without the sweep the uploads would stay pending.
    assert pending_uploads() == 3
    # What beat sends every two minutes, sent by this process after the restart (its broker
    # connections were cut, so this also proves that a web process reconnects).
    requeue_stale_uploads.delay()

    wait_until(lambda: pending_uploads() == 0, "every upload checked after the sweep")
    wait_until(lambda: unacknowledged_messages(fault_broker) == 0, "every check acknowledged")
    # The sweep queued all three again (its return value, in the worker's log).
    assert re.search(r"requeue_stale_uploads\[[0-9a-f-]+\] succeeded in [0-9.]+s: 3$", worker.log(), re.MULTILINE)
    # An accepted photo queues the form's preparation, which the same worker takes next.
    wait_until(lambda: queued_messages(fault_broker) == 0, "nothing left in the queue")

    photo = Photo.objects.get(application_id=application_id)
    assert (photo.status, photo.attempts) == (UploadStatus.ACCEPTED, 2)
    assert Application.objects.get(pk=application_id).photo_status == PhotoStatus.ACCEPTED
    materials = {material.slot.code: material for material in MaterialFile.objects.select_related("slot")}
    assert (materials["0"].status, materials["0"].attempts) == (UploadStatus.ACCEPTED, 2)
    assert (materials["3-1"].status, materials["3-1"].attempts) == (UploadStatus.REJECTED, 2)
    assert materials["3-1"].reason_code != "not_checked", "checked by the worker, not given up by the sweep"

    # The candidate sees the verdicts too: nothing is left pending on the API.
    assert api.get(f"/api/v1/applications/{application_id}/photo/").json()["status"] == "accepted"
    slots = api.get(f"/api/v1/applications/{application_id}/materials/").json()["slots"]
    statuses = sorted(file["status"] for slot in slots for file in slot["files"])
    assert statuses == ["accepted", "rejected"]
