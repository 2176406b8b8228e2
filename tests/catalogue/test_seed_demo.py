import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from registration.choices import Role
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
    User,
)

pytestmark = pytest.mark.django_db

STAFF = {
    "sh_point": (Role.POINT_STAFF, "SH"),
    "sh_site": (Role.SITE_REVIEWER, "SH"),
    "sh_district": (Role.DISTRICT_REVIEWER, "SH"),
    "sh_finance": (Role.FINANCE, "SH"),
    "bj_point": (Role.POINT_STAFF, "BJ"),
    "bj_site": (Role.SITE_REVIEWER, "BJ"),
    "bj_district": (Role.DISTRICT_REVIEWER, "BJ"),
    "bj_finance": (Role.FINANCE, "BJ"),
    "sx_point": (Role.POINT_STAFF, "SX"),
    "sx_site": (Role.SITE_REVIEWER, "SX"),
    "sx_district": (Role.DISTRICT_REVIEWER, "SX"),
    "sx_finance": (Role.FINANCE, "SX"),
}
MODELS = [
    Exam,
    District,
    DistrictFee,
    City,
    Site,
    RegistrationPoint,
    Specialty,
    Subject,
    MaterialSlot,
    Unit,
    EligibilityRule,
    User,
    Group,
]


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["exam specialties"] = Exam.specialties.through.objects.count()
    counts["user groups"] = User.groups.through.objects.count()
    return counts


def test_seed_demo_twice_gives_the_same_rows():
    _seed()
    first = _counts()
    _seed()

    assert _counts() == first
    assert first["Exam"] == 1
    assert first["District"] == 3
    assert first["City"] == first["Site"] == first["RegistrationPoint"] == 3
    assert first["DistrictFee"] == 9
    assert first["MaterialSlot"] == 30
    assert first["User"] == 13
    assert first["exam specialties"] == first["Specialty"] == 88


def test_the_demo_exam_windows_are_all_open_today():
    _seed()
    exam = Exam.objects.get()
    now = timezone.now()
    today = timezone.localdate()

    assert exam.year == today.year
    assert exam.work_years_cutoff == datetime.date(today.year - 1, 12, 31)
    assert exam.registration_opens <= now < exam.registration_closes
    assert now < exam.confirmation_deadline
    assert exam.payment_opens <= now < exam.payment_closes
    assert exam.ticket_opens <= now < exam.ticket_closes
    assert exam.exam_date > today


def test_the_demo_exam_takes_photos_of_20_to_45_kb_even_if_made_before():
    """Seed 003 line 639: "文件大小必须在 20kb—45kb 之间"."""
    _seed()
    Exam.objects.update(photo_max_bytes=200 * 1024)
    _seed()
    exam = Exam.objects.get()
    assert (exam.photo_min_bytes, exam.photo_max_bytes) == (20 * 1024, 45 * 1024)


def test_a_later_run_moves_the_windows_to_the_new_day():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        _seed()
    with time_machine.travel(datetime.datetime(2027, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        _seed()
        exam = Exam.objects.get()
        assert exam.registration_opens <= timezone.now() < exam.registration_closes
        assert exam.exam_date > timezone.localdate()


def test_districts_have_their_ways_of_confirming_and_paying_and_their_fees():
    _seed()
    shanghai = District.objects.get(code="SH")
    beijing = District.objects.get(code="BJ")

    assert (shanghai.name, shanghai.online_confirmation, shanghai.online_payment, shanghai.history_auto_confirm) == (
        "上海",
        True,
        True,
        True,
    )
    assert (beijing.name, beijing.online_confirmation, beijing.online_payment, beijing.history_auto_confirm) == (
        "北京",
        False,
        True,
        False,
    )
    shanxi = District.objects.get(code="SX")
    # Seed 002 line 47: "未开通网上缴费的考区,【资格审核】节点变为绿色即表示报名成功。"
    assert (shanxi.name, shanxi.online_confirmation, shanxi.online_payment) == ("山西", False, False)
    for district in (shanghai, beijing, shanxi):
        fees = dict(district.fees.values_list("level", "fee_per_subject"))
        assert fees == {"初级(士)": Decimal("75.00"), "初级(师)": Decimal("75.00"), "中级": Decimal("95.00")}
        assert RegistrationPoint.objects.filter(site__city__district=district).count() == 1
        assert Unit.objects.filter(province=district.name).count() >= 3
    assert shanghai.material_slots.count() == 30
    assert not beijing.material_slots.exists()


def test_every_staff_account_has_its_role_and_the_scope_of_its_district():
    _seed()

    for username, (role, district_code) in STAFF.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
        if role == Role.POINT_STAFF:
            assert user.registration_point.site.city.district.code == district_code
            assert (user.site, user.district) == (None, None)
        elif role == Role.SITE_REVIEWER:
            assert user.site.city.district.code == district_code
            assert (user.registration_point, user.district) == (None, None)
        else:
            assert user.district.code == district_code
            assert (user.registration_point, user.site) == (None, None)

    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.is_superuser and admin.is_staff
    assert (admin.registration_point, admin.site, admin.district) == (None, None, None)


def _admin_login(client, username: str, password: str) -> bool:
    """Signs in through the admin's login page, as a staff member would."""
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return response.status_code == 302 and response.url == "/admin/"


def test_password_option_sets_every_password(client):
    _seed()
    _seed("--password", "another-pass-42")

    for username in [*STAFF, "admin"]:
        assert _admin_login(client, username, "another-pass-42"), username
        assert client.get("/admin/").status_code == 200
        client.logout()
    assert not _admin_login(client, "sh_point", "demo-pass-2026")


def test_the_default_password_is_the_documented_one(client):
    output = _seed()

    assert _admin_login(client, "bj_finance", "demo-pass-2026")
    assert "demo-pass-2026" in output
    for username in [*STAFF, "admin"]:
        assert username in output


def test_a_weak_password_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError, match="password"):
        _seed("--password", "123")

    assert not Exam.objects.exists()
    assert not User.objects.exists()


def test_demo_staff_can_use_the_admin_to_read_the_catalogue(client):
    _seed()
    assert _admin_login(client, "sh_point", "demo-pass-2026")

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/registration/specialty/").status_code == 200
    assert client.get("/admin/registration/specialty/add/").status_code == 403
