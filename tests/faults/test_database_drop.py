"""The database connection dies in the middle of a request: the answer is 503 and nothing is half-written."""

import pytest
from django.db import connection

from registration.models import Application, ApplicationEvent
from registration.services import applications as application_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_dies_after_the_first_write(monkeypatch):
    """The application row is written; then, before the audit event, the server ends the connection."""
    if connection.vendor != "postgresql":
        pytest.skip("terminates a PostgreSQL backend")
    real_record = application_services._record

    def record_then_die(application, **kwargs):
        if kwargs.get("action", "").startswith("save_"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real_record(application, **kwargs)

    monkeypatch.setattr(application_services, "_record", record_then_die)


def test_api_answers_503_and_the_section_is_not_half_saved(api, draft, sections, database_dies_after_the_first_write):
    code_before = Application.objects.get().verification_code
    response = api.put(f"/api/v1/applications/{draft['id']}/sections/contact/", sections["contact"], format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    connection.close()
    application = Application.objects.get()
    assert application.contact_saved_at is None
    assert application.verification_code == code_before
    assert not ApplicationEvent.objects.filter(action="save_contact").exists()


def test_page_answers_503_with_what_was_typed_ready_to_resubmit(
    client, candidate, draft, sections, database_dies_after_the_first_write
):
    client.force_login(candidate)
    body = {**sections["contact"], "address": "上海市徐汇区漕溪北路1号"}
    response = client.post(f"/applications/{draft['id']}/sections/contact/", body)
    assert response.status_code == 503
    html = response.content.decode()
    assert 'value="上海市徐汇区漕溪北路1号"' in html and 'value="200030"' in html
    assert f'action="/applications/{draft["id"]}/sections/contact/"' in html
    connection.close()
    assert Application.objects.get().contact_saved_at is None
