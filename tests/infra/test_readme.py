import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def settings_variables() -> set[str]:
    """The variables ``wecan/settings.py`` and the web container's ``gunicorn.conf.py`` read."""
    source = (BASE_DIR / "wecan" / "settings.py").read_text(encoding="utf-8")
    gunicorn = (BASE_DIR / "gunicorn.conf.py").read_text(encoding="utf-8")
    return set(re.findall(r"\benv\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source)) | set(
        re.findall(r"(?:environ\.get|_setting)\(\s*\"([A-Z][A-Z0-9_]*)\"", gunicorn)
    )


def readme_table_variables() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, re.MULTILINE))


def test_settings_variables_are_found_in_settings():
    # Guards the test below against a pattern that silently matches nothing.
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_URL", "WEB_WORKERS"} <= settings_variables()


def test_readme_documents_every_environment_variable_settings_read():
    assert settings_variables() - readme_table_variables() == set()


def test_readme_documents_no_variable_settings_do_not_read():
    assert readme_table_variables() - settings_variables() == set()


def test_readme_gives_the_two_commands():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")

    assert "`make run`" in readme
    assert "`make test`" in readme
