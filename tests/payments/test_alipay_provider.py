"""The Alipay provider (python-alipay-sdk) against the sandbox gateway, over real HTTP, with generated keys:
page pay, the signed notification, query, refund, close and the bill download."""

import datetime

import pytest
import requests
from django.utils import timezone

from payments.models import Order, OrderStatus, Payment
from payments.providers import get_provider
from payments.providers.signing import generate_key_pair
from payments.services.orders import order_sync
from payments.services.refunds import order_refund
from payments.services.statement_files import Line, read_statement
from payments_sandbox.services import sandbox_app_register
from registration.models.application import Application, ApplicationStatus
from tests.payments.conftest import new_order

pytestmark = pytest.mark.django_db(transaction=True)

APP_ID = "2021000000000777"


@pytest.fixture
def alipay(settings, live_server):
    """Alipay settings pointing at the sandbox's gateway.do, the app registered there with its public key."""
    app_private, app_public = generate_key_pair()
    app = sandbox_app_register(app_id=APP_ID, merchant_public_key=app_public)
    settings.ALIPAY_APP_ID = APP_ID
    settings.ALIPAY_APP_PRIVATE_KEY = app_private
    settings.ALIPAY_PUBLIC_KEY = app.gateway_public_key
    settings.ALIPAY_GATEWAY_URL = f"{live_server.url}/sandbox-gateway/gateway.do"
    settings.PAYMENTS_PUBLIC_URL = live_server.url
    return live_server


def test_an_alipay_payment_goes_through_the_sdk_and_the_sandbox(alipay, district, specialty, subjects, finance):
    order = new_order(district, specialty, provider="alipay")
    assert order.pay_url.startswith(f"{alipay.url}/sandbox-gateway/gateway.do?")

    # The sandbox checks the SDK's RSA2 request signature, opens the trade and sends the buyer to the checkout.
    opened = requests.get(order.pay_url, allow_redirects=False, timeout=10)
    assert opened.status_code == 302
    assert "/sandbox-gateway/checkout/" in opened.headers["Location"]

    paid = requests.post(
        f"{alipay.url}/sandbox-gateway/api/pay/", data={"out_trade_no": order.number, "app_id": APP_ID}, timeout=10
    )
    assert paid.status_code == 200

    # The notification went to /payments/notify/alipay/ and the SDK verified the sandbox's signature.
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get().trade_no == paid.json()["trade_no"]
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.PAID

    state = get_provider("alipay").query(out_trade_no=order.number)
    assert (state.trade_status, state.total_amount, state.trade_no) == (
        "TRADE_SUCCESS",
        order.amount,
        paid.json()["trade_no"],
    )

    order_refund(order_id=order.pk, actor=finance, reason="考生申请退费")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    # The refund query (what the sweep asks after a crash) answers for the request made, and no other.
    provider = get_provider("alipay")
    assert provider.refund_done(out_trade_no=order.number, out_request_no=f"{order.number}R01") is True
    assert provider.refund_done(out_trade_no=order.number, out_request_no=f"{order.number}R02") is False
    assert Application.objects.get(pk=order.application_id).status == ApplicationStatus.REFUNDED

    statement = get_provider("alipay").fetch_statement(day=timezone.localdate())
    import io

    lines = [item for item in read_statement(io.BytesIO(statement), "alipay") if isinstance(item, Line)]
    assert [(line.trade_no, line.is_refund, line.amount) for line in lines] == [
        (state.trade_no, False, "380.00"),
        (state.trade_no, True, "380.00"),
    ]


def test_the_query_credits_a_lost_alipay_notification(alipay, district, specialty, subjects):
    order = new_order(district, specialty, provider="alipay")
    requests.get(order.pay_url, allow_redirects=False, timeout=10)
    from payments_sandbox.models import SandboxTrade

    SandboxTrade.objects.filter(out_trade_no=order.number).update(notify_url="http://127.0.0.1:9/nowhere/")
    requests.post(
        f"{alipay.url}/sandbox-gateway/api/pay/", data={"out_trade_no": order.number, "app_id": APP_ID}, timeout=10
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING

    order_sync(order_id=order.pk)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Payment.objects.get().source == "query"


def test_an_expired_alipay_order_is_closed_through_the_sdk(alipay, district, specialty, subjects):
    order = new_order(district, specialty, provider="alipay")
    requests.get(order.pay_url, allow_redirects=False, timeout=10)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    order_sync(order_id=order.pk)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED
    paid = requests.post(
        f"{alipay.url}/sandbox-gateway/api/pay/", data={"out_trade_no": order.number, "app_id": APP_ID}, timeout=10
    )
    assert paid.status_code == 409


def test_a_request_signed_with_another_key_is_refused_by_the_gateway(alipay, district, specialty, subjects, settings):
    settings.ALIPAY_APP_PRIVATE_KEY = generate_key_pair()[0]
    order = new_order(district, specialty, provider="alipay")

    response = requests.get(order.pay_url, allow_redirects=False, timeout=10)

    assert response.status_code == 400
    assert response.json()["error_response"]["sub_code"] == "isv.invalid-signature"
