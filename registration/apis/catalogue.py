"""The public catalogue API (API.md "Catalogue"): open exams and what a candidate picks from."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.permissions import AllowAny

from registration.models import District, Exam, Specialty, Unit
from registration.selectors.catalogue import (
    district_tree_list,
    exam_get,
    exam_list_open,
    specialty_list,
    unit_search,
)

_TAGS = ["catalogue"]


class CataloguePagination(PageNumberPagination):
    # Large enough that a specialty list filtered by category and level fits one page.
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class UnitSearchPagination(PageNumberPagination):
    # A search-as-you-type list: never more than 20 at a time.
    page_size = 20


def _validated_query(serializer_class: type[serializers.Serializer], query: Any) -> dict[str, Any]:
    params = serializer_class(data=query)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


class ExamWindowsOutput(serializers.Serializer):
    registration_opens = serializers.DateTimeField()
    registration_closes = serializers.DateTimeField()
    confirmation_deadline = serializers.DateTimeField()
    payment_opens = serializers.DateTimeField()
    payment_closes = serializers.DateTimeField()
    ticket_opens = serializers.DateTimeField()
    ticket_closes = serializers.DateTimeField()
    exam_date = serializers.DateField()


class ExamOutput(serializers.ModelSerializer):
    windows = ExamWindowsOutput(source="*")

    class Meta:
        model = Exam
        fields = ["id", "name", "year", "windows"]


class RegistrationPointOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SiteOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    registration_points = RegistrationPointOutput(many=True)


class CityOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    sites = SiteOutput(many=True)


class DistrictOutput(serializers.ModelSerializer):
    cities = CityOutput(many=True)

    class Meta:
        model = District
        fields = ["code", "name", "online_confirmation", "online_payment", "history_auto_confirm", "cities"]


class SpecialtyQuery(serializers.Serializer):
    category = serializers.CharField(required=False, max_length=50, help_text="Specialty category, e.g. 临床医学类")
    level = serializers.CharField(required=False, max_length=20, help_text="Level: 初级(士), 初级(师) or 中级")


class SpecialtyOutput(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["code", "name", "category", "level", "name_en"]


class UnitQuery(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text="Text the unit name contains (any case)")
    province = serializers.CharField(required=False, max_length=50)
    city = serializers.CharField(required=False, max_length=50)


class UnitOutput(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "province", "city"]


class _PublicCatalogueList(ListAPIView):
    permission_classes = [AllowAny]
    pagination_class: type[BasePagination] | None = CataloguePagination

    def get_exam(self) -> Exam:
        return exam_get(exam_id=self.kwargs["exam_id"])


@extend_schema(tags=_TAGS, summary="Open exams (registration opened, ticket window not yet closed)")
class ExamListApi(_PublicCatalogueList):
    serializer_class = ExamOutput

    def get_queryset(self) -> QuerySet[Exam]:
        return exam_list_open()


@extend_schema(tags=_TAGS, summary="The exam's districts with cities, sites and registration points")
class ExamDistrictListApi(_PublicCatalogueList):
    serializer_class = DistrictOutput

    def get_queryset(self) -> QuerySet[District]:
        return district_tree_list(exam=self.get_exam())


@extend_schema(tags=_TAGS, summary="The exam's specialties", parameters=[SpecialtyQuery])
class ExamSpecialtyListApi(_PublicCatalogueList):
    serializer_class = SpecialtyOutput

    def get_queryset(self) -> QuerySet[Specialty]:
        exam = self.get_exam()
        return specialty_list(exam=exam, **_validated_query(SpecialtyQuery, self.request.query_params))


@extend_schema(tags=_TAGS, summary="Search the unit directory (at most 20 a page)", parameters=[UnitQuery])
class ExamUnitListApi(_PublicCatalogueList):
    serializer_class = UnitOutput
    pagination_class = UnitSearchPagination

    def get_queryset(self) -> QuerySet[Unit]:
        self.get_exam()
        return unit_search(**_validated_query(UnitQuery, self.request.query_params))


urlpatterns = [
    path("exams/", ExamListApi.as_view(), name="exam-list"),
    path("exams/<int:exam_id>/districts/", ExamDistrictListApi.as_view(), name="exam-districts"),
    path("exams/<int:exam_id>/specialties/", ExamSpecialtyListApi.as_view(), name="exam-specialties"),
    path("exams/<int:exam_id>/units/", ExamUnitListApi.as_view(), name="exam-units"),
]
