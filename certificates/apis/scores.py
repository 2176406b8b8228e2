"""The candidate's scores over the API (API.md, "Certificates")."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from certificates.selectors.scores import ScoreRecord, scores_of_candidate
from registration.permissions import IsCandidate


class ScoreSerializer(serializers.Serializer):
    exam = serializers.IntegerField(source="exam_id", help_text="考试 id")
    exam_year = serializers.IntegerField(help_text="考试年度")
    specialty = serializers.CharField(help_text="专业代码")
    specialty_name = serializers.CharField()
    subject = serializers.CharField(help_text="科目代码")
    subject_name = serializers.CharField()
    score = serializers.IntegerField(allow_null=True, help_text="成绩；缺考为 null")
    absent = serializers.BooleanField(help_text="缺考")
    disqualified = serializers.BooleanField(help_text="违纪")
    passed = serializers.BooleanField(help_text="本科目合格")
    valid_until = serializers.IntegerField(allow_null=True, help_text="合格成绩有效至该考试年度（含）；不合格为 null")


class MyScores(GenericAPIView):
    permission_classes = [IsCandidate]
    serializer_class = ScoreSerializer

    @extend_schema(responses=ScoreSerializer(many=True), summary="The candidate's scores (成绩查询)")
    def get(self, request: Request) -> Response:
        records = scores_of_candidate(candidate=request.user)  # type: ignore[arg-type]
        # A list pages like a queryset; the scores are derived (passed, valid until) before paging.
        page: list[ScoreRecord] | None = self.paginate_queryset(records)  # type: ignore[arg-type]
        return self.get_paginated_response(ScoreSerializer(page, many=True).data)


urlpatterns = [path("me/scores/", MyScores.as_view(), name="api-my-scores")]
