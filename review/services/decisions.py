"""Staff decisions on an application: confirm, reject, confirm by 网报号 + 验证码, review, reopen.

Each checks the actor's role (``NotAllowed``, a 403) and scope (``NotFound``, a 404) on the locked
row, then moves the application through ``registration.services.applications.transition``, which
refuses a wrong state (``InvalidState``, a 409), writes the audit event and signals on commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Application, User
from registration.services.applications import transition
from registration.signals import application_confirming
from registration.windows import Window, is_open, require_open
from registration.workflow import Action
from review.eligibility import Outcome
from review.errors import NotAllowed, StaleForm, WrongCode
from review.models import IssuedCode
from review.reasons import NOTE_MAX_LENGTH, rejection_reasons_build, rejection_summary
from review.scope import Duty, application_in_scope, applications_in_scope, is_administrator, may
from review.selectors import application_eligibility, staff_application_get
from wecan.errors import InvalidInput, NotFound
from wecan.sql import table_and_columns


class Stage(StrEnum):
    SITE = "site"
    DISTRICT = "district"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


# (stage, decision) → the transition and the duty it takes.
_REVIEW_ACTIONS: dict[tuple[Stage, Decision], tuple[Action, Duty]] = {
    (Stage.SITE, Decision.APPROVE): (Action.APPROVE_SITE, Duty.REVIEW_SITE),
    (Stage.SITE, Decision.REJECT): (Action.REJECT_SITE, Duty.REVIEW_SITE),
    (Stage.DISTRICT, Decision.APPROVE): (Action.APPROVE_DISTRICT, Duty.REVIEW_DISTRICT),
    (Stage.DISTRICT, Decision.REJECT): (Action.REJECT_DISTRICT, Duty.REVIEW_DISTRICT),
}


def require_duty(actor: Any, duty: Duty) -> None:
    if not may(actor, duty):
        raise NotAllowed()


def require_in_scope(actor: User, application_id: int) -> None:
    """``NotFound`` unless the application is in the actor's scope, before its state is looked at,
    so that nothing about an application outside the scope leaks (not even its state)."""
    if not applications_in_scope(actor).filter(pk=application_id).exists():
        raise NotFound()


def _in_scope_of(actor: User) -> Callable[[Application], None]:
    def check(application: Application) -> None:
        if not application_in_scope(actor, application):
            raise NotFound()

    return check


def _confirmation_check(actor: User, late_reason: str) -> Callable[[Application], None]:
    """In scope, and before the confirmation deadline. Seed 003 line 781: who is not confirmed by then
    has given up the exam, so staff can no longer decide; an administrator may, with a reason."""

    def check(application: Application) -> None:
        _in_scope_of(actor)(application)
        if is_open(application.exam, Window.CONFIRMATION):
            return
        if not is_administrator(actor):
            require_open(application.exam, Window.CONFIRMATION)
        if not late_reason:
            raise InvalidInput(
                _("报名确认已截止，逾期确认须写明原因。"), fields={"late_reason": [_("请写明逾期确认的原因。")]}
            )

    return check


def _audit_reason(application_id: int, reason: str, late_reason: str) -> str:
    """The audit reason, with the administrator's reason for deciding after the confirmation deadline."""
    deadline = (
        Application.objects.filter(pk=application_id).values_list("exam__confirmation_deadline", flat=True).first()
    )
    if not late_reason or deadline is None or deadline > timezone.now():
        return reason
    late = _("逾期确认：%(reason)s") % {"reason": late_reason}
    return f"{reason}；{late}" if reason else late


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(fields={"note": [_("备注不能超过%(limit)d个字。") % {"limit": NOTE_MAX_LENGTH}]})
    return note


def _clear_reasons(application: Application, from_status: str) -> None:
    application.rejection_reasons = []


def _confirming(actor: User, fee_receipt_number: str) -> Callable[[Application, str], None]:
    """Clears the reasons; the apps above write, in this transaction, what confirming entails (payments:
    the fee paid on site, with its receipt number, where the district takes no online payment)."""

    def apply(application: Application, from_status: str) -> None:
        _clear_reasons(application, from_status)
        application_confirming.send(
            sender=Application, application=application, actor=actor, fee_receipt_number=fee_receipt_number
        )

    return apply


def application_confirm(
    *, application_id: int, actor: User, reason: str = "", fee_receipt_number: str = "", late_reason: str = ""
) -> Application:
    """报名确认通过: ``submitted`` → ``confirmed`` by staff of the registration point or the site (or an
    administrator), until the confirmation deadline (``WindowClosed``, 423); after it only an
    administrator, giving ``late_reason`` (``InvalidInput`` without), which the audit keeps.
    Where the district takes no online payment, the fee paid on site is recorded with it
    (``fee_receipt_number`` required)."""
    require_duty(actor, Duty.CONFIRM)
    require_in_scope(actor, application_id)
    late_reason = (late_reason or "").strip()
    return transition(
        application_id=application_id,
        action=Action.CONFIRM,
        actor=actor,
        reason=_audit_reason(application_id, reason, late_reason),
        check=_confirmation_check(actor, late_reason),
        apply=_confirming(actor, fee_receipt_number),
    )


def application_reject(
    *, application_id: int, actor: User, reasons: Sequence[Any], note: str = "", late_reason: str = ""
) -> Application:
    """报名确认不通过 with reason codes and a note: ``submitted`` → ``confirmation_rejected``.

    The candidate sees the reasons and may fix and re-submit until the confirmation deadline.
    No reason, an unknown one, or ``other`` without a note is ``InvalidInput`` and nothing changes.
    The confirmation deadline binds as for ``application_confirm``.
    """
    require_duty(actor, Duty.CONFIRM)
    require_in_scope(actor, application_id)
    built = rejection_reasons_build(codes=list(reasons), note=note)
    late_reason = (late_reason or "").strip()

    def apply(application: Application, from_status: str) -> None:
        application.rejection_reasons = built

    return transition(
        application_id=application_id,
        action=Action.REJECT_CONFIRMATION,
        actor=actor,
        reason=_audit_reason(application_id, rejection_summary(built), late_reason),
        check=_confirmation_check(actor, late_reason),
        apply=apply,
    )


def application_confirm_by_code(
    *, actor: User, number: str, verification_code: str, fee_receipt_number: str = "", late_reason: str = ""
) -> Application:
    """On-site confirmation: the 网报号 and 验证码 printed on the form.

    The current code confirms. A code the application carried before its content last changed is
    ``StaleForm`` (409: the candidate must print the form again); a code it never carried is
    ``WrongCode`` (400); a 网报号 not in the caller's scope is ``NotFound``. The confirmation
    deadline binds as for ``application_confirm``.
    """
    require_duty(actor, Duty.CONFIRM)
    number = (number or "").strip()
    code = (verification_code or "").strip()
    errors = {}
    if not number:
        errors["number"] = [_("请填写网报号。")]
    if not code:
        errors["verification_code"] = [_("请填写验证码。")]
    if errors:
        raise InvalidInput(fields=errors)
    found = applications_in_scope(actor).filter(number=number).order_by("-exam__year").values_list("pk", flat=True)
    application_id = found.first()
    if application_id is None:
        raise NotFound(_("没有找到网报号为%(number)s的报名信息。") % {"number": number})

    late_reason = (late_reason or "").strip()
    in_time = _confirmation_check(actor, late_reason)

    def check(application: Application) -> None:
        in_time(application)
        if code == application.verification_code:
            return
        if IssuedCode.objects.filter(application=application, code=code).exists():
            raise StaleForm()
        raise WrongCode()

    return transition(
        application_id=application_id,
        action=Action.CONFIRM,
        actor=actor,
        reason=_audit_reason(application_id, _("现场确认（网报号 + 验证码）"), late_reason),
        check=check,
        apply=_confirming(actor, fee_receipt_number),
    )


def _approval_reason(*, application_id: int, actor: User, note: str) -> str:
    """The audit reason of an approval: the note, which must say why when the pre-check fails."""
    note = _clean_note(note)
    application = staff_application_get(user=actor, application_id=application_id)
    if application_eligibility(application).outcome != Outcome.FAIL:
        return note
    if not note:
        raise InvalidInput(
            fields={"note": [_("报考条件预审结果为“不符合”，审核通过须写明理由。")]},
        )
    return _("预审不符合，审核通过理由：%(note)s") % {"note": note}


def application_review(
    *, application_id: int, actor: User, stage: str, decision: str, reasons: Sequence[Any] = (), note: str = ""
) -> Application:
    """资格审核 at one stage: the site reviewer approves (→ ``site_approved``) or rejects
    (→ ``review_rejected``) a confirmed application; then the district reviewer approves
    (→ ``approved``) or rejects it. A rejection needs reasons, as ``application_reject``; an
    approval of an application whose eligibility pre-check fails needs a note saying why, which the
    audit event keeps.
    """
    errors = {}
    if stage not in {member.value for member in Stage}:
        errors["stage"] = [_("审核阶段应为 site 或 district。")]
    if decision not in {member.value for member in Decision}:
        errors["decision"] = [_("审核结论应为 approve 或 reject。")]
    if errors:
        raise InvalidInput(fields=errors)
    action, duty = _REVIEW_ACTIONS[(Stage(stage), Decision(decision))]
    require_duty(actor, duty)
    require_in_scope(actor, application_id)
    if decision == Decision.REJECT:
        built = rejection_reasons_build(codes=list(reasons), note=note)
        summary = rejection_summary(built)
    else:
        built, summary = [], _approval_reason(application_id=application_id, actor=actor, note=note)

    def apply(application: Application, from_status: str) -> None:
        application.rejection_reasons = built

    return transition(
        application_id=application_id,
        action=action,
        actor=actor,
        reason=summary,
        check=_in_scope_of(actor),
        apply=apply,
    )


def application_reopen(*, application_id: int, actor: User, note: str) -> Application:
    """A district reviewer reopens a rejected review: ``review_rejected`` → ``confirmed``, with a note why."""
    require_duty(actor, Duty.REOPEN)
    require_in_scope(actor, application_id)
    note = _clean_note(note)
    if not note:
        raise InvalidInput(fields={"note": [_("请写明重新审核的原因。")]})
    return transition(
        application_id=application_id,
        action=Action.REOPEN_REVIEW,
        actor=actor,
        reason=note,
        check=_in_scope_of(actor),
        apply=_clear_reasons,
    )


def issued_code_record(*, application_id: int, code: str) -> None:
    """Remembers that ``application_id`` carried ``code`` (idempotent). Registration's code-issued hook:
    it runs in the transaction that issues the code, which holds the application's row lock. One
    ``INSERT ... ON CONFLICT DO NOTHING``: it runs on every section save, by a statement built once
    (``bulk_create`` built it again each time, a twentieth of a save)."""
    issued_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_ISSUED_CODE, [application_id, code, issued_at])


_RECORD_ISSUED_CODE = "INSERT INTO {} ({}, {}, {}) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING".format(  # noqa: S608
    *table_and_columns(IssuedCode, "application", "code", "issued_at")
)
