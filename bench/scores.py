"""Score import at scale and certificate PDFs: 25,000 candidates × 4 subjects (100,000 lines).

Figures: the first import of the file (upserts, the two-year rule, certificates issued), the same file
imported again (nothing changes), and the median / p95 time and the size of a certificate PDF rendered
in a warm process. PDF rendering is queued, not run, during the import (as a worker would take it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, django_env, fresh_database, manage, report

CANDIDATES = int(os.environ.get("BENCH_SCORE_CANDIDATES", "25000"))
PDFS = 30


def main() -> None:
    env = django_env(fresh_database("wecan_bench_scores"))
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("load_reference", env=env, capture=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from certificates.models import Certificate
    from certificates.services.certificates import certificate_pdf_render
    from certificates.services.scores import score_import_create, score_import_run
    from registration.identity import mod11_2_check_character
    from registration.models import Exam, Specialty, User
    from registration.pii import id_number_digest, mask_id_number
    from wecan.celery import app

    # Queue the PDF renders to the in-memory broker instead of running them inside the import.
    app.conf.task_always_eager = False
    now = timezone.now()
    exam = Exam.objects.create(
        year=2025,
        name="2025年度卫生专业技术资格考试",
        registration_opens=now,
        registration_closes=now + timezone.timedelta(days=1),
        confirmation_deadline=now + timezone.timedelta(days=2),
        payment_opens=now,
        payment_closes=now + timezone.timedelta(days=1),
        ticket_opens=now,
        ticket_closes=now + timezone.timedelta(days=1),
        exam_date=now.date(),
        work_years_cutoff=now.date(),
    )
    codes = list(Specialty.objects.values_list("code", flat=True))
    exam.specialties.set(Specialty.objects.all())

    rng = random.Random(2025)
    numbers = []
    for sequence in range(CANDIDATES):
        born = f"{1960 + (sequence // 1000) % 40}01{1 + (sequence // 40000) % 28:02d}"
        first_17 = f"310101{born}{sequence % 1000:03d}"
        numbers.append(first_17 + mod11_2_check_character(first_17))
    numbers = sorted(set(numbers))
    User.objects.bulk_create(
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
        batch_size=2000,
    )
    lines = ["exam_year,id_number,specialty_code,subject_code,score,absent,disqualified"]
    for number in numbers:
        specialty = rng.choice(codes)
        for subject in "1234":
            absent = rng.random() < 0.03
            score = "" if absent else str(rng.randint(35, 95))
            lines.append(f"2025,{number},{specialty},{subject},{score},{int(absent)},0")
    data = ("\n".join(lines) + "\n").encode()

    def run_import():
        record = score_import_create(file=ContentFile(data, name="2025.csv"), uploaded_by=None, queue=False)
        started = time.perf_counter()
        done = score_import_run(score_import_id=record.pk)
        return time.perf_counter() - started, done

    first_seconds, first = run_import()
    again_seconds, again = run_import()

    durations, sizes = [], []
    for certificate in Certificate.objects.order_by("pk")[:PDFS]:
        started = time.perf_counter()
        rendered = certificate_pdf_render(certificate_id=certificate.pk)
        durations.append((time.perf_counter() - started) * 1000)
        sizes.append(rendered.pdf.size)
        rendered.pdf.delete(save=False)
    durations.sort()

    line_count = len(lines) - 1
    report(
        [
            Figure("scores", f"first import of {line_count:,} lines", first_seconds, "s"),
            Figure("scores", "first import, lines per second", line_count / first_seconds, "lines/s"),
            Figure("scores", "certificates issued by it", first.certificates_issued, ""),
            Figure("scores", "same file again (nothing changes)", again_seconds, "s"),
            Figure("scores", "lines unchanged on the second import", again.unchanged_count, ""),
            Figure("scores", "certificate PDF, median render", statistics.median(durations), "ms"),
            Figure("scores", "certificate PDF, p95 render", durations[int(len(durations) * 0.95) - 1], "ms"),
            Figure("scores", "certificate PDF, median size", statistics.median(sizes) / 1024, "KB"),
        ]
    )


if __name__ == "__main__":
    main()
