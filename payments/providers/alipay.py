"""The Alipay provider: page pay, notification verification, query, refund, close and the daily
bill, through python-alipay-sdk with the keys from the environment."""

from __future__ import annotations

import binascii
import datetime
import io
import json
import logging
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from django.conf import settings

from payments.errors import GatewayMisconfigured, GatewayRefused, GatewayUnavailable, NotificationRejected
from payments.providers.base import (
    NOT_FOUND,
    GatewayPayment,
    PaymentProvider,
    PaymentRequest,
    TradeState,
    format_gateway_time,
    parse_amount,
    parse_gateway_time,
    parse_notification,
)

logger = logging.getLogger(__name__)

SUCCESS = "10000"
# What the SDK raises for keys it cannot load or use (PyCryptodome's and base64's errors).
_SDK_ERRORS = (ValueError, TypeError, IndexError, binascii.Error)
# The general-purpose flag bit that says a zip member's name is UTF-8.
_UTF8_NAME = 0x800
TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"


class _Client(AliPay):
    """The SDK's client, sending to the gateway address of the settings (Alipay's, or a sandbox)."""

    def __init__(self, *, gateway: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gateway = gateway


class AlipayProvider(PaymentProvider):
    name = "alipay"

    def __init__(self) -> None:
        try:
            self._client = _Client(
                gateway=settings.ALIPAY_GATEWAY_URL,
                appid=settings.ALIPAY_APP_ID,
                app_private_key_string=settings.ALIPAY_APP_PRIVATE_KEY,
                alipay_public_key_string=settings.ALIPAY_PUBLIC_KEY,
                sign_type="RSA2",
                config=AliPayConfig(timeout=settings.ALIPAY_TIMEOUT_SECONDS),
            )
        except _SDK_ERRORS as error:
            logger.error("Alipay SDK refused its configuration: %s", error)
            raise GatewayMisconfigured() from error

    @property
    def app_id(self) -> str:
        return str(settings.ALIPAY_APP_ID)

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """A server API call; transport failures and unsigned or forged answers are ``GatewayUnavailable``."""
        try:
            response: dict[str, Any] = getattr(self._client, method)(**kwargs)
        except (AliPayException, AliPayValidationError, OSError, *_SDK_ERRORS) as error:
            raise GatewayUnavailable() from error
        return response

    def create_payment(self, request: PaymentRequest) -> str:
        try:
            query = self._client.api_alipay_trade_page_pay(
                subject=request.subject,
                out_trade_no=request.order_number,
                total_amount=f"{request.amount:.2f}",
                return_url=request.return_url,
                notify_url=request.notify_url,
                time_expire=format_gateway_time(request.expires_at),
            )
        except _SDK_ERRORS as error:
            logger.error("Alipay SDK could not sign the payment request: %s", error)
            raise GatewayMisconfigured() from error
        return f"{settings.ALIPAY_GATEWAY_URL}?{query}"

    def verify_notification(self, form: Mapping[str, str]) -> GatewayPayment:
        signature = form.get("sign", "")
        if not signature or form.get("sign_type") != "RSA2":
            raise NotificationRejected("unsigned, or sign_type is not RSA2")
        # Alipay signs the non-empty fields other than sign and sign_type.
        data = {key: value for key, value in form.items() if key != "sign" and value != ""}
        try:
            verified = self._client.verify(data, signature)
        except (AliPayException, ValueError, binascii.Error):
            verified = False
        if not verified:
            raise NotificationRejected("bad signature")
        return parse_notification(form)

    def query(self, *, out_trade_no: str) -> TradeState:
        response = self._call("api_alipay_trade_query", out_trade_no=out_trade_no)
        if response.get("code") != SUCCESS:
            if response.get("sub_code") == TRADE_NOT_EXIST:
                return TradeState(out_trade_no, "", NOT_FOUND, None, None)
            raise GatewayUnavailable()
        try:
            return TradeState(
                out_trade_no=out_trade_no,
                trade_no=str(response["trade_no"]),
                trade_status=str(response["trade_status"]),
                total_amount=parse_amount(str(response["total_amount"])),
                paid_at=parse_gateway_time(str(response.get("send_pay_date", ""))),
            )
        except (KeyError, ValueError) as error:
            raise GatewayUnavailable() from error

    def refund(self, *, out_trade_no: str, amount: Decimal, out_request_no: str, reason: str) -> None:
        response = self._call(
            "api_alipay_trade_refund",
            refund_amount=f"{amount:.2f}",
            out_trade_no=out_trade_no,
            out_request_no=out_request_no,
            refund_reason=reason[:100],
        )
        if response.get("code") != SUCCESS:
            raise GatewayRefused(str(response.get("sub_msg") or response.get("msg") or GatewayRefused.default_message))

    def refund_done(self, *, out_trade_no: str, out_request_no: str) -> bool:
        response = self._call(
            "api_alipay_trade_fastpay_refund_query", out_request_no=out_request_no, out_trade_no=out_trade_no
        )
        if response.get("code") != SUCCESS:
            if response.get("sub_code") == TRADE_NOT_EXIST:
                return False
            raise GatewayUnavailable()
        # Alipay answers 10000 without refund_amount when it has no such refund request.
        status = response.get("refund_status", "REFUND_SUCCESS")
        return bool(response.get("refund_amount")) and status == "REFUND_SUCCESS"

    def close(self, *, out_trade_no: str) -> None:
        response = self._call("api_alipay_trade_close", out_trade_no=out_trade_no)
        if response.get("code") != SUCCESS and response.get("sub_code") != TRADE_NOT_EXIST:
            raise GatewayRefused(str(response.get("sub_msg") or response.get("msg") or GatewayRefused.default_message))

    def fetch_statement(self, *, day: datetime.date) -> bytes:
        """The day's 业务明细 CSV (GBK) out of the bill archive Alipay offers for download."""
        response = self._call(
            "server_api",
            api_name="alipay.data.dataservice.bill.downloadurl.query",
            biz_content={"bill_type": "trade", "bill_date": day.isoformat()},
        )
        url = str(response.get("bill_download_url", ""))
        if response.get("code") != SUCCESS or urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise GatewayRefused(str(response.get("sub_msg") or response.get("msg") or GatewayRefused.default_message))
        try:
            with urllib.request.urlopen(url, timeout=settings.ALIPAY_TIMEOUT_SECONDS) as download:  # noqa: S310 - scheme checked
                return bill_details(download.read())
        except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
            raise GatewayUnavailable() from error


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: Alipay writes GBK names without the UTF-8 flag, which zipfile reads as cp437."""
    if info.flag_bits & _UTF8_NAME:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except UnicodeError:
        return info.filename


def bill_details(archive_bytes: bytes) -> bytes:
    """The 业务明细 CSV (GBK, as Alipay writes it) out of a bill archive, leaving its 汇总 beside it.

    ``zipfile.BadZipFile`` for what is not a zip, ``KeyError`` when no member is the details file.
    """
    archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
    for info in archive.infolist():
        if _member_name(info).endswith("业务明细.csv"):
            return archive.read(info)
    raise KeyError("业务明细.csv")
