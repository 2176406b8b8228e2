"""生成订单 over the API: amount, one open order, expiry, windows, districts and ownership."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import Order, OrderStatus
from payments_sandbox.models import SandboxTrade
from registration.models.application import ApplicationStatus
from registration.services.applications import transition
from registration.workflow import Action
from tests.factories.accounts import CandidateFactory
from tests.payments.conftest import approved_application, token_client


def order_url(application) -> str:
    return f"/api/v1/applications/{application.pk}/order/"


def test_order_is_subjects_times_the_district_fee_for_the_level(api, application):
    response = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "380.00"
    assert body["status"] == "pending"
    assert body["pay_url"].startswith("http://testserver/sandbox-gateway/checkout/")
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - (timezone.now() + datetime.timedelta(minutes=30))) < datetime.timedelta(minutes=1)
    assert api.get(order_url(application)).json() == body


def test_order_counts_only_the_selected_subjects(candidate, district, specialty, subjects):
    application = approved_application(
        candidate=candidate, district=district, specialty=specialty, subject_codes=["2", "4"]
    )

    response = token_client(candidate).post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.json()["amount"] == "190.00"
    order = Order.objects.get()
    assert (order.subject_codes, order.fee_per_subject, order.level) == (["2", "4"], Decimal("95.00"), "中级")


def test_order_expiry_follows_the_setting(api, application, settings):
    settings.PAYMENTS_ORDER_TTL_MINUTES = 5

    body = api.post(order_url(application), {"provider": "sandbox"}, format="json").json()

    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires_at - timezone.now() < datetime.timedelta(minutes=5, seconds=5)


def test_order_numbers_are_unique(candidate, district, specialty, subjects):
    numbers = set()
    for _ in range(3):
        other = CandidateFactory()
        application = approved_application(candidate=other, district=district, specialty=specialty)
        numbers.add(
            token_client(other)
            .post(order_url(application), {"provider": "sandbox"}, format="json")
            .json()["order_number"]
        )
    assert len(numbers) == 3


def test_asking_again_returns_the_open_order_instead_of_a_second(api, application):
    first = api.post(order_url(application), {"provider": "sandbox"}, format="json")
    second = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["order_number"] == first.json()["order_number"]
    assert Order.objects.filter(application=application).count() == 1


def test_the_database_refuses_a_second_open_order(order):
    duplicate = Order(
        application=order.application,
        district=order.district,
        number="X1",
        provider="sandbox",
        amount=order.amount,
        level=order.level,
        specialty_code=order.specialty_code,
        specialty_name=order.specialty_name,
        fee_per_subject=order.fee_per_subject,
        expires_at=order.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_an_expired_order_shows_expired_and_a_new_one_can_be_made(api, application, order):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert api.get(order_url(application)).json()["status"] == "expired"

        response = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.status_code == 201
    assert response.json()["order_number"] != order.number
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    # The old trade was closed at the gateway first, so it can no longer be paid.
    assert SandboxTrade.objects.get(out_trade_no=order.number).status == "TRADE_CLOSED"


def test_an_order_paid_at_the_gateway_but_not_yet_notified_is_credited_instead_of_replaced(
    api, application, order, gateway_transport, monkeypatch
):
    monkeypatch.setattr("payments_sandbox.services._post_form", lambda url, params: "lost")
    api.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    order.refresh_from_db()
    application.refresh_from_db()
    assert (order.status, application.status) == (OrderStatus.PAID, ApplicationStatus.PAID)


def test_outside_the_payment_window_is_423(api, application):
    exam = application.exam
    exam.payment_opens = timezone.now() + datetime.timedelta(days=1)
    exam.payment_closes = timezone.now() + datetime.timedelta(days=2)
    exam.save()

    response = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.status_code == 423
    assert response.json()["code"] == "window_closed"
    assert not Order.objects.exists()


def test_a_district_without_online_payment_takes_no_order(api, application):
    application.district.online_payment = False
    application.district.save()

    response = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


@pytest.mark.parametrize("steps", [[], [Action.CONFIRM], [Action.CONFIRM, Action.APPROVE_SITE]])
def test_an_application_not_yet_approved_takes_no_order(candidate, district, specialty, subjects, steps):
    application = approved_application(candidate=candidate, district=district, specialty=specialty)
    # Back to an earlier state through a fresh application at each step of the review.
    application.delete()
    from registration.models import Application

    fresh = Application.objects.create(
        exam=district.exam,
        candidate=candidate,
        district=district,
        number="00000001",
        verification_code="1",
        status="submitted",
        specialty=specialty,
    )
    for action in steps:
        transition(application_id=fresh.pk, action=action, actor=None)

    response = token_client(candidate).post(order_url(fresh), {"provider": "sandbox"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_someone_elses_application_is_404(application):
    stranger = token_client(CandidateFactory())

    assert stranger.post(order_url(application), {"provider": "sandbox"}, format="json").status_code == 404
    assert stranger.get(order_url(application)).status_code == 404
    assert not Order.objects.exists()


def test_no_order_yet_is_404(api, application):
    assert api.get(order_url(application)).status_code == 404


@pytest.mark.parametrize(
    "body", [{"provider": "wechat"}, {}, {"provider": "alipay"}, {"provider": "sandbox", "amount": "1.00"}]
)
def test_an_unknown_or_unconfigured_provider_or_field_is_400(api, application, body):
    response = api.post(order_url(application), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Order.objects.exists()


def test_staff_get_403_on_the_candidate_order(application, finance):
    assert token_client(finance).get(order_url(application)).status_code == 403


def test_a_level_without_a_fee_is_refused(api, application):
    application.district.fees.all().delete()

    response = api.post(order_url(application), {"provider": "sandbox"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "fee_missing"
