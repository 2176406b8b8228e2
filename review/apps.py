from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = _("确认与审核")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from registration.models import MaterialFile
        from registration.signals import application_content_changed, application_transitioned
        from review import receivers

        application_content_changed.connect(receivers.on_content_changed, dispatch_uid="review.issued_code")
        application_transitioned.connect(receivers.on_transitioned, dispatch_uid="review.transitioned")
        post_save.connect(receivers.on_material_saved, sender=MaterialFile, dispatch_uid="review.signed_form")
