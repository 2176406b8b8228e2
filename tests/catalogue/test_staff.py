import pytest
from django.contrib.auth.models import Group

from registration.choices import Role
from registration.models import User
from registration.pii import id_number_digest
from registration.services.staff import ROLE_PERMISSIONS, staff_group_sync, staff_user_upsert
from tests.factories.catalogue import DistrictFactory, RegistrationPointFactory, SiteFactory
from wecan.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db

PASSWORD = "staff-pass-2026"


@pytest.mark.parametrize(
    ("role", "scope_factory"),
    [
        (Role.POINT_STAFF, SiteFactory),
        (Role.POINT_STAFF, None),
        (Role.SITE_REVIEWER, DistrictFactory),
        (Role.SITE_REVIEWER, RegistrationPointFactory),
        (Role.DISTRICT_REVIEWER, SiteFactory),
        (Role.FINANCE, None),
        (Role.ADMINISTRATOR, DistrictFactory),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused(role, scope_factory):
    scope = scope_factory() if scope_factory else None

    with pytest.raises(InvalidInput) as error:
        staff_user_upsert(username="someone", role=role, scope=scope, password=PASSWORD)

    assert "scope" in error.value.fields
    assert not User.objects.filter(username="someone").exists()


def test_candidates_are_not_created_here():
    with pytest.raises(InvalidInput) as error:
        staff_user_upsert(username="someone", role=Role.CANDIDATE, scope=None, password=PASSWORD)

    assert "role" in error.value.fields


def test_only_an_administrator_can_be_a_superuser():
    with pytest.raises(InvalidInput) as error:
        staff_user_upsert(
            username="boss", role=Role.FINANCE, scope=DistrictFactory(), password=PASSWORD, is_superuser=True
        )

    assert "is_superuser" in error.value.fields


def test_a_candidate_account_is_never_turned_into_staff():
    User.objects.create(username="zhangsan", name="张三", id_number_digest=id_number_digest("110101199003077777"))

    with pytest.raises(Conflict):
        staff_user_upsert(username="zhangsan", role=Role.SITE_REVIEWER, scope=SiteFactory(), password=PASSWORD)

    assert User.objects.get(username="zhangsan").role == Role.CANDIDATE


def test_a_weak_password_is_refused():
    with pytest.raises(InvalidInput) as error:
        staff_user_upsert(username="someone", role=Role.ADMINISTRATOR, scope=None, password="12345678")

    assert "password" in error.value.fields
    assert not User.objects.exists()


def test_upsert_moves_an_account_to_its_new_role_scope_and_group():
    point = RegistrationPointFactory()
    district = DistrictFactory()
    user = staff_user_upsert(username="li", role=Role.POINT_STAFF, scope=point, password=PASSWORD)

    again = staff_user_upsert(username="li", role=Role.FINANCE, scope=district, password="new-pass-2026", name="李四")

    user.refresh_from_db()
    assert again.pk == user.pk
    assert (user.role, user.registration_point, user.district, user.name) == (Role.FINANCE, None, district, "李四")
    assert list(user.groups.values_list("name", flat=True)) == [Role.FINANCE]
    assert user.check_password("new-pass-2026")


def test_an_account_keeps_groups_that_are_not_role_groups():
    extra = Group.objects.create(name="reporting")
    user = staff_user_upsert(username="wang", role=Role.SITE_REVIEWER, scope=SiteFactory(), password=PASSWORD)
    user.groups.add(extra)

    staff_user_upsert(username="wang", role=Role.DISTRICT_REVIEWER, scope=DistrictFactory(), password=PASSWORD)

    assert set(user.groups.values_list("name", flat=True)) == {"reporting", Role.DISTRICT_REVIEWER}


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_group_holds_exactly_its_permissions(role):
    group = staff_group_sync(role=role)
    group.permissions.clear()
    group = staff_group_sync(role=role)

    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert held == set(ROLE_PERMISSIONS[role])
    assert "registration.view_specialty" in held
