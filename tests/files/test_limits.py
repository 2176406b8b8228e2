"""Upload caps: a huge body is refused 413 while it arrives, never read whole; names and types are ignored."""

import pytest
from django.test import Client

from registration.models import MaterialFile, Photo
from tests.files import images
from tests.files.helpers import put_photo, upload

pytestmark = pytest.mark.django_db(transaction=True)

BOUNDARY = "wecanboundary"


class CountingBody:
    """A request body of ``size`` bytes that is never in memory: it counts what the server reads."""

    def __init__(self, size: int) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.head = head + b"\xff\xd8\xff"
        self.size = size
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        remaining = self.size - self.read_bytes
        size = remaining if size is None or size < 0 else min(size, remaining)
        start = self.read_bytes
        self.read_bytes += size
        chunk = self.head[start : start + size]
        return chunk + b"\x00" * (size - len(chunk))

    def readline(self, size: int = -1) -> bytes:
        return self.read(min(size, 1024) if size and size > 0 else 1024)


def send(client: Client, method: str, path: str, body: CountingBody, **headers):
    return client.generic(
        method,
        path,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.size),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            **headers,
        },
    )


def test_a_5_mb_photo_is_413_before_its_body_is_read(api, application_id):
    token = api._credentials["HTTP_AUTHORIZATION"]
    body = CountingBody(5 * 1024 * 1024)
    response = send(Client(), "PUT", f"/api/v1/applications/{application_id}/photo/", body, HTTP_AUTHORIZATION=token)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert body.read_bytes == 0
    assert not Photo.objects.exists()


def test_a_5_mb_material_on_the_page_is_413_before_its_body_is_read(client, candidate, application_id):
    client.force_login(candidate)
    body = CountingBody(5 * 1024 * 1024)
    response = send(client, "POST", f"/applications/{application_id}/materials/", body)
    assert response.status_code == 413
    html = response.content.decode()
    # The refusal says the limit and what to do, in one sentence.
    assert "文件超过了1.0\xa0MB的上传上限" in html
    assert "压缩到10.0\xa0KB–150.0\xa0KB再上传" in html
    assert body.read_bytes == 0
    assert not MaterialFile.objects.exists()


def test_a_too_large_photo_on_the_page_hides_the_reason_of_the_attempt_before(
    client, candidate, application_id, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        put_photo(api, application_id, images.text_bytes(30 * 1024))
    assert Photo.objects.get().status == "rejected"
    client.force_login(candidate)
    response = send(client, "POST", f"/applications/{application_id}/photo/", CountingBody(5 * 1024 * 1024))
    assert response.status_code == 413
    html = response.content.decode()
    assert "文件超过了1.0\xa0MB的上传上限" in html
    assert 'data-testid="photo-reason"' not in html
    assert 'data-testid="photo-reason"' in client.get(f"/applications/{application_id}/photo/").content.decode()


def test_a_file_over_the_cap_inside_a_small_enough_body_is_stopped_while_it_arrives(api, application_id, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 100 * 1024
    response = put_photo(api, application_id, images.text_bytes(110 * 1024))
    assert response.status_code == 413
    assert not Photo.objects.exists()


def test_the_client_content_type_and_name_are_not_trusted(api, application_id):
    response = api.post(
        f"/api/v1/applications/{application_id}/materials/",
        {"slot": "0", "file": upload(images.material_jpeg(), name="scan.exe", content_type="application/x-msdownload")},
        format="multipart",
    )
    assert response.json()["status"] == "accepted"
    material = MaterialFile.objects.get()
    # Kept under our own name, re-encoded (registration.imaging): nothing of the client's name or type.
    assert material.key == f"materials/{material.token.hex}/scan.jpg"

    response = api.post(
        f"/api/v1/applications/{application_id}/materials/",
        {"slot": "3-1", "file": upload(images.png_bytes(), name="scan.jpg", content_type="image/jpeg")},
        format="multipart",
    )
    assert response.json()["status"] == "rejected"


def test_uploads_are_multipart_only(api, application_id):
    response = api.put(f"/api/v1/applications/{application_id}/photo/", {"file": "not a file"}, format="json")
    assert response.status_code == 415
