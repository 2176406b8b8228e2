"""The candidate's application over the API (API.md, "The candidate's application")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registration import choices
from registration.application_bodies import application_body, saved_application_body
from registration.models import District, Exam
from registration.models.application import Application
from registration.permissions import IsCandidate
from registration.sections import SECTION_KEYS, SECTIONS, MonthField, input_field_names
from registration.selectors.applications import (
    application_labels,
    application_of_candidate,
    application_sections,
    application_warnings,
    applications_of_candidate,
    exam_of_candidate_application,
    history_subject_defaults,
    status_nodes,
)
from registration.services.applications import (
    application_accept_pledge,
    application_change_district,
    application_create,
    application_save_section,
    application_submit,
    application_withdraw,
)
from wecan.errors import InvalidInput, NotFound


class NodeSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["fill", "photo", "materials", "submit", "confirm", "review", "pay"])
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    state = serializers.ChoiceField(choices=["done", "current", "todo", "failed"])


class RejectionReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    note = serializers.CharField(allow_blank=True)


class ApplicationSerializer(serializers.Serializer):
    """The application body of API.md."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="网报号")
    exam = serializers.IntegerField(source="exam_id")
    district = serializers.CharField(source="district.code")
    status = serializers.CharField()
    verification_code = serializers.CharField(help_text="验证码")
    sections = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField(
        help_text="Names of the district and of each section's coded values, beside `sections`"
    )
    photo_status = serializers.CharField()
    materials_finalized = serializers.BooleanField()
    rejection_reasons = RejectionReasonSerializer(many=True)
    pledge_accepted = serializers.SerializerMethodField(help_text="已同意《考生诚信考试承诺书》")
    nodes = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    history_subjects = serializers.SerializerMethodField(
        help_text=(
            "For a history candidate: specialty code → the subjects to tick by default (last year's failed "
            "ones), as the pages do; empty for everyone else. Other specialties default to all subjects."
        )
    )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_sections(self, application: Application) -> dict[str, Any]:
        return application_sections(application)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_labels(self, application: Application) -> dict[str, Any]:
        return application_labels(application)

    def get_pledge_accepted(self, application: Application) -> bool:
        return application.pledge_accepted_at is not None

    @extend_schema_field(NodeSerializer(many=True))
    def get_nodes(self, application: Application) -> list[dict[str, str]]:
        # NodeSerializer's fields, written out: a serializer made for each body deep-copies its fields.
        return _nodes(application)

    @extend_schema_field(serializers.DictField(child=serializers.ListField(child=serializers.CharField())))
    def get_history_subjects(self, application: Application) -> dict[str, list[str]]:
        # The cached bodies pass what they keep of it (registration/application_bodies.py).
        if "history_subjects" in self.context:
            return self.context["history_subjects"]
        return history_subject_defaults(application=application)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, application: Application) -> list[str]:
        return application_warnings(application)


def _schema_field(field: forms.Field) -> serializers.Field:
    """A DRF field documenting a section form field (the form does the validating)."""
    common: dict[str, Any] = {"required": field.required, "help_text": str(field.label or "")}
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ChoiceField):
        options: list[tuple[str, Any]] = list(field.choices)  # type: ignore[arg-type]
        return serializers.ChoiceField(choices=[value for value, _label in options if value], **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=not field.required, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, MonthField):
        return serializers.RegexField(r"^\d{4}-\d{2}$", allow_blank=True, allow_null=True, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(allow_blank=True, **common)
    return serializers.CharField(allow_blank=not field.required, **common)


SECTION_SCHEMAS = {
    key: inline_serializer(
        name=f"{key.capitalize()}SectionBody",
        fields={name: _schema_field(field) for name, field in SECTIONS[key].base_fields.items()},
    )
    for key in SECTION_KEYS
}


class ApplicationCreateSerializer(serializers.Serializer):
    exam = serializers.IntegerField()
    district = serializers.CharField(max_length=10, help_text="考区代码")
    pledge_accepted = serializers.BooleanField(
        required=False, default=False, help_text="已阅读并同意《考生诚信考试承诺书》；未同意时提交前须另行同意"
    )


def _own(request: Request, application_id: int) -> Application:
    try:
        return application_of_candidate(candidate=request.user, application_id=application_id)  # type: ignore[arg-type]
    except Application.DoesNotExist:
        raise NotFound() from None


def _require_own(request: Request, application_id: int) -> int:
    """404 unless the application is the caller's; its exam id. The write fetches what it changes."""
    exam_id = exam_of_candidate_application(candidate=request.user, application_id=application_id)  # type: ignore[arg-type]
    if exam_id is None:
        raise NotFound()
    return exam_id


def _rendered(application: Application, history_subjects: dict[str, list[str]]) -> bytes:
    """The body ``ApplicationSerializer`` describes, written out field by field: the serializer, made
    anew for each body, deep-copies its fields and walks them, a sixth of a section save. The tests
    hold the two equal (tests/applications/test_body_cache.py)."""
    body = {
        "id": application.pk,
        "number": _text(application.number),
        "exam": application.exam_id,
        "district": _text(application.district.code),
        "status": _text(application.status),
        "verification_code": _text(application.verification_code),
        "sections": application_sections(application),
        "labels": application_labels(application),
        "photo_status": _text(application.photo_status),
        "materials_finalized": application.materials_finalized,
        "rejection_reasons": [
            {"code": _text(reason["code"]), "label": _text(reason["label"]), "note": _text(reason["note"])}
            for reason in application.rejection_reasons
        ],
        "pledge_accepted": application.pledge_accepted_at is not None,
        "nodes": _nodes(application),
        "warnings": application_warnings(application),
        "history_subjects": history_subjects,
    }
    return JSONRenderer().render(body)


def _text(value: Any) -> str | None:
    """As DRF's ``CharField`` shows a value."""
    return None if value is None else str(value)


def _nodes(application: Application) -> list[dict[str, str]]:
    return [{"key": node.key, "label": node.label, "state": node.state} for node in status_nodes(application)]


def _body(application_id: int, request: Request) -> HttpResponse:
    """The application after a write, as GET serves it: rendered once and cached under its new
    revision, so the candidate's next GET is a cache hit."""
    body = application_body(candidate=request.user, application_id=application_id, render=_rendered)  # type: ignore[arg-type]
    return HttpResponse(body, content_type="application/json")


def _refuse_unknown_fields(data: Any, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise InvalidInput(_("请求内容应为JSON对象。"))
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(fields={name: [_("不接受此字段。")] for name in unknown})


class ApplicationListCreate(GenericAPIView):
    permission_classes = [IsCandidate]
    serializer_class = ApplicationSerializer

    @extend_schema(responses=ApplicationSerializer(many=True), summary="The candidate's own applications")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(applications_of_candidate(candidate=request.user))  # type: ignore[arg-type]
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def post(self, request: Request) -> Response:
        _refuse_unknown_fields(request.data, {"exam", "district", "pledge_accepted"})
        body = ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exam = Exam.objects.filter(pk=body.validated_data["exam"]).first()
        if exam is None:
            raise InvalidInput(fields={"exam": [_("考试不存在。")]})
        district = District.objects.filter(exam=exam, code=body.validated_data["district"]).first()
        if district is None:
            raise InvalidInput(fields={"district": [_("本次考试没有此考区。")]})
        application = application_create(
            candidate=request.user,  # type: ignore[arg-type]
            exam=exam,
            district=district,
            pledge_accepted=body.validated_data["pledge_accepted"],
        )
        return Response(ApplicationSerializer(_own(request, application.pk)).data, status=status.HTTP_201_CREATED)


class ApplicationDetail(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(responses=ApplicationSerializer)
    def get(self, request: Request, application_id: int) -> HttpResponse:
        body = application_body(
            candidate=request.user,  # type: ignore[arg-type]
            application_id=application_id,
            render=_rendered,
        )
        return HttpResponse(body, content_type="application/json")


class ApplicationSection(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(
        parameters=[OpenApiParameter("section", str, OpenApiParameter.PATH, enum=list(SECTION_KEYS))],
        request=PolymorphicProxySerializer(
            component_name="SectionBody",
            serializers=list(SECTION_SCHEMAS.values()),
            resource_type_field_name=None,
        ),
        responses=ApplicationSerializer,
    )
    def put(self, request: Request, application_id: int, section: str) -> HttpResponse:
        if section not in SECTION_KEYS:
            raise NotFound()
        allowed = input_field_names(section)
        if not isinstance(request.data, dict) or not set(request.data) <= allowed:
            # Someone else's application is a 404 whatever was sent; otherwise the save checks whose it is.
            _require_own(request, application_id)
            _refuse_unknown_fields(request.data, allowed)
        application = application_save_section(
            application_id=application_id,
            section=section,
            data=request.data,
            actor=request.user,  # type: ignore[arg-type]
        )
        body = saved_application_body(application=application, candidate=request.user, render=_rendered)  # type: ignore[arg-type]
        return HttpResponse(body, content_type="application/json")


class ChangeDistrictSerializer(serializers.Serializer):
    district = serializers.CharField(max_length=10, help_text="考区代码")


class ApplicationChangeDistrict(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=ChangeDistrictSerializer, responses=ApplicationSerializer)
    def post(self, request: Request, application_id: int) -> HttpResponse:
        exam_id = _require_own(request, application_id)
        _refuse_unknown_fields(request.data, {"district"})
        body = ChangeDistrictSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        district = District.objects.filter(exam_id=exam_id, code=body.validated_data["district"]).first()
        if district is None:
            raise InvalidInput(fields={"district": [_("本次考试没有此考区。")]})
        application_change_district(application_id=application_id, district=district, actor=request.user)  # type: ignore[arg-type]
        return _body(application_id, request)


class ApplicationSubmit(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=None, responses=ApplicationSerializer)
    def post(self, request: Request, application_id: int) -> HttpResponse:
        _require_own(request, application_id)
        application_submit(application_id=application_id, actor=request.user)  # type: ignore[arg-type]
        return _body(application_id, request)


class ApplicationPledge(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=None, responses=ApplicationSerializer, summary="同意《考生诚信考试承诺书》")
    def post(self, request: Request, application_id: int) -> HttpResponse:
        _require_own(request, application_id)
        application_accept_pledge(application_id=application_id, actor=request.user)  # type: ignore[arg-type]
        return _body(application_id, request)


class ApplicationWithdraw(APIView):
    permission_classes = [IsCandidate]

    @extend_schema(request=None, responses=ApplicationSerializer)
    def post(self, request: Request, application_id: int) -> HttpResponse:
        _require_own(request, application_id)
        application_withdraw(application_id=application_id, actor=request.user)  # type: ignore[arg-type]
        return _body(application_id, request)


CHOICE_LISTS: dict[str, list[tuple[str, Any]]] = {
    "gender": choices.Gender.choices,
    "ethnicity": choices.ETHNICITIES,
    "health_status": choices.HEALTH_STATUSES,
    "nationality": choices.NATIONALITIES,
    "current_qualification": choices.QUALIFICATIONS,
    "practice_category": choices.PRACTICE_CATEGORIES,
    "highest_education": choices.HIGHEST_EDUCATIONS,
    "schooling_years": choices.SCHOOLING_YEARS,
    "unit_affiliation": choices.UNIT_AFFILIATIONS,
    "unit_nature": choices.UNIT_NATURES,
    "unit_category": choices.UNIT_CATEGORIES,
    "education": choices.Education.choices,
    "degree": choices.Degree.choices,
    "training_mode": choices.TrainingMode.choices,
    "id_type": choices.IdType.choices,
}


class ChoiceLists(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            name="ChoiceLists",
            fields={name: serializers.ListField(child=serializers.DictField()) for name in CHOICE_LISTS},
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                name: [{"value": value, "label": str(label)} for value, label in options]
                for name, options in CHOICE_LISTS.items()
            }
        )


urlpatterns = [
    path("choices/", ChoiceLists.as_view(), name="api-choices"),
    path("applications/", ApplicationListCreate.as_view(), name="api-applications"),
    path("applications/<int:application_id>/", ApplicationDetail.as_view(), name="api-application"),
    path(
        "applications/<int:application_id>/sections/<str:section>/",
        ApplicationSection.as_view(),
        name="api-application-section",
    ),
    path(
        "applications/<int:application_id>/change-district/",
        ApplicationChangeDistrict.as_view(),
        name="api-application-change-district",
    ),
    path("applications/<int:application_id>/pledge/", ApplicationPledge.as_view(), name="api-application-pledge"),
    path("applications/<int:application_id>/submit/", ApplicationSubmit.as_view(), name="api-application-submit"),
    path("applications/<int:application_id>/withdraw/", ApplicationWithdraw.as_view(), name="api-application-withdraw"),
]
