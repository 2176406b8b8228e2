"""Score import at scale and certificate PDFs: 250,000 candidates × 4 subjects (1,000,000 lines).

Figures: the first import of the file (checks, upsert, the two-year rule, history records,
certificates issued), run in a process of its own as a worker would run it, with its peak RSS; the
same file imported again (nothing changes); a bare ``COPY`` of the same file, the floor the import is
measured against; and the median / p95 time and the size of a certificate PDF rendered in a warm
process. PDF rendering is queued, not run, during the import (as a worker would take it).

The data: every candidate has an account and an application of the year (so the failed ones get a
history record); about 3% of subjects absent, scores between 35 and 95 against a pass score of 60.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, Figure, django_env, fresh_database, manage, report

CANDIDATES = int(os.environ.get("BENCH_SCORE_CANDIDATES", "250000"))
PDFS = 30
YEAR = 2025


def _peak_rss_mb() -> float:
    """This process's own peak: Linux carries ``ru_maxrss`` over from the parent across fork and exec
    (the parent holding the generated data, ~1 GB), while VmHWM belongs to the program exec'd."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path) -> None:
    """The exam, the candidates' accounts and applications, and the score file at ``path``."""
    from django.db import connection
    from django.utils import timezone

    from registration.identity import mod11_2_check_character
    from registration.models import Application, City, District, Exam, Site, Specialty, User
    from registration.pii import id_number_digest, mask_id_number

    now = timezone.now()
    exam = Exam.objects.create(
        year=YEAR,
        name=f"{YEAR}年度卫生专业技术资格考试",
        registration_opens=now,
        registration_closes=now + datetime.timedelta(days=1),
        confirmation_deadline=now + datetime.timedelta(days=2),
        payment_opens=now,
        payment_closes=now + datetime.timedelta(days=1),
        ticket_opens=now,
        ticket_closes=now + datetime.timedelta(days=1),
        exam_date=now.date(),
        work_years_cutoff=now.date(),
    )
    specialties = list(Specialty.objects.all())
    exam.specialties.set(specialties)
    district = District.objects.create(exam=exam, code="SH", name="上海")
    city = City.objects.create(district=district, code="SH01", name="上海市区")
    site = Site.objects.create(city=city, code="SH0101", name="上海市医学考试中心考点")

    rng = random.Random(YEAR)
    numbers = []
    for sequence in range(CANDIDATES):
        born = f"{1960 + (sequence // 1000) % 40}01{1 + (sequence // 40000) % 28:02d}"
        first_17 = f"310101{born}{sequence % 1000:03d}"
        numbers.append(first_17 + mod11_2_check_character(first_17))
    numbers = sorted(set(numbers))
    chosen = [rng.choice(specialties) for _number in numbers]
    users = User.objects.bulk_create(
        [
            User(
                username=f"c{index}",
                name="张三",
                id_type="resident_id",
                id_number_digest=id_number_digest(number),
                id_number_masked=mask_id_number(number),
                role="candidate",
            )
            for index, number in enumerate(numbers)
        ],
        batch_size=5000,
    )
    Application.objects.bulk_create(
        [
            Application(
                exam=exam,
                candidate=user,
                district=district,
                number=f"{index:08d}",
                verification_code="1234567",
                city=city,
                site=site,
                specialty=specialty,
                highest_education="本科",
                other_unit_name="上海市第六人民医院",
            )
            for index, (user, specialty) in enumerate(zip(users, chosen, strict=True))
        ],
        batch_size=5000,
    )
    # Analysed, as autovacuum has long done in production when scores come (it is off on this machine):
    # unanalysed, the planner takes the candidates for a few thousand and joins each history record's
    # application through every application of its specialty (3 s instead of 1 s at 50,000 candidates,
    # growing with the square of their number).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registration_user")
        cursor.execute("ANALYZE registration_application")
    with path.open("w", encoding="utf-8") as out:
        out.write("exam_year,id_number,specialty_code,subject_code,score,absent,disqualified\n")
        for number, specialty in zip(numbers, chosen, strict=True):
            for subject in "1234":
                absent = rng.random() < 0.03
                score = "" if absent else str(rng.randint(35, 95))
                out.write(f"{YEAR},{number},{specialty.code},{subject},{score},{int(absent)},0\n")


def run_import(path: str) -> None:
    """Uploads the file and imports it, as the admin upload and the worker do."""
    import django

    django.setup()
    from django.core.files import File

    from certificates.services.scores import score_import_create, score_import_run
    from wecan.celery import app

    # Queue the PDF renders to the in-memory broker instead of running them inside the import.
    app.conf.task_always_eager = False
    with open(path, "rb") as handle:
        record = score_import_create(file=File(handle, name="2025.csv"), uploaded_by=None, queue=False)
    started, cpu_started = time.perf_counter(), time.process_time()
    done = score_import_run(score_import_id=record.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    counts = {
        name: getattr(done, name)
        for name in (
            "status",
            "lines",
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "certificates_issued",
            "history_records_written",
        )
    }
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": _peak_rss_mb(), **counts}))


def run_baseline(path: str) -> None:
    """A bare COPY of the file into a table of text columns: the floor the import is measured against."""
    import psycopg2

    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    started = time.perf_counter()
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE raw (exam_year text, id_number text, specialty_code text, subject_code text, "
            "score text, absent text, disqualified text)"
        )
        with open(path, encoding="utf-8") as data:
            cursor.copy_expert("COPY raw FROM STDIN WITH (FORMAT csv, HEADER)", data)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": _peak_rss_mb()}))


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run([PYTHON, __file__, *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pdf_figures() -> list[Figure]:
    from certificates.models import Certificate
    from certificates.services.certificates import certificate_pdf_render

    durations, sizes = [], []
    for certificate in Certificate.objects.order_by("pk")[:PDFS]:
        started = time.perf_counter()
        rendered = certificate_pdf_render(certificate_id=certificate.pk)
        durations.append((time.perf_counter() - started) * 1000)
        sizes.append(rendered.pdf.size)
        rendered.pdf.delete(save=False)
    durations.sort()
    return [
        Figure("scores", "certificate PDF, median render", statistics.median(durations), "ms"),
        Figure("scores", "certificate PDF, p95 render", durations[int(len(durations) * 0.95) - 1], "ms"),
        Figure("scores", "certificate PDF, median size", statistics.median(sizes) / 1024, "KB"),
    ]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="wecan-bench-scores-"))
    env = django_env(fresh_database("wecan_bench_scores"), WECAN_DATA_DIR=str(data_dir))
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("load_reference", env=env, capture=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    path = data_dir / "scores.csv"
    started = time.perf_counter()
    generate(path)
    connection.close()
    print(f"  generated {CANDIDATES:,} candidates and the score file in {time.perf_counter() - started:.1f} s")

    first = _child(env, "--import", str(path))
    again = _child(env, "--import", str(path))
    baseline = _child(env, "--baseline", str(path))
    print(
        "  lines {lines:,}: created {created_count:,}, rejected {rejected_count:,}; certificates issued "
        "{certificates_issued:,}, history records written {history_records_written:,}".format(**first)
    )
    lines = first["lines"]
    ratio = first["seconds"] / baseline["seconds"]
    report(
        [
            Figure("scores", f"{lines:,} lines imported (s)", first["seconds"], "s", "≤ 60 s", first["seconds"] <= 60),
            Figure("scores", "import peak RSS (MB)", first["rss_mb"], "MB", "≤ 500 MB", first["rss_mb"] <= 500),
            Figure("scores", "first import, lines per second", lines / first["seconds"], "lines/s"),
            # The worker's own CPU (the database's is not counted): what a loaded machine changes least.
            Figure("scores", "first import, worker CPU (s)", first["cpu"], "s"),
            Figure("scores", "certificates issued by it", first["certificates_issued"], ""),
            Figure("scores", "same file again (nothing changes) (s)", again["seconds"], "s"),
            Figure("scores", "lines unchanged on the second import", again["unchanged_count"], ""),
            Figure("scores", "bare COPY of the file (s)", baseline["seconds"], "s"),
            Figure("scores", "ratio of the import to the bare COPY", ratio, "×"),
            *_pdf_figures(),
        ]
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--import"]:
        run_import(sys.argv[2])
    elif sys.argv[1:2] == ["--baseline"]:
        run_baseline(sys.argv[2])
    else:
        main()
