from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsSandboxConfig(AppConfig):
    """The in-project sandbox gateway: installed only where ``PAYMENTS_SANDBOX_ENABLED`` (never in production)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "payments_sandbox"
    verbose_name = _("沙箱支付平台")
