import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import OperationalError, transaction
from django.utils import timezone

from registration.tasks import clear_expired_sessions

LIVE_WORKER_TIMEOUT = 30


def _session(key: str, *, expires_in: timedelta) -> Session:
    return Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + expires_in)


@pytest.mark.django_db
def test_clear_expired_sessions_deletes_expired_and_keeps_live_sessions():
    _session("expired" * 4, expires_in=timedelta(seconds=-1))
    _session("live" * 8, expires_in=timedelta(days=1))

    clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["live" * 8]


@pytest.mark.django_db
def test_clear_expired_sessions_run_twice_changes_nothing_more():
    _session("expired" * 4, expires_in=timedelta(minutes=-5))
    _session("live" * 8, expires_in=timedelta(minutes=5))

    clear_expired_sessions.delay()
    clear_expired_sessions.delay()

    assert Session.objects.count() == 1


@pytest.mark.django_db
def test_clear_expired_sessions_retries_when_the_database_is_briefly_unavailable():
    _session("expired" * 4, expires_in=timedelta(seconds=-1))
    real_clear_expired = SessionStore.clear_expired
    calls = []

    def flaky_clear_expired():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        real_clear_expired()

    with mock.patch.object(SessionStore, "clear_expired", side_effect=flaky_clear_expired):
        # throw=False lets the eager run carry out the retry instead of raising it to the caller.
        result = clear_expired_sessions.apply(throw=False)

    assert result.successful()
    assert len(calls) == 2
    assert not Session.objects.exists()


@pytest.mark.live_worker
def test_live_worker_clears_expired_sessions_committed_by_the_web_process():
    with transaction.atomic():
        _session("expired" * 4, expires_in=timedelta(seconds=-1))
        _session("live" * 8, expires_in=timedelta(days=1))
        transaction.on_commit(lambda: clear_expired_sessions.delay())

    deadline = time.monotonic() + LIVE_WORKER_TIMEOUT
    while Session.objects.filter(session_key="expired" * 4).exists():
        assert time.monotonic() < deadline, f"the worker did not clear the expired session in {LIVE_WORKER_TIMEOUT} s"
        time.sleep(0.2)
    assert Session.objects.filter(session_key="live" * 8).exists()
