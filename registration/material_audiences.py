"""Whom each proof-material slot concerns: the ``who`` column of reference/shanghai-material-slots.csv
read as a test of the candidate's case.

The candidate's materials page shows the slots expected of them first and folds the rest; the staff
pre-check (``review.eligibility``) warns about expected slots left empty. Both read this one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Specialty category (specialties.csv ``category``) → category group of the eligibility table.
# 中医、中西医结合 and 口腔 are physicians' categories like 临床医学; 技术类 shares the
# pharmacy/technician rules (《卫生专业技术人员职称评价基本标准》).
CATEGORY_GROUPS: dict[str, str] = {
    "临床医学类": "physician",
    "中医类": "physician",
    "中西医结合类": "physician",
    "口腔类": "physician",
    "护理类": "nursing",
    "药学类": "pharmacy_technician",
    "技术类": "pharmacy_technician",
}


def category_group(category: str) -> str | None:
    return CATEGORY_GROUPS.get(category)


# Who a material slot concerns (the ``who`` hint of reference/shanghai-material-slots.csv), as a test
# of the candidate's case: the slots expected of them. Hints left out depend on facts the application
# does not hold (household registration, nationality, private institutions, a changed certificate),
# or cover pages only some have (a nurse's or physician's change and renewal pages): never expected.
@dataclass(frozen=True)
class Case:
    group: str | None
    level: str
    education: str
    residency: bool
    changed_post: bool
    history: bool
    special: bool  # claims an early-application policy


SLOT_AUDIENCES: dict[str, Callable[[Case], bool]] = {
    "all": lambda case: True,
    "all candidates except history candidates confirmed automatically": lambda case: True,
    "大专 and above; foreign degrees": lambda case: case.education in {"大专", "本科", "硕士", "博士"},
    "pharmacy/technician applying for 师": lambda case: (
        case.group == "pharmacy_technician" and case.level == "初级(师)"
    ),
    "nurses applying for 护师 or 主管护师": lambda case: case.group == "nursing",
    "physicians applying for 主治/主管医师": lambda case: case.group == "physician" and case.level == "中级",
    "applying for 主管护师/主管药（技）师": lambda case: (
        case.group in {"nursing", "pharmacy_technician"} and case.level == "中级"
    ),
    "residency-trained physicians applying for 中级": lambda case: case.residency and case.level == "中级",
    "candidates who changed post": lambda case: case.changed_post,
    "history candidates": lambda case: case.history,
    "special cases": lambda case: case.special,
}


# Hints that name facts the application does not hold, or pages only some candidates have: shown to
# the candidate, never expected of anyone.
UNDECIDED_AUDIENCES = frozenset(
    {
        "non-Shanghai household registration",
        "Hong Kong/Macao/Taiwan residents and foreigners",
        "nurses",
        "physicians",
        "physicians who changed certificate",
        "residency-trained",
        "private institutions",
    }
)
# The closed vocabulary of the ``who`` column: ``load_reference`` refuses any other value.
AUDIENCES = frozenset(SLOT_AUDIENCES) | UNDECIDED_AUDIENCES


def slot_expected(who: str, case: Case) -> bool:
    audience = SLOT_AUDIENCES.get(who.strip())
    return audience is not None and audience(case)
