"""The candidate's 缴费 page, the return from the gateway, and the gateways' notification endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.models import OrderStatus
from payments.providers import enabled_providers
from payments.selectors import order_latest, order_quote, order_shown_status
from payments.services.notifications import notification_handle
from payments.services.orders import order_create, order_sync
from registration.models import User
from registration.models.application import Application, ApplicationStatus
from registration.selectors.applications import application_of_candidate, status_nodes
from registration.windows import Window, is_open, window_bounds
from wecan.errors import PortalError


def _own(request: HttpRequest, application_id: int) -> Application:
    user = request.user
    if not isinstance(user, User) or not user.is_candidate:
        raise PermissionDenied
    try:
        return application_of_candidate(candidate=user, application_id=application_id)
    except Application.DoesNotExist:
        raise Http404 from None


@login_required
def payment_page(request: HttpRequest, application_id: int) -> HttpResponse:
    """缴费: specialty, subjects and amount, 生成订单, then the order with 支付."""
    application = _own(request, application_id)
    quote = None
    quote_error = ""
    try:
        quote = order_quote(application=application)
    except PortalError as error:
        quote_error = str(error.message)
    order = order_latest(application=application)
    shown_status = order_shown_status(order) if order else ""
    payable = (
        application.status == ApplicationStatus.APPROVED
        and application.district.online_payment
        and is_open(application.exam, Window.PAYMENT)
    )
    opens, closes = window_bounds(application.exam, Window.PAYMENT)
    return render(
        request,
        "payments/payment.html",
        {
            "application": application,
            "nodes": status_nodes(application),
            "quote": quote,
            "quote_error": quote_error,
            "order": order,
            "order_status": shown_status,
            "order_status_label": OrderStatus(shown_status).label if shown_status else "",
            "can_pay_order": order is not None and shown_status == OrderStatus.PENDING and payable,
            "can_create_order": payable and shown_status != OrderStatus.PENDING and quote is not None,
            "payable": payable,
            "window": (opens, closes),
            "provider": (enabled_providers() or [""])[0],
        },
    )


@login_required
@require_POST
def payment_order_create(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    try:
        order_create(
            application_id=application.pk,
            candidate=application.candidate,
            provider_name=request.POST.get("provider", ""),
        )
    except PortalError as error:
        messages.error(request, str(error.message))
        for texts in error.fields.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, _("订单已生成，请核对后点击“支付”。"))
    return redirect("payment", application_id=application.pk)


@login_required
def payment_return(request: HttpRequest, application_id: int) -> HttpResponse:
    """Where the gateway sends the candidate back: asks the gateway at once, not waiting for the notification."""
    application = _own(request, application_id)
    order = order_latest(application=application)
    if order is not None and order.status == OrderStatus.PENDING:
        try:
            order_sync(order_id=order.pk)
        except PortalError:
            messages.info(request, _("正在确认支付结果，请稍后刷新本页面。"))
    return redirect("payment", application_id=application.pk)


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """The gateway's asynchronous notification: plain ``success`` once handled, ``failure`` otherwise."""
    form = {key: request.POST.get(key, "") for key in request.POST}
    if notification_handle(provider_name=provider, form=form):
        return HttpResponse("success", content_type="text/plain")
    return HttpResponse("failure", content_type="text/plain", status=400)


urlpatterns = [
    path("applications/<int:application_id>/payment/", payment_page, name="payment"),
    path("applications/<int:application_id>/payment/order/", payment_order_create, name="payment-order-create"),
    path("applications/<int:application_id>/payment/return/", payment_return, name="payment-return"),
    path("payments/notify/<str:provider>/", notify, name="payments-notify"),
]
