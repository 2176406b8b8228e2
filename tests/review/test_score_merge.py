"""成绩合并: site staff link last year's record of a candidate whose ID number changed; an
administrator may revoke it; while it stands it counts for the default subjects."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import TestCase
from django.urls import reverse

from registration.models import ApplicationEvent, HistoryRecord, ScoreMerge
from registration.pii import id_number_digest
from tests.review.conftest import make_candidate, resident_id, token_client

pytestmark = pytest.mark.django_db

OLD_ID_NUMBER = resident_id(901)


def last_year(world, *, passed=("1", "3"), file_number="SH2025000123", ticket_number="2503031001", **fields):
    """Last year's record of the person under their old ID number, as the staff import writes it."""
    values = {
        "exam_year": world.exam.year - 1,
        "id_number_digest": id_number_digest(OLD_ID_NUMBER),
        "name": "张三",
        "district_code": "SH",
        "site_code": "SH0101",
        "specialty_code": "303",
        "level": "中级",
        "education": "本科",
        "unit_name": "上海市第一人民医院",
        "passed_subjects": list(passed),
        "file_number": file_number,
        "ticket_number": ticket_number,
    }
    return HistoryRecord.objects.create(**{**values, **fields})


def merge(api_as, application_id, number, *, as_="sh_site"):
    # On commit: the merge retires the cached application bodies (registration.application_bodies).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api_as(as_).post(
            f"/api/v1/staff/applications/{application_id}/score-merge/", {"number": number}, format="json"
        )


def revoke(api_as, merge_id, reason, *, as_="admin"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api_as(as_).post(f"/api/v1/staff/score-merges/{merge_id}/revoke/", {"reason": reason}, format="json")


def history_subjects(application) -> dict:
    return token_client(application.candidate).get(f"/api/v1/applications/{application.pk}/").json()["history_subjects"]


class TestMerge:
    @pytest.mark.parametrize(("number", "found_by"), [("SH2025000123", "file_number"), ("2503031001", "ticket_number")])
    def test_site_staff_merge_by_file_or_ticket_number_and_the_defaults_follow(self, world, api_as, number, found_by):
        """Seed 002 line 60: "历史考生的证件类型或证件编号如与上一年度不一致,须……至考点申请考试成绩的合并";
        seed 003 line 594: by the 档案号. The merged record gives last year's failed subjects by default."""
        last_year(world)
        application = world.make_application(status="submitted")
        assert history_subjects(application) == {}

        response = merge(api_as, application.pk, number)

        assert response.status_code == 201, response.json()
        assert (response.json()["found_by"], response.json()["exam_year"]) == (found_by, world.exam.year - 1)
        assert history_subjects(application) == {"303": ["2", "4"]}
        event = ApplicationEvent.objects.filter(application=application).latest("id")
        assert (event.action, event.actor, event.from_status, event.to_status) == (
            "score_merge",
            world.staff["sh_site"],
            "submitted",
            "submitted",
        )
        assert number in event.reason

    def test_without_a_merge_a_changed_id_number_starts_as_a_new_candidate(self, world):
        """Seed 002 line 60: "如未提出成绩合并申请,视为主动放弃上一年度考试成绩"."""
        last_year(world)
        application = world.make_application(status="submitted")
        assert history_subjects(application) == {}

    @pytest.mark.parametrize("as_", ["sh_point", "sh_district", "sh_finance"])
    def test_only_site_staff_merge(self, world, api_as, as_):
        """Seed 002 line 60: the merge is asked of the site (考点)."""
        last_year(world)
        application = world.make_application(status="submitted")
        assert merge(api_as, application.pk, "SH2025000123", as_=as_).status_code == 403
        assert not ScoreMerge.objects.exists()

    def test_site_staff_of_another_site_get_not_found(self, world, api_as):
        last_year(world)
        application = world.make_application(status="submitted")
        assert merge(api_as, application.pk, "SH2025000123", as_="sh_site_b").status_code == 404
        assert not ScoreMerge.objects.exists()

    @pytest.mark.parametrize("number", ["SH2099999999", "", "   "])
    def test_an_unknown_or_empty_number_is_refused_with_the_field(self, world, api_as, number):
        last_year(world)
        application = world.make_application(status="submitted")
        response = merge(api_as, application.pk, number)
        assert response.status_code == 400
        assert "number" in response.json()["fields"]
        assert not ScoreMerge.objects.exists()

    def test_a_record_of_two_years_ago_is_not_last_years(self, world, api_as):
        last_year(world, exam_year=world.exam.year - 2)
        application = world.make_application(status="submitted")
        assert merge(api_as, application.pk, "SH2025000123").status_code == 400

    def test_the_candidates_own_record_needs_no_merge(self, world, api_as):
        candidate = make_candidate(id_number=OLD_ID_NUMBER)
        last_year(world)
        application = world.make_application(status="submitted", candidate=candidate)
        response = merge(api_as, application.pk, "SH2025000123")
        assert response.status_code == 400
        assert "无需合并" in response.json()["fields"]["number"][0]

    def test_a_record_merges_into_one_candidate_only(self, world, api_as):
        last_year(world)
        first = world.make_application(status="submitted")
        second = world.make_application(status="submitted")
        assert merge(api_as, first.pk, "SH2025000123").status_code == 201

        response = merge(api_as, second.pk, "2503031001")

        assert response.status_code == 409
        assert ScoreMerge.objects.count() == 1
        assert history_subjects(second) == {}

    def test_a_number_shared_by_two_people_is_refused(self, world, api_as):
        last_year(world)
        last_year(world, id_number_digest=id_number_digest(resident_id(902)), ticket_number="2503031002")
        application = world.make_application(status="submitted")
        assert merge(api_as, application.pk, "SH2025000123").status_code == 409

    def test_a_passed_record_merges_but_gives_no_history_defaults(self, world, api_as):
        """Seed 003 line 669: who passed every subject is no history candidate, merged or not."""
        last_year(world, passed=("1", "2", "3", "4"))
        application = world.make_application(status="submitted")
        assert merge(api_as, application.pk, "SH2025000123").status_code == 201
        assert history_subjects(application) == {}


class TestRevoke:
    def _merged(self, world, api_as):
        last_year(world)
        application = world.make_application(status="submitted")
        merged = merge(api_as, application.pk, "SH2025000123").json()
        return application, merged["id"]

    def test_an_administrator_revokes_with_a_reason_and_the_merge_stops_counting(self, world, api_as):
        """Seed 002 line 60: the merge is the site's decision; undoing it is an administrator's, audited."""
        application, merge_id = self._merged(world, api_as)

        response = revoke(api_as, merge_id, "档案号填错")

        assert response.status_code == 200, response.json()
        assert response.json()["revoked_at"] is not None
        assert history_subjects(application) == {}
        event = ApplicationEvent.objects.filter(application=application).latest("id")
        assert (event.action, event.actor) == ("score_merge_revoked", world.staff["admin"])
        assert "档案号填错" in event.reason
        # Revoked, the record may be merged again (into the right candidate).
        assert merge(api_as, application.pk, "SH2025000123").status_code == 201

    @pytest.mark.parametrize("as_", ["sh_site", "sh_district", "sh_point"])
    def test_staff_other_than_an_administrator_cannot_revoke(self, world, api_as, as_):
        application, merge_id = self._merged(world, api_as)
        response = revoke(api_as, merge_id, "x", as_=as_)
        assert response.status_code == 403
        assert history_subjects(application) == {"303": ["2", "4"]}

    def test_a_revocation_needs_a_reason_and_happens_once(self, world, api_as):
        _application, merge_id = self._merged(world, api_as)
        url = f"/api/v1/staff/score-merges/{merge_id}/revoke/"
        assert api_as("admin").post(url, {"reason": "  "}, format="json").status_code == 400
        assert api_as("admin").post(url, {"reason": "重复"}, format="json").status_code == 200
        assert api_as("admin").post(url, {"reason": "重复"}, format="json").status_code == 409
        assert (
            api_as("admin")
            .post("/api/v1/staff/score-merges/999999/revoke/", {"reason": "x"}, format="json")
            .status_code
            == 404
        )


class TestInTheAdmin:
    ADD = "admin:registration_scoremerge_add"
    LIST = "admin:registration_scoremerge_changelist"

    def _login(self, client, world, name):
        client.force_login(world.staff[name])
        return client

    def test_site_staff_merge_by_the_forms_number_and_last_years_file_number(self, client, world):
        """Seed 002 line 60: the candidate asks at the site (考点), which merges by the 档案号."""
        last_year(world)
        application = world.make_application(status="confirmed")
        staff = self._login(client, world, "sh_site")
        body = {"application_number": application.number, "number": "SH2025000123"}

        with TestCase.captureOnCommitCallbacks(execute=True):
            response = staff.post(reverse(self.ADD), body)

        assert response.status_code == 302
        merge = ScoreMerge.objects.get()
        assert (merge.application, merge.merged_by) == (application, world.staff["sh_site"])
        assert history_subjects(application) == {"303": ["2", "4"]}

    def test_an_unknown_number_shows_the_reason_on_the_form(self, client, world):
        last_year(world)
        application = world.make_application(status="confirmed")
        staff = self._login(client, world, "sh_site")

        response = staff.post(reverse(self.ADD), {"application_number": application.number, "number": "NOPE"})

        assert response.status_code == 200
        assert "没有档案号或准考证号为“NOPE”" in response.content.decode()
        assert not ScoreMerge.objects.exists()

    def test_an_application_outside_the_scope_is_not_found_by_its_number(self, client, world):
        last_year(world)
        application = world.make_application(status="confirmed", point=world.p3)  # site B
        response = self._login(client, world, "sh_site").post(
            reverse(self.ADD), {"application_number": application.number, "number": "SH2025000123"}
        )
        assert "您的范围内没有此网报号" in response.content.decode()
        assert not ScoreMerge.objects.exists()

    def test_point_staff_cannot_merge(self, client, world):
        assert self._login(client, world, "sh_point").get(reverse(self.ADD)).status_code == 403

    @pytest.mark.parametrize(("reason", "revoked"), [("档案号填错", True), ("", False)])
    def test_an_administrator_revokes_with_the_reason_of_the_action_form(self, client, world, api_as, reason, revoked):
        last_year(world)
        application = world.make_application(status="confirmed")
        merge_id = merge(api_as, application.pk, "SH2025000123").json()["id"]
        admin_client = self._login(client, world, "admin")

        admin_client.post(reverse(self.LIST), {"action": "revoke", ACTION_CHECKBOX_NAME: [merge_id], "reason": reason})

        assert (ScoreMerge.objects.get(pk=merge_id).revoked_at is not None) is revoked

    def test_site_staff_see_no_revoke_action(self, client, world, api_as):
        last_year(world)
        application = world.make_application(status="confirmed")
        merge_id = merge(api_as, application.pk, "SH2025000123").json()["id"]
        staff = self._login(client, world, "sh_site")

        response = staff.post(reverse(self.LIST), {"action": "revoke", ACTION_CHECKBOX_NAME: [merge_id], "reason": "x"})

        assert ScoreMerge.objects.get(pk=merge_id).revoked_at is None
        assert response.status_code in {200, 302}
