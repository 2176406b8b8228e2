"""Writes of the exam arrangement (考场编排): the allocation job, and a seat moved by a staff member.

The allocation seats every registered candidate without a seat at their own site on their exam
day, in set-based SQL: candidates are numbered per (site, day) by specialty then 网报号, the free
seats of the site's rooms per (site, day) in room order then seat number, and the two numberings are
matched in one ``INSERT ... SELECT`` per batch of sites. So rooms are filled in order, one
specialty takes a run of consecutive seats (split only where a room ends), a seat is never given
twice a day (a unique constraint besides), and the same input gives the same seats. Candidates
already seated keep their seats: a re-run seats only the new ones, in the seats left free.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import tasks
from certificates.access import districts_to_allocate, may_allocate
from certificates.models import (
    ArrangementJob,
    ArrangementJobStatus,
    Room,
    Seat,
    SeatChange,
    SpecialtyExamDay,
    Venue,
)
from certificates.selectors.arrangement import exam_day, waiting_applications
from registration.models import Application, District, Exam, Site, User
from registration.selectors.applications import application_is_registered
from wecan.errors import Conflict, InvalidInput, InvalidState, NotFound

logger = logging.getLogger(__name__)

# Sites are seated a batch at a time, each batch in its own transaction with its progress saved:
# about this many candidates a batch (a site is never split).
BATCH_CANDIDATES = 100_000
# How many 网报号 of those left without a seat the report keeps per site and day.
REPORT_NUMBERS = 200


def arrangement_start(*, actor: User, exam_id: int, district_code: str | None) -> ArrangementJob:
    """Queues the allocation of the exam's waiting candidates, of one district or (administrators) all.

    The caller may rely on: a ``PENDING`` job, run by a worker after commit; a district reviewer
    without a ``district_code`` arranges their own district; an unknown exam, or a district outside
    the caller's scope, is ``NotFound``; no district from anyone but an administrator is ``InvalidInput``.
    """
    if not may_allocate(actor):
        raise NotFound()
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        raise NotFound()
    district: District | None = None
    if district_code:
        district = districts_to_allocate(actor).filter(exam=exam, code=district_code).first()
        if district is None:
            raise NotFound()
    elif not actor.is_administrator:
        district = districts_to_allocate(actor).filter(exam=exam).first()
        if district is None:
            raise InvalidInput(fields={"district": [_("请选择考区。")]})
    with transaction.atomic():
        job = ArrangementJob(exam=exam, district=district, created_by=actor)
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: tasks.run_arrangement.delay(job.pk))
    return job


def _waiting(job: ArrangementJob) -> Any:
    """The job's waiting candidates with their exam day and specialty code, as the allocation orders them."""
    specialty_day = SpecialtyExamDay.objects.filter(exam_id=job.exam_id, specialty_id=OuterRef("specialty_id"))
    return waiting_applications(exam_id=job.exam_id, district_id=job.district_id).annotate(
        day=Coalesce(Subquery(specialty_day.values("date")[:1]), Value(job.exam.exam_date), output_field=DateField()),
    )


def _batches(site_counts: list[tuple[int, int]]) -> Iterator[tuple[list[int], int]]:
    """Sites grouped into batches of about ``BATCH_CANDIDATES`` waiting candidates, in site order."""
    batch: list[int] = []
    size = 0
    for site_id, count in site_counts:
        batch.append(site_id)
        size += count
        if size >= BATCH_CANDIDATES:
            yield batch, size
            batch, size = [], 0
    if batch:
        yield batch, size


def _seat_batch(job: ArrangementJob, site_ids: list[int], now: Any) -> int:
    """Seats the batch's waiting candidates in one statement; returns how many were seated."""
    waiting = (
        _waiting(job)
        .filter(site_id__in=site_ids)
        .annotate(specialty_code=F("specialty__code"))
        .values("id", "site_id", "number", "day", "specialty_code")
        .order_by()
    )
    waiting_sql, waiting_params = waiting.query.sql_with_params()
    seat, room, venue = (connection.ops.quote_name(model._meta.db_table) for model in (Seat, Room, Venue))
    # ``waiting``'s columns are named as in ``values()``: id, site_id, number, day, specialty_code.
    sql = f"""
        WITH waiting AS ({waiting_sql}),
        ranked AS (
            SELECT id, site_id, day,
                   ROW_NUMBER() OVER (PARTITION BY site_id, day ORDER BY specialty_code, number, id) AS rank
            FROM waiting
        ),
        days AS (SELECT DISTINCT site_id, day FROM waiting),
        free AS (
            SELECT d.site_id, d.day, r.id AS room_id, s.number,
                   ROW_NUMBER() OVER (
                       PARTITION BY d.site_id, d.day ORDER BY v.position, v.id, r.position, r.id, s.number
                   ) AS rank
            FROM days d
            JOIN {venue} v ON v.site_id = d.site_id
            JOIN {room} r ON r.venue_id = v.id
            CROSS JOIN LATERAL generate_series(1, r.seats) AS s(number)
            WHERE NOT EXISTS (
                SELECT 1 FROM {seat} taken
                WHERE taken.room_id = r.id AND taken.date = d.day AND taken.number = s.number
            )
        )
        INSERT INTO {seat} (application_id, room_id, number, date, job_id, assigned_at)
        SELECT ranked.id, free.room_id, free.number, ranked.day, %s, %s
        FROM ranked JOIN free ON free.site_id = ranked.site_id AND free.day = ranked.day AND free.rank = ranked.rank
    """  # noqa: S608 - only table names and the ORM's own SQL are formatted in; every value is a bound parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*waiting_params, job.pk, now])
        return cursor.rowcount


def _shortfalls(job: ArrangementJob, site_ids: list[int]) -> list[dict[str, Any]]:
    """Who is still without a seat at the batch's sites after it, per site and day, and why."""
    left = _waiting(job).filter(site_id__in=site_ids)
    groups = list(left.values("site_id", "day").annotate(unseated=Count("id")).order_by("site_id", "day"))
    if not groups:
        return []
    sites = {site.pk: site for site in Site.objects.filter(pk__in={group["site_id"] for group in groups})}
    capacity = dict(
        Room.objects.filter(venue__site_id__in=sites)
        .values("venue__site_id")
        .annotate(seats=Sum("seats"))
        .values_list("venue__site_id", "seats")
    )
    report = []
    for group in groups:
        site_id, day = group["site_id"], group["day"]
        seats = capacity.get(site_id, 0)
        numbers = list(
            left.filter(site_id=site_id, day=day).order_by("number").values_list("number", flat=True)[:REPORT_NUMBERS]
        )
        report.append(
            {
                "site": sites[site_id].code,
                "site_name": sites[site_id].name,
                "date": day.isoformat(),
                "seats": seats,
                "unseated": group["unseated"],
                "reason": _("考点尚未设置考场。") if not seats else _("考点座位不足。"),
                "numbers": numbers,
            }
        )
    return report


def arrangement_run(*, job_id: int) -> ArrangementJob:
    """Runs the allocation job; safe to run again (a worker died): a finished job is left alone, and
    a re-run counts the seats the job already gave and seats the candidates still waiting."""
    with transaction.atomic():
        job = ArrangementJob.objects.select_for_update().select_related("exam").get(pk=job_id)
        if job.finished:
            return job
        site_counts = list(
            _waiting(job)
            .values("site_id")
            .annotate(waiting=Count("id"))
            .order_by("site_id")
            .values_list("site_id", "waiting")
        )
        already = Seat.objects.filter(job=job).count()
        job.status = ArrangementJobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.total = already + sum(count for _site, count in site_counts)
        job.processed = job.seated = already
        job.unseated = 0
        job.report = []
        job.save(update_fields=["status", "started_at", "total", "processed", "seated", "unseated", "report"])
    for site_ids, size in _batches(site_counts):
        with transaction.atomic():
            # One allocation (or seat move) at a time per exam: they read the same free seats.
            Exam.objects.select_for_update(no_key=True).filter(pk=job.exam_id).first()
            seated = _seat_batch(job, site_ids, timezone.now())
            shortfalls = _shortfalls(job, site_ids)
            locked = ArrangementJob.objects.select_for_update().get(pk=job_id)
            locked.processed = min(locked.total, locked.processed + size)
            locked.seated += seated
            locked.unseated += sum(shortfall["unseated"] for shortfall in shortfalls)
            locked.report = [*locked.report, *shortfalls]
            locked.save(update_fields=["processed", "seated", "unseated", "report"])
    with transaction.atomic():
        job = ArrangementJob.objects.select_for_update().get(pk=job_id)
        job.status = ArrangementJobStatus.DONE
        job.processed = job.total
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "processed", "finished_at"])
    logger.info("arrangement job %s: %d seated, %d without a seat", job_id, job.seated, job.unseated)
    return job


def arrangement_fail(*, job_id: int, message: str) -> None:
    """Marks the job failed when its task gives up, so whoever follows it stops waiting."""
    with transaction.atomic():
        job = ArrangementJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return
        job.status = ArrangementJobStatus.FAILED
        job.message = message[:300]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])


def seat_move(*, actor: User, application_id: int, room_id: int, number: int, reason: str) -> Seat:
    """Puts a registered candidate in the given seat of a room of their own site, on their exam day,
    and records who did it and why (``SeatChange``); a candidate without a seat gets one this way.

    Raises ``NotFound`` for an application outside the actor's districts, ``InvalidState`` when it is
    not registered, ``InvalidInput`` for a room of another site, a seat the room lacks or no reason,
    and ``Conflict`` when that seat is someone else's that day.
    """
    if not reason.strip():
        raise InvalidInput(fields={"reason": [_("请填写调整原因。")]})
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("exam", "district")
            .filter(pk=application_id, district__in=districts_to_allocate(actor))
            .first()
        )
        if application is None:
            raise NotFound()
        if not application_is_registered(application):
            raise InvalidState(_("只有报名成功的考生才能编排座位。"))
        room = Room.objects.select_related("venue").filter(pk=room_id).first()
        if room is None or room.venue.site_id != application.site_id:
            raise InvalidInput(fields={"room": [_("考场须在考生报考的考点。")]})
        if not 1 <= number <= room.seats:
            raise InvalidInput(fields={"seat": [_("座位号应在 1 至 %(seats)d 之间。") % {"seats": room.seats}]})
        Exam.objects.select_for_update(no_key=True).filter(pk=application.exam_id).first()
        day = exam_day(exam=application.exam, specialty_id=application.specialty_id)
        if Seat.objects.filter(room=room, date=day, number=number).exclude(application=application).exists():
            raise Conflict(_("该座位当天已有考生。"))
        seat = Seat.objects.select_for_update().filter(application=application).first()
        change = SeatChange(
            application=application,
            actor=actor,
            from_room_id=seat.room_id if seat else None,
            from_number=seat.number if seat else None,
            to_room=room,
            to_number=number,
            reason=reason.strip(),
        )
        if seat is None:
            seat = Seat(application=application)
        seat.room, seat.number, seat.date, seat.job = room, number, day, None
        seat.assigned_at = timezone.now()
        seat.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                seat.save()
        except IntegrityError:
            raise Conflict(_("该座位当天已有考生。")) from None
        change.full_clean()
        change.save()
    return seat
