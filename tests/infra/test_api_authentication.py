"""Every operation under /api/v1/ asks for credentials, except the few that are public by design."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

# Public by design (API.md): the catalogue, the choice lists, signing up and in, certificate checks.
PUBLIC = {
    ("GET", "/api/v1/exams/"),
    ("GET", "/api/v1/exams/{exam_id}/districts/"),
    ("GET", "/api/v1/exams/{exam_id}/specialties/"),
    ("GET", "/api/v1/exams/{exam_id}/units/"),
    ("GET", "/api/v1/choices/"),
    ("GET", "/api/v1/auth/captcha/"),
    ("POST", "/api/v1/auth/register/"),
    ("POST", "/api/v1/auth/token/"),
    ("GET", "/api/v1/certificates/verify/{code}/"),
}


def api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        if path.startswith("/api/v1/"):
            for method in methods:
                if method in {"get", "post", "put", "patch", "delete"}:
                    yield method.upper(), path


OPERATIONS = sorted(api_operations())


def test_the_schema_lists_the_api():
    assert ("GET", "/api/v1/applications/{application_id}/") in OPERATIONS
    assert len(OPERATIONS) > 10


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_without_credentials_the_answer_is_401(client, method, path):
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = client.generic(method, url, data="{}", content_type="application/json")
    if (method, path) in PUBLIC:
        assert response.status_code != 401
    else:
        assert response.status_code == 401, response.content[:300]
        assert response.json()["code"] == "not_authenticated"
