"""Fixtures of the payments tests: an approved application in an online-payment district, and
notifications signed as the sandbox gateway signs them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Order
from payments.providers.base import format_gateway_time
from payments.providers.signing import sign_params
from payments_sandbox.services import sandbox_app_default
from registration.choices import Role
from registration.models import Application, District, Specialty, Subject, User
from registration.models.application import ApplicationStatus
from registration.services.applications import transition
from registration.services.staff import staff_user_upsert
from registration.workflow import Action
from tests.factories.accounts import CandidateFactory, token_header
from tests.factories.catalogue import DistrictFactory, DistrictFeeFactory, ExamFactory, SpecialtyFactory

STAFF_PASSWORD = "staff-pass-2026"
SUBJECTS = [("1", "基础知识"), ("2", "相关专业知识"), ("3", "专业知识"), ("4", "专业实践能力")]


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token_header(user))
    return client


def approved_application(
    *, candidate: User, district: District, specialty: Specialty, subject_codes: list[str] | None = None
) -> Application:
    """A submitted application moved to ``approved`` through the transition table, as the reviewers would:
    CONFIRM → APPROVE_SITE → APPROVE_DISTRICT."""
    application = Application.objects.create(
        exam=district.exam,
        candidate=candidate,
        district=district,
        number=f"{candidate.pk:08d}",
        verification_code="1234567",
        status=ApplicationStatus.SUBMITTED,
        specialty=specialty,
        submitted_at=timezone.now(),
        # What submission required: every section saved, the photo accepted, the materials finalized.
        photo_status="accepted",
        materials_finalized=True,
        **{
            f"{section}_saved_at": timezone.now()
            for section in ("site", "basic", "contact", "exam", "education", "work")
        },
    )
    application.subjects.set(Subject.objects.filter(code__in=subject_codes or [code for code, _ in SUBJECTS]))
    for action in (Action.CONFIRM, Action.APPROVE_SITE, Action.APPROVE_DISTRICT):
        transition(application_id=application.pk, action=action, actor=None, reason="测试审核")
    application.refresh_from_db()
    return application


def finance_user(username: str, district: District) -> User:
    return staff_user_upsert(username=username, role=Role.FINANCE, scope=district, password=STAFF_PASSWORD)


@pytest.fixture(autouse=True)
def _payments_settings(settings):
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.ALIPAY_APP_ID = ""
    settings.PAYMENTS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def subjects(db):
    return [
        Subject.objects.get_or_create(
            code=code, defaults={"name": name, "minutes": 120, "pass_score": 60, "full_score": 100}
        )[0]
        for code, name in SUBJECTS
    ]


@pytest.fixture
def exam(db):
    return ExamFactory()


@pytest.fixture
def specialty(exam):
    specialty = SpecialtyFactory(level="中级")
    exam.specialties.add(specialty)
    return specialty


@pytest.fixture
def district(exam):
    district = DistrictFactory(exam=exam, code="SH", name="上海", online_payment=True)
    DistrictFeeFactory(district=district, level="中级", fee_per_subject=Decimal("95.00"))
    return district


@pytest.fixture
def other_district(exam):
    district = DistrictFactory(exam=exam, code="BJ", name="北京", online_payment=True)
    DistrictFeeFactory(district=district, level="中级", fee_per_subject=Decimal("90.00"))
    return district


@pytest.fixture
def candidate(db):
    return CandidateFactory()


@pytest.fixture
def application(candidate, district, specialty, subjects):
    return approved_application(candidate=candidate, district=district, specialty=specialty)


@pytest.fixture
def api(candidate):
    return token_client(candidate)


@pytest.fixture
def order(api, application) -> Order:
    response = api.post(f"/api/v1/applications/{application.pk}/order/", {"provider": "sandbox"}, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["order_number"])


@pytest.fixture
def finance(district):
    return finance_user("sh_finance", district)


@pytest.fixture
def other_finance(other_district):
    return finance_user("bj_finance", other_district)


def signed_notification(
    order: Order, *, trade_no: str = "2026000122001000000000000001", **overrides: Any
) -> dict[str, str]:
    """An Alipay-format notification for ``order``, signed with the sandbox gateway's key (as it would send)."""
    app = sandbox_app_default()
    params = {
        "app_id": app.app_id,
        "notify_type": "trade_status_sync",
        "notify_id": "n1",
        "notify_time": format_gateway_time(timezone.now()),
        "charset": "utf-8",
        "version": "1.0",
        "out_trade_no": order.number,
        "trade_no": trade_no,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": f"{order.amount:.2f}",
        "gmt_payment": format_gateway_time(timezone.now()),
    }
    params.update(overrides)
    return sign_params(app.gateway_private_key, params)


def post_notification(form: dict[str, str], provider: str = "sandbox") -> tuple[int, str]:
    response = Client().post(f"/payments/notify/{provider}/", form)
    return response.status_code, response.content.decode()


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def gateway_transport(request, monkeypatch):
    """The sandbox posts its notifications to http://testserver through the test client (the live-server
    tests keep real HTTP). Returns the list of (url, params, answer) it delivered."""
    delivered: list[tuple[str, dict[str, str], str]] = []
    if "live_server" in request.fixturenames:
        return delivered

    def post_form(url: str, params: dict[str, str]) -> str:
        assert url.startswith("http://testserver/"), url
        answer = Client().post(url.removeprefix("http://testserver"), params).content.decode()
        delivered.append((url, params, answer))
        return answer

    monkeypatch.setattr("payments_sandbox.services._post_form", post_form)
    return delivered


def new_order(district: District, specialty: Specialty, *, provider: str = "sandbox") -> Order:
    """An open order of a fresh candidate's approved application in ``district``."""
    candidate = CandidateFactory()
    application = approved_application(candidate=candidate, district=district, specialty=specialty)
    response = token_client(candidate).post(
        f"/api/v1/applications/{application.pk}/order/", {"provider": provider}, format="json"
    )
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["order_number"])


def sandbox_statement(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """A sandbox statement file: (trade_no, out_trade_no, trade_type, amount, finished_at) per line."""
    lines = ["trade_no,out_trade_no,trade_type,amount,finished_at", *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def pay_at_sandbox(client, django_capture_on_commit_callbacks):
    """Pays an order at the sandbox's API, its notification delivered at once; returns the gateway trade number."""

    def pay(order: Order) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/sandbox-gateway/api/pay/", {"out_trade_no": order.number})
        assert response.status_code == 200, response.content
        return str(response.json()["trade_no"])

    return pay
