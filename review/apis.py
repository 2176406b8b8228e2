"""The staff API (API.md "Staff"), the eligibility declaration and the candidate's to-dos.

Staff endpoints answer 401 without credentials, 403 to a candidate or to a role that does not do
the operation, 404 for an application outside the caller's scope.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registration.models import Application
from registration.permissions import IsCandidate
from registration.selectors.applications import application_of_candidate
from review.errors import NotAllowed
from review.models import EligibilityDeclaration, Reminder
from review.scope import Duty, is_staff_member, may
from review.selectors import (
    StaffQueue,
    jobs_visible_to,
    reminders_of,
    staff_application_get,
    staff_queue,
    staff_queue_rows,
)
from review.serializers import (
    ApplicationSearchInputSerializer,
    BulkConfirmInputSerializer,
    ConfirmByCodeInputSerializer,
    ConfirmInputSerializer,
    DeclarationInputSerializer,
    DeclarationSerializer,
    JobSerializer,
    RejectInputSerializer,
    ReminderSerializer,
    ReopenInputSerializer,
    ReviewInputSerializer,
    ScoreMergeInputSerializer,
    ScoreMergeRevokeInputSerializer,
    ScoreMergeSerializer,
    StaffApplicationListSerializer,
    StaffApplicationSerializer,
)
from review.services.decisions import (
    application_confirm,
    application_confirm_by_code,
    application_reject,
    application_reopen,
    application_review,
)
from review.services.declarations import eligibility_declaration_save
from review.services.jobs import bulk_confirm_start
from review.services.merges import score_merge_create, score_merge_revoke
from review.services.reminders import reminder_close_by_candidate
from wecan.errors import NotFound


class IsStaffMember(permissions.IsAuthenticated):
    """Signed in as staff (any role but candidate): a candidate's token is 403, no token 401."""

    message = NotAllowed.default_message

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and is_staff_member(request.user)


class MayViewApplications(IsStaffMember):
    """Staff whose duty is the applications: finance staff see orders and payments, not these (403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and may(request.user, Duty.VIEW)


def _staff_body(request: Request, application_id: int) -> Response:
    application = staff_application_get(user=request.user, application_id=application_id)
    return Response(StaffApplicationSerializer(application).data)


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _queue_page(view: GenericAPIView, queue: StaffQueue) -> Response:
    """A page of the staff queue: its ids paged by the index, then only the page's rows read."""
    # Django's paginator pages anything with count() and slices, which the stubs do not say.
    page: list[tuple[Any, int]] | None = view.paginate_queryset(queue)  # type: ignore[arg-type]
    rows = staff_queue_rows(page or [])
    return view.get_paginated_response(StaffApplicationListSerializer(rows, many=True).data)


class StaffApplicationList(GenericAPIView):
    permission_classes = [MayViewApplications]
    serializer_class = StaffApplicationListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="状态"),
            OpenApiParameter("specialty", str, description="专业代码"),
            OpenApiParameter("q", str, description="网报号、姓名或完整的证件号码"),
        ],
        responses=StaffApplicationListSerializer(many=True),
        summary="Applications in the caller's scope",
    )
    def get(self, request: Request) -> Response:
        queue = staff_queue(
            user=request.user,
            status=request.query_params.get("status", ""),
            specialty=request.query_params.get("specialty", ""),
            q=request.query_params.get("q", ""),
        )
        return _queue_page(self, queue)


class StaffApplicationSearch(GenericAPIView):
    """``GET .../applications/?q=`` with the filters in the body (API.md v1.1): the same answer."""

    permission_classes = [MayViewApplications]
    serializer_class = StaffApplicationListSerializer

    @extend_schema(
        request=ApplicationSearchInputSerializer,
        responses=StaffApplicationListSerializer(many=True),
        summary="Applications in the caller's scope, searched without the term in the URL",
    )
    def post(self, request: Request) -> Response:
        data = _valid(ApplicationSearchInputSerializer, request)
        queue = staff_queue(
            user=request.user, status=data.get("status", ""), specialty=data.get("specialty", ""), q=data.get("q", "")
        )
        return _queue_page(self, queue)


class StaffApplicationDetail(APIView):
    permission_classes = [MayViewApplications]

    @extend_schema(responses=StaffApplicationSerializer)
    def get(self, request: Request, application_id: int) -> Response:
        return _staff_body(request, application_id)


class StaffConfirm(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=ConfirmInputSerializer, responses=StaffApplicationSerializer, summary="报名确认通过")
    def post(self, request: Request, application_id: int) -> Response:
        data = _valid(ConfirmInputSerializer, request)
        application_confirm(
            application_id=application_id,
            actor=request.user,  # type: ignore[arg-type]
            fee_receipt_number=data["fee_receipt_number"],
            late_reason=data["late_reason"],
        )
        return _staff_body(request, application_id)


class StaffReject(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=RejectInputSerializer, responses=StaffApplicationSerializer, summary="报名确认不通过")
    def post(self, request: Request, application_id: int) -> Response:
        data = _valid(RejectInputSerializer, request)
        application_reject(
            application_id=application_id,
            actor=request.user,  # type: ignore[arg-type]
            reasons=data["reasons"],
            note=data["note"],
            late_reason=data["late_reason"],
        )
        return _staff_body(request, application_id)


class StaffConfirmByCode(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        request=ConfirmByCodeInputSerializer, responses=StaffApplicationSerializer, summary="现场确认（网报号+验证码）"
    )
    def post(self, request: Request) -> Response:
        data = _valid(ConfirmByCodeInputSerializer, request)
        application = application_confirm_by_code(
            actor=request.user,  # type: ignore[arg-type]
            number=data["number"],
            verification_code=data["verification_code"],
            fee_receipt_number=data["fee_receipt_number"],
            late_reason=data["late_reason"],
        )
        return _staff_body(request, application.pk)


class StaffReview(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=ReviewInputSerializer, responses=StaffApplicationSerializer, summary="资格审核")
    def post(self, request: Request, application_id: int) -> Response:
        data = _valid(ReviewInputSerializer, request)
        application_review(
            application_id=application_id,
            actor=request.user,  # type: ignore[arg-type]
            stage=data["stage"],
            decision=data["decision"],
            reasons=data["reasons"],
            note=data["note"],
        )
        return _staff_body(request, application_id)


class StaffReopen(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=ReopenInputSerializer, responses=StaffApplicationSerializer, summary="重新审核")
    def post(self, request: Request, application_id: int) -> Response:
        data = _valid(ReopenInputSerializer, request)
        application_reopen(application_id=application_id, actor=request.user, note=data["note"])  # type: ignore[arg-type]
        return _staff_body(request, application_id)


class StaffDeclaration(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=DeclarationInputSerializer, responses=StaffApplicationSerializer, summary="报考条件申报")
    def put(self, request: Request, application_id: int) -> Response:
        data = _valid(DeclarationInputSerializer, request)
        eligibility_declaration_save(
            application_id=application_id,
            actor=request.user,  # type: ignore[arg-type]
            policy_keys=data["policies"],
            post_changed_on=data["post_changed_on"],
        )
        return _staff_body(request, application_id)


class StaffScoreMerge(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=ScoreMergeInputSerializer, responses={201: ScoreMergeSerializer}, summary="成绩合并")
    def post(self, request: Request, application_id: int) -> Response:
        data = _valid(ScoreMergeInputSerializer, request)
        merge = score_merge_create(application_id=application_id, actor=request.user, number=data["number"])  # type: ignore[arg-type]
        return Response(ScoreMergeSerializer(merge).data, status=status.HTTP_201_CREATED)


class StaffScoreMergeRevoke(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=ScoreMergeRevokeInputSerializer, responses=ScoreMergeSerializer, summary="撤销成绩合并")
    def post(self, request: Request, merge_id: int) -> Response:
        data = _valid(ScoreMergeRevokeInputSerializer, request)
        merge = score_merge_revoke(merge_id=merge_id, actor=request.user, reason=data["reason"])  # type: ignore[arg-type]
        return Response(ScoreMergeSerializer(merge).data)


class StaffBulkConfirm(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=BulkConfirmInputSerializer, responses={202: JobSerializer}, summary="批量确认（后台任务）")
    def post(self, request: Request) -> Response:
        data = _valid(BulkConfirmInputSerializer, request)
        receipts = {line["application"]: line["fee_receipt_number"] for line in data["fee_receipts"]}
        job = bulk_confirm_start(
            actor=request.user,  # type: ignore[arg-type]
            application_ids=data["applications"],
            fee_receipt_numbers=receipts,
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class StaffJobDetail(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=JobSerializer, summary="后台任务进度")
    def get(self, request: Request, job_id: int) -> Response:
        job = jobs_visible_to(request.user).filter(pk=job_id).first()
        if job is None:
            raise NotFound()
        return Response(JobSerializer(job).data)


class CandidateDeclaration(APIView):
    """The candidate's own declaration (提前申报政策, 转岗日期), while the application can be edited."""

    permission_classes = [IsCandidate]

    def _own(self, request: Request, application_id: int) -> Application:
        try:
            return application_of_candidate(candidate=request.user, application_id=application_id)  # type: ignore[arg-type]
        except Application.DoesNotExist:
            raise NotFound() from None

    @extend_schema(responses=DeclarationSerializer)
    def get(self, request: Request, application_id: int) -> Response:
        application = self._own(request, application_id)
        declaration = EligibilityDeclaration.objects.filter(application=application).first()
        if declaration is None:
            return Response({"policies": [], "post_changed_on": None})
        return Response(DeclarationSerializer(declaration).data)

    @extend_schema(request=DeclarationInputSerializer, responses=DeclarationSerializer)
    def put(self, request: Request, application_id: int) -> Response:
        application = self._own(request, application_id)
        data = _valid(DeclarationInputSerializer, request)
        declaration = eligibility_declaration_save(
            application_id=application.pk,
            actor=request.user,  # type: ignore[arg-type]
            policy_keys=data["policies"],
            post_changed_on=data["post_changed_on"],
        )
        return Response(DeclarationSerializer(declaration).data)


class MyReminders(GenericAPIView):
    permission_classes = [IsCandidate]
    serializer_class = ReminderSerializer

    @extend_schema(responses=ReminderSerializer(many=True), summary="待办事项提醒")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(reminders_of(candidate=request.user))  # type: ignore[arg-type]
        return self.get_paginated_response(ReminderSerializer(page, many=True).data)


class MyReminderClose(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=None, responses=ReminderSerializer, summary="标记待办事项为已处理")
    def post(self, request: Request, reminder_id: int) -> Response:
        try:
            reminder = reminder_close_by_candidate(reminder_id=reminder_id, candidate=request.user)  # type: ignore[arg-type]
        except Reminder.DoesNotExist:
            raise NotFound() from None
        return Response(ReminderSerializer(reminder).data)


urlpatterns = [
    path("staff/applications/", StaffApplicationList.as_view(), name="api-staff-applications"),
    path("staff/applications/search/", StaffApplicationSearch.as_view(), name="api-staff-applications-search"),
    path("staff/applications/bulk-confirm/", StaffBulkConfirm.as_view(), name="api-staff-bulk-confirm"),
    path("staff/applications/<int:application_id>/", StaffApplicationDetail.as_view(), name="api-staff-application"),
    path("staff/applications/<int:application_id>/confirm/", StaffConfirm.as_view(), name="api-staff-confirm"),
    path("staff/applications/<int:application_id>/reject/", StaffReject.as_view(), name="api-staff-reject"),
    path("staff/applications/<int:application_id>/review/", StaffReview.as_view(), name="api-staff-review"),
    path("staff/applications/<int:application_id>/reopen/", StaffReopen.as_view(), name="api-staff-reopen"),
    path(
        "staff/applications/<int:application_id>/eligibility-declaration/",
        StaffDeclaration.as_view(),
        name="api-staff-declaration",
    ),
    path(
        "staff/applications/<int:application_id>/score-merge/",
        StaffScoreMerge.as_view(),
        name="api-staff-score-merge",
    ),
    path(
        "staff/score-merges/<int:merge_id>/revoke/",
        StaffScoreMergeRevoke.as_view(),
        name="api-staff-score-merge-revoke",
    ),
    path("staff/confirm-by-code/", StaffConfirmByCode.as_view(), name="api-staff-confirm-by-code"),
    path("staff/jobs/<int:job_id>/", StaffJobDetail.as_view(), name="api-staff-job"),
    path(
        "applications/<int:application_id>/eligibility-declaration/",
        CandidateDeclaration.as_view(),
        name="api-application-declaration",
    ),
    path("me/reminders/", MyReminders.as_view(), name="api-my-reminders"),
    path("me/reminders/<int:reminder_id>/close/", MyReminderClose.as_view(), name="api-my-reminder-close"),
]
