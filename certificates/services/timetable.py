"""Writes of the arrangement's data: the timetable and the specialties' days from the reference files,
and the demo venues.

Both are called by registration's reference load and demo seed (``CatalogueExtension``, registered
in ``CertificatesConfig.ready``), inside their transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from certificates.models import ExamSession, Room, SpecialtyExamDay, Venue
from registration.models import Exam, Site, Specialty, Subject
from registration.services.catalogue import (
    CatalogueExtension,
    ReferenceRow,
    UpsertCounts,
    read_reference_rows,
    reference_row_error,
)

TIMETABLE_FILE = "timetable.csv"
TIMETABLE_COLUMNS = ("subject", "starts", "ends")
# Specialties that sit on another day than the exam's date: ``day`` is how many days after it.
SPECIALTY_DAYS_FILE = "specialty-days.csv"
SPECIALTY_DAYS_COLUMNS = ("specialty", "day")
# A specialty sits within this many days after the exam's date (a national exam spreads over a few
# weekends); a larger number is taken for a typing mistake.
MAX_DAYS_AFTER = 31

# The demo venue of every demo site: three rooms of thirty computers.
DEMO_ROOMS = 3
DEMO_SEATS_PER_ROOM = 30


def _time(row: ReferenceRow, column: str) -> datetime.time:
    value = row.values[column]
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise reference_row_error(
            row.file,
            row.line,
            _("%(column)s 应为 HH:MM 格式的时间，而不是“%(value)s”。") % {"column": column, "value": value},
        ) from None


def _timetable_rows(path: Path) -> list[tuple[ReferenceRow, Subject, datetime.time, datetime.time]]:
    """The file's sessions, checked: known subjects, each once, ending after they start, none overlapping."""
    subjects = {subject.code: subject for subject in Subject.objects.all()}
    sessions: list[tuple[ReferenceRow, Subject, datetime.time, datetime.time]] = []
    for row in read_reference_rows(path, TIMETABLE_COLUMNS):
        subject = subjects.get(row.values["subject"])
        if subject is None:
            raise reference_row_error(
                row.file, row.line, _("未知的科目代码“%(code)s”。") % {"code": row.values["subject"]}
            )
        starts, ends = _time(row, "starts"), _time(row, "ends")
        if starts >= ends:
            raise reference_row_error(row.file, row.line, _("结束时间须晚于开始时间。"))
        for other_row, other, other_starts, other_ends in sessions:
            if other.pk == subject.pk:
                raise reference_row_error(row.file, row.line, _("与第 %(line)d 行重复。") % {"line": other_row.line})
            if starts < other_ends and other_starts < ends:
                raise reference_row_error(
                    row.file,
                    row.line,
                    _("与第 %(line)d 行（%(subject)s）的考试时间重叠。")
                    % {"line": other_row.line, "subject": other.name},
                )
        sessions.append((row, subject, starts, ends))
    return sessions


def timetable_load_reference(path: Path) -> UpsertCounts:
    """Gives the file's timetable to every exam that has none yet; an exam with a timetable keeps it
    (administrators edit it in the admin). Counts one row per session created or left as it was."""
    sessions = _timetable_rows(path)
    counts = UpsertCounts()
    with_timetable = set(ExamSession.objects.values_list("exam_id", flat=True).distinct())
    for exam in Exam.objects.order_by("pk"):
        if exam.pk in with_timetable:
            counts.unchanged += len(sessions)
            continue
        for row, subject, starts, ends in sessions:
            _save_checked(ExamSession(exam=exam, subject=subject, starts=starts, ends=ends), row)
            counts.created += 1
    return counts


def _save_checked(instance: ExamSession | SpecialtyExamDay, row: ReferenceRow) -> None:
    """Validates and saves a row made from the reference file; a refusal names the file's line."""
    try:
        instance.full_clean()
    except ValidationError as error:
        problems = "；".join(" ".join(texts) for texts in error.message_dict.values())
        raise reference_row_error(row.file, row.line, problems) from None
    instance.save()


def _specialty_day_rows(path: Path) -> list[tuple[ReferenceRow, Specialty, int]]:
    """The file's specialty days, checked: known specialties, each once, a whole number of days after
    the exam's date from 1 to ``MAX_DAYS_AFTER``."""
    specialties = {specialty.code: specialty for specialty in Specialty.objects.all()}
    seen: dict[int, ReferenceRow] = {}
    days: list[tuple[ReferenceRow, Specialty, int]] = []
    for row in read_reference_rows(path, SPECIALTY_DAYS_COLUMNS):
        specialty = specialties.get(row.values["specialty"])
        if specialty is None:
            raise reference_row_error(
                row.file, row.line, _("未知的专业代码“%(code)s”。") % {"code": row.values["specialty"]}
            )
        if specialty.pk in seen:
            raise reference_row_error(
                row.file, row.line, _("与第 %(line)d 行重复。") % {"line": seen[specialty.pk].line}
            )
        value = row.values["day"]
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_DAYS_AFTER):
            raise reference_row_error(
                row.file,
                row.line,
                _("day 应为考试日期之后的天数（1 至 %(most)d 的整数），而不是“%(value)s”。")
                % {"most": MAX_DAYS_AFTER, "value": value},
            )
        seen[specialty.pk] = row
        days.append((row, specialty, int(value)))
    return days


def specialty_days_load_reference(path: Path) -> UpsertCounts:
    """Gives the file's specialty days (the exam's date plus ``day``) to every exam that has none yet;
    an exam with specialty days keeps them (administrators edit them in the admin). The seed's file
    lists none: all specialties sit on the exam's date."""
    days = _specialty_day_rows(path)
    counts = UpsertCounts()
    with_days = set(SpecialtyExamDay.objects.values_list("exam_id", flat=True).distinct())
    for exam in Exam.objects.order_by("pk"):
        if exam.pk in with_days:
            counts.unchanged += len(days)
            continue
        for row, specialty, day in days:
            date = exam.exam_date + datetime.timedelta(days=day)
            _save_checked(SpecialtyExamDay(exam=exam, specialty=specialty, date=date), row)
            counts.created += 1
    return counts


def arrangement_demo_seed(exam: Exam, sites: Sequence[Site]) -> None:
    """A venue with rooms at each demo site, so the demo exam can be arranged at once; run again, it adds nothing."""
    for site in sites:
        city = site.city
        venue, _created = Venue.objects.get_or_create(
            site=site,
            name=_("%(site)s机考中心") % {"site": site.name},
            defaults={
                "address": _("%(district)s%(city)s考试路1号") % {"district": city.district.name, "city": city.name}
            },
        )
        for position in range(1, DEMO_ROOMS + 1):
            room = Room.objects.filter(venue=venue, name=_("第%(number)02d考场") % {"number": position}).first()
            if room is None:
                room = Room(
                    venue=venue,
                    name=_("第%(number)02d考场") % {"number": position},
                    seats=DEMO_SEATS_PER_ROOM,
                    position=position,
                )
                room.full_clean()
                room.save()


CATALOGUE_EXTENSIONS = (
    CatalogueExtension(reference_file=TIMETABLE_FILE, load=timetable_load_reference, seed_demo=arrangement_demo_seed),
    CatalogueExtension(reference_file=SPECIALTY_DAYS_FILE, load=specialty_days_load_reference),
)
