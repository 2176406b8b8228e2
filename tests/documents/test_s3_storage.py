"""On S3-compatible storage (moto's server): the PDF lives in the private bucket and the download is a
redirect to a short-lived signed URL that answers it as a PDF."""

from __future__ import annotations

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from registration import private_files
from registration.models.files import Photo
from tests.documents.conftest import FORM, pdf_text
from tests.files.images import photo_jpeg
from tests.files.test_s3_storage import BUCKET, s3  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_form_is_stored_in_the_bucket_and_served_by_a_signed_url(
    api,
    complete,
    sections,
    s3,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # The application's photo moves to the bucket with the storage.
    private_files.put(Photo.objects.get(application_id=complete["id"]).key, photo_jpeg())
    with django_capture_on_commit_callbacks(execute=True):
        body = {**sections["contact"], "postcode": "200033"}
        response = api.put(f"/api/v1/applications/{complete['id']}/sections/contact/", body, format="json")
    code = response.json()["verification_code"]
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert any(key.startswith("documents/application_form/") for key in keys)

    answer = api.get(FORM.format(id=complete["id"]))
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["response-content-type"] == ["application/pdf"]
    assert {"Signature", "X-Amz-Signature"} & set(query)
    with urllib.request.urlopen(answer["Location"]) as signed:  # noqa: S310  (moto on 127.0.0.1)
        assert f"验证码：{code}" in pdf_text(signed.read())
