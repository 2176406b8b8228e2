"""Against moto's S3 server: uploads go to a private bucket and are answered by short-lived signed URLs."""

import io
import socket
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from registration.models import MaterialFile, Photo
from tests.files import images
from tests.files.helpers import post_material, put_photo

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "wecan-private"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(settings):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    yield client
    server.stop()


def test_uploads_live_in_the_private_bucket_and_are_served_by_signed_urls(api, application_id, s3):
    # The moto server and bucket serve the whole session: count only what this test stores.
    before = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert put_photo(api, application_id, images.photo_jpeg(), name="我的照片.jpg").status_code == 202
    assert api.get(f"/api/v1/applications/{application_id}/photo/").json()["status"] == "accepted"
    file_id = post_material(api, application_id, "0", images.material_jpeg(), name="申请表.jpg").json()["id"]
    assert MaterialFile.objects.get(pk=file_id).status == "accepted"

    photo = Photo.objects.get(application_id=application_id)
    material = MaterialFile.objects.get(pk=file_id)
    stored = sorted({item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]} - before)
    # The application form PDFs rendered on the way are in the bucket too; here the uploads count.
    keys = [key for key in stored if not key.startswith("documents/")]
    # The re-encoded photo (its upload deleted), the account's copy, the material and its thumbnail.
    account = Photo.objects.get(application__isnull=True)
    assert keys == sorted([photo.key, account.key, material.key, material.thumbnail_key])
    assert not any("照片" in key or "申请表" in key for key in keys)
    for key in keys:
        grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)

    response = api.get(f"/api/v1/applications/{application_id}/photo/content/")
    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(s3.meta.endpoint_url)
    # Signed, and valid for the configured minute (SigV4 states it, SigV2 gives the end time).
    if "X-Amz-Expires" in query:
        assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    else:
        assert "Signature" in query and 0 < int(query["Expires"][0]) - time.time() <= 60
    assert query["response-content-type"] == ["image/jpeg"]
    with urllib.request.urlopen(location, timeout=10) as fetched:  # noqa: S310  (the local moto server)
        assert fetched.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(fetched.read())).size == (358, 501)

    thumbnail = api.get(f"/api/v1/applications/{application_id}/materials/{file_id}/thumbnail/")
    assert thumbnail.status_code == 302 and "Signature=" in thumbnail["Location"]
