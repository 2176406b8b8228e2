"""The fee paid on site (现场缴费) where the district takes no online payment, recorded at confirmation."""

from __future__ import annotations

import logging
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from payments.models import OnSiteFee
from payments.selectors import order_quote
from registration.models import User
from registration.models.application import Application
from wecan.errors import InvalidInput

logger = logging.getLogger(__name__)

_RECEIPT = re.compile(r"^[0-9A-Za-z\-]{1,40}$")


def onsite_fee_record(*, application: Application, actor: User | None, receipt_number: str) -> OnSiteFee | None:
    """Records the fee a candidate paid on site, as the confirming staff member confirms them.

    Called inside the confirmation's transaction, with the application row locked (registration's
    ``application_confirming``): if it raises, nothing is confirmed. The caller may rely on: nothing
    recorded (``None``) where the district takes fees online; otherwise ``InvalidInput`` on
    ``fee_receipt_number`` when the receipt number is missing, malformed or already used in the
    district, ``FeeMissing`` when the fee table has no fee for the level; the amount is the selected
    subjects × the district's fee, never typed by staff.
    """
    if application.district.online_payment:
        return None
    receipt = (receipt_number or "").strip()
    if not receipt:
        raise InvalidInput(
            _("本考区实行现场缴费：请收取报名费，并填写缴费收据号。"),
            fields={"fee_receipt_number": [_("请填写缴费收据号。")]},
        )
    if not _RECEIPT.match(receipt):
        raise InvalidInput(fields={"fee_receipt_number": [_("收据号只能包含字母、数字和“-”，最多40位。")]})
    quote = order_quote(application=application)
    fee = OnSiteFee(
        application=application,
        district_id=application.district_id,
        receipt_number=receipt,
        amount=quote.amount,
        level=quote.level,
        subject_codes=quote.subject_codes,
        fee_per_subject=quote.fee_per_subject,
        recorded_by=actor,
    )
    fee.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            fee.save()
    except IntegrityError:
        raise InvalidInput(fields={"fee_receipt_number": [_("该收据号已在本考区使用过。")]}) from None
    logger.info(
        "on-site fee %s of %s yuan for application %s recorded by %s",
        receipt,
        fee.amount,
        application.number,
        actor.pk if actor else None,
    )
    return fee
