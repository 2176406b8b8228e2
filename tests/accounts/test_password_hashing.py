"""Passwords are hashed with Argon2id at OWASP's parameters or stronger, and older hashes are
upgraded when their owner next signs in. The rest of the suite hashes with MD5 for speed (see
tests/conftest.py); these tests put the project's own hasher list back."""

import argon2
import pytest
from django.contrib.auth.hashers import get_hasher, make_password
from django.urls import reverse

from registration.hashers import Argon2idPasswordHasher
from tests.factories.accounts import CANDIDATE_PASSWORD
from wecan import settings as project_settings

pytestmark = pytest.mark.django_db

OWASP_MEMORY_KIB = 19 * 1024
OWASP_ITERATIONS = 2


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def argon2_parameters(encoded: str) -> argon2.Parameters:
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    return argon2.extract_parameters("$" + rest)


def test_the_first_hasher_is_argon2id_with_at_least_owasps_parameters(production_hashers):
    assert project_settings.PASSWORD_HASHERS[0] == "registration.hashers.Argon2idPasswordHasher"
    hasher = get_hasher("default")
    assert isinstance(hasher, Argon2idPasswordHasher)

    parameters = argon2_parameters(make_password("another2026pass"))

    assert parameters.type is argon2.Type.ID
    assert parameters.memory_cost >= OWASP_MEMORY_KIB
    assert parameters.time_cost >= OWASP_ITERATIONS
    assert parameters.parallelism >= 1


def test_the_older_hashers_still_read_existing_hashes():
    hashers = project_settings.PASSWORD_HASHERS
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers[1:]


@pytest.mark.parametrize("how", ["page", "api"])
def test_a_pbkdf2_hash_is_upgraded_to_argon2id_at_login(client, api_client, candidate, production_hashers, how):
    candidate.password = make_password(CANDIDATE_PASSWORD, hasher="pbkdf2_sha256")
    candidate.save(update_fields=["password"])

    if how == "page":
        response = client.post(reverse("login"), {"username": "zhang_san", "password": CANDIDATE_PASSWORD})
        assert response.status_code == 302
    else:
        response = api_client.post(
            "/api/v1/auth/token/", {"login": "zhang_san", "password": CANDIDATE_PASSWORD}, format="json"
        )
        assert response.status_code == 200

    candidate.refresh_from_db()
    parameters = argon2_parameters(candidate.password)
    assert parameters.type is argon2.Type.ID
    assert parameters.memory_cost == Argon2idPasswordHasher.memory_cost
    assert candidate.check_password(CANDIDATE_PASSWORD)


def test_a_wrong_password_upgrades_nothing(client, candidate, production_hashers):
    old = make_password(CANDIDATE_PASSWORD, hasher="pbkdf2_sha256")
    candidate.password = old
    candidate.save(update_fields=["password"])

    client.post(reverse("login"), {"username": "zhang_san", "password": "wrong2026pass"})

    candidate.refresh_from_db()
    assert candidate.password == old
