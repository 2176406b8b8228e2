"""The sandbox provider: the in-project gateway, reached in-process; its notifications come over HTTP."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from payments.errors import GatewayRefused, NotificationRejected
from payments.providers.base import (
    NOT_FOUND,
    GatewayPayment,
    PaymentProvider,
    PaymentRequest,
    TradeState,
    parse_notification,
)
from payments.providers.signing import canonical, rsa2_verify
from payments_sandbox.services import (
    SandboxRefused,
    sandbox_app_default,
    sandbox_refund_made,
    sandbox_statement_csv,
    sandbox_trade_close,
    sandbox_trade_create,
    sandbox_trade_get,
    sandbox_trade_refund,
)


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    @property
    def app_id(self) -> str:
        return str(settings.PAYMENTS_SANDBOX_APP_ID)

    def create_payment(self, request: PaymentRequest) -> str:
        trade = sandbox_trade_create(
            app=sandbox_app_default(),
            out_trade_no=request.order_number,
            total_amount=request.amount,
            subject=request.subject,
            notify_url=request.notify_url,
            return_url=request.return_url,
            time_expire=request.expires_at,
        )
        return settings.PAYMENTS_PUBLIC_URL + reverse("sandbox-checkout", kwargs={"trade_no": trade.trade_no})

    def verify_notification(self, form: Mapping[str, str]) -> GatewayPayment:
        if form.get("sign_type") != "RSA2":
            raise NotificationRejected("sign_type is not RSA2")
        if not rsa2_verify(sandbox_app_default().gateway_public_key, canonical(form), form.get("sign", "")):
            raise NotificationRejected("bad signature")
        return parse_notification(form)

    def query(self, *, out_trade_no: str) -> TradeState:
        trade = sandbox_trade_get(app=sandbox_app_default(), out_trade_no=out_trade_no)
        if trade is None:
            return TradeState(
                out_trade_no=out_trade_no, trade_no="", trade_status=NOT_FOUND, total_amount=None, paid_at=None
            )
        return TradeState(
            out_trade_no=out_trade_no,
            trade_no=trade.trade_no,
            trade_status=trade.status,
            total_amount=trade.total_amount,
            paid_at=trade.paid_at,
        )

    def refund(self, *, out_trade_no: str, amount: Decimal, out_request_no: str, reason: str) -> None:
        try:
            sandbox_trade_refund(
                app=sandbox_app_default(), out_trade_no=out_trade_no, amount=amount, out_request_no=out_request_no
            )
        except SandboxRefused as refused:
            raise GatewayRefused(refused.message) from None

    def refund_done(self, *, out_trade_no: str, out_request_no: str) -> bool:
        trade = sandbox_trade_get(app=sandbox_app_default(), out_trade_no=out_trade_no)
        return trade is not None and sandbox_refund_made(trade=trade, out_request_no=out_request_no)

    def close(self, *, out_trade_no: str) -> None:
        sandbox_trade_close(app=sandbox_app_default(), out_trade_no=out_trade_no)

    def fetch_statement(self, *, day: datetime.date) -> bytes:
        return sandbox_statement_csv(app=sandbox_app_default(), day=day).encode()
