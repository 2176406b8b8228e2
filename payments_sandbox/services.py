"""The sandbox gateway: trades, payment, query, refund, close, statements and signed notifications.

It plays the part of an outside gateway speaking Alipay's protocol, so it keeps to its own records
(``SandboxApp``, ``SandboxTrade``, ``SandboxNotification``) and never reads the portal's orders.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from payments.providers.base import format_gateway_time
from payments.providers.signing import generate_key_pair, sign_params
from payments_sandbox.models import SandboxApp, SandboxNotification, SandboxTrade, SandboxTradeStatus
from wecan.errors import PortalError

logger = logging.getLogger(__name__)

# Alipay re-sends an unanswered notification after these pauses: 8 deliveries in about 25 hours.
RETRY_DELAYS = [
    datetime.timedelta(minutes=4),
    datetime.timedelta(minutes=10),
    datetime.timedelta(minutes=10),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=15),
]
# A delivery in progress holds its notification this long; a worker that dies leaves it due again.
DELIVERY_CLAIM = datetime.timedelta(minutes=2)
DELIVERY_TIMEOUT_SECONDS = 10
STATEMENT_HEADER = ["trade_no", "out_trade_no", "trade_type", "amount", "finished_at"]
ALIPAY_STATEMENT_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
    "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
    "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
)


class SandboxRefused(PortalError):
    code = "sandbox_refused"
    status = status.HTTP_409_CONFLICT
    default_message = gettext_lazy("沙箱支付平台拒绝了此操作。")


def sandbox_app_default() -> SandboxApp:
    """The portal's own sandbox app, with key pairs generated on first use and shared by every process."""
    app = SandboxApp.objects.filter(app_id=settings.PAYMENTS_SANDBOX_APP_ID).first()
    if app is not None:
        return app
    merchant_private, merchant_public = generate_key_pair()
    gateway_private, gateway_public = generate_key_pair()
    try:
        with transaction.atomic():
            return SandboxApp.objects.create(
                app_id=settings.PAYMENTS_SANDBOX_APP_ID,
                merchant_public_key=merchant_public,
                merchant_private_key=merchant_private,
                gateway_private_key=gateway_private,
                gateway_public_key=gateway_public,
            )
    except IntegrityError:
        # Another process made it first: use theirs.
        return SandboxApp.objects.get(app_id=settings.PAYMENTS_SANDBOX_APP_ID)


def sandbox_app_register(*, app_id: str, merchant_public_key: str) -> SandboxApp:
    """Registers (or re-keys) a merchant app that speaks the Alipay protocol to the sandbox."""
    with transaction.atomic():
        app = SandboxApp.objects.select_for_update().filter(app_id=app_id).first()
        if app is None:
            gateway_private, gateway_public = generate_key_pair()
            app = SandboxApp(app_id=app_id, gateway_private_key=gateway_private, gateway_public_key=gateway_public)
        app.merchant_public_key = merchant_public_key
        app.full_clean()
        app.save()
    return app


def sandbox_app_get(*, app_id: str) -> SandboxApp | None:
    if app_id == settings.PAYMENTS_SANDBOX_APP_ID:
        return sandbox_app_default()
    return SandboxApp.objects.filter(app_id=app_id).first()


def _new_trade_no() -> str:
    # Alipay's shape: the date, a channel code, then digits.
    return f"{timezone.localdate():%Y%m%d}22001{secrets.randbelow(10**15):015d}"


def sandbox_trade_create(
    *,
    app: SandboxApp,
    out_trade_no: str,
    total_amount: Decimal,
    subject: str,
    notify_url: str,
    return_url: str,
    time_expire: datetime.datetime | None,
) -> SandboxTrade:
    """Opens the trade for ``out_trade_no`` (or returns the one already open with the same amount)."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(app=app, out_trade_no=out_trade_no).first()
        if trade is not None:
            if trade.total_amount != total_amount:
                raise SandboxRefused(_("同一商户订单号的金额不一致。"))
            return trade
        trade = SandboxTrade(
            app=app,
            out_trade_no=out_trade_no,
            trade_no=_new_trade_no(),
            subject=subject[:256],
            total_amount=total_amount,
            notify_url=notify_url,
            return_url=return_url,
            time_expire=time_expire,
        )
        trade.full_clean()
        trade.save()
    return trade


def sandbox_trade_get(*, app: SandboxApp, out_trade_no: str) -> SandboxTrade | None:
    return SandboxTrade.objects.filter(app=app, out_trade_no=out_trade_no).first()


def sandbox_trade_by_trade_no(*, trade_no: str) -> SandboxTrade | None:
    return SandboxTrade.objects.select_related("app").filter(trade_no=trade_no).first()


def notification_params(trade: SandboxTrade) -> dict[str, str]:
    """The fields of Alipay's asynchronous payment notification for ``trade`` (unsigned)."""
    amount = f"{trade.total_amount:.2f}"
    params = {
        "app_id": trade.app.app_id,
        "auth_app_id": trade.app.app_id,
        "charset": "utf-8",
        "version": "1.0",
        "notify_type": "trade_status_sync",
        "out_trade_no": trade.out_trade_no,
        "trade_no": trade.trade_no,
        "trade_status": trade.status,
        "total_amount": amount,
        "receipt_amount": amount,
        "invoice_amount": amount,
        "buyer_pay_amount": amount,
        "point_amount": "0.00",
        "subject": trade.subject,
        "buyer_id": "2088102177846880",
        "seller_id": "2088102177296610",
        "gmt_create": format_gateway_time(trade.created_at),
    }
    if trade.paid_at is not None:
        params["gmt_payment"] = format_gateway_time(trade.paid_at)
    return params


def sandbox_trade_pay(*, app: SandboxApp, out_trade_no: str) -> SandboxTrade:
    """Pays the trade as the buyer would, and owes its merchant a notification (sent on commit).

    Paying a paid trade changes nothing; a closed or timed-out trade is refused.
    """
    with transaction.atomic():
        trade = (
            SandboxTrade.objects.select_for_update()
            .select_related("app")
            .filter(app=app, out_trade_no=out_trade_no)
            .first()
        )
        if trade is None:
            raise SandboxRefused(_("交易不存在。"))
        if trade.status == SandboxTradeStatus.TRADE_SUCCESS:
            return trade
        now = timezone.now()
        if trade.status == SandboxTradeStatus.WAIT_BUYER_PAY and trade.time_expire and trade.time_expire <= now:
            # The timeout closes the trade for good, even though this payment is refused.
            trade.status = SandboxTradeStatus.TRADE_CLOSED
            trade.save(update_fields=["status"])
        closed = trade.status == SandboxTradeStatus.TRADE_CLOSED
        if not closed:
            trade.status = SandboxTradeStatus.TRADE_SUCCESS
            trade.paid_at = now
            trade.save(update_fields=["status", "paid_at"])
            if trade.notify_url:
                notification = SandboxNotification.objects.create(
                    trade=trade, notify_url=trade.notify_url, params=notification_params(trade), next_attempt_at=now
                )
                _deliver_on_commit(notification.pk)
    if closed:
        raise SandboxRefused(_("交易已超时关闭，不能付款。"))
    return trade


def _deliver_on_commit(notification_id: int) -> None:
    from payments_sandbox.tasks import sandbox_deliver_notification

    transaction.on_commit(lambda: sandbox_deliver_notification.delay(notification_id))


def sandbox_trade_close(*, app: SandboxApp, out_trade_no: str) -> SandboxTrade | None:
    """Closes an unpaid trade; a paid or unknown one is left as it is."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(app=app, out_trade_no=out_trade_no).first()
        if trade is not None and trade.status == SandboxTradeStatus.WAIT_BUYER_PAY:
            trade.status = SandboxTradeStatus.TRADE_CLOSED
            trade.save(update_fields=["status"])
    return trade


def sandbox_trade_refund(*, app: SandboxApp, out_trade_no: str, amount: Decimal, out_request_no: str) -> SandboxTrade:
    """Refunds part or all of a paid trade; the same ``out_request_no`` again refunds nothing more."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(app=app, out_trade_no=out_trade_no).first()
        if trade is None or trade.status != SandboxTradeStatus.TRADE_SUCCESS:
            raise SandboxRefused(_("交易不存在或未支付，不能退款。"))
        if any(request["out_request_no"] == out_request_no for request in trade.refund_requests):
            return trade
        if amount <= 0 or trade.refunded_amount + amount > trade.total_amount:
            raise SandboxRefused(_("退款金额超过可退金额。"))
        trade.refunded_amount += amount
        trade.refund_requests = [
            *trade.refund_requests,
            {"out_request_no": out_request_no, "amount": f"{amount:.2f}", "at": timezone.now().isoformat()},
        ]
        trade.save(update_fields=["refunded_amount", "refund_requests"])
    return trade


def sandbox_refund_made(*, trade: SandboxTrade, out_request_no: str) -> bool:
    return any(request["out_request_no"] == out_request_no for request in trade.refund_requests)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), zone)
    return start, start + datetime.timedelta(days=1)


def _statement_rows(app: SandboxApp, day: datetime.date) -> list[tuple[str, str, bool, Decimal, datetime.datetime]]:
    """(trade_no, out_trade_no, is_refund, amount, finished_at) of the day, payments then refunds."""
    start, end = _day_bounds(day)
    rows: list[tuple[str, str, bool, Decimal, datetime.datetime]] = []
    for trade in SandboxTrade.objects.filter(app=app, paid_at__gte=start, paid_at__lt=end).order_by("paid_at", "pk"):
        assert trade.paid_at is not None
        rows.append((trade.trade_no, trade.out_trade_no, False, trade.total_amount, trade.paid_at))
    for trade in SandboxTrade.objects.filter(app=app).exclude(refund_requests=[]).order_by("pk"):
        for request in trade.refund_requests:
            at = datetime.datetime.fromisoformat(request["at"])
            if start <= at < end:
                rows.append((trade.trade_no, trade.out_trade_no, True, Decimal(request["amount"]), at))
    return rows


def sandbox_statement_csv(*, app: SandboxApp, day: datetime.date) -> str:
    """The day's statement in the sandbox's own CSV (UTF-8): one line per payment and per refund."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_HEADER)
    for trade_no, out_trade_no, is_refund, amount, finished_at in _statement_rows(app, day):
        writer.writerow(
            [trade_no, out_trade_no, "refund" if is_refund else "payment", f"{amount:.2f}", finished_at.isoformat()]
        )
    return out.getvalue()


def sandbox_statement_alipay_csv(*, app: SandboxApp, day: datetime.date) -> bytes:
    """The day's statement as Alipay's 业务明细 CSV: GBK, comment lines, tab-padded values, totals."""
    lines = [
        "#支付宝业务明细查询",
        f"#账号：[{app.app_id}]",
        f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   "
        f"终止日期：[{day + datetime.timedelta(days=1):%Y年%m月%d日} 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        ALIPAY_STATEMENT_HEADER,
    ]
    payments = refunds = 0
    received = Decimal("0.00")
    for trade_no, out_trade_no, is_refund, amount, finished_at in _statement_rows(app, day):
        signed = -amount if is_refund else amount
        payments += not is_refund
        refunds += is_refund
        received += signed
        when = format_gateway_time(finished_at)
        cells = [trade_no, out_trade_no, "退款" if is_refund else "交易", "卫生专业技术资格考试报名费", when, when]
        cells += ["", "", "", "", "", f"{signed:.2f}", f"{signed:.2f}"] + ["0.00"] * 5 + ["", "0.00", "0.00"]
        cells += [out_trade_no + "R" if is_refund else "", "0.00", "0.00", ""]
        lines.append(",".join(f"{cell}\t" for cell in cells))
    lines += [
        "#-----------------------------------------业务明细列表结束------------------------------------",
        f"#交易合计：{payments}笔，商家实收共：{received:.2f}元，商家优惠共：0.00元",
        f"#退款合计：{refunds}笔",
        f"#导出时间：[{timezone.localtime():%Y年%m月%d日 %H:%M:%S}]",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


class _GbkNamedMember(zipfile.ZipInfo):
    """A zip member named in GBK without the UTF-8 flag, as Alipay's bill archives name theirs."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def alipay_bill_archive(*, app: SandboxApp, day: datetime.date) -> bytes:
    """The day's bill archive as Alipay's download URL serves it: a zip whose members, named in GBK,
    are the 业务明细 CSV and its 业务明细(汇总) beside it."""
    details = sandbox_statement_alipay_csv(app=app, day=day)
    rows = [line for line in details.decode("gbk").splitlines() if line and not line.startswith("#")][1:]
    summary = "\r\n".join(
        [
            "#支付宝业务汇总查询",
            f"#账号：[{app.app_id}]",
            "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）",
            f"合计,,{sum('交易' in row for row in rows)},{sum('退款' in row for row in rows)},,",
            f"#导出时间：[{timezone.localtime():%Y年%m月%d日 %H:%M:%S}]",
        ]
    ).encode("gbk")
    prefix = f"{app.app_id}_{day:%Y%m%d}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in ((f"{prefix}_业务明细.csv", details), (f"{prefix}_业务明细(汇总).csv", summary)):
            member = _GbkNamedMember(name, date_time=timezone.localtime().timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, content)
    return out.getvalue()


def _post_form(url: str, params: dict[str, str]) -> str:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        return "refused: not an http(s) URL"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:  # noqa: S310
            return str(response.read(1000).decode("utf-8", errors="replace"))
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}: {error.read(200).decode('utf-8', errors='replace')}"
    except OSError as error:
        return f"error: {error}"


def sandbox_notification_deliver(*, notification_id: int) -> bool:
    """Sends the notification if it is due; True once the merchant has answered ``success``.

    Each delivery is signed afresh (new ``notify_id`` and ``notify_time``). An unanswered one is due
    again after the next pause of ``RETRY_DELAYS``; after the last it is given up.
    """
    now = timezone.now()
    with transaction.atomic():
        notification = (
            SandboxNotification.objects.select_for_update(skip_locked=True)
            .select_related("trade__app")
            .filter(pk=notification_id, next_attempt_at__lte=now)
            .first()
        )
        if notification is None:
            return False
        notification.next_attempt_at = now + DELIVERY_CLAIM
        notification.save(update_fields=["next_attempt_at"])

    params = {**notification.params, "notify_id": uuid.uuid4().hex, "notify_time": format_gateway_time(now)}
    answer = _post_form(notification.notify_url, sign_params(notification.trade.app.gateway_private_key, params))
    notification.attempts += 1
    notification.last_response = answer.strip()[:200]
    delivered = notification.last_response == "success"
    if delivered:
        notification.delivered_at = timezone.now()
        notification.next_attempt_at = None
    elif notification.attempts > len(RETRY_DELAYS):
        notification.next_attempt_at = None
        logger.warning("sandbox notification %s given up after %s attempts", notification.pk, notification.attempts)
    else:
        notification.next_attempt_at = now + RETRY_DELAYS[notification.attempts - 1]
    notification.save(update_fields=["attempts", "last_response", "delivered_at", "next_attempt_at"])
    return delivered


def sandbox_notifications_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    return list(
        SandboxNotification.objects.filter(next_attempt_at__lte=now or timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
