"""The sandbox gateway over HTTP: checkout page, its small API, and Alipay's gateway protocol.

Routed (payments_sandbox/urls.py) only where the sandbox app is installed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payments.providers.base import format_gateway_time, parse_amount, parse_gateway_time
from payments.providers.signing import REQUEST_UNSIGNED, canonical, rsa2_sign, rsa2_verify
from payments_sandbox.models import SandboxApp, SandboxTrade
from payments_sandbox.services import (
    SandboxRefused,
    alipay_bill_archive,
    sandbox_app_default,
    sandbox_app_get,
    sandbox_statement_alipay_csv,
    sandbox_statement_csv,
    sandbox_trade_by_trade_no,
    sandbox_trade_close,
    sandbox_trade_create,
    sandbox_trade_get,
    sandbox_trade_pay,
    sandbox_trade_refund,
)
from wecan.errors import error_body

_BILL_SALT = "payments.sandbox.bill"
_BILL_MAX_AGE = 3600


def _app(request: HttpRequest) -> SandboxApp | None:
    app_id = request.GET.get("app_id") or request.POST.get("app_id") or ""
    return sandbox_app_get(app_id=app_id) if app_id else sandbox_app_default()


def _trade_body(trade: SandboxTrade) -> dict[str, Any]:
    return {
        "app_id": trade.app.app_id,
        "out_trade_no": trade.out_trade_no,
        "trade_no": trade.trade_no,
        "trade_status": trade.status,
        "total_amount": f"{trade.total_amount:.2f}",
        "gmt_payment": format_gateway_time(trade.paid_at) if trade.paid_at else "",
    }


def _return_url(trade: SandboxTrade) -> str:
    separator = "&" if "?" in trade.return_url else "?"
    query = urlencode({"out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no, "app_id": trade.app.app_id})
    return f"{trade.return_url}{separator}{query}"


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, trade_no: str) -> HttpResponse:
    """The page ``pay_url`` leads to: the trade, and a button that pays it as the buyer would."""
    trade = sandbox_trade_by_trade_no(trade_no=trade_no)
    if trade is None:
        raise Http404
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            return HttpResponseRedirect(_return_url(trade)) if trade.return_url else HttpResponseRedirect(request.path)
        try:
            trade = sandbox_trade_pay(app=trade.app, out_trade_no=trade.out_trade_no)
        except SandboxRefused as refused:
            error = str(refused.message)
        else:
            if trade.return_url:
                return HttpResponseRedirect(_return_url(trade))
            return HttpResponseRedirect(request.path)
    return render(request, "payments_sandbox/checkout.html", {"trade": trade, "error": error})


@csrf_exempt
@require_POST
def api_pay(request: HttpRequest) -> HttpResponse:
    """Pays ``out_trade_no`` as if the candidate had, and sends the signed notification."""
    data = _request_data(request)
    app = sandbox_app_get(app_id=data["app_id"]) if data.get("app_id") else sandbox_app_default()
    out_trade_no = data.get("out_trade_no", "")
    if app is None or not out_trade_no or sandbox_trade_get(app=app, out_trade_no=out_trade_no) is None:
        return JsonResponse(error_body("trade_not_found", _("交易不存在。")), status=404)
    try:
        trade = sandbox_trade_pay(app=app, out_trade_no=out_trade_no)
    except SandboxRefused as refused:
        return JsonResponse(error_body(refused.code, refused.message), status=refused.status)
    return JsonResponse(_trade_body(trade))


def _request_data(request: HttpRequest) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return {str(key): str(value) for key, value in body.items()} if isinstance(body, dict) else {}
    return request.POST.dict()


@require_GET
def api_query(request: HttpRequest) -> HttpResponse:
    app = _app(request)
    trade = sandbox_trade_get(app=app, out_trade_no=request.GET.get("out_trade_no", "")) if app else None
    if trade is None:
        return JsonResponse(error_body("trade_not_found", _("交易不存在。")), status=404)
    return JsonResponse(_trade_body(trade))


def _day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


@require_GET
def api_statement(request: HttpRequest) -> HttpResponse:
    """The day's CSV statement (``?date=YYYY-MM-DD``; ``&format=alipay`` for Alipay's GBK layout)."""
    app = _app(request)
    day = _day(request.GET.get("date", ""))
    if app is None or day is None:
        return JsonResponse(error_body("invalid", _("请以 YYYY-MM-DD 给出日期。")), status=400)
    if request.GET.get("format") == "alipay":
        response = HttpResponse(sandbox_statement_alipay_csv(app=app, day=day), content_type="text/csv; charset=gbk")
    else:
        response = HttpResponse(sandbox_statement_csv(app=app, day=day), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sandbox-{app.app_id}-{day:%Y%m%d}.csv"'
    return response


def _signed_response(app: SandboxApp, method: str, payload: dict[str, Any]) -> HttpResponse:
    """Alipay's synchronous answer: ``{"<method>_response": {...}, "sign": ...}`` signed over the inner JSON."""
    inner = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    sign = rsa2_sign(app.gateway_private_key, inner)
    body = f'{{"{method.replace(".", "_")}_response":{inner},"sign":"{sign}"}}'
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _failed(sub_code: str, sub_msg: str) -> dict[str, str]:
    return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def gateway(request: HttpRequest) -> HttpResponse:
    """Alipay's gateway protocol (``gateway.do``): signed requests from a registered merchant app."""
    params = request.GET.dict() if request.method == "GET" else request.POST.dict()
    method = params.get("method", "")
    app = sandbox_app_get(app_id=params.get("app_id", ""))
    if app is None or not app.merchant_public_key:
        error = {
            "code": "40002",
            "msg": "Invalid Arguments",
            "sub_code": "isv.invalid-app-id",
            "sub_msg": "无效的AppID参数",
        }
        return JsonResponse({"error_response": error}, status=400)
    if params.get("sign_type") != "RSA2" or not rsa2_verify(
        app.merchant_public_key, canonical(params, unsigned=REQUEST_UNSIGNED), params.get("sign", "")
    ):
        error = {
            "code": "40002",
            "msg": "Invalid Arguments",
            "sub_code": "isv.invalid-signature",
            "sub_msg": "验签出错",
        }
        return JsonResponse({"error_response": error}, status=400)
    try:
        biz = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        biz = None
    if not isinstance(biz, dict):
        return _signed_response(app, method, _failed("ACQ.INVALID_PARAMETER", "biz_content"))
    handler = _GATEWAY_METHODS.get(method)
    if handler is None:
        return _signed_response(app, method, _failed("isv.invalid-method", method))
    return handler(request, app, params, biz)


def _page_pay(request: HttpRequest, app: SandboxApp, params: dict[str, str], biz: dict[str, Any]) -> HttpResponse:
    try:
        amount = parse_amount(str(biz.get("total_amount", "")))
        time_expire = parse_gateway_time(str(biz.get("time_expire", "")))
        trade = sandbox_trade_create(
            app=app,
            out_trade_no=str(biz["out_trade_no"]),
            total_amount=amount,
            subject=str(biz.get("subject", "")),
            notify_url=params.get("notify_url", ""),
            return_url=params.get("return_url", ""),
            time_expire=time_expire,
        )
    except (KeyError, ValueError, SandboxRefused):
        return HttpResponse(_("请求参数有误。"), status=400, content_type="text/plain; charset=utf-8")
    return HttpResponseRedirect(reverse("sandbox-checkout", kwargs={"trade_no": trade.trade_no}))


def _trade_query(request: HttpRequest, app: SandboxApp, params: dict[str, str], biz: dict[str, Any]) -> HttpResponse:
    trade = sandbox_trade_get(app=app, out_trade_no=str(biz.get("out_trade_no", "")))
    if trade is None:
        return _signed_response(app, params["method"], _failed("ACQ.TRADE_NOT_EXIST", "交易不存在"))
    body = {"code": "10000", "msg": "Success", **_trade_body(trade), "buyer_logon_id": "san***@sandbox.com"}
    body.pop("app_id")
    send_pay_date = body.pop("gmt_payment")
    if send_pay_date:
        body["send_pay_date"] = send_pay_date
    return _signed_response(app, params["method"], body)


def _trade_refund(request: HttpRequest, app: SandboxApp, params: dict[str, str], biz: dict[str, Any]) -> HttpResponse:
    try:
        amount = Decimal(str(biz.get("refund_amount", "")))
        trade = sandbox_trade_refund(
            app=app,
            out_trade_no=str(biz.get("out_trade_no", "")),
            amount=amount,
            out_request_no=str(biz.get("out_request_no") or biz.get("out_trade_no", "")),
        )
    except (InvalidOperation, SandboxRefused) as error:
        return _signed_response(app, params["method"], _failed("ACQ.TRADE_NOT_ALLOW_REFUND", str(error)))
    body = {
        "code": "10000",
        "msg": "Success",
        "out_trade_no": trade.out_trade_no,
        "trade_no": trade.trade_no,
        "refund_fee": f"{trade.refunded_amount:.2f}",
        "fund_change": "Y",
    }
    return _signed_response(app, params["method"], body)


def _refund_query(request: HttpRequest, app: SandboxApp, params: dict[str, str], biz: dict[str, Any]) -> HttpResponse:
    trade = sandbox_trade_get(app=app, out_trade_no=str(biz.get("out_trade_no", "")))
    if trade is None:
        return _signed_response(app, params["method"], _failed("ACQ.TRADE_NOT_EXIST", "交易不存在"))
    out_request_no = str(biz.get("out_request_no", ""))
    body: dict[str, str] = {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no}
    for made in trade.refund_requests:
        if made["out_request_no"] == out_request_no:
            body.update(
                trade_no=trade.trade_no,
                out_request_no=out_request_no,
                refund_amount=made["amount"],
                total_amount=f"{trade.total_amount:.2f}",
                refund_status="REFUND_SUCCESS",
            )
    return _signed_response(app, params["method"], body)


def _trade_close(request: HttpRequest, app: SandboxApp, params: dict[str, str], biz: dict[str, Any]) -> HttpResponse:
    out_trade_no = str(biz.get("out_trade_no", ""))
    trade = sandbox_trade_close(app=app, out_trade_no=out_trade_no)
    if trade is None:
        return _signed_response(app, params["method"], _failed("ACQ.TRADE_NOT_EXIST", "交易不存在"))
    if trade.status != "TRADE_CLOSED":
        return _signed_response(app, params["method"], _failed("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"))
    body = {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no, "trade_no": trade.trade_no}
    return _signed_response(app, params["method"], body)


def _bill_url(request: HttpRequest, app: SandboxApp, params: dict[str, str], biz: dict[str, Any]) -> HttpResponse:
    day = _day(str(biz.get("bill_date", "")))
    if day is None or biz.get("bill_type") != "trade":
        return _signed_response(app, params["method"], _failed("isp.bill_not_exist", "账单不存在"))
    token = signing.dumps({"app": app.app_id, "day": day.isoformat()}, salt=_BILL_SALT)
    url = request.build_absolute_uri(reverse("sandbox-bill", kwargs={"token": token}))
    return _signed_response(app, params["method"], {"code": "10000", "msg": "Success", "bill_download_url": url})


_GATEWAY_METHODS: dict[str, Callable[[HttpRequest, SandboxApp, dict[str, str], dict[str, Any]], HttpResponse]] = {
    "alipay.trade.page.pay": _page_pay,
    "alipay.trade.query": _trade_query,
    "alipay.trade.refund": _trade_refund,
    "alipay.trade.close": _trade_close,
    "alipay.trade.fastpay.refund.query": _refund_query,
    "alipay.data.dataservice.bill.downloadurl.query": _bill_url,
}


@require_GET
def bill(request: HttpRequest, token: str) -> HttpResponse:
    """The bill archive a download URL points to: the day's 业务明细 CSV (GBK), zipped as Alipay does."""
    try:
        claims = signing.loads(token, salt=_BILL_SALT, max_age=_BILL_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    app = sandbox_app_get(app_id=claims["app"])
    if app is None:
        raise Http404
    day = datetime.date.fromisoformat(claims["day"])
    return HttpResponse(alipay_bill_archive(app=app, day=day), content_type="application/zip")
