"""Rejection reasons (API.md): their codes, the words candidates see, and how a rejection is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from wecan.errors import InvalidInput

NOTE_MAX_LENGTH = 500


class RejectionReason(models.TextChoices):
    EDUCATION_MISMATCH = "education_mismatch", gettext_lazy("学历不符")
    SPECIALTY_MISMATCH = "specialty_mismatch", gettext_lazy("专业不符")
    INSUFFICIENT_YEARS = "insufficient_years", gettext_lazy("年限不够")
    UNCLEAR_MATERIALS = "unclear_materials", gettext_lazy("材料不清晰")
    MISSING_MATERIALS = "missing_materials", gettext_lazy("材料不全")
    OTHER = "other", gettext_lazy("其他")


def rejection_reasons_build(*, codes: Sequence[Any], note: str) -> list[dict[str, str]]:
    """The ``rejection_reasons`` to store: ``[{code, label, note}]`` in the order given.

    At least one known code, none twice; ``other`` needs a note. The note goes with ``other`` when
    it is given, else with the first reason, so the candidate reads it once. Raises ``InvalidInput``.
    """
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if not codes:
        errors["reasons"] = [_("请至少选择一项不通过原因。")]
    unknown = [str(code) for code in codes if code not in RejectionReason.values]
    if unknown:
        errors["reasons"] = [_("未知的不通过原因：%(codes)s") % {"codes": "、".join(unknown)}]
    elif len(set(codes)) != len(codes):
        errors["reasons"] = [_("不通过原因不能重复。")]
    if RejectionReason.OTHER in codes and not note:
        errors["note"] = [_("选择“其他”时，请在备注中写明原因。")]
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("备注不能超过%(limit)d个字。") % {"limit": NOTE_MAX_LENGTH}]
    if errors:
        raise InvalidInput(_("请选择不通过原因。"), fields=errors)
    holder = RejectionReason.OTHER if RejectionReason.OTHER in codes else codes[0]
    return [
        {"code": str(code), "label": str(RejectionReason(code).label), "note": note if code == holder else ""}
        for code in codes
    ]


def rejection_summary(reasons: Sequence[dict[str, str]]) -> str:
    """One line for the audit trail and reminders, in the active language: ``学历不符；其他：备注``
    (``Education mismatch; Other: note`` in English); the staff member's note stays as written.

    The line goes inside a sentence that ends it, so a note's own final full stop is left out
    (else the reminder reads "原因：……。。").
    """
    english = (get_language() or "").startswith("en")
    between, before_note = ("; ", ": ") if english else ("；", "：")
    return between.join(
        f"{_label(reason)}{before_note}{reason['note'].rstrip('。.； ')}" if reason.get("note") else _label(reason)
        for reason in reasons
    )


def _label(reason: dict[str, str]) -> str:
    # The stored label is the words of the day it was written; the code says it in any language.
    if reason.get("code") in RejectionReason.values:
        return str(RejectionReason(reason["code"]).label)
    return reason["label"]
