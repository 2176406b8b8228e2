import datetime

import pytest
import time_machine
from django.utils import timezone

from registration.models import Application, ApplicationEvent, HistoryRecord
from registration.pii import id_number_digest
from tests.applications.conftest import token_client


def url(application_id, tail=""):
    return f"/api/v1/applications/{application_id}/{tail}"


def put_section(api, application_id, key, body):
    return api.put(url(application_id, f"sections/{key}/"), body, format="json")


class TestCreate:
    def test_creates_a_draft_with_number_code_and_seven_nodes_in_an_online_district(self, draft):
        assert draft["status"] == "draft"
        assert len(draft["number"]) == 8 and draft["number"].isdigit()
        assert len(draft["verification_code"]) == 7
        assert draft["district"] == "SH"
        assert draft["sections"] == dict.fromkeys(["site", "basic", "contact", "exam", "education", "work"])
        assert [node["key"] for node in draft["nodes"]] == [
            "fill", "photo", "materials", "submit", "confirm", "review", "pay"
        ]  # fmt: skip
        assert [node["state"] for node in draft["nodes"]] == ["current"] + ["todo"] * 6
        assert draft["nodes"][0]["label"] == "填写/修改报考信息"

    def test_on_site_district_has_no_materials_node(self, api, exam, beijing):
        body = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "BJ"}, format="json").json()
        assert "materials" not in [node["key"] for node in body["nodes"]]
        assert len(body["nodes"]) == 6

    def test_second_application_for_the_same_exam_is_refused(self, api, exam, draft, beijing):
        response = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "BJ"}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
        assert Application.objects.count() == 1

    def test_unknown_district_and_unknown_fields_are_400_with_fields(self, api, exam, shanghai):
        response = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "XX"}, format="json")
        assert response.status_code == 400
        assert "district" in response.json()["fields"]
        response = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "SH", "x": 1}, format="json")
        assert response.status_code == 400
        assert response.json()["fields"] == {"x": ["不接受此字段。"]}
        assert not Application.objects.exists()

    def test_creation_writes_an_audit_event(self, draft, candidate):
        event = ApplicationEvent.objects.get(application_id=draft["id"])
        assert (event.action, event.actor, event.to_status) == ("create", candidate, "draft")


class TestOwnership:
    def test_another_candidates_application_is_404_everywhere(self, draft, other_candidate, sections):
        other = token_client(other_candidate)
        assert other.get(url(draft["id"])).status_code == 404
        assert put_section(other, draft["id"], "contact", sections["contact"]).status_code == 404
        assert other.post(url(draft["id"], "submit/")).status_code == 404
        assert other.post(url(draft["id"], "withdraw/")).status_code == 404
        assert other.post(url(draft["id"], "change-district/"), {"district": "SH"}, format="json").status_code == 404
        assert other.get("/api/v1/applications/").json()["count"] == 0

    @pytest.mark.parametrize("extra", [{}, {"number": "99999999"}], ids=["known fields", "an unknown field"])
    def test_a_save_of_another_candidates_application_is_404_and_changes_nothing(
        self, draft, other_candidate, sections, extra
    ):
        """The save checks whose application it is under the row's lock; what was sent, known fields
        or not, changes neither the answer nor the row."""
        before = Application.objects.values("revision", "verification_code", "address").get(pk=draft["id"])

        response = put_section(token_client(other_candidate), draft["id"], "contact", {**sections["contact"], **extra})

        assert response.status_code == 404
        assert Application.objects.values("revision", "verification_code", "address").get(pk=draft["id"]) == before
        assert not ApplicationEvent.objects.filter(application_id=draft["id"], actor=other_candidate).exists()

    def test_without_credentials_is_401(self, client, draft):
        assert client.get(url(draft["id"])).status_code == 401

    def test_staff_token_is_403(self, shanghai, draft):
        from registration.models import User

        point = shanghai.cities.get().sites.get().registration_points.get()
        staff = User.objects.create_user(
            username="sh_point", password="x", role="point_staff", registration_point=point
        )
        assert token_client(staff).get(url(draft["id"])).status_code == 403


class TestSections:
    def test_each_valid_section_saves_and_issues_a_new_verification_code(self, api, draft, sections):
        code = draft["verification_code"]
        for key, body in sections.items():
            response = put_section(api, draft["id"], key, body)
            assert response.status_code == 200, response.json()
            saved = response.json()
            assert saved["sections"][key] is not None
            assert saved["verification_code"] != code
            code = saved["verification_code"]
        assert saved["sections"]["exam"]["subjects"] == ["1", "2", "3", "4"]
        assert saved["sections"]["exam"]["first_registration_month"] == "2014-06"
        assert saved["sections"]["education"]["degree"]["school"] == "复旦大学上海医学院"
        assert saved["nodes"][0]["state"] == "done"
        assert saved["nodes"][1] == {"key": "photo", "label": "上传照片", "state": "current"}

    def test_unknown_field_is_refused_and_nothing_is_saved(self, api, draft, sections):
        body = {**sections["contact"], "status": "paid"}
        response = put_section(api, draft["id"], "contact", body)
        assert response.status_code == 400
        assert response.json()["fields"] == {"status": ["不接受此字段。"]}
        assert Application.objects.get().contact_saved_at is None

    def test_unknown_section_is_404(self, api, draft):
        assert put_section(api, draft["id"], "payment", {}).status_code == 404

    def test_missing_required_fields_are_named_in_chinese(self, api, draft):
        response = put_section(api, draft["id"], "basic", {})
        assert response.status_code == 400
        fields = response.json()["fields"]
        assert set(fields) == {"id_valid_until", "gender", "birth_date", "ethnicity", "health_status", "nationality"}
        assert fields["ethnicity"] == ["此项为必填项。"]

    def test_failed_save_changes_nothing(self, api, draft, sections):
        assert put_section(api, draft["id"], "contact", sections["contact"]).status_code == 200
        before = Application.objects.get()
        response = put_section(api, draft["id"], "contact", {**sections["contact"], "postcode": "20003"})
        assert response.status_code == 400
        assert response.json()["fields"] == {"postcode": ["邮编应为6位数字。"]}
        after = Application.objects.get()
        assert (after.postcode, after.verification_code) == (before.postcode, before.verification_code)

    def test_online_confirmation_district_requires_a_registration_point(self, api, draft, sections):
        body = {**sections["site"], "registration_point": ""}
        response = put_section(api, draft["id"], "site", body)
        assert response.status_code == 400
        assert "registration_point" in response.json()["fields"]

    def test_site_of_another_district_is_refused(self, api, draft, beijing):
        response = put_section(api, draft["id"], "site", {"city": "BJ01", "site": "BJ0101"})
        assert response.json()["fields"]["city"] == ["所选报名地市不属于本考区。"]

    def test_gender_and_birth_date_must_agree_with_the_id_number(self, api, draft, sections):
        body = {**sections["basic"], "gender": "female", "birth_date": "1991-01-01"}
        fields = put_section(api, draft["id"], "basic", body).json()["fields"]
        assert fields == {"gender": ["性别须与证件信息一致。"], "birth_date": ["出生日期须与证件信息一致。"]}

    def test_nationality_other_needs_the_foreign_nationality(self, api, draft, sections, candidate):
        candidate.nationality = "其他"
        candidate.save()
        body = {**sections["basic"], "nationality": "其他"}
        assert "foreign_nationality" in put_section(api, draft["id"], "basic", body).json()["fields"]
        body["foreign_nationality"] = "法国"
        assert put_section(api, draft["id"], "basic", body).status_code == 200

    def test_id_expiring_before_the_exam_is_a_warning_not_an_error(self, api, draft, sections):
        body = {**sections["basic"], "id_valid_until": timezone.localdate().isoformat()}
        response = put_section(api, draft["id"], "basic", body)
        assert response.status_code == 200
        assert "证件有效截止日期早于考试日期" in response.json()["warnings"][0]

    def test_first_registration_month_required_unless_practice_category_is_none(self, api, draft, sections):
        body = {**sections["exam"], "first_registration_month": ""}
        fields = put_section(api, draft["id"], "exam", body).json()["fields"]
        assert fields == {"first_registration_month": ["执业类别不为“无”时，首次注册年月不能为空。"]}
        body["practice_category"] = "无"
        assert put_section(api, draft["id"], "exam", body).status_code == 200

    def test_specialty_must_be_offered_and_agree_with_category_and_level(self, api, draft, sections):
        assert (
            "specialty"
            in put_section(api, draft["id"], "exam", {**sections["exam"], "specialty": "999"}).json()["fields"]
        )
        body = {**sections["exam"], "category": "护理类", "level": "初级(士)"}
        assert set(put_section(api, draft["id"], "exam", body).json()["fields"]) == {"category", "level"}
        body = {**sections["exam"], "category": "临床医学类", "level": "中级"}
        assert put_section(api, draft["id"], "exam", body).status_code == 200

    @pytest.mark.parametrize(
        ("month", "message"),
        [
            ("2014-13", "请按“年-月”填写，例如 2020-07。"),
            ("2014/06", "请按“年-月”填写，例如 2020-07。"),
            ("2999-01", "年月不能晚于当前月份。"),
        ],
    )
    def test_bad_months_are_refused(self, api, draft, sections, month, message):
        body = {**sections["exam"], "qualification_date": month}
        assert put_section(api, draft["id"], "exam", body).json()["fields"] == {"qualification_date": [message]}

    @pytest.mark.parametrize("subjects", [[], ["5"], "1234", None])
    def test_subjects_need_at_least_one_known_code(self, api, draft, sections, subjects):
        response = put_section(api, draft["id"], "exam", {**sections["exam"], "subjects": subjects})
        assert response.status_code == 400
        assert "subjects" in response.json()["fields"]

    def test_degree_record_of_another_candidate_is_refused(self, api, draft, sections, other_candidate, degree):
        degree.candidate = other_candidate
        degree.save()
        fields = put_section(api, draft["id"], "education", sections["education"]).json()["fields"]
        assert fields == {"degree_record": ["请从您的学历学位信息中选择。"]}

    def test_work_experience_over_200_characters_is_refused(self, api, draft, sections):
        body = {**sections["education"], "work_experience": "经" * 201}
        assert "work_experience" in put_section(api, draft["id"], "education", body).json()["fields"]

    def test_other_unit_needs_a_name_and_a_unit_category(self, api, draft, sections):
        body = {**sections["work"], "unit": None}
        fields = put_section(api, draft["id"], "work", body).json()["fields"]
        assert set(fields) == {"other_unit_name", "unit_category"}
        body.update(other_unit_name="北京某某医院", unit_category="二级医院")
        saved = put_section(api, draft["id"], "work", body).json()["sections"]["work"]
        assert (saved["unit"], saved["other_unit_name"]) == (None, "北京某某医院")

    @pytest.mark.parametrize("years", ["3.5", -1, "三", 61, True])
    def test_years_in_specialty_must_be_a_whole_number(self, api, draft, sections, years):
        body = {**sections["work"], "years_in_specialty": years}
        assert "years_in_specialty" in put_section(api, draft["id"], "work", body).json()["fields"]

    def test_unknown_unit_id_is_refused(self, api, draft, sections):
        body = {**sections["work"], "unit": 999999}
        assert "unit" in put_section(api, draft["id"], "work", body).json()["fields"]

    def test_a_body_over_64_kb_is_refused_not_500(self, api, draft, sections):
        body = {**sections["contact"], "address": "x" * 70_000}
        response = put_section(api, draft["id"], "contact", body)
        assert response.status_code in (400, 413)
        assert response.json()["code"]

    def test_a_json_array_body_is_400(self, api, draft):
        response = api.put(url(draft["id"], "sections/contact/"), [1, 2], format="json")
        assert response.status_code == 400


class TestHistoryCandidateSubjects:
    def test_new_candidate_defaults_to_all_four(self, draft, candidate, exam):
        from registration.models import Specialty
        from registration.selectors.applications import default_subject_codes

        application = Application.objects.get()
        assert default_subject_codes(application=application, specialty=Specialty.objects.get(code="303")) == [
            "1", "2", "3", "4"
        ]  # fmt: skip

    def test_history_candidate_defaults_to_last_years_failed_subjects(self, draft, candidate, exam):
        from registration.models import Specialty
        from registration.pii import decrypt_id_number
        from registration.selectors.applications import default_subject_codes

        digest = id_number_digest(decrypt_id_number(candidate.id_number_ciphertext))
        record = HistoryRecord.objects.create(
            exam_year=exam.year - 1, id_number_digest=digest, name="张三", district_code="SH", site_code="SH0101",
            specialty_code="303", level="中级", education="本科", unit_name="上海市第一人民医院",
            passed_subjects=["1", "3"],
        )  # fmt: skip
        application = Application.objects.get()
        specialty = Specialty.objects.get(code="303")
        assert default_subject_codes(application=application, specialty=specialty) == ["2", "4"]
        # Another specialty's record does not count, nor one of an absent or disqualified sitting.
        assert default_subject_codes(application=application, specialty=Specialty.objects.get(code="368")) == [
            "1", "2", "3", "4"
        ]  # fmt: skip
        record.absent = True
        record.save()
        assert default_subject_codes(application=application, specialty=specialty) == ["1", "2", "3", "4"]


class TestSubmitAndWithdraw:
    def test_incomplete_application_cannot_be_submitted(self, api, draft, sections):
        put_section(api, draft["id"], "site", sections["site"])
        response = api.post(url(draft["id"], "submit/"))
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"basic", "contact", "exam", "education", "work"}
        assert Application.objects.get().status == "draft"

    def test_complete_application_submits_then_withdraws(self, api, complete):
        response = api.post(url(complete["id"], "submit/"))
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "submitted"
        states = {node["key"]: node["state"] for node in body["nodes"]}
        assert states["submit"] == "done" and states["confirm"] == "current"
        assert api.post(url(complete["id"], "submit/")).json()["code"] == "invalid_state"
        assert put_section(api, complete["id"], "contact", {"mobile": "13900000000"}).status_code == 409
        response = api.post(url(complete["id"], "withdraw/"))
        assert response.status_code == 200 and response.json()["status"] == "draft"
        actions = list(ApplicationEvent.objects.values_list("action", "from_status", "to_status"))
        assert ("submit", "draft", "submitted") in actions
        assert ("withdraw", "submitted", "draft") in actions

    def test_withdraw_from_draft_is_409(self, api, draft):
        response = api.post(url(draft["id"], "withdraw/"))
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"

    def test_a_section_no_longer_valid_blocks_submission(self, api, complete, exam):
        from registration.models import Specialty

        exam.specialties.remove(Specialty.objects.get(code="303"))
        response = api.post(url(complete["id"], "submit/"))
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["exam"]


class TestChangeDistrict:
    def test_clears_sections_keeps_degrees_and_issues_a_new_code(self, api, complete, beijing, degree):
        response = api.post(url(complete["id"], "change-district/"), {"district": "BJ"}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["district"] == "BJ"
        assert set(body["sections"].values()) == {None}
        assert body["verification_code"] != complete["verification_code"]
        application = Application.objects.get()
        assert application.subjects.count() == 0 and application.city is None
        assert degree.__class__.objects.filter(pk=degree.pk).exists()

    def test_refused_once_submitted(self, api, complete, beijing):
        api.post(url(complete["id"], "submit/"))
        response = api.post(url(complete["id"], "change-district/"), {"district": "BJ"}, format="json")
        assert response.status_code == 409
        assert Application.objects.get().district.code == "SH"


class TestWindows:
    def test_creation_before_registration_opens_is_423_naming_the_window(self, api, exam, shanghai):
        with time_machine.travel(exam.registration_opens - datetime.timedelta(hours=1)):
            response = api.post("/api/v1/applications/", {"exam": exam.pk, "district": "SH"}, format="json")
        assert response.status_code == 423
        assert response.json()["code"] == "window_closed"
        assert "网上报名尚未开始" in response.json()["message"]

    def test_saving_and_submitting_after_registration_closes_is_423(self, api, complete, exam, sections):
        with time_machine.travel(exam.registration_closes + datetime.timedelta(minutes=1)):
            response = put_section(api, complete["id"], "contact", sections["contact"])
            assert response.status_code == 423
            assert "网上报名已于" in response.json()["message"]
            assert api.post(url(complete["id"], "submit/")).status_code == 423
        assert Application.objects.get().status == "draft"

    def test_withdraw_edit_and_resubmit_are_allowed_until_the_confirmation_deadline(
        self, api, complete, exam, sections
    ):
        """Seed 002 line 34: "可在报名确认结束前点击'撤回信息提交',通过【填写/修改报考信息】功能修改相应信息,
        修改完成后须再次提交" — the registration close does not end it, the confirmation deadline does."""
        api.post(url(complete["id"], "submit/"))
        with time_machine.travel(exam.registration_closes + datetime.timedelta(minutes=1)):
            assert api.post(url(complete["id"], "withdraw/")).json()["status"] == "draft"
            assert put_section(api, complete["id"], "contact", sections["contact"]).status_code == 200
            assert api.post(url(complete["id"], "submit/")).json()["status"] == "submitted"
        with time_machine.travel(exam.confirmation_deadline + datetime.timedelta(minutes=1)):
            response = api.post(url(complete["id"], "withdraw/"))
            assert response.status_code == 423
            assert "报名确认已于" in response.json()["message"]
        assert Application.objects.get().status == "submitted"

    def test_a_withdrawn_application_cannot_be_resubmitted_after_the_confirmation_deadline(self, api, complete, exam):
        api.post(url(complete["id"], "submit/"))
        api.post(url(complete["id"], "withdraw/"))
        with time_machine.travel(exam.confirmation_deadline + datetime.timedelta(minutes=1)):
            assert api.post(url(complete["id"], "submit/")).status_code == 423
        assert Application.objects.get().status == "draft"

    def test_rejected_application_may_be_fixed_until_the_confirmation_deadline(self, api, complete, exam, sections):
        from registration.services.applications import transition
        from registration.workflow import Action

        api.post(url(complete["id"], "submit/"))
        transition(application_id=complete["id"], action=Action.REJECT_CONFIRMATION, actor=None)
        with time_machine.travel(exam.registration_closes + datetime.timedelta(days=1)):
            assert put_section(api, complete["id"], "contact", sections["contact"]).status_code == 200
            body = api.post(url(complete["id"], "submit/")).json()
            assert body["status"] == "submitted"
        assert Application.objects.get().resubmission_count == 1
        transition(application_id=complete["id"], action=Action.REJECT_CONFIRMATION, actor=None)
        with time_machine.travel(exam.confirmation_deadline + datetime.timedelta(minutes=1)):
            assert api.post(url(complete["id"], "submit/")).status_code == 423


def test_choices_lists_every_choice_field(client):
    body = client.get("/api/v1/choices/").json()
    assert {"value": "汉族", "label": "汉族"} in body["ethnicity"]
    assert [option["value"] for option in body["health_status"]] == ["健康", "良好", "一般", "较差"]


def test_schema_documents_the_section_bodies_with_enums(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    ethnicity = components["BasicSectionBodyRequest"]["properties"]["ethnicity"]
    reference = ethnicity.get("$ref") or ethnicity["allOf"][0]["$ref"]
    assert "汉族" in components[reference.rsplit("/", 1)[-1]]["enum"]
    assert "/api/v1/applications/{application_id}/sections/{section}/" in schema["paths"]
