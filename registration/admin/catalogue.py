"""Admin of the exam catalogue, where the exam administrator sets up an exam year."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registration.models import (
    City,
    District,
    DistrictFee,
    EligibilityRule,
    Exam,
    MaterialSlot,
    RegistrationPoint,
    Site,
    Specialty,
    Subject,
    Unit,
)


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "registration_opens", "registration_closes", "exam_date"]
    search_fields = ["name", "year"]
    filter_horizontal = ["specialties"]
    fieldsets = [
        (None, {"fields": ["year", "name"]}),
        (_("网上报名与确认"), {"fields": ["registration_opens", "registration_closes", "confirmation_deadline"]}),
        (_("缴费"), {"fields": ["payment_opens", "payment_closes"]}),
        (_("准考证与考试"), {"fields": ["ticket_opens", "ticket_closes", "exam_date", "work_years_cutoff"]}),
        (
            _("照片与材料要求"),
            {
                "fields": [
                    "photo_min_bytes",
                    "photo_max_bytes",
                    "photo_min_width",
                    "photo_min_height",
                    "material_min_bytes",
                    "material_max_bytes",
                ],
                "classes": ["collapse"],
            },
        ),
        (_("成绩"), {"fields": ["pass_score"]}),
        (_("报考专业"), {"fields": ["specialties"]}),
    ]


class DistrictFeeInline(admin.TabularInline):
    model = DistrictFee
    extra = 0


class MaterialSlotInline(admin.TabularInline):
    model = MaterialSlot
    fields = ["position", "code", "title", "max_files", "who"]
    extra = 0


class CityInline(admin.TabularInline):
    model = City
    fields = ["code", "name"]
    extra = 0
    show_change_link = True


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "exam", "online_confirmation", "online_payment", "history_auto_confirm"]
    list_filter = ["exam", "online_confirmation", "online_payment", "history_auto_confirm"]
    list_select_related = ["exam"]
    search_fields = ["name", "code"]
    inlines = [DistrictFeeInline, MaterialSlotInline, CityInline]


class SiteInline(admin.TabularInline):
    model = Site
    fields = ["code", "name"]
    extra = 0
    show_change_link = True


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district"]
    list_filter = ["district__exam", "district__name"]
    list_select_related = ["district__exam"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["district"]
    inlines = [SiteInline]


class RegistrationPointInline(admin.TabularInline):
    model = RegistrationPoint
    fields = ["code", "name"]
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city"]
    list_filter = ["city__district__exam", "city__district__name"]
    list_select_related = ["city"]
    search_fields = ["name", "code", "city__name"]
    autocomplete_fields = ["city"]
    inlines = [RegistrationPointInline]


@admin.register(RegistrationPoint)
class RegistrationPointAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "site"]
    list_filter = ["site__city__district__exam", "site__city__district__name"]
    list_select_related = ["site"]
    search_fields = ["name", "code", "site__name"]
    autocomplete_fields = ["site"]


@admin.register(DistrictFee)
class DistrictFeeAdmin(admin.ModelAdmin):
    list_display = ["district", "level", "fee_per_subject"]
    list_filter = ["district__exam", "level"]
    list_select_related = ["district__exam"]
    autocomplete_fields = ["district"]


@admin.register(MaterialSlot)
class MaterialSlotAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "max_files", "who", "district", "position"]
    list_filter = ["district__exam", "district__name"]
    list_select_related = ["district__exam"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["district"]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "level"]
    list_filter = ["category", "level"]
    search_fields = ["code", "name"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "minutes", "pass_score", "full_score"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "city"]
    list_filter = ["province"]
    search_fields = ["name"]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["category_group", "target_level", "education", "min_years", "counted_from", "note"]
    list_filter = ["category_group", "target_level", "education"]
