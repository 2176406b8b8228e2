"""Two candidates who used to lose their exam year, from the outside (API, real uploads and checks).

- Seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试" — a Beijing
  candidate who chose no 报名点 is confirmed by code at a registration point under their site.
- Seed 002 line 37: "信息修改后报名表上的验证码会随之更新" — a Shanghai candidate rejected over the signed
  form (slot 0) uploads a new one: uploads are no change of the 报名信息, so the form they printed
  stays current and they are confirmed with the same code.
"""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from registration.models import Application, MaterialSlot
from tests.files.helpers import post_material, upload, use_private_storage
from tests.files.images import material_jpeg
from tests.review.conftest import candidate_sections, make_candidate, token_client

pytestmark = pytest.mark.django_db

BY_CODE = "/api/v1/staff/confirm-by-code/"


def signed_scan(barcode_text: str, *, seed: int) -> bytes:
    """A scanned signed form that passes the material checks, its barcode in the blank top margin."""
    page = Image.open(io.BytesIO(material_jpeg(seed=seed))).convert("RGB")
    barcode = zxingcpp.create_barcode(barcode_text, zxingcpp.BarcodeFormat.Code128).to_image(scale=2)
    pixels = memoryview(barcode)
    strip = Image.frombytes("L", (pixels.shape[1], pixels.shape[0]), bytes(pixels))
    page.paste(strip.convert("RGB"), (150, 40))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def test_a_beijing_candidate_without_a_point_is_confirmed_by_code_at_a_point_under_their_site(
    world, api_as, django_capture_on_commit_callbacks
):
    candidate = make_candidate()
    own = token_client(candidate)
    created = own.post(
        "/api/v1/applications/", {"exam": world.exam.pk, "district": "BJ", "pledge_accepted": True}, format="json"
    )
    application_id = created.json()["id"]
    sections = candidate_sections(world, candidate, point=world.bj1)
    sections["site"] = {"city": world.bj_site.city.code, "site": world.bj_site.code}
    for key, body in sections.items():
        assert own.put(f"/api/v1/applications/{application_id}/sections/{key}/", body, format="json").status_code == 200
    Application.objects.filter(pk=application_id).update(photo_status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = own.post(f"/api/v1/applications/{application_id}/submit/").json()
    assert (submitted["status"], submitted["sections"]["site"]["registration_point"]) == ("submitted", None)

    response = api_as("bj_point").post(
        BY_CODE, {"number": submitted["number"], "verification_code": submitted["verification_code"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    nodes = {node["key"]: node["state"] for node in own.get(f"/api/v1/applications/{application_id}/").json()["nodes"]}
    assert nodes["confirm"] == "done"


def test_a_shanghai_candidate_rejected_over_the_signed_form_is_confirmed_with_the_same_code(
    world, api_as, settings, tmp_path, django_capture_on_commit_callbacks
):
    use_private_storage(settings, tmp_path / "private")
    MaterialSlot.objects.create(district=world.sh, code="0", title="申请表（本人签字、单位盖章）", max_files=1)
    candidate = make_candidate()
    own = token_client(candidate)
    created = own.post(
        "/api/v1/applications/", {"exam": world.exam.pk, "district": "SH", "pledge_accepted": True}, format="json"
    )
    application_id = created.json()["id"]
    base = f"/api/v1/applications/{application_id}/"
    for key, body in candidate_sections(world, candidate).items():
        assert own.put(f"{base}sections/{key}/", body, format="json").status_code == 200
    Application.objects.filter(pk=application_id).update(photo_status="accepted")
    printed = own.get(base).json()  # the candidate prints the form: 网报号 and 验证码 in its barcode
    number, code = printed["number"], printed["verification_code"]

    # An unsigned form first: the registration point rejects over it.
    with django_capture_on_commit_callbacks(execute=True):
        first = post_material(own, application_id, "0", signed_scan(f"{number} {code}", seed=3)).json()
    assert own.post(f"{base}materials/finalize/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert own.post(f"{base}submit/").json()["status"] == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        rejected = api_as("sh_point").post(
            f"/api/v1/staff/applications/{application_id}/reject/",
            {"reasons": ["unclear_materials"], "note": "申请表未签字、未盖章"},
            format="json",
        )
    assert rejected.json()["status"] == "confirmation_rejected"

    # The signed and stamped form replaces it; nothing of the 报名信息 changed, so neither did the code.
    with django_capture_on_commit_callbacks(execute=True):
        replaced = own.put(f"{base}materials/{first['id']}/", {"file": upload(signed_scan(f"{number} {code}", seed=5))})
    assert replaced.status_code in {200, 201}, replaced.json()
    files = own.get(f"{base}materials/").json()["slots"][0]["files"]
    assert [file["status"] for file in files] == ["accepted"]
    assert own.post(f"{base}materials/finalize/").status_code == 200
    assert own.get(base).json()["verification_code"] == code
    with django_capture_on_commit_callbacks(execute=True):
        assert own.post(f"{base}submit/").json()["status"] == "submitted"
    staff_view = api_as("sh_point").get(f"/api/v1/staff/applications/{application_id}/").json()
    form = next(slot for slot in staff_view["materials"]["slots"] if slot["code"] == "0")["files"][0]
    assert form["signed_form"] == {"status": "current", "label": "最新版本"}

    response = api_as("sh_point").post(BY_CODE, {"number": number, "verification_code": code}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
