"""The photo and materials pages: nodes, requirements, status with a refresh, uploads, delete, finalize."""

import re

import pytest
from django.test import Client

from registration.models import Application, MaterialFile, Photo
from tests.files import images
from tests.files.helpers import upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(client, candidate):
    client.force_login(candidate)
    return client


def page(application_id, tail):
    return f"/applications/{application_id}/{tail}"


def node_states(html):
    return dict(re.findall(r'data-node="(\w+)" data-state="(\w+)"', html))


def messages_in(html):
    return re.findall(r'<li class="message[^"]*" role="status">([^<]*)</li>', html)


def test_the_photo_page_shows_the_nodes_and_the_requirements(browser, application_id):
    html = browser.get(page(application_id, "photo/")).content.decode()
    assert node_states(html)["photo"] == "todo"
    assert "20KB至45KB" in html and "宽至少295像素、高至少413像素" in html and "5:7" in html
    assert "尚未上传照片" in html
    assert 'enctype="multipart/form-data"' in html


def test_uploading_a_photo_through_the_page_shows_it_accepted(browser, application_id):
    response = browser.post(page(application_id, "photo/"), {"file": upload(images.photo_jpeg())}, follow=True)
    html = response.content.decode()
    assert "照片已上传，正在检查。" in messages_in(html)
    assert 'data-testid="photo-status">合格<' in html
    assert node_states(html)["photo"] == "done"
    assert f'src="/applications/{application_id}/photo/image/"' in html
    image = browser.get(page(application_id, "photo/image/"))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    # The first accepted photo is now the account's, offered for reuse.
    assert "确认使用照片" in html and browser.get("/account/photo/image/").status_code == 200


def test_a_rejected_photo_shows_its_reason(browser, application_id):
    html = browser.post(page(application_id, "photo/"), {"file": upload(images.cmyk_jpeg())}, follow=True)
    html = html.content.decode()
    assert 'data-testid="photo-status">不合格<' in html and "CMYK" in html
    assert node_states(html)["photo"] == "failed"
    assert browser.get(page(application_id, "photo/image/")).status_code == 404


def test_a_pending_photo_page_polls_and_offers_a_reload(browser, application_id, monkeypatch):
    from registration import tasks

    monkeypatch.setattr(tasks.validate_photo, "delay", lambda *args: None)
    html = browser.post(page(application_id, "photo/"), {"file": upload(images.photo_jpeg())}, follow=True)
    html = html.content.decode()
    assert f'data-poll-url="/api/v1/applications/{application_id}/photo/"' in html
    assert "刷新状态" in html and "files.js" in html


def test_confirming_the_account_photo_through_the_page(browser, application_id, candidate):
    browser.post(page(application_id, "photo/"), {"file": upload(images.photo_jpeg())})
    Photo.objects.filter(application_id=application_id).delete()
    Application.objects.filter(pk=application_id).update(photo_status="missing")
    response = browser.post(page(application_id, "photo/use-account/"), follow=True)
    assert "已确认使用基本照片，正在检查。" in messages_in(response.content.decode())
    assert Photo.objects.get(application_id=application_id).source == "account"


def test_the_upload_pages_check_the_csrf_token(candidate, application_id):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    response = client.post(page(application_id, "photo/"), {"file": upload(images.photo_jpeg())})
    assert response.status_code == 403
    response = client.post(page(application_id, "materials/"), {"slot": "0", "file": upload(images.material_jpeg())})
    assert response.status_code == 403
    assert not Photo.objects.exists() and not MaterialFile.objects.exists()


def test_the_materials_page_lists_the_slots_and_takes_an_upload(browser, application_id):
    html = browser.get(page(application_id, "materials/")).content.decode()
    assert html.count('class="card slot"') == 30
    assert "申请表（本人签字、单位盖章）" in html and "（最多允许上传6个文件）" in html
    assert node_states(html)["materials"] == "todo"

    response = browser.post(page(application_id, "materials/"), {"slot": "0", "file": upload(images.material_jpeg())})
    assert response.status_code == 302
    html = browser.get(response["Location"]).content.decode()
    material = MaterialFile.objects.get()
    assert f'src="/applications/{application_id}/materials/{material.pk}/thumbnail/"' in html
    assert browser.get(page(application_id, f"materials/{material.pk}/thumbnail/")).status_code == 200
    assert browser.get(page(application_id, f"materials/{material.pk}/image/")).status_code == 200
    # The slot takes one file: its upload form is gone.
    assert html.count('name="slot" value="0"') == 0


def test_a_rejected_material_is_replaced_and_a_full_slot_refused_on_the_page(browser, application_id):
    browser.post(page(application_id, "materials/"), {"slot": "0", "file": upload(images.text_bytes())})
    bad = MaterialFile.objects.get()
    html = browser.get(page(application_id, "materials/")).content.decode()
    assert "不是JPG格式" in html and f"/materials/{bad.pk}/replace/" in html
    response = browser.post(page(application_id, "materials/"), {"slot": "0", "file": upload(images.material_jpeg())})
    assert "最多允许上传1个文件" in " ".join(messages_in(response.content.decode()))

    browser.post(page(application_id, f"materials/{bad.pk}/replace/"), {"file": upload(images.material_jpeg())})
    assert list(MaterialFile.objects.values_list("status", flat=True)) == ["accepted"]


def test_delete_and_finalize_through_the_page(browser, application_id):
    response = browser.post(page(application_id, "materials/finalize/"), follow=True)
    assert "请至少上传一项合格的证明材料。" in messages_in(response.content.decode())

    browser.post(page(application_id, "materials/"), {"slot": "0", "file": upload(images.material_jpeg())})
    browser.post(page(application_id, "materials/"), {"slot": "3-1", "file": upload(images.material_jpeg(seed=5))})
    extra = MaterialFile.objects.get(slot__code="3-1")
    response = browser.post(page(application_id, f"materials/{extra.pk}/delete/"), follow=True)
    assert "材料已删除。" in messages_in(response.content.decode())

    response = browser.post(page(application_id, "materials/finalize/"))
    assert response["Location"] == page(application_id, "review/")
    html = browser.get(page(application_id, "materials/")).content.decode()
    assert 'data-testid="materials-finalized"' in html
    assert node_states(html)["materials"] == "done"


def test_another_candidates_pages_and_images_are_404(client, other_candidate, browser, application_id):
    browser.post(page(application_id, "photo/"), {"file": upload(images.photo_jpeg())})
    browser.post(page(application_id, "materials/"), {"slot": "0", "file": upload(images.material_jpeg())})
    material = MaterialFile.objects.get()
    other = Client()
    other.force_login(other_candidate)
    for tail in ["photo/", "photo/image/", "materials/", f"materials/{material.pk}/image/"]:
        assert other.get(page(application_id, tail)).status_code == 404, tail
    assert other.post(page(application_id, f"materials/{material.pk}/delete/")).status_code == 404
    assert other.get("/account/photo/image/").status_code == 404
    assert MaterialFile.objects.exists()


def test_the_pages_need_a_login(client, application_id):
    for tail in ["photo/", "materials/", "photo/image/"]:
        response = client.get(page(application_id, tail))
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_photo_outside_the_size_bounds_is_refused_on_the_page_with_the_bounds(browser, application_id):
    """Seed 003 line 639: "文件大小必须在 20kb—45kb 之间" — the exam's default, said in the refusal."""
    too_big = images.photo_jpeg(width=700, height=980, target_bytes=60 * 1024)
    assert len(too_big) > 45 * 1024
    html = browser.post(page(application_id, "photo/"), {"file": upload(too_big)}, follow=True).content.decode()
    assert 'data-testid="photo-status">不合格<' in html
    assert "应在20KB至45KB之间" in html
