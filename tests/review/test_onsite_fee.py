"""The fee paid on site (现场缴费): where the district takes no online payment, the staff member who
confirms records it, with the receipt's number, in the confirmation itself.

Seed 003 line 761: "步骤 2 携带相关材料现场确认。未实行网上缴费的考区考生现场缴费。"
Seed 002 line 47: "未开通网上缴费的考区,【资格审核】节点变为绿色即表示报名成功。"
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from payments.models import OnSiteFee
from registration.models import Application, DistrictFee
from review.models import Job, JobStatus
from tests.review.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db

BY_CODE = "/api/v1/staff/confirm-by-code/"


@pytest.fixture
def on_site(world):
    """Beijing collects its fees on site: 90 yuan a subject at the intermediate level."""
    world.bj.online_payment = False
    world.bj.save()
    DistrictFee.objects.create(district=world.bj, level="中级", fee_per_subject=Decimal("90.00"))
    return world.make_application(status="submitted", point=world.bj1)


def confirm(api_as, application, **body):
    return api_as("bj_point").post(f"/api/v1/staff/applications/{application.pk}/confirm/", body, format="json")


def test_confirming_records_the_fee_from_the_fee_table_with_the_receipt(world, api_as, on_site):
    response = confirm(api_as, on_site, fee_receipt_number="BJ-2026-000123")

    assert response.status_code == 200, response.json()
    assert Application.objects.get(pk=on_site.pk).status == "confirmed"
    fee = OnSiteFee.objects.get()
    assert (fee.application, fee.receipt_number, fee.amount, fee.recorded_by) == (
        on_site,
        "BJ-2026-000123",
        Decimal("360.00"),
        world.staff["bj_point"],
    )
    assert (fee.subject_codes, fee.fee_per_subject) == (["1", "2", "3", "4"], Decimal("90.00"))


def test_without_a_receipt_nothing_is_confirmed(api_as, on_site):
    response = confirm(api_as, on_site)

    assert response.status_code == 400
    assert "fee_receipt_number" in response.json()["fields"]
    assert Application.objects.get(pk=on_site.pk).status == "submitted"
    assert not OnSiteFee.objects.exists()


def test_a_bad_or_reused_receipt_number_is_refused(world, api_as, on_site):
    assert confirm(api_as, on_site, fee_receipt_number="<script>").status_code == 400
    assert confirm(api_as, on_site, fee_receipt_number="x" * 41).status_code == 400
    assert confirm(api_as, on_site, fee_receipt_number="R1").status_code == 200
    second = world.make_application(status="submitted", point=world.bj1)

    answer = confirm(api_as, second, fee_receipt_number="R1")

    assert answer.status_code == 400
    assert "已在本考区使用过" in answer.json()["fields"]["fee_receipt_number"][0]
    assert Application.objects.get(pk=second.pk).status == "submitted"


def test_confirming_by_code_records_the_fee_too(world, api_as, on_site):
    body = {"number": on_site.number, "verification_code": on_site.verification_code}
    assert api_as("bj_point").post(BY_CODE, body, format="json").status_code == 400

    response = api_as("bj_point").post(BY_CODE, {**body, "fee_receipt_number": "R-77"}, format="json")

    assert response.status_code == 200, response.json()
    assert OnSiteFee.objects.get().receipt_number == "R-77"


def test_a_district_that_takes_fees_online_records_no_fee(world, api_as):
    application = world.make_application(status="submitted", point=world.bj1)

    assert confirm(api_as, application).status_code == 200
    assert not OnSiteFee.objects.exists()


def test_the_fee_is_its_own_channel_in_finance_daily_totals(world, api_as, on_site):
    from registration.choices import Role
    from registration.services.staff import staff_user_upsert

    confirm(api_as, on_site, fee_receipt_number="R1")
    finance = staff_user_upsert(username="bj_finance", role=Role.FINANCE, scope=world.bj, password=STAFF_PASSWORD)
    client = Client()
    client.force_login(finance)

    csv_text = client.get("/admin/payments/order/daily-totals/?export=csv").content.decode("utf-8-sig")

    assert csv_text.splitlines()[1].endswith(f"{world.bj.name},现场缴费,1,360.00")
    assert "R1" in client.get("/admin/payments/onsitefee/").content.decode()
    client.force_login(world.staff["sh_finance"])
    assert (
        len(client.get("/admin/payments/order/daily-totals/?export=csv").content.decode("utf-8-sig").splitlines()) == 1
    )


BULK = "/api/v1/staff/applications/bulk-confirm/"
CHANGELIST = "admin:registration_application_changelist"


@pytest.fixture
def two_more_on_site(world, on_site):
    return [on_site, world.make_application(status="submitted", point=world.bj1)]


def bulk_confirm(api_as, django_capture_on_commit_callbacks, body):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as("bj_point").post(BULK, body, format="json")
    return response


class TestBulkConfirmApi:
    def test_each_application_is_confirmed_with_its_own_receipt_and_one_without_fails_alone(
        self, world, api_as, two_more_on_site, django_capture_on_commit_callbacks
    ):
        """Seed 003 line 761: in a district without online payment the fee is paid at confirmation."""
        first, second = two_more_on_site
        body = {
            "applications": [first.pk, second.pk],
            "fee_receipts": [{"application": first.pk, "fee_receipt_number": "BJ-0001"}],
        }

        response = bulk_confirm(api_as, django_capture_on_commit_callbacks, body)

        assert response.status_code == 202, response.json()
        job = Job.objects.get()
        assert (job.status, job.succeeded, job.failed) == (JobStatus.DONE, 1, 1)
        assert job.errors == [
            {
                "application_id": second.pk,
                "number": second.number,
                "message": "本考区实行现场缴费：请收取报名费，并填写缴费收据号。",
            }
        ]
        fee = OnSiteFee.objects.get()
        assert (fee.application_id, fee.receipt_number, fee.amount) == (first.pk, "BJ-0001", Decimal("360.00"))
        assert fee.recorded_by == world.staff["bj_point"]
        assert Application.objects.get(pk=second.pk).status == "submitted"
        progress = api_as("bj_point").get(f"/api/v1/staff/jobs/{job.pk}/").json()
        assert progress["errors"][0]["number"] == second.number

    def test_a_malformed_or_reused_receipt_fails_its_line_with_why(
        self, world, api_as, two_more_on_site, django_capture_on_commit_callbacks
    ):
        first, second = two_more_on_site
        confirm(api_as, world.make_application(status="submitted", point=world.bj1), fee_receipt_number="USED-1")
        body = {
            "applications": [first.pk, second.pk],
            "fee_receipts": [
                {"application": first.pk, "fee_receipt_number": "=HYPERLINK(1)"},
                {"application": second.pk, "fee_receipt_number": "USED-1"},
            ],
        }

        bulk_confirm(api_as, django_capture_on_commit_callbacks, body)

        job = Job.objects.get()
        assert (job.succeeded, job.failed) == (0, 2)
        messages = {error["number"]: error["message"] for error in job.errors}
        assert messages == {
            first.number: "收据号只能包含字母、数字和“-”，最多40位。",
            second.number: "该收据号已在本考区使用过。",
        }
        assert OnSiteFee.objects.count() == 1

    def test_a_receipt_for_an_application_not_in_the_job_starts_nothing(
        self, api_as, two_more_on_site, django_capture_on_commit_callbacks
    ):
        first, other = two_more_on_site
        body = {"applications": [first.pk], "fee_receipts": [{"application": other.pk, "fee_receipt_number": "R1"}]}

        response = bulk_confirm(api_as, django_capture_on_commit_callbacks, body)

        assert response.status_code == 400
        assert response.json()["fields"]["fee_receipts"] == [f"收据号对应的报名信息不在本次确认之列：{other.number}。"]
        assert not Job.objects.exists()

    def test_one_receipt_number_given_twice_starts_nothing(
        self, api_as, two_more_on_site, django_capture_on_commit_callbacks
    ):
        first, second = two_more_on_site
        body = {
            "applications": [first.pk, second.pk],
            "fee_receipts": [
                {"application": first.pk, "fee_receipt_number": "R1"},
                {"application": second.pk, "fee_receipt_number": "R1"},
            ],
        }

        response = bulk_confirm(api_as, django_capture_on_commit_callbacks, body)

        assert response.status_code == 400
        assert response.json()["fields"]["fee_receipts"] == ["收据号R1填写了两次。"]
        assert not Job.objects.exists()

    @pytest.mark.parametrize(
        "fee_receipts",
        [
            [{"application": 1}],
            [{"application": 1, "fee_receipt_number": "x" * 41}],
            [{"application": 1, "fee_receipt_number": "R1", "amount": "1.00"}],
            ["R1"],
        ],
        ids=["no-receipt", "too-long", "amount-typed-by-staff", "not-an-object"],
    )
    def test_malformed_receipt_entries_are_400(self, api_as, on_site, fee_receipts):
        for entry in fee_receipts:
            if isinstance(entry, dict):
                entry["application"] = on_site.pk

        response = api_as("bj_point").post(
            BULK, {"applications": [on_site.pk], "fee_receipts": fee_receipts}, format="json"
        )

        assert response.status_code == 400
        assert [name.split(".")[0] for name in response.json()["fields"]] == ["fee_receipts"]
        assert not Job.objects.exists()


class TestAdmin:
    def test_bulk_confirm_asks_for_the_receipts_first_and_records_each_fee(
        self, world, client, two_more_on_site, django_capture_on_commit_callbacks
    ):
        """Seed 003 line 761: the admin's bulk confirmation takes a receipt per application paying on site."""
        first, second = two_more_on_site
        client.force_login(world.staff["bj_point"])
        selection = {"action": "bulk_confirm", "index": "0", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}

        page = client.post(reverse(CHANGELIST), selection)

        assert page.status_code == 200
        text = page.content.decode()
        assert "现场缴费收据号" in text and "网报号,收据号" in text
        assert f"{first.number},\n{second.number}," in text
        assert not Job.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(
                reverse(CHANGELIST),
                {**selection, "apply": "1", "fee_receipts": f"{first.number},BJ-01\n\n{second.number}，BJ-02\n"},
            )

        job = Job.objects.get()
        assert started["Location"] == reverse("admin:review_job_change", args=[job.pk])
        assert (job.succeeded, job.failed) == (2, 0)
        assert dict(OnSiteFee.objects.values_list("application_id", "receipt_number")) == {
            first.pk: "BJ-01",
            second.pk: "BJ-02",
        }

    def test_lines_that_cannot_be_read_are_named_and_start_nothing(self, world, client, two_more_on_site):
        first, second = two_more_on_site
        elsewhere = world.make_application(status="submitted", point=world.bj1)
        client.force_login(world.staff["bj_point"])
        selection = {"action": "bulk_confirm", "index": "0", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
        lines = f"{first.number},R1\n{second.number}\n{elsewhere.number},R3\n{first.number},R4"

        page = client.post(reverse(CHANGELIST), {**selection, "apply": "1", "fee_receipts": lines})

        text = page.content.decode()
        assert "第2行：应为“网报号,收据号”。" in text
        assert f"第3行：网报号{elsewhere.number}不在所选的报名信息中。" in text
        assert f"第4行：网报号{first.number}已填写过。" in text
        assert not Job.objects.exists()

    def test_a_selection_that_pays_online_starts_at_once(self, world, client, django_capture_on_commit_callbacks):
        application = world.make_application(status="submitted", point=world.bj1)
        client.force_login(world.staff["bj_point"])

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse(CHANGELIST), {"action": "bulk_confirm", "index": "0", ACTION_CHECKBOX_NAME: [application.pk]}
            )

        assert response.status_code == 302
        assert Job.objects.get().succeeded == 1

    def test_the_confirm_page_asks_for_the_receipt(self, world, client, on_site):
        client.force_login(world.staff["bj_point"])
        url = reverse("admin:registration_application_decide", args=[on_site.pk, "confirm"])

        assert "现场缴费收据号" in client.get(url).content.decode()
        refused = client.post(url, {})
        assert "请填写缴费收据号。" in refused.content.decode()
        assert Application.objects.get(pk=on_site.pk).status == "submitted"

        client.post(url, {"fee_receipt_number": "BJ-9"})

        assert Application.objects.get(pk=on_site.pk).status == "confirmed"
        assert OnSiteFee.objects.get().receipt_number == "BJ-9"

    def test_the_scanner_page_takes_the_receipt_with_the_scan(self, world, client, on_site):
        client.force_login(world.staff["bj_point"])
        url = reverse("admin:registration_application_confirm_by_code")
        scan = f"{on_site.number}{on_site.verification_code}"

        refused = client.post(url, {"scan": scan}).content.decode()
        assert "本考区实行现场缴费" in refused
        assert Application.objects.get(pk=on_site.pk).status == "submitted"

        confirmed = client.post(url, {"scan": scan, "fee_receipt_number": "BJ-10"}).content.decode()

        assert 'data-code="confirmed"' in confirmed
        assert OnSiteFee.objects.get().receipt_number == "BJ-10"
