"""The application form (申请表): rendered when the application is complete and after each change,
served per 验证码, never stale, and refused with a clear answer when it cannot be made."""

from __future__ import annotations

import pytest

from certificates.models import ApplicationDocument, DocumentKind, DocumentStatus
from registration import private_files
from registration.models import Application
from registration.models.files import Photo
from tests.applications.conftest import resident_id
from tests.documents.conftest import FORM, fetch_pdf, page_barcodes, pdf_text
from tests.files.helpers import put_photo, use_private_storage
from tests.files.images import photo_jpeg

FULL_ID_NUMBER = resident_id("11010119900307123")

pytestmark = pytest.mark.django_db


def form_rows(application_id: int) -> list[ApplicationDocument]:
    return list(ApplicationDocument.objects.filter(application_id=application_id, kind=DocumentKind.APPLICATION_FORM))


def test_the_form_is_rendered_once_the_application_is_complete_without_being_asked(complete):
    rows = form_rows(complete["id"])
    assert [(row.version, row.status) for row in rows] == [(complete["verification_code"], DocumentStatus.READY)]
    assert private_files.read(rows[0].key).startswith(b"%PDF-")


def test_the_form_shows_the_title_number_code_name_and_every_section(
    api, complete, candidate, exam, django_capture_on_commit_callbacks
):
    text = pdf_text(fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks))
    for expected in [
        f"{exam.year}年度卫生专业技术资格考试报名申请表",
        f"网报号：{complete['number']}",
        f"验证码：{complete['verification_code']}",
        f"用户名：{candidate.username}",
        "确认考点：上海第一考点",
        candidate.name,
        FULL_ID_NUMBER,
        "基本",
        "报考科目",
        "相关专业知",
        "内科学",
        "303",
        "复旦大学上海医学院",
        "上海市第一人民医院",
        "单位人事部门或档案存放单位审查意见",
        "考点审查意见",
        "省级发证机构审查意见",
        "（印章）",
        "①",
        "②",
        "③",
    ]:
        assert expected in text, expected
    # The candidate's own printed form carries the full ID number, to be checked against the ID card
    # (issue 19); screens keep it masked.
    assert candidate.id_number_masked not in text


def test_the_barcode_and_the_qr_code_carry_the_number_and_the_code(
    api, complete, tmp_path, django_capture_on_commit_callbacks
):
    pdf = fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks)
    found = page_barcodes(pdf, tmp_path)
    expected = f"{complete['number']}-{complete['verification_code']}"
    assert found.get("Code128") == expected
    assert found.get("QRCode") == expected


def test_subjects_not_taken_are_marked_no(api, complete, sections, django_capture_on_commit_callbacks):
    body = {**sections["exam"], "subjects": ["1", "3"]}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.put(f"/api/v1/applications/{complete['id']}/sections/exam/", body, format="json").status_code == 200
    text = pdf_text(fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks))
    assert "基础知识 是" in text
    assert "专业知识 是" in text
    assert text.count(" 否") == 2


def test_a_section_change_issues_a_new_code_and_a_new_pdf_and_the_old_one_is_never_served(
    api, complete, sections, django_capture_on_commit_callbacks
):
    url = FORM.format(id=complete["id"])
    old_code = complete["verification_code"]
    old_row = form_rows(complete["id"])[0]
    assert old_code in pdf_text(fetch_pdf(api, url, django_capture_on_commit_callbacks))

    # The change commits, but its render has not run yet (a worker is busy): the old PDF is not served.
    body = {**sections["contact"], "address": "上海市黄浦区人民大道200号"}
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = api.put(f"/api/v1/applications/{complete['id']}/sections/contact/", body, format="json")
    assert response.status_code == 200
    new_code = response.json()["verification_code"]
    assert new_code != old_code
    with django_capture_on_commit_callbacks(execute=False) as renders:
        for callback in pending:  # the commit: the signal reaches the documents, which queue the new render
            callback()
    assert not ApplicationDocument.objects.filter(pk=old_row.pk).exists()
    assert [row.version for row in form_rows(complete["id"])] == [new_code]
    with django_capture_on_commit_callbacks(execute=False):
        waiting = api.get(url)
    assert waiting.status_code == 202
    assert waiting.json() == {"status": "rendering"}

    for render in renders:  # the worker gets to it
        render()
    text = pdf_text(fetch_pdf(api, url, django_capture_on_commit_callbacks))
    assert f"验证码：{new_code}" in text
    assert old_code not in text
    # The old version's file is gone from storage, not only from the table.
    with pytest.raises(FileNotFoundError):
        private_files.read(old_row.key)


def test_a_render_that_finds_its_version_stale_deletes_it_instead(
    api, complete, sections, django_capture_on_commit_callbacks
):
    from certificates.services.documents import document_render

    row = form_rows(complete["id"])[0]
    ApplicationDocument.objects.filter(pk=row.pk).update(status=DocumentStatus.RENDERING, key="")
    Application.objects.filter(pk=complete["id"]).update(verification_code="7654321")
    document_render(document_id=row.pk)
    assert not ApplicationDocument.objects.filter(pk=row.pk).exists()


def test_rendering_twice_is_harmless(complete):
    from certificates.services.documents import document_render

    row = form_rows(complete["id"])[0]
    document_render(document_id=row.pk)
    again = ApplicationDocument.objects.get(pk=row.pk)
    assert (again.status, again.key) == (DocumentStatus.READY, row.key)


def test_without_an_accepted_photo_the_form_is_refused_in_chinese(api, draft, sections, settings, tmp_path):
    for key, body in sections.items():
        assert api.put(f"/api/v1/applications/{draft['id']}/sections/{key}/", body, format="json").status_code == 200
    response = api.get(FORM.format(id=draft["id"]))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "document_not_ready"
    assert body["message"] == "报名信息填写完整、照片检查合格后才能打印报名表。"
    assert body["fields"] == {"photo": ["尚未上传照片，请先上传照片。"]}
    assert not form_rows(draft["id"])


def test_a_photo_being_checked_stops_the_form_too(
    api, complete, settings, tmp_path, django_capture_on_commit_callbacks
):
    use_private_storage(settings, tmp_path / "private")
    with django_capture_on_commit_callbacks(execute=False):  # the check has not run yet
        assert put_photo(api, complete["id"], photo_jpeg(seed=2)).status_code == 202
    response = api.get(FORM.format(id=complete["id"]))
    assert response.status_code == 409
    assert response.json()["fields"] == {"photo": ["照片正在检查，请在照片检查合格后再打印。"]}


def test_unsaved_sections_are_named(api, draft):
    response = api.get(FORM.format(id=draft["id"]))
    assert response.status_code == 409
    fields = response.json()["fields"]
    assert fields["basic"] == ["“基本信息”尚未填写。"]
    assert set(fields) == {"site", "basic", "contact", "exam", "education", "work", "photo"}


def test_a_photo_file_lost_from_storage_fails_clearly_instead_of_a_pdf_without_it(
    api, complete, sections, django_capture_on_commit_callbacks
):
    private_files.delete(Photo.objects.get(application_id=complete["id"]).key)
    with django_capture_on_commit_callbacks(execute=True):
        body = {**sections["contact"], "postcode": "200031"}
        assert (
            api.put(f"/api/v1/applications/{complete['id']}/sections/contact/", body, format="json").status_code == 200
        )
    (row,) = form_rows(complete["id"])
    assert (row.status, row.key) == (DocumentStatus.FAILED, "")
    response = api.get(FORM.format(id=complete["id"]))
    assert response.status_code == 409
    assert response.json()["code"] == "document_not_ready"
    assert response.json()["message"] == "照片文件读取失败，请重新上传照片。"


def test_a_lost_pdf_file_is_rendered_again(api, complete, django_capture_on_commit_callbacks):
    row = form_rows(complete["id"])[0]
    private_files.delete(row.key)
    pdf = fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks)
    assert complete["verification_code"] in pdf_text(pdf)


def test_a_render_lost_by_the_broker_is_queued_again_by_the_next_request(
    api, complete, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    row = form_rows(complete["id"])[0]
    private_files.delete(row.key)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    ApplicationDocument.objects.filter(pk=row.pk).update(status=DocumentStatus.RENDERING, key="", queued_at=long_ago)
    pdf = fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks)
    assert complete["verification_code"] in pdf_text(pdf)
    assert ApplicationDocument.objects.get(pk=row.pk).attempts == 2


def test_another_candidates_form_is_not_found(other_api, complete):
    response = other_api.get(FORM.format(id=complete["id"]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_application_is_not_found(api, complete):
    assert api.get(FORM.format(id=complete["id"] + 1000)).status_code == 404


def test_without_credentials_the_form_is_401_and_staff_get_403(client, staff_api, complete):
    assert client.get(FORM.format(id=complete["id"])).status_code == 401
    assert staff_api.get(FORM.format(id=complete["id"])).status_code == 403


def test_the_pdf_is_private_and_inline(api, complete):
    response = api.get(FORM.format(id=complete["id"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'inline; filename="application-form-{complete["number"]}.pdf"'


def test_changing_district_discards_the_form(api, complete, beijing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/applications/{complete['id']}/change-district/", {"district": "BJ"}, format="json"
        )
    assert response.status_code == 200
    assert not form_rows(complete["id"])
    assert api.get(FORM.format(id=complete["id"])).status_code == 409


def test_the_longest_values_the_fields_take_still_fit_one_page(
    api, complete, candidate, degree, sections, django_capture_on_commit_callbacks
):
    from registration.models import RegistrationPoint, Site, User

    def longest(text: str, length: int) -> str:
        return (text * length)[:length]

    User.objects.filter(pk=candidate.pk).update(name=longest("欧阳娜娜", 50))
    Site.objects.update(name=longest("上海市医学考试中心第一考点", 100))
    RegistrationPoint.objects.update(name=longest("徐汇区卫生健康人才服务中心", 100))
    type(degree).objects.filter(pk=degree.pk).update(
        school=longest("复旦大学上海医学院", 100), major=longest("临床医学", 100)
    )
    body = {
        **sections["work"],
        "unit": None,
        "other_unit_name": longest("上海市某某区某某街道社区卫生服务中心", 200),
        "unit_category": "社区卫生服务机构",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api.put(f"/api/v1/applications/{complete['id']}/sections/work/", body, format="json")
    assert response.status_code == 200, response.json()
    text = pdf_text(fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks))
    assert "（印章）" in text and "③" in text


def test_a_history_candidates_form_prints_last_years_ticket_number_and_specialty(
    api, complete, candidate, exam, sections, django_capture_on_commit_callbacks
):
    """Seed 001 line 42: the form's 报考信息 row "上一年度准考证号" — filled for a history candidate
    (imported with last year's 准考证号), beside 上一年度报考专业及代码."""
    from registration.models import HistoryRecord

    HistoryRecord.objects.create(
        exam_year=exam.year - 1,
        id_number_digest=candidate.id_number_digest,
        name=candidate.name,
        district_code="SH",
        site_code="SH01",
        specialty_code="303",
        level="中级",
        education="本科",
        unit_name="上海市第一人民医院",
        passed_subjects=["1"],
        ticket_number="2503031001",
    )
    with django_capture_on_commit_callbacks(execute=True):  # a content change renders the form anew
        body = {**sections["contact"], "postcode": "200032"}
        assert (
            api.put(f"/api/v1/applications/{complete['id']}/sections/contact/", body, format="json").status_code == 200
        )

    text = pdf_text(fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks))

    assert "2503031001" in text
    assert "内科学（303）" in text


def test_a_new_candidates_form_leaves_last_years_ticket_number_blank(api, complete, django_capture_on_commit_callbacks):
    text = pdf_text(fetch_pdf(api, FORM.format(id=complete["id"]), django_capture_on_commit_callbacks))
    assert "内科学（303）" not in text
