"""The admin: an administrator uploads scores, reads the report, revokes a certificate; other staff see none."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from certificates.models import Certificate, CertificateStatus, Score, ScoreImport
from registration.choices import Role
from registration.services.staff import staff_user_upsert
from tests.certificates.conftest import csv_bytes, import_csv, sat
from tests.factories.catalogue import RegistrationPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    administrator = staff_user_upsert(
        username="exam_admin", role=Role.ADMINISTRATOR, scope=None, password="Admin-pass-2026"
    )
    client.force_login(administrator)
    return client


def _upload(client, data: bytes):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/admin/certificates/scoreimport/add/", {"file": SimpleUploadedFile("2022.csv", data, "text/csv")}
        )


def test_an_administrator_uploads_a_file_and_reads_the_report(admin_client, exams, person):
    page = admin_client.get("/admin/certificates/scoreimport/add/")
    assert page.status_code == 200 and "exam_year" in page.content.decode()
    response = _upload(admin_client, csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": "缺"})))
    record = ScoreImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/certificates/scoreimport/{record.pk}/change/"
    assert (record.status, record.created_count, record.rejected_count, record.uploaded_by.username) == (
        "done",
        1,
        1,
        "exam_admin",
    )
    report = admin_client.get(response["Location"]).content.decode()
    assert "成绩“缺”应为0至100之间的整数。" in report
    assert person.id_number not in report


def test_an_empty_upload_is_refused_on_the_page(admin_client, exams):
    response = admin_client.post(
        "/admin/certificates/scoreimport/add/", {"file": SimpleUploadedFile("empty.csv", b"", "text/csv")}
    )
    assert response.status_code == 200
    assert ScoreImport.objects.count() == 0


def test_scores_are_found_by_the_whole_id_number(admin_client, exams, person, other_person):
    import_csv(
        csv_bytes(sat(2022, person.id_number, "303", {"1": 70}) + sat(2022, other_person.id_number, "303", {"1": 50}))
    )
    mine = Score.objects.get(id_number_digest=person.user.id_number_digest)
    theirs = Score.objects.get(id_number_digest=other_person.user.id_number_digest)
    page = admin_client.get("/admin/certificates/score/", {"q": person.id_number}).content.decode()
    assert f"/admin/certificates/score/{mine.pk}/change/" in page
    assert f"/admin/certificates/score/{theirs.pk}/change/" not in page


def test_an_administrator_revokes_a_certificate_with_a_reason(admin_client, exams, person):
    import_csv(csv_bytes(sat(2022, person.id_number, "303", dict.fromkeys(("1", "2", "3", "4"), 90))))
    certificate = Certificate.objects.get()
    ask = admin_client.post(
        "/admin/certificates/certificate/", {"action": "revoke", "_selected_action": [certificate.pk]}
    )
    assert ask.status_code == 200 and "吊销原因" in ask.content.decode()
    done = admin_client.post(
        "/admin/certificates/certificate/",
        {"action": "revoke", "_selected_action": [certificate.pk], "apply": "1", "reason": "考试违纪，成绩作废"},
    )
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revocation_reason) == (CertificateStatus.REVOKED, "考试违纪，成绩作废")


@pytest.mark.parametrize(
    "url", ["/admin/certificates/scoreimport/add/", "/admin/certificates/certificate/", "/admin/certificates/score/"]
)
def test_other_staff_cannot_reach_scores_or_certificates(client, exams, url):
    point = RegistrationPointFactory()
    staff = staff_user_upsert(username="point_staff", role=Role.POINT_STAFF, scope=point, password="Point-pass-2026")
    client.force_login(staff)
    assert client.get(url).status_code == 403
