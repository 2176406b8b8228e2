"""The web process's size, and the read replica's router (off unless DATABASE_REPLICA_URL is set)."""

import runpy
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from registration.models import Application
from wecan.db_routers import REPLICA, ReplicaRouter, replica_reads

BASE_DIR = Path(__file__).resolve().parents[2]


def gunicorn_settings(monkeypatch, **environment: str) -> dict:
    for name in (
        "WEB_WORKERS",
        "WEB_THREADS",
        "WEB_BIND",
        "WEB_TIMEOUT_SECONDS",
        "WEB_GIL_SWITCH_MS",
        "WEB_MAX_REQUESTS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_runs_several_threaded_workers_sized_from_the_cpu_count(monkeypatch):
    settings = gunicorn_settings(monkeypatch)

    assert settings["workers"] == 5
    assert settings["threads"] == 4
    assert settings["worker_class"] == "gthread"


def test_gunicorn_takes_workers_and_threads_from_the_environment(monkeypatch):
    settings = gunicorn_settings(monkeypatch, WEB_WORKERS="9", WEB_THREADS="2")

    assert (settings["workers"], settings["threads"]) == (9, 2)


def test_a_worker_is_replaced_after_minutes_of_a_flood_not_seconds(monkeypatch):
    """At 5,000 requests a worker answering ~400 refused sign-ins a second was replaced every 13 s,
    each new one loading Django again while the flood went on (bench/http_load.py)."""
    assert gunicorn_settings(monkeypatch)["max_requests"] == 100_000
    replaced_sooner = gunicorn_settings(monkeypatch, WEB_MAX_REQUESTS="20000")

    assert (replaced_sooner["max_requests"], replaced_sooner["max_requests_jitter"]) == (20_000, 2_000)


def test_gunicorn_treats_an_empty_variable_as_unset(monkeypatch):
    # docker-compose passes `${WEB_WORKERS:-}` on as an empty string.
    settings = gunicorn_settings(monkeypatch, WEB_WORKERS="")

    assert settings["workers"] == 5


@pytest.mark.parametrize(("environment", "interval"), [({}, 0.0005), ({"WEB_GIL_SWITCH_MS": "2"}, 0.002)])
def test_a_worker_hands_the_gil_over_sooner_than_pythons_default(monkeypatch, environment, interval):
    """A request waiting on a socket gets the GIL back within half a millisecond, not five."""
    settings = gunicorn_settings(monkeypatch, **environment)
    chosen: list[float] = []
    monkeypatch.setattr(sys, "setswitchinterval", chosen.append)

    settings["post_fork"](None, None)

    assert chosen == [pytest.approx(interval)]


def test_gunicorn_access_log_leaves_the_query_string_out(monkeypatch):
    settings = gunicorn_settings(monkeypatch)

    assert "%(U)s" in settings["access_log_format"]
    assert "%(r)s" not in settings["access_log_format"] and "%(q)s" not in settings["access_log_format"]


def test_router_reads_from_the_replica_only_where_marked():
    router = ReplicaRouter()

    assert router.db_for_read(Application) is None
    with replica_reads():
        assert router.db_for_read(Application) == REPLICA
    assert router.db_for_read(Application) is None


@pytest.mark.django_db(transaction=True)
def test_router_reads_from_the_primary_inside_a_write_transaction():
    router = ReplicaRouter()

    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Application) is None


def test_router_writes_to_the_primary_even_a_row_read_from_the_replica():
    router = ReplicaRouter()
    row = Application()
    row._state.db = REPLICA

    assert router.db_for_write(Application, instance=row) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "registration") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "registration") is True


@pytest.mark.django_db(transaction=True)
def test_with_the_router_on_a_staff_list_reads_through_the_replica_and_nothing_else_does(
    settings, client, django_user_model
):
    """Run by CI's second pass, with DATABASE_REPLICA_URL set to the test database's URL."""
    if REPLICA not in settings.DATABASES:
        pytest.skip("the router is on only with DATABASE_REPLICA_URL")
    admin = django_user_model.objects.create_superuser(username="replica-admin", password="x-pass-2026")
    client.force_login(admin)

    with CaptureQueriesContext(connections[REPLICA]) as replica:
        staff_answer = client.get("/api/v1/staff/applications/")
    with CaptureQueriesContext(connections[REPLICA]) as replica_elsewhere:
        client.get("/api/v1/applications/")

    assert staff_answer.status_code == 200
    assert any("registration_application" in query["sql"] for query in replica.captured_queries)
    assert replica_elsewhere.captured_queries == []


@pytest.mark.parametrize(("threads", "checks"), [(None, 3), ("8", 7), ("1", 1)])
def test_password_checks_leave_one_thread_of_each_worker_free(monkeypatch, threads, checks):
    monkeypatch.delenv("PASSWORD_CHECKS_PER_PROCESS", raising=False)
    if threads is None:
        monkeypatch.delenv("WEB_THREADS", raising=False)
    else:
        monkeypatch.setenv("WEB_THREADS", threads)

    settings = runpy.run_path(str(BASE_DIR / "wecan" / "settings.py"))

    assert settings["PASSWORD_CHECKS_PER_PROCESS"] == checks
