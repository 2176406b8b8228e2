"""Which slots are mine: the candidate's own slots first, the rest folded; the bounds a page aims at."""

import re

import pytest

from tests.files import images
from tests.files.helpers import post_material


@pytest.fixture
def saved(api, application_id, sections):
    for key, body in sections.items():
        response = api.put(f"/api/v1/applications/{application_id}/sections/{key}/", body, format="json")
        assert response.status_code == 200, (key, response.json())
    return application_id


def split(html: str) -> tuple[list[str], list[str]]:
    mine, _, folded = html.partition('<details class="other-slots"')
    return re.findall(r'data-slot="([^"]+)"', mine), re.findall(r'data-slot="([^"]+)"', folded)


def test_a_physician_sees_their_slots_first_and_the_rest_folded(client, candidate, saved):
    """reference/shanghai-material-slots.csv `who`: a 中级 physician with a 本科 degree (303 内科学)."""
    client.force_login(candidate)
    mine, folded = split(client.get(f"/applications/{saved}/materials/").content.decode())
    assert mine == ["0", "3-1", "3-2", "5-1", "8-1", "8-2", "8-3"]
    assert {"4-3a", "4-3b", "5-5", "6-1", "7", "9", "11"} <= set(folded)
    assert len(mine) + len(folded) == 30


def test_a_slot_holding_a_file_is_never_folded(client, candidate, saved, api):
    response = post_material(api, saved, "9", images.material_jpeg())
    assert response.status_code == 201, response.json()
    client.force_login(candidate)
    mine, folded = split(client.get(f"/applications/{saved}/materials/").content.decode())
    assert "9" in mine and "9" not in folded


def test_before_the_exam_section_only_the_slots_for_everyone_are_mine(client, candidate, application_id):
    client.force_login(candidate)
    mine, _ = split(client.get(f"/applications/{application_id}/materials/").content.decode())
    assert mine == ["0", "3-1", "8-1", "8-2", "8-3"]


def test_slot_titles_in_english(client, candidate, application_id):
    client.force_login(candidate)
    client.cookies["django_language"] = "en"
    html = client.get(f"/applications/{application_id}/materials/").content.decode()
    assert "Application form (signed by you, stamped by your employer)" in html
    assert "申请表（本人签字、单位盖章）" not in html


def test_the_api_and_the_pages_state_the_bounds_of_this_exam(api, client, candidate, application_id, exam):
    exam.photo_min_bytes, exam.photo_max_bytes = 20 * 1024, 45 * 1024
    exam.save()
    photo = api.get(f"/api/v1/applications/{application_id}/photo/").json()["bounds"]
    assert photo == {
        "min_bytes": 20 * 1024, "max_bytes": 45 * 1024, "max_upload_bytes": 1024 * 1024,
        "min_width": exam.photo_min_width, "min_height": exam.photo_min_height, "aspect_ratio": "5:7",
    }  # fmt: skip
    materials = api.get(f"/api/v1/applications/{application_id}/materials/").json()["bounds"]
    assert (materials["min_bytes"], materials["max_bytes"], materials["aspect_ratio"]) == (10240, 153600, None)
    client.force_login(candidate)
    html = client.get(f"/applications/{application_id}/photo/").content.decode()
    assert '<script id="upload-bounds" type="application/json">' in html
    assert '"max_bytes": 46080' in html
