"""A registration-point staff member logs into the admin, opens a submitted application, looks at a
material and confirms; the candidate's page then shows the 报名确认 node green."""

from __future__ import annotations

import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from registration import private_files
from registration.models import MaterialFile, MaterialSlot
from registration.models.files import UploadStatus
from tests.review.conftest import STAFF_PASSWORD, make_candidate

pytestmark = pytest.mark.browser


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (200, 210, 230)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture
def submitted_with_material(world, private_storage):
    candidate = make_candidate(name="李四")
    application = world.make_application(candidate=candidate)
    slot = MaterialSlot.objects.create(district=world.sh, code="0", title="申请表（本人签字、单位盖章）", max_files=1)
    token = uuid.uuid4()
    data = jpeg()
    key = f"materials/{token.hex}/material.jpg"
    private_files.put(key, data)
    MaterialFile.objects.create(
        token=token,
        application=application,
        slot=slot,
        key=key,
        size=len(data),
        status=UploadStatus.ACCEPTED,
        queued_at=timezone.now(),
        checked_at=timezone.now(),
    )
    return application, candidate


def test_point_staff_confirm_in_the_admin_and_the_candidate_sees_the_green_node(
    live_server, browser, world, submitted_with_material
):
    application, candidate = submitted_with_material
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = staff.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "sh_point")
        page.fill("#id_password", STAFF_PASSWORD)
        page.get_by_role("button", name="登录").click()

        page.get_by_role("link", name="报名信息").first.click()
        page.get_by_role("link", name=application.number).click()
        expect(page.get_by_role("region", name="资格预审")).to_be_visible()

        # The material is served privately to staff in scope: the thumbnail loads, the full image opens.
        thumbnail = page.locator(".review-gallery img").first
        thumbnail.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
        href = page.locator(".review-gallery a.review-file").first.get_attribute("href")
        full = page.request.get(f"{live_server.url}{href}")
        assert (full.status, full.headers["content-type"]) == (200, "image/jpeg")

        # The review desk decides beside the application; the next of the queue (none here) then opens.
        page.locator('button[data-desk-approve][data-kind="confirm"]').click()
        expect(page.locator(".messagelist")).to_contain_text(f"{application.number}：报名确认通过")
        page.goto(f"{live_server.url}/admin/registration/application/{application.pk}/change/")
        expect(page.locator('.review-node[data-node="confirm"]')).to_have_class("review-node review-node--done")
    finally:
        staff.close()

    own = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = own.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名或证件号码").fill(candidate.username)
        page.fill('input[name="password"]', "secret-pass-1")
        page.get_by_role("button", name="登录", exact=True).click()
        page.goto(f"{live_server.url}/applications/{application.pk}/")

        expect(page.locator('[data-node="confirm"]')).to_have_attribute("data-state", "done")
        expect(page.locator('[data-node="review"]')).to_have_attribute("data-state", "current")
    finally:
        own.close()
