"""A new candidate on a phone (390×844), from registration to payment, with camera pictures.

The photo and the scan are what a phone camera makes: several MB, stored sideways with an EXIF
orientation. The page turns them upright, crops the photo to 5:7 and shrinks both inside the bounds
the server states; the server's own checks accept them.
"""

import pytest
from captcha.conf import settings as captcha_settings
from playwright.sync_api import Browser, Page, expect

from registration.models.application import Application, ApplicationStatus
from registration.models.files import MaterialFile, Photo, UploadStatus
from registration.services.applications import transition
from registration.workflow import Action
from tests.files.helpers import load_shanghai_slots, use_private_storage
from tests.files.images import camera_photo_jpeg, camera_scan_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "wecan2026pass"
ID_NUMBER = "110105199003071234"


def _resident_id() -> str:
    from registration.identity import mod11_2_check_character

    return ID_NUMBER[:17] + mod11_2_check_character(ID_NUMBER[:17])


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def portal(settings, monkeypatch, tmp_path, live_server, exam, shanghai, unit):
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.ALIPAY_APP_ID = ""
    settings.PAYMENTS_PUBLIC_URL = live_server.url
    use_private_storage(settings, tmp_path / "private")
    load_shanghai_slots(shanghai)
    # Seed 003: the photo is 20–45 KB; the exam holds the bounds the page aims at.
    exam.photo_min_bytes, exam.photo_max_bytes = 20 * 1024, 45 * 1024
    exam.save()
    return live_server.url


def save(page: Page) -> None:
    page.get_by_role("button", name="保存并下一步").click()


def test_a_phone_candidate_registers_fills_uploads_camera_pictures_submits_and_pays(portal, phone):
    page = phone
    page.goto(f"{portal}/accounts/register/")
    page.fill('input[name="username"]', "wang_wu")
    page.fill('input[name="name"]', "王五")
    page.select_option('select[name="id_type"]', "resident_id")
    page.fill('input[name="id_number"]', _resident_id())
    page.fill('input[name="id_number_confirm"]', _resident_id())
    page.fill('input[name="email"]', "wang_wu@example.com")
    page.fill('input[name="mobile"]', "13912345678")
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.fill('input[name="captcha_1"]', "PASSED")
    page.get_by_role("button", name="注册", exact=True).click()

    # The home page after login: one button into registration.
    page.get_by_test_id("continue").click()
    page.get_by_role("link", name="选择").click()
    page.select_option("#district", "SH")
    page.get_by_role("button", name="下一步").click()
    page.check("#pledge")
    page.get_by_role("button", name="同意并下一步").click()

    page.select_option('select[name="city"]', "SH01")
    page.select_option('select[name="site"]', "SH0101")
    page.select_option('select[name="registration_point"]', "SH010101")
    save(page)
    page.fill('input[name="id_valid_until"]', "2036-01-01")
    page.select_option('select[name="ethnicity"]', "汉族")
    page.select_option('select[name="health_status"]', "健康")
    save(page)
    page.fill('input[name="address"]', "上海市徐汇区漕溪北路1号")
    save(page)
    page.select_option('select[name="category"]', "临床医学类")
    page.select_option('select[name="level"]', "中级")
    page.select_option('select[name="specialty"]', "303")
    page.select_option('select[name="current_qualification"]', "医师")
    page.select_option('select[name="practice_category"]', "临床执业医师")
    month = page.locator('input[name="first_registration_month"]')
    assert month.get_attribute("type") == "month"
    month.fill("2014-06")
    save(page)

    # 教育情况 needs a degree record: to 学历学位信息维护 and back.
    page.get_by_role("link", name="维护学历学位信息").click()
    page.select_option('select[name="education"]', "本科")
    page.fill('input[name="certificate_number"]', "104221201205001234")
    page.fill('input[name="school"]', "复旦大学上海医学院")
    page.fill('input[name="graduation_date"]', "2012-07-01")
    page.select_option('select[name="training_mode"]', "全日制")
    page.fill('input[name="major"]', "临床医学")
    page.select_option('select[name="degree"]', "学士")
    page.fill('input[name="degree_certificate_number"]', "1042242012001234")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("back-to-section").click()
    page.select_option('select[name="degree_record"]', index=1)
    page.select_option('select[name="highest_education"]', "本科")
    page.select_option('select[name="schooling_years"]', "五年制")
    page.fill('textarea[name="work_experience"]', "2012年至今在上海市第一人民医院心内科工作")
    save(page)

    page.fill("#unit-search", "第一人民")
    page.get_by_role("option", name="上海市第一人民医院").first.click()
    page.select_option('select[name="unit_affiliation"]', "省(自治区、直辖市)")
    page.select_option('select[name="unit_nature"]', "医疗卫生")
    page.fill('input[name="years_in_specialty"]', "11")
    save(page)

    # Seed 002 (7): after the sections, the photo page. A 7 MB sideways camera picture.
    expect(page.get_by_role("heading", name="上传照片", exact=True)).to_be_visible()
    photo = camera_photo_jpeg()
    assert len(photo) > 3 * 1024 * 1024
    page.set_input_files("#photo-file", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    expect(page.locator(".crop-canvas")).to_be_visible()
    page.get_by_role("button", name="上传照片").click()
    # The page decodes, crops and re-encodes a 12-megapixel picture first: give it time on a busy machine.
    expect(page.locator(".message--success")).to_contain_text("照片已上传", timeout=60_000)
    expect(page.get_by_test_id("photo-status")).to_have_text("合格", timeout=30_000)
    application = Application.objects.get()
    assert Photo.objects.get(application=application).status == UploadStatus.ACCEPTED
    # Upright: portrait, white wall at the top, the dark shoulders at the bottom.
    preview = page.locator('[data-testid="exam-photo"] img')
    shape = preview.evaluate(
        """image => image.decode().then(() => {
            const canvas = document.createElement("canvas");
            canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const top = context.getImageData(canvas.width / 2, 3, 1, 1).data;
            const bottom = context.getImageData(canvas.width / 2, canvas.height - 3, 1, 1).data;
            return {width: canvas.width, height: canvas.height, top: top[0], bottom: bottom[0]};
        })"""
    )
    assert shape["height"] > shape["width"]
    assert abs(shape["width"] / shape["height"] - 5 / 7) < 0.02
    assert shape["top"] > 200 and shape["bottom"] < 180

    # The status box leads on to the materials; the form can be printed there (seed 001).
    page.get_by_test_id("next-step").click()
    expect(page.get_by_role("link", name="打印报名表")).to_be_visible()
    form_slot = page.locator('section[data-slot="0"]')
    scan = camera_scan_jpeg()
    assert len(scan) > 1024 * 1024
    form_slot.locator('input[type="file"]').set_input_files(
        files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": scan}]
    )
    form_slot.get_by_role("button", name="上传").click()
    expect(page.locator(".message--success")).to_contain_text("材料已上传", timeout=60_000)
    form_slot = page.locator('section[data-slot="0"]')
    expect(form_slot.get_by_test_id("material-status")).to_have_text("合格", timeout=30_000)
    material = MaterialFile.objects.get(application=application)
    assert material.status == UploadStatus.ACCEPTED and 10 * 1024 <= material.size <= 150 * 1024
    page.get_by_role("button", name="上传全部证明材料").click()

    # 核对并提交: names, not codes.
    main = page.locator("main")
    for name in ("上海市区", "上海第一考点", "上海第一报名点", "303 内科学", "临床执业医师", "汉族"):
        expect(main).to_contain_text(name)
    expect(page.get_by_role("button", name="提交报名信息")).to_be_enabled()
    page.get_by_role("button", name="提交报名信息").click()
    expect(page.locator(".message--success")).to_contain_text("报名信息已提交")
    for name in ("上海市区", "上海第一考点", "上海第一报名点", "303 内科学"):
        expect(main).to_contain_text(name)
    for code in ("SH010101", "SH0101"):
        expect(page.locator("section.summary dd", has_text=code)).to_have_count(0)

    # The reviewers pass it; the status box then asks for the fee.
    for action in (Action.CONFIRM, Action.APPROVE_SITE, Action.APPROVE_DISTRICT):
        transition(application_id=application.pk, action=action, actor=None, reason="测试审核")
    page.goto(f"{portal}/")
    page.get_by_test_id("continue").click()
    expect(page.get_by_role("button", name="生成订单")).to_be_visible()
    page.get_by_role("button", name="生成订单").click()
    page.get_by_role("link", name="支付").click()
    page.get_by_role("button", name="确认付款").click()
    expect(page.get_by_test_id("paid-notice")).to_be_visible()
    assert Application.objects.get().status == ApplicationStatus.PAID

    # After payment a section is read-only and says so.
    page.goto(f"{portal}/applications/{application.pk}/sections/contact/")
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.locator('input[name="address"]')).to_be_disabled()
