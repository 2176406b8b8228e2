"""Resolving discrepancies: a note by one finance user, or a credit or refund agreed by two.

Money moves on no one person's word (four eyes): a finance user proposes to credit an order or to
refund a payment, and a second finance user of the same scope approves; both are recorded. A note
alone (nothing moves) is resolved at once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import FourEyesRequired
from payments.models import (
    Discrepancy,
    DiscrepancyAction,
    DiscrepancyStatus,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentDisposition,
)
from payments.services.crediting import payment_credit_approved
from payments.services.refunds import payment_refund
from registration.models import User
from wecan.errors import InvalidInput, InvalidState


def _payment_of(discrepancy: Discrepancy) -> Payment | None:
    """The payment recorded here for the discrepancy's gateway trade, if the gateway's word made one."""
    if discrepancy.order_id is None:
        return None
    return Payment.objects.filter(order_id=discrepancy.order_id, trade_no=discrepancy.gateway_trade_no).first()


def _require_actionable(discrepancy: Discrepancy, action: str) -> Payment:
    """The payment ``action`` would move; ``InvalidState`` when there is none it could move."""
    payment = _payment_of(discrepancy)
    if payment is None:
        raise InvalidState(_("支付平台尚未确认该笔交易，不能入账或退款；请核实后填写说明处理。"))
    if payment.disposition == PaymentDisposition.CREDITED or payment.refunded_at is not None:
        raise InvalidState(_("该笔支付已入账或已退款。"))
    if action == DiscrepancyAction.CREDIT:
        order = payment.order
        if order.status in {OrderStatus.PAID, OrderStatus.REFUNDED} or payment.amount != order.amount:
            raise InvalidState(_("该笔支付不能入账，只能退款。"))
    return payment


def discrepancy_resolve(
    *, discrepancy_id: int, actor: User, note: str, action: str = DiscrepancyAction.NONE
) -> Discrepancy:
    """处理差异: ``none`` closes the discrepancy with the note; ``credit`` or ``refund`` proposes that
    action and leaves it ``awaiting_approval`` for a second finance user (``discrepancy_approve``).

    The caller finds the discrepancy in the user's scope first. ``InvalidInput`` without a note or
    for an unknown action; ``InvalidState`` unless it is open, or when the action is not possible
    (no payment the gateway confirmed, already credited or refunded, an order paid otherwise).
    """
    note = note.strip()
    if not note:
        raise InvalidInput(fields={"note": [_("请填写处理说明。")]})
    if action not in DiscrepancyAction.values:
        raise InvalidInput(fields={"action": [_("处理方式应为 none、credit 或 refund。")]})
    now = timezone.now()
    with transaction.atomic():
        discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
        if discrepancy.status != DiscrepancyStatus.OPEN:
            raise InvalidState(_("该差异已处理或正在复核。"))
        discrepancy.note = note
        discrepancy.action = action
        if action == DiscrepancyAction.NONE:
            discrepancy.status = DiscrepancyStatus.RESOLVED
            discrepancy.resolved_by = actor
            discrepancy.resolved_at = now
        else:
            payment = _require_actionable(discrepancy, action)
            discrepancy.status = DiscrepancyStatus.AWAITING_APPROVAL
            discrepancy.proposed_by = actor
            discrepancy.proposed_at = now
            OrderEvent.objects.create(
                order_id=payment.order_id, actor=actor, action=f"{action}_proposed", note=f"{payment.trade_no}: {note}"
            )
        discrepancy.full_clean(validate_constraints=False)
        discrepancy.save()
    return discrepancy


def discrepancy_approve(*, discrepancy_id: int, actor: User) -> Discrepancy:
    """复核: a second finance user carries out the credit or refund another one proposed.

    The caller finds the discrepancy in the user's scope first. ``FourEyesRequired`` (403) for the
    proposer; ``InvalidState`` unless it awaits approval or when the action is no longer possible.
    A refund goes through ``payment_refund`` (recorded before and after the gateway's answer); a
    gateway error leaves the proposal waiting, to be approved again.
    """
    with transaction.atomic():
        discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
        if discrepancy.status != DiscrepancyStatus.AWAITING_APPROVAL:
            raise InvalidState(_("该差异没有待复核的处理。"))
        if discrepancy.proposed_by_id == actor.pk:
            raise FourEyesRequired()
        payment = _require_actionable(discrepancy, discrepancy.action)
        proposer = discrepancy.proposed_by
        assert proposer is not None  # set with every proposal
        if discrepancy.action == DiscrepancyAction.CREDIT:
            payment_credit_approved(payment_id=payment.pk, proposer=proposer, approver=actor)
            _approved(discrepancy, actor)
            return discrepancy
    # A refund asks the gateway: outside the discrepancy's lock, recorded by the refund service.
    payment_refund(payment_id=payment.pk, actor=actor, note=discrepancy.note)
    with transaction.atomic():
        discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
        if discrepancy.approved_by_id is None:
            _approved(discrepancy, actor)
    return discrepancy


def _approved(discrepancy: Discrepancy, actor: User) -> None:
    now = timezone.now()
    discrepancy.status = DiscrepancyStatus.RESOLVED
    discrepancy.approved_by = actor
    discrepancy.approved_at = now
    discrepancy.resolved_by = actor
    discrepancy.resolved_at = now
    discrepancy.save(update_fields=["status", "approved_by", "approved_at", "resolved_by", "resolved_at"])
