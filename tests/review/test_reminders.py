"""To-dos (待办事项提醒): made by transitions that ask the candidate to act and 48 hours before a
deadline, shown on the candidate's page and API, and sent through the pluggable channels by a worker."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from review.channels import Sent
from review.models import DeliveryStatus, Reminder, ReminderDelivery, ReminderKind
from review.tasks import remind_deadlines_soon
from tests.review.conftest import fill_through_api, make_candidate, token_client
from wecan.celery import app as celery_app

pytestmark = pytest.mark.django_db


def remind_at(moment, capture) -> None:
    """The 48-hour reminder task as the beat would run it at ``moment``, with its on-commit work done."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        remind_deadlines_soon.delay()


def kinds(application) -> list[tuple[str, bool]]:
    return [
        (reminder.kind, reminder.closed_at is None)
        for reminder in Reminder.objects.filter(application=application).order_by("id")
    ]


def test_a_rejection_makes_a_to_do_with_the_reasons_and_an_e_mail(world, api_as, django_capture_on_commit_callbacks):
    application = world.make_application()
    with django_capture_on_commit_callbacks(execute=True):
        api_as("sh_point").post(
            f"/api/v1/staff/applications/{application.pk}/reject/",
            {"reasons": ["unclear_materials"], "note": "学历证书模糊"},
            format="json",
        )

    reminder = Reminder.objects.get(application=application)
    assert (reminder.kind, reminder.title) == (ReminderKind.CONFIRMATION_REJECTED, "报名确认不通过")
    assert "材料不清晰：学历证书模糊" in reminder.body
    assert [message.to for message in mail.outbox] == [[application.email]]
    assert mail.outbox[0].subject == "【待办事项提醒】报名确认不通过"
    delivery = ReminderDelivery.objects.get(reminder=reminder)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("email", DeliveryStatus.SENT, 1)


def test_resubmitting_closes_the_rejection_to_do_and_opens_a_pending_one(
    world, api_as, django_capture_on_commit_callbacks
):
    candidate = make_candidate()
    own = token_client(candidate)
    application_id = fill_through_api(world, own, candidate)
    # One block per request: each request commits, and its receivers run, before the next one.
    with django_capture_on_commit_callbacks(execute=True):
        own.post(f"/api/v1/applications/{application_id}/submit/")
    with django_capture_on_commit_callbacks(execute=True):
        api_as("sh_point").post(
            f"/api/v1/staff/applications/{application_id}/reject/", {"reasons": ["missing_materials"]}, format="json"
        )
    with django_capture_on_commit_callbacks(execute=True):
        own.post(f"/api/v1/applications/{application_id}/submit/")

    assert kinds(application_id) == [
        (ReminderKind.CONFIRMATION_PENDING, False),
        (ReminderKind.CONFIRMATION_REJECTED, False),
        (ReminderKind.CONFIRMATION_PENDING, True),
    ]


def test_approval_asks_to_pay_only_where_fees_are_paid_online(world, api_as, django_capture_on_commit_callbacks):
    world.bj.online_payment = False
    world.bj.save()
    online = world.make_application(status="site_approved")
    offline = world.make_application(status="site_approved", point=world.bj1)
    with django_capture_on_commit_callbacks(execute=True):
        api_as("sh_district").post(
            f"/api/v1/staff/applications/{online.pk}/review/",
            {"stage": "district", "decision": "approve"},
            format="json",
        )
        api_as("bj_district").post(
            f"/api/v1/staff/applications/{offline.pk}/review/",
            {"stage": "district", "decision": "approve"},
            format="json",
        )

    assert kinds(online) == [(ReminderKind.TO_PAY, True)]
    assert "完成网上缴费" in Reminder.objects.get(application=online).body
    assert kinds(offline) == []


def test_a_note_that_ends_in_a_full_stop_is_not_doubled_in_the_reminder(
    world, api_as, django_capture_on_commit_callbacks
):
    application = world.make_application()
    with django_capture_on_commit_callbacks(execute=True):
        api_as("sh_point").post(
            f"/api/v1/staff/applications/{application.pk}/reject/",
            {"reasons": ["other"], "note": "请补充劳动合同。"},
            format="json",
        )
    body = Reminder.objects.get(application=application).body
    assert "其他：请补充劳动合同。请在" in body
    assert "。。" not in body


def test_a_to_do_is_written_in_chinese_and_english_and_shown_in_the_pages_language(
    world, api_as, client, django_capture_on_commit_callbacks
):
    application = world.make_application()
    with django_capture_on_commit_callbacks(execute=True):
        api_as("sh_point").post(
            f"/api/v1/staff/applications/{application.pk}/reject/",
            {"reasons": ["unclear_materials"], "note": "学历证书模糊"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    reminder = Reminder.objects.get(application=application)
    # Whatever the language of the staff member's request, the Chinese text is Chinese.
    assert reminder.title == "报名确认不通过" and "原因" in reminder.body
    assert reminder.title_en and reminder.title_en != reminder.title
    assert application.number in reminder.body_en and "原因" not in reminder.body_en
    # The reason's label in the reader's language too; the staff member's note as written.
    assert "Materials unclear: 学历证书模糊" in reminder.body_en and "材料不清晰" not in reminder.body_en
    client.force_login(application.candidate)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reminders")).content.decode()
    assert reminder.title_en in html and reminder.title not in html
    api = APIClient()
    api.force_authenticate(application.candidate)
    listed = api.get("/api/v1/me/reminders/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert [(item["title"], item["body"]) for item in listed] == [(reminder.title_en, reminder.body_en)]
    listed = api.get("/api/v1/me/reminders/").json()["results"]
    assert [(item["title"], item["body"]) for item in listed] == [(reminder.title, reminder.body)]


def test_a_review_rejection_makes_a_to_do(world, api_as, django_capture_on_commit_callbacks):
    application = world.make_application(status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        api_as("sh_site").post(
            f"/api/v1/staff/applications/{application.pk}/review/",
            {"stage": "site", "decision": "reject", "reasons": ["insufficient_years"]},
            format="json",
        )
    assert kinds(application) == [(ReminderKind.REVIEW_REJECTED, True)]


class TestDeadlineSoon:
    def test_48_hours_before_the_confirmation_deadline_once_each(self, world, django_capture_on_commit_callbacks):
        """Seed 003 line 781: unconfirmed at the deadline is abandoned — submitted ones are told too."""
        draft = world.make_application(status="draft")
        rejected = world.make_application(status="confirmation_rejected")
        submitted = world.make_application(status="submitted")
        world.make_application(status="confirmed")
        soon = world.exam.confirmation_deadline - datetime.timedelta(hours=47)

        with time_machine.travel(soon, tick=False), django_capture_on_commit_callbacks(execute=True):
            assert remind_deadlines_soon.delay().get() == 3
            assert remind_deadlines_soon.delay().get() == 0

        assert kinds(draft) == [(ReminderKind.DEADLINE_SOON, True)]
        assert kinds(rejected) == [(ReminderKind.DEADLINE_SOON, True)]
        assert kinds(submitted) == [(ReminderKind.DEADLINE_SOON, True)]
        assert "尚未提交" in Reminder.objects.get(application=draft).body
        assert "尚未完成报名确认" in Reminder.objects.get(application=submitted).body
        assert len(mail.outbox) == 3

    def test_not_earlier_than_48_hours(self, world, django_capture_on_commit_callbacks):
        world.make_application(status="draft")
        with time_machine.travel(world.exam.confirmation_deadline - datetime.timedelta(hours=49), tick=False):
            assert remind_deadlines_soon.delay().get() == 0

    def test_48_hours_before_the_payment_window_closes(self, world, django_capture_on_commit_callbacks):
        approved = world.make_application(status="approved")
        remind_at(world.exam.payment_closes - datetime.timedelta(hours=24), django_capture_on_commit_callbacks)
        reminder = Reminder.objects.get(application=approved)
        assert reminder.kind == ReminderKind.DEADLINE_SOON
        assert "网上缴费将于" in reminder.body


class RecordingChannel:
    key = "recording"
    sent: list[int] = []

    def send(self, reminder):
        RecordingChannel.sent.append(reminder.pk)
        return Sent(True, "ok")


class FlakyChannel:
    key = "flaky"
    calls = 0

    def send(self, reminder):
        FlakyChannel.calls += 1
        if FlakyChannel.calls == 1:
            raise ConnectionRefusedError("gateway down")
        return Sent(True, "ok")


class TestChannels:
    def test_channels_come_from_the_setting_and_each_sends_once(
        self, world, settings, django_capture_on_commit_callbacks
    ):
        settings.REMINDER_CHANNELS = ["review.channels.EmailChannel", "tests.review.test_reminders.RecordingChannel"]
        RecordingChannel.sent = []
        application = world.make_application(status="draft")
        remind_at(world.exam.confirmation_deadline - datetime.timedelta(hours=1), django_capture_on_commit_callbacks)
        reminder = Reminder.objects.get(application=application)

        from review.tasks import deliver_reminders

        deliver_reminders.delay([reminder.pk])

        assert RecordingChannel.sent == [reminder.pk]
        assert len(mail.outbox) == 1
        assert set(ReminderDelivery.objects.values_list("channel", "status")) == {
            ("email", DeliveryStatus.SENT),
            ("recording", DeliveryStatus.SENT),
        }

    def test_a_transient_failure_is_retried_by_the_worker(self, world, settings, django_capture_on_commit_callbacks):
        # Eager tasks that propagate errors cannot retry; a worker does, and so does eager mode without it.
        settings.REMINDER_CHANNELS = ["tests.review.test_reminders.FlakyChannel"]
        FlakyChannel.calls = 0
        application = world.make_application(status="draft")
        propagates = celery_app.conf.task_eager_propagates
        celery_app.conf.task_eager_propagates = False
        try:
            remind_at(
                world.exam.confirmation_deadline - datetime.timedelta(hours=1), django_capture_on_commit_callbacks
            )
        finally:
            celery_app.conf.task_eager_propagates = propagates

        delivery = ReminderDelivery.objects.get(reminder__application=application)
        assert (FlakyChannel.calls, delivery.status, delivery.attempts) == (2, DeliveryStatus.SENT, 1)

    def test_no_address_means_skipped_not_failed(self, world, django_capture_on_commit_callbacks):
        application = world.make_application(status="draft", candidate=make_candidate(email=""), email="")
        remind_at(world.exam.confirmation_deadline - datetime.timedelta(hours=1), django_capture_on_commit_callbacks)

        delivery = ReminderDelivery.objects.get(reminder__application=application)
        assert (delivery.status, delivery.detail) == (DeliveryStatus.SKIPPED, "考生没有填写电子邮箱。")
        assert mail.outbox == []


class TestCandidateSees:
    @pytest.fixture
    def to_dos(self, world, django_capture_on_commit_callbacks):
        candidate = make_candidate()
        application = world.make_application(status="submitted", candidate=candidate)
        with django_capture_on_commit_callbacks(execute=True):
            from review.services.decisions import application_reject

            application_reject(
                application_id=application.pk, actor=world.staff["sh_point"], reasons=["other"], note="请补充合同"
            )
        other = world.make_application(status="submitted")
        with django_capture_on_commit_callbacks(execute=True):
            application_reject(application_id=other.pk, actor=world.staff["sh_point"], reasons=["other"], note="别人的")
        return candidate, Reminder.objects.get(application=application)

    def test_the_api_lists_only_their_own_open_first(self, to_dos):
        candidate, reminder = to_dos
        body = token_client(candidate).get("/api/v1/me/reminders/").json()
        assert body["count"] == 1
        row = body["results"][0]
        assert (row["id"], row["kind"], row["open"], row["application"]) == (
            reminder.pk,
            "confirmation_rejected",
            True,
            reminder.application_id,
        )

    def test_the_candidate_marks_a_to_do_handled_and_not_anothers(self, world, to_dos):
        candidate, reminder = to_dos
        own = token_client(candidate)
        other = Reminder.objects.exclude(pk=reminder.pk).get()
        assert own.post(f"/api/v1/me/reminders/{other.pk}/close/").status_code == 404
        closed = own.post(f"/api/v1/me/reminders/{reminder.pk}/close/")
        assert (closed.status_code, closed.json()["open"]) == (200, False)

    def test_the_page_shows_the_to_do_and_closes_it(self, client, to_dos):
        candidate, reminder = to_dos
        client.force_login(candidate)

        page = client.get(reverse("reminders")).content.decode()
        assert "报名确认不通过" in page and "其他：请补充合同" in page
        assert "别人的" not in page

        client.post(reverse("reminder-close", args=[reminder.pk]))
        reminder.refresh_from_db()
        assert reminder.closed_at is not None
        assert "目前没有待办事项" in client.get(reverse("reminders")).content.decode()

    def test_staff_and_strangers_do_not_get_the_page(self, client, world):
        assert client.get(reverse("reminders")).status_code == 302
        client.force_login(world.staff["sh_point"])
        assert client.get(reverse("reminders")).status_code == 403
        assert token_client(world.staff["sh_point"]).get("/api/v1/me/reminders/").status_code == 403
