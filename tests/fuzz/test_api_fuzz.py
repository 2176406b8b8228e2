"""Schemathesis over /api/schema/: generated requests to every operation, as a candidate and as staff.

Whatever arrives, the API must answer without a server error. Each operation gets a bounded number of
examples so the run fits in CI; a failure prints the reproducing request.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.factories.accounts import CandidateFactory, token_header
from tests.factories.catalogue import ExamFactory, RegistrationPointFactory
from wecan.wsgi import application

# Loaded once at collection (drf-spectacular needs no database for it).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    # As Django's test client does: requests must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token_header(user):
    return {"Authorization": token_header(user)}


@pytest.fixture
def candidate_headers(db):
    ExamFactory()
    return _token_header(CandidateFactory())


@pytest.fixture
def staff_headers(db):
    from registration.choices import Role
    from registration.models import User

    ExamFactory()
    point = RegistrationPointFactory()
    staff = User.objects.create_user(
        username="fuzz_staff", password="fuzz-pass-2026", role=Role.POINT_STAFF, registration_point=point
    )
    return _token_header(staff)


FUZZ_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _assert_no_server_error(case, headers):
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}\n{response.text[:2000]}"
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_a_candidate_with_a_server_error(case, candidate_headers):
    _assert_no_server_error(case, candidate_headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_staff_with_a_server_error(case, staff_headers):
    _assert_no_server_error(case, staff_headers)
