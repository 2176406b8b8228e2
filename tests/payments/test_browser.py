"""A candidate pays through the sandbox checkout in a real browser and sees the 缴费 node turn green."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from payments.models import OrderStatus
from payments_sandbox.models import SandboxNotification
from registration.models.application import Application, ApplicationStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_pays_at_the_sandbox_checkout_and_sees_the_green_pay_node(
    live_server, browser_page, settings, candidate, application
):
    settings.PAYMENTS_PUBLIC_URL = live_server.url
    session = Client()
    session.force_login(candidate)
    cookie = session.cookies[django_settings.SESSION_COOKIE_NAME].value
    browser_page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = browser_page

    page.goto(f"{live_server.url}/applications/{application.pk}/payment/")
    expect(page.get_by_text("您已通过报名资格审核，请及时进行网上缴费")).to_be_visible()
    expect(page.get_by_test_id("quote-amount")).to_have_text("¥380.00元")
    expect(page.locator('[data-node="pay"]')).to_have_attribute("data-state", "current")

    page.get_by_role("button", name="生成订单").click()
    expect(page.get_by_test_id("order-status")).to_have_text("未交费")
    page.get_by_role("link", name="支付").click()

    expect(page.get_by_role("heading", name="沙箱支付收银台")).to_be_visible()
    page.get_by_role("button", name="确认付款").click()

    expect(page.get_by_test_id("paid-notice")).to_be_visible()
    pay_node = page.locator('[data-node="pay"]')
    expect(pay_node).to_have_attribute("data-state", "done")
    expect(pay_node).to_have_class("status-node status-node--done")
    expect(page.get_by_test_id("order-status")).to_have_text("已交费")

    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.PAID
    assert application.orders.get().status == OrderStatus.PAID
    # Paid through the signed notification the sandbox sent over HTTP, not only the return-page query.
    assert SandboxNotification.objects.get().last_response == "success"
