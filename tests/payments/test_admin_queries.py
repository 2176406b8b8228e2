"""Finance's lists run the same number of queries whatever the number of rows (no query per row)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments.models import Discrepancy, DiscrepancyKind, DiscrepancyStatus, Statement
from registration.choices import Role
from registration.services.staff import staff_user_upsert
from tests.payments.conftest import new_order, post_notification, signed_notification

pytestmark = pytest.mark.django_db

LISTS = [
    "/admin/payments/order/",
    "/admin/payments/payment/",
    "/admin/payments/statement/",
    "/admin/payments/discrepancy/",
]
_files = itertools.count()


@pytest.fixture
def administrator_client(client, db):
    # An administrator sees every district: the district column and filter are on every list.
    client.force_login(staff_user_upsert(username="boss", role=Role.ADMINISTRATOR, scope=None, password="x-pass-2026"))
    return client


def add_rows(district, specialty, count: int) -> None:
    """``count`` paid orders in ``district``, each with a duplicate payment (a discrepancy) and a statement."""
    for _ in range(count):
        order = new_order(district, specialty)
        post_notification(signed_notification(order))
        post_notification(signed_notification(order, trade_no=f"T-DUP-{order.pk}"))
        Statement.objects.create(district=district, provider="sandbox", sha256=f"{next(_files):064d}")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_a_finance_list_runs_a_constant_number_of_queries(
    administrator_client, url, district, other_district, specialty, subjects, django_assert_max_num_queries
):
    add_rows(district, specialty, 1)
    add_rows(other_district, specialty, 1)
    few = queries(administrator_client, url)

    add_rows(district, specialty, 3)
    add_rows(other_district, specialty, 2)

    with django_assert_max_num_queries(few):
        assert administrator_client.get(url).status_code == 200


def test_open_discrepancies_come_first_oldest_first(administrator_client, district, specialty, subjects):
    def discrepancy(number: str, status: str) -> Discrepancy:
        resolved = status == DiscrepancyStatus.RESOLVED
        return Discrepancy.objects.create(
            district=district,
            kind=DiscrepancyKind.MISSING_HERE,
            order_number=number,
            gateway_trade_no=f"T-{number}",
            status=status,
            note="已核实" if resolved else "",
            resolved_at=timezone.now() if resolved else None,
        )

    resolved = discrepancy("R-1", DiscrepancyStatus.RESOLVED)
    first_open = discrepancy("O-1", DiscrepancyStatus.OPEN)
    second_open = discrepancy("O-2", DiscrepancyStatus.OPEN)

    listed = list(administrator_client.get("/admin/payments/discrepancy/").context["cl"].result_list)

    assert listed == [first_open, second_open, resolved]
