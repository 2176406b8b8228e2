"""The payment providers the portal can use, by name."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from payments.models import Provider
from payments.providers.base import PaymentProvider
from wecan.errors import InvalidInput


def enabled_providers() -> list[str]:
    """The names of the providers configured here: the sandbox where its app is installed and enabled,
    Alipay where it has an app id."""
    names = []
    if settings.PAYMENTS_SANDBOX_ENABLED and apps.is_installed("payments_sandbox"):
        names.append(Provider.SANDBOX.value)
    if settings.ALIPAY_APP_ID:
        names.append(Provider.ALIPAY.value)
    return names


def get_provider(name: str) -> PaymentProvider:
    """The provider ``name``; ``InvalidInput`` on the ``provider`` field when it is unknown or not enabled."""
    if name not in enabled_providers():
        raise InvalidInput(fields={"provider": [_("不支持此支付渠道。")]})
    if name == Provider.SANDBOX:
        # Imported only here: where the sandbox app is not installed, nothing of it is loaded.
        from payments_sandbox.provider import SandboxProvider

        return SandboxProvider()
    from payments.providers.alipay import AlipayProvider

    return AlipayProvider()
