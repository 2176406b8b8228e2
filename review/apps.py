from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = _("确认与审核")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from registration import hooks
        from registration.models import MaterialFile
        from registration.signals import application_transitioned, applications_transitioned
        from review import receivers
        from review.services.decisions import issued_code_record
        from review.services.history import history_auto_confirm

        # Written in the transaction of the write itself: the code history and the auto-confirmation
        # must happen with it or not at all.
        hooks.register_code_issued(issued_code_record)
        hooks.register_submitted(history_auto_confirm)
        application_transitioned.connect(receivers.on_transitioned, dispatch_uid="review.transitioned")
        applications_transitioned.connect(
            receivers.on_transitioned_together, dispatch_uid="review.transitioned_together"
        )
        post_save.connect(receivers.on_material_saved, sender=MaterialFile, dispatch_uid="review.signed_form")
