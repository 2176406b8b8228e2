"""The application's state machine: every allowed transition, in one table.

``registration.services.applications.transition`` is the only code that changes ``Application.status``
(with its bulk twin ``transition_many``, whose ``WHERE`` takes the sources from here); it refuses
anything not listed here with ``InvalidState``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from registration.models.application import ApplicationStatus as S


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"
    REJECT_CONFIRMATION = "reject_confirmation"
    APPROVE_SITE = "approve_site"
    REJECT_SITE = "reject_site"
    APPROVE_DISTRICT = "approve_district"
    REJECT_DISTRICT = "reject_district"
    REOPEN_REVIEW = "reopen_review"
    PAY = "pay"
    REFUND = "refund"
    ABANDON = "abandon"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[S]
    target: S
    description: Promise  # what the candidate or staff member did, in words


TRANSITIONS: dict[Action, Transition] = {
    # Submission from a draft, or again after the registration point rejected it.
    Action.SUBMIT: Transition(frozenset({S.DRAFT, S.CONFIRMATION_REJECTED}), S.SUBMITTED, _("提交报名信息")),
    Action.WITHDRAW: Transition(frozenset({S.SUBMITTED}), S.DRAFT, _("撤回信息提交")),
    Action.CONFIRM: Transition(frozenset({S.SUBMITTED}), S.CONFIRMED, _("报名确认通过")),
    Action.REJECT_CONFIRMATION: Transition(frozenset({S.SUBMITTED}), S.CONFIRMATION_REJECTED, _("报名确认不通过")),
    Action.APPROVE_SITE: Transition(frozenset({S.CONFIRMED}), S.SITE_APPROVED, _("考点初审通过")),
    Action.REJECT_SITE: Transition(frozenset({S.CONFIRMED}), S.REVIEW_REJECTED, _("考点初审不通过")),
    Action.APPROVE_DISTRICT: Transition(frozenset({S.SITE_APPROVED}), S.APPROVED, _("考区终审通过")),
    Action.REJECT_DISTRICT: Transition(frozenset({S.SITE_APPROVED}), S.REVIEW_REJECTED, _("考区终审不通过")),
    # A district reviewer may reopen a rejected review; it starts again at the site stage.
    Action.REOPEN_REVIEW: Transition(frozenset({S.REVIEW_REJECTED}), S.CONFIRMED, _("重新审核")),
    Action.PAY: Transition(frozenset({S.APPROVED}), S.PAID, _("缴费成功")),
    Action.REFUND: Transition(frozenset({S.PAID}), S.REFUNDED, _("退费")),
    # A deadline passed: the confirmation deadline unconfirmed (draft, submitted or rejected; seed 003
    # line 781), the payment window in approved.
    Action.ABANDON: Transition(
        frozenset({S.DRAFT, S.SUBMITTED, S.CONFIRMATION_REJECTED, S.APPROVED}), S.ABANDONED, _("逾期视为放弃")
    ),
}

# States in which the candidate may change the application's content.
EDITABLE_STATES = frozenset({S.DRAFT, S.CONFIRMATION_REJECTED})


def allowed(action: Action, status: str) -> bool:
    return status in TRANSITIONS[action].sources
