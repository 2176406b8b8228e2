"""The exam arrangement's world: review's two districts and staff, the seed's timetable, rooms made
per test, and registered applications with a stored photo where a document needs one."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence

import pytest
from django.utils import timezone

from certificates.models import ExamSession, Room, Seat, Venue
from registration import private_files
from registration.models import Application, Site, Subject
from registration.models.files import Photo, UploadStatus
from tests.files.helpers import use_private_storage
from tests.files.images import photo_jpeg
from tests.review.conftest import World, api_as, token_client, world  # noqa: F401  (fixtures, shared)

ARRANGE = "/api/v1/staff/exams/{exam}/arrangement/"
JOB = "/api/v1/staff/arrangement-jobs/{job}/"
MINE = "/api/v1/applications/{id}/arrangement/"
MOVE = "/api/v1/staff/applications/{id}/seat/"
SHEET = "/api/v1/staff/rooms/{room}/sign-in-sheet.pdf"
ROOM_LIST = "/api/v1/staff/rooms/{room}/list.csv"

# Seed 003 lines 862–866: 基础知识 8:30–10:00, 相关专业知识 10:45–12:15, 专业知识 14:00–15:30, 专业实践能力 16:15–17:45.
SEED_TIMETABLE = (("1", "08:30", "10:00"), ("2", "10:45", "12:15"), ("3", "14:00", "15:30"), ("4", "16:15", "17:45"))


@pytest.fixture
def timetable(world):  # noqa: F811
    for code, starts, ends in SEED_TIMETABLE:
        ExamSession.objects.create(
            exam=world.exam,
            subject=Subject.objects.get(code=code),
            starts=datetime.time.fromisoformat(starts),
            ends=datetime.time.fromisoformat(ends),
        )
    return world.exam


def make_rooms(site: Site, sizes: Sequence[int], *, venue: str = "第一教学楼", position: int = 0) -> list[Room]:
    """A venue at ``site`` with one room per size, in that order."""
    place = Venue.objects.create(site=site, name=venue, address=f"{site.name}所在路{position + 1}号", position=position)
    return [
        Room.objects.create(venue=place, name=f"{venue}第{index:02d}考场", seats=seats, position=index)
        for index, seats in enumerate(sizes, start=1)
    ]


@pytest.fixture
def registered(world) -> Callable[..., Application]:  # noqa: F811
    """``registered(point=..., specialty=...)``: a paid application, seated nowhere yet."""

    def make(**fields) -> Application:
        return world.make_application(status="paid", **fields)

    return make


@pytest.fixture
def arrange(world, api_as, django_capture_on_commit_callbacks) -> Callable[..., dict]:  # noqa: F811
    """Starts an allocation as ``staff`` through the API, runs its job, and returns the finished job."""

    def run(staff: str = "sh_district", **body) -> dict:
        client = api_as(staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ARRANGE.format(exam=world.exam.pk), body, format="json")
        assert response.status_code == 202, response.json()
        job = client.get(JOB.format(job=response.json()["job"]["id"]))
        assert job.status_code == 200
        return job.json()

    return run


def seats_of(applications: Sequence[Application]) -> list[tuple[str, int] | None]:
    """Each application's (room name, seat), or ``None`` when it has none, in the given order."""
    seats = {seat.application_id: seat for seat in Seat.objects.select_related("room")}
    return [
        (seats[application.pk].room.name, seats[application.pk].number) if application.pk in seats else None
        for application in applications
    ]


@pytest.fixture
def photos(settings, tmp_path) -> Callable[[Application], bytes]:
    """``photos(application)``: stores an accepted photo for the application; returns its bytes."""
    use_private_storage(settings, tmp_path / "private")

    def store(application: Application) -> bytes:
        data = photo_jpeg()
        key = f"photos/{uuid.uuid4().hex}.jpg"
        private_files.put(key, data)
        Photo.objects.create(
            candidate=application.candidate,
            application=application,
            key=key,
            status=UploadStatus.ACCEPTED,
            size=len(data),
            queued_at=timezone.now(),
        )
        return data

    return store
