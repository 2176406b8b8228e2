"""What must happen with the write itself: the 验证码 history and the history candidates' automatic
confirmation run in the transaction of the section save or the submission, so a failure fails it.

Seed 002 line 37: "信息修改后报名表上的验证码会随之更新"; seed 002 line 55: "自动确认成功后……报名信息将不能
撤回提交和修改".
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from registration.models import Application, ApplicationEvent
from review.models import IssuedCode
from review.services import decisions
from tests.review.conftest import fill_through_api, make_candidate, token_client
from tests.review.test_history import ID_NUMBER, import_rows, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def history_candidate(world, tmp_path):
    candidate = make_candidate(id_number=ID_NUMBER)
    import_rows(tmp_path, [row()], world.exam.year - 1)
    own = token_client(candidate)
    return own, fill_through_api(world, own, candidate)


def test_every_code_is_in_the_history_from_creation_on(world):
    candidate = make_candidate()
    own = token_client(candidate)

    application_id = fill_through_api(world, own, candidate)

    codes = list(IssuedCode.objects.filter(application_id=application_id).values_list("code", flat=True))
    assert len(codes) == 7  # the code given at creation, then one per section saved
    assert codes[-1] == Application.objects.get(pk=application_id).verification_code


def test_a_failing_history_write_fails_the_section_save(world, monkeypatch):
    candidate = make_candidate()
    own = token_client(candidate)
    application_id = fill_through_api(world, own, candidate)
    before = Application.objects.get(pk=application_id).verification_code

    # The history table is gone.
    gone = decisions._RECORD_ISSUED_CODE.replace(IssuedCode._meta.db_table, "review_issuedcode_gone")
    monkeypatch.setattr(decisions, "_RECORD_ISSUED_CODE", gone)
    try:
        answer = own.put(
            f"/api/v1/applications/{application_id}/sections/contact/",
            {"address": "北京市东城区1号", "postcode": "100005", "mobile": "13812341234"},
            format="json",
        )
    except DatabaseError:
        pass  # PostgreSQL's "relation does not exist" reaches the test client
    else:
        assert answer.status_code == 503  # SQLite's "no such table" is an OperationalError: the database is away

    application = Application.objects.get(pk=application_id)
    assert (application.verification_code, application.address) == (before, "上海市徐汇区漕溪北路1号")


def test_an_auto_confirmed_candidate_cannot_withdraw(history_candidate):
    own, application_id = history_candidate
    assert own.post(f"/api/v1/applications/{application_id}/submit/").json()["status"] == "confirmed"

    response = own.post(f"/api/v1/applications/{application_id}/withdraw/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert Application.objects.get(pk=application_id).status == "confirmed"


def test_a_failing_auto_confirmation_fails_the_submission_with_a_clear_message(history_candidate, monkeypatch):
    own, application_id = history_candidate

    def broken(**kwargs):
        raise RuntimeError("confirmation crashed")

    monkeypatch.setattr("review.services.history.transition", broken)
    response = own.post(f"/api/v1/applications/{application_id}/submit/")

    assert response.status_code == 503
    assert response.json()["message"] == "报名信息未能提交：提交后的自动确认出错，请稍后重试。"
    assert Application.objects.get(pk=application_id).status == "draft"
    assert not ApplicationEvent.objects.filter(application_id=application_id, action="submit").exists()


def test_the_auto_confirmation_is_written_with_the_submission(history_candidate):
    own, application_id = history_candidate

    own.post(f"/api/v1/applications/{application_id}/submit/")

    events = list(
        ApplicationEvent.objects.filter(application_id=application_id)
        .order_by("id")
        .values_list("action", "to_status", "reason")
    )[-2:]
    assert events == [("submit", "submitted", ""), ("confirm", "confirmed", "历史考生自动确认")]
