"""Reads of the exam arrangement: a candidate's exam day, sessions and seat; a room's seating."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from certificates.access import sites_in_scope
from certificates.models import ArrangementJob, ExamSession, Room, Seat, SpecialtyExamDay
from registration.models import Application, Exam, User
from registration.models.files import Photo, UploadStatus
from registration.selectors.applications import application_is_registered, registered_applications
from wecan.errors import NotFound


@dataclass(frozen=True)
class SessionTime:
    """When one subject is sat, in the exam's time zone."""

    code: str
    name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def exam_day(*, exam: Exam, specialty_id: int | None) -> datetime.date:
    """The specialty's own day where the administrator set one, else the exam's date."""
    if specialty_id is not None:
        date = (
            SpecialtyExamDay.objects.filter(exam=exam, specialty_id=specialty_id).values_list("date", flat=True).first()
        )
        if date is not None:
            return date
    return exam.exam_date


def application_sessions(application: Application) -> list[SessionTime]:
    """The subjects the application sits, in timetable order, at their times on its exam day;
    a subject the timetable does not have yet is left out (the ticket says the times follow)."""
    day = exam_day(exam=application.exam, specialty_id=application.specialty_id)
    taken = {subject.pk for subject in application.subjects.all()}  # prefetched by the document's reader
    zone = timezone.get_current_timezone()
    return [
        SessionTime(
            code=session.subject.code,
            name=session.subject.name,
            starts_at=datetime.datetime.combine(day, session.starts, tzinfo=zone),
            ends_at=datetime.datetime.combine(day, session.ends, tzinfo=zone),
        )
        for session in ExamSession.objects.filter(exam=application.exam, subject_id__in=taken)
        .select_related("subject")
        .order_by("starts")
    ]


def application_seat(application: Application) -> Seat | None:
    return Seat.objects.select_related("room__venue").filter(application=application).first()


def arrangement_facts(application: Application) -> dict[str, Any]:
    """The arrangement as the API and the ticket give it: ``arranged``, and once seated the venue,
    its address, the room, the seat (two digits) and each subject's times. An application that is no
    longer registered (refunded) keeps its row but is not arranged."""
    seat = application_seat(application)
    if seat is None or not application_is_registered(application):
        return {"arranged": False}
    return {
        "arranged": True,
        "venue": seat.room.venue.name,
        "address": seat.room.venue.address,
        "room": seat.room.name,
        "seat": f"{seat.number:02d}",
        "date": seat.date,
        "sessions": [
            {"subject": session.name, "starts_at": session.starts_at, "ends_at": session.ends_at}
            for session in application_sessions(application)
        ],
    }


def waiting_applications(*, exam_id: int, district_id: int | None) -> QuerySet[Application]:
    """Registered applications of the exam (of one district, or all) with a site and no seat yet."""
    applications = registered_applications().filter(exam_id=exam_id, site__isnull=False)
    if district_id is not None:
        applications = applications.filter(district_id=district_id)
    return applications.filter(~Exists(Seat.objects.filter(application_id=OuterRef("pk"))))


def jobs_of(user: User) -> QuerySet[ArrangementJob]:
    """The jobs whose progress ``user`` follows: those they started; an administrator sees all."""
    jobs = ArrangementJob.objects.select_related("exam", "district", "created_by")
    return jobs if user.is_administrator else jobs.filter(created_by=user)


def rooms_in_scope(user: User) -> QuerySet[Room]:
    return Room.objects.select_related("venue__site").filter(venue__site__in=sites_in_scope(user))


def room_in_scope(*, user: User, room_id: int) -> Room:
    room = rooms_in_scope(user).filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    return room


@dataclass(frozen=True)
class RosterLine:
    """One seat of a room on a day: its number, the application (exam, candidate, specialty loaded)
    and the key of the accepted photo ("" when there is none)."""

    seat: int
    application: Application
    photo_key: str


def room_roster(*, room: Room, date: datetime.date) -> list[RosterLine]:
    """The room's seated candidates on ``date``, in seat order."""
    photos = Photo.objects.filter(application_id=OuterRef("application_id"), status=UploadStatus.ACCEPTED)
    seats = (
        Seat.objects.filter(room=room, date=date)
        .select_related("application__exam", "application__candidate", "application__specialty")
        .annotate(photo_key=photos.values("key")[:1])
        .order_by("number")
    )
    return [RosterLine(seat.number, seat.application, seat.photo_key or "") for seat in seats]


def room_dates(room: Room) -> list[datetime.date]:
    """The days the room has candidates seated."""
    return list(Seat.objects.filter(room=room).order_by("date").values_list("date", flat=True).distinct())


def free_seats(*, site_id: int, date: datetime.date) -> list[tuple[Room, list[int]]]:
    """The site's rooms in the order they are filled, each with its seat numbers free on ``date``;
    rooms without a free seat are left out."""
    rooms = list(
        Room.objects.select_related("venue")
        .filter(venue__site_id=site_id)
        .order_by("venue__position", "venue_id", "position", "id")
    )
    taken: dict[int, set[int]] = defaultdict(set)
    for room_id, number in Seat.objects.filter(room__in=rooms, date=date).values_list("room_id", "number"):
        taken[room_id].add(number)
    found = []
    for room in rooms:
        free = [number for number in range(1, room.seats + 1) if number not in taken[room.pk]]
        if free:
            found.append((room, free))
    return found
