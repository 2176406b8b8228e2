"""Finding: proof materials kept EXIF GPS, camera data and JPEG comments and were served so; and the
photo check measured raw pixels, ignoring EXIF orientation. Everything is now served upright and clean."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from registration.models import MaterialFile, Photo
from tests.files import images
from tests.files.helpers import post_material, put_photo

SECRETS = [b"Camera maker", b"PhoneModel X", b"secret scan note", b"secret xmp"]
ORIENTATION = 0x0112


def with_metadata(data: bytes, *, orientation: int = 1, target_bytes: int | None = None) -> bytes:
    """The image with a phone's metadata: camera, a GPS position, a comment, XMP, and an orientation."""
    source = Image.open(io.BytesIO(data))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0110] = "PhoneModel X"
    exif[ORIENTATION] = orientation
    exif[0x8825] = {1: "N", 2: (31.0, 12.0, 30.0), 3: "E", 4: (121.0, 28.0, 10.0)}
    output = io.BytesIO()
    source.save(
        output,
        "JPEG",
        quality="keep",
        exif=exif.tobytes(),
        comment=b"secret scan note",
        xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>",
    )
    result = output.getvalue()
    assert all(secret in result for secret in SECRETS)
    return result


def sideways(data: bytes) -> bytes:
    """The image as a phone stores a portrait: pixels turned a quarter, EXIF orientation 6 to turn back."""
    turned = Image.open(io.BytesIO(data)).transpose(Image.Transpose.ROTATE_90)
    output = io.BytesIO()
    turned.save(output, "JPEG", quality=90)
    return with_metadata(output.getvalue(), orientation=6)


def uploaded_material(api, application_id: int, data: bytes, capture) -> str:
    """Uploads a scan as the candidate, lets its check run, and gives the file's URL once accepted."""
    with capture(execute=True):
        response = post_material(api, application_id, "3-1", data)
    assert response.status_code == 201, response.json()
    file_id = response.json()["id"]
    assert MaterialFile.objects.get(pk=file_id).status == "accepted"
    return f"/api/v1/applications/{application_id}/materials/{file_id}"


def served(response) -> bytes:
    assert response.status_code == 200, getattr(response, "data", response)
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_clean(data: bytes) -> Image.Image:
    assert not [secret for secret in SECRETS if secret in data]
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif(), "no EXIF block survives, GPS and orientation included"
    assert "comment" not in image.info and "xmp" not in image.info
    return image


@pytest.mark.django_db
def test_material_with_gps_camera_and_comment_is_served_without_them_thumbnail_too(
    api, draft, slots, django_capture_on_commit_callbacks
):
    base = uploaded_material(
        api, draft["id"], with_metadata(images.material_jpeg()), django_capture_on_commit_callbacks
    )

    scan = assert_clean(served(api.get(f"{base}/content/")))
    assert scan.size == (700, 990)
    assert_clean(served(api.get(f"{base}/thumbnail/")))


@pytest.mark.django_db
def test_the_upload_with_its_metadata_is_not_kept_in_storage(
    api, draft, slots, settings, django_capture_on_commit_callbacks
):
    base = uploaded_material(
        api, draft["id"], with_metadata(images.material_jpeg()), django_capture_on_commit_callbacks
    )
    file_id = int(base.rsplit("/", 1)[1])
    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    stored = [path.read_bytes() for path in root.rglob("*") if path.is_file()]
    material = MaterialFile.objects.get(pk=file_id)
    assert sorted(path.name for path in root.rglob("*") if path.is_file()) == ["scan.jpg", "thumbnail.jpg"]
    assert material.key.endswith("scan.jpg")
    assert not [data for data in stored if any(secret in data for secret in SECRETS)]


@pytest.mark.django_db
def test_a_sideways_phone_scan_is_served_upright(api, draft, slots, django_capture_on_commit_callbacks):
    base = uploaded_material(api, draft["id"], sideways(images.material_jpeg()), django_capture_on_commit_callbacks)
    assert assert_clean(served(api.get(f"{base}/content/"))).size == (700, 990)
    thumbnail = assert_clean(served(api.get(f"{base}/thumbnail/")))
    assert thumbnail.height > thumbnail.width


@pytest.mark.django_db
def test_a_phone_portrait_stored_sideways_passes_the_five_to_seven_check_upright(
    api, draft, django_capture_on_commit_callbacks
):
    data = sideways(images.photo_jpeg())
    assert Image.open(io.BytesIO(data)).size == (501, 358), "stored sideways: 7:5 as raw pixels"
    with django_capture_on_commit_callbacks(execute=True):
        assert put_photo(api, draft["id"], data).status_code == 202
    status = api.get(f"/api/v1/applications/{draft['id']}/photo/").json()
    assert status["status"] == "accepted", status

    photo = assert_clean(served(api.get(f"/api/v1/applications/{draft['id']}/photo/content/")))
    assert photo.size == (358, 501)
    assert Photo.objects.get(application_id=draft["id"]).width == 358


@pytest.mark.django_db
def test_a_landscape_photo_without_orientation_is_still_refused_with_its_upright_numbers(
    api, draft, django_capture_on_commit_callbacks
):
    turned = io.BytesIO()
    Image.open(io.BytesIO(images.photo_jpeg())).transpose(Image.Transpose.ROTATE_90).save(turned, "JPEG", quality=90)
    with django_capture_on_commit_callbacks(execute=True):
        put_photo(api, draft["id"], with_metadata(turned.getvalue(), orientation=1))
    status = api.get(f"/api/v1/applications/{draft['id']}/photo/").json()
    assert status["status"] == "rejected"
    assert "501×358" in status["reason"]
