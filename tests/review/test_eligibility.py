"""The eligibility pre-check: every row of reference/eligibility.csv, the policies on top, and the panel staff see."""

from __future__ import annotations

import csv
import dataclasses
import datetime
from pathlib import Path

import pytest

from registration.models import (
    Application,
    ApplicationEvent,
    EligibilityRule,
    Exam,
    MaterialFile,
    MaterialSlot,
    Specialty,
)
from registration.models.files import UploadStatus
from registration.services.catalogue import reference_data_load
from review.eligibility import Facts, Outcome, Policy, Rule, calendar_years, evaluate, full_years
from review.models import EarlyApplicationPolicy
from review.selectors import eligibility_rules
from tests.review.conftest import make_candidate, token_client

ELIGIBILITY_FILE = Path(__file__).resolve().parents[2] / "reference" / "eligibility.csv"
ROWS = list(csv.DictReader(ELIGIBILITY_FILE.open(encoding="utf-8")))
RULES = [
    Rule(
        category_group=row["category_group"],
        target_level=row["target_level"],
        education=row["education"],
        min_years=int(row["min_years"]),
        counted_from=row["counted_from"],
        alternative_counted_from=row["alternative_counted_from"],
        alternative_min_years=int(row["alternative_min_years"]) if row["alternative_min_years"] else None,
        note=row["note"],
    )
    for row in ROWS
]
CUTOFF = datetime.date(2025, 12, 31)
# A specialty category of each group, and the 执业类别 that the group's levels need where they need one.
GROUP_CATEGORY = {"physician": "临床医学类", "nursing": "护理类", "pharmacy_technician": "药学类"}
GROUP_PRACTICE = {"physician": "临床执业医师", "nursing": "执业护士", "pharmacy_technician": "无"}
QUALIFICATION = {
    "junior_assistant_qualification": "药士",
    "junior_qualification": "药师",
    "nurse_qualification": "护师",
}


def facts_for(rule: Rule, anchor: datetime.date | None, **overrides) -> Facts:
    """A candidate of the rule's group, level and education whose years start at ``anchor``."""
    values = {
        "specialty_code": "399",
        "specialty_category": GROUP_CATEGORY[rule.category_group],
        "target_level": rule.target_level,
        "education": rule.education,
        "cutoff": CUTOFF,
        "practice_category": GROUP_PRACTICE[rule.category_group],
        "current_qualification": QUALIFICATION.get(rule.counted_from, "无"),
        "graduation_date": datetime.date(2005, 7, 1),
    }
    if rule.counted_from == "graduation":
        values["graduation_date"] = anchor
    elif rule.counted_from in QUALIFICATION:
        values["qualification_date"] = anchor
    elif rule.counted_from in {"nurse_registration", "physician_registration"}:
        values["first_registration_month"] = anchor
    elif rule.counted_from == "residency_certificate":
        values["residency_certificate_month"] = anchor
    values.update(overrides)
    return Facts(**values)


def years_before_cutoff(years: int) -> datetime.date:
    """A month from which exactly ``years`` full years have passed at the cutoff."""
    return datetime.date(CUTOFF.year - years, 12, 1)


def row_id(rule: Rule) -> str:
    return f"{rule.category_group}-{rule.target_level}-{rule.education}-{rule.min_years}"


@pytest.mark.parametrize("rule", RULES, ids=row_id)
def test_every_row_passes_a_candidate_with_exactly_the_years_it_asks(rule):
    result = evaluate(facts_for(rule, years_before_cutoff(rule.min_years)), RULES)

    assert result.outcome == Outcome.PASS, result.checks
    assert result.required_years == rule.min_years
    years = next(check for check in result.checks if check.code == "years")
    assert years.outcome == Outcome.PASS
    if rule.min_years:
        assert f"要求{rule.min_years}年" in years.message


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.min_years], ids=row_id)
def test_every_row_with_years_fails_a_candidate_a_year_short_in_words(rule):
    short = datetime.date(CUTOFF.year - rule.min_years + 2, 1, 1)
    result = evaluate(facts_for(rule, short), RULES)

    assert result.outcome == Outcome.FAIL, result.checks
    years = next(check for check in result.checks if check.code == "years")
    assert years.message.startswith("年限不够")
    assert f"要求{rule.min_years}年" in years.message


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.min_years], ids=row_id)
def test_every_row_with_years_warns_where_only_the_lenient_count_reaches_them(rule):
    # From January of the year N-1 before the cutoff: N-1 full years, N counting the first year as one.
    lenient = datetime.date(CUTOFF.year - rule.min_years + 1, 1, 1)
    result = evaluate(facts_for(rule, lenient), RULES)

    assert result.outcome == Outcome.WARN, result.checks
    assert "按年度计" in next(check.message for check in result.checks if check.code == "years")


@pytest.mark.parametrize(
    "rule",
    [rule for rule in RULES if rule.min_years and rule.counted_from != "graduation"],
    ids=row_id,
)
def test_every_row_counted_from_a_qualification_or_registration_fails_without_it(rule):
    missing = {"current_qualification": "无", "practice_category": "无", "residency_certificate_month": None}
    result = evaluate(facts_for(rule, years_before_cutoff(rule.min_years), **missing), RULES)

    assert result.outcome == Outcome.FAIL
    assert "报考须自" in next(check.message for check in result.checks if check.code == "years")


def test_the_residency_certificate_is_a_second_way_for_the_bachelor_physician_row():
    rule = next(
        rule
        for rule in RULES
        if (rule.category_group, rule.education, rule.target_level) == ("physician", "本科", "中级")
    )
    facts = facts_for(rule, years_before_cutoff(1), residency_certificate_month=years_before_cutoff(2))

    result = evaluate(facts, RULES)

    assert result.outcome == Outcome.PASS
    assert "取得住培合格证书" in result.checks[0].message


def test_an_education_the_table_does_not_list_asks_staff_to_check():
    facts = facts_for(RULES[0], None, education="博士", target_level="初级(士)")
    result = evaluate(facts, RULES)
    assert result.outcome == Outcome.WARN
    assert "没有“初级(士) / 博士”的条目" in result.checks[0].message


def test_a_category_outside_the_groups_asks_staff_to_check():
    facts = facts_for(RULES[0], None, specialty_category="未知类")
    assert evaluate(facts, RULES).outcome == Outcome.WARN


class TestPractice:
    def nurse_rule(self) -> Rule:
        return next(
            rule
            for rule in RULES
            if (rule.category_group, rule.target_level, rule.education) == ("nursing", "中级", "本科")
        )

    def test_a_physician_level_needs_a_matching_physician_registration(self):
        rule = next(rule for rule in RULES if rule.category_group == "physician" and rule.education == "本科")
        facts = facts_for(rule, years_before_cutoff(4), specialty_category="口腔类")
        result = evaluate(facts, RULES)
        practice = next(check for check in result.checks if check.code == "practice")
        assert practice.outcome == Outcome.FAIL
        assert "口腔执业医师" in practice.message

    def test_an_assistant_physician_registration_is_not_enough(self):
        rule = next(rule for rule in RULES if rule.category_group == "physician" and rule.education == "大专")
        facts = facts_for(rule, years_before_cutoff(6), practice_category="临床执业助理医师")
        assert evaluate(facts, RULES).outcome == Outcome.FAIL

    def test_a_nurse_level_needs_the_nurse_registration(self):
        facts = facts_for(self.nurse_rule(), years_before_cutoff(4), practice_category="无")
        practice = next(check for check in evaluate(facts, RULES).checks if check.code == "practice")
        assert practice.outcome == Outcome.FAIL


COMMUNITY = Policy(
    key="community_health", name="社区卫生服务机构提前一年报考", years_early=1, specialty_codes=("301", "302", "373")
)
FRONTLINE = Policy(key="frontline_epidemic", name="疫情防控一线医务人员提前一年申报", years_early=1, once_only=True)


class TestPolicies:
    def rule(self) -> Rule:
        return next(rule for rule in RULES if (rule.category_group, rule.education) == ("physician", "本科"))

    def test_community_health_lets_a_general_practitioner_apply_a_year_early(self):
        facts = facts_for(self.rule(), years_before_cutoff(3), specialty_code="301", policies=(COMMUNITY,))
        result = evaluate(facts, RULES)
        assert result.outcome == Outcome.PASS
        assert "提前1年" in result.checks[0].message

    def test_community_health_does_not_apply_to_other_specialties(self):
        facts = facts_for(self.rule(), years_before_cutoff(3), specialty_code="303", policies=(COMMUNITY,))
        result = evaluate(facts, RULES)
        # Three full years against the four asked: only the lenient count reaches them.
        assert result.outcome == Outcome.WARN
        assert "仅适用于专业301、302、373" in result.checks[0].message
        assert "要求4年" in result.checks[1].message

    def test_frontline_staff_apply_a_year_early_once(self):
        early = facts_for(self.rule(), years_before_cutoff(3), policies=(FRONTLINE,))
        assert evaluate(early, RULES).outcome == Outcome.PASS
        used = dataclasses.replace(FRONTLINE, used_in_year=2023)
        again = evaluate(facts_for(self.rule(), years_before_cutoff(3), policies=(used,)), RULES)
        assert again.outcome == Outcome.FAIL
        assert "已于2023年度享受过" in again.checks[0].message

    def test_policies_do_not_add_up(self):
        facts = facts_for(self.rule(), years_before_cutoff(2), specialty_code="301", policies=(COMMUNITY, FRONTLINE))
        result = evaluate(facts, RULES)
        assert result.outcome != Outcome.PASS
        assert (
            "要求3年（按“社区卫生服务机构提前一年报考、疫情防控一线医务人员提前一年申报”提前1年）"
            in result.checks[0].message
        )

    def test_two_full_years_in_the_current_post_after_a_change(self):
        rule = self.rule()
        settled = evaluate(facts_for(rule, years_before_cutoff(6), post_changed_on=datetime.date(2023, 12, 31)), RULES)
        recent = evaluate(facts_for(rule, years_before_cutoff(6), post_changed_on=datetime.date(2024, 3, 1)), RULES)
        assert settled.outcome == Outcome.PASS
        assert recent.outcome == Outcome.FAIL
        assert "转岗人员从事现岗位工作须满2年" in next(c.message for c in recent.checks if c.code == "current_post")


def test_declared_years_below_the_requirement_fail():
    rule = next(rule for rule in RULES if (rule.category_group, rule.education) == ("physician", "本科"))
    result = evaluate(facts_for(rule, years_before_cutoff(8), years_in_specialty=3), RULES)
    assert result.outcome == Outcome.FAIL
    assert "申报的从事本专业年限为3年" in next(c.message for c in result.checks if c.code == "declared_years")


def test_year_counting():
    assert full_years(datetime.date(2018, 11, 1), datetime.date(2021, 12, 31)) == 3
    assert calendar_years(datetime.date(2018, 11, 1), datetime.date(2021, 12, 31)) == 4
    assert full_years(datetime.date(2022, 1, 1), datetime.date(2021, 12, 31)) == 0
    assert calendar_years(datetime.date(2022, 1, 1), datetime.date(2021, 12, 31)) == 0


@pytest.mark.django_db
class TestThroughTheApi:
    @pytest.fixture
    def rules(self, world):
        reference_data_load()
        return EligibilityRule.objects.count()

    def test_the_loaded_table_is_the_reference_file(self, rules):
        assert rules == len(ROWS)
        assert sorted(eligibility_rules(), key=row_id) == sorted(RULES, key=row_id)

    def test_staff_see_pass_for_a_physician_registered_long_enough(self, world, rules, api_as):
        # In BJ: registration is confirmed on site, so no uploaded materials are expected.
        application = world.make_application(point=world.bj1, first_registration_month=datetime.date(2014, 6, 1))

        eligibility = api_as("bj_point").get(f"/api/v1/staff/applications/{application.pk}/").json()["eligibility"]

        assert eligibility["outcome"] == "pass"
        assert (eligibility["required_years"], eligibility["counted_years"]) == (4, world.exam.year - 1 - 2014)

    def test_a_declaration_by_the_candidate_changes_what_staff_see(self, world, rules, api_as):
        cutoff = world.exam.work_years_cutoff
        candidate = make_candidate()
        registered = datetime.date(cutoff.year - 3, 6, 1)
        # Sent back by the point: editable by the candidate, and in the staff's view.
        application = world.make_application(
            point=world.bj1,
            status="confirmation_rejected",
            candidate=candidate,
            first_registration_month=registered,
            years_in_specialty=4,
        )
        staff = api_as("bj_point")
        path = f"/api/v1/staff/applications/{application.pk}/"
        assert staff.get(path).json()["eligibility"]["outcome"] == "warn"

        own = token_client(candidate)
        declared = own.put(
            f"/api/v1/applications/{application.pk}/eligibility-declaration/",
            {"policies": ["frontline_epidemic"]},
            format="json",
        )

        assert declared.status_code == 200
        assert declared.json() == {"policies": ["frontline_epidemic"], "post_changed_on": None}
        assert staff.get(path).json()["eligibility"]["outcome"] == "pass"

    def test_the_frontline_policy_used_in_an_earlier_year_fails_the_second_claim(self, world, rules, api_as):
        candidate = make_candidate()
        last_year = Exam.objects.create(
            **{
                field.name: getattr(world.exam, field.name)
                for field in Exam._meta.concrete_fields
                if field.name not in {"id", "year", "name"}
            },
            year=world.exam.year - 1,
            name="上一年度",
        )
        earlier = world.make_application(status="approved", candidate=candidate, exam=last_year)
        current = world.make_application(
            status="submitted",
            candidate=candidate,
            first_registration_month=datetime.date(world.exam.work_years_cutoff.year - 3, 6, 1),
        )
        staff = api_as("sh_point")
        for application in (earlier, current):
            response = staff.put(
                f"/api/v1/staff/applications/{application.pk}/eligibility-declaration/",
                {"policies": ["frontline_epidemic"], "post_changed_on": None},
                format="json",
            )
            assert response.status_code == 200, response.json()

        checks = staff.get(f"/api/v1/staff/applications/{current.pk}/").json()["eligibility"]["checks"]
        assert any(check["code"] == "policy" and "只能享受一次" in check["message"] for check in checks)

    @pytest.mark.parametrize(
        ("body", "field"),
        [({"policies": ["lucky"]}, "policies"), ({"post_changed_on": "2999-01-01"}, "post_changed_on")],
    )
    def test_bad_declarations_are_400(self, world, rules, api_as, body, field):
        application = world.make_application()
        response = api_as("sh_point").put(
            f"/api/v1/staff/applications/{application.pk}/eligibility-declaration/", body, format="json"
        )
        assert response.status_code == 400
        assert field in response.json()["fields"]

    def test_the_candidate_cannot_change_it_once_submitted_nor_touch_anothers(self, world, rules):
        candidate = make_candidate()
        mine = world.make_application(status="submitted", candidate=candidate)
        theirs = world.make_application(status="draft")
        own = token_client(candidate)
        body = {"policies": [], "post_changed_on": "2020-01-01"}

        assert (
            own.put(f"/api/v1/applications/{mine.pk}/eligibility-declaration/", body, format="json").status_code == 409
        )
        assert (
            own.put(f"/api/v1/applications/{theirs.pk}/eligibility-declaration/", body, format="json").status_code
            == 404
        )

    def test_no_specialty_yet_is_a_warning_not_an_error(self, world, rules, api_as):
        application = world.make_application()
        Application.objects.filter(pk=application.pk).update(specialty=None)
        body = api_as("sh_point").get(f"/api/v1/staff/applications/{application.pk}/").json()
        assert body["eligibility"]["outcome"] == "warn"


@pytest.mark.django_db
def test_the_material_slots_the_case_expects_must_hold_a_file(world, api_as):
    reference_data_load()  # Shanghai's slots, for the SH district
    application = world.make_application(residency_certificate_month=datetime.date(2020, 8, 1))
    staff = api_as("sh_point")

    def materials_check():
        checks = staff.get(f"/api/v1/staff/applications/{application.pk}/").json()["eligibility"]["checks"]
        return next(check for check in checks if check["code"] == "materials")

    missing = materials_check()
    assert missing["outcome"] == "warn"
    for expected in ["0 申请表", "3-1 ", "3-2 ", "5-1 ", "6-1 ", "8-1 "]:
        assert expected in missing["message"]
    for not_expected in ["4-1 ", "4-3a ", "7 转岗", "11 上一年度"]:
        assert not_expected not in missing["message"]

    expected_codes = ["0", "3-1", "3-2", "5-1", "5-2", "5-3a", "5-3b", "6-1", "6-2", "6-3", "6-4", "8-1", "8-2", "8-3"]
    for slot in MaterialSlot.objects.filter(district=world.sh, code__in=expected_codes):
        MaterialFile.objects.create(
            application=application,
            slot=slot,
            key=f"materials/{slot.code}.jpg",
            size=20_000,
            status=UploadStatus.ACCEPTED,
            queued_at=application.submitted_at,
        )
    assert materials_check()["outcome"] == "pass", materials_check()


@pytest.mark.django_db
class TestTheSeedsRules:
    """The rules the seeds state, seen by staff in the pre-check of the staff API (BJ: no materials)."""

    @pytest.fixture
    def rules(self, world):
        reference_data_load()

    def _eligibility(self, api_as, application) -> dict:
        return api_as("bj_point").get(f"/api/v1/staff/applications/{application.pk}/").json()["eligibility"]

    def _years(self, eligibility) -> dict:
        return next(check for check in eligibility["checks"] if check["code"] == "years")

    def test_a_doctor_without_the_residency_certificate_is_not_pass(self, world, rules, api_as):
        """Seed 003 line 204: "取得临床医学博士专业学位，取得规培证后报考"."""
        application = world.make_application(
            point=world.bj1, education="博士", highest_education="博士", residency_certificate_month=None
        )

        eligibility = self._eligibility(api_as, application)

        assert eligibility["outcome"] == "fail"
        assert self._years(eligibility)["outcome"] == "fail"
        assert "住培合格证书" in self._years(eligibility)["message"]

    def test_a_doctor_with_the_residency_certificate_passes_without_years(self, world, rules, api_as):
        """Seed 003 line 204: "取得临床医学博士专业学位，取得规培证后报考"."""
        application = world.make_application(
            point=world.bj1,
            education="博士",
            highest_education="博士",
            residency_certificate_month=datetime.date(world.exam.year - 1, 9, 1),
        )

        eligibility = self._eligibility(api_as, application)

        assert eligibility["outcome"] == "pass", eligibility
        assert "无工作年限要求" in self._years(eligibility)["message"]

    @pytest.mark.parametrize(("qualification", "outcome"), [("医师", "fail"), ("护师", "fail"), ("药师", "pass")])
    def test_a_junior_qualification_counts_only_in_its_own_field(self, world, rules, api_as, qualification, outcome):
        """Seed 003 line 190: "学药学类专业的，只可报考药学类资格，不可报考护理类资格，如此类推" —
        a 医师 applying for 主管药师 holds no 药师 qualification."""
        pharmacy = Specialty.objects.get(code="366")  # 药学, 药学类, 中级
        world.exam.specialties.add(pharmacy)
        application = world.make_application(
            point=world.bj1,
            specialty=pharmacy,
            current_qualification=qualification,
            qualification_date=datetime.date(2012, 12, 1),
            practice_category="无",
            first_registration_month=None,
        )

        eligibility = self._eligibility(api_as, application)

        assert eligibility["outcome"] == outcome, eligibility
        if outcome == "fail":
            assert (
                f"现有技术资格为“{qualification}”，不是本专业的初级(师)资格“药师”"
                in self._years(eligibility)["message"]
            )

    @pytest.mark.parametrize(
        ("policy", "seed"),
        [
            ("outstanding_contribution", "Seed 000 line 170: 获得省部级以上表彰奖励的……可以直接申报"),
            ("residency_grassroots", "Seed 003 line 188: 本科……住院医师规范化培训合格并到基层……可直接参加中级职称考试"),
        ],
    )
    def test_a_direct_policy_staff_record_passes_with_the_policy_named(self, world, rules, api_as, policy, seed):
        """Seed 000 line 170 ("对做出突出贡献，获得省部级以上表彰奖励的，晋升高一级职称可以直接申报参加考试")
        and seed 003 line 188 (本科 + 住培 + 基层 → 中级 directly): declarations staff record after checking."""
        cutoff = world.exam.work_years_cutoff
        application = world.make_application(
            point=world.bj1, first_registration_month=datetime.date(cutoff.year - 1, 6, 1), years_in_specialty=1
        )
        assert self._eligibility(api_as, application)["outcome"] == "fail"

        recorded = api_as("bj_point").put(
            f"/api/v1/staff/applications/{application.pk}/eligibility-declaration/",
            {"policies": [policy], "post_changed_on": None},
            format="json",
        )

        assert recorded.status_code == 200, recorded.json()
        eligibility = self._eligibility(api_as, application)
        assert eligibility["outcome"] == "pass", (seed, eligibility)
        name = EarlyApplicationPolicy.objects.get(key=policy).name
        assert f"按“{name}”直接申报" in self._years(eligibility)["message"]

    def test_the_grassroots_policy_is_for_the_intermediate_level_only(self, world, rules, api_as):
        """Seed 003 line 188: "可直接参加中级职称考试"."""
        nursing = Specialty.objects.get(code="203")  # 护理学(师), 护理类, 初级(师)
        world.exam.specialties.add(nursing)
        application = world.make_application(
            point=world.bj1,
            specialty=nursing,
            practice_category="执业护士",
            # Registered after the cutoff: no year counts, so only a direct policy could pass it.
            first_registration_month=datetime.date(world.exam.work_years_cutoff.year + 1, 1, 1),
        )
        api_as("bj_point").put(
            f"/api/v1/staff/applications/{application.pk}/eligibility-declaration/",
            {"policies": ["residency_grassroots"], "post_changed_on": None},
            format="json",
        )

        eligibility = self._eligibility(api_as, application)

        assert eligibility["outcome"] == "fail"
        assert any(check["code"] == "policy" and check["outcome"] == "warn" for check in eligibility["checks"])

    def test_the_candidate_can_neither_claim_nor_drop_a_direct_policy(self, world, rules, api_as):
        """Seed 000 line 170: the direct application rests on proof (表彰奖励) that staff check."""
        candidate = make_candidate()
        application = world.make_application(point=world.bj1, status="confirmation_rejected", candidate=candidate)
        own = token_client(candidate)
        path = f"/api/v1/applications/{application.pk}/eligibility-declaration/"

        claimed = own.put(path, {"policies": ["outstanding_contribution"]}, format="json")

        assert claimed.status_code == 400
        assert "工作人员核实" in claimed.json()["fields"]["policies"][0]
        staff_path = f"/api/v1/staff/applications/{application.pk}/eligibility-declaration/"
        body = {"policies": ["outstanding_contribution"], "post_changed_on": None}
        # Staff record it once the application is submitted; the candidate withdraws to edit again.
        Application.objects.filter(pk=application.pk).update(status="submitted")
        assert api_as("bj_point").put(staff_path, body, format="json").status_code == 200
        Application.objects.filter(pk=application.pk).update(status="draft")
        kept = own.put(path, {"policies": ["frontline_epidemic"]}, format="json")
        assert kept.status_code == 200
        assert sorted(kept.json()["policies"]) == ["frontline_epidemic", "outstanding_contribution"]


@pytest.mark.django_db
class TestApprovingAFailedPreCheck:
    """Seed 002 line 43 (资格审核 "分为考点审核和考区审核两个阶段"): the reviewer decides, the pre-check
    advises; approving against a FAIL needs the reason on record."""

    @pytest.fixture
    def failing(self, world):
        reference_data_load()
        # Registered last year: 本科 physicians need four years.
        cutoff = world.exam.work_years_cutoff
        return world.make_application(status="confirmed", first_registration_month=datetime.date(cutoff.year, 1, 1))

    def _approve(self, api_as, application, note=None):
        body = {"stage": "site", "decision": "approve", "reasons": []}
        if note is not None:
            body["note"] = note
        return api_as("sh_site").post(f"/api/v1/staff/applications/{application.pk}/review/", body, format="json")

    @pytest.mark.parametrize("note", [None, "", "   "])
    def test_without_a_reason_the_approval_is_refused(self, world, api_as, failing, note):
        assert self._eligibility_outcome(api_as, failing) == "fail"

        response = self._approve(api_as, failing, note)

        assert response.status_code == 400
        assert "写明理由" in response.json()["fields"]["note"][0]
        failing.refresh_from_db()
        assert failing.status == "confirmed"

    def test_with_a_reason_it_is_approved_and_the_reason_kept_in_the_audit_trail(self, world, api_as, failing):
        response = self._approve(api_as, failing, "提供了援外医疗工作证明，年限已核实")

        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "site_approved"
        event = ApplicationEvent.objects.filter(application=failing).latest("id")
        assert (event.action, event.actor) == ("approve_site", world.staff["sh_site"])
        assert "预审不符合" in event.reason and "提供了援外医疗工作证明" in event.reason

    def test_a_passing_pre_check_needs_no_reason(self, world, api_as):
        reference_data_load()
        application = world.make_application(status="confirmed", first_registration_month=datetime.date(2014, 6, 1))
        assert self._approve(api_as, application).status_code == 200

    def _eligibility_outcome(self, api_as, application) -> str:
        return api_as("sh_site").get(f"/api/v1/staff/applications/{application.pk}/").json()["eligibility"]["outcome"]
