"""The staff API of API.md: the scoped queue, the detail, confirm, reject, confirm by code, review, reopen."""

from __future__ import annotations

import pytest

from registration.models import Application, ApplicationEvent
from tests.review.conftest import fill_through_api, make_candidate, token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/applications/"


def url(application, tail=""):
    return f"/api/v1/staff/applications/{application.pk}/{tail}"


class TestList:
    def test_filters_by_status_and_specialty(self, world, api_as):
        submitted = world.make_application(status="submitted")
        world.make_application(status="confirmed")
        api = api_as("sh_point")

        body = api.get(LIST, {"status": "submitted"}).json()
        assert [row["id"] for row in body["results"]] == [submitted.pk]
        assert api.get(LIST, {"specialty": "303"}).json()["count"] == 2
        assert api.get(LIST, {"specialty": "368"}).json()["count"] == 0

    def test_an_unknown_status_is_400_naming_the_field(self, world, api_as):
        response = api_as("sh_point").get(LIST, {"status": "sleeping"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "status" in response.json()["fields"]

    def test_q_finds_by_number_by_part_of_the_name_and_by_the_whole_id_number(self, world, api_as):
        wang = make_candidate(name="王小明", id_number="31010119880506123X")
        target = world.make_application(candidate=wang)
        world.make_application(candidate=make_candidate(name="李四"))
        api = api_as("sh_point")

        for q in [target.number, "小明", "31010119880506123X", " 31010119880506123x "]:
            results = api.get(LIST, {"q": q}).json()["results"]
            assert [row["id"] for row in results] == [target.pk], q
        assert api.get(LIST, {"q": "310101198805061"}).json()["count"] == 0

    def test_a_row_says_who_what_and_whether_it_was_resubmitted(self, world, api_as):
        application = world.make_application(resubmission_count=1)

        row = api_as("sh_point").get(LIST).json()["results"][0]

        assert row["number"] == application.number
        assert row["name"] == "张三"
        assert row["id_number_masked"].startswith("3101") and "*" in row["id_number_masked"]
        assert row["specialty"] == {"code": "303", "name": "内科学", "category": "临床医学类", "level": "中级"}
        assert row["registration_point"] == "SH010101"
        assert row["resubmitted"] is True
        assert "id_number" not in row


class TestDetail:
    def test_the_detail_has_sections_nodes_eligibility_and_history(self, world, api_as):
        application = world.make_application()

        body = api_as("sh_point").get(url(application)).json()

        assert body["status"] == "submitted"
        assert body["sections"]["exam"]["specialty"] == "303"
        assert body["sections"]["site"]["registration_point"] == "SH010101"
        assert [node["key"] for node in body["nodes"]][:5] == ["fill", "photo", "materials", "submit", "confirm"]
        assert body["eligibility"]["outcome"] in {"pass", "warn", "fail"}
        assert body["eligibility"]["checks"]
        assert body["candidate"]["name"] == "张三"
        assert body["verification_code"] == application.verification_code

    def test_an_unknown_id_is_404(self, world, api_as):
        assert api_as("admin").get("/api/v1/staff/applications/999999/").status_code == 404


class TestConfirm:
    def test_confirming_moves_to_confirmed_and_is_audited(self, world, api_as):
        application = world.make_application()

        response = api_as("sh_point").post(url(application, "confirm/"))

        assert response.status_code == 200
        assert response.json()["status"] == "confirmed"
        event = ApplicationEvent.objects.get(application=application)
        assert (event.action, event.actor, event.from_status, event.to_status) == (
            "confirm",
            world.staff["sh_point"],
            "submitted",
            "confirmed",
        )

    def test_confirming_twice_is_409_and_writes_nothing_more(self, world, api_as):
        application = world.make_application()
        api = api_as("sh_point")
        api.post(url(application, "confirm/"))

        again = api.post(url(application, "confirm/"))

        assert again.status_code == 409
        assert again.json()["code"] == "invalid_state"
        assert "已确认" in again.json()["message"]
        assert ApplicationEvent.objects.filter(application=application).count() == 1

    def test_a_draft_cannot_be_confirmed(self, world, api_as):
        """Seed 002 line 34: a withdrawn application is a draft again, to be submitted once more; one
        never submitted is not the staff's to see (registration.scope)."""
        withdrawn = world.make_application(status="draft")
        ApplicationEvent.objects.create(
            application=withdrawn, action="submit", from_status="draft", to_status="submitted"
        )
        assert api_as("sh_point").post(url(withdrawn, "confirm/")).status_code == 409
        never_submitted = world.make_application(status="draft")
        assert api_as("sh_point").post(url(never_submitted, "confirm/")).status_code == 404


class TestReject:
    def test_rejecting_without_a_reason_is_400(self, world, api_as):
        application = world.make_application()
        api = api_as("sh_point")

        for body in [{"reasons": []}, {"reasons": [], "note": "看不清"}]:
            response = api.post(url(application, "reject/"), body, format="json")
            assert response.status_code == 400
            assert response.json()["fields"]["reasons"] == ["请至少选择一项不通过原因。"]
        missing = api.post(url(application, "reject/"), {"note": "看不清"}, format="json")
        assert missing.status_code == 400
        assert "reasons" in missing.json()["fields"]
        application.refresh_from_db()
        assert application.status == "submitted"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"reasons": ["too_old"]}, "reasons"),
            ({"reasons": ["other"]}, "note"),
            ({"reasons": ["other"], "note": "   "}, "note"),
            ({"reasons": ["unclear_materials", "unclear_materials"]}, "reasons"),
            ({"reasons": "education_mismatch"}, "reasons"),
            ({"reasons": ["education_mismatch"], "note": "字" * 501}, "note"),
            ({"reasons": ["education_mismatch"], "extra": 1}, "extra"),
        ],
    )
    def test_bad_reasons_are_400_naming_the_field(self, world, api_as, body, field):
        application = world.make_application()

        response = api_as("sh_point").post(url(application, "reject/"), body, format="json")

        assert response.status_code == 400
        assert field in response.json()["fields"]
        application.refresh_from_db()
        assert (application.status, application.rejection_reasons) == ("submitted", [])

    def test_rejecting_stores_the_reasons_with_their_labels_and_the_note(self, world, api_as):
        application = world.make_application()

        response = api_as("sh_point").post(
            url(application, "reject/"),
            {"reasons": ["insufficient_years", "other"], "note": "缺少外地工作合同"},
            format="json",
        )

        assert response.status_code == 200
        assert response.json()["status"] == "confirmation_rejected"
        assert response.json()["rejection_reasons"] == [
            {"code": "insufficient_years", "label": "年限不够", "note": ""},
            {"code": "other", "label": "其他", "note": "缺少外地工作合同"},
        ]
        event = ApplicationEvent.objects.get(application=application)
        assert event.reason == "年限不够；其他：缺少外地工作合同"

    def test_every_reason_code_of_the_api_is_accepted(self, world, api_as):
        codes = [
            "education_mismatch",
            "specialty_mismatch",
            "insufficient_years",
            "unclear_materials",
            "missing_materials",
            "other",
        ]
        application = world.make_application()

        response = api_as("sh_point").post(
            url(application, "reject/"), {"reasons": codes, "note": "见备注"}, format="json"
        )

        labels = [reason["label"] for reason in response.json()["rejection_reasons"]]
        assert labels == ["学历不符", "专业不符", "年限不够", "材料不清晰", "材料不全", "其他"]

    def test_the_candidate_sees_the_reasons_fixes_and_resubmits_into_the_queue_marked_as_such(self, world, api_as):
        candidate = make_candidate()
        own = token_client(candidate)
        application_id = fill_through_api(world, own, candidate)
        assert own.post(f"/api/v1/applications/{application_id}/submit/").status_code == 200
        staff = api_as("sh_point")
        staff.post(
            f"/api/v1/staff/applications/{application_id}/reject/",
            {"reasons": ["unclear_materials"], "note": "学历证书照片模糊"},
            format="json",
        )

        seen = own.get(f"/api/v1/applications/{application_id}/").json()
        assert seen["status"] == "confirmation_rejected"
        assert seen["rejection_reasons"][0]["label"] == "材料不清晰"
        assert {node["key"]: node["state"] for node in seen["nodes"]}["confirm"] == "failed"

        fixed = own.put(
            f"/api/v1/applications/{application_id}/sections/work/",
            {"unit": world.unit.pk, "unit_affiliation": "地(市)", "unit_nature": "医疗卫生", "years_in_specialty": 11},
            format="json",
        )
        assert fixed.status_code == 200
        assert own.post(f"/api/v1/applications/{application_id}/submit/").json()["status"] == "submitted"

        row = staff.get(LIST, {"status": "submitted"}).json()["results"][0]
        assert (row["id"], row["resubmitted"], row["resubmission_count"]) == (application_id, True, 1)
        assert staff.get(f"/api/v1/staff/applications/{application_id}/").json()["rejection_reasons"] == []


class TestReview:
    def test_site_then_district_approval_reaches_approved(self, world, api_as):
        application = world.make_application(status="confirmed")

        site = api_as("sh_site").post(
            url(application, "review/"), {"stage": "site", "decision": "approve"}, format="json"
        )
        assert (site.status_code, site.json()["status"]) == (200, "site_approved")
        district = api_as("sh_district").post(
            url(application, "review/"), {"stage": "district", "decision": "approve", "note": "符合"}, format="json"
        )
        assert (district.status_code, district.json()["status"]) == (200, "approved")
        assert [event.action for event in ApplicationEvent.objects.filter(application=application)] == [
            "approve_site",
            "approve_district",
        ]

    def test_the_district_stage_comes_only_after_the_site_stage(self, world, api_as):
        application = world.make_application(status="confirmed")

        response = api_as("sh_district").post(
            url(application, "review/"), {"stage": "district", "decision": "approve"}, format="json"
        )

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"

    def test_a_review_rejection_needs_reasons_and_shows_them(self, world, api_as):
        application = world.make_application(status="confirmed")
        api = api_as("sh_site")

        refused = api.post(url(application, "review/"), {"stage": "site", "decision": "reject"}, format="json")
        assert refused.status_code == 400
        assert "reasons" in refused.json()["fields"]

        rejected = api.post(
            url(application, "review/"),
            {"stage": "site", "decision": "reject", "reasons": ["specialty_mismatch"], "note": "执业范围不符"},
            format="json",
        )
        assert rejected.json()["status"] == "review_rejected"
        assert rejected.json()["rejection_reasons"] == [
            {"code": "specialty_mismatch", "label": "专业不符", "note": "执业范围不符"}
        ]

    @pytest.mark.parametrize(
        "body",
        [
            {"stage": "province", "decision": "approve"},
            {"stage": "site", "decision": "maybe"},
            {"decision": "approve"},
            {"stage": "site"},
        ],
    )
    def test_bad_stage_or_decision_is_400(self, world, api_as, body):
        application = world.make_application(status="confirmed")
        response = api_as("admin").post(url(application, "review/"), body, format="json")
        assert response.status_code == 400

    def test_a_reviewer_acting_on_another_sites_application_is_404(self, world, api_as):
        elsewhere = world.make_application(point=world.p3, status="confirmed")

        response = api_as("sh_site").post(
            url(elsewhere, "review/"), {"stage": "site", "decision": "approve"}, format="json"
        )

        assert response.status_code == 404
        elsewhere.refresh_from_db()
        assert elsewhere.status == "confirmed"

    def test_a_site_reviewer_cannot_take_the_district_stage(self, world, api_as):
        application = world.make_application(status="site_approved")
        response = api_as("sh_site").post(
            url(application, "review/"), {"stage": "district", "decision": "approve"}, format="json"
        )
        assert response.status_code == 403


class TestReopen:
    def test_a_district_reviewer_reopens_a_rejection_with_a_note_audited(self, world, api_as):
        application = world.make_application(
            status="review_rejected",
            rejection_reasons=[{"code": "insufficient_years", "label": "年限不够", "note": ""}],
        )
        api = api_as("sh_district")

        assert api.post(url(application, "reopen/"), {"note": ""}, format="json").status_code == 400
        response = api.post(url(application, "reopen/"), {"note": "考生补交了劳动合同"}, format="json")

        assert response.status_code == 200
        assert (response.json()["status"], response.json()["rejection_reasons"]) == ("confirmed", [])
        event = ApplicationEvent.objects.get(application=application)
        assert (event.action, event.actor, event.reason) == (
            "reopen_review",
            world.staff["sh_district"],
            "考生补交了劳动合同",
        )

    def test_only_a_rejected_review_can_be_reopened(self, world, api_as):
        application = world.make_application(status="approved")
        response = api_as("sh_district").post(url(application, "reopen/"), {"note": "复核"}, format="json")
        assert response.status_code == 409
        assert Application.objects.get(pk=application.pk).status == "approved"
