"""The exam arrangement (考场编排) over the API (API.md "Arrangement (考场编排) and the ticket").

Staff start the allocation (202 with the job), follow its progress, move a candidate's seat, and
fetch a room's sign-in sheet (PDF, 202 while a worker renders it) and list (CSV); the candidate
reads their own arrangement. Anything outside the caller's scope is 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import FileResponse, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from storages.backends.s3 import S3Storage

from certificates.access import is_arrangement_staff, may_allocate
from certificates.models import ArrangementJob, Room, RoomSheetStatus
from certificates.selectors.arrangement import arrangement_facts, jobs_of, room_dates, room_in_scope, rooms_in_scope
from certificates.selectors.documents import candidate_application
from certificates.services.arrangement import arrangement_start, seat_move
from certificates.services.room_sheets import room_csv, room_sheet_lost, room_sheet_request
from registration import private_files
from registration.permissions import IsCandidate
from registration.serializers import StrictInputSerializer
from wecan.errors import InvalidInput, NotFound

# How long a client waits before asking again for a sign-in sheet a worker is rendering.
SHEET_RETRY_AFTER_SECONDS = 3
ERROR = OpenApiResponse(description='`{"code", "message", "fields"}`')
DATE_PARAMETER = OpenApiParameter(
    "date", OpenApiTypes.DATE, description="The exam day; may be left out when the room is used on one day only"
)


class IsArrangementStaff(permissions.IsAuthenticated):
    """Administrators, district and site reviewers: anyone else signed in is 403, no token 401."""

    message = "您的角色不能进行此操作。"

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and is_arrangement_staff(request.user)


class MayAllocate(IsArrangementStaff):
    """Administrators and district reviewers: they seat candidates."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and may_allocate(request.user)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class ArrangementInputSerializer(StrictInputSerializer):
    district = serializers.CharField(
        max_length=10, required=False, allow_blank=True, help_text="考区代码；管理员不填则编排全部考区"
    )


class ArrangementJobSerializer(serializers.ModelSerializer):
    exam = serializers.IntegerField(source="exam_id")
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    percent = serializers.IntegerField()
    report = serializers.JSONField(
        help_text="每个考点与考试日期未能编排的考生：site, site_name, date, seats, unseated, reason, numbers"
    )

    class Meta:
        model = ArrangementJob
        fields = [
            "id",
            "exam",
            "district",
            "status",
            "total",
            "processed",
            "percent",
            "seated",
            "unseated",
            "report",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]


class StartArrangement(APIView):
    permission_classes = [MayAllocate]

    @extend_schema(
        request=ArrangementInputSerializer,
        responses={
            202: inline_serializer("ArrangementStarted", {"job": ArrangementJobSerializer()}),
            403: ERROR,
            404: ERROR,
        },
        summary="考场编排：为所有尚未编排座位的报名成功考生编排（后台任务）",
    )
    def post(self, request: Request, exam_id: int) -> Response:
        data = _valid(ArrangementInputSerializer, request)
        job = arrangement_start(actor=request.user, exam_id=exam_id, district_code=data.get("district") or None)  # type: ignore[arg-type]
        return Response({"job": ArrangementJobSerializer(job).data}, status=status.HTTP_202_ACCEPTED)


class ArrangementJobDetail(APIView):
    permission_classes = [MayAllocate]

    @extend_schema(responses={200: ArrangementJobSerializer, 404: ERROR}, summary="考场编排任务进度与未能编排明细")
    def get(self, request: Request, job_id: int) -> Response:
        job = jobs_of(request.user).filter(pk=job_id).first()  # type: ignore[arg-type]
        if job is None:
            raise NotFound()
        return Response(ArrangementJobSerializer(job).data)


class SessionSerializer(serializers.Serializer):
    subject = serializers.CharField(help_text="科目名称")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ArrangementSerializer(serializers.Serializer):
    arranged = serializers.BooleanField()
    venue = serializers.CharField(required=False, help_text="考场地点")
    address = serializers.CharField(required=False, help_text="地址")
    room = serializers.CharField(required=False, help_text="考场")
    seat = serializers.CharField(required=False, help_text="座位号")
    sessions = SessionSerializer(many=True, required=False)


class MyArrangement(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(responses={200: ArrangementSerializer, 404: ERROR}, summary="考生的考场编排（考场、座位、考试时间）")
    def get(self, request: Request, application_id: int) -> Response:
        application = candidate_application(candidate=request.user, application_id=application_id)  # type: ignore[arg-type]
        facts = arrangement_facts(application)
        facts.pop("date", None)
        return Response(ArrangementSerializer(facts).data)


class SeatMoveInputSerializer(StrictInputSerializer):
    room = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="考场 id")
    seat = serializers.IntegerField(min_value=1, max_value=32767, help_text="座位号")
    reason = serializers.CharField(max_length=200, help_text="调整原因")


class SeatSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    room = serializers.IntegerField(source="room_id")
    room_name = serializers.CharField(source="room.name")
    venue = serializers.CharField(source="room.venue.name")
    seat = serializers.IntegerField(source="number")
    date = serializers.DateField()


class MoveSeat(APIView):
    permission_classes = [MayAllocate]

    @extend_schema(
        request=SeatMoveInputSerializer,
        responses={200: SeatSerializer, 400: ERROR, 404: ERROR, 409: ERROR},
        summary="调整一名考生的考场与座位（留有记录）",
    )
    def post(self, request: Request, application_id: int) -> Response:
        data = _valid(SeatMoveInputSerializer, request)
        seat = seat_move(
            actor=request.user,  # type: ignore[arg-type]
            application_id=application_id,
            room_id=data["room"],
            number=data["seat"],
            reason=data["reason"],
        )
        return Response(SeatSerializer(seat).data)


class RoomSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="venue.site.code")
    venue = serializers.CharField(source="venue.name")
    address = serializers.CharField(source="venue.address")
    dates = serializers.SerializerMethodField(help_text="有考生编排的考试日期")

    class Meta:
        model = Room
        fields = ["id", "site", "venue", "address", "name", "seats", "dates"]

    def get_dates(self, room: Room) -> list[str]:
        return [day.isoformat() for day in room_dates(room)]


class StaffRooms(GenericAPIView):
    permission_classes = [IsArrangementStaff]
    serializer_class = RoomSerializer

    @extend_schema(summary="范围内的考场")
    def get(self, request: Request) -> Response:
        rooms = rooms_in_scope(request.user).order_by("venue__site_id", "venue__position", "venue_id", "position", "id")  # type: ignore[arg-type]
        page = self.paginate_queryset(rooms)
        return self.get_paginated_response(RoomSerializer(page, many=True).data)


def _room_and_date(request: Request, room_id: int) -> tuple[Room, datetime.date]:
    room = room_in_scope(user=request.user, room_id=room_id)  # type: ignore[arg-type]
    given = request.query_params.get("date")
    if given:
        try:
            return room, datetime.date.fromisoformat(given)
        except ValueError:
            raise InvalidInput(fields={"date": [_("日期格式应为 YYYY-MM-DD。")]}) from None
    dates = room_dates(room)
    if len(dates) == 1:
        return room, dates[0]
    if not dates:
        raise NotFound(_("本考场尚未编排考生。"))
    raise InvalidInput(fields={"date": [_("本考场有多个考试日期，请指定日期。")]})


def _sheet_response(key: str, name: str) -> HttpResponseBase:
    storage = private_files.storage()
    disposition = f'inline; filename="{name}"'
    if isinstance(storage, S3Storage):
        parameters = {"ResponseContentType": "application/pdf", "ResponseContentDisposition": disposition}
        response: HttpResponseBase = HttpResponseRedirect(storage.url(key, parameters=parameters))
    else:
        response = FileResponse(storage.open(key, "rb"), content_type="application/pdf")
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response


class RoomSignInSheet(APIView):
    permission_classes = [IsArrangementStaff]

    @extend_schema(
        parameters=[DATE_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(description="Being rendered: ask again after Retry-After seconds"),
            404: ERROR,
        },
        summary="考场签到表 PDF（照片、姓名、准考证号、签名栏）",
    )
    def get(self, request: Request, room_id: int) -> HttpResponseBase:
        room, date = _room_and_date(request, room_id)
        for _attempt in range(2):
            sheet = room_sheet_request(room=room, date=date)
            if sheet.status != RoomSheetStatus.READY:
                break
            try:
                return _sheet_response(sheet.key, f"sign-in-sheet-{room.pk}-{date.isoformat()}.pdf")
            except FileNotFoundError:
                room_sheet_lost(sheet_id=sheet.pk)
        return Response(
            {"status": "rendering"},
            status=status.HTTP_202_ACCEPTED,
            headers={"Retry-After": str(SHEET_RETRY_AFTER_SECONDS)},
        )


class RoomList(APIView):
    permission_classes = [IsArrangementStaff]

    @extend_schema(
        parameters=[DATE_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR, 404: ERROR},
        summary="考场名单 CSV（供机考系统导入）",
    )
    def get(self, request: Request, room_id: int) -> HttpResponse:
        room, date = _room_and_date(request, room_id)
        response = HttpResponse(room_csv(room=room, date=date), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="room-{room.pk}-{date.isoformat()}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("staff/exams/<int:exam_id>/arrangement/", StartArrangement.as_view(), name="api-staff-arrangement"),
    path("staff/arrangement-jobs/<int:job_id>/", ArrangementJobDetail.as_view(), name="api-staff-arrangement-job"),
    path("staff/applications/<int:application_id>/seat/", MoveSeat.as_view(), name="api-staff-seat-move"),
    path("staff/rooms/", StaffRooms.as_view(), name="api-staff-rooms"),
    path("staff/rooms/<int:room_id>/sign-in-sheet.pdf", RoomSignInSheet.as_view(), name="api-staff-room-sheet"),
    path("staff/rooms/<int:room_id>/list.csv", RoomList.as_view(), name="api-staff-room-list"),
    path("applications/<int:application_id>/arrangement/", MyArrangement.as_view(), name="api-application-arrangement"),
]
