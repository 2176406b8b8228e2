"""What the payments app does when registration tells it something."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from payments.services.onsite import onsite_fee_record
from registration.models import User
from registration.models.application import Application
from registration.signals import application_confirming


@receiver(application_confirming, dispatch_uid="payments.onsite_fee")
def record_onsite_fee(
    sender: Any, *, application: Application, actor: User | None, fee_receipt_number: str = "", **kwargs: Any
) -> None:
    """In the confirming transaction: where fees are paid on site, the confirmation records the fee."""
    onsite_fee_record(application=application, actor=actor, receipt_number=fee_receipt_number)
