"""The deadline sweep with 100,000 drafts past the confirmation deadline.

Generation is set-based SQL (one complete application cloned over generate_series). The figures: the
time one process takes to end them all through the real sweep (the beat task reading ids in chunks,
each chunk abandoned in one set with its audit rows, to-dos written and their e-mails queued), the
same run's rate of one ``transition()`` each (the old sweep's way) on a sample generated beside them,
a second sweep that finds nothing, and the rate at which one worker e-mails the to-dos.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, generate_then_measure, report

APPLICATIONS = int(os.environ.get("BENCH_SWEEP_APPLICATIONS", "100000"))
SAMPLE = int(os.environ.get("BENCH_SWEEP_SAMPLE", "1000"))


def generate() -> None:
    """Inside Django: APPLICATIONS draft applications (and their candidates), cloned from one."""
    import django

    django.setup()
    from django.db import connection

    from registration.models import Application, User

    total = APPLICATIONS + SAMPLE
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
            [total, template_user.pk],
        )
        cursor.execute(
            f"INSERT INTO registration_application ({', '.join(columns)}) "
            f"SELECT {', '.join(values[c] for c in columns)} FROM registration_application t "
            f"JOIN generate_series(1, %s) AS g ON true JOIN registration_user u ON u.username = 's' || g "
            f"WHERE t.id = %s",
            [total, template.pk],
        )
        cursor.execute("ANALYZE registration_application")
    print(f"  generated {total:,} drafts in {time.perf_counter() - started:.1f} s")


def measure() -> None:
    """Inside Django: past the deadline, a sample ended one transition at a time (the old way), then
    the real sweep (the beat task, its chunk tasks run in this one process) over the rest."""
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from registration.models import Application, ApplicationEvent, Exam
    from registration.services.applications import transition
    from registration.workflow import Action
    from review.models import Reminder
    from review.services.deadlines import CHUNK_SIZE
    from review.tasks import deliver_reminders, sweep_deadlines

    exam = Exam.objects.order_by("-year").first()
    Exam.objects.filter(pk=exam.pk).update(confirmation_deadline=timezone.now() - datetime.timedelta(minutes=1))
    # The clones' numbers (the template's own is random, and unique beside them).
    numbers = ("20000001", f"{20000000 + APPLICATIONS + SAMPLE:08d}")
    generated = Application.objects.filter(exam=exam, status="draft", number__range=numbers)
    drafts = list(generated.order_by("pk").values_list("pk", flat=True))

    # The e-mails are sent by other workers, at the mail server's pace: here they are only queued, as
    # to a broker, and a sample is sent afterwards for their own rate.
    queued: list[int] = []
    deliver_reminders.delay = lambda reminder_ids: queued.extend(reminder_ids)

    started = time.perf_counter()
    for pk in drafts[:SAMPLE]:
        transition(application_id=pk, action=Action.ABANDON, actor=None, reason="逾期视为放弃（逐个）")
    one_by_one = SAMPLE / (time.perf_counter() - started)

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    chunks = sweep_deadlines()
    swept = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    due = len(drafts) - SAMPLE

    started = time.perf_counter()
    again = sweep_deadlines()
    second = time.perf_counter() - started

    abandoned = Application.objects.filter(pk__in=drafts[SAMPLE:], status="abandoned").count()
    events = ApplicationEvent.objects.filter(application_id__in=drafts[SAMPLE:], action="abandon").count()
    to_dos = Reminder.objects.filter(application_id__in=drafts[SAMPLE:], kind="abandoned").count()
    assert abandoned == events == to_dos == due, (abandoned, events, to_dos, due)
    assert again == 0

    # Mail goes at a few dozen a second: a smaller sample says as much.
    mailed = queued[: max(SAMPLE // 5, 1)]
    started = time.perf_counter()
    deliver_reminders(mailed)
    mail_rate = len(mailed) / (time.perf_counter() - started)

    print(
        f"  {due:,} due: swept in {chunks} chunks of at most {CHUNK_SIZE}, each with its audit rows and to-dos; "
        f"load average {load_before:.1f} before, {load_after:.1f} after (2 cores)"
    )
    report(
        [
            Figure("deadline_sweep", f"{due:,} applications ended", swept, "s", "≤ 60 s", swept <= 60),
            Figure("deadline_sweep", "ended per second, one worker", due / swept, "/s"),
            Figure("deadline_sweep", "one transition() each (the old way)", one_by_one, "/s"),
            Figure("deadline_sweep", "sweep against one transition() each", due / swept / one_by_one, "×"),
            Figure("deadline_sweep", "second sweep, nothing due", second, "s"),
            Figure("deadline_sweep", "to-dos e-mailed per second, one worker", mail_rate, "/s"),
            # Other work on the machine slows every figure above alike: the ratio is the one to compare.
            Figure("deadline_sweep", "load average while sweeping (2 cores)", (load_before + load_after) / 2, ""),
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
