"""Appeals by the owner of an ID number that someone else registered (证件号码被冒用申诉).

Verifying an e-mail does not stop anyone from registering another person's ID number (they verify
their own address). What the owner gets instead is a way back: they upload a picture of the ID card
and a photo of themselves holding it; an administrator compares them and decides; approval moves the
account to the owner: their e-mail and mobile, every token and session of the other person ended,
and a link to set their own password, sent to their address.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from registration import private_files
from registration.choices import IdType
from registration.identity import parse_id_number, validate_person_name
from registration.imaging import ImageRules, check_photo
from registration.models import AppealStatus, IdentityAppeal, User
from registration.pii import typed_id_number_digest
from registration.services.accounts import Errors, _email_errors, _mobile_errors
from wecan.errors import InvalidInput, InvalidState

# Phone pictures of a card: any size a phone takes, JPEG, within the upload cap.
_MIN_PICTURE_BYTES = 10 * 1024


def _picture_rules() -> ImageRules:
    return ImageRules(
        min_bytes=_MIN_PICTURE_BYTES,
        max_bytes=settings.UPLOAD_MAX_FILE_BYTES,
        max_pixels=settings.UPLOAD_MAX_PIXELS,
        min_width=300,
        min_height=300,
        modes=frozenset({"RGB", "L"}),
    )


def _picture_key(kind: str) -> str:
    return f"appeals/{uuid.uuid4().hex}/{kind}.jpg"


@sensitive_variables("id_number")
def identity_appeal_submit(
    *,
    name: str,
    id_type: str,
    id_number: str,
    email: str,
    mobile: str,
    statement: str,
    id_card: bytes,
    holding_photo: bytes,
) -> IdentityAppeal:
    """Records an appeal against the account registered with ``id_number``, or raises ``InvalidInput``
    naming every wrong field (a number nobody registered is one: its owner can simply register).

    Both pictures are checked by content and stored re-encoded, without their metadata (a phone's
    location among it), in private storage.
    """
    errors: Errors = {}
    display_name = ""
    if not name.strip():
        errors["name"] = [_("请填写姓名。")]
    else:
        try:
            display_name = validate_person_name(name)
        except ValidationError as error:
            errors["name"] = error.messages
    account = None
    if id_type not in IdType.values:
        errors["id_type"] = [_("请选择证件类型。")]
    else:
        try:
            facts = parse_id_number(id_type, id_number)
        except ValidationError as error:
            errors["id_number"] = error.messages
        else:
            account = User.objects.filter(id_number_digest=typed_id_number_digest(facts.number)).first()
            if account is None:
                errors["id_number"] = [_("该证件号码尚未注册账号，无需申诉，可直接注册。")]
    email = User.objects.normalize_email(email.strip())
    if email_errors := _email_errors(email):
        errors["email"] = email_errors
    if mobile_errors := _mobile_errors(mobile.strip()):
        errors["mobile"] = mobile_errors
    if len(statement) > 500:
        errors["statement"] = [_("情况说明不能超过500个字。")]
    pictures: dict[str, bytes] = {}
    for field, data in (("id_card", id_card), ("holding_photo", holding_photo)):
        verdict = check_photo(data, _picture_rules())
        if verdict.accepted:
            pictures[field] = verdict.output
        else:
            errors[field] = [verdict.reason]
    if errors or account is None:
        raise InvalidInput(fields=errors)

    appeal = IdentityAppeal(
        account=account,
        name=display_name,
        email=email,
        mobile=mobile.strip(),
        statement=statement.strip(),
        id_card_key=_picture_key("id-card"),
        holding_photo_key=_picture_key("holding"),
    )
    appeal.full_clean()
    private_files.put(appeal.id_card_key, pictures["id_card"])
    private_files.put(appeal.holding_photo_key, pictures["holding_photo"])
    try:
        with transaction.atomic():
            appeal.save()
    except Exception:
        private_files.delete(appeal.id_card_key, appeal.holding_photo_key)
        raise
    return appeal


def _locked_pending(appeal_id: int) -> IdentityAppeal:
    appeal = IdentityAppeal.objects.select_for_update().get(pk=appeal_id)
    if appeal.status != AppealStatus.PENDING:
        raise InvalidState(_("该申诉已处理。"))
    return appeal


def identity_appeal_approve(*, appeal_id: int, actor: User, note: str = "") -> IdentityAppeal:
    """Moves the account to the appellant, in one transaction: their e-mail and mobile replace the
    account's, the password is replaced by a random one (which ends every session and API token of
    whoever held the account), and the appeal records who decided, when, and what was replaced. The
    appellant is then mailed a link to set their own password. Other pending appeals against the same
    account stay pending for the administrator to reject."""
    with transaction.atomic():
        appeal = _locked_pending(appeal_id)
        account = User.objects.select_for_update().get(pk=appeal.account_id)
        appeal.replaced_email, appeal.replaced_mobile = account.email, account.mobile
        account.email, account.mobile = appeal.email, appeal.mobile
        account.set_password(secrets.token_urlsafe(32))
        account.full_clean(validate_unique=False, validate_constraints=False)
        account.save()
        appeal.status = AppealStatus.APPROVED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, timezone.now(), note.strip()
        appeal.full_clean()
        appeal.save()
        # A mail server that is away is logged; the owner can still ask for a reset link themselves.
        transaction.on_commit(lambda: _send_account_returned(account_id=account.pk), robust=True)
    return appeal


def identity_appeal_reject(*, appeal_id: int, actor: User, note: str) -> IdentityAppeal:
    """Rejects the appeal with the reason (required); the account is left as it is."""
    if not note.strip():
        raise InvalidInput(fields={"decision_note": [_("驳回时请填写理由。")]})
    with transaction.atomic():
        appeal = _locked_pending(appeal_id)
        appeal.status = AppealStatus.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, timezone.now(), note.strip()
        appeal.full_clean()
        appeal.save()
    return appeal


def _send_account_returned(*, account_id: int) -> None:
    account = User.objects.get(pk=account_id)
    uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    body = _(
        "%(name)s，您好：\n\n您提交的证件号码被冒用申诉已核实通过，该证件号码的账号（用户名 %(username)s）"
        "现已归您使用，原有的登录均已失效。请打开下面的链接设置您自己的密码：\n\n%(link)s\n\n"
        "之后可用用户名或证件号码登录。"
    ) % {"name": account.name, "username": account.username, "link": settings.WECAN_PUBLIC_URL + path}
    send_mail(_("账号已归还，请设置密码"), body, None, [account.email])
