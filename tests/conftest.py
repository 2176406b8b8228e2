import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.utils import translation
from playwright.sync_api import Browser, Page, sync_playwright

from wecan.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent
WORKER_START_TIMEOUT = 60
WORKER_STOP_TIMEOUT = 30
WORKER_IDLE_TIMEOUT = 60
# Gossip and mingle only slow the start of a worker that is alone on its broker.
WORKER_COMMAND = [sys.executable, "-m", "celery", "-A", "wecan", "worker", "--pool=solo", "--concurrency=1"]
WORKER_COMMAND += ["-l", "info", "--without-gossip", "--without-mingle"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings):
    # Each test starts with no request counted against the public endpoints' rate limits.
    settings.CACHES = {
        **settings.CACHES,
        "abuse-throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
    }
    settings.ABUSE_THROTTLE_CACHE = "abuse-throttle"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request through the test client activates its language in this thread and leaves it there.
    yield
    translation.deactivate()


def _live_worker_unavailable(reason: str) -> None:
    # CI must run these tests, so there a missing service is a failure rather than a quiet skip.
    if os.environ.get("CI") == "true":
        pytest.fail(f"live_worker tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class CeleryWorker:
    """A `celery worker` subprocess serving the test database, with its log kept in a file."""

    def __init__(self, process: subprocess.Popen[bytes], hostname: str, log_path: Path) -> None:
        self.process = process
        self.hostname = hostname
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


_worker_key = pytest.StashKey[CeleryWorker]()


def _wait_for_ping(worker: CeleryWorker) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {worker.process.returncode}:\n{worker.log()}", pytrace=False)
        if celery_app.control.ping(destination=[worker.hostname], timeout=1.0):
            return
    pytest.fail(f"the Celery worker did not answer a ping in {WORKER_START_TIMEOUT} s:\n{worker.log()}", pytrace=False)


def _wait_until_idle(worker: CeleryWorker) -> None:
    """Waits until the worker has run every task sent to it. A test's last task (the form prepared
    after a photo is accepted) may still run after its last assertion, reading tables that the flush
    after a transactional test truncates: the two deadlocked once. A solo worker answers only between
    tasks; the queue is read first, so a task taken from it in between is seen as reserved."""
    deadline = time.monotonic() + WORKER_IDLE_TIMEOUT
    while time.monotonic() < deadline:
        with celery_app.connection_for_read() as connection:
            queue = connection.default_channel.queue_declare(queue=celery_app.conf.task_default_queue)
        reserved = celery_app.control.inspect(destination=[worker.hostname], timeout=1.0).reserved()
        if not queue.message_count and reserved is not None and not reserved.get(worker.hostname):
            return
        time.sleep(0.1)
    pytest.fail(f"the Celery worker was still busy after {WORKER_IDLE_TIMEOUT} s:\n{worker.log()}", pytrace=False)


def _stop(worker: CeleryWorker) -> None:
    # SIGTERM is Celery's warm shutdown: the current task finishes and the database connection closes,
    # so pytest-django can drop the test database afterwards.
    worker.process.send_signal(signal.SIGTERM)
    try:
        worker.process.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory) -> Iterator[CeleryWorker]:
    """A live Celery worker on REDIS_URL that reads and writes pytest-django's test database."""
    redis_url = os.environ.get("REDIS_URL", "")
    database_url = os.environ.get("DATABASE_URL", "")
    if not redis_url:
        _live_worker_unavailable("REDIS_URL is not set")
    if not database_url.startswith(("postgres://", "postgresql://")):
        _live_worker_unavailable("the live worker needs DATABASE_URL on PostgreSQL to share the test database")

    from django.db import connection

    test_database = connection.settings_dict["NAME"]
    worker_database_url = urlunsplit(urlsplit(database_url)._replace(path=f"/{test_database}"))
    hostname = f"wecan-test-{os.getpid()}-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url,
        "REDIS_URL": redis_url,
        # The run's cache (_cache_of_this_run): the worker clears what the portal marks there.
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }

    # Messages left on the broker by an earlier, interrupted run must not reach this worker.
    celery_app.control.purge()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [*WORKER_COMMAND, "-n", hostname],
            cwd=BASE_DIR,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(process, hostname, log_path)
    try:
        _wait_for_ping(worker)
        yield worker
    finally:
        _stop(worker)


def pytest_collection_modifyitems(items):
    # The worker sees only what a test committed, so every live-worker test runs on transactional_db.
    for item in items:
        if item.get_closest_marker("live_worker"):
            item.add_marker(pytest.mark.django_db(transaction=True))
    if REPLICA in settings.DATABASES:
        for item in items:
            _allow_the_replica(item)


# With DATABASE_REPLICA_URL set (the router on), the replica's alias is a test mirror: a connection of
# its own to the test database, which every test that uses the database may use. The router sends a
# read there only outside a transaction, so only transactional tests (whose writes are committed)
# read through it. It stays a mirror: Django flushes a transactional test's database once, through
# `default`, and recreates the permissions; a second flush through the replica would not.
REPLICA = "replica"


def _allow_the_replica(item: pytest.Item) -> None:
    markers = list(item.iter_markers("django_db"))
    if not markers and "_django_db_helper" not in getattr(item, "fixturenames", ()):
        return
    options: dict = {}
    for marker in reversed(markers):
        options.update(marker.kwargs)
    options["transaction"] = any(marker.kwargs.get("transaction") for marker in markers) or options.get(
        "transaction", False
    )
    if options.get("databases") != "__all__":
        options["databases"] = sorted({*(options.get("databases") or ["default"]), REPLICA})
    item.add_marker(pytest.mark.django_db(**options), append=False)


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_run() -> Iterator[None]:
    # Test databases restart their ids at 1: keys cached in Redis by an earlier run must not be read.
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    caches = {alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _celery_mode(request) -> Iterator[None]:
    """Tasks run in-process, except in `live_worker` tests, which queue them to the live worker."""
    live = request.node.get_closest_marker("live_worker") is not None
    if live:
        request.node.stash[_worker_key] = request.getfixturevalue("celery_worker_process")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = not live
    yield
    celery_app.conf.task_always_eager = previous
    if live:
        # Before the database is flushed: pytest-django's fixtures were set up before this one.
        _wait_until_idle(request.node.stash[_worker_key])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    worker = item.stash.get(_worker_key, None)
    if report.failed and worker is not None:
        report.sections.append(("celery worker log", worker.log()))
    return report


# Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.
# Defined here once, so every folder shares the one session browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # This machine has no network beyond the package registries: no background connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package", pytrace=False)
    # Playwright's sync API keeps an event loop running in the test thread, and Django then refuses
    # the ORM calls that tests and pytest-django's fixtures make from it; only while a browser is up.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, no storage), desktop-sized, closed afterwards."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
