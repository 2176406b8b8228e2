"""Writes of the exam arrangement (考场编排): the allocation job, and a seat moved by a staff member.

The allocation seats every registered candidate without a seat at their own site on their exam
day, in set-based SQL, a few statements per batch of sites whatever its size: candidates are
numbered per (site, day) by specialty then 网报号; the rooms they need are found by running sums of
the rooms' free seats, in room order; those rooms' free seats are numbered on from there; and the
n-th candidate takes the n-th seat in one ``INSERT ... SELECT``. So rooms are filled in order, one
specialty takes a run of consecutive seats (split only where a room ends), a seat is never given
twice a day (a unique constraint besides), and the same input gives the same seats. Candidates
already seated keep their seats: a re-run seats only the new ones, in the seats left free.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone, translation
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
from registration.selectors.applications import application_is_registered, registered_applications
from registration.workflow import TRANSITIONS, Action
from wecan.errors import Conflict, InvalidInput, InvalidState, NotFound

logger = logging.getLogger(__name__)

# Sites are seated a batch at a time, each batch in its own transaction with its progress saved:
# about this many candidates a batch (a site is never split).
BATCH_CANDIDATES = 250_000
# The working memory of the batch's statements (PostgreSQL's default of 4 MB sorts a batch on disk).
BATCH_WORK_MEM = "64MB"
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


def _tables() -> dict[str, str]:
    return {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("seat", Seat), ("room", Room), ("venue", Venue), ("day", SpecialtyExamDay))
    }


# The batch's statements, run in its transaction; the temporary tables go at its commit. Each step
# is a table of its own, analysed, so PostgreSQL plans the next one from true row counts (planned as
# one statement, it guessed one waiting row and chose a join that compared every pair).
#
# 1. The batch's registered candidates without a seat, with their exam day, numbered per (site, day)
#    by specialty, then 网报号.
_WAITING_SQL = """
    CREATE TEMPORARY TABLE arrangement_waiting ON COMMIT DROP AS
    SELECT c.id, c.site_id, c.number, c.day,
           ROW_NUMBER() OVER (PARTITION BY c.site_id, c.day ORDER BY c.specialty_code, c.number, c.id) AS rank
    FROM (
        SELECT c.id, c.site_id, c.number, c.specialty_code, COALESCE(d.date, %s) AS day
        FROM ({candidates}) c
        LEFT JOIN {day} d ON d.exam_id = %s AND d.specialty_id = c.specialty_id
        WHERE NOT EXISTS (SELECT 1 FROM {seat} s WHERE s.application_id = c.id)
    ) c;
    ANALYZE arrangement_waiting;
"""
# 2. The rooms those candidates need: per (site, day) the rooms in order with their free seats that
#    day, kept while the free seats of the rooms before them are fewer than the candidates waiting;
#    and the seats already taken in those rooms that day.
_ROOMS_SQL = """
    CREATE TEMPORARY TABLE arrangement_rooms ON COMMIT DROP AS
    WITH needs AS (
        SELECT site_id, day, count(*) AS waiting FROM arrangement_waiting GROUP BY site_id, day
    ),
    rooms AS (
        SELECT n.site_id, n.day, n.waiting, r.id AS room_id, r.seats,
               r.seats - (
                   SELECT count(*) FROM {seat} taken WHERE taken.room_id = r.id AND taken.date = n.day
               ) AS free,
               v.position AS venue_position, v.id AS venue_id, r.position AS room_position
        FROM needs n
        JOIN {venue} v ON v.site_id = n.site_id
        JOIN {room} r ON r.venue_id = v.id
    ),
    running AS (
        SELECT *, SUM(free) OVER (
            PARTITION BY site_id, day ORDER BY venue_position, venue_id, room_position, room_id
        ) - free AS free_before
        FROM rooms
    )
    SELECT site_id, day, room_id, seats, free_before FROM running WHERE free > 0 AND free_before < waiting;
    ANALYZE arrangement_rooms;
    CREATE TEMPORARY TABLE arrangement_taken ON COMMIT DROP AS
    SELECT t.room_id, t.date, t.number FROM {seat} t
    JOIN arrangement_rooms r ON t.room_id = r.room_id AND t.date = r.day;
    ANALYZE arrangement_taken;
"""
# 3. The free seats of those rooms, numbered on from the free seats of the rooms before them.
_FREE_SQL = """
    CREATE TEMPORARY TABLE arrangement_free ON COMMIT DROP AS
    SELECT r.site_id, r.day, r.room_id, s.number,
           r.free_before + ROW_NUMBER() OVER (PARTITION BY r.room_id, r.day ORDER BY s.number) AS rank
    FROM arrangement_rooms r
    CROSS JOIN LATERAL generate_series(1, r.seats) AS s(number)
    WHERE NOT EXISTS (
        SELECT 1 FROM arrangement_taken t WHERE t.room_id = r.room_id AND t.date = r.day AND t.number = s.number
    );
    ANALYZE arrangement_free;
"""
# 4. The n-th waiting candidate of a site and day takes its n-th free seat.
_SEAT_SQL = """
    INSERT INTO {seat} (application_id, room_id, number, date, job_id, assigned_at)
    SELECT w.id, f.room_id, f.number, w.day, %s, %s
    FROM arrangement_waiting w
    JOIN arrangement_free f ON f.site_id = w.site_id AND f.day = w.day AND f.rank = w.rank
"""
# 5. Who found no free seat, per site and day: the report's lines. The free seats of a site and day
#    are ranked 1 to n without a gap, so those ranked beyond n are left.
_LEFT_SQL = """
    SELECT w.site_id, w.day, count(*), (array_agg(w.number ORDER BY w.number))[1:%s]
    FROM arrangement_waiting w
    LEFT JOIN (SELECT site_id, day, max(rank) AS free FROM arrangement_free GROUP BY site_id, day) f
        ON f.site_id = w.site_id AND f.day = w.day
    WHERE w.rank > COALESCE(f.free, 0)
    GROUP BY w.site_id, w.day ORDER BY w.site_id, w.day
"""
_TEMPORARY_TABLES = (
    "arrangement_waiting",
    "arrangement_rooms",
    "arrangement_taken",
    "arrangement_free",
)


def _seat_batch(job: ArrangementJob, site_ids: list[int], now: Any) -> tuple[int, list[dict[str, Any]]]:
    """Seats the batch's waiting candidates (a handful of statements, whatever their number);
    returns how many were seated and the report's lines for those left without a seat."""
    registered = registered_applications().filter(exam_id=job.exam_id, site_id__in=site_ids)
    if job.district_id is not None:
        registered = registered.filter(district_id=job.district_id)
    candidates = (
        registered.annotate(specialty_code=F("specialty__code"))
        .values("id", "site_id", "number", "specialty_id", "specialty_code")
        .order_by()
    )
    candidates_sql, candidates_params = candidates.query.sql_with_params()
    tables = _tables()
    with connection.cursor() as cursor:
        # The batch's sorts and hashes (a quarter-million rows) fit in memory instead of temporary files.
        cursor.execute(f"SET LOCAL work_mem = '{BATCH_WORK_MEM}'")
        cursor.execute(
            _WAITING_SQL.format(candidates=candidates_sql, **tables),
            [job.exam.exam_date, *candidates_params, job.exam_id],
        )
        cursor.execute(_ROOMS_SQL.format(**tables))
        cursor.execute(_FREE_SQL.format(**tables))
        cursor.execute(_SEAT_SQL.format(**tables), [job.pk, now])
        seated = cursor.rowcount
        cursor.execute(_LEFT_SQL, [REPORT_NUMBERS])
        left = cursor.fetchall()
        # Gone at commit too; dropped now for a caller whose transaction runs on (a test, a retry).
        cursor.execute(f"DROP TABLE {', '.join(_TEMPORARY_TABLES)}")
    return seated, _report(left)


def _report(left: list[tuple[int, Any, int, list[str]]]) -> list[dict[str, Any]]:
    """The report's lines for who is still without a seat, per site and day, and why."""
    if not left:
        return []
    site_ids = {site_id for site_id, _day, _count, _numbers in left}
    sites = {site.pk: site for site in Site.objects.filter(pk__in=site_ids)}
    capacity = dict(
        Room.objects.filter(venue__site_id__in=site_ids)
        .values("venue__site_id")
        .annotate(seats=Sum("seats"))
        .values_list("venue__site_id", "seats")
    )
    return [
        {
            "site": sites[site_id].code,
            "site_name": sites[site_id].name,
            "date": day.isoformat(),
            "seats": capacity.get(site_id, 0),
            "unseated": count,
            "reason": _("考点座位不足。") if capacity.get(site_id) else _("考点尚未设置考场。"),
            "numbers": numbers,
        }
        for site_id, day, count, numbers in left
    ]


def arrangement_run(*, job_id: int) -> ArrangementJob:
    """Runs the allocation job; safe to run again (a worker died): a finished job is left alone, and
    a re-run counts the seats the job already gave and seats the candidates still waiting."""
    with transaction.atomic():
        job = ArrangementJob.objects.select_for_update().select_related("exam").get(pk=job_id)
        if job.finished:
            return job
        site_counts = list(
            waiting_applications(exam_id=job.exam_id, district_id=job.district_id)
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
            seated, shortfalls = _seat_batch(job, site_ids, timezone.now())
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


def seat_release(*, application_id: int, action: str, actor_id: int | None) -> bool:
    """Frees the seat of an application that is no longer registered (``action`` took it out: a
    refund, a deadline), so the next allocation may give it to someone else; records it as a
    ``SeatChange`` without a new seat. An application without a seat, or registered again by the
    time this runs, is left alone. Returns whether a seat was freed."""
    application = Application.objects.select_related("district").filter(pk=application_id).first()
    if application is None or application_is_registered(application):
        return False
    with transaction.atomic():
        # After any allocation batch in flight: it may have read this candidate as registered just
        # before the change, and its seat is seen (and freed) only once the batch has committed.
        Exam.objects.select_for_update(no_key=True).filter(pk=application.exam_id).first()
        seat = Seat.objects.select_for_update().filter(application_id=application_id).first()
        if seat is None:
            return False
        application = Application.objects.select_related("district").get(pk=application_id)
        if application_is_registered(application):
            return False
        # The audit trail is written in the portal's language, whoever's request made the change.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("%(action)s，座位释放") % {"action": TRANSITIONS[Action(action)].description}
        change = SeatChange(
            application=application,
            actor_id=actor_id,
            from_room_id=seat.room_id,
            from_number=seat.number,
            to_room=None,
            to_number=None,
            reason=reason,
        )
        change.full_clean()
        change.save()
        seat.delete()
    logger.info("seat of application %s freed after %s", application_id, action)
    return True
