"""On the live Celery worker (CI): the form is rendered out of process when the application is
complete and again after a change; until then the API answers 202 and never the old version."""

from __future__ import annotations

import time

import pytest

from certificates.models import ApplicationDocument
from registration import private_files
from registration.models import Photo
from registration.services.applications import application_create
from tests.applications.conftest import token_client, valid_sections
from tests.documents.conftest import FORM, pdf_text
from tests.files.helpers import put_photo
from tests.files.images import photo_jpeg

pytestmark = pytest.mark.live_worker

# Bounds the wait for the worker; the test goes on as soon as the PDF is there.
PATIENCE_SECONDS = 60


@pytest.fixture
def stored_files_removed():
    """The worker writes to the configured storage: take this test's files away afterwards."""
    yield
    for photo in Photo.objects.all():
        private_files.delete(photo.key)
    for document in ApplicationDocument.objects.exclude(key=""):
        private_files.delete(document.key)


def wait_for_pdf(api, application_id: int) -> bytes:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        response = api.get(FORM.format(id=application_id))
        if response.status_code == 200:
            return b"".join(response.streaming_content)
        assert response.status_code in {202, 409}, response.content[:300]
        if time.monotonic() > deadline:
            pytest.fail(f"no form from the worker in {PATIENCE_SECONDS} s: {response.status_code} {response.content}")
        time.sleep(0.2)


def test_the_worker_renders_the_form_and_renders_it_again_after_a_change(
    exam, beijing, candidate, degree, unit, stored_files_removed
):
    api = token_client(candidate)
    application = application_create(candidate=candidate, exam=exam, district=beijing, pledge_accepted=True)
    sections = valid_sections(district_code="BJ", degree_id=degree.pk, unit_id=unit.pk)
    for key, body in sections.items():
        assert api.put(f"/api/v1/applications/{application.pk}/sections/{key}/", body, format="json").status_code == 200
    # The photo's acceptance (in the worker) issues the code that the form is rendered with.
    assert put_photo(api, application.pk, photo_jpeg()).status_code == 202

    first = pdf_text(wait_for_pdf(api, application.pk))
    code = api.get(f"/api/v1/applications/{application.pk}/").json()["verification_code"]
    assert f"验证码：{code}" in first

    body = {**sections["contact"], "address": "北京市东城区东单北大街1号"}
    response = api.put(f"/api/v1/applications/{application.pk}/sections/contact/", body, format="json")
    new_code = response.json()["verification_code"]
    second = pdf_text(wait_for_pdf(api, application.pk))
    assert f"验证码：{new_code}" in second
    assert code not in second
    assert list(ApplicationDocument.objects.values_list("version", flat=True)) == [new_code]
