"""Fault tests: the application fixtures, and a Redis server and Celery workers of the test's own.

The shared ``live_worker`` harness runs one solo worker on ``REDIS_URL`` for the whole session; a
fault test kills a pool child or restarts Redis, so it starts its own ``redis-server`` on a free
port and its own prefork workers on it, and stops them all at the end of the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from django.db import connection

from tests.applications.conftest import *  # noqa: F403  (the application fixtures)
from tests.conftest import (
    BASE_DIR,
    CeleryWorker,
    _live_worker_unavailable,
    _stop,
    _wait_for_ping,
    _worker_key,
)
from tests.files.helpers import use_private_storage
from wecan.celery import app as celery_app

# Every wait of a fault test is bounded by this; each goes on as soon as its condition holds.
PATIENCE_SECONDS = 60
REDIS_STOP_TIMEOUT = 10
# Prefork, so that a pool child can be killed under the worker, as the kernel's OOM killer does.
FAULT_WORKER_COMMAND = [sys.executable, "-m", "celery", "-A", "wecan", "worker", "--pool=prefork", "--concurrency=1"]
FAULT_WORKER_COMMAND += ["-l", "info", "--without-gossip", "--without-mingle"]
# Celery's default queue, and where kombu's Redis transport keeps delivered, unacknowledged messages.
QUEUE_KEY = "celery"
UNACKED_KEY = "unacked"


def wait_until(condition: Callable[[], object], what: str, *, interval: float = 0.05) -> None:
    """Calls ``condition`` until it is true, at most ``PATIENCE_SECONDS``; fails the test saying ``what``."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {PATIENCE_SECONDS} s", pytrace=False)
        time.sleep(interval)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A ``redis-server`` subprocess that keeps nothing on disk: a restart empties it, queues included."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        command += ["no", "--daemonize", "no", "--dir", str(self.directory)]
        with (self.directory / "redis.log").open("ab") as log_file:
            self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
        wait_until(self._answers, f"redis-server on port {self.port} answering PING")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = (self.directory / "redis.log").read_text(errors="replace")
            pytest.fail(f"redis-server exited with {self.process.returncode}:\n{log}", pytrace=False)
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=REDIS_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


def _point_celery_at(url: str) -> None:
    """Sends this process's tasks to ``url``: the app keeps a connection pool for the broker it first used."""
    celery_app.conf.broker_url = url
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu keeps producer pools in a registry of its own, keyed by connection: a pool closed above
    # would be handed out again for the same broker URL ("Acquire on closed pool") unless cleared.
    kombu.pools.reset()


@pytest.fixture
def fault_redis(tmp_path_factory) -> Iterator[RedisServer]:
    """A Redis server of the test's own (never the shared one at 6379, which other runs use)."""
    if shutil.which("redis-server") is None:
        _live_worker_unavailable("redis-server is not installed (Debian package redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def shared_storage(settings, tmp_path) -> Path:
    """A private-files folder that the test and its workers both use."""
    directory = tmp_path / "private"
    directory.mkdir()
    use_private_storage(settings, directory)
    return directory


@pytest.fixture
def fault_broker(fault_redis, settings) -> Iterator[RedisServer]:
    """This process queues its tasks to ``fault_redis`` instead of running them in-process."""
    previous_url, previous_eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    settings.CELERY_BROKER_URL = fault_redis.url
    _point_celery_at(fault_redis.url)
    celery_app.conf.task_always_eager = False
    yield fault_redis
    celery_app.conf.task_always_eager = previous_eager
    _point_celery_at(previous_url)


@pytest.fixture
def start_worker(request, fault_broker, shared_storage, tmp_path) -> Iterator[Callable[..., CeleryWorker]]:
    """Starts prefork Celery workers on ``fault_redis``, serving pytest-django's test database and
    the shared storage; ``start_worker(**environment)`` returns one that answers a ping. All of them
    are stopped when the test ends; a failing test's report shows the last one's log."""
    database_url = os.environ.get("DATABASE_URL", "")
    if connection.vendor != "postgresql" or not database_url.startswith(("postgres://", "postgresql://")):
        _live_worker_unavailable("a fault test's worker needs DATABASE_URL on PostgreSQL to share the test database")
    worker_database_url = urlunsplit(urlsplit(database_url)._replace(path=f"/{connection.settings_dict['NAME']}"))
    workers: list[CeleryWorker] = []

    def start(**environment: str) -> CeleryWorker:
        hostname = f"wecan-fault-{os.getpid()}-{uuid.uuid4().hex[:8]}@localhost"
        log_path = tmp_path / f"worker-{len(workers) + 1}.log"
        worker_environment = {key: value for key, value in os.environ.items() if key != "AWS_STORAGE_BUCKET_NAME"}
        worker_environment |= {
            "DATABASE_URL": worker_database_url,
            "REDIS_URL": fault_broker.url,
            "PRIVATE_FILES_ROOT": str(shared_storage),
            "PYTHONUNBUFFERED": "1",
            **environment,
        }
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [*FAULT_WORKER_COMMAND, "-n", hostname],
                cwd=BASE_DIR,
                env=worker_environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        worker = CeleryWorker(process, hostname, log_path)
        workers.append(worker)
        request.node.stash[_worker_key] = worker
        _wait_for_ping(worker)
        return worker

    yield start
    for worker in workers:
        if worker.process.poll() is None:
            _stop(worker)


def pool_children(worker: CeleryWorker) -> list[int]:
    """The process ids of the worker's pool children (read from /proc)."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue  # the process ended while being read
        if fields.get("PPid", "").strip() == str(worker.process.pid):
            children.append(int(status.parent.name))
    return children


def kill_pool_children(worker: CeleryWorker) -> list[int]:
    """SIGKILL to every pool child: what the OOM killer does. Returns the ids of those killed."""
    killed = pool_children(worker)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    return killed


def queued_messages(server: RedisServer) -> int:
    return int(server.client().llen(QUEUE_KEY))


def unacknowledged_messages(server: RedisServer) -> int:
    return int(server.client().hlen(UNACKED_KEY))
