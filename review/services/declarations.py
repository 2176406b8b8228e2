"""The eligibility declaration: early-application policies claimed and the date of a change of post."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Application, User
from registration.workflow import EDITABLE_STATES
from review.models import EarlyApplicationPolicy, EligibilityDeclaration
from review.scope import Duty, application_in_scope
from review.services.decisions import require_duty
from wecan.errors import InvalidInput, InvalidState, NotFound


def eligibility_declaration_save(
    *,
    application_id: int,
    actor: User,
    policy_keys: Sequence[str],
    post_changed_on: datetime.date | None,
) -> EligibilityDeclaration:
    """Sets what the candidate declares for the eligibility pre-check.

    The candidate may set it on their own application while it can be edited; staff with the
    duty, on an application in their scope at any time (they record what the materials prove).
    Direct-application policies (直接申报) are staff's alone: a candidate can neither claim one nor
    drop one staff recorded. Unknown policies, a direct one claimed by the candidate, or a change of
    post in the future are ``InvalidInput``; nothing is saved.
    """
    if not actor.is_candidate:
        require_duty(actor, Duty.DECLARE)
    keys = list(dict.fromkeys(policy_keys))
    policies = list(EarlyApplicationPolicy.objects.filter(key__in=keys))
    errors = {}
    unknown = sorted(set(keys) - {policy.key for policy in policies})
    if unknown:
        errors["policies"] = [_("未知的提前申报政策：%(keys)s") % {"keys": "、".join(unknown)}]
    elif actor.is_candidate and (direct := [policy.name for policy in policies if policy.direct]):
        errors["policies"] = [_("“%(policies)s”须由工作人员核实证明材料后登记。") % {"policies": "、".join(direct)}]
    if post_changed_on is not None and post_changed_on > timezone.localdate():
        errors["post_changed_on"] = [_("转入现岗位日期不能晚于今天。")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        application = Application.objects.select_for_update(of=("self",)).filter(pk=application_id).first()
        if application is None:
            raise NotFound()
        if actor.is_candidate:
            if application.candidate_id != actor.pk:
                raise NotFound()
            if application.status not in EDITABLE_STATES:
                raise InvalidState(_("报名信息已提交，如需修改请先撤回。"))
        elif not application_in_scope(actor, application):
            raise NotFound()
        declaration, _created = EligibilityDeclaration.objects.get_or_create(application=application)
        if actor.is_candidate:
            policies += list(declaration.policies.filter(direct=True))
        declaration.post_changed_on = post_changed_on
        declaration.updated_by = actor
        declaration.full_clean()
        declaration.save()
        declaration.policies.set(policies)
    return declaration
