"""Someone registered another person's ID number with their own e-mail. The owner appeals with a
picture of the ID card and a photo holding it; an administrator decides in the admin; approval moves
the account to the owner (their contact details, a password of their own, the other person's tokens
and sessions gone), and the decision is recorded."""

import pytest
from django.core import mail
from django.urls import reverse

from registration.choices import IdType, Role
from registration.models import AppealStatus, IdentityAppeal, User
from tests.factories.accounts import CANDIDATE_PASSWORD, CandidateFactory, api_token, resident_id_number
from tests.factories.catalogue import DistrictFactory
from tests.files.helpers import upload, use_private_storage
from tests.files.images import material_jpeg, png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("captcha_test_mode", "private_storage")]

HIJACKED = "11010519491231002X"  # registered by the squatter below


@pytest.fixture
def private_storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def squatter(db):
    """Registered the victim's ID number under their own e-mail."""
    return CandidateFactory(username="squatter", id_number=HIJACKED, name="张三", email="squatter@example.com")


@pytest.fixture
def administrator(db):
    return User.objects.create_superuser("root", "root@example.com", "root2026pass")


def appeal_form(**overrides):
    body = {
        "name": "张三",
        "id_type": IdType.RESIDENT_ID,
        "id_number": HIJACKED.lower(),
        "email": "owner@example.com",
        "mobile": "13700001111",
        "statement": "我从未注册过账号。",
        "id_card": upload(material_jpeg(seed=11), name="card.jpg"),
        "holding_photo": upload(material_jpeg(seed=12), name="holding.jpg"),
        "captcha_0": "any-key",
        "captcha_1": "PASSED",
    }
    body.update(overrides)
    return body


def submit(client, **overrides):
    return client.post(reverse("identity_appeal"), appeal_form(**overrides))


def test_the_owner_submits_an_appeal_with_both_pictures(client, squatter, settings):
    response = submit(client)

    assert response.status_code == 302
    assert response.url == reverse("identity_appeal_done")
    appeal = IdentityAppeal.objects.get()
    assert appeal.account == squatter
    assert appeal.status == AppealStatus.PENDING
    assert (appeal.email, appeal.mobile) == ("owner@example.com", "13700001111")
    squatter.refresh_from_db()
    assert squatter.email == "squatter@example.com", "nothing moves before an administrator decides"


def test_the_registration_page_links_to_the_appeal(client):
    assert reverse("identity_appeal") in client.get(reverse("register")).text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_card": upload(png_bytes(), name="card.jpg", content_type="image/jpeg")}, "id_card"),
        ({"holding_photo": upload(b"not an image at all" * 1000, name="x.jpg")}, "holding_photo"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"email": "not-an-address"}, "email"),
        ({"captcha_1": "WRONG"}, "captcha"),
    ],
)
def test_a_bad_appeal_is_refused_beside_the_field(client, squatter, overrides, field, monkeypatch):
    if field == "captcha":
        from captcha.conf import settings as captcha_settings

        monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    response = submit(client, **overrides)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not IdentityAppeal.objects.exists()


def test_an_unregistered_number_needs_no_appeal(client, squatter):
    response = submit(client, id_number=resident_id_number())

    assert "尚未注册" in response.context["form"].errors["id_number"][0]


@pytest.fixture
def staff_member(db):
    """A district reviewer: staff of the admin, but no administrator."""
    return User.objects.create_user(
        "sh_district_x",
        password="staff2026pass",
        is_staff=True,
        role=Role.DISTRICT_REVIEWER,
        district=DistrictFactory(),
    )


def decide(client, appeal, decision, note=""):
    url = reverse("admin:registration_identityappeal_change", args=[appeal.pk])
    return client.post(url, {"decision": decision, "decision_note": note})


def test_approval_moves_the_account_to_its_owner_and_ends_the_squatters_access(
    client, api_client, squatter, administrator, django_capture_on_commit_callbacks
):
    submit(client)
    appeal = IdentityAppeal.objects.get()
    squatter_token = api_token(squatter)
    squatter_browser = client_for(squatter)
    client.force_login(administrator)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, appeal, "approve", "证件与手持照片一致")

    assert response.status_code == 302
    appeal.refresh_from_db()
    squatter.refresh_from_db()
    assert appeal.status == AppealStatus.APPROVED
    assert appeal.decided_by == administrator and appeal.decided_at is not None
    assert appeal.decision_note == "证件与手持照片一致"
    assert (appeal.replaced_email, appeal.replaced_mobile) == ("squatter@example.com", "13812341234")
    assert (squatter.email, squatter.mobile) == ("owner@example.com", "13700001111")
    # The squatter's password, token and session no longer work.
    assert not squatter.check_password(CANDIDATE_PASSWORD)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {squatter_token}")
    assert api_client.get("/api/v1/me/").status_code == 401
    assert squatter_browser.get(reverse("degrees")).status_code == 302
    # The owner is mailed a link to set a password, and then signs in by ID number.
    (message,) = mail.outbox
    assert message.to == ["owner@example.com"]
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    owner = client_for(None)
    form_page = owner.get(link[link.index("/accounts/reset/") :], follow=True)
    done = owner.post(
        form_page.redirect_chain[-1][0], {"new_password1": "owner2026pass", "new_password2": "owner2026pass"}
    )
    assert done.status_code == 302
    signed_in = api_client.post("/api/v1/auth/token/", {"login": HIJACKED, "password": "owner2026pass"}, format="json")
    assert signed_in.status_code == 200


def client_for(user):
    from django.test import Client

    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser


def test_rejection_needs_a_reason_and_leaves_the_account_alone(client, squatter, administrator):
    submit(client)
    appeal = IdentityAppeal.objects.get()
    client.force_login(administrator)

    without_reason = decide(client, appeal, "reject")
    with_reason = decide(client, appeal, "reject", "手持照片看不清证件号码")

    assert without_reason.status_code == 200
    assert with_reason.status_code == 302
    appeal.refresh_from_db()
    squatter.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED
    assert squatter.email == "squatter@example.com"
    assert squatter.check_password(CANDIDATE_PASSWORD)


def test_a_decided_appeal_cannot_be_decided_again(client, squatter, administrator):
    submit(client)
    appeal = IdentityAppeal.objects.get()
    client.force_login(administrator)
    decide(client, appeal, "reject", "材料不符")

    decide(client, appeal, "approve")

    squatter.refresh_from_db()
    assert squatter.email == "squatter@example.com"
    assert IdentityAppeal.objects.get().status == AppealStatus.REJECTED


def test_only_administrators_see_appeals_and_their_pictures(client, squatter, administrator, staff_member):
    submit(client)
    appeal = IdentityAppeal.objects.get()
    picture = reverse("admin:registration_identityappeal_picture", args=[appeal.pk, "holding"])

    client.force_login(administrator)
    assert client.get(picture).status_code == 200
    assert client.get(reverse("admin:registration_identityappeal_changelist")).status_code == 200

    client.force_login(squatter)
    assert client.get(picture).status_code == 302  # to the admin's login
    client.force_login(staff_member)
    assert client.get(picture).status_code == 403
    assert client.get(reverse("admin:registration_identityappeal_changelist")).status_code == 403
