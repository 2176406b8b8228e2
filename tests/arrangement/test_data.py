"""The arrangement's data: the timetable loaded from reference/timetable.csv (the seed's, by
default) and checked (no two subjects overlapping, each ending after it starts), rooms with at
least one seat, and the demo exam's timetable and venues."""

from __future__ import annotations

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from certificates.models import ExamSession, Room, SpecialtyExamDay, Venue
from registration.models import Exam, Site, Specialty, Subject
from registration.services.catalogue import REFERENCE_DIR, reference_data_load
from tests.arrangement.conftest import make_rooms
from tests.factories.catalogue import ExamFactory

pytestmark = pytest.mark.django_db


def _timetable(exam: Exam) -> list[tuple[str, str, str]]:
    return [
        (session.subject.name, f"{session.starts:%H:%M}", f"{session.ends:%H:%M}")
        for session in ExamSession.objects.filter(exam=exam).select_related("subject").order_by("starts")
    ]


def test_the_reference_timetable_is_the_seeds():
    """Seed 003 lines 862–866: "基础知识 8:30--10:00, 相关专业知识 10:45--12:15, 专业知识 14:00--15:30,
    专业实践能力 16:15--17:45", all four in one day, 90 minutes each."""
    exam = ExamFactory()
    report = reference_data_load()
    assert _timetable(exam) == [
        ("基础知识", "08:30", "10:00"),
        ("相关专业知识", "10:45", "12:15"),
        ("专业知识", "14:00", "15:30"),
        ("专业实践能力", "16:15", "17:45"),
    ]
    assert report.counts["timetable.csv"].created == 4


def test_an_exam_with_a_timetable_keeps_it_when_the_reference_is_loaded_again():
    exam = ExamFactory()
    reference_data_load()
    ExamSession.objects.filter(exam=exam, subject__code="4").update(
        starts=datetime.time(16, 30), ends=datetime.time(18, 0)
    )
    later = ExamFactory()

    report = reference_data_load()

    assert _timetable(exam)[3] == ("专业实践能力", "16:30", "18:00")
    assert _timetable(later)[3] == ("专业实践能力", "16:15", "17:45")
    assert (report.counts["timetable.csv"].created, report.counts["timetable.csv"].unchanged) == (4, 4)


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (["1,08:30,10:00", "2,09:45,11:15"], "timetable.csv 第 3 行：与第 2 行（基础知识）的考试时间重叠。"),
        (["1,10:00,08:30"], "timetable.csv 第 2 行：结束时间须晚于开始时间。"),
        (["1,08:30,10:00", "1,10:45,12:15"], "timetable.csv 第 3 行：与第 2 行重复。"),
        (["9,08:30,10:00"], "timetable.csv 第 2 行：未知的科目代码“9”。"),
        (["1,8点半,10:00"], "timetable.csv 第 2 行：starts 应为 HH:MM 格式的时间，而不是“8点半”。"),
    ],
    ids=["overlapping", "ends before it starts", "a subject twice", "unknown subject", "not a time"],
)
def test_a_bad_timetable_row_fails_naming_the_line_and_loads_nothing(reference_copy: Path, rows, says):
    ExamFactory()
    (reference_copy / "timetable.csv").write_text("subject,starts,ends\n" + "\n".join(rows) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("load_reference", "--dir", str(reference_copy), stdout=StringIO())

    assert says in str(refused.value)
    assert not ExamSession.objects.exists()
    assert not Subject.objects.exists()  # the whole load is undone


def _specialty_days(exam: Exam) -> list[tuple[str, datetime.date]]:
    return list(
        SpecialtyExamDay.objects.filter(exam=exam).order_by("specialty__code").values_list("specialty__code", "date")
    )


def test_the_seeds_specialty_days_are_none_all_sit_on_the_exams_date():
    """Seed 003 line 862: the four subjects are sat in one day; the seed names no specialty sitting on another."""
    exam = ExamFactory()

    report = reference_data_load()

    assert _specialty_days(exam) == []
    assert report.counts["specialty-days.csv"].created == 0


def test_specialty_days_in_the_reference_go_to_every_exam_without_any(reference_copy: Path):
    exam = ExamFactory()
    (reference_copy / "specialty-days.csv").write_text("specialty,day\n303,1\n304,7\n", encoding="utf-8")

    report = reference_data_load(directory=reference_copy)

    assert _specialty_days(exam) == [
        ("303", exam.exam_date + datetime.timedelta(days=1)),
        ("304", exam.exam_date + datetime.timedelta(days=7)),
    ]
    assert report.counts["specialty-days.csv"].created == 2
    # An exam whose days the administrator has set keeps them; a new exam gets the file's.
    SpecialtyExamDay.objects.filter(exam=exam, specialty__code="304").delete()
    later = ExamFactory()
    again = reference_data_load(directory=reference_copy)
    assert [code for code, _date in _specialty_days(exam)] == ["303"]
    assert [code for code, _date in _specialty_days(later)] == ["303", "304"]
    assert (again.counts["specialty-days.csv"].created, again.counts["specialty-days.csv"].unchanged) == (2, 2)


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (["999,1"], "specialty-days.csv 第 2 行：未知的专业代码“999”。"),
        (["303,1", "303,2"], "specialty-days.csv 第 3 行：与第 2 行重复。"),
        (["303,0"], "specialty-days.csv 第 2 行：day 应为考试日期之后的天数（1 至 31 的整数），而不是“0”。"),
        (["303,32"], "而不是“32”。"),
        (["303,-1"], "而不是“-1”。"),
        (["303,一"], "而不是“一”。"),
        (["303,"], "而不是“”。"),
        (["303,2026-05-01"], "而不是“2026-05-01”。"),
    ],
    ids=["unknown", "twice", "zero", "beyond a month", "negative", "not a number", "empty", "a date"],
)
def test_a_bad_specialty_day_row_fails_naming_the_line_and_loads_nothing(reference_copy: Path, rows, says):
    ExamFactory()
    (reference_copy / "specialty-days.csv").write_text("specialty,day\n" + "\n".join(rows) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("load_reference", "--dir", str(reference_copy), stdout=StringIO())

    assert says in str(refused.value)
    assert not SpecialtyExamDay.objects.exists()
    assert not Specialty.objects.exists()  # the whole load is undone


def test_a_session_overlapping_another_of_its_exam_is_refused_as_edited_in_the_admin():
    exam = ExamFactory()
    reference_data_load()
    session = ExamSession(
        exam=exam, subject=Subject.objects.create(code="5", name="加试", minutes=60, pass_score=60, full_score=100)
    )
    session.starts, session.ends = datetime.time(9, 30), datetime.time(10, 30)
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert refused.value.message_dict["starts"] == ["与“基础知识”的考试时间重叠。"]

    session.starts, session.ends = datetime.time(10, 0), datetime.time(10, 45)  # touching is no overlap
    session.full_clean()


def test_a_session_must_end_after_it_starts():
    exam = ExamFactory()
    subject = Subject.objects.create(code="1", name="基础知识", minutes=90, pass_score=60, full_score=100)
    session = ExamSession(exam=exam, subject=subject, starts=datetime.time(10), ends=datetime.time(10))
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert "ends" in refused.value.message_dict


def test_a_room_needs_a_seat(world):
    venue = Venue.objects.create(site=world.site_a, name="一号楼", address="某路1号")
    with pytest.raises(ValidationError) as refused:
        Room(venue=venue, name="空考场", seats=0).full_clean()
    assert "seats" in refused.value.message_dict


def test_a_room_cannot_shrink_below_a_seat_given_out(world, registered, arrange):
    (room,) = make_rooms(world.site_a, [5])
    for _ in range(3):
        registered()
    arrange()
    room.seats = 2
    with pytest.raises(ValidationError) as refused:
        room.full_clean()
    assert refused.value.message_dict["seats"] == ["已有考生编排在第 3 座，座位数不能少于此数。"]
    room.seats = 3
    room.full_clean()


def test_seed_demo_gives_the_exam_the_seeds_timetable_and_rooms_at_each_site():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    exam = Exam.objects.get()
    assert _timetable(exam)[0] == ("基础知识", "08:30", "10:00")
    assert len(_timetable(exam)) == 4
    for site in Site.objects.all():
        rooms = Room.objects.filter(venue__site=site)
        assert rooms.count() == 3, site
        assert all(room.seats == 30 for room in rooms)
        assert Venue.objects.get(site=site).address
