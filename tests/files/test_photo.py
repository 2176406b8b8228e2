"""The photo over the API: stored, checked by the worker (eager here), reused from the account or replaced."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from registration.choices import Role
from registration.models import Application, ApplicationEvent, Photo, User
from registration.services.applications import transition
from registration.workflow import Action
from tests.applications.conftest import token_client
from tests.files import images
from tests.files.helpers import application_body, put_photo

pytestmark = pytest.mark.django_db(transaction=True)


def photo_url(application_id, tail=""):
    return f"/api/v1/applications/{application_id}/photo/{tail}"


def test_a_good_photo_is_accepted_and_the_application_column_follows(api, application_id):
    before = api.get(photo_url(application_id)).json()
    assert {key: before[key] for key in ("status", "reason", "account_photo")} == {
        "status": "missing",
        "reason": "",
        "account_photo": False,
    }
    assert before["bounds"]["aspect_ratio"] == "5:7"
    response = put_photo(api, application_id, images.photo_jpeg())
    assert response.status_code == 202
    assert response.json() == {"status": "pending"}

    assert api.get(photo_url(application_id)).json()["status"] == "accepted"
    body = application_body(api, application_id)
    assert body["photo_status"] == "accepted"
    assert {node["key"]: node["state"] for node in body["nodes"]}["photo"] == "done"
    actions = list(ApplicationEvent.objects.filter(application_id=application_id).values_list("action", flat=True))
    assert actions[-2:] == ["photo_upload", "photo_accepted"]


def test_the_stored_photo_is_the_re_encoded_one_under_our_own_name(api, application_id, settings):
    put_photo(api, application_id, images.photo_jpeg(), name="../../etc/passwd.jpg")
    photo = Photo.objects.get(application_id=application_id)
    assert photo.key == f"photos/{photo.token.hex}/photo.jpg"
    assert "passwd" not in photo.key
    content = api.get(photo_url(application_id, "content/"))
    assert content.status_code == 200
    assert content["Content-Type"] == "image/jpeg"
    assert content["Cache-Control"] == "private, no-store"
    data = b"".join(content.streaming_content)
    assert Image.open(io.BytesIO(data)).size == (358, 501)


@pytest.mark.parametrize(
    ("data", "name", "content_type", "words"),
    [
        pytest.param(
            # Small enough for the 20–45 KB bounds (seed 003 line 639), so the format is what is refused.
            images.png_bytes(width=100, height=140),
            "photo.jpg",
            "image/jpeg",
            "不是JPG格式",
            id="png-named-jpg",
        ),
        pytest.param(images.text_bytes(), "photo.jpg", "image/jpeg", "不是JPG格式", id="text"),
        pytest.param(images.truncated_jpeg(), "photo.jpg", "image/jpeg", "不完整或已损坏", id="truncated"),
        pytest.param(images.cmyk_jpeg(), "photo.jpg", "image/jpeg", "CMYK", id="cmyk"),
        pytest.param(images.bomb_jpeg(), "photo.jpg", "image/jpeg", "像素过大", id="bomb-30000x30000"),
        pytest.param(images.photo_jpeg(width=600, height=300), "photo.jpg", "image/jpeg", "600×300", id="600x300"),
        pytest.param(images.polyglot_jpeg(), "photo.jpg", "image/jpeg", "附带了其他内容", id="polyglot-jpeg-zip"),
        pytest.param(images.photo_jpeg(), "photo.png", "application/zip", None, id="good-whatever-its-name"),
    ],
)
def test_each_hostile_photo_is_rejected_with_a_reason_and_nothing_else_changes(
    api, application_id, data, name, content_type, words
):
    before = application_body(api, application_id)
    response = put_photo(api, application_id, data, name=name, content_type=content_type)
    assert response.status_code == 202

    status = api.get(photo_url(application_id)).json()
    after = application_body(api, application_id)
    if words is None:
        assert status["status"] == "accepted"
        return
    assert status["status"] == "rejected"
    assert words in status["reason"]
    assert after["photo_status"] == "rejected"
    changed = {key for key in before if before[key] != after[key]}
    assert changed <= {"photo_status", "nodes"}
    assert before["verification_code"] == after["verification_code"]
    # A refused file is not shown: it may not be an image at all.
    assert api.get(photo_url(application_id, "content/")).status_code == 409


def test_an_accepted_photo_issues_a_new_verification_code(api, application_id):
    before = application_body(api, application_id)["verification_code"]
    put_photo(api, application_id, images.photo_jpeg())
    assert application_body(api, application_id)["verification_code"] != before


def test_the_first_accepted_photo_becomes_the_account_photo_and_is_reused_for_the_next_exam(
    api, application_id, candidate, exam
):
    put_photo(api, application_id, images.photo_jpeg())
    account = Photo.objects.get(candidate=candidate, application__isnull=True)
    assert account.status == "accepted" and account.source == "account"
    assert api.get(photo_url(application_id)).json()["account_photo"] is True

    # 更换考试照片 for this exam only: the account photo stays as it was.
    put_photo(api, application_id, images.photo_jpeg(seed=7))
    assert Photo.objects.get(candidate=candidate, application__isnull=True).pk == account.pk
    assert Photo.objects.filter(candidate=candidate).count() == 2

    # 确认使用照片 on another application: a copy of the account photo, checked against its exam.
    other_exam = type(exam).objects.create(
        **{
            field.name: getattr(exam, field.name)
            for field in exam._meta.concrete_fields
            if field.name not in {"id", "year", "name"}
        },
        year=exam.year + 1,
        name="下一年度",
    )
    from tests.applications.conftest import _district

    _district(other_exam, "SH", "上海", online=True)
    created = api.post("/api/v1/applications/", {"exam": other_exam.pk, "district": "SH"}, format="json").json()
    response = api.post(photo_url(created["id"], "use-account/"))
    assert response.status_code == 202
    reused = Photo.objects.get(application_id=created["id"])
    assert reused.source == "account" and reused.status == "accepted"
    assert reused.key != account.key
    assert application_body(api, created["id"])["photo_status"] == "accepted"


def test_using_the_account_photo_without_one_is_409(api, application_id):
    response = api.post(photo_url(application_id, "use-account/"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert "基本照片" in response.json()["message"]


def test_replacing_the_photo_deletes_the_old_one_and_its_file(api, application_id, settings):
    put_photo(api, application_id, images.photo_jpeg())
    first = Photo.objects.get(application_id=application_id)
    storage_root = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert (storage_root / first.key).exists()
    put_photo(api, application_id, images.photo_jpeg(seed=9))
    assert not Photo.objects.filter(pk=first.pk).exists()
    assert not (storage_root / first.key).exists()
    assert not (storage_root / f"photos/{first.token.hex}/upload.jpg").exists()


def test_the_photo_cannot_change_once_submitted(api, application_id):
    put_photo(api, application_id, images.photo_jpeg())
    Application.objects.filter(pk=application_id).update(status="submitted")
    response = put_photo(api, application_id, images.photo_jpeg(seed=4))
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert Photo.objects.filter(application_id=application_id).count() == 1


def test_outside_the_registration_window_the_photo_is_423(api, application_id, exam):
    exam.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    exam.save()
    response = put_photo(api, application_id, images.photo_jpeg())
    assert response.status_code == 423 and response.json()["code"] == "window_closed"
    assert not Photo.objects.exists()


def test_after_a_confirmation_rejection_the_photo_may_be_replaced(api, application_id):
    put_photo(api, application_id, images.photo_jpeg())
    Application.objects.filter(pk=application_id).update(status="submitted")
    transition(application_id=application_id, action=Action.REJECT_CONFIRMATION, actor=None)
    assert put_photo(api, application_id, images.photo_jpeg(seed=5)).status_code == 202


def test_a_missing_file_field_is_400_naming_the_field(api, application_id):
    response = api.put(photo_url(application_id), {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["请选择要上传的文件。"]}


def test_another_candidates_photo_is_404_and_a_staff_token_is_403(api, application_id, other_candidate, shanghai):
    put_photo(api, application_id, images.photo_jpeg())
    other = token_client(other_candidate)
    assert other.get(photo_url(application_id)).status_code == 404
    assert put_photo(other, application_id, images.photo_jpeg()).status_code == 404
    assert other.get(photo_url(application_id, "content/")).status_code == 404
    staff = User.objects.create_user(
        username="sh_point",
        password="x",
        role=Role.POINT_STAFF,
        registration_point=shanghai.cities.get().sites.get().registration_points.get(),
    )
    assert token_client(staff).get(photo_url(application_id)).status_code == 403


def test_an_administrator_may_see_the_photo(api, application_id):
    put_photo(api, application_id, images.photo_jpeg())
    # Staff, administrators too, see an application once it is submitted (registration.scope).
    Application.objects.filter(pk=application_id).update(status="submitted", submitted_at=timezone.now())
    admin = User.objects.create_superuser(username="admin", password="x", email="a@example.com")
    response = token_client(admin).get(photo_url(application_id, "content/"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_without_credentials_the_photo_is_401(client, application_id):
    assert client.get(photo_url(application_id)).status_code == 401
    assert client.get(photo_url(application_id, "content/")).status_code == 401


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(images.photo_jpeg(width=700, height=980, target_bytes=60 * 1024), id="over-45KB"),
        pytest.param(images.photo_jpeg(target_bytes=12 * 1024), id="under-20KB"),
    ],
)
def test_a_photo_outside_20_to_45_kb_is_refused_with_the_bounds_in_the_reason(api, application_id, exam, data):
    """Seed 003 line 639: "文件大小必须在 20kb—45kb 之间" — a new exam takes these bounds, and the
    refusal over the API says them."""
    assert (exam.photo_min_bytes, exam.photo_max_bytes) == (20 * 1024, 45 * 1024)
    assert put_photo(api, application_id, data).status_code == 202

    status = api.get(photo_url(application_id)).json()

    assert status["status"] == "rejected"
    assert "应在20KB至45KB之间" in status["reason"]
