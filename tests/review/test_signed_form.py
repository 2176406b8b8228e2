"""The signed application form (申请表, slot 0): a worker reads its barcode and staff see its version."""

from __future__ import annotations

import io
import uuid

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from registration import private_files
from registration.models import MaterialFile, MaterialSlot
from registration.models.files import UploadStatus
from review.models import IssuedCode, SignedFormCheck
from review.signed_forms import parse_form_code

pytestmark = pytest.mark.django_db


def scan(barcode_text: str | None) -> bytes:
    """A photographed A4 form: white paper, some text-like noise, and the barcode (if any) near the top."""
    page = Image.new("RGB", (900, 1200), "white")
    if barcode_text is not None:
        barcode = zxingcpp.create_barcode(barcode_text, zxingcpp.BarcodeFormat.Code128).to_image(scale=3)
        pixels = memoryview(barcode)
        strip = Image.frombytes("L", (pixels.shape[1], pixels.shape[0]), bytes(pixels))
        page.paste(strip.convert("RGB"), (300, 60))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
def upload_form(world, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    slots = {
        code: MaterialSlot.objects.create(district=world.sh, code=code, title=title, max_files=1)
        for code, title in [("0", "申请表（本人签字、单位盖章）"), ("3-1", "学历证、学位证")]
    }

    def upload(application, data: bytes, *, slot: str = "0") -> MaterialFile:
        token = uuid.uuid4()
        key = f"materials/{token.hex}/material.jpg"
        private_files.put(key, data)
        material = MaterialFile.objects.create(
            token=token,
            application=application,
            slot=slots[slot],
            key=key,
            size=len(data),
            status=UploadStatus.PENDING,
            queued_at=timezone.now(),
        )
        # The upload's check accepts it: that save is what sends the form to the barcode reader.
        with django_capture_on_commit_callbacks(execute=True):
            material.status = UploadStatus.ACCEPTED
            material.save()
        return material

    return upload


def signed_form(api, application) -> dict:
    body = api.get(f"/api/v1/staff/applications/{application.pk}/").json()
    return body["materials"]["slots"][0]["files"][0]["signed_form"]


def test_the_current_version_is_recognised(world, api_as, upload_form):
    application = world.make_application()

    upload_form(application, scan(f"{application.number} {application.verification_code}"))

    assert signed_form(api_as("sh_point"), application) == {"status": "current", "label": "最新版本"}


def test_a_form_printed_before_a_change_is_a_stale_version(world, api_as, upload_form):
    application = world.make_application()
    IssuedCode.objects.create(application=application, code="7654321")

    upload_form(application, scan(f"{application.number}-7654321"))

    assert signed_form(api_as("sh_point"), application)["status"] == "stale"


def test_someone_elses_form_or_an_unknown_code_does_not_match(world, api_as, upload_form):
    application = world.make_application()
    other = world.make_application()

    upload_form(application, scan(f"{other.number}{other.verification_code}"))
    assert signed_form(api_as("sh_point"), application)["status"] == "mismatch"


def test_a_scan_without_a_barcode_is_unreadable(world, api_as, upload_form):
    application = world.make_application()

    upload_form(application, scan(None))

    assert SignedFormCheck.objects.get().number == ""
    assert signed_form(api_as("sh_point"), application) == {"status": "unreadable", "label": "无法识别条形码"}


def test_other_slots_are_not_read(world, api_as, upload_form):
    application = world.make_application()
    upload_form(application, scan(f"{application.number} {application.verification_code}"), slot="3-1")
    assert not SignedFormCheck.objects.exists()


def test_staff_see_the_verdict_beside_the_form_in_the_admin(world, client, upload_form):
    application = world.make_application()
    upload_form(application, scan(f"{application.number} {application.verification_code}"))
    client.force_login(world.staff["sh_point"])

    page = client.get(reverse("admin:registration_application_change", args=[application.pk])).content.decode()

    assert 'data-form="current"' in page and "最新版本" in page
    image = client.get(
        reverse("admin:registration_application_material", args=[application.pk, MaterialFile.objects.get().pk])
    )
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    client.force_login(world.staff["sh_point2"])
    assert client.get(reverse("admin:registration_application_material", args=[application.pk, 1])).status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345678 1234567", ("12345678", "1234567")),
        ("网报号:12345678 验证码:1234567", ("12345678", "1234567")),
        ("123456781234567", ("12345678", "1234567")),
        ("12345678", None),
        ("", None),
        ("1 2 3", None),
    ],
)
def test_parse_form_code(text, expected):
    assert parse_form_code(text) == expected
