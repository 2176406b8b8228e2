"""The candidate's certificates: issued once, a PDF made by a worker, served only to its owner."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from certificates.models import Certificate, CertificateEvent
from certificates.services.certificates import certificate_issue, certificate_pdf_render, verification_url
from tests.certificates.conftest import csv_bytes, import_csv, sat

pytestmark = pytest.mark.django_db

ALL_PASSED = {"1": 70, "2": 70, "3": 70, "4": 70}


@pytest.fixture
def certificate(exams, person) -> Certificate:
    import_csv(csv_bytes(sat(2022, person.id_number, "303", ALL_PASSED)))
    return Certificate.objects.get(candidate=person.user)


def _pdf(response) -> PdfReader:
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def test_a_certificate_has_a_number_an_issue_date_and_an_unguessable_code(certificate, person):
    assert certificate.number == "202200000001"
    assert (certificate.name, certificate.id_number_masked) == ("王小明", person.user.id_number_masked)
    assert (certificate.specialty.code, certificate.level, certificate.exam.year) == ("303", "中级", 2022)
    # Made to be typed (issue 19): 11 random characters of 31 (about 54 bits) and a check character;
    # the verification endpoints are rate-limited, so guessing stays out of reach.
    assert len(certificate.verification_code) == 12
    assert [event.action for event in certificate.events.all()] == ["issued", "rendered"]


def test_verification_codes_differ_between_certificates(exams, person, other_person):
    import_csv(
        csv_bytes(sat(2022, person.id_number, "303", ALL_PASSED) + sat(2022, other_person.id_number, "303", ALL_PASSED))
    )
    codes = list(Certificate.objects.values_list("verification_code", flat=True))
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert len(set(codes)) == 2
    assert numbers == ["202200000001", "202200000002"]


def test_the_pdf_shows_the_certificate_and_links_its_verification_page(certificate, person):
    response = person.api().get(f"/api/v1/me/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    page = _pdf(response).pages[0]
    text = page.extract_text()
    for expected in [
        "王小明",
        person.user.id_number_masked,
        "内科学",
        "中级",
        certificate.number,
        "卫生专业技术资格考试",
    ]:
        assert expected in text
    assert person.id_number not in text
    assert f"{certificate.issued_on.year}年{certificate.issued_on.month}月{certificate.issued_on.day}日" in text
    links = {annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]}
    assert links == {verification_url(certificate.verification_code)}


def test_the_qr_code_points_at_the_public_address_from_settings(certificate, settings):
    settings.WECAN_PUBLIC_URL = "https://wecan.example.cn/"
    assert verification_url(certificate.verification_code) == (
        f"https://wecan.example.cn/certificates/verify/{certificate.verification_code}/"
    )


def test_someone_elses_certificate_pdf_is_404_with_the_usual_body(certificate, other_person):
    response = other_person.api().get(f"/api/v1/me/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 404
    missing = other_person.api().get("/api/v1/me/certificates/999999/certificate.pdf")
    assert response.json() == missing.json() == {"code": "not_found", "message": "未找到。"}


def test_someone_elses_certificate_page_download_is_404(certificate, other_person, client):
    client.force_login(other_person.user)
    assert client.get(f"/certificates/{certificate.pk}/certificate.pdf").status_code == 404


def test_the_owner_downloads_from_the_page_too(certificate, person, client):
    client.force_login(person.user)
    response = client.get(f"/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert certificate.number in _pdf(response).pages[0].extract_text()


def test_a_pdf_still_rendering_answers_202_with_retry_after(exams, person, internal_medicine):
    # Outside a committed transaction the render task is never queued: the PDF does not exist yet.
    certificate, created = certificate_issue(
        candidate=person.user, specialty=internal_medicine, exam=exams[2022], actor=None
    )
    assert created
    response = person.api().get(f"/api/v1/me/certificates/{certificate.pk}/certificate.pdf")
    assert (response.status_code, response["Retry-After"]) == (202, "3")
    [listed] = person.api().get("/api/v1/me/certificates/").json()["results"]
    assert listed["pdf"] is None
    certificate_pdf_render(certificate_id=certificate.pk)
    assert person.api().get(f"/api/v1/me/certificates/{certificate.pk}/certificate.pdf").status_code == 200


def test_rendering_twice_keeps_one_pdf(certificate):
    first = certificate.pdf.name
    again = certificate_pdf_render(certificate_id=certificate.pk)
    assert again.pdf.name == first
    assert certificate.events.filter(action=CertificateEvent.Action.RENDERED).count() == 1


def test_issuing_twice_gives_the_same_certificate(certificate, person, exams, internal_medicine):
    again, created = certificate_issue(candidate=person.user, specialty=internal_medicine, exam=exams[2023], actor=None)
    assert (again.pk, created) == (certificate.pk, False)


def test_the_certificates_page_lists_them_with_the_download(certificate, person, client):
    client.force_login(person.user)
    response = client.get("/certificates/")
    body = response.content.decode()
    assert response.status_code == 200
    assert certificate.number in body and "内科学" in body
    assert f"/certificates/{certificate.pk}/certificate.pdf" in body
    assert verification_url(certificate.verification_code) in body


def test_the_scores_page_shows_each_subject_with_its_result(certificate, person, client):
    client.force_login(person.user)
    body = client.get("/scores/").content.decode()
    assert "2022年度 · 内科学" in body
    assert body.count("合格") >= 4 and "至2023年度" in body


def test_the_candidate_pages_in_english_name_the_specialty_in_english(certificate, person, client, internal_medicine):
    internal_medicine.name_en = "Internal Medicine"
    internal_medicine.save()
    client.force_login(person.user)
    client.cookies["django_language"] = "en"
    scores = client.get("/scores/").content.decode()
    certificates = client.get("/certificates/").content.decode()
    assert "Internal Medicine" in scores and "Internal Medicine · Intermediate" in certificates
    assert "内科学" not in scores and "内科学" not in certificates
    # The PDF stays the official Chinese form; the API keeps the Chinese names.
    [listed] = person.api().get("/api/v1/me/certificates/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert listed["specialty_name"] == "内科学"


def test_the_candidate_pages_need_a_candidate(client, django_user_model):
    assert client.get("/scores/").status_code == 302
    staff = django_user_model.objects.create_user(username="someone", password="x-pass-12345", role="administrator")
    client.force_login(staff)
    assert client.get("/scores/").status_code == 403
    assert client.get("/certificates/").status_code == 403


def test_the_pdf_endpoint_needs_a_login(certificate):
    assert APIClient().get(f"/api/v1/me/certificates/{certificate.pk}/certificate.pdf").status_code == 401
