"""Factories of accounts. Candidates register through ``candidate_register``, as on the portal."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from knox.models import AuthToken

from registration.choices import Degree, Education, IdType, TrainingMode
from registration.identity import mod11_2_check_character
from registration.models import DegreeRecord, User
from registration.services.accounts import candidate_register

CANDIDATE_PASSWORD = "wecan2026pass"


def api_token(user: User) -> str:
    """A working API token for ``user``, stored as the sign-in endpoint stores it but valid for ten years:
    tests travel in time across an exam's windows, far past a real token's expiry."""
    _token, key = AuthToken.objects.create(user=user, expiry=datetime.timedelta(days=3650))
    return key


def token_header(user: User) -> str:
    """The ``Authorization`` header value that signs ``user`` in to the API."""
    return f"Token {api_token(user)}"


def with_check_character(first_17: str) -> str:
    return first_17 + mod11_2_check_character(first_17)


def resident_id_number(
    *, region: str = "310101", born: datetime.date = datetime.date(1990, 1, 1), sequence: int = 123
) -> str:
    """A valid 18-digit number: region, birth date, a three-digit sequence (odd: male) and its check."""
    return with_check_character(f"{region}{born:%Y%m%d}{sequence % 1000:03d}")


class CandidateFactory(factory.Factory):
    """A registered candidate; ``CandidateFactory.build_kwargs()`` gives what the registration takes."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"candidate_{n}")
    password = CANDIDATE_PASSWORD
    name = "张三"
    id_type = IdType.RESIDENT_ID
    id_number = factory.Sequence(lambda n: resident_id_number(sequence=n))
    email = factory.LazyAttribute(lambda candidate: f"{candidate.username}@example.com")
    mobile = "13812341234"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return candidate_register(**kwargs)

    @classmethod
    def build_kwargs(cls, **overrides: Any) -> dict[str, Any]:
        return factory.build(dict, FACTORY_CLASS=cls, **overrides)


class DegreeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DegreeRecord

    candidate = factory.SubFactory(CandidateFactory)
    education = Education.BACHELOR
    certificate_number = factory.Sequence(lambda n: f"1028{n:014d}")
    school = "复旦大学"
    graduation_date = datetime.date(2015, 7, 1)
    training_mode = TrainingMode.FULL_TIME
    major = "临床医学"
    degree = Degree.BACHELOR
    degree_certificate_number = factory.Sequence(lambda n: f"10246{n:013d}")
