"""A candidate uploads a photo and a proof material through the pages and sees both accepted."""

import pytest
from playwright.sync_api import expect

from registration.services.applications import application_create
from tests.applications.conftest import candidate, exam, shanghai  # noqa: F401  (fixtures)
from tests.files.helpers import load_shanghai_slots, use_private_storage
from tests.files.images import material_jpeg, photo_jpeg

pytestmark = pytest.mark.browser


def test_a_candidate_uploads_a_photo_and_a_material_and_sees_them_accepted(
    live_server,
    browser_page,
    settings,
    tmp_path,
    exam,  # noqa: F811  (imported fixtures)
    shanghai,  # noqa: F811
    candidate,  # noqa: F811
):
    use_private_storage(settings, tmp_path / "private")
    load_shanghai_slots(shanghai)
    application = application_create(candidate=candidate, exam=exam, district=shanghai, pledge_accepted=True)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或证件号码").fill("zhangsan")
    page.fill('input[name="password"]', "secret-pass-1")
    page.get_by_role("button", name="登录", exact=True).click()

    page.goto(f"{live_server.url}/applications/{application.pk}/photo/")
    expect(page.locator('[data-node="photo"]')).to_have_attribute("data-state", "todo")
    page.set_input_files("#photo-file", files=[{"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}])
    page.get_by_role("button", name="上传照片").click()
    # The page re-encodes the picture inside the exam's bounds before it goes (static/shrink.js).
    expect(page.locator(".message--success")).to_contain_text("照片已上传", timeout=30_000)
    expect(page.get_by_test_id("photo-status")).to_have_text("合格")
    expect(page.locator('[data-node="photo"]')).to_have_attribute("data-state", "done")
    preview = page.locator('[data-testid="exam-photo"] img')
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.decode().then(() => image.naturalWidth)") == 358

    page.get_by_role("link", name="下一步：上传材料").click()
    form_slot = page.locator('section[data-slot="0"]')
    form_slot.locator('input[type="file"]').set_input_files(
        files=[{"name": "申请表.jpg", "mimeType": "image/jpeg", "buffer": material_jpeg()}]
    )
    form_slot.get_by_role("button", name="上传").click()
    expect(page.locator(".message--success")).to_contain_text("材料已上传", timeout=30_000)
    expect(form_slot.get_by_test_id("material-status")).to_have_text("合格")
    thumbnail = form_slot.locator("img.material-thumbnail")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("image => image.decode().then(() => image.naturalWidth)") == 170

    page.get_by_role("button", name="上传全部证明材料").click()
    expect(page.get_by_role("heading", name="核对报名信息")).to_be_visible()
    expect(page.locator(".message--success")).to_contain_text("证明材料已全部上传")
    expect(page.locator('[data-node="materials"]')).to_have_attribute("data-state", "done")
