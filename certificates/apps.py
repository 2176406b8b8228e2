from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"
    verbose_name = _("证书与文书")

    def ready(self) -> None:
        from certificates import receivers
        from certificates.services.timetable import CATALOGUE_EXTENSIONS
        from registration.services.catalogue import catalogue_extension_register
        from registration.signals import (
            application_content_changed,
            application_transitioned,
            applications_transitioned,
        )

        application_content_changed.connect(receivers.on_content_changed, dispatch_uid="certificates.form")
        application_transitioned.connect(receivers.on_transitioned, dispatch_uid="certificates.seat")
        applications_transitioned.connect(receivers.on_transitioned_together, dispatch_uid="certificates.seats")
        for extension in CATALOGUE_EXTENSIONS:
            catalogue_extension_register(extension)
