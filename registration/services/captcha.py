"""The captcha (django-simple-captcha) for the API: the same challenges, images and one-use rule as
the registration page's ``CaptchaField``."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from captcha.views import captcha_image
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The page's CaptchaField and the API say the same.
CAPTCHA_WRONG = _("验证码不正确或已失效，请重新输入图片中的字符。")


@dataclass(frozen=True)
class IssuedCaptcha:
    key: str
    image: str  # a data: URL


def captcha_issue(*, request: HttpRequest) -> IssuedCaptcha:
    """A new challenge: its key, to send back with the answer, and its picture as a ``data:`` URL."""
    key = CaptchaStore.generate_key()
    rendered = captcha_image(request, key)
    content_type = rendered["Content-Type"]
    return IssuedCaptcha(key=key, image=f"data:{content_type};base64,{base64.b64encode(rendered.content).decode()}")


def captcha_check(*, key: str, answer: str) -> bool:
    """Whether ``answer`` solves the challenge ``key``. Each challenge is used up by its first answer,
    right or wrong, so none can be tried twice; expired ones never pass."""
    answer = answer.strip().lower()
    CaptchaStore.remove_expired()
    if captcha_settings.CAPTCHA_TEST_MODE and answer == "passed":
        # Automated tests only (``CAPTCHA_TEST_MODE``), as on the page.
        CaptchaStore.objects.filter(hashkey=key).delete()
        return True
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None:
        return False
    store.delete()
    return bool(answer) and store.response == answer
