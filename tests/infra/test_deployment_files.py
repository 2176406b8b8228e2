"""No Docker engine runs here: these tests read docker-compose.yml and the Dockerfile as data."""

import re
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_SECRETS = (
    "SECRET_KEY",
    "PII_ENCRYPTION_KEYS",
    "PII_HASH_KEY",
    "ALLOWED_HOSTS",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "EMAIL_URL",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")


def command_text(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_runs_postgres_pgbouncer_redis_the_proxy_web_worker_and_beat(compose):
    assert set(compose["services"]) == {"db", "pgbouncer", "redis", "proxy", *APP_SERVICES}
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_redis_keeps_queued_tasks_across_restarts_and_never_evicts_them(compose):
    redis = command_text(compose["services"]["redis"])

    assert "--maxmemory-policy noeviction" in redis
    assert "--appendonly yes" in redis


def test_every_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_web_worker_and_beat_come_from_the_one_dockerfile(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["build"] == ".", name
        assert service["environment"]["DJANGO_ENV"] == "production", name


def test_web_migrates_and_collects_static_files_before_serving_with_gunicorn(compose):
    web = command_text(compose["services"]["web"])

    migrate, collectstatic, gunicorn = (web.index(step) for step in ("migrate", "collectstatic", "gunicorn"))
    assert migrate < collectstatic < gunicorn
    assert "wecan.wsgi" in web


def test_worker_and_beat_run_celery(compose):
    worker = command_text(compose["services"]["worker"])
    beat = command_text(compose["services"]["beat"])

    assert worker.startswith("celery -A wecan worker")
    assert "--max-tasks-per-child" in worker
    assert beat.startswith("celery -A wecan beat")


def test_application_services_wait_for_healthy_dependencies(compose):
    services = compose["services"]

    assert services["web"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "pgbouncer": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["pgbouncer"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_data_lives_in_declared_named_volumes(compose):
    declared = set(compose["volumes"])
    # Bind mounts (a path) carry configuration from the checkout, not data.
    used = {
        volume.split(":", 1)[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith(("./", "/"))
    }

    assert {"postgres-data", "redis-data"} <= used
    assert used <= declared
    assert compose["services"]["db"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert compose["services"]["redis"]["volumes"] == ["redis-data:/data"]


def test_secrets_are_required_from_the_environment_and_never_written_in(compose):
    environment = compose["services"]["web"]["environment"]

    for name in REQUIRED_SECRETS:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]*\}}", environment[name]), name
    for name in ("DATABASE_URL", "DATABASE_DIRECT_URL"):
        assert re.search(r"\$\{POSTGRES_PASSWORD:\?", environment[name]), name
        assert environment[name].startswith("postgres://"), name
    assert "@pgbouncer:5432/" in environment["DATABASE_URL"]
    assert "@db:5432/" in environment["DATABASE_DIRECT_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_dockerfile_builds_on_python_311_slim_bookworm_with_pango_and_cjk_fonts(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.MULTILINE)
    packages = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-noto-cjk", "fonts-wqy-zenhei")
    for package in (*packages, "fonts-hanazono"):
        assert package in dockerfile, package


def test_dockerfile_runs_as_an_unprivileged_user_in_production_mode(dockerfile):
    assert re.search(r"^USER wecan$", dockerfile, re.MULTILINE)
    assert "DJANGO_ENV=production" in dockerfile
    assert "wecan.wsgi:application" in dockerfile


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").split()

    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def test_requests_go_through_pgbouncer_in_transaction_pooling_and_migrations_go_direct(compose):
    pgbouncer = compose["services"]["pgbouncer"]
    environment = compose["services"]["web"]["environment"]
    web = command_text(compose["services"]["web"])

    assert pgbouncer["environment"]["POOL_MODE"] == "transaction"
    assert "@db:5432/" in pgbouncer["environment"]["DATABASE_URL"]
    # Django must not keep server-side cursors open across PgBouncer's transactions.
    assert environment["PGBOUNCER_TRANSACTION_POOLING"] == "on"
    assert 'DATABASE_URL="$$DATABASE_DIRECT_URL" python manage.py migrate' in web


def test_web_serves_with_the_gunicorn_config_file(compose, dockerfile):
    assert "--config gunicorn.conf.py" in command_text(compose["services"]["web"])
    assert '"--config", "gunicorn.conf.py"' in dockerfile


def test_requests_reach_the_web_only_through_the_proxy_which_names_the_client(compose):
    """tests/infra/test_proxy.py runs the proxy's configuration itself."""
    services = compose["services"]
    proxy = services["proxy"]

    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert proxy["ports"] == ["${WEB_PORT:-8000}:80"]
    assert proxy["volumes"] == ["./deploy/proxy.conf.template:/etc/nginx/templates/default.conf.template:ro"]
    assert proxy["environment"]["WEB_UPSTREAM"] == "web:8000"
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert services["web"]["environment"]["NUM_PROXIES"] == "1"
