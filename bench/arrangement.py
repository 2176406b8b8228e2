"""The exam arrangement (考场编排) at a national scale: 1,000,000 registered candidates across 5,000 rooms.

Generation is set-based SQL (INSERT … SELECT over generate_series, cloning one complete template row,
as bench/staff_queue.py does): 100 sites with 50 rooms each (180 to 224 seats, 1,010,000 in all), and
the candidates spread over the sites and the 88 specialties, all paid. The figures: the allocation job run in this process (its
wall time, the peak memory of this process and of its PostgreSQL backend), then a re-run after 1,000
more candidates registered (only they are seated).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, generate_then_measure, report

CANDIDATES = int(os.environ.get("BENCH_ARRANGEMENT_CANDIDATES", "1000000"))
SITES = 100
ROOMS_PER_SITE = 50
# Room sizes in turn: 202 seats on average, so the late registrations of the re-run find seats too.
ROOM_SIZES = (180, 191, 202, 213, 224)
LATE_CANDIDATES = 1000


def _clone_candidates(first: int, count: int) -> None:
    """``count`` more paid candidates (numbered from ``first``) spread over the sites and specialties."""
    from django.db import connection

    from registration.models import Application, RegistrationPoint, Specialty, User

    template_user = User.objects.filter(role="candidate").order_by("pk").first()
    template = Application.objects.filter(candidate=template_user).get()
    points = list(
        RegistrationPoint.objects.filter(site__code__startswith="A").order_by("pk").values_list("pk", "site_id")
    )
    specialties = list(Specialty.objects.order_by("pk").values_list("pk", flat=True))
    user_columns = [field.column for field in User._meta.concrete_fields if field.column != "id"]
    application_columns = [field.column for field in Application._meta.concrete_fields if field.column != "id"]
    user_values = {column: column for column in user_columns} | {
        "username": "'a' || g",
        "id_number_digest": "md5('arrange' || g) || md5('digest' || g)",
        "email": "'a' || g || '@example.com'",
    }
    point_array = "ARRAY[" + ",".join(str(point) for point, _site in points) + "]"
    site_array = "ARRAY[" + ",".join(str(site) for _point, site in points) + "]"
    specialty_array = "ARRAY[" + ",".join(str(specialty) for specialty in specialties) + "]"
    application_values = {column: column for column in application_columns} | {
        "candidate_id": "u.id",
        "number": "lpad((20000000 + g)::text, 8, '0')",
        "status": "'paid'",
        "registration_point_id": f"({point_array})[1 + mod(g, {len(points)})]",
        "site_id": f"({site_array})[1 + mod(g, {len(points)})]",
        "specialty_id": f"({specialty_array})[1 + mod(g / {len(points)}, {len(specialties)})]",
    }
    select = ", ".join(
        "t." + application_values[c] if application_values[c] == c else application_values[c]
        for c in application_columns
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO registration_user ({', '.join(user_columns)}) "
            f"SELECT {', '.join(user_values[c] for c in user_columns)} "
            f"FROM registration_user, generate_series(%s, %s) AS g WHERE id = %s",
            [first, first + count - 1, template_user.pk],
        )
        cursor.execute(
            f"INSERT INTO registration_application ({', '.join(application_columns)}) "
            f"SELECT {select} FROM registration_application t "
            f"JOIN generate_series(%s, %s) AS g ON true "
            f"JOIN registration_user u ON u.username = 'a' || g "
            f"WHERE t.id = %s",
            [first, first + count - 1, template.pk],
        )
        cursor.execute("ANALYZE registration_user")
        cursor.execute("ANALYZE registration_application")


def generate() -> None:
    """Inside Django: the sites, their venues and rooms, and the candidates."""
    import django

    django.setup()
    from certificates.models import Room, Venue
    from registration.models import City, District, Exam, RegistrationPoint, Site

    exam = Exam.objects.order_by("-year").first()
    district = District.objects.get(exam=exam, code="SH")
    city = City.objects.filter(district=district).first()
    started = time.perf_counter()
    rooms = []
    for number in range(SITES):
        site = Site.objects.create(city=city, code=f"A{number:03d}", name=f"考点{number}")
        RegistrationPoint.objects.create(site=site, code=f"A{number:03d}01", name=f"报名点{number}")
        venue = Venue.objects.create(site=site, name=f"考点{number}机考中心", address=f"徐汇区考试路{number}号")
        rooms += [
            Room(venue=venue, name=f"第{index:02d}考场", seats=ROOM_SIZES[index % len(ROOM_SIZES)], position=index)
            for index in range(1, ROOMS_PER_SITE + 1)
        ]
    Room.objects.bulk_create(rooms)
    _clone_candidates(1, CANDIDATES)
    print(
        f"  generated {SITES * ROOMS_PER_SITE:,} rooms and {CANDIDATES:,} candidates in {time.perf_counter() - started:.1f} s"
    )


def _backend_cpu_seconds(pid: int) -> float | None:
    """The CPU time the PostgreSQL backend has used so far: the work itself, whatever else runs on the machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_peak_mb(pid: int) -> float | None:
    """The peak resident memory of the PostgreSQL backend serving this process, when it runs on this machine."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def measure() -> None:
    """Inside Django: the allocation over every candidate, then a re-run after late registrations."""
    import django

    django.setup()
    from django.db import connection

    from certificates.models import ArrangementJob, Seat
    from certificates.services.arrangement import arrangement_run
    from registration.choices import Role
    from registration.models import Exam, User

    exam = Exam.objects.order_by("-year").first()
    administrator = User.objects.get(role=Role.ADMINISTRATOR, username="admin")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    job = ArrangementJob.objects.create(exam=exam, created_by=administrator)
    load_before = os.getloadavg()[0]
    cpu_before = _backend_cpu_seconds(backend)
    started = time.perf_counter()
    done = arrangement_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    cpu_after = _backend_cpu_seconds(backend)
    load_after = os.getloadavg()[0]
    process_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend_mb = _backend_peak_mb(backend)

    _clone_candidates(CANDIDATES + 1, LATE_CANDIDATES)
    late = ArrangementJob.objects.create(exam=exam, created_by=administrator)
    started = time.perf_counter()
    again = arrangement_run(job_id=late.pk)
    rerun_seconds = time.perf_counter() - started
    double = Seat.objects.values("room_id", "date", "number").order_by().distinct().count() != Seat.objects.count()

    figures = [
        Figure("arrangement", "candidates seated", done.seated, "", f"{CANDIDATES:,}", done.seated == CANDIDATES),
        Figure("arrangement", "rooms", SITES * ROOMS_PER_SITE, ""),
        Figure("arrangement", "allocation, wall time", seconds, "s", "≤ 60 s", seconds <= 60),
        # Others may share the machine: its load beside the wall time, and the database's own CPU time.
        Figure("arrangement", "machine load (1-min average) as it started", load_before, f"on {os.cpu_count()} cores"),
        Figure("arrangement", "machine load (1-min average) as it ended", load_after, f"on {os.cpu_count()} cores"),
        Figure("arrangement", "peak memory, this process", process_mb, "MB", "≤ 500 MB", process_mb <= 500),
    ]
    if cpu_before is not None and cpu_after is not None:
        figures.append(
            Figure("arrangement", "allocation, its PostgreSQL backend's CPU time", cpu_after - cpu_before, "s")
        )
    if backend_mb is not None:
        figures.append(
            Figure(
                "arrangement", "peak memory, its PostgreSQL backend", backend_mb, "MB", "≤ 500 MB", backend_mb <= 500
            )
        )
    figures += [
        Figure(
            "arrangement",
            f"re-run after {LATE_CANDIDATES:,} late registrations",
            rerun_seconds,
            "s",
            f"seats only them ({again.seated:,} seated, {again.unseated:,} without)",
            again.total == LATE_CANDIDATES and not double,
        ),
    ]
    report(figures)


def main() -> None:
    generate_then_measure(__file__, "wecan_bench_arrangement")


if __name__ == "__main__":
    if "--generate" in sys.argv:
        generate()
    elif "--measure" in sys.argv:
        measure()
    else:
        main()
