"""Every list of the admin runs the same number of queries whatever the number of rows it shows: a
column or a name that reads another table row by row (``District.__str__`` once cost 13 identical
queries for 6 orders) shows here as a count that grows with the rows."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registration.models import User
from tests.admin_rows import add_rows
from tests.files.helpers import use_private_storage
from tests.review.conftest import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

LISTS = sorted(f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry)


@pytest.fixture
def superuser_client(client, world, settings, tmp_path):  # noqa: F811
    use_private_storage(settings, tmp_path)
    User.objects.filter(pk=world.staff["admin"].pk).update(is_superuser=True)
    client.force_login(world.staff["admin"])
    return client


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_every_registered_table_is_checked():
    # The catalogue, the arrangement, payments, scores, review, accounts: a new admin joins this list.
    assert {"registration_exam", "registration_district", "certificates_venue", "payments_order"} <= set(LISTS)
    assert len(LISTS) >= 35


@pytest.mark.parametrize("changelist", LISTS)
def test_an_admin_list_runs_as_many_queries_for_many_rows_as_for_one(
    changelist,
    world,  # noqa: F811
    superuser_client,
    django_assert_max_num_queries,
):
    url = reverse(f"admin:{changelist}_changelist")
    add_rows(world, 1)
    few = queries(superuser_client, url)

    add_rows(world, 4)

    with django_assert_max_num_queries(few):
        assert superuser_client.get(url).status_code == 200
