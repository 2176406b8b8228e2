import pytest
from django.urls import reverse

from registration.models import Exam, Specialty
from registration.services.catalogue import reference_data_load
from tests.factories.catalogue import (
    DistrictFeeFactory,
    MaterialSlotFactory,
    RegistrationPointFactory,
    SpecialtyFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = [
    "exam",
    "district",
    "districtfee",
    "city",
    "site",
    "registrationpoint",
    "specialty",
    "subject",
    "materialslot",
    "unit",
    "eligibilityrule",
]


@pytest.fixture
def catalogue():
    """One row of every catalogue model, linked the way an exam year is."""
    point = RegistrationPointFactory(site__city__district__code="SH")
    district = point.site.city.district
    DistrictFeeFactory(district=district)
    MaterialSlotFactory(district=district)
    UnitFactory()
    reference_data_load()
    district.exam.specialties.add(*Specialty.objects.all())
    return district


@pytest.mark.parametrize("model", CATALOGUE_MODELS)
def test_the_changelist_and_change_page_answer_the_superuser(admin_client, catalogue, model):
    changelist = admin_client.get(reverse(f"admin:registration_{model}_changelist"))
    assert changelist.status_code == 200
    obj = changelist.context["cl"].result_list[0]

    assert admin_client.get(reverse(f"admin:registration_{model}_change", args=[obj.pk])).status_code == 200
    assert admin_client.get(reverse(f"admin:registration_{model}_add")).status_code == 200


def test_the_exam_page_groups_its_windows_and_picks_specialties_side_by_side(admin_client, catalogue):
    response = admin_client.get(reverse("admin:registration_exam_change", args=[catalogue.exam.pk]))

    fieldsets = [fieldset.name for fieldset in response.context["adminform"]]
    assert fieldsets == [None, "网上报名与确认", "缴费", "准考证与考试", "照片与材料要求", "成绩", "报考专业"]
    assert 'class="selectfilter" data-field-name="专业" data-is-stacked="0"' in response.content.decode()


def test_the_district_page_edits_fees_material_slots_and_cities_inline(admin_client, catalogue):
    response = admin_client.get(reverse("admin:registration_district_change", args=[catalogue.pk]))

    inline_models = [formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]]
    assert inline_models == ["DistrictFee", "MaterialSlot", "City"]


def test_specialties_are_searched_by_code_or_name_and_filtered_by_level(admin_client, catalogue):
    SpecialtyFactory(code="999", name="测试专业", level="初级(士)")
    url = reverse("admin:registration_specialty_changelist")

    by_code = admin_client.get(url, {"q": "301"}).context["cl"].result_list
    by_name = admin_client.get(url, {"q": "全科医学"}).context["cl"].result_list
    by_level = admin_client.get(url, {"level": "初级(士)"}).context["cl"].result_list

    assert "301" in [s.code for s in by_code]
    assert {s.code for s in by_name} == {"301", "302"}
    assert {s.code for s in by_level} == {"102", "999"}


def _exam_form(specialty: Specialty, **changes: str) -> dict:
    data = {
        "year": "2030",
        "name": "2030年度卫生专业技术资格考试",
        "registration_opens_0": "2029-12-01",
        "registration_opens_1": "08:00:00",
        "registration_closes_0": "2030-01-10",
        "registration_closes_1": "17:00:00",
        "confirmation_deadline_0": "2030-01-20",
        "confirmation_deadline_1": "17:00:00",
        "payment_opens_0": "2030-02-01",
        "payment_opens_1": "08:00:00",
        "payment_closes_0": "2030-02-20",
        "payment_closes_1": "17:00:00",
        "ticket_opens_0": "2030-05-01",
        "ticket_opens_1": "08:00:00",
        "ticket_closes_0": "2030-05-20",
        "ticket_closes_1": "17:00:00",
        "exam_date": "2030-05-20",
        "work_years_cutoff": "2029-12-31",
        "photo_min_bytes": "20480",
        "photo_max_bytes": "204800",
        "photo_min_width": "295",
        "photo_min_height": "413",
        "material_min_bytes": "10240",
        "material_max_bytes": "153600",
        "pass_score": "60",
        "specialties": [str(specialty.pk)],
    }
    return {**data, **changes}


def test_an_exam_is_created_through_the_admin(admin_client, catalogue):
    specialty = Specialty.objects.get(code="301")

    response = admin_client.post(reverse("admin:registration_exam_add"), _exam_form(specialty))

    assert response.status_code == 302, response.context["adminform"].form.errors
    exam = Exam.objects.get(year=2030)
    assert list(exam.specialties.all()) == [specialty]
    assert exam.registration_opens.isoformat() == "2029-12-01T00:00:00+00:00"


def test_a_payment_window_closing_before_it_opens_is_refused_in_the_admin(admin_client, catalogue):
    specialty = Specialty.objects.get(code="301")
    form = _exam_form(specialty, payment_opens_0="2030-03-01")

    response = admin_client.post(reverse("admin:registration_exam_add"), form)

    assert response.status_code == 200
    assert "exam_payment_window_ordered" in str(response.context["adminform"].form.errors)
    assert not Exam.objects.filter(year=2030).exists()
