"""Proof materials over the API: the district's slots, uploads checked by the worker, limits, finalize."""

import io
import threading

import pytest
from django.db import connection
from PIL import Image

from registration.models import Application, MaterialFile, MaterialSlot
from registration.services.applications import transition
from registration.workflow import Action
from tests.applications.conftest import token_client
from tests.files import images
from tests.files.helpers import application_body, post_material, put_photo, upload

pytestmark = pytest.mark.django_db(transaction=True)


def materials_url(application_id, tail=""):
    return f"/api/v1/applications/{application_id}/materials/{tail}"


def finalize(api, application_id):
    return api.post(materials_url(application_id, "finalize/"))


def test_the_list_gives_the_districts_slots_in_order_with_their_files(api, application_id):
    response = post_material(api, application_id, "3-1", images.material_jpeg())
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "status", "reason"}
    assert created["status"] == "accepted" and created["reason"] == ""

    body = api.get(materials_url(application_id)).json()
    assert body["finalized"] is False
    assert len(body["slots"]) == 30
    assert body["slots"][0] == {"code": "0", "title": "申请表（本人签字、单位盖章）", "max_files": 1, "files": []}
    degree_slot = next(slot for slot in body["slots"] if slot["code"] == "3-1")
    assert degree_slot["max_files"] == 6
    assert degree_slot["files"] == [
        {"id": created["id"], "status": "accepted", "reason": "", "size": len(images.material_jpeg())}
    ]


def test_an_accepted_material_has_its_image_and_a_thumbnail(api, application_id):
    file_id = post_material(api, application_id, "0", images.material_jpeg()).json()["id"]
    original = api.get(materials_url(application_id, f"{file_id}/content/"))
    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"
    # Re-encoded without metadata (registration.imaging): the same picture, not the same bytes.
    served = Image.open(io.BytesIO(b"".join(original.streaming_content)))
    assert served.size == Image.open(io.BytesIO(images.material_jpeg())).size
    thumbnail = api.get(materials_url(application_id, f"{file_id}/thumbnail/"))
    image = Image.open(io.BytesIO(b"".join(thumbnail.streaming_content)))
    assert max(image.size) == 240


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(images.material_jpeg(width=200, height=280, target_bytes=5 * 1024), "10KB至150KB", id="5KB"),
        pytest.param(images.material_jpeg(width=1400, height=1980, target_bytes=400 * 1024), "10KB至150KB", id="400KB"),
        pytest.param(images.png_bytes(), "不是JPG格式", id="png-named-jpg"),
        pytest.param(images.text_bytes(), "不是JPG格式", id="text"),
        pytest.param(images.truncated_jpeg(), "不完整或已损坏", id="truncated"),
        pytest.param(images.cmyk_jpeg(), "CMYK", id="cmyk"),
        pytest.param(images.bomb_jpeg(), "像素过大", id="bomb-30000x30000"),
        pytest.param(images.polyglot_jpeg(), "附带了其他内容", id="polyglot-jpeg-zip"),
    ],
)
def test_each_hostile_material_is_rejected_with_a_reason_and_nothing_else_changes(api, application_id, data, words):
    before = application_body(api, application_id)
    response = post_material(api, application_id, "3-1", data)
    assert response.status_code == 201
    assert response.json()["status"] == "rejected"
    assert words in response.json()["reason"]
    assert application_body(api, application_id) == before
    file_id = response.json()["id"]
    assert MaterialFile.objects.get(pk=file_id).thumbnail_key == ""
    assert api.get(materials_url(application_id, f"{file_id}/content/")).status_code == 409


def test_a_full_slot_refuses_at_once_with_too_many_files(api, application_id):
    assert post_material(api, application_id, "0", images.material_jpeg()).status_code == 201
    response = post_material(api, application_id, "0", images.material_jpeg(seed=3))
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert "最多允许上传1个文件" in response.json()["message"]
    assert MaterialFile.objects.filter(slot__code="0").count() == 1


def test_an_unknown_slot_or_a_missing_file_is_400_naming_the_field(api, application_id):
    response = post_material(api, application_id, "99", images.material_jpeg())
    assert response.status_code == 400 and list(response.json()["fields"]) == ["slot"]
    response = api.post(materials_url(application_id), {"slot": "0"}, format="multipart")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["file"]
    assert not MaterialFile.objects.exists()


def test_a_slot_of_another_district_is_refused(api, application_id, beijing):
    MaterialSlot.objects.create(district=beijing, code="bj-1", title="北京材料", max_files=1)
    assert post_material(api, application_id, "bj-1", images.material_jpeg()).status_code == 400


def test_an_on_site_district_takes_no_materials(api, exam, beijing):
    created = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "BJ"}, format="json").json()
    MaterialSlot.objects.create(district=beijing, code="1", title="材料", max_files=1)
    response = post_material(api, created["id"], "1", images.material_jpeg())
    assert response.status_code == 409 and "无需上传证明材料" in response.json()["message"]


def test_parallel_uploads_cannot_pass_max_files(api, application_id):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    slot = MaterialSlot.objects.get(code="8-2")  # takes 5 files
    attempts = 12
    barrier = threading.Barrier(attempts)
    token = api._credentials["HTTP_AUTHORIZATION"]
    clients = [type(api)() for _ in range(attempts)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=token)
    outcomes = []

    def post(client, seed):
        try:
            barrier.wait()
            response = post_material(client, application_id, slot.code, images.material_jpeg(seed=seed))
            outcomes.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client, seed)) for seed, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted([(201, None)] * 5 + [(400, "too_many_files")] * 7, key=str)
    assert MaterialFile.objects.filter(application_id=application_id, slot=slot).count() == 5


def test_delete_while_editable_frees_the_place_and_the_files(api, application_id, settings):
    file_id = post_material(api, application_id, "0", images.material_jpeg()).json()["id"]
    material = MaterialFile.objects.get(pk=file_id)
    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert (root / material.key).exists() and (root / material.thumbnail_key).exists()
    assert api.delete(materials_url(application_id, f"{file_id}/")).status_code == 204
    assert not MaterialFile.objects.exists()
    assert not (root / material.key).exists() and not (root / material.thumbnail_key).exists()
    assert post_material(api, application_id, "0", images.material_jpeg()).status_code == 201
    assert api.delete(materials_url(application_id, f"{file_id}/")).status_code == 404


def test_finalize_needs_an_accepted_file_and_none_pending(api, application_id):
    response = finalize(api, application_id)
    assert response.status_code == 409 and "至少上传一项合格" in response.json()["message"]
    post_material(api, application_id, "3-1", images.text_bytes())
    assert finalize(api, application_id).status_code == 409
    pending = post_material(api, application_id, "3-1", images.material_jpeg()).json()["id"]
    MaterialFile.objects.filter(pk=pending).update(status="pending")
    response = finalize(api, application_id)
    assert response.status_code == 409 and "正在检查" in response.json()["message"]
    MaterialFile.objects.filter(pk=pending).update(status="accepted")

    response = finalize(api, application_id)
    assert response.status_code == 200
    assert response.json()["finalized"] is True
    body = application_body(api, application_id)
    assert body["materials_finalized"] is True
    assert {node["key"]: node["state"] for node in body["nodes"]}["materials"] == "done"
    assert finalize(api, application_id).status_code == 200


@pytest.mark.parametrize("change", ["upload", "delete", "replace"])
def test_any_change_after_finalizing_unfinalizes_but_keeps_the_code(api, application_id, change):
    """Seed 002 line 37: "信息修改后报名表上的验证码会随之更新" — the 报名信息, not the proof materials,
    which are not printed on the form: a signed form uploaded after the change stays current."""
    file_id = post_material(api, application_id, "3-1", images.material_jpeg()).json()["id"]
    finalize(api, application_id)
    code = application_body(api, application_id)["verification_code"]
    if change == "upload":
        post_material(api, application_id, "3-1", images.material_jpeg(seed=8))
    elif change == "delete":
        api.delete(materials_url(application_id, f"{file_id}/"))
    else:
        api.put(materials_url(application_id, f"{file_id}/"), {"file": upload(images.material_jpeg(seed=8))})
    body = application_body(api, application_id)
    assert body["materials_finalized"] is False
    assert body["verification_code"] == code


def test_after_a_confirmation_rejection_a_rejected_file_is_replaced_and_the_application_resubmitted(
    api, application_id, sections
):
    for key, section in sections.items():
        assert (
            api.put(f"/api/v1/applications/{application_id}/sections/{key}/", section, format="json").status_code == 200
        )
    put_photo(api, application_id, images.photo_jpeg())
    good = post_material(api, application_id, "0", images.material_jpeg()).json()["id"]
    bad = post_material(api, application_id, "3-1", images.material_jpeg(width=200, height=280, target_bytes=5 * 1024))
    assert bad.json()["status"] == "rejected"
    assert finalize(api, application_id).status_code == 200
    assert api.post(f"/api/v1/applications/{application_id}/submit/").json()["status"] == "submitted"

    # Nothing changes while submitted.
    assert api.delete(materials_url(application_id, f"{good}/")).status_code == 409
    assert post_material(api, application_id, "3-2", images.material_jpeg()).status_code == 409

    transition(application_id=application_id, action=Action.REJECT_CONFIRMATION, actor=None, reason="材料不清晰")
    replaced = api.put(materials_url(application_id, f"{bad.json()['id']}/"), {"file": upload(images.material_jpeg())})
    assert replaced.status_code == 201 and replaced.json()["status"] == "accepted"
    assert not MaterialFile.objects.filter(pk=bad.json()["id"]).exists()
    assert application_body(api, application_id)["materials_finalized"] is False
    submit = api.post(f"/api/v1/applications/{application_id}/submit/")
    assert submit.status_code == 400 and list(submit.json()["fields"]) == ["materials"]
    assert finalize(api, application_id).status_code == 200
    assert api.post(f"/api/v1/applications/{application_id}/submit/").json()["status"] == "submitted"
    assert Application.objects.get(pk=application_id).resubmission_count == 1


def test_submission_needs_the_photo_and_the_materials(api, application_id, sections):
    for key, section in sections.items():
        api.put(f"/api/v1/applications/{application_id}/sections/{key}/", section, format="json")
    response = api.post(f"/api/v1/applications/{application_id}/submit/")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"photo", "materials"}
    put_photo(api, application_id, images.photo_jpeg())
    assert set(api.post(f"/api/v1/applications/{application_id}/submit/").json()["fields"]) == {"materials"}


def test_another_candidates_file_is_404_by_id(api, application_id, other_candidate, exam):
    file_id = post_material(api, application_id, "0", images.material_jpeg()).json()["id"]
    other = token_client(other_candidate)
    own = other.post("/api/v1/applications/", {"exam": exam.pk, "district": "SH"}, format="json").json()["id"]
    for path in [f"{file_id}/content/", f"{file_id}/thumbnail/"]:
        assert other.get(materials_url(application_id, path)).status_code == 404
        # Nor through the other candidate's own application id.
        assert other.get(materials_url(own, path)).status_code == 404
    assert other.delete(materials_url(application_id, f"{file_id}/")).status_code == 404
    assert other.delete(materials_url(own, f"{file_id}/")).status_code == 404
    assert other.get(materials_url(application_id)).status_code == 404
    assert MaterialFile.objects.filter(pk=file_id).exists()


def test_changing_district_discards_the_old_districts_materials(api, application_id, beijing):
    assert post_material(api, application_id, "3-1", images.material_jpeg()).status_code == 201
    response = api.post(f"/api/v1/applications/{application_id}/change-district/", {"district": "BJ"}, format="json")
    assert response.status_code == 200
    assert not MaterialFile.objects.filter(application_id=application_id).exists()
    assert "1 material file(s) discarded" in Application.objects.get(pk=application_id).events.latest("id").reason
