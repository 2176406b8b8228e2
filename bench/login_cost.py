"""The cost of a login before and after the hasher change (Django's PBKDF2 → Argon2id at OWASP's
parameters), in one run.

Figures: one password check with each hasher, in process (median of 20); then, for each hasher as
the first one (the candidates registered under it), under gunicorn (2 workers) with wrk: token
logins alone (8 connections), and the registration-opens mix of bench/http_load.py (50 candidates).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, report
from bench.http_load import CANDIDATES, PASSWORD, load_database, serving, wrk

CHECKS = 20
HASHERS = {"PBKDF2": "bench.settings_pbkdf2", "Argon2id": "wecan.settings"}


def check_times() -> dict[str, float]:
    """Median seconds of one password check, per hasher."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wecan.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from registration.hashers import Argon2idPasswordHasher

    medians = {}
    for name, hasher in (("PBKDF2", PBKDF2PasswordHasher()), ("Argon2id", Argon2idPasswordHasher())):
        encoded = hasher.encode(PASSWORD, hasher.salt())
        times = []
        for _ in range(CHECKS):
            started = time.perf_counter()
            assert hasher.verify(PASSWORD, encoded)
            times.append(time.perf_counter() - started)
        medians[name] = statistics.median(times)
    return medians


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    checks = check_times()
    figures = [
        Figure("login", "one password check, PBKDF2 (Django's default, before)", checks["PBKDF2"] * 1000, "ms"),
        Figure("login", "one password check, Argon2id 19 MiB t=2 p=1 (after)", checks["Argon2id"] * 1000, "ms"),
        Figure("login", "check cost after / before", checks["Argon2id"] / checks["PBKDF2"], "×", "< 1",
               checks["Argon2id"] < checks["PBKDF2"]),
    ]  # fmt: skip
    loads = {}
    for name, settings_module in HASHERS.items():
        env, people = load_database(f"wecan_bench_login_{name.lower()}", DJANGO_SETTINGS_MODULE=settings_module)
        with serving(env) as url:
            # The mix first: the logins alone issue thousands of tokens, and an account keeps only its
            # newest few, so the mix's tokens issued beforehand would be gone.
            mix = wrk(url, people, "mix", CANDIDATES)
            loads[name] = (wrk(url, people, "login", 8), mix)
    for name, (logins, mix) in loads.items():
        when = "before" if name == "PBKDF2" else "after"
        # Before the change, logins waiting longer than wrk's 10 s count here: that is the finding. A
        # sign-in answered "busy" (429, Retry-After: 1, registration/auth.py) is on a line of its own.
        errors = sum(result["socket_errors"] + result["status_errors"] - result["busy"] for result in (logins, mix))
        busy = sum(result["busy"] for result in (logins, mix))
        signed_in = logins["requests"] - logins["socket_errors"] - logins["status_errors"]
        logins["rps"] = signed_in / (logins["duration_us"] / 1e6)
        figures += [
            Figure("login", f"sign-ins answered busy, {name} ({when})", busy, ""),
            Figure("login", f"token logins that signed in, {name} ({when})", logins["rps"], "req/s"),
            Figure("login", f"token login p50, {name} ({when})", logins["p50_us"] / 1000, "ms"),
            Figure("login", f"registration-opens mix, {name} ({when})", mix["rps"], "req/s"),
            Figure("login", f"errors (socket + non-2xx), {name} ({when})", errors, "",
                   *(("0", errors == 0) if when == "after" else ())),
        ]  # fmt: skip
    ratio = loads["Argon2id"][0]["rps"] / loads["PBKDF2"][0]["rps"]
    figures.append(Figure("login", "token logins after / before", ratio, "×", "> 1", ratio > 1))
    report(figures)


if __name__ == "__main__":
    main()
