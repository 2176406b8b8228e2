"""The user admin: ID numbers only masked, found by their digest, and staff roles with their scope."""

import pytest
from django.contrib.auth.models import Group

from registration.choices import Role
from registration.models import User
from registration.services.staff import staff_user_upsert
from tests.factories.accounts import DegreeRecordFactory
from tests.factories.catalogue import DistrictFactory, RegistrationPointFactory, SiteFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registration/user/"
ID_NUMBER = "11010519491231002X"  # the candidate fixture's


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "root2026pass"))
    return client


def change_form_data(admin_client, user, **overrides):
    """What the change page would post back unchanged, with ``overrides``."""
    form = admin_client.get(f"{CHANGELIST}{user.pk}/change/").context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("groups", "user_permissions"):
            data[name] = [item.pk for item in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None and name != "password":
            data[name] = getattr(value, "pk", value)
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_the_changelist_shows_the_masked_number_role_and_scope_never_the_clear_number(admin_client, candidate):
    point = RegistrationPointFactory(name="徐汇报名点")
    staff_user_upsert(username="xh_point", role=Role.POINT_STAFF, scope=point, password="staff2026pass")

    response = admin_client.get(CHANGELIST)

    page = response.text
    assert "1101**********002X" in page
    assert "考生" in page
    assert "报名点工作人员" in page
    assert "徐汇报名点" in page
    for secret in (ID_NUMBER, ID_NUMBER[:17], ID_NUMBER[4:14]):
        assert secret not in page


@pytest.mark.parametrize("term", [ID_NUMBER, ID_NUMBER.lower(), f" {ID_NUMBER} "])
def test_searching_by_the_full_id_number_finds_the_candidate(admin_client, candidate, term):
    other = staff_user_upsert(
        username="other_staff", role=Role.SITE_REVIEWER, scope=SiteFactory(), password="staff2026pass"
    )

    response = admin_client.get(CHANGELIST, {"q": term})

    assert list(response.context["cl"].result_list) == [candidate]
    assert other not in response.context["cl"].result_list


def test_searching_by_name_or_username_still_works(admin_client, candidate):
    assert list(admin_client.get(CHANGELIST, {"q": "张三"}).context["cl"].result_list) == [candidate]
    assert list(admin_client.get(CHANGELIST, {"q": "zhang_"}).context["cl"].result_list) == [candidate]


def test_the_candidate_page_shows_identity_read_only_and_the_degree_records(admin_client, candidate):
    DegreeRecordFactory(candidate=candidate, school="复旦大学")

    response = admin_client.get(f"{CHANGELIST}{candidate.pk}/change/")

    page = response.text
    assert response.status_code == 200
    assert "1101**********002X" in page
    assert ID_NUMBER not in page
    assert "复旦大学" in page
    form = response.context["adminform"].form
    for readonly in ("name", "id_type", "gender", "birth_date", "role", "registration_point"):
        assert readonly not in form.fields
    assert "email" in form.fields


def test_a_staff_members_role_and_scope_can_be_changed(admin_client):
    staff = staff_user_upsert(
        username="xh_point", role=Role.POINT_STAFF, scope=RegistrationPointFactory(), password="staff2026pass"
    )
    site = SiteFactory()

    response = admin_client.post(
        f"{CHANGELIST}{staff.pk}/change/",
        change_form_data(admin_client, staff, role=Role.SITE_REVIEWER, registration_point=None, site=site.pk),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    staff.refresh_from_db()
    assert staff.role == Role.SITE_REVIEWER
    assert staff.site == site
    assert staff.registration_point is None


def test_a_scope_that_does_not_fit_the_role_is_explained_beside_the_fields(admin_client):
    staff = staff_user_upsert(
        username="xh_point", role=Role.POINT_STAFF, scope=RegistrationPointFactory(), password="staff2026pass"
    )

    response = admin_client.post(
        f"{CHANGELIST}{staff.pk}/change/",
        change_form_data(admin_client, staff, role=Role.FINANCE, district=None, site=SiteFactory().pk),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "registration_point": ["财务人员不设报名点，请清空。"],
        "site": ["财务人员不设考点，请清空。"],
        "district": ["财务人员须选择所属的考区。"],
    }
    staff.refresh_from_db()
    assert staff.role == Role.POINT_STAFF


def test_the_admin_adds_staff_with_their_role_group_and_scope(admin_client):
    district = DistrictFactory()

    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "username": "sh_finance",
            "password1": "staff2026pass",
            "password2": "staff2026pass",
            "name": "王五",
            "email": "",
            "role": Role.FINANCE,
            "district": district.pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    staff = User.objects.get(username="sh_finance")
    assert staff.role == Role.FINANCE
    assert staff.district == district
    assert staff.is_staff
    assert staff.check_password("staff2026pass")
    assert list(staff.groups.all()) == [Group.objects.get(name=Role.FINANCE)]


def test_the_admin_cannot_add_a_candidate(admin_client):
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {"username": "fake", "password1": "staff2026pass", "password2": "staff2026pass", "role": Role.CANDIDATE},
    )

    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="fake").exists()
