"""Findings: finance staff saw whole applications, photos and proof materials, and staff of every role
saw drafts never submitted. Each role now sees what its duty needs, by the one rule of
``registration.scope`` (re-exported by ``review.scope``), in the admin, the API, the exports, the
dashboard and the files alike."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Order
from registration import private_files
from registration.models import Application, ApplicationEvent, MaterialSlot
from registration.models.files import MaterialFile, Photo, UploadStatus
from tests.files import images

pytestmark = pytest.mark.django_db

APPLICATION_ROLES = ["sh_point", "sh_site", "sh_district", "admin"]
ADMIN_LIST = "/admin/registration/application/"


def with_files(application: Application) -> tuple[str, str]:
    """An accepted photo and scan for ``application``; their staff API URLs."""
    now = timezone.now()
    photo = Photo.objects.create(
        candidate=application.candidate,
        application=application,
        key=f"photos/{uuid.uuid4().hex}/photo.jpg",
        size=1,
        status=UploadStatus.ACCEPTED,
        queued_at=now,
    )
    slot, _created = MaterialSlot.objects.get_or_create(
        district=application.district, code="3-1", defaults={"title": "学历证", "max_files": 5}
    )
    material = MaterialFile.objects.create(
        application=application,
        slot=slot,
        key=f"materials/{uuid.uuid4().hex}/scan.jpg",
        thumbnail_key=f"materials/{uuid.uuid4().hex}/thumbnail.jpg",
        size=1,
        status=UploadStatus.ACCEPTED,
        queued_at=now,
    )
    for key in (photo.key, material.key, material.thumbnail_key):
        private_files.put(key, images.material_jpeg())
    base = f"/api/v1/applications/{application.pk}"
    return f"{base}/photo/content/", f"{base}/materials/{material.pk}/content/"


def order_for(application: Application) -> Order:
    return Order.objects.create(
        application=application,
        district=application.district,
        number=f"WC{application.number}",
        amount=Decimal("380.00"),
        provider="sandbox",
        fee_per_subject=Decimal("95.00"),
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )


def test_finance_see_no_application_photo_or_material(world, api_as, client, settings, tmp_path):
    """DESIGN.md §1: finance staff "look at orders and payments"; nothing of an application beyond
    what an order shows."""
    application = world.make_application(status="approved")
    photo_url, material_url = with_files(application)
    finance = api_as("sh_finance")

    assert finance.get("/api/v1/staff/applications/").status_code == 403
    assert finance.post("/api/v1/staff/applications/search/", {"q": ""}, format="json").status_code == 403
    assert finance.get(f"/api/v1/staff/applications/{application.pk}/").status_code == 403
    assert finance.get(photo_url).status_code == 404
    assert finance.get(material_url).status_code == 404
    # The district reviewer of the same district still sees all of it.
    reviewer = api_as("sh_district")
    assert reviewer.get(f"/api/v1/staff/applications/{application.pk}/").status_code == 200
    assert reviewer.get(photo_url).status_code == 200 and reviewer.get(material_url).status_code == 200

    client.force_login(world.staff["sh_finance"])
    assert client.get(ADMIN_LIST).status_code == 403
    assert client.get(f"{ADMIN_LIST}{application.pk}/change/").status_code in {403, 404}
    assert client.get(f"{ADMIN_LIST}{application.pk}/photo/").status_code in {403, 404}
    assert client.get(f"{ADMIN_LIST}export/csv/").status_code in {403, 404}


def test_finance_see_orders_with_the_candidates_name_and_number_only(world, client):
    application = world.make_application(status="approved")
    order_for(application)
    elsewhere = world.make_application(point=world.bj1, status="approved")
    order_for(elsewhere)
    client.force_login(world.staff["sh_finance"])
    page = client.get("/admin/payments/order/")
    assert page.status_code == 200
    html = page.content.decode()
    assert application.number in html and application.candidate.name in html
    assert elsewhere.number not in html
    assert application.candidate.id_number_masked not in html and application.mobile not in html


@pytest.mark.parametrize("role", APPLICATION_ROLES)
def test_no_staff_role_sees_a_draft_never_submitted(world, api_as, client, role):
    """Seed 002 line 41: "提交报名信息后,考生须按照当地考试管理机构的要求…进行报名确认。经报名点或考点确认报名信息后" —
    staff work on an application once it is submitted; before, it is the candidate's own."""
    submitted = world.make_application(status="submitted")
    draft = world.make_application(status="draft")
    abandoned_draft = world.make_application(status="abandoned", submitted_at=None)
    photo_url, material_url = with_files(draft)
    api = api_as(role)

    listed = [row["id"] for row in api.get("/api/v1/staff/applications/").json()["results"]]
    assert listed == [submitted.pk]
    searched = api.post("/api/v1/staff/applications/search/", {"q": draft.number}, format="json").json()
    assert searched["count"] == 0
    for hidden in (draft, abandoned_draft):
        assert api.get(f"/api/v1/staff/applications/{hidden.pk}/").status_code == 404
    assert api.post(f"/api/v1/staff/applications/{draft.pk}/confirm/").status_code in {403, 404}
    assert api.get(photo_url).status_code == 404 and api.get(material_url).status_code == 404

    client.force_login(world.staff[role])
    assert list(client.get(ADMIN_LIST).context["cl"].result_list) == [submitted]
    assert client.get(f"{ADMIN_LIST}{draft.pk}/change/").status_code == 404
    assert client.get(f"{ADMIN_LIST}{draft.pk}/photo/").status_code == 404
    rows = b"".join(client.get(f"{ADMIN_LIST}export/csv/").streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and submitted.number in rows[1]
    dashboard = client.get(f"{ADMIN_LIST}dashboard/").context["dashboard"]
    assert dashboard.total == 1


def test_a_withdrawn_draft_was_submitted_and_stays_in_view(world, api_as):
    """Seed 002 line 34: a candidate "可在报名确认结束前点击“撤回信息提交”" and submits again; the point that
    saw it submitted keeps seeing it."""
    withdrawn = world.make_application(status="draft")
    ApplicationEvent.objects.create(application=withdrawn, action="submit", from_status="draft", to_status="submitted")
    ApplicationEvent.objects.create(
        application=withdrawn, action="withdraw", from_status="submitted", to_status="draft"
    )
    assert api_as("sh_point").get(f"/api/v1/staff/applications/{withdrawn.pk}/").status_code == 200


def test_the_owner_still_sees_their_own_draft_and_its_files(world, client, settings, tmp_path):
    from tests.review.conftest import token_client

    draft = world.make_application(status="draft")
    photo_url, material_url = with_files(draft)
    owner = token_client(draft.candidate)
    assert owner.get(photo_url).status_code == 200 and owner.get(material_url).status_code == 200
