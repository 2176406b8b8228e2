"""History candidates: the import command, and automatic confirmation of an unchanged submission."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from registration.models import ApplicationEvent, HistoryRecord
from registration.pii import id_number_digest
from review.models import Reminder, ReminderKind
from tests.review.conftest import fill_through_api, make_candidate, token_client

COLUMNS = [
    "id_number",
    "name",
    "district",
    "site",
    "specialty",
    "level",
    "education",
    "work_unit",
    "subject_results",
    "absent",
    "disqualified",
]
ID_NUMBER = "31010119880506123X"


def row(**overrides) -> dict[str, str]:
    values = {
        "id_number": ID_NUMBER,
        "name": "张三",
        "district": "SH",
        "site": "SH0101",
        "specialty": "303",
        "level": "中级",
        "education": "本科",
        "work_unit": "上海市第一人民医院",
        "subject_results": "1:72;2:55;3:61;4:40",
        "absent": "否",
        "disqualified": "否",
    }
    return {**values, **overrides}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        # The number columns are optional: written only when a row has them.
        numbers = [column for column in ("file_number", "ticket_number") if any(column in row for row in rows)]
        writer = csv.DictWriter(handle, fieldnames=COLUMNS + numbers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_rows(tmp_path, rows, year) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_history", str(write_csv(tmp_path / "history.csv", rows)), "--year", str(year), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestImport:
    def test_imports_digests_never_clear_numbers_and_works_out_passed_subjects(self, world, tmp_path):
        output = import_rows(tmp_path, [row(), row(id_number="110101199003071234", specialty="368")], 2025)

        assert "新增 2" in output
        record = HistoryRecord.objects.get(specialty_code="303")
        assert record.id_number_digest == id_number_digest(ID_NUMBER)
        assert record.passed_subjects == ["1", "3"]
        assert (record.exam_year, record.district_code, record.site_code, record.unit_name) == (
            2025,
            "SH",
            "SH0101",
            "上海市第一人民医院",
        )
        stored = [str(value) for value in HistoryRecord.objects.values_list(flat=False)]
        assert not any(ID_NUMBER in text or "110101199003071234" in text for text in stored)

    def test_a_second_run_changes_nothing_and_a_corrected_row_updates(self, world, tmp_path):
        import_rows(tmp_path, [row()], 2025)
        assert "未变 1" in import_rows(tmp_path, [row(id_number=ID_NUMBER.lower())], 2025)
        assert "更新 1" in import_rows(tmp_path, [row(absent="是")], 2025)
        assert HistoryRecord.objects.get().absent is True

    @pytest.mark.parametrize(
        ("bad", "words"),
        [
            ({"id_number": ""}, "id_number 不能为空"),
            ({"absent": "maybe"}, "应为“是”或“否”"),
            ({"subject_results": "1=72"}, "科目代码:分数"),
            ({"subject_results": "9:72"}, "科目代码:分数"),
        ],
    )
    def test_a_bad_row_imports_nothing_and_names_its_line(self, world, tmp_path, bad, words):
        with pytest.raises(CommandError) as error:
            import_rows(tmp_path, [row(id_number="110101199003071234"), row(**bad)], 2025)

        assert "第3行" in str(error.value)
        assert words in str(error.value)
        assert not HistoryRecord.objects.exists()

    def test_a_missing_file_is_a_clear_error(self, world, tmp_path):
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("import_history", str(tmp_path / "none.csv"), "--year", "2025")


def _history_candidate(world, tmp_path, **overrides):
    candidate = make_candidate(id_number=ID_NUMBER)
    import_rows(tmp_path, [row(**overrides)], world.exam.year - 1)
    return candidate


@pytest.mark.django_db(transaction=True)
class TestAutoConfirmation:
    def test_an_unchanged_history_candidate_is_confirmed_at_once_in_the_submit_answer(self, world, tmp_path):
        candidate = _history_candidate(world, tmp_path)
        own = token_client(candidate)
        application_id = fill_through_api(world, own, candidate)
        mail.outbox.clear()

        response = own.post(f"/api/v1/applications/{application_id}/submit/")

        assert response.status_code == 200
        assert response.json()["status"] == "confirmed"
        assert {node["key"]: node["state"] for node in response.json()["nodes"]}["confirm"] == "done"
        event = ApplicationEvent.objects.filter(application_id=application_id).latest("id")
        assert (event.action, event.actor, event.reason) == ("confirm", None, "历史考生自动确认")
        reminder = Reminder.objects.get(application_id=application_id)
        assert (reminder.kind, reminder.closed_at) == (ReminderKind.AUTO_CONFIRMED, None)
        assert "自动完成报名确认" in reminder.body
        assert [message.subject for message in mail.outbox] == ["【待办事项提醒】报名已自动确认"]

    @pytest.mark.parametrize(
        "changed",
        [{"work_unit": "上海市第六人民医院"}, {"site": "SH0102"}, {"education": "大专"}, {"level": "初级(师)"}],
    )
    def test_a_changed_key_fact_leaves_it_in_the_queue_with_a_to_do(self, world, tmp_path, changed):
        candidate = _history_candidate(world, tmp_path, **changed)
        own = token_client(candidate)
        application_id = fill_through_api(world, own, candidate)

        response = own.post(f"/api/v1/applications/{application_id}/submit/")

        assert response.json()["status"] == "submitted"
        assert list(Reminder.objects.filter(application_id=application_id).values_list("kind", flat=True)) == [
            ReminderKind.CONFIRMATION_PENDING
        ]

    @pytest.mark.parametrize("flag", ["absent", "disqualified"])
    def test_last_years_absent_or_disqualified_candidates_are_not_history_candidates(self, world, tmp_path, flag):
        candidate = _history_candidate(world, tmp_path, **{flag: "是"})
        own = token_client(candidate)
        application_id = fill_through_api(world, own, candidate)

        assert own.post(f"/api/v1/applications/{application_id}/submit/").json()["status"] == "submitted"

    def test_a_district_without_auto_confirmation_queues_the_history_candidate(self, world, tmp_path):
        candidate = _history_candidate(world, tmp_path, district="BJ", site="BJ0101")
        own = token_client(candidate)
        application_id = fill_through_api(world, own, candidate, district="BJ", point=world.bj1)

        assert own.post(f"/api/v1/applications/{application_id}/submit/").json()["status"] == "submitted"


ALL_PASSED = "1:72;2:65;3:61;4:80"


@pytest.mark.django_db
class TestWhoIsAHistoryCandidate:
    def test_the_import_leaves_out_who_passed_every_subject_and_removes_their_earlier_record(self, world, tmp_path):
        """Seed 003 line 669: "开通了历史考生自动确认的功能，即考试未通过考生……" — one who passed every
        subject did not fail the exam, so the staff import keeps no record of them."""
        import_rows(tmp_path, [row()], 2025)
        assert HistoryRecord.objects.count() == 1

        output = import_rows(tmp_path, [row(subject_results=ALL_PASSED)], 2025)

        assert "全部科目通过未导入 1" in output
        assert not HistoryRecord.objects.exists()

    def test_the_import_keeps_the_file_number_and_last_years_ticket_number(self, world, tmp_path):
        """Seed 002 line 60 / seed 003 line 594: staff find last year's record by its 档案号 for a score merge."""
        import_rows(tmp_path, [row(file_number="SH2025000123", ticket_number="2503031001")], 2025)

        record = HistoryRecord.objects.get()
        assert (record.file_number, record.ticket_number) == ("SH2025000123", "2503031001")

    def test_a_malformed_ticket_number_imports_nothing(self, world, tmp_path):
        with pytest.raises(CommandError, match="ticket_number"):
            import_rows(tmp_path, [row(ticket_number="25 03<b>")], 2025)
        assert not HistoryRecord.objects.exists()

    def test_the_api_gives_a_history_candidate_last_years_failed_subjects_as_defaults(self, world, tmp_path):
        """Seed 002 line 52: "系统将根据成绩滚动管理原则自动选择上一年度未通过的科目" — the mini-program
        sees the same defaults as the pages (passed 1 and 3 last year)."""
        candidate = _history_candidate(world, tmp_path)
        own = token_client(candidate)
        created = own.post("/api/v1/applications/", {"exam": world.exam.pk, "district": "SH"}, format="json")

        assert created.json()["history_subjects"] == {"303": ["2", "4"]}
        assert own.get(f"/api/v1/applications/{created.json()['id']}/").json()["history_subjects"] == {
            "303": ["2", "4"]
        }

    @pytest.mark.parametrize("flag", ["absent", "disqualified"])
    def test_the_api_gives_no_history_defaults_to_the_absent_or_disqualified(self, world, tmp_path, flag):
        """Seed 002 line 49: "历史考生是指参加过上一年度考试(不包括缺考、违纪)的考生"."""
        candidate = _history_candidate(world, tmp_path, **{flag: "是"})
        created = token_client(candidate).post(
            "/api/v1/applications/", {"exam": world.exam.pk, "district": "SH"}, format="json"
        )

        assert created.json()["history_subjects"] == {}


def _record_all_passed(world, candidate_id_number: str) -> None:
    # Written directly: the import would leave such a row out, but a record could predate the rule.
    HistoryRecord.objects.create(
        exam_year=world.exam.year - 1,
        id_number_digest=id_number_digest(candidate_id_number),
        name="张三",
        district_code="SH",
        site_code="SH0101",
        specialty_code="303",
        level="中级",
        education="本科",
        unit_name="上海市第一人民医院",
        passed_subjects=["1", "2", "3", "4"],
    )


@pytest.mark.django_db(transaction=True)
def test_one_who_passed_every_subject_is_not_confirmed_automatically(world):
    """Seed 003 line 669: automatic confirmation is for "考试未通过考生" whose details did not change;
    a record of all four subjects passed leaves the submission in the staff queue."""
    candidate = make_candidate(id_number=ID_NUMBER)
    _record_all_passed(world, ID_NUMBER)
    own = token_client(candidate)
    application_id = fill_through_api(world, own, candidate)

    response = own.post(f"/api/v1/applications/{application_id}/submit/")

    assert response.json()["status"] == "submitted"
    assert response.json()["history_subjects"] == {}
