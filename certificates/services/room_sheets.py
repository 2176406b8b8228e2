"""The proctors' papers of a room: the sign-in sheet (签到表) PDF, rendered by a worker and cached per
version like the candidates' documents, and the room list CSV for the exam's computer system.

Seed 003 line 639: the candidate's photo is printed on the 签到表 as on the ticket.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certificates import tasks
from certificates.models import Room, RoomSheet, RoomSheetStatus
from certificates.pdf import TEMPLATES_DIR, print_photo, render_pdf, resource_url
from certificates.selectors.arrangement import RosterLine, room_roster
from certificates.selectors.documents import PHOTO_HEIGHT_MM, PHOTO_WIDTH_MM, ticket_number
from registration import private_files
from wecan.spreadsheets import safe_row

logger = logging.getLogger(__name__)

SHEET_TEMPLATE = "certificates/documents/sign_in_sheet.html"
SHEET_STYLESHEET = TEMPLATES_DIR / "certificates/documents/sign_in_sheet.css"
# A render queued longer ago than this (its task was lost) or failed is queued again by the next request.
REQUEUE_AFTER = datetime.timedelta(seconds=30)
CSV_COLUMNS = ("seat", "ticket_number", "number", "name", "id_type", "specialty_code", "specialty", "date", "room")


def _facts(room: Room, date: datetime.date, roster: list[RosterLine]) -> dict[str, Any]:
    """What the sheet shows, as plain values: its version is their digest."""
    return {
        "room": room.pk,
        "room_name": room.name,
        "venue": room.venue.name,
        "address": room.venue.address,
        "site": room.venue.site.name,
        "date": date.isoformat(),
        "seats": [
            {
                "seat": line.seat,
                "ticket_number": ticket_number(line.application),
                "name": line.application.candidate.name,
                "specialty": line.application.specialty.name if line.application.specialty else "",
                "photo_key": line.photo_key,
            }
            for line in roster
        ],
    }


def sheet_version(facts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def _queue(sheet_id: int) -> None:
    # Robust: a broker that is away leaves the row waiting, and the next request queues it again.
    transaction.on_commit(lambda: tasks.render_room_sheet.delay(sheet_id), robust=True)


def _discard_other_versions(room_id: int, date: datetime.date, keep: str) -> None:
    stale = list(RoomSheet.objects.select_for_update().filter(room_id=room_id, date=date).exclude(version=keep))
    if not stale:
        return
    keys = [row.key for row in stale if row.key]
    RoomSheet.objects.filter(pk__in=[row.pk for row in stale]).delete()
    if keys:
        transaction.on_commit(lambda: private_files.delete(*keys))


def room_sheet_request(*, room: Room, date: datetime.date) -> RoomSheet:
    """The current version of the room's sign-in sheet for ``date``: ``READY`` to serve, or
    ``RENDERING`` (queued on commit; a render older than ``REQUEUE_AFTER`` is queued again). Older
    versions and their files go."""
    version = sheet_version(_facts(room, date, room_roster(room=room, date=date)))
    now = timezone.now()
    with transaction.atomic():
        _discard_other_versions(room.pk, date, keep=version)
        sheet, created = RoomSheet.objects.select_for_update().get_or_create(
            room=room, date=date, version=version, defaults={"queued_at": now}
        )
        if created:
            _queue(sheet.pk)
        elif sheet.status != RoomSheetStatus.READY and sheet.queued_at < now - REQUEUE_AFTER:
            sheet.queued_at = now
            sheet.full_clean()
            sheet.save(update_fields=["queued_at"])
            _queue(sheet.pk)
    sheet.refresh_from_db()
    return sheet


def room_sheet_lost(*, sheet_id: int) -> None:
    """The stored file of a ready row is gone: the row goes too, so the next request renders anew."""
    with transaction.atomic():
        RoomSheet.objects.filter(pk=sheet_id).delete()


def _photo(key: str) -> bytes | None:
    if not key:
        return None
    try:
        return print_photo(private_files.read(key), width_mm=PHOTO_WIDTH_MM, height_mm=PHOTO_HEIGHT_MM)
    except FileNotFoundError:
        return None


def room_sheet_render(*, sheet_id: int) -> None:
    """The worker's render of a queued version; idempotent. A row rendered or gone is left
    alone; a version no longer current is deleted instead. A seat whose photo cannot be read shows
    an empty photo box saying so (the proctor checks that candidate's ID card)."""
    sheet = (
        RoomSheet.objects.select_related("room__venue__site")
        .filter(pk=sheet_id, status=RoomSheetStatus.RENDERING)
        .first()
    )
    if sheet is None:
        return
    room = sheet.room
    roster = room_roster(room=room, date=sheet.date)
    facts = _facts(room, sheet.date, roster)
    if sheet_version(facts) != sheet.version:
        with transaction.atomic():
            RoomSheet.objects.filter(pk=sheet_id).delete()
        return
    resources: dict[str, bytes] = {}
    seats = []
    for line, seat in zip(roster, facts["seats"], strict=True):
        photo = _photo(line.photo_key)
        name = f"photo-{line.seat}.jpg"
        if photo is not None:
            resources[name] = photo
        seats.append({**seat, "seat": f"{line.seat:02d}", "photo": resource_url(name) if photo is not None else ""})
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "sheet": {
                **facts,
                "title": _("考场签到表"),
                "date": date_format(sheet.date, "Y年n月j日"),
                "seats": seats,
            }
        }
        pdf = render_pdf(
            template_name=SHEET_TEMPLATE,
            context=context,
            stylesheets=[SHEET_STYLESHEET.read_text(encoding="utf-8")],
            resources=resources,
        )
    key = f"documents/sign_in_sheet/{uuid.uuid4().hex}.pdf"
    private_files.put(key, pdf)
    with transaction.atomic():
        locked = RoomSheet.objects.select_for_update().filter(pk=sheet_id).first()
        if locked is None or locked.status != RoomSheetStatus.RENDERING:
            transaction.on_commit(lambda: private_files.delete(key))
            return
        locked.status = RoomSheetStatus.READY
        locked.key = key
        locked.size = len(pdf)
        locked.rendered_at = timezone.now()
        locked.full_clean(exclude=["room"], validate_unique=False, validate_constraints=False)
        locked.save(update_fields=["status", "key", "size", "rendered_at"])
    logger.info("sign-in sheet %s (room %s, %s) rendered: %d bytes", sheet_id, room.pk, sheet.date, len(pdf))


def room_csv(*, room: Room, date: datetime.date) -> str:
    """The room's list for the exam's computer system: one line per seat, in seat order, UTF-8 with BOM
    (spreadsheet programs open it as such). A cell a spreadsheet would run as a formula (a name typed
    as ``=HYPERLINK(...)``) is written as text."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in room_roster(room=room, date=date):
        application = line.application
        specialty = application.specialty
        writer.writerow(
            safe_row(
                [
                    f"{line.seat:02d}",
                    ticket_number(application),
                    application.number,
                    application.candidate.name,
                    application.candidate.id_type,
                    specialty.code if specialty else "",
                    specialty.name if specialty else "",
                    date.isoformat(),
                    room.name,
                ]
            )
        )
    return out.getvalue()
