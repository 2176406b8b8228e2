import pytest
from captcha.conf import settings as captcha_settings
from rest_framework.test import APIClient

from tests.factories.accounts import CandidateFactory


@pytest.fixture
def captcha_test_mode(settings, monkeypatch):
    """The captcha accepts "PASSED". django-simple-captcha reads the setting once, at import, so its own
    copy is switched too."""
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def candidate(db):
    return CandidateFactory(username="zhang_san", id_number="11010519491231002X", name="张三")
