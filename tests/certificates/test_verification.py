"""Public verification (证书查验): valid, revoked, unknown codes, and the rate limit."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from certificates.models import Certificate, CertificateEvent
from certificates.selectors.certificates import mask_name
from certificates.services.certificates import certificate_revoke
from tests.certificates.conftest import csv_bytes, import_csv, sat
from wecan.errors import InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(exams, person) -> Certificate:
    import_csv(csv_bytes(sat(2022, person.id_number, "303", dict.fromkeys(("1", "2", "3", "4"), 80))))
    return Certificate.objects.get(candidate=person.user)


@pytest.fixture
def exam_admin(django_user_model):
    return django_user_model.objects.create_user(
        username="exam-admin", password="x-pass-12345", role="administrator", is_staff=True
    )


def test_a_valid_certificate_verifies_without_login(certificate):
    response = APIClient().get(f"/api/v1/certificates/verify/{certificate.verification_code}/")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("valid", "status", "name_masked", "specialty", "level", "issued_on")} == {
        "valid": True,
        "status": "valid",
        "name_masked": "王*明",
        "specialty": "内科学",
        "level": "中级",
        "issued_on": certificate.issued_on.isoformat(),
    }
    assert body["revoked_on"] is None
    assert "王小明" not in response.content.decode()


def test_a_revoked_certificate_says_revoked(certificate, exam_admin):
    certificate_revoke(certificate_id=certificate.pk, actor=exam_admin, reason="以不正当手段取得")
    body = APIClient().get(f"/api/v1/certificates/verify/{certificate.verification_code}/").json()
    assert (body["valid"], body["status"]) == (False, "revoked")
    assert body["revoked_on"] is not None
    event = certificate.events.get(action=CertificateEvent.Action.REVOKED)
    assert (event.actor, event.note) == (exam_admin, "以不正当手段取得")


def test_revoking_needs_a_reason_and_happens_once(certificate, exam_admin):
    with pytest.raises(InvalidInput):
        certificate_revoke(certificate_id=certificate.pk, actor=exam_admin, reason="  ")
    certificate_revoke(certificate_id=certificate.pk, actor=exam_admin, reason="证书信息有误")
    with pytest.raises(InvalidState):
        certificate_revoke(certificate_id=certificate.pk, actor=exam_admin, reason="再次吊销")


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAAAAAAAA", "x", "%E4%B8%AD", "a" * 300])
def test_an_unknown_code_gets_the_same_404_body_as_everything_else(certificate, person, code):
    response = APIClient().get(f"/api/v1/certificates/verify/{code}/")
    not_yours = person.api().get("/api/v1/applications/999999/")
    assert response.status_code == not_yours.status_code == 404
    assert response.json() == not_yours.json() == {"code": "not_found", "message": "未找到。"}


def test_verification_is_rate_limited_with_the_api_error_body(certificate, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"certificate_verify": "3/min"}}
    client = APIClient()
    url = f"/api/v1/certificates/verify/{certificate.verification_code}/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert set(refused.json()) == {"code", "message"}
    assert int(refused["Retry-After"]) > 0
    # Unknown codes spend the same budget: guessing is not free.
    assert client.get("/api/v1/certificates/verify/unknown/").status_code == 429
    # The page shares it too.
    assert client.get(f"/certificates/verify/{certificate.verification_code}/").status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(certificate, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"certificate_verify": "2/min"}}
    client = APIClient()
    url = f"/api/v1/certificates/verify/{certificate.verification_code}/"
    statuses = [client.get(url, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_the_page_shows_a_valid_certificate(certificate, client):
    response = client.get(f"/certificates/verify/{certificate.verification_code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "证书有效" in body and "王*明" in body and "内科学" in body and certificate.number in body
    assert "王小明" not in body


def test_the_page_says_revoked(certificate, exam_admin, client):
    certificate_revoke(certificate_id=certificate.pk, actor=exam_admin, reason="证书信息有误")
    body = client.get(f"/certificates/verify/{certificate.verification_code}/").content.decode()
    assert "证书已吊销" in body and "证书有效" not in body


def test_the_page_answers_404_for_an_unknown_code(certificate, client):
    response = client.get("/certificates/verify/not-a-real-code/")
    assert response.status_code == 404
    assert "未找到与此查验码对应的证书" in response.content.decode()


def test_the_form_leads_to_the_result_and_refuses_a_malformed_code(certificate, client):
    response = client.get("/certificates/verify/", {"code": f" {certificate.verification_code} "})
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/verify/{certificate.verification_code}/"
    refused = client.get("/certificates/verify/", {"code": "abc/def"})
    assert refused.status_code == 200
    assert "查验码只含字母、数字" in refused.content.decode()


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("王小明", "王*明"), ("欧阳娜娜", "欧**娜"), ("买买提·艾力", "买****力"), ("A", "*")],
)
def test_names_are_masked_keeping_the_first_and_last_character(name, masked):
    assert mask_name(name) == masked


class TestCodesMadeToBeTyped:
    """The code an HR clerk types from paper: short, any case, no look-alikes, with a check character."""

    def test_a_new_code_is_twelve_characters_without_look_alikes(self, certificate):
        code = certificate.verification_code
        assert len(code) == 12
        assert not set(code) & set("01OIL") and code == code.upper()
        assert certificate.verification_code_grouped == f"{code[:4]}-{code[4:8]}-{code[8:]}"

    def test_typed_in_lower_case_with_hyphens_and_spaces_it_verifies(self, certificate, client):
        typed = certificate.verification_code_grouped.lower().replace("-", " - ")
        response = client.get("/certificates/verify/", {"code": typed})
        assert response["Location"] == f"/certificates/verify/{certificate.verification_code}/"
        api = APIClient().get(f"/api/v1/certificates/verify/{certificate.verification_code_grouped.lower()}/")
        assert api.status_code == 200 and api.json()["valid"] is True

    def test_a_mistyped_character_is_caught_by_the_check(self, certificate, client):
        code = certificate.verification_code
        wrong = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
        refused = client.get("/certificates/verify/", {"code": wrong})
        assert refused.status_code == 200
        assert "校验位不符" in refused.content.decode()

    def test_a_code_issued_before_keeps_working_exactly_as_issued(self, certificate, client):
        Certificate.objects.filter(pk=certificate.pk).update(verification_code="Q3r_Zx8-Lm2Pk9Tw4Yb7Nc")
        response = client.get("/certificates/verify/", {"code": "Q3r_Zx8-Lm2Pk9Tw4Yb7Nc"})
        assert response["Location"] == "/certificates/verify/Q3r_Zx8-Lm2Pk9Tw4Yb7Nc/"
        assert client.get(response["Location"]).status_code == 200
        assert APIClient().get("/api/v1/certificates/verify/q3r_zx8-lm2pk9tw4yb7nc/").status_code == 404
