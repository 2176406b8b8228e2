"""A kept database connection is checked before a request's first query without a round trip
(wecan/postgresql/base.py): a connection the server has ended is replaced, a live one sends nothing."""

import contextlib
import select
import time
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own connections")


def a_new_request_begins() -> None:
    # What close_old_connections leaves on a kept connection at the start of a request.
    connection.health_check_done = False


@contextlib.contextmanager
def another_session() -> Iterator[Any]:
    """A cursor on a connection of its own, beside Django's."""
    database = settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"], user=database["USER"], host=database["HOST"], port=database["PORT"]
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            yield cursor
    finally:
        other.close()


def last_statement_of(pid: int) -> str:
    with another_session() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def end_from_outside(pid: int) -> None:
    with another_session() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_portal_runs_on_the_backend_with_the_cheap_check():
    assert type(connections["default"]).__module__ == "wecan.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_live_connection_is_kept_and_asked_nothing():
    pid = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement before the check'")
    a_new_request_begins()

    connection.close_if_health_check_failed()

    assert connection.connection is not None and connection.health_check_done
    assert last_statement_of(pid) == "SELECT 'the last statement before the check'"
    assert backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_the_request_s_first_query():
    pid = backend_pid()
    end_from_outside(pid)
    # The server's word that it ends the connection, then the close, reach the socket.
    deadline = time.monotonic() + 10
    while not select.select([connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server did not end the connection"
    a_new_request_begins()

    connection.close_if_health_check_failed()

    assert backend_pid() != pid
