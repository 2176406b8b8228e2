from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = _("缴费")

    def ready(self) -> None:
        from payments import receivers  # noqa: F401 - connects the receivers
