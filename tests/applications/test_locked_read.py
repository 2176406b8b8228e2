"""The application a write locks is read by a statement built once (wecan/joined_rows.py): it must give
what the ORM's ``select_for_update().select_related()`` gives, and lock what it locks."""

import psycopg2
import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from registration.models.application import Application
from registration.services.applications import _locked
from tests.orm_rows import assert_loaded_as_the_orm_loads
from wecan.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_id(draft):
    return draft["id"]


def test_the_locked_application_is_the_orm_s_row_with_its_exam_district_and_degree(
    api, draft_id, sections, django_assert_num_queries
):
    """Field by field and type by type (SQLite gives dates, decimals and booleans in its own form),
    the related rows attached so that reading them asks nothing more."""
    response = api.put(f"/api/v1/applications/{draft_id}/sections/education/", sections["education"], format="json")
    assert response.status_code == 200, response.json()
    stored = Application.objects.select_related("exam", "district", "degree_record").get(pk=draft_id)

    with transaction.atomic(), django_assert_num_queries(1):
        application = _locked(draft_id, "degree_record")
        related = (application.exam, application.district, application.degree_record)

    assert_loaded_as_the_orm_loads(application, stored)
    for loaded, expected in zip(related, (stored.exam, stored.district, stored.degree_record), strict=True):
        assert_loaded_as_the_orm_loads(loaded, expected)


def test_a_null_relation_is_none_without_a_query(draft_id, django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(1):
        application = _locked(draft_id, "degree_record")
        assert application.degree_record is None


def test_a_missing_application_is_not_found(draft_id):
    with transaction.atomic(), pytest.raises(NotFound):
        _locked(draft_id + 1000)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused(draft_id):
    with pytest.raises(TransactionManagementError):
        _locked(draft_id)


@pytest.mark.django_db(transaction=True)
def test_the_row_is_locked_until_the_transaction_ends(api, exam, shanghai):
    """Another session cannot lock the row while the write holds it, and can once it has committed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database, not a row")
    draft = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "SH"}, format="json").json()["id"]
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    try:
        with transaction.atomic():
            _locked(draft)
            with other.cursor() as cursor, pytest.raises(psycopg2.errors.LockNotAvailable):
                cursor.execute("SELECT id FROM registration_application WHERE id = %s FOR UPDATE NOWAIT", [draft])
            other.rollback()
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM registration_application WHERE id = %s FOR UPDATE NOWAIT", [draft])
            assert cursor.fetchone() == (draft,)
    finally:
        other.close()
