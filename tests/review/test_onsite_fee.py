"""The fee paid on site (现场缴费): where the district takes no online payment, the staff member who
confirms records it, with the receipt's number, in the confirmation itself.

Seed 003 line 761: "步骤 2 携带相关材料现场确认。未实行网上缴费的考区考生现场缴费。"
Seed 002 line 47: "未开通网上缴费的考区,【资格审核】节点变为绿色即表示报名成功。"
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from payments.models import OnSiteFee
from registration.models import Application, DistrictFee
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
