"""The confirmation deadline and what happens at it: staff stop confirming (an administrator may, with a
reason), unconfirmed applications end abandoned and their nodes say which step was missed, deadlines
read as the last moment that counts.

Seed 003 line 781: "凡未按期到所选考点或其下设报名点进行现场确认的，视为自动放弃本次考试".
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from payments.tasks import sweep_unpaid
from registration.models import Application, ApplicationEvent
from registration.services.applications import transition
from registration.windows import deadline_text
from registration.workflow import Action
from review.tasks import sweep_deadlines
from tests.review.conftest import make_candidate, token_client
from tests.review.test_signed_form import scan, upload_form  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def after_deadline(world):
    return time_machine.travel(world.exam.confirmation_deadline + datetime.timedelta(minutes=1), tick=False)


def confirm(client, application, **body):
    return client.post(f"/api/v1/staff/applications/{application.pk}/confirm/", body, format="json")


class TestStaffAfterTheDeadline:
    @pytest.mark.parametrize("name", ["sh_point", "sh_site"])
    def test_staff_can_no_longer_confirm_reject_or_confirm_by_code(self, world, api_as, name):
        application = world.make_application()
        client = api_as(name)

        with after_deadline(world):
            confirmed = confirm(client, application)
            rejected = client.post(
                f"/api/v1/staff/applications/{application.pk}/reject/",
                {"reasons": ["missing_materials"]},
                format="json",
            )
            by_code = client.post(
                "/api/v1/staff/confirm-by-code/",
                {"number": application.number, "verification_code": application.verification_code},
                format="json",
            )

        for response in (confirmed, rejected, by_code):
            assert response.status_code == 423, response.json()
            assert response.json()["code"] == "window_closed"
            assert "报名确认已于" in response.json()["message"]
        application.refresh_from_db()
        assert application.status == "submitted"

    def test_even_a_late_reason_does_not_let_staff_confirm(self, world, api_as):
        application = world.make_application()
        with after_deadline(world):
            assert confirm(api_as("sh_point"), application, late_reason="考生当天因病").status_code == 423

    def test_an_administrator_confirms_late_only_with_a_reason_that_the_audit_keeps(self, world, api_as):
        application = world.make_application()
        admin = api_as("admin")

        with after_deadline(world):
            refused = confirm(admin, application)
            done = confirm(admin, application, late_reason="考区批准：考生因公出差，已核实")

        assert refused.status_code == 400
        assert list(refused.json()["fields"]) == ["late_reason"]
        assert done.status_code == 200, done.json()
        assert done.json()["status"] == "confirmed"
        event = ApplicationEvent.objects.filter(application=application, action="confirm").get()
        assert event.reason == "逾期确认：考区批准：考生因公出差，已核实"
        assert event.actor == world.staff["admin"]

    def test_before_the_deadline_no_reason_is_asked(self, world, api_as):
        application = world.make_application()
        assert confirm(api_as("sh_point"), application).json()["status"] == "confirmed"

    def test_the_bulk_job_refuses_each_one_after_the_deadline(self, world, api_as, django_capture_on_commit_callbacks):
        application = world.make_application()

        with after_deadline(world), django_capture_on_commit_callbacks(execute=True):
            response = api_as("sh_point").post(
                "/api/v1/staff/applications/bulk-confirm/", {"applications": [application.pk]}, format="json"
            )

        job = api_as("sh_point").get(f"/api/v1/staff/jobs/{response.json()['id']}/").json()
        assert (job["succeeded"], job["failed"]) == (0, 1)
        application.refresh_from_db()
        assert application.status == "submitted"

    def test_the_admin_page_asks_an_administrator_for_the_reason(self, world, client):
        application = world.make_application()
        url = reverse("admin:registration_application_decide", args=[application.pk, "confirm"])

        with after_deadline(world):
            client.force_login(world.staff["admin"])
            assert 'name="late_reason"' in client.get(url).content.decode()
            refused = client.post(url, {})
            assert "逾期确认须写明原因" in refused.content.decode()
            assert client.post(url, {"late_reason": "系统故障，考点已现场核验"}).status_code == 302

        assert Application.objects.get(pk=application.pk).status == "confirmed"

    def test_the_admin_page_refuses_staff_after_the_deadline(self, world, client):
        application = world.make_application()
        url = reverse("admin:registration_application_decide", args=[application.pk, "confirm"])

        with after_deadline(world):
            client.force_login(world.staff["sh_point"])
            page = client.post(url, {"late_reason": "想确认"}).content.decode()

        assert "报名确认已于" in page
        assert Application.objects.get(pk=application.pk).status == "submitted"


def test_the_confirm_page_shows_the_signed_form_check_beside_the_button(world, client, upload_form):  # noqa: F811
    application = world.make_application()
    upload_form(application, scan(f"{application.number} {application.verification_code}"))
    client.force_login(world.staff["sh_point"])

    page = client.get(reverse("admin:registration_application_decide", args=[application.pk, "confirm"]))

    html = page.content.decode()
    assert 'data-form="current"' in html and "申请表：最新版本" in html
    assert html.index('data-form="current"') < html.index('name="_decide"')


def test_the_confirm_page_says_when_the_form_is_stale_or_unreadable(world, client, upload_form):  # noqa: F811
    application = world.make_application()
    upload_form(application, scan(None))
    client.force_login(world.staff["sh_point"])

    html = client.get(reverse("admin:registration_application_decide", args=[application.pk, "confirm"])).content
    assert 'data-form="unreadable"' in html.decode()


def nodes(client, application_id):
    body = client.get(f"/api/v1/applications/{application_id}/").json()
    return {node["key"]: node["state"] for node in body["nodes"]}


class TestEndedNodes:
    def test_unconfirmed_at_the_deadline_shows_the_confirmation_missed(self, world, django_capture_on_commit_callbacks):
        candidate = make_candidate()
        application = world.make_application(candidate=candidate)

        with after_deadline(world), django_capture_on_commit_callbacks(execute=True):
            sweep_deadlines.delay()

        assert nodes(token_client(candidate), application.pk) == {
            "fill": "done",
            "photo": "done",
            "materials": "done",
            "submit": "done",
            "confirm": "failed",
            "review": "todo",
            "pay": "todo",
        }

    def test_unpaid_at_the_close_shows_the_payment_missed(self, world, django_capture_on_commit_callbacks):
        candidate = make_candidate()
        application = world.make_application(candidate=candidate, status="approved")

        with (
            time_machine.travel(world.exam.payment_closes + datetime.timedelta(minutes=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            sweep_unpaid.delay()

        states = nodes(token_client(candidate), application.pk)
        assert (states["confirm"], states["review"], states["pay"]) == ("done", "done", "failed")
        assert "current" not in states.values()

    def test_a_refunded_fee_is_not_shown_as_paid(self, world):
        candidate = make_candidate()
        application = world.make_application(candidate=candidate, status="paid")
        transition(application_id=application.pk, action=Action.REFUND, actor=None, reason="退费")

        states = nodes(token_client(candidate), application.pk)
        assert (states["review"], states["pay"]) == ("done", "failed")


class TestDeadlineText:
    def test_midnight_is_the_end_of_the_day_before(self, settings):
        settings.TIME_ZONE = "Asia/Shanghai"
        midnight = datetime.datetime(2026, 12, 10, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        assert deadline_text(midnight) == "2026-12-09 24:00"
        assert deadline_text(midnight + datetime.timedelta(hours=17, minutes=30)) == "2026-12-10 17:30"

    def test_the_refusal_and_the_sweep_name_the_last_moment_that_counts(
        self, world, api_as, settings, django_capture_on_commit_callbacks
    ):
        settings.TIME_ZONE = "Asia/Shanghai"
        midnight = datetime.datetime(2026, 12, 10, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        world.exam.confirmation_deadline = midnight
        world.exam.save()
        application = world.make_application()

        with time_machine.travel(midnight + datetime.timedelta(minutes=1), tick=False):
            refused = confirm(api_as("sh_point"), application)
            with django_capture_on_commit_callbacks(execute=True):
                sweep_deadlines.delay()

        assert "2026-12-09 24:00" in refused.json()["message"]
        reason = ApplicationEvent.objects.get(application=application, action="abandon").reason
        assert "2026-12-09 24:00" in reason and "12-10 00:00" not in reason
