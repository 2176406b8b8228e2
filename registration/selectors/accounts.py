"""Reads about accounts: finding a user by the login they typed, a candidate's degree records."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone

from registration.models import DegreeRecord, User
from registration.pii import typed_id_number_digest


def user_get_by_login(*, login: str) -> User | None:
    """The account whose username is ``login``, else the one whose ID number it is; ``None`` if neither."""
    login = login.strip()
    if not login:
        return None
    user = User.objects.filter(username=login).first()
    if user is None:
        user = User.objects.filter(id_number_digest=typed_id_number_digest(login)).first()
    return user


def login_failures_from(*, address: str) -> int:
    """Failed logins from ``address`` that still count (within django-axes' cool-off), any account."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return failures or 0


def user_id_number_taken(*, id_number: str) -> bool:
    return User.objects.filter(id_number_digest=typed_id_number_digest(id_number)).exists()


def user_username_taken(*, username: str) -> bool:
    # Case-blind, so that no two accounts differ only by the case of their usernames.
    return User.objects.filter(username__iexact=username).exists()


def degree_record_list(*, candidate: User) -> QuerySet[DegreeRecord]:
    """The candidate's degree records, the latest graduation first."""
    return DegreeRecord.objects.filter(candidate=candidate).order_by("-graduation_date", "id")
