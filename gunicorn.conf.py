"""Gunicorn's settings for the web container, from the environment, sized from the CPU count by default.

Threads let a worker keep answering while one of its requests waits on the database or hashes a
password (Argon2 releases the GIL), so a burst of logins cannot take every worker.
"""

import multiprocessing
import os


def _setting(name: str, default: int) -> int:
    # docker-compose passes an unset variable on as an empty string.
    return int(os.environ.get(name) or default)


bind = os.environ.get("WEB_BIND") or "0.0.0.0:8000"
workers = _setting("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _setting("WEB_THREADS", 4)
worker_class = "gthread"
timeout = _setting("WEB_TIMEOUT_SECONDS", 30)
# How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). A request
# mostly waits on sockets, and after each wait it queues for the GIL behind threads that compute:
# under a flood of refused sign-ins /healthz/'s p95 was 1.0–1.6 s at 5 ms and 0.2–0.3 s at 0.5 ms
# (bench/http_load.py, 2 cores).
gil_switch_seconds = float(os.environ.get("WEB_GIL_SWITCH_MS") or 0.5) / 1000
# A worker is replaced now and then, at different moments, so a slow leak cannot grow; not every few
# seconds, which a worker answering a flood of refused sign-ins did at 5,000 requests.
max_requests = _setting("WEB_MAX_REQUESTS", 100_000)
max_requests_jitter = max_requests // 10
accesslog = "-"
# The path without its query string: a search's query may carry an ID number, which no log keeps.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


def post_worker_init(worker: object) -> None:
    # Request paths and gunicorn's own errors may carry an ID number too: masked as the portal's logs.
    # On the loggers, not their handlers: gunicorn replaces its handlers when it reopens its logs.
    import logging

    from wecan.log_filters import MaskIdNumbers

    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, MaskIdNumbers) for existing in logger.filters):
            logger.addFilter(MaskIdNumbers())


def post_fork(server: object, worker: object) -> None:
    import sys

    sys.setswitchinterval(gil_switch_seconds)
