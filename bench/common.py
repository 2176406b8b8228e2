"""What every benchmark shares: a PostgreSQL database of its own, and how figures are reported.

Each script prints its figures; when ``BENCH_RESULTS`` names a file (``bench/run.py`` sets it), the
figures are also appended there as JSON lines for the one table ``make bench`` prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@dataclass
class Figure:
    bench: str
    metric: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None


def report(figures: list[Figure]) -> None:
    width = max(len(figure.metric) for figure in figures)
    for figure in figures:
        verdict = "" if figure.met is None else ("  ✓" if figure.met else "  ✗")
        goal = f"  (goal {figure.goal})" if figure.goal else ""
        print(f"  {figure.metric:<{width}}  {figure.value:>12,.2f} {figure.unit}{goal}{verdict}")
    results = os.environ.get("BENCH_RESULTS")
    if results:
        with open(results, "a", encoding="utf-8") as out:
            for figure in figures:
                out.write(json.dumps(asdict(figure), ensure_ascii=False) + "\n")


def fresh_database(name: str) -> str:
    """Drops and creates ``name`` on the local PostgreSQL; returns its URL."""
    for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", ADMIN_URL, "-q", "-c", statement], check=True, capture_output=True)
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=capture,
        text=True,
        cwd=ROOT,
    )
    return done.stdout if capture else ""


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DJANGO_ENV"}}
    env.update(
        DJANGO_SETTINGS_MODULE="wecan.settings",
        DATABASE_URL=database_url,
        DEBUG="False",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        **extra,
    )
    return env


def generate_then_measure(script: str, database: str, **extra_env: str) -> None:
    """For the benches that clone rows: a fresh demo database holding one complete application,
    then ``script --generate`` and ``script --measure``, each in a process of its own."""
    env = django_env(fresh_database(database), **extra_env)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", env=env, capture=True)
    # One complete application to clone: the http bench's preparation makes exactly such candidates.
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "http_load.py"), "--prepare"],
        env={**env, "BENCH_CANDIDATES": "1"},
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    for step in ("--generate", "--measure"):
        subprocess.run([PYTHON, script, step], env=env, check=True, cwd=ROOT)
