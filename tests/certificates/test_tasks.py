"""The workers: a score file imported and a certificate rendered by a live Celery worker; retries."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError

from certificates import tasks
from certificates.models import Certificate, ScoreImport
from certificates.services import scores as score_services
from certificates.services.scores import score_import_create
from tests.certificates.conftest import csv_bytes, import_csv, sat

LIVE_WORKER_TIMEOUT = 60


@pytest.mark.live_worker
def test_a_live_worker_imports_the_upload_and_renders_the_certificate(exams, person):
    data = csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 71, "3": 72, "4": 73, "5": 1}))
    record = score_import_create(file=ContentFile(data, name="2022.csv"), uploaded_by=None)

    deadline = time.monotonic() + LIVE_WORKER_TIMEOUT
    certificate = None
    while certificate is None or not certificate.pdf:
        assert time.monotonic() < deadline, f"the worker did not import and render in {LIVE_WORKER_TIMEOUT} s"
        time.sleep(0.3)
        certificate = Certificate.objects.filter(candidate=person.user).first()
    record.refresh_from_db()
    try:
        assert (record.status, record.created_count, record.rejected_count) == ("done", 4, 1)
        assert record.errors == [{"line": 6, "reason": "科目代码“5”不存在。"}]
        with certificate.pdf.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    finally:
        certificate.pdf.delete(save=False)


@pytest.mark.django_db
def test_the_import_task_retries_when_the_database_is_briefly_away(exams, person):
    real_run = score_services.score_import_run
    calls = []

    def flaky_run(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_run(**kwargs)

    with mock.patch.object(score_services, "score_import_run", side_effect=flaky_run):
        record = score_import_create(
            file=ContentFile(csv_bytes(sat(2022, person.id_number, "303", {"1": 70})), name="a.csv"),
            uploaded_by=None,
            queue=False,
        )
        # throw=False lets the eager run carry out the retry instead of raising it to the caller.
        result = tasks.import_scores.apply(args=[record.pk], throw=False)

    assert result.successful()
    assert len(calls) == 2
    assert ScoreImport.objects.get(pk=record.pk).status == "done"


@pytest.mark.django_db
def test_the_render_task_run_twice_keeps_one_pdf(exams, person):
    import_csv(csv_bytes(sat(2022, person.id_number, "303", dict.fromkeys(("1", "2", "3", "4"), 90))))
    certificate = Certificate.objects.get()
    tasks.render_certificate_pdf.apply(args=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.events.filter(action="rendered").count() == 1
