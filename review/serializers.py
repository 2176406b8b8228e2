"""Shapes of the staff API and the candidate's to-dos. Input serializers check shape; services check rules."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registration.apis.applications import NodeSerializer, RejectionReasonSerializer
from registration.models import Application
from registration.models.application import application_status_label
from registration.selectors.applications import application_sections, status_nodes
from registration.serializers import StrictInputSerializer
from review.models import EligibilityDeclaration, Job, Reminder
from review.reasons import NOTE_MAX_LENGTH, RejectionReason
from review.selectors import (
    application_eligibility,
    application_events,
    application_materials,
    eligibility_as_dict,
)


class SpecialtySummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    level = serializers.CharField()


class StaffQueuePageSerializer(serializers.ListSerializer):
    """The rows of a page of the queue (``review.selectors.QueueRow``), each written out as its
    fields give it: DRF's walk of a row's sixteen fields, one call after another, took a quarter of
    the page's time (bench/staff_queue.py). The test of the queue's page holds it equal to the
    fields' own representation of the same applications."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        # The request's time zone and the labels of the page's statuses, looked up once for the page:
        # each is a look-up in the request's locals, which cost as much as the rest of a row.
        submitted_at = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())
        status_labels = {status: application_status_label(status) for status in {row.status for row in data}}
        return [
            {
                "id": row.id,
                "number": row.number,
                "exam": row.exam_id,
                "district": row.district.code,
                "site": row.site.code if row.site_id else None,
                "registration_point": row.registration_point.code if row.registration_point_id else None,
                "status": row.status,
                "status_label": status_labels[row.status],
                "name": row.name,
                "id_number_masked": row.id_number_masked,
                "specialty": _specialty_summary(row.specialty) if row.specialty_id else None,
                "photo_status": row.photo_status,
                "materials_finalized": row.materials_finalized,
                "submitted_at": submitted_at.to_representation(row.submitted_at),
                "resubmission_count": row.resubmission_count,
                "resubmitted": row.resubmission_count > 0,
            }
            for row in data
        ]


def _specialty_summary(specialty: Any) -> dict[str, str]:
    return {
        "code": specialty.code,
        "name": specialty.name,
        "category": specialty.category,
        "level": specialty.level,
    }


class StaffApplicationListSerializer(serializers.Serializer):
    """One row of the staff queue; a page of them is ``StaffQueuePageSerializer``'s."""

    class Meta:
        list_serializer_class = StaffQueuePageSerializer

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="网报号")
    exam = serializers.IntegerField(source="exam_id")
    district = serializers.CharField(source="district.code")
    site = serializers.CharField(source="site.code", default=None)
    registration_point = serializers.CharField(source="registration_point.code", default=None)
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    name = serializers.CharField(source="candidate.name")
    id_number_masked = serializers.CharField(source="candidate.id_number_masked")
    specialty = SpecialtySummarySerializer(allow_null=True)
    photo_status = serializers.CharField()
    materials_finalized = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    resubmission_count = serializers.IntegerField()
    resubmitted = serializers.SerializerMethodField(help_text="重新提交（确认不通过后再次提交）")

    def get_status_label(self, application: Application) -> str:
        # A method field: DRF inspects the signature of a callable ``source`` on every row.
        return application.get_status_display()

    def get_resubmitted(self, application: Application) -> bool:
        return application.resubmission_count > 0


class EligibilityCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["pass", "warn", "fail"])
    message = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["pass", "warn", "fail"])
    required_years = serializers.IntegerField(allow_null=True)
    counted_years = serializers.IntegerField(allow_null=True)
    checks = EligibilityCheckSerializer(many=True)


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    created_at = serializers.DateTimeField()


class DeclarationSerializer(serializers.Serializer):
    policies = serializers.SerializerMethodField()
    post_changed_on = serializers.DateField(allow_null=True)

    def get_policies(self, declaration: EligibilityDeclaration) -> list[str]:
        return sorted(policy.key for policy in declaration.policies.all())


class CandidateSummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    id_type = serializers.CharField()
    id_number_masked = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class StaffApplicationSerializer(StaffApplicationListSerializer):
    """The application body of API.md, with what staff decide on: the candidate, the eligibility
    pre-check, the declaration it reads and the audit history."""

    class Meta:
        # Not the queue's page: its rows have more fields than that page writes out.
        list_serializer_class = serializers.ListSerializer

    verification_code = serializers.CharField(help_text="验证码")
    candidate = CandidateSummarySerializer()
    sections = serializers.SerializerMethodField()
    rejection_reasons = RejectionReasonSerializer(many=True)
    nodes = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()
    declaration = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_sections(self, application: Application) -> dict[str, Any]:
        return application_sections(application)

    @extend_schema_field(NodeSerializer(many=True))
    def get_nodes(self, application: Application) -> Any:
        return NodeSerializer(status_nodes(application), many=True).data

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_materials(self, application: Application) -> dict[str, Any] | None:
        return application_materials(application)

    @extend_schema_field(EligibilitySerializer)
    def get_eligibility(self, application: Application) -> dict[str, Any]:
        return eligibility_as_dict(application_eligibility(application))

    @extend_schema_field(DeclarationSerializer(allow_null=True))
    def get_declaration(self, application: Application) -> Any:
        declaration = EligibilityDeclaration.objects.filter(application=application).first()
        return DeclarationSerializer(declaration).data if declaration else None

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, application: Application) -> Any:
        return EventSerializer(application_events(application), many=True).data


def _late_reason() -> serializers.CharField:
    return serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=NOTE_MAX_LENGTH,
        help_text="报名确认截止后（仅考务管理员）：逾期确认的原因，记入操作记录",
    )


class RejectInputSerializer(StrictInputSerializer):
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=40),
        allow_empty=True,
        help_text="、".join(f"{value} {label}" for value, label in RejectionReason.choices),
    )
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=NOTE_MAX_LENGTH)
    late_reason = _late_reason()


class ReviewInputSerializer(RejectInputSerializer):
    stage = serializers.ChoiceField(choices=["site", "district"])
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reasons = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)


class ReopenInputSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="重新审核的原因")


class ConfirmInputSerializer(StrictInputSerializer):
    fee_receipt_number = serializers.CharField(
        max_length=40,
        required=False,
        default="",
        allow_blank=True,
        help_text="现场缴费收据号：未开通网上缴费的考区必填，确认时记录报名费",
    )
    late_reason = _late_reason()


class ConfirmByCodeInputSerializer(ConfirmInputSerializer):
    number = serializers.CharField(max_length=20, help_text="网报号")
    verification_code = serializers.CharField(max_length=20, help_text="验证码")


class DeclarationInputSerializer(StrictInputSerializer):
    policies = serializers.ListField(child=serializers.SlugField(max_length=40), required=False, default=list)
    post_changed_on = serializers.DateField(allow_null=True, required=False, default=None)


class ApplicationSearchInputSerializer(StrictInputSerializer):
    """The staff list's filters in a body: an ID number must not travel in a URL."""

    q = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="网报号、姓名或完整的证件号码"
    )
    status = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text="状态")
    specialty = serializers.CharField(max_length=10, required=False, allow_blank=True, help_text="专业代码")


class FeeReceiptInputSerializer(StrictInputSerializer):
    application = serializers.IntegerField(min_value=1, help_text="报名信息编号（须在 applications 之中）")
    fee_receipt_number = serializers.CharField(max_length=40, help_text="该报名信息的现场缴费收据号")


class BulkConfirmInputSerializer(StrictInputSerializer):
    applications = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=20000)
    fee_receipts = serializers.ListField(
        child=FeeReceiptInputSerializer(),
        required=False,
        default=list,
        max_length=20000,
        help_text="未开通网上缴费的考区：每条报名信息的现场缴费收据号，确认时记录报名费",
    )


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "total",
            "processed",
            "succeeded",
            "skipped",
            "failed",
            "percent",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ReminderSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id", allow_null=True)
    # In the language asked for (Accept-Language), as the pages show them.
    title = serializers.CharField(source="shown_title")
    body = serializers.CharField(source="shown_body")
    open = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = ["id", "kind", "title", "body", "application", "created_at", "closed_at", "open"]

    def get_open(self, reminder: Reminder) -> bool:
        return reminder.closed_at is None


class ScoreMergeInputSerializer(StrictInputSerializer):
    number = serializers.CharField(max_length=30, help_text="上一年度的档案号或准考证号")


class ScoreMergeRevokeInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="撤销原因")


class ScoreMergeSerializer(serializers.Serializer):
    """A score merge (成绩合并); ``revoked_at`` is null while it counts."""

    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    exam_year = serializers.IntegerField(help_text="上一年度")
    found_by = serializers.ChoiceField(choices=["file_number", "ticket_number"])
    number = serializers.CharField()
    merged_by = serializers.CharField(source="merged_by.username")
    merged_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField(allow_blank=True)
