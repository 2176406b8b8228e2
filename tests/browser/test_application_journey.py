"""A candidate goes from the exam list through the pledge and all six sections to the photo, then reviews."""

import pytest
from playwright.sync_api import Page, expect

from registration.models import Application

pytestmark = pytest.mark.browser


def save(page: Page) -> None:
    page.get_by_role("button", name="保存并下一步").click()


def test_a_candidate_fills_every_section_and_reaches_the_review_page(
    live_server, browser_page, exam, shanghai, unit, candidate, degree
):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或证件号码").fill("zhangsan")
    page.fill('input[name="password"]', "secret-pass-1")
    page.get_by_role("button", name="登录", exact=True).click()

    page.get_by_role("link", name="网上报名", exact=True).click()
    page.get_by_role("link", name="选择").click()
    page.select_option("#district", "SH")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="同意并下一步").click()
    expect(page.locator(".message--error")).to_contain_text("请阅读并勾选同意")
    page.check("#pledge")
    page.get_by_role("button", name="同意并下一步").click()

    # 考点信息: the site list follows the city, the registration points follow the site.
    expect(page.locator('[data-node="fill"]')).to_have_attribute("data-state", "current")
    page.select_option('select[name="city"]', "SH01")
    page.select_option('select[name="site"]', "SH0101")
    page.select_option('select[name="registration_point"]', "SH010101")
    save(page)

    # 基本信息: identity is read-only; gender, birth date and nationality come from the ID number.
    expect(page.locator(".readonly-fields")).to_contain_text("1101**********")
    expect(page.locator('select[name="gender"]')).to_have_value("male")
    page.fill('input[name="id_valid_until"]', "2036-01-01")
    page.select_option('select[name="ethnicity"]', "汉族")
    page.select_option('select[name="health_status"]', "健康")
    save(page)

    # 联系方式: the mobile number stays masked and is kept when left as shown.
    expect(page.locator('input[name="mobile"]')).to_have_value("138****1234")
    page.fill('input[name="postcode"]', "20003")
    save(page)
    expect(page.locator('[data-field="postcode"] .field-error')).to_have_text("邮编应为6位数字。")
    expect(page.locator('input[name="postcode"]')).to_have_value("20003")
    page.fill('input[name="address"]', "上海市徐汇区漕溪北路1号")
    page.fill('input[name="postcode"]', "200030")
    save(page)

    # 报考信息: category → level → specialty; all four subjects ticked by default.
    page.select_option('select[name="category"]', "临床医学类")
    page.select_option('select[name="level"]', "中级")
    page.select_option('select[name="specialty"]', "303")
    assert page.locator('input[name="subjects"]:checked').count() == 4
    page.select_option('select[name="current_qualification"]', "医师")
    page.select_option('select[name="practice_category"]', "临床执业医师")
    page.fill('input[name="first_registration_month"]', "2014-06")
    save(page)

    # 教育情况 cites a degree record.
    page.select_option('select[name="degree_record"]', str(degree.pk))
    page.select_option('select[name="highest_education"]', "本科")
    page.select_option('select[name="schooling_years"]', "五年制")
    page.fill('textarea[name="work_experience"]', "2012年至今在上海市第一人民医院心内科工作")
    save(page)

    # 工作情况: the unit is found by searching the directory.
    page.fill("#unit-search", "第一人民")
    page.get_by_role("option", name="上海市第一人民医院").first.click()
    expect(page.locator("#unit-chosen")).to_have_text("上海市第一人民医院")
    page.select_option('select[name="unit_affiliation"]', "省(自治区、直辖市)")
    page.select_option('select[name="unit_nature"]', "医疗卫生")
    page.fill('input[name="years_in_specialty"]', "11")
    save(page)

    # Seed 002 (7): "以上信息提交后，系统会自动跳转至上传照片页面".
    expect(page.get_by_role("heading", name="上传照片", exact=True)).to_be_visible()
    page.get_by_role("link", name="核对并提交").click()
    expect(page.get_by_role("heading", name="核对报名信息")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("尚未填写")
    expect(page.locator("main")).to_contain_text("138****1234")
    expect(page.locator('[data-node="fill"]')).to_have_attribute("data-state", "done")
    expect(page.get_by_role("button", name="提交报名信息")).to_be_enabled()
    application = Application.objects.get()
    assert application.unit == unit and application.mobile == "13812341234"
    assert sorted(application.subjects.values_list("code", flat=True)) == ["1", "2", "3", "4"]
