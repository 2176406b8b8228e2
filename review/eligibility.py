"""The eligibility pre-check: pure functions over an application's facts and the eligibility table.

It advises staff, it never decides: each check is pass, warn or fail with the reason in words, and
the result is the worst of them. The years a target level asks for come from ``EligibilityRule``
rows (``reference/eligibility.csv``); the tables below say how the rows' words are read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from registration.choices import CountedFrom

# Who a material slot concerns is the registration app's, so the candidate's page folds the same
# slots staff see as not expected; the names stay importable from here.
from registration.material_audiences import (  # noqa: F401
    CATEGORY_GROUPS,
    SLOT_AUDIENCES,
    Case,
    category_group,
    slot_expected,
)

# The field (医, 护, 药, 技) of each specialty category: a 初级 qualification counts only in its own
# field — a 医师 applying for 主管药师 holds no 药师 qualification (seed 003 line 190: "学药学类专业的，
# 只可报考药学类资格，不可报考护理类资格").
QUALIFICATION_FIELDS: dict[str, str] = {
    "临床医学类": "医",
    "中医类": "医",
    "中西医结合类": "医",
    "口腔类": "医",
    "护理类": "护",
    "药学类": "药",
    "技术类": "技",
}
NURSE_PRACTICE = "执业护士"
PHYSICIAN_PRACTICES = frozenset({"临床执业医师", "中医执业医师", "口腔执业医师", "公共卫生执业医师"})

# (specialty category, target level) → the practice categories (执业类别) that level requires.
PRACTICE_REQUIREMENTS: dict[tuple[str, str], frozenset[str]] = {
    ("临床医学类", "中级"): frozenset({"临床执业医师", "公共卫生执业医师"}),
    ("中医类", "中级"): frozenset({"中医执业医师"}),
    ("中西医结合类", "中级"): frozenset({"中医执业医师", "临床执业医师"}),
    ("口腔类", "中级"): frozenset({"口腔执业医师"}),
    ("护理类", "初级(师)"): frozenset({NURSE_PRACTICE}),
    ("护理类", "中级"): frozenset({NURSE_PRACTICE}),
}

# Candidates who changed post must have worked this many full years in the current one.
CURRENT_POST_MIN_YEARS = 2


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    WARN = "warn"
    FAIL = "fail"


_SEVERITY = {Outcome.PASS: 0, Outcome.WARN: 1, Outcome.FAIL: 2}


@dataclass(frozen=True)
class Rule:
    category_group: str
    target_level: str
    education: str
    min_years: int
    counted_from: str = ""  # a ``CountedFrom`` value, or "" (no start, nothing to hold)
    alternative_counted_from: str = ""
    alternative_min_years: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Policy:
    """An early-application policy claimed, or a direct one staff recorded; ``used_in_year``: an
    earlier year it was used in."""

    key: str
    name: str
    years_early: int
    specialty_codes: tuple[str, ...] = ()
    once_only: bool = False
    used_in_year: int | None = None
    direct: bool = False
    target_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What the check reads from an application (and its declaration, and its materials)."""

    specialty_code: str
    specialty_category: str
    target_level: str
    education: str
    cutoff: datetime.date
    graduation_date: datetime.date | None = None
    current_qualification: str = ""
    qualification_date: datetime.date | None = None
    practice_category: str = ""
    first_registration_month: datetime.date | None = None
    residency_certificate_month: datetime.date | None = None
    years_in_specialty: int | None = None
    policies: tuple[Policy, ...] = ()
    post_changed_on: datetime.date | None = None
    # Codes of the material slots holding at least one file; ``None`` where materials are not uploaded online.
    material_slots: frozenset[str] | None = None
    expected_slots: tuple[tuple[str, str], ...] = ()  # (code, title) the candidate's case asks for


@dataclass(frozen=True)
class Check:
    code: str
    outcome: Outcome
    message: str


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    checks: tuple[Check, ...] = field(default_factory=tuple)
    required_years: int | None = None
    counted_years: int | None = None


def full_years(start: datetime.date, end: datetime.date) -> int:
    """Whole years from ``start`` to ``end`` (an anniversary on ``end`` counts); 0 if ``end`` is earlier."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def calendar_years(start: datetime.date, end: datetime.date) -> int:
    """Years counted by year number, the first year as one (注册第一年即为 1 年, as lenient districts
    count: registered 2018-11, four years by 2021-12-31); 0 if ``end`` is earlier."""
    return max(end.year - start.year + 1, 0) if end >= start else 0


@dataclass(frozen=True)
class _Anchor:
    label: str
    held: bool  # the candidate has what the years count from (a qualification, a registration)
    date: datetime.date | None
    not_held: str  # in words, when ``held`` is false


def _anchor(counted_from: str, facts: Facts) -> _Anchor | None:
    """Where the years of ``counted_from`` start for this candidate; ``None`` for no start at all."""
    qualification = facts.current_qualification
    practice = facts.practice_category
    qualification_field = QUALIFICATION_FIELDS.get(facts.specialty_category, "")
    if counted_from == CountedFrom.GRADUATION:
        return _Anchor(_("毕业"), True, facts.graduation_date, "")
    if counted_from in {CountedFrom.JUNIOR_ASSISTANT_QUALIFICATION, CountedFrom.JUNIOR_QUALIFICATION}:
        grade = "士" if counted_from == CountedFrom.JUNIOR_ASSISTANT_QUALIFICATION else "师"
        wanted = f"{qualification_field}{grade}"
        return _Anchor(
            _("取得%(wanted)s资格") % {"wanted": wanted},
            bool(qualification_field) and qualification == wanted,
            facts.qualification_date,
            _("现有技术资格为“%(held)s”，不是本专业的初级(%(grade)s)资格“%(wanted)s”")
            % {"held": qualification or _("未填写"), "grade": grade, "wanted": wanted},
        )
    if counted_from == CountedFrom.NURSE_QUALIFICATION:
        return _Anchor(_("取得护师资格"), qualification == "护师", facts.qualification_date, _("现有技术资格不是护师"))
    if counted_from == CountedFrom.NURSE_REGISTRATION:
        held = practice == NURSE_PRACTICE
        return _Anchor(_("护士执业注册"), held, facts.first_registration_month, _("执业类别不是执业护士"))
    if counted_from == CountedFrom.PHYSICIAN_REGISTRATION:
        held = practice in PHYSICIAN_PRACTICES
        return _Anchor(_("医师执业注册"), held, facts.first_registration_month, _("执业类别不是执业医师"))
    if counted_from == CountedFrom.RESIDENCY_CERTIFICATE:
        held = facts.residency_certificate_month is not None
        return _Anchor(_("取得住培合格证书"), held, facts.residency_certificate_month, _("未填写住培合格证书发证年月"))
    return None


def _direct_policy(facts: Facts) -> tuple[Policy | None, list[Check]]:
    """The first recorded direct-application policy that applies to this specialty and level."""
    checks: list[Check] = []
    for policy in facts.policies:
        if not policy.direct:
            continue
        fits_specialty = not policy.specialty_codes or facts.specialty_code in policy.specialty_codes
        fits_level = not policy.target_levels or facts.target_level in policy.target_levels
        if fits_specialty and fits_level:
            return policy, checks
        checks.append(
            Check(
                "policy",
                Outcome.WARN,
                _("“%(policy)s”不适用于本次报考的专业或级别（%(code)s，%(level)s）。")
                % {"policy": policy.name, "code": facts.specialty_code, "level": facts.target_level},
            )
        )
    return None, checks


def find_rule(rules: Iterable[Rule], *, group: str, level: str, education: str) -> Rule | None:
    return next(
        (r for r in rules if (r.category_group, r.target_level, r.education) == (group, level, education)), None
    )


def _policy_checks(facts: Facts) -> tuple[int, list[Check], list[str]]:
    """The years of early application granted (the largest applicable policy; they do not add up)."""
    granted = 0
    checks: list[Check] = []
    names: list[str] = []
    for policy in facts.policies:
        if policy.direct:
            continue
        if policy.specialty_codes and facts.specialty_code not in policy.specialty_codes:
            checks.append(
                Check(
                    "policy",
                    Outcome.WARN,
                    _("“%(policy)s”仅适用于专业%(codes)s，本次报考专业%(code)s不适用。")
                    % {"policy": policy.name, "codes": "、".join(policy.specialty_codes), "code": facts.specialty_code},
                )
            )
            continue
        if policy.once_only and policy.used_in_year is not None:
            checks.append(
                Check(
                    "policy",
                    Outcome.FAIL,
                    _("“%(policy)s”只能享受一次，考生已于%(year)d年度享受过。")
                    % {"policy": policy.name, "year": policy.used_in_year},
                )
            )
            continue
        granted = max(granted, policy.years_early)
        names.append(policy.name)
    return granted, checks, names


def _years_check(facts: Facts, rule: Rule) -> tuple[list[Check], int | None]:
    """The years rule: counted from the rule's start to the cutoff, with early-application policies;
    a direct-application policy staff recorded passes it outright."""
    direct, checks = _direct_policy(facts)
    if direct is not None:
        checks.append(
            Check(
                "years",
                Outcome.PASS,
                _("按“%(policy)s”直接申报（工作人员已核实登记），不受工作年限限制。") % {"policy": direct.name},
            )
        )
        return checks, None
    early, policy_checks, policy_names = _policy_checks(facts)
    checks += policy_checks
    required = max(rule.min_years - early, 0)
    policy_words = (
        _("（按“%(policies)s”提前%(years)d年）") % {"policies": "、".join(policy_names), "years": early}
        if early
        else ""
    )
    cutoff_text = facts.cutoff.isoformat()
    anchor = _anchor(rule.counted_from, facts)
    if anchor is None:
        if rule.min_years == 0:
            checks.append(Check("years", Outcome.PASS, _("该学历报考本级别无工作年限要求。")))
        else:
            checks.append(
                Check(
                    "years",
                    Outcome.WARN,
                    _("要求%(years)d年，规则未说明起算点，无法自动核算，请人工核对。") % {"years": rule.min_years},
                )
            )
        return checks, None

    alternative = _anchor(rule.alternative_counted_from, facts)
    years = rule.alternative_min_years
    if alternative and years is not None and alternative.held and alternative.date:
        counted_alternative = full_years(alternative.date, facts.cutoff)
        if counted_alternative >= years:
            checks.append(
                Check(
                    "years",
                    Outcome.PASS,
                    _("自%(start)s（%(date)s）起至%(cutoff)s满%(counted)d年，符合“%(start)s后满%(years)d年”的条件。")
                    % {
                        "start": alternative.label,
                        "date": alternative.date.isoformat(),
                        "cutoff": cutoff_text,
                        "counted": counted_alternative,
                        "years": years,
                    },
                )
            )
            return checks, counted_alternative

    if rule.min_years == 0:
        # Seed 003 line 204: 博士 "取得规培证后报考" — no years, but what they count from must be held.
        if anchor.held:
            checks.append(
                Check(
                    "years", Outcome.PASS, _("已%(start)s，本学历报考本级别无工作年限要求。") % {"start": anchor.label}
                )
            )
        else:
            checks.append(
                Check(
                    "years",
                    Outcome.FAIL,
                    _("本学历须%(start)s后方可报考，但%(why)s。") % {"start": anchor.label, "why": anchor.not_held},
                )
            )
        return checks, None

    if not anchor.held:
        checks.append(
            Check(
                "years",
                Outcome.FAIL,
                _("报考须自%(start)s起满%(years)d年，但%(why)s。")
                % {"start": anchor.label, "years": rule.min_years, "why": anchor.not_held},
            )
        )
        return checks, None
    if anchor.date is None:
        checks.append(
            Check(
                "years",
                Outcome.WARN,
                _("报考须自%(start)s起满%(years)d年，但未填写%(start)s的时间，无法核算。")
                % {"start": anchor.label, "years": rule.min_years},
            )
        )
        return checks, None

    counted = full_years(anchor.date, facts.cutoff)
    words = {
        "start": anchor.label,
        "date": anchor.date.isoformat(),
        "cutoff": cutoff_text,
        "counted": counted,
        "required": required,
        "policy": policy_words,
    }
    if counted >= required:
        message = _("自%(start)s（%(date)s）起至%(cutoff)s满%(counted)d年，要求%(required)d年%(policy)s。") % words
        checks.append(Check("years", Outcome.PASS, message))
    elif calendar_years(anchor.date, facts.cutoff) >= required:
        message = (
            _(
                "自%(start)s（%(date)s）起至%(cutoff)s按年度计满%(required)d年，按整年计仅%(counted)d年，"
                "要求%(required)d年%(policy)s，请按本考区口径核对。"
            )
            % words
        )
        checks.append(Check("years", Outcome.WARN, message))
    else:
        message = (
            _("年限不够：自%(start)s（%(date)s）起至%(cutoff)s仅%(counted)d年，要求%(required)d年%(policy)s。") % words
        )
        checks.append(Check("years", Outcome.FAIL, message))

    if facts.years_in_specialty is not None and facts.years_in_specialty < required:
        checks.append(
            Check(
                "declared_years",
                Outcome.FAIL,
                _("申报的从事本专业年限为%(declared)d年，少于要求的%(required)d年。")
                % {"declared": facts.years_in_specialty, "required": required},
            )
        )
    return checks, counted


def _practice_check(facts: Facts) -> Check | None:
    wanted = PRACTICE_REQUIREMENTS.get((facts.specialty_category, facts.target_level))
    if wanted is None:
        return None
    if facts.practice_category in wanted:
        return Check(
            "practice",
            Outcome.PASS,
            _("执业类别为%(practice)s，符合本级别的执业注册要求。") % {"practice": facts.practice_category},
        )
    return Check(
        "practice",
        Outcome.FAIL,
        _("报考%(category)s%(level)s须取得%(wanted)s执业注册，所填执业类别为“%(practice)s”。")
        % {
            "category": facts.specialty_category,
            "level": facts.target_level,
            "wanted": "或".join(sorted(wanted)),
            "practice": facts.practice_category or _("未填写"),
        },
    )


def _post_check(facts: Facts) -> Check | None:
    if facts.post_changed_on is None:
        return None
    counted = full_years(facts.post_changed_on, facts.cutoff)
    words = {"date": facts.post_changed_on.isoformat(), "counted": counted, "years": CURRENT_POST_MIN_YEARS}
    if counted >= CURRENT_POST_MIN_YEARS:
        return Check("current_post", Outcome.PASS, _("%(date)s转入现岗位，已满%(counted)d年。") % words)
    return Check(
        "current_post",
        Outcome.FAIL,
        _("转岗人员从事现岗位工作须满%(years)d年：%(date)s转入现岗位，至截止日期仅%(counted)d年。") % words,
    )


def _materials_check(facts: Facts) -> list[Check]:
    if facts.material_slots is None:
        return []
    missing = [(code, title) for code, title in facts.expected_slots if code not in facts.material_slots]
    if not missing:
        return [Check("materials", Outcome.PASS, _("本考生情况所需的证明材料项均已上传。"))]
    return [
        Check(
            "materials",
            Outcome.WARN,
            _("未上传：%(slots)s。") % {"slots": "；".join(f"{code} {title}" for code, title in missing)},
        )
    ]


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    return max(outcomes, key=_SEVERITY.__getitem__, default=Outcome.PASS)


def evaluate(facts: Facts, rules: Sequence[Rule]) -> Result:
    """Every check that applies to ``facts``, and the worst outcome among them."""
    checks: list[Check] = []
    counted: int | None = None
    required: int | None = None
    group = category_group(facts.specialty_category)
    if group is None:
        checks.append(
            Check(
                "rule",
                Outcome.WARN,
                _("专业类别“%(category)s”没有对应的报考年限规则组，请人工核对。")
                % {"category": facts.specialty_category},
            )
        )
    elif not facts.education:
        checks.append(Check("rule", Outcome.WARN, _("未引用报考学历，无法核对报考年限。")))
    else:
        rule = find_rule(rules, group=group, level=facts.target_level, education=facts.education)
        if rule is None:
            checks.append(
                Check(
                    "rule",
                    Outcome.WARN,
                    _("报考年限规则中没有“%(level)s / %(education)s”的条目，请人工核对学历是否符合报考条件。")
                    % {"level": facts.target_level, "education": facts.education},
                )
            )
        else:
            year_checks, counted = _years_check(facts, rule)
            checks += year_checks
            required = rule.min_years
    for extra in (_practice_check(facts), _post_check(facts)):
        if extra is not None:
            checks.append(extra)
    checks += _materials_check(facts)
    return Result(
        outcome=worst(check.outcome for check in checks),
        checks=tuple(checks),
        required_years=required,
        counted_years=counted,
    )
