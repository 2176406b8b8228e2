"""Helpers for tests that need uploads: slots from the reference file, multipart uploads, and an
application brought to an accepted photo and finalized materials through the real API."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from registration.models import District, MaterialSlot
from tests.files.images import material_jpeg, photo_jpeg

SLOTS_FILE = Path(__file__).resolve().parents[2] / "reference" / "shanghai-material-slots.csv"


def use_private_storage(settings, directory: Path) -> None:
    """Points the private file storage at a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": directory, "base_url": None},
        },
    }


def load_shanghai_slots(district: District) -> list[MaterialSlot]:
    with SLOTS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        MaterialSlot.objects.create(
            district=district,
            code=row["code"],
            title=row["title"],
            title_en=row["title_en"],
            max_files=int(row["max_files"]),
            who=row["who"],
            position=position,
        )
        for position, row in enumerate(rows)
    ]


def upload(data: bytes, name: str = "upload.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def put_photo(client, application_id: int, data: bytes, **file_options):
    return client.put(
        f"/api/v1/applications/{application_id}/photo/",
        {"file": upload(data, **file_options)},
        format="multipart",
    )


def post_material(client, application_id: int, slot: str, data: bytes, **file_options):
    return client.post(
        f"/api/v1/applications/{application_id}/materials/",
        {"slot": slot, "file": upload(data, **file_options)},
        format="multipart",
    )


def application_body(client, application_id: int) -> dict:
    return client.get(f"/api/v1/applications/{application_id}/").json()


def upload_accepted_photo_and_materials(client, application: dict, capture_on_commit) -> None:
    """Uploads a valid photo and, where the district confirms online, one valid material (adding the
    申请表 slot when the district has none) and finalizes: what submission needs beyond the sections.

    ``capture_on_commit`` is pytest-django's ``django_capture_on_commit_callbacks``: in a test that
    never commits, it runs the validation tasks queued on commit.
    """
    application_id = application["id"]
    with capture_on_commit(execute=True):
        assert put_photo(client, application_id, photo_jpeg()).status_code == 202
    assert client.get(f"/api/v1/applications/{application_id}/photo/").json()["status"] == "accepted"
    district = District.objects.get(applications__pk=application_id)
    if not district.online_confirmation:
        return
    slot = district.material_slots.order_by("position").first()
    if slot is None:
        slot = MaterialSlot.objects.create(
            district=district, code="0", title="申请表（本人签字、单位盖章）", max_files=1
        )
    with capture_on_commit(execute=True):
        assert post_material(client, application_id, slot.code, material_jpeg()).status_code == 201
    response = client.post(f"/api/v1/applications/{application_id}/materials/finalize/")
    assert response.status_code == 200, response.json()
