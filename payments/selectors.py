"""Reads of the payments app: what an order would cost, a candidate's orders, finance's scoped lists."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import FeeMissing
from payments.models import (
    Discrepancy,
    DiscrepancyStatus,
    OnSiteFee,
    Order,
    OrderStatus,
    Payment,
    PaymentDisposition,
    Provider,
    Refund,
    RefundStatus,
    Statement,
    StatementStatus,
)
from registration.models import DistrictFee, Subject, User
from registration.models.application import Application, ApplicationStatus
from registration.scope import Area, area_filter, works_in
from wecan.errors import InvalidState


@dataclass(frozen=True)
class Quote:
    level: str
    specialty_code: str
    specialty_name: str
    subject_codes: list[str]
    subject_names: list[str]
    fee_per_subject: Decimal
    amount: Decimal
    # The same choices in the page's language; the order keeps the Chinese ones above.
    shown_level: str
    shown_specialty: str
    shown_subjects: list[str]


def order_quote(*, application: Application) -> Quote:
    """The fee: the selected subjects × the district's fee per subject for the specialty's level.

    ``InvalidState`` when no specialty or subject is chosen, ``FeeMissing`` when the district has no
    fee for the level.
    """
    specialty = application.specialty
    subjects = list(Subject.objects.filter(pk__in=application.subjects.values("pk")).order_by("code"))
    if specialty is None or not subjects:
        raise InvalidState(_("报考专业或科目尚未选择，不能缴费。"))
    fee = DistrictFee.objects.filter(district_id=application.district_id, level=specialty.level).first()
    if fee is None:
        raise FeeMissing()
    return Quote(
        level=specialty.level,
        specialty_code=specialty.code,
        specialty_name=specialty.name,
        subject_codes=[subject.code for subject in subjects],
        subject_names=[subject.name for subject in subjects],
        fee_per_subject=fee.fee_per_subject,
        amount=(fee.fee_per_subject * len(subjects)).quantize(Decimal("0.01")),
        shown_level=specialty.shown_level,
        shown_specialty=specialty.shown_name,
        shown_subjects=[subject.shown_name for subject in subjects],
    )


def order_shown_status(order: Order, *, now: datetime.datetime | None = None) -> str:
    """The status to show: a pending order past its expiry is ``expired`` before any sweep marks it."""
    if order.status == OrderStatus.PENDING and order.expires_at <= (now or timezone.now()):
        return OrderStatus.EXPIRED.value
    return order.status


def order_latest(*, application: Application) -> Order | None:
    """The application's most recent order: the one the candidate sees."""
    return Order.objects.filter(application=application).order_by("-created_at", "-id").first()


def orders_pending_to_query(*, older_than: datetime.datetime, limit: int = 1000) -> list[int]:
    return list(
        Order.objects.filter(status=OrderStatus.PENDING, created_at__lte=older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def unpaid_past_deadline_id_chunks(*, now: datetime.datetime, chunk_size: int = 500) -> Iterator[list[int]]:
    """Ids of approved applications in online-payment districts whose payment window has closed with no
    order pending, ``chunk_size`` at a time (keyset pagination)."""
    unpaid = Application.objects.filter(
        status=ApplicationStatus.APPROVED, district__online_payment=True, exam__payment_closes__lte=now
    ).exclude(orders__status=OrderStatus.PENDING)
    last = 0
    while True:
        ids = list(unpaid.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def statements_stalled(*, now: datetime.datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of statement imports cut short: waiting or importing with no progress for
    PAYMENTS_STATEMENT_STALL_MINUTES (their task was lost, or its worker killed)."""
    before = (now or timezone.now()) - datetime.timedelta(minutes=settings.PAYMENTS_STATEMENT_STALL_MINUTES)
    return list(
        Statement.objects.filter(status__in=[StatementStatus.PENDING, StatementStatus.IMPORTING])
        .filter(Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, created_at__lt=before))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def refunds_stale(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of refunds still waiting for the gateway's answer longer than any gateway call can take."""
    older_than = (now or timezone.now()) - datetime.timedelta(minutes=settings.PAYMENTS_REFUND_SETTLE_AFTER_MINUTES)
    return list(
        Refund.objects.filter(status=RefundStatus.REQUESTED, created_at__lte=older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def is_finance_user(user: User) -> bool:
    """Finance staff and administrators: those who look at orders and payments."""
    return works_in(user, Area.FINANCE)


def orders_in_scope(*, user: User) -> QuerySet[Order]:
    """Orders of the finance user's district (all for administrators, none for anyone else)."""
    return (
        Order.objects.select_related("application__candidate", "district__exam")
        .filter(area_filter(user, Area.FINANCE))
    )


def payments_in_scope(*, user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(order__in=orders_in_scope(user=user)).select_related("order")


def statements_in_scope(*, user: User) -> QuerySet[Statement]:
    return Statement.objects.select_related("district__exam").filter(area_filter(user, Area.FINANCE))


def discrepancies_in_scope(*, user: User) -> QuerySet[Discrepancy]:
    return Discrepancy.objects.select_related("district__exam", "order").filter(area_filter(user, Area.FINANCE))


def statements_importing(*, user: User, limit: int = 5) -> list[Statement]:
    """Statements in scope still being imported, oldest first, for their progress on the home page."""
    importing = statements_in_scope(user=user).filter(status__in=[StatementStatus.PENDING, StatementStatus.IMPORTING])
    return list(importing.order_by("created_at", "pk")[:limit])


@dataclass(frozen=True)
class OpenDiscrepancies:
    count: int
    oldest: datetime.datetime | None


def open_discrepancies(*, user: User) -> OpenDiscrepancies:
    """How many discrepancies in scope still wait for finance (open or awaiting approval), since when."""
    waiting = (
        discrepancies_in_scope(user=user)
        .exclude(status=DiscrepancyStatus.RESOLVED)
        .aggregate(count=Count("pk"), oldest=Min("created_at"))
    )
    return OpenDiscrepancies(count=waiting["count"], oldest=waiting["oldest"])


@dataclass(frozen=True)
class DailyTotal:
    day: datetime.date
    exam: str
    district: str
    channel: str  # the payment provider's name (沙箱支付, 支付宝), or 现场缴费 for fees paid on site
    payments: int
    amount: Decimal


def daily_totals(
    *, user: User, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[DailyTotal]:
    """Credited payments per day (Beijing time), exam, district and channel in the user's scope, oldest
    first; fees paid on site (recorded at confirmation) are their own channel."""
    zone = timezone.get_default_timezone()
    payments = payments_in_scope(user=user).filter(disposition=PaymentDisposition.CREDITED)
    fees = onsite_fees_in_scope(user=user)
    if start:
        payments = payments.filter(paid_at__date__gte=start)
        fees = fees.filter(recorded_at__date__gte=start)
    if end:
        payments = payments.filter(paid_at__date__lte=end)
        fees = fees.filter(recorded_at__date__lte=end)
    online = (
        payments.annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day", "order__district__exam__name", "order__district__name", "provider")
        .annotate(count=Count("pk"), total=Sum("amount"))
    )
    on_site = (
        fees.annotate(day=TruncDate("recorded_at", tzinfo=zone))
        .values("day", "district__exam__name", "district__name")
        .annotate(count=Count("pk"), total=Sum("amount"))
    )
    totals = [
        DailyTotal(
            day=row["day"],
            exam=row["order__district__exam__name"],
            district=row["order__district__name"],
            channel=str(Provider(row["provider"]).label),
            payments=row["count"],
            amount=Decimal(row["total"] or 0).quantize(Decimal("0.01")),
        )
        for row in online
    ] + [
        DailyTotal(
            day=row["day"],
            exam=row["district__exam__name"],
            district=row["district__name"],
            channel=_("现场缴费"),
            payments=row["count"],
            amount=Decimal(row["total"] or 0).quantize(Decimal("0.01")),
        )
        for row in on_site
    ]
    return sorted(totals, key=lambda row: (row.day, row.exam, row.district, row.channel))


def onsite_fees_in_scope(*, user: User) -> QuerySet[OnSiteFee]:
    """Fees paid on site in the finance user's district (all for administrators, none for anyone else)."""
    return OnSiteFee.objects.select_related("application", "district", "recorded_by").filter(
        area_filter(user, Area.FINANCE)
    )
