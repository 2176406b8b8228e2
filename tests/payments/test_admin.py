"""Finance's admin screens: scoped lists, refund and resolve actions, statement upload, daily totals exports."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from payments.models import Discrepancy, Order, OrderStatus, Statement
from registration.choices import Role
from registration.models.application import Application, ApplicationStatus
from registration.services.staff import staff_user_upsert
from tests.payments.conftest import new_order, post_notification, sandbox_statement, signed_notification


@pytest.fixture
def admin_client(client, finance):
    client.force_login(finance)
    return client


def test_finance_lists_only_their_districts_orders(admin_client, district, other_district, specialty, subjects):
    mine, theirs = new_order(district, specialty), new_order(other_district, specialty)

    page = admin_client.get("/admin/payments/order/").content.decode()

    assert mine.number in page
    assert theirs.number not in page
    assert admin_client.get(f"/admin/payments/order/{theirs.pk}/change/").status_code == 302  # "not found" redirect


def test_other_staff_do_not_get_the_finance_screens(client, district):
    reviewer = staff_user_upsert(
        username="sh_district", role=Role.DISTRICT_REVIEWER, scope=district, password="staff-pass-2026"
    )
    client.force_login(reviewer)
    assert client.get("/admin/payments/order/").status_code == 403
    assert client.get("/admin/payments/order/daily-totals/").status_code == 403


def test_refund_action_refunds_through_the_provider(admin_client, order, pay_at_sandbox):
    pay_at_sandbox(order)

    confirm = admin_client.post("/admin/payments/order/", {"action": "refund", "_selected_action": [order.pk]})
    assert "退费" in confirm.content.decode()
    done = admin_client.post(
        "/admin/payments/order/", {"action": "refund", "_selected_action": [order.pk], "apply": "1", "note": "考生申请"}
    )

    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.REFUNDED


def test_resolve_action_closes_discrepancies_with_the_note(admin_client, order):
    post_notification(signed_notification(order))
    post_notification(signed_notification(order, trade_no="T-DUP"))
    discrepancy = Discrepancy.objects.get()

    admin_client.post(
        "/admin/payments/discrepancy/",
        {"action": "resolve", "_selected_action": [discrepancy.pk], "apply": "1", "note": "已原路退回"},
    )

    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.note) == ("resolved", "已原路退回")


def test_refunding_a_duplicate_payment_resolves_its_discrepancy(admin_client, order, pay_at_sandbox):
    from payments.models import Payment

    pay_at_sandbox(order)
    post_notification(signed_notification(order, trade_no="T-DUP"))
    duplicate = Payment.objects.get(trade_no="T-DUP")
    # The sandbox knows one trade per order; the duplicate is refunded out of the order's trade amount.
    admin_client.post(
        "/admin/payments/payment/",
        {"action": "refund_payment", "_selected_action": [duplicate.pk], "apply": "1", "note": "重复支付退回"},
    )

    duplicate.refresh_from_db()
    assert duplicate.refunded_at is not None
    assert Discrepancy.objects.get().status == "resolved"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_statement_upload_in_the_admin_imports_it(admin_client, order, django_capture_on_commit_callbacks):
    post_notification(signed_notification(order, trade_no="T1"))
    content = sandbox_statement([("T1", order.number, "payment", "380.00", timezone.localtime().isoformat())])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/payments/statement/add/", {"provider": "sandbox", "file": SimpleUploadedFile("s.csv", content)}
        )

    statement = Statement.objects.get()
    assert response["Location"] == f"/admin/payments/statement/{statement.pk}/change/"
    statement.refresh_from_db()
    assert (statement.status, statement.matched) == ("done", 1)
    assert "一致" in admin_client.get(response["Location"]).content.decode()


def test_daily_totals_show_and_export_per_channel_as_csv_and_xlsx(admin_client, order, district):
    post_notification(signed_notification(order))

    page = admin_client.get("/admin/payments/order/daily-totals/").content.decode()
    assert "<svg" in page and "380.00" in page and district.name in page

    csv_text = admin_client.get("/admin/payments/order/daily-totals/?export=csv").content.decode("utf-8-sig")
    assert (
        csv_text.splitlines()[1]
        == f"{timezone.localdate().isoformat()},{district.exam.name},{district.name},沙箱支付,1,380.00"
    )

    workbook = load_workbook(io.BytesIO(admin_client.get("/admin/payments/order/daily-totals/?export=xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][2:] == (district.name, "沙箱支付", 1, 380)


def test_daily_totals_leave_out_other_districts(client, order, other_finance):
    post_notification(signed_notification(order))
    client.force_login(other_finance)

    csv_text = client.get("/admin/payments/order/daily-totals/?export=csv").content.decode("utf-8-sig")

    assert len(csv_text.splitlines()) == 1


def test_daily_totals_exports_write_formulas_as_text(admin_client, order, district):
    """OWASP CSV injection: a district named like a formula is text in both exports."""
    District = type(district)
    District.objects.filter(pk=district.pk).update(name='=HYPERLINK("http://evil.example","x")')
    post_notification(signed_notification(order))

    csv_text = admin_client.get("/admin/payments/order/daily-totals/?export=csv").content.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(admin_client.get("/admin/payments/order/daily-totals/?export=xlsx").content))

    assert next(csv.reader(csv_text.splitlines()[1:]))[2] == '\'=HYPERLINK("http://evil.example","x")'
    cell = next(iter(workbook.active.iter_rows(min_row=2, max_row=2)))[2]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("http://evil.example","x")')


def test_the_order_page_tells_its_history_in_words(admin_client, order):
    post_notification(signed_notification(order))

    page = admin_client.get(f"/admin/payments/order/{order.pk}/change/").content.decode()

    assert "创建订单" in page and "入账" in page
    assert ">created<" not in page and ">credited<" not in page
