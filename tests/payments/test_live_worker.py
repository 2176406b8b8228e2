"""On a live Celery worker: the statement import job, and the sandbox's notification delivered by a worker."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payments.models import Order, OrderStatus
from payments_sandbox.services import sandbox_app_default, sandbox_trade_pay
from tests.payments.conftest import new_order, post_notification, sandbox_statement, signed_notification, token_client

pytestmark = pytest.mark.live_worker
WAIT_SECONDS = 60


def wait_for(check):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_a_statement_is_imported_by_the_worker(district, specialty, subjects, finance):
    paid, recovered = new_order(district, specialty), new_order(district, specialty)
    assert post_notification(signed_notification(paid, trade_no="T1")) == (200, "success")
    # Paid at the gateway, its notification lost (nothing listens at http://testserver).
    trade_no = sandbox_trade_pay(app=sandbox_app_default(), out_trade_no=recovered.number).trade_no
    now = timezone.localtime().isoformat()
    content = sandbox_statement(
        [("T1", paid.number, "payment", "380.00", now), (trade_no, recovered.number, "payment", "380.00", now)]
    )
    client = token_client(finance)

    created = client.post(
        "/api/v1/finance/statements/",
        {"provider": "sandbox", "file": SimpleUploadedFile("s.csv", content)},
        format="multipart",
    )
    assert created.status_code == 201
    assert created.json()["status"] in {"pending", "importing", "done"}

    body = wait_for(
        lambda: (
            response.json()
            if (response := client.get(f"/api/v1/finance/statements/{created.json()['id']}/")).json()["status"]
            == "done"
            else None
        )
    )
    assert (body["lines"], body["matched"], body["missing_here"], body["recovered"], body["progress"]) == (
        2,
        1,
        1,
        1,
        100,
    )
    assert Order.objects.get(pk=recovered.pk).status == OrderStatus.PAID
