"""The signed application form (申请表, Shanghai slot 0): its barcode says which version was printed.

The form's barcode holds the 网报号 and the 验证码 it was printed with. Read from the uploaded scan
(zxing-cpp, in a worker), it is compared with the application now: the current code is the current
version; a code the application carried before is a stale version (printed before a change);
anything else is not this application's form; no barcode found is unreadable.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import zxingcpp
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from registration.models import Application

# The material slot that holds the signed form (Shanghai's slot 0); a setting may name another.
DEFAULT_SIGNED_FORM_SLOT = "0"


def signed_form_slot_code() -> str:
    return str(getattr(settings, "REVIEW_SIGNED_FORM_SLOT", DEFAULT_SIGNED_FORM_SLOT))


def parse_form_code(text: str) -> tuple[str, str] | None:
    """The 网报号 and 验证码 in a form's barcode or a scanner's input: two groups of digits
    (``12345678 1234567``, ``12345678-1234567``), or the 8-digit number and 7-digit code together."""
    groups = re.findall(r"\d+", text)
    if len(groups) == 2:
        return groups[0], groups[1]
    if len(groups) == 1 and len(groups[0]) == 15:
        return groups[0][:8], groups[0][8:]
    return None


def read_form_code(data: bytes) -> tuple[str, str] | None:
    """The first barcode in the image that holds a 网报号 and 验证码, or ``None``."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        results = zxingcpp.read_barcodes(image.convert("L"))
    for result in results:
        parsed = parse_form_code(result.text)
        if parsed is not None:
            return parsed
    return None


@dataclass(frozen=True)
class Verdict:
    status: str  # current, stale, mismatch, unreadable
    label: str


def form_verdict(application: Application, *, number: str, code: str, issued: bool) -> Verdict:
    """What a read barcode means for ``application`` now; ``issued``: the application once carried ``code``."""
    if not number:
        return Verdict("unreadable", _("无法识别条形码"))
    if number != application.number:
        return Verdict("mismatch", _("不是本报名表（网报号%(number)s）") % {"number": number})
    if code == application.verification_code:
        return Verdict("current", _("最新版本"))
    if issued:
        return Verdict("stale", _("旧版本：打印后报名信息有修改"))
    return Verdict("mismatch", _("验证码与本报名表不符"))
