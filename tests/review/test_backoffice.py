"""The back office as staff meet it: the home page's work queues per role, the audit trail in words,
and Chinese labels throughout."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registration.models import ApplicationEvent
from review.models import Job, JobKind, JobStatus
from review.selectors import staff_work_queues
from review.services.decisions import application_reject
from tests.review.conftest import make_candidate, many_submitted

pytestmark = pytest.mark.django_db


def queues_on_home(client, user) -> dict[str, str]:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {card.key: card for card in response.context["queues"]}


class TestWorkQueues:
    def test_each_role_sees_the_queue_of_its_step_with_the_count_in_its_scope(self, world, client):
        """Seed 000: 报名点 confirm, 考点 review first, 考区 review last; each staff member only their scope."""
        world.make_application(point=world.p1)
        world.make_application(point=world.p1)
        world.make_application(point=world.p2)  # another point: not sh_point's
        world.make_application(point=world.p1, status="confirmed")
        world.make_application(point=world.p3, status="confirmed")  # another site: not sh_site's
        world.make_application(point=world.p1, status="site_approved")
        world.make_application(point=world.bj1, status="site_approved")  # another district

        point = queues_on_home(client, world.staff["sh_point"])
        site = queues_on_home(client, world.staff["sh_site"])
        district = queues_on_home(client, world.staff["sh_district"])

        assert {key: card.count for key, card in point.items()} == {"confirm": 2, "jobs": 0}
        # Site staff confirm too (seed 003 line 781: "到所選考點或其下設報名點"): both points of their site.
        assert {key: card.count for key, card in site.items()} == {"confirm": 3, "review_site": 1, "jobs": 0}
        assert {key: card.count for key, card in district.items()} == {"review_district": 1, "jobs": 0}

    def test_a_queue_links_to_its_filtered_list_which_shows_the_oldest_first(self, world, client):
        newer = world.make_application(submitted_at=timezone.now())
        older = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=3))
        world.make_application(status="confirmed")

        card = queues_on_home(client, world.staff["sh_point"])["confirm"]
        listed = list(client.get(card.url).context["cl"].result_list)

        assert listed == [older, newer]
        assert card.oldest == older.submitted_at

    def test_the_confirmation_queue_shows_the_deadline_and_the_days_left(self, world):
        """Seed 002: 报名确认 must be done before the confirmation deadline, after which the application is 放弃."""
        world.make_application()
        today = timezone.localdate(world.exam.confirmation_deadline) - datetime.timedelta(days=4)

        (confirm, _jobs) = staff_work_queues(user=world.staff["sh_point"], today=today)

        assert confirm.deadline == world.exam.confirmation_deadline
        assert confirm.days_left == 4

    def test_the_reviews_are_bounded_by_the_close_of_the_payment_window(self, world):
        world.make_application(status="confirmed")

        (_confirm, review, _jobs) = staff_work_queues(user=world.staff["sh_site"])

        assert review.deadline == world.exam.payment_closes

    def test_finance_sees_the_open_discrepancies_and_no_application_queue(self, world, client):
        cards = queues_on_home(client, world.staff["sh_finance"])

        assert list(cards) == ["discrepancies", "jobs"]
        assert cards["discrepancies"].count == 0

    def test_only_unfinished_jobs_of_the_staff_member_wait(self, world, client):
        point = world.staff["sh_point"]
        Job.objects.create(kind=JobKind.BULK_CONFIRM, created_by=point, status=JobStatus.RUNNING, total=3)
        Job.objects.create(kind=JobKind.BULK_CONFIRM, created_by=point, status=JobStatus.DONE, total=3, processed=3)
        Job.objects.create(kind=JobKind.BULK_CONFIRM, created_by=world.staff["sh_point2"], total=1)

        assert queues_on_home(client, point)["jobs"].count == 1

    def test_the_catalogue_is_kept_under_reference_for_staff_and_in_view_for_administrators(self, world, client):
        client.force_login(world.staff["sh_point"])
        response = client.get(reverse("admin:index"))
        work = {model["object_name"] for app in response.context["work_apps"] for model in app["models"]}
        reference = {model["object_name"] for app in response.context["reference_apps"] for model in app["models"]}

        assert "Application" in work
        assert "Specialty" in reference and "Specialty" not in work

        client.force_login(world.staff["admin"])
        assert client.get(reverse("admin:index")).context["reference_apps"] == []

    def test_the_home_page_is_titled_for_the_exam_and_in_chinese(self, world, client):
        client.force_login(world.staff["sh_point"])
        html = client.get(reverse("admin:index")).content.decode()

        assert "<title>工作台 | 报名管理</title>" in html
        for english in ("Model name", "Add link", "Recent actions", "Django"):
            assert english not in html


class TestAuditTrail:
    def test_a_decision_reads_as_who_did_what_and_why(self, world, client):
        application = world.make_application()
        staff = world.staff["sh_point"]
        staff.name = "李四"
        staff.save(update_fields=["name"])
        application_reject(application_id=application.pk, actor=staff, reasons=["unclear_materials"])

        client.force_login(staff)
        history = client.get(reverse("admin:registration_application_change", args=[application.pk]))

        assert "李四（报名点）报名确认不通过：材料不清晰" in history.content.decode()
        assert "reject_confirmation" not in history.content.decode()

    def test_sections_saved_in_a_row_are_one_entry(self, world, client):
        candidate = make_candidate(name="王五")
        application = world.make_application(candidate=candidate, status="draft")
        for section in ("site", "basic", "basic", "contact"):
            ApplicationEvent.objects.create(application=application, actor=candidate, action=f"save_{section}")
        ApplicationEvent.objects.create(
            application=application, actor=candidate, action="submit", to_status="submitted"
        )
        ApplicationEvent.objects.create(application=application, actor=candidate, action="save_work")

        client.force_login(world.staff["sh_point"])
        html = client.get(reverse("admin:registration_application_change", args=[application.pk])).content.decode()

        assert html.count("王五（考生）保存") == 2
        assert "王五（考生）保存考点信息、基本信息、联系方式" in html
        assert "王五（考生）提交报名信息" in html
        assert "save_basic" not in html

    def test_the_system_acts_when_no_one_did(self, world, client):
        application = world.make_application()
        ApplicationEvent.objects.create(application=application, actor=None, action="abandon", reason="")

        client.force_login(world.staff["sh_point"])
        html = client.get(reverse("admin:registration_application_change", args=[application.pk])).content.decode()

        assert "系统逾期视为放弃" in html


class TestChineseLabels:
    def test_list_headers_and_filter_titles_are_in_chinese(self, world, client):
        world.make_application()
        client.force_login(world.staff["sh_district"])
        html = client.get(reverse("admin:registration_application_changelist")).content.decode()

        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)

        assert "按报考专业" in text and "按报名点" in text
        for english in ("By ", "specialty", "registration point", "Registration point", "Specialty", "ACTOR"):
            assert english not in text, english

    def test_a_staff_member_of_another_district_gets_not_found(self, world, client):
        application = world.make_application(point=world.p1)
        client.force_login(world.staff["bj_district"])

        response = client.get(reverse("admin:registration_application_change", args=[application.pk]))

        assert response.status_code == 404


class TestReviewDesk:
    def decide(self, client, application, kind, **data):
        url = reverse("admin:registration_application_decide", args=[application.pk, kind])
        return client.post(url, {"queue": application.status, **data})

    def test_the_desk_shows_the_decision_photo_eligibility_and_the_queue_around(self, world, client):
        first = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=2))
        second = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=1))
        third = world.make_application(submitted_at=timezone.now())
        client.force_login(world.staff["sh_point"])

        desk = client.get(reverse("admin:registration_application_change", args=[second.pk])).context["desk"]

        assert desk["approve"]["kind"] == "confirm" and desk["reject"]["kind"] == "reject"
        assert [code for code, _label in desk["reasons"]] == [
            "education_mismatch",
            "specialty_mismatch",
            "insufficient_years",
            "unclear_materials",
            "missing_materials",
            "other",
        ]
        assert desk["previous_url"].endswith(f"/{first.pk}/change/")
        assert desk["next_url"].endswith(f"/{third.pk}/change/")
        assert (desk["position"], desk["total"]) == (2, 3)
        assert desk["eligibility"].checks

    def test_a_decision_on_the_desk_opens_the_next_application_of_the_queue(self, world, client):
        first = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=2))
        second = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=1))
        client.force_login(world.staff["sh_point"])

        response = self.decide(client, first, "confirm")

        assert response.status_code == 302
        assert response["Location"] == reverse("admin:registration_application_change", args=[second.pk])
        first.refresh_from_db()
        assert first.status == "confirmed"

    def test_a_rejection_needs_a_reason_and_then_moves_on_too(self, world, client):
        first = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=2))
        second = world.make_application(submitted_at=timezone.now() - datetime.timedelta(days=1))
        client.force_login(world.staff["sh_point"])

        refused = self.decide(client, first, "reject")
        done = self.decide(client, first, "reject", reasons=["unclear_materials"])

        assert refused.status_code == 200 and "请至少选择一项不通过原因" in refused.content.decode()
        assert done["Location"] == reverse("admin:registration_application_change", args=[second.pk])

    def test_the_last_decision_of_a_queue_goes_back_to_the_list(self, world, client):
        only = world.make_application(status="confirmed")
        client.force_login(world.staff["sh_site"])

        response = self.decide(client, only, "approve_site")

        assert response["Location"] == reverse("admin:registration_application_changelist") + "?status__exact=confirmed"

    def test_the_desk_never_leads_out_of_scope(self, world, client):
        mine = world.make_application(point=world.p1)
        world.make_application(point=world.bj1, submitted_at=timezone.now() + datetime.timedelta(days=1))
        client.force_login(world.staff["sh_point"])

        desk = client.get(reverse("admin:registration_application_change", args=[mine.pk])).context["desk"]

        assert desk["next_url"] is None and desk["previous_url"] is None


class TestProgress:
    def test_the_home_page_shows_the_progress_of_running_jobs_and_refreshes_itself(self, world, client):
        point = world.staff["sh_point"]
        job = Job.objects.create(
            kind=JobKind.BULK_CONFIRM, created_by=point, status=JobStatus.RUNNING, total=40, processed=10
        )
        Job.objects.create(kind=JobKind.BULK_CONFIRM, created_by=point, status=JobStatus.DONE, total=5, processed=5)
        client.force_login(point)

        response = client.get(reverse("admin:index"))

        [progress] = response.context["in_progress"]
        assert (progress.percent, progress.detail) == (25, "10 / 40")
        assert progress.url == reverse("admin:review_job_change", args=[job.pk])
        html = response.content.decode()
        assert '<progress max="100" value="25"' in html
        assert '<meta http-equiv="refresh" content="5">' in html

    def test_without_running_work_the_home_page_does_not_refresh(self, world, client):
        client.force_login(world.staff["sh_point"])

        html = client.get(reverse("admin:index")).content.decode()

        assert 'http-equiv="refresh"' not in html


class TestQueryCounts:
    def count(self, client, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def test_the_application_list_runs_a_constant_number_of_queries(
        self, world, client, django_assert_max_num_queries
    ):
        for _ in range(3):
            world.make_application()
        world.make_application(point=world.p2, status="confirmed")
        client.force_login(world.staff["sh_district"])
        url = reverse("admin:registration_application_changelist")
        few = self.count(client, url)

        many_submitted(world, 40)
        world.make_application(point=world.p3, status="confirmation_rejected", resubmission_count=1)

        with django_assert_max_num_queries(few):
            assert len(client.get(url).context["cl"].result_list) == 45

    def test_the_job_list_and_the_home_page_run_a_constant_number_of_queries(
        self, world, client, django_assert_max_num_queries
    ):
        point = world.staff["sh_point"]
        client.force_login(point)
        Job.objects.create(kind=JobKind.BULK_CONFIRM, created_by=point, status=JobStatus.RUNNING, total=2)
        pages = [reverse("admin:review_job_changelist"), reverse("admin:index")]
        few = [self.count(client, url) for url in pages]

        Job.objects.bulk_create(
            [Job(kind=JobKind.BULK_CONFIRM, created_by=point, status=JobStatus.RUNNING, total=2) for _ in range(12)]
        )

        for url, queries in zip(pages, few, strict=True):
            with django_assert_max_num_queries(queries):
                assert client.get(url).status_code == 200


def test_staff_who_switch_to_english_get_the_desk_in_english(world, client):
    application = world.make_application()
    application_reject(application_id=application.pk, actor=world.staff["sh_point"], reasons=["unclear_materials"])
    world.make_application()
    client.force_login(world.staff["sh_point"])
    client.cookies["django_language"] = "en"

    home = client.get(reverse("admin:index")).content.decode()
    desk = client.get(reverse("admin:registration_application_change", args=[application.pk])).content.decode()

    assert "To confirm" in home and "Registration office" in home
    assert "待确认" not in home
    assert "(Registration point) " in desk and "Keys: A approves" in desk
