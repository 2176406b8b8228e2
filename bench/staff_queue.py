"""The staff queue with 1,000,000 applications: the first page of a registration point's submitted queue.

Generation is set-based SQL (INSERT … SELECT over generate_series, cloning one complete template row, so
new columns need no change here), never the ORM row by row. The page is fetched through the staff API
in-process (Django's test client, no network) after a warm-up; the figures are the median of 20
fetches, the number of queries, and the plan of the page's main query.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, generate_then_measure, report

APPLICATIONS = int(os.environ.get("BENCH_QUEUE_APPLICATIONS", "1000000"))
POINTS = 200


def generate() -> None:
    """Inside Django: POINTS registration points in Shanghai and APPLICATIONS applications spread over them."""
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from registration.models import Application, City, District, Exam, RegistrationPoint, Site, User

    exam = Exam.objects.order_by("-year").first()
    district = District.objects.get(exam=exam, code="SH")
    city = City.objects.filter(district=district).first()
    for number in range(POINTS):
        site, _ = Site.objects.get_or_create(
            city=city, code=f"Q{number // 10:03d}", defaults={"name": f"考点{number // 10}"}
        )
        RegistrationPoint.objects.get_or_create(site=site, code=f"P{number:04d}", defaults={"name": f"报名点{number}"})
    points = list(RegistrationPoint.objects.filter(site__city=city).order_by("pk").values_list("pk", "site_id"))

    template_user = User.objects.filter(role="candidate").order_by("pk").first()
    template_application = Application.objects.filter(candidate=template_user).get()
    user_columns = [field.column for field in User._meta.concrete_fields if field.column != "id"]
    application_columns = [field.column for field in Application._meta.concrete_fields if field.column != "id"]
    user_values = {column: column for column in user_columns} | {
        "username": "'q' || g",
        "id_number_digest": "md5('queue' || g) || md5('digest' || g)",
        "email": "'q' || g || '@example.com'",
    }
    point_array = "ARRAY[" + ",".join(str(point) for point, _site in points) + "]"
    site_array = "ARRAY[" + ",".join(str(site) for _point, site in points) + "]"
    statuses = "ARRAY['draft','submitted','submitted','confirmed','site_approved','approved','paid','submitted']"
    now = timezone.now().isoformat()
    application_values = {column: column for column in application_columns} | {
        "candidate_id": "u.id",
        "number": "lpad((10000000 + g)::text, 8, '0')",
        "status": f"({statuses})[1 + mod(g, 8)]",
        "registration_point_id": f"({point_array})[1 + mod(g, {len(points)})]",
        "site_id": f"({site_array})[1 + mod(g, {len(points)})]",
        "submitted_at": f"timestamptz '{now}' - mod(g, 20000) * interval '1 minute'",
    }
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO registration_user ({', '.join(user_columns)}) "
            f"SELECT {', '.join(user_values[c] for c in user_columns)} "
            f"FROM registration_user, generate_series(1, %s) AS g WHERE id = %s",
            [APPLICATIONS, template_user.pk],
        )
        cursor.execute(
            f"INSERT INTO registration_application ({', '.join(application_columns)}) "
            f"SELECT {', '.join('t.' + application_values[c] if application_values[c] == c else application_values[c] for c in application_columns)} "
            f"FROM registration_application t "
            f"JOIN generate_series(1, %s) AS g ON true "
            f"JOIN registration_user u ON u.username = 'q' || g "
            f"WHERE t.id = %s",
            [APPLICATIONS, template_application.pk],
        )
        # What autovacuum does in production (it is off on this machine): statistics, and the
        # visibility map that lets the queue's page be read from its index alone.
        cursor.execute("VACUUM ANALYZE registration_user")
        cursor.execute("VACUUM ANALYZE registration_application")
        print(f"  generated {APPLICATIONS:,} candidates and applications in {time.perf_counter() - started:.1f} s")


def measure() -> None:
    """Inside Django: the first page of the busiest point's submitted queue, as its staff member sees it."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from registration.choices import Role
    from registration.models import Application, User
    from registration.services.accounts import user_token_issue

    point_id = Application.objects.filter(status="submitted").values_list("registration_point_id", flat=True).first()
    staff, _ = User.objects.get_or_create(
        username="queue_point", defaults={"role": Role.POINT_STAFF, "registration_point_id": point_id, "is_staff": True}
    )
    token = user_token_issue(user=staff)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = "/api/v1/staff/applications/?status=submitted"
    assert client.get(url).status_code == 200
    timings = []
    for _attempt in range(20):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, response.content[:500]
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    main = max(queries.captured_queries, key=lambda query: len(query["sql"]) if "LIMIT" in query["sql"] else 0)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + main["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    in_queue = response.json()["count"]
    print(f"  point {point_id}: {in_queue:,} submitted applications in its queue; plan of the page query:")
    print("    " + plan.replace("\n", "\n    "))
    median = statistics.median(timings)
    report(
        [
            Figure("staff_queue", "applications in the table", Application.objects.count(), ""),
            Figure("staff_queue", "first page, median of 20", median, "ms", "≤ 10 ms", median <= 10),
            Figure("staff_queue", "queries for the page", len(queries), "", "≤ 8", len(queries) <= 8),
            Figure("staff_queue", "page query uses an index", float("Index" in plan), "", "1 (yes)", "Index" in plan),
        ]
    )


def main() -> None:
    generate_then_measure(__file__, "wecan_bench_queue")


if __name__ == "__main__":
    if "--generate" in sys.argv:
        generate()
    elif "--measure" in sys.argv:
        measure()
    else:
        main()
