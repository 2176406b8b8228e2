"""The sandbox gateway's addresses, under /sandbox-gateway/ (wecan/urls.py includes them only where enabled)."""

from django.urls import path

from payments_sandbox.views import api_pay, api_query, api_statement, bill, checkout, gateway

urlpatterns = [
    path("checkout/<str:trade_no>/", checkout, name="sandbox-checkout"),
    path("gateway.do", gateway, name="sandbox-gateway"),
    path("bill/<str:token>/", bill, name="sandbox-bill"),
    path("api/pay/", api_pay, name="sandbox-api-pay"),
    path("api/query/", api_query, name="sandbox-api-query"),
    path("api/statement/", api_statement, name="sandbox-api-statement"),
]
