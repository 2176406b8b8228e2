from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# What the cached application body shows from beyond the application's own row.
BODY_SOURCES = (
    "Exam",
    "District",
    "City",
    "Site",
    "RegistrationPoint",
    "Specialty",
    "Subject",
    "Unit",
    "HistoryRecord",
    "ScoreMerge",
)


def _bodies_outdated(sender: Any, **kwargs: Any) -> None:
    from registration.application_bodies import application_bodies_outdated

    application_bodies_outdated()


class RegistrationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registration"
    verbose_name = _("报名")

    def ready(self) -> None:
        for model_name in BODY_SOURCES:
            model = self.get_model(model_name)
            post_save.connect(_bodies_outdated, sender=model, dispatch_uid=f"registration.body.{model_name}.save")
            post_delete.connect(_bodies_outdated, sender=model, dispatch_uid=f"registration.body.{model_name}.delete")
