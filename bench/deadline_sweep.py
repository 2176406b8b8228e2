"""The deadline sweep with 100,000 drafts past the confirmation deadline.

Generation is set-based SQL (one complete application cloned over generate_series). The figures: the
time and peak Python memory to read every id in chunks (what the beat task does before queueing one
task per chunk), and the rate at which one worker abandons applications (each its own transition with
its audit row and to-do), measured on a sample and carried to the whole table.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, generate_then_measure, report

APPLICATIONS = int(os.environ.get("BENCH_SWEEP_APPLICATIONS", "100000"))
SAMPLE = int(os.environ.get("BENCH_SWEEP_SAMPLE", "2000"))


def generate() -> None:
    """Inside Django: APPLICATIONS draft applications (and their candidates), cloned from one."""
    import django

    django.setup()
    from django.db import connection

    from registration.models import Application, User

    template_user = User.objects.filter(role="candidate").order_by("pk").first()
    template = Application.objects.filter(candidate=template_user).get()
    user_columns = [field.column for field in User._meta.concrete_fields if field.column != "id"]
    columns = [field.column for field in Application._meta.concrete_fields if field.column != "id"]
    user_values = {column: column for column in user_columns} | {
        "username": "'s' || g",
        "id_number_digest": "md5('sweep' || g) || md5('digest' || g)",
        "email": "'s' || g || '@example.com'",
    }
    values = {column: f"t.{column}" for column in columns} | {
        "candidate_id": "u.id",
        "number": "lpad((20000000 + g)::text, 8, '0')",
        "status": "'draft'",
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO registration_user ({', '.join(user_columns)}) "
            f"SELECT {', '.join(user_values[c] for c in user_columns)} "
            f"FROM registration_user, generate_series(1, %s) AS g WHERE id = %s",
            [APPLICATIONS, template_user.pk],
        )
        cursor.execute(
            f"INSERT INTO registration_application ({', '.join(columns)}) "
            f"SELECT {', '.join(values[c] for c in columns)} FROM registration_application t "
            f"JOIN generate_series(1, %s) AS g ON true JOIN registration_user u ON u.username = 's' || g "
            f"WHERE t.id = %s",
            [APPLICATIONS, template.pk],
        )
        cursor.execute("ANALYZE registration_application")
    print(f"  generated {APPLICATIONS:,} drafts in {time.perf_counter() - started:.1f} s")


def measure() -> None:
    """Inside Django: past the deadline, read the ids in chunks, then abandon a sample."""
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from registration.models import Application, Exam
    from review.services.deadlines import CHUNK_SIZE, abandonable_id_chunks
    from review.tasks import abandon_applications

    exam = Exam.objects.order_by("-year").first()
    Exam.objects.filter(pk=exam.pk).update(confirmation_deadline=timezone.now() - datetime.timedelta(minutes=1))
    later = timezone.now()

    tracemalloc.start()
    started = time.perf_counter()
    chunks = list(abandonable_id_chunks(now=later))
    enumeration = time.perf_counter() - started
    # What a worker holds is one chunk; the list here only counts them.
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    due = sum(len(chunk) for chunk in chunks)

    sample = [pk for chunk in chunks for pk in chunk][:SAMPLE]
    started = time.perf_counter()
    moved = abandon_applications(sample)
    rate = moved / (time.perf_counter() - started)
    assert Application.objects.filter(pk__in=sample, status="abandoned").count() == moved == len(sample)
    print(f"  {due:,} due in {len(chunks)} chunks of at most {CHUNK_SIZE}; {moved:,} abandoned as a sample")
    report(
        [
            Figure("deadline_sweep", "applications past the deadline", due, ""),
            Figure("deadline_sweep", "reading every id in chunks", enumeration, "s"),
            Figure("deadline_sweep", "peak Python memory while reading ids", peak / 1024 / 1024, "MB"),
            Figure("deadline_sweep", "abandoned per second, one worker", rate, "/s"),
            Figure("deadline_sweep", "whole table at that rate, one worker", due / rate / 60, "min"),
        ]
    )


def main() -> None:
    # Tasks run in-process; the reminders' e-mails go nowhere.
    generate_then_measure(__file__, "wecan_bench_sweep", EMAIL_URL="dummymail://", LOG_LEVEL="WARNING")


if __name__ == "__main__":
    if "--generate" in sys.argv:
        generate()
    elif "--measure" in sys.argv:
        measure()
    else:
        main()
