"""The candidate's 缴费 page: specialty, subjects and amount, 生成订单, then the order and 支付."""

import pytest

from payments.models import Order
from tests.factories.accounts import CandidateFactory
from tests.payments.conftest import post_notification, signed_notification


@pytest.fixture
def page_client(client, candidate):
    client.force_login(candidate)
    return client


def test_the_page_shows_what_is_paid_for_and_makes_the_order(page_client, application):
    url = f"/applications/{application.pk}/payment/"
    page = page_client.get(url).content.decode()
    assert "您已通过报名资格审核，请及时进行网上缴费" in page
    for text in (
        "报考级别",
        "中级",
        application.specialty.name,
        "基础知识、相关专业知识、专业知识、专业实践能力",
        "¥380.00",
    ):
        assert text in page
    assert "生成订单" in page
    assert "支付</a>" not in page

    response = page_client.post(f"/applications/{application.pk}/payment/order/", {"provider": "sandbox"})

    assert response.status_code == 302
    order = Order.objects.get()
    page = page_client.get(url).content.decode()
    for text in (order.number, "未交费", application.candidate.id_number_masked, order.pay_url):
        assert text in page
    assert "生成订单" not in page


def test_the_page_in_english_names_the_specialty_level_and_subjects_in_english(page_client, application):
    specialty = application.specialty
    specialty.name_en = "Internal Medicine"
    specialty.save()
    application.subjects.model.objects.filter(code="1").update(name_en="Basic knowledge")
    page_client.cookies["django_language"] = "en"

    page = page_client.get(f"/applications/{application.pk}/payment/").content.decode()

    assert "<dd>Intermediate</dd>" in page
    assert "<dd>Internal Medicine</dd>" in page
    assert "Basic knowledge, " in page
    assert specialty.name not in page


def test_a_paid_application_shows_success_and_the_green_node(page_client, application, order):
    post_notification(signed_notification(order))

    page = page_client.get(f"/applications/{application.pk}/payment/").content.decode()

    assert "缴费成功" in page
    assert 'data-node="pay" data-state="done"' in page
    assert "已交费" in page


def test_a_refused_order_is_explained_on_the_page(page_client, application):
    application.district.online_payment = False
    application.district.save()

    response = page_client.post(f"/applications/{application.pk}/payment/order/", {"provider": "sandbox"}, follow=True)

    assert "本考区不实行网上缴费" in response.content.decode()
    assert not Order.objects.exists()


def test_someone_elses_payment_page_is_404(client, application):
    client.force_login(CandidateFactory())
    assert client.get(f"/applications/{application.pk}/payment/").status_code == 404
    assert client.post(f"/applications/{application.pk}/payment/order/", {"provider": "sandbox"}).status_code == 404
    assert not Order.objects.exists()
