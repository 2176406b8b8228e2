import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]
# The development values wecan/settings.py falls back to; production must refuse each of them.
DEVELOPMENT_SECRET_KEY = "wecan-development-secret-key-not-for-production-use-0123456789"
DEVELOPMENT_PII_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZHVjdGk="
DEVELOPMENT_PII_HASH_KEY = "wecan-development-pii-hash-key"


def production_environment(**overrides: str | None) -> dict[str, str]:
    """The environment of a production process with real-looking secrets; None removes a variable.

    Built from nothing rather than from this test run's environment, whose test-only variables
    (DJANGO_ALLOW_ASYNC_UNSAFE, CI's DATABASE_URL) a production process never has.
    """
    environment = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PII_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "wecan.example.cn",
    }
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def manage(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", environment=production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        pytest.param({"SECRET_KEY": None}, "SECRET_KEY", id="no-secret-key"),
        pytest.param({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY", id="development-secret-key"),
        pytest.param({"SECRET_KEY": secrets.token_urlsafe(30)[:40]}, "SECRET_KEY", id="short-secret-key"),
        pytest.param({"PII_ENCRYPTION_KEYS": None}, "PII_ENCRYPTION_KEYS", id="no-pii-encryption-keys"),
        pytest.param(
            {"PII_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{DEVELOPMENT_PII_ENCRYPTION_KEY}"},
            "PII_ENCRYPTION_KEYS",
            id="development-pii-key-among-real-ones",
        ),
        pytest.param({"PII_HASH_KEY": DEVELOPMENT_PII_HASH_KEY}, "PII_HASH_KEY", id="development-pii-hash-key"),
        pytest.param({"DEBUG": "true"}, "DEBUG", id="debug-on"),
        # Issue 14: the sandbox gateway says "paid" on a click; production refuses it like DEBUG.
        pytest.param({"PAYMENTS_SANDBOX_ENABLED": "true"}, "PAYMENTS_SANDBOX_ENABLED", id="sandbox-on"),
    ],
)
def test_production_refuses_to_start_on_development_settings(overrides, complaint):
    result = manage("check", environment=production_environment(**overrides))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_the_same_environment_with_development_mode_starts():
    # Guards the refusals above: they fail for the setting named, not because manage.py cannot start at all.
    result = manage("check", environment=production_environment(DJANGO_ENV="development", SECRET_KEY=None))

    assert result.returncode == 0, result.stderr
