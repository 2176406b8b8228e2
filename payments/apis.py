"""Payments over the API: the candidate's order, and finance's statements and discrepancies (API.md)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from payments.models import Discrepancy, DiscrepancyAction, DiscrepancyStatus, Order, Provider, Statement
from payments.selectors import (
    discrepancies_in_scope,
    is_finance_user,
    order_latest,
    order_shown_status,
    statements_in_scope,
)
from payments.services.discrepancies import discrepancy_approve, discrepancy_resolve
from payments.services.orders import order_create
from payments.services.reconciliation import statement_upload
from registration.models import District, User
from registration.models.application import Application
from registration.permissions import IsCandidate
from registration.selectors.applications import application_of_candidate
from registration.serializers import StrictInputSerializer
from wecan.errors import InvalidInput, NotFound


class OrderSerializer(serializers.Serializer):
    order_number = serializers.CharField(source="number")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="元")
    status = serializers.SerializerMethodField()
    pay_url = serializers.CharField()
    expires_at = serializers.DateTimeField()
    provider = serializers.CharField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)

    def get_status(self, order: Order) -> str:
        return order_shown_status(order)


class OrderCreateSerializer(StrictInputSerializer):
    provider = serializers.ChoiceField(choices=Provider.choices)


def _own(request: Request, application_id: int) -> Application:
    try:
        return application_of_candidate(candidate=request.user, application_id=application_id)  # type: ignore[arg-type]
    except Application.DoesNotExist:
        raise NotFound() from None


class ApplicationOrder(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(responses=OrderSerializer, summary="The application's latest order")
    def get(self, request: Request, application_id: int) -> Response:
        order = order_latest(application=_own(request, application_id))
        if order is None:
            raise NotFound(_("尚未生成订单。"))
        return Response(OrderSerializer(order).data)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer, 200: OrderSerializer})
    def post(self, request: Request, application_id: int) -> Response:
        application = _own(request, application_id)
        body = OrderCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order, created = order_create(
            application_id=application.pk,
            candidate=request.user,  # type: ignore[arg-type]
            provider_name=body.validated_data["provider"],
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IsFinance(permissions.IsAuthenticated):
    """Finance staff (or an administrator): a candidate or other staff get 403."""

    message = "只有财务人员可以使用此功能。"

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and is_finance_user(request.user)  # type: ignore[arg-type]


class StatementUploadSerializer(StrictInputSerializer):
    provider = serializers.ChoiceField(choices=Provider.choices)
    file = serializers.FileField()
    date = serializers.DateField(required=False, help_text="账单日期；不填则取明细中的日期")
    district = serializers.IntegerField(required=False, help_text="考区 id（仅考务管理员需要）")


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = [
            "id",
            "status",
            "progress",
            "provider",
            "origin",
            "period_start",
            "period_end",
            "lines",
            "matched",
            "amount_mismatch",
            "missing_here",
            "missing_at_gateway",
            "duplicate",
            "recovered",
            "refunds",
            "refund_missing_here",
            "refund_missing_at_gateway",
            "other_district",
            "error_count",
            "errors",
            "created_at",
            "finished_at",
        ]


class StatementCreate(APIView):
    permission_classes = [IsFinance]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=StatementUploadSerializer, responses={201: StatementSerializer, 200: StatementSerializer})
    def post(self, request: Request) -> Response:
        body = StatementUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        district = None
        if "district" in body.validated_data:
            district = District.objects.filter(pk=body.validated_data["district"]).first()
            if district is None:
                raise InvalidInput(fields={"district": [_("考区不存在。")]})
        statement, created = statement_upload(
            user=request.user,  # type: ignore[arg-type]
            provider=body.validated_data["provider"],
            file=body.validated_data["file"],
            district=district,
            day=body.validated_data.get("date"),
        )
        statement.refresh_from_db()
        return Response(
            StatementSerializer(statement).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class StatementDetail(APIView):
    permission_classes = [IsFinance]

    @extend_schema(responses=StatementSerializer)
    def get(self, request: Request, statement_id: int) -> Response:
        statement = statements_in_scope(user=request.user).filter(pk=statement_id).first()  # type: ignore[arg-type]
        if statement is None:
            raise NotFound()
        return Response(StatementSerializer(statement).data)


class DiscrepancySerializer(serializers.ModelSerializer):
    amount_here = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    amount_gateway = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    proposed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    approved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    resolved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Discrepancy
        fields = [
            "id",
            "kind",
            "order_number",
            "gateway_trade_no",
            "amount_here",
            "amount_gateway",
            "status",
            "detail",
            "note",
            "action",
            "statement",
            "created_at",
            "proposed_by",
            "proposed_at",
            "approved_by",
            "approved_at",
            "resolved_by",
            "resolved_at",
        ]


class DiscrepancyList(GenericAPIView):
    permission_classes = [IsFinance]
    serializer_class = DiscrepancySerializer

    @extend_schema(
        parameters=[
            inline_serializer(
                name="DiscrepancyFilter",
                fields={
                    "status": serializers.ChoiceField(choices=DiscrepancyStatus.choices, required=False),
                    "kind": serializers.CharField(required=False),
                },
            )
        ]
    )
    def get(self, request: Request) -> Response:
        discrepancies = discrepancies_in_scope(user=request.user)  # type: ignore[arg-type]
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in DiscrepancyStatus.values:
                raise InvalidInput(fields={"status": [_("状态应为 open、awaiting_approval 或 resolved。")]})
            discrepancies = discrepancies.filter(status=wanted)
        kind = request.query_params.get("kind", "")
        if kind:
            discrepancies = discrepancies.filter(kind=kind)
        discrepancies = discrepancies.select_related("proposed_by", "approved_by", "resolved_by")
        page = self.paginate_queryset(discrepancies.order_by("-created_at", "-id"))
        return self.get_paginated_response(DiscrepancySerializer(page, many=True).data)


class ResolveSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=2000, allow_blank=True)
    action = serializers.ChoiceField(
        choices=DiscrepancyAction.choices,
        default=DiscrepancyAction.NONE,
        help_text="none: resolved at once; credit or refund: awaiting_approval until another finance user approves",
    )


def _discrepancy_in_scope(request: Request, discrepancy_id: int) -> Discrepancy:
    discrepancy = discrepancies_in_scope(user=request.user).filter(pk=discrepancy_id).first()  # type: ignore[arg-type]
    if discrepancy is None:
        raise NotFound()
    return discrepancy


class DiscrepancyResolve(APIView):
    permission_classes = [IsFinance]

    @extend_schema(request=ResolveSerializer, responses=DiscrepancySerializer)
    def post(self, request: Request, discrepancy_id: int) -> Response:
        discrepancy = _discrepancy_in_scope(request, discrepancy_id)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        resolved = discrepancy_resolve(
            discrepancy_id=discrepancy.pk,
            actor=request.user,  # type: ignore[arg-type]
            note=body.validated_data["note"],
            action=body.validated_data["action"],
        )
        return Response(DiscrepancySerializer(resolved).data)


class DiscrepancyApprove(APIView):
    permission_classes = [IsFinance]

    @extend_schema(
        request=None, responses=DiscrepancySerializer, summary="Approve another finance user's credit or refund"
    )
    def post(self, request: Request, discrepancy_id: int) -> Response:
        discrepancy = _discrepancy_in_scope(request, discrepancy_id)
        StrictInputSerializer(data=request.data).is_valid(raise_exception=True)
        approved = discrepancy_approve(discrepancy_id=discrepancy.pk, actor=request.user)  # type: ignore[arg-type]
        return Response(DiscrepancySerializer(approved).data)


urlpatterns = [
    path("applications/<int:application_id>/order/", ApplicationOrder.as_view(), name="api-application-order"),
    path("finance/statements/", StatementCreate.as_view(), name="api-finance-statements"),
    path("finance/statements/<int:statement_id>/", StatementDetail.as_view(), name="api-finance-statement"),
    path("finance/discrepancies/", DiscrepancyList.as_view(), name="api-finance-discrepancies"),
    path(
        "finance/discrepancies/<int:discrepancy_id>/resolve/",
        DiscrepancyResolve.as_view(),
        name="api-finance-discrepancy-resolve",
    ),
    path(
        "finance/discrepancies/<int:discrepancy_id>/approve/",
        DiscrepancyApprove.as_view(),
        name="api-finance-discrepancy-approve",
    ),
]
