"""What every payment provider offers the portal, in the portal's own terms."""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from payments.errors import NotificationRejected

# Trade states in Alipay's words; only the two paid ones credit an order.
PAID_STATES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
NOT_FOUND = "NOT_FOUND"
AMOUNT_PATTERN = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
GATEWAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class PaymentRequest:
    order_number: str
    amount: Decimal
    subject: str
    expires_at: datetime.datetime
    notify_url: str
    return_url: str


@dataclass(frozen=True)
class GatewayPayment:
    """A verified notification: the gateway says trade ``trade_no`` of order ``out_trade_no`` is in this state."""

    app_id: str
    out_trade_no: str
    trade_no: str
    trade_status: str
    total_amount: Decimal
    paid_at: datetime.datetime | None


@dataclass(frozen=True)
class TradeState:
    """What a query answered; ``trade_status`` is ``NOT_FOUND`` when the gateway has no such trade."""

    out_trade_no: str
    trade_no: str
    trade_status: str
    total_amount: Decimal | None
    paid_at: datetime.datetime | None

    @property
    def paid(self) -> bool:
        return self.trade_status in PAID_STATES


def parse_amount(text: str) -> Decimal:
    """A yuan amount as gateways write it (``380.00``); anything else is refused."""
    if not AMOUNT_PATTERN.match(text or ""):
        raise ValueError(f"not an amount: {text!r}")
    return Decimal(text).quantize(Decimal("0.01"))


def parse_gateway_time(text: str) -> datetime.datetime | None:
    """Gateway times are Beijing time without an offset (``2026-03-01 10:20:30``)."""
    if not text:
        return None
    naive = datetime.datetime.strptime(text, GATEWAY_TIME_FORMAT)
    return timezone.make_aware(naive, timezone.get_default_timezone())


def format_gateway_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime(GATEWAY_TIME_FORMAT)


def parse_notification(form: Mapping[str, str]) -> GatewayPayment:
    """The fields of an Alipay-format notification whose signature has been checked."""
    try:
        missing = [
            name
            for name in ("app_id", "out_trade_no", "trade_no", "trade_status", "total_amount")
            if not form.get(name)
        ]
        if missing:
            raise NotificationRejected(f"missing fields: {', '.join(missing)}")
        return GatewayPayment(
            app_id=form["app_id"],
            out_trade_no=form["out_trade_no"],
            trade_no=form["trade_no"],
            trade_status=form["trade_status"],
            total_amount=parse_amount(form["total_amount"]),
            paid_at=parse_gateway_time(form.get("gmt_payment", "")),
        )
    except ValueError as error:
        raise NotificationRejected(str(error)) from None


class PaymentProvider(ABC):
    """One gateway. Methods raise ``GatewayUnavailable`` when it cannot be reached (worth a retry),
    ``GatewayRefused`` when it answered no, and ``NotificationRejected`` for an untrustworthy notification."""

    name: str

    @property
    @abstractmethod
    def app_id(self) -> str: ...

    @abstractmethod
    def create_payment(self, request: PaymentRequest) -> str:
        """The URL the candidate's browser goes to, to pay."""

    @abstractmethod
    def verify_notification(self, form: Mapping[str, str]) -> GatewayPayment:
        """The notification's content, once its signature is shown to be the gateway's."""

    @abstractmethod
    def query(self, *, out_trade_no: str) -> TradeState: ...

    @abstractmethod
    def refund(self, *, out_trade_no: str, amount: Decimal, out_request_no: str, reason: str) -> None:
        """Refunds ``amount`` of the trade; repeating the same ``out_request_no`` refunds once."""

    @abstractmethod
    def refund_done(self, *, out_trade_no: str, out_request_no: str) -> bool:
        """Whether the gateway made refund ``out_request_no`` of the trade (False: it never got it)."""

    @abstractmethod
    def close(self, *, out_trade_no: str) -> None:
        """Closes an unpaid trade so that it can no longer be paid."""

    @abstractmethod
    def fetch_statement(self, *, day: datetime.date) -> bytes:
        """The day's settlement statement, in the format the statement import reads for this provider."""
