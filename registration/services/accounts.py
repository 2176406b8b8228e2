"""Writes about accounts: registering a candidate, their degree records, signing in over the API."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from knox.models import AuthToken

from registration.choices import Degree, IdType, Role
from registration.identity import IdentityFacts, parse_id_number, validate_person_name
from registration.models import DegreeRecord, User
from registration.pii import encrypt_id_number, id_number_digest, mask_id_number
from registration.selectors.accounts import user_id_number_taken, user_username_taken
from wecan.errors import InvalidInput

_USERNAME = re.compile(r"[A-Za-z0-9_]{4,30}")
_MOBILE = re.compile(r"1\d{10}")

Errors = dict[str, list[str]]


def _username_errors(username: str) -> list[str]:
    if not username:
        return [_("请填写用户名。")]
    if not _USERNAME.fullmatch(username):
        return [_("用户名只能包含字母、数字和下划线，长度为4至30个字符。")]
    if _looks_like_id_number(username):
        # Login takes a username or an ID number, so a username must never read as someone's ID number.
        return [_("用户名不能是证件号码的格式，请另取一个。")]
    if user_username_taken(username=username):
        return [_("该用户名已被注册，请另取一个。")]
    return []


def _looks_like_id_number(text: str) -> bool:
    for id_type in IdType.values:
        try:
            parse_id_number(id_type, text)
        except ValidationError:
            continue
        return True
    return False


def _email_errors(email: str) -> list[str]:
    if not email:
        return [_("请填写电子邮箱，找回密码时要用到它。")]
    try:
        validate_email(email)
    except ValidationError:
        return [_("请填写有效的电子邮箱地址。")]
    return []


def _mobile_errors(mobile: str) -> list[str]:
    if not mobile:
        return [_("请填写手机号码。")]
    if not _MOBILE.fullmatch(mobile):
        return [_("手机号码应为以1开头的11位数字。")]
    return []


def _duplicate_id_number_message() -> str:
    return _("该证件号码已注册过账号，请直接登录；忘记密码可通过电子邮箱找回。")


@sensitive_variables("password", "id_number", "facts", "user")
def candidate_register(
    *, username: str, password: str, name: str, id_type: str, id_number: str, email: str, mobile: str
) -> User:
    """Creates a candidate account, or raises ``InvalidInput`` naming every field that is wrong.

    The ID number is kept only encrypted, as a keyed digest of its normalised form and masked; gender
    and birth date come from the number where it carries them, nationality from the ID type. There is
    one account per ID number, however it is spelt (``x`` or ``X``) and however close together two
    registrations arrive: the later one gets the ``id_number`` field error.
    """
    username = username.strip()
    email = User.objects.normalize_email(email.strip())
    mobile = mobile.strip()
    errors: Errors = {}

    if username_errors := _username_errors(username):
        errors["username"] = username_errors

    display_name = ""
    if not name.strip():
        errors["name"] = [_("请填写姓名。")]
    else:
        try:
            display_name = validate_person_name(name)
        except ValidationError as error:
            errors["name"] = error.messages

    facts: IdentityFacts | None = None
    if id_type not in IdType.values:
        errors["id_type"] = [_("请选择证件类型。")]
    else:
        try:
            facts = parse_id_number(id_type, id_number)
        except ValidationError as error:
            errors["id_number"] = error.messages
        else:
            if user_id_number_taken(id_number=facts.number):
                errors["id_number"] = [_duplicate_id_number_message()]

    if email_errors := _email_errors(email):
        errors["email"] = email_errors
    if mobile_errors := _mobile_errors(mobile):
        errors["mobile"] = mobile_errors

    if not password:
        errors["password"] = [_("请设置密码。")]
    else:
        try:
            validate_password(password, user=User(username=username, email=email, name=display_name))
        except ValidationError as error:
            errors["password"] = error.messages

    if errors or facts is None:
        raise InvalidInput(fields=errors)

    user = User(
        username=username,
        name=display_name,
        id_type=facts.id_type,
        id_number_ciphertext=encrypt_id_number(facts.number),
        id_number_digest=id_number_digest(facts.number),
        id_number_masked=mask_id_number(facts.number),
        gender=facts.gender or "",
        birth_date=facts.birth_date,
        nationality=facts.nationality,
        email=email,
        mobile=mobile,
        role=Role.CANDIDATE,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            # Uniqueness is checked above in words and enforced below by the database's constraints.
            user.full_clean(validate_unique=False)
            user.save()
    except ValidationError as error:
        raise InvalidInput(fields=_registration_fields(error)) from None
    except IntegrityError:
        # Another registration of this number (or username) committed since the checks above.
        taken = _taken_fields(username=username, id_number=facts.number)
        if not taken:
            raise
        raise InvalidInput(fields=taken) from None
    return user


def _registration_fields(error: ValidationError) -> Errors:
    """The model's field names as the registration form knows them."""
    renamed = {"id_number_digest": "id_number", "__all__": "non_field_errors"}
    return {renamed.get(field, field): messages for field, messages in error.message_dict.items()}


def _taken_fields(*, username: str, id_number: str) -> Errors:
    fields: Errors = {}
    if user_id_number_taken(id_number=id_number):
        fields["id_number"] = [_duplicate_id_number_message()]
    if user_username_taken(username=username):
        fields["username"] = [_("该用户名已被注册，请另取一个。")]
    return fields


# Signed in on this many devices at once at most; a further sign-in ends the oldest.
LIVE_TOKENS_PER_ACCOUNT = 10


@dataclass(frozen=True)
class IssuedToken:
    key: str
    expires_at: datetime.datetime


def user_token_issue(*, user: User) -> IssuedToken:
    """A new API token for ``user``, valid for ``API_TOKEN_TTL``; only its digest is stored, so the key
    exists nowhere but in this answer. The user's expired tokens are cleared on the way."""
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        token, key = AuthToken.objects.create(user=user, expiry=settings.API_TOKEN_TTL)
        # Each request checks the caller's other tokens too (knox), so an account keeps only its newest few.
        kept = AuthToken.objects.filter(user=user).order_by("-created").values("pk")[:LIVE_TOKENS_PER_ACCOUNT]
        AuthToken.objects.filter(user=user).exclude(pk__in=kept).delete()
    return IssuedToken(key=key, expires_at=token.expiry)


def user_token_revoke(*, token: AuthToken) -> None:
    """The token stops working at once (sign-out from the API)."""
    AuthToken.objects.filter(pk=token.pk).delete()


def _label(model: type[models.Model], field: str) -> str:
    return str(getattr(model._meta.get_field(field), "verbose_name", field))


def degree_record_create(
    *,
    candidate: User,
    education: str,
    certificate_number: str,
    school: str,
    graduation_date: datetime.date,
    training_mode: str,
    major: str,
    degree: str = Degree.NONE,
    degree_certificate_number: str = "",
) -> DegreeRecord:
    """Adds a degree record (学历学位信息) to the candidate, or raises ``InvalidInput`` for every bad field.

    The graduation date is not in the future; a degree certificate number is given exactly when the
    degree is not 无.
    """
    record = DegreeRecord(
        candidate=candidate,
        education=education,
        certificate_number=certificate_number.strip(),
        school=school.strip(),
        graduation_date=graduation_date,
        training_mode=training_mode,
        major=major.strip(),
        degree=degree or Degree.NONE,
        degree_certificate_number=degree_certificate_number.strip(),
    )
    errors: Errors = {}
    for field in ("education", "training_mode"):
        if not getattr(record, field):
            errors[field] = [_("请选择%(field)s。") % {"field": _label(DegreeRecord, field)}]
    for field in ("certificate_number", "school", "major"):
        if not getattr(record, field):
            errors[field] = [_("请填写%(field)s。") % {"field": _label(DegreeRecord, field)}]
    if record.graduation_date > timezone.localdate():
        errors["graduation_date"] = [_("毕业时间不能晚于今天。")]
    if record.degree != Degree.NONE and not record.degree_certificate_number:
        errors["degree_certificate_number"] = [_("有学位时请填写学位证书编号。")]
    elif record.degree == Degree.NONE and record.degree_certificate_number:
        errors["degree_certificate_number"] = [_("学位为“无”时不填写学位证书编号。")]

    try:
        # Fields already refused above are left out, so each field carries one clear message.
        record.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidInput(fields=errors)

    with transaction.atomic():
        record.save()
    return record
