"""Score import: each rejected line with its line number and reason, idempotent re-import, no clear ID numbers."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from certificates.models import Score, ScoreImport
from registration.pii import id_number_digest
from tests.certificates.conftest import HEADER, csv_bytes, import_csv, sat
from tests.factories.accounts import resident_id_number
from wecan.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_each_rejected_line_is_reported_with_its_line_number_and_reason(exams, person):
    good = person.id_number
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        [2022, good, "303", "1", 70, 0, 0],  # line 2: accepted
        [2031, good, "303", "2", 70, 0, 0],
        [2022, bad_checksum, "303", "2", 70, 0, 0],
        [2022, "", "303", "2", 70, 0, 0],
        [2022, good, "777", "2", 70, 0, 0],
        [2022, good, "303", "9", 70, 0, 0],
        [2022, good, "303", "2", 101, 0, 0],
        [2022, good, "303", "2", "七十", 0, 0],
        [2022, good, "303", "2", "", 0, 0],
        [2022, good, "303", "2", 55, 1, 0],
        [2022, good, "303", "2", "", 1, 1],
        [2022, good, "303", "2", 70, "maybe", 0],
        [2022, good, "303", "2", 70, 0],
        [2022, good, "303", "1", 71, 0, 0],
        [2022, good, "303", "2", 64.5, 0, 0],
        [2022, good, "303", "3", "", 0, 1],  # line 17: accepted, disqualified without a score
    ]
    record = import_csv(csv_bytes(rows))
    assert record.status == "done"
    assert (record.lines, record.created_count, record.rejected_count) == (16, 2, 14)
    assert record.errors == [
        {"line": 3, "reason": "考试年度“2031”没有对应的考试。"},
        {"line": 4, "reason": "证件号码校验位不正确。"},
        {"line": 5, "reason": "证件号码为空。"},
        {"line": 6, "reason": "专业代码“777”不存在。"},
        {"line": 7, "reason": "科目代码“9”不存在。"},
        {"line": 8, "reason": "成绩“101”应为0至100之间的整数。"},
        {"line": 9, "reason": "成绩“七十”应为0至100之间的整数。"},
        {"line": 10, "reason": "成绩为空；未参加考试的请标记缺考。"},
        {"line": 11, "reason": "缺考的科目不应有成绩。"},
        {"line": 12, "reason": "缺考和违纪不能同时标记。"},
        {"line": 13, "reason": "缺考标记“maybe”无法识别，应为1/0或是/否。"},
        {"line": 14, "reason": "应有7列，实际6列。"},
        {"line": 15, "reason": "与第2行重复（同一考试、证件号码、专业和科目）。"},
        {"line": 16, "reason": "成绩“64.5”应为0至100之间的整数。"},
    ]
    assert Score.objects.count() == 2


def test_a_line_repeating_the_values_of_accepted_lines_is_checked_in_full_and_in_order(exams, person, subjects):
    """What a line's values give is worked out once and looked up for the lines that repeat them: a
    repeat still fails on its own first fault, and a score is judged against its own subject's full score."""
    subjects["4"].full_score = 50
    subjects["4"].save()
    good = person.id_number
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        [2022, good, "303", "1", 70, 0, 0],  # line 2: accepted
        [2022, bad_checksum, "303", "1", 70, 0, 0],  # the year, specialty and subject of line 2
        [2022, bad_checksum, "777", "1", 70, 0, 0],  # the ID number is checked before the specialty
        [2022, good, "303", "4", 70, 0, 0],  # 70 was a score of line 2, but this subject's full score is 50
        [2022, good, "303", "4", 50, 0, 0],  # line 6: accepted
        [2023, good, "303", "1", 70, 1, 1],
        [2031, bad_checksum, "777", "9", "x", 1, 1],  # every value wrong: the year is checked first
        [2023, good, "303", "1", 70, 0, 0],  # line 9: accepted
    ]
    record = import_csv(csv_bytes(rows))
    assert (record.lines, record.created_count, record.rejected_count) == (8, 3, 5)
    assert record.errors == [
        {"line": 3, "reason": "证件号码校验位不正确。"},
        {"line": 4, "reason": "证件号码校验位不正确。"},
        {"line": 5, "reason": "成绩“70”应为0至50之间的整数。"},
        {"line": 7, "reason": "缺考和违纪不能同时标记。"},
        {"line": 8, "reason": "考试年度“2031”没有对应的考试。"},
    ]
    assert sorted(Score.objects.values_list("exam__year", "subject__code", "score")) == [
        (2022, "1", 70),
        (2022, "4", 50),
        (2023, "1", 70),
    ]


def test_one_bad_line_among_thousands_of_good_ones_is_reported_by_its_own_number(exams):
    """Accepted lines are staged thousands at a time: a refused one inside such a run keeps its number
    and the lines around it are imported."""
    people = [
        resident_id_number(born=datetime.date(1980 + index // 1000, 1, 1), sequence=index) for index in range(1500)
    ]
    rows = [row for number in people for row in sat(2022, number, "303", {"1": 70, "2": 65, "3": 61, "4": 90})]
    rows[4999][4] = 101  # line 5,001: the fourth subject of the 1,250th person

    record = import_csv(csv_bytes(rows))

    assert record.errors == [{"line": 5001, "reason": "成绩“101”应为0至100之间的整数。"}]
    assert (record.lines, record.created_count, record.rejected_count) == (6000, 5999, 1)
    stored = Score.objects.filter(id_number_digest__in=[id_number_digest(number) for number in people[1248:1251]])
    assert sorted((score.id_number_digest, score.subject.code, score.score) for score in stored) == sorted(
        [(id_number_digest(people[1248]), code, score) for code, score in zip("1234", (70, 65, 61, 90), strict=True)]
        + [(id_number_digest(people[1249]), code, score) for code, score in zip("123", (70, 65, 61), strict=True)]
        + [(id_number_digest(people[1250]), code, score) for code, score in zip("1234", (70, 65, 61, 90), strict=True)]
    )


def test_a_specialty_not_offered_that_year_is_refused(exams, person, internal_medicine):
    exams[2022].specialties.remove(internal_medicine)
    record = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70})))
    assert record.errors == [{"line": 2, "reason": "专业代码“303”不是2022年度考试的专业。"}]


def test_an_empty_upload_is_refused_before_anything_is_stored(exams):
    with pytest.raises(InvalidInput) as refused:
        import_csv(b"")
    assert refused.value.fields == {"file": ["文件为空。"]}
    assert ScoreImport.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f"{HEADER}\n".encode(), "文件中没有成绩数据。"),
        (
            b"exam_year,id_number,specialty_code,subject_code,score\n2022,x,303,1,70\n",
            "第1行表头缺少列：absent、disqualified。",
        ),
        (f"{HEADER},score\n".encode(), "第1行表头有重复的列：score。"),
        (b"\x80\x80\x80", "文件编码无法识别，请保存为UTF-8或GBK编码的CSV文件。"),
    ],
)
def test_a_file_that_cannot_be_read_fails_as_a_whole(exams, data, message):
    record = import_csv(data)
    assert (record.status, record.message) == ("failed", message)
    assert Score.objects.count() == 0
    assert record.file.name == ""


def test_a_gbk_file_with_a_chinese_header_is_read(exams, person):
    header = "考试年度,证件号码,专业代码,科目代码,成绩,缺考,违纪"
    data = csv_bytes(
        [[2022, person.id_number, "303", "1", 80, "否", "否"], [2022, person.id_number, "303", "2", "", "是", "否"]],
        header=header,
        encoding="gbk",
    )
    record = import_csv(data)
    assert (record.status, record.created_count, record.rejected_count) == ("done", 2, 0)
    assert Score.objects.get(subject__code="2").absent


def test_importing_the_same_file_again_changes_nothing(exams, person):
    data = csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 65, "3": 61, "4": 90}))
    first = import_csv(data)
    before = list(Score.objects.order_by("pk").values())
    second = import_csv(data)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 4)
    assert second.certificates_issued == 0
    assert list(Score.objects.order_by("pk").values()) == before
    assert {score.source_id for score in Score.objects.all()} == {first.pk}
    assert person.user.certificates.count() == 1


def test_a_corrected_file_updates_the_changed_scores_only(exams, person):
    import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 55})))
    corrected = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": 60})))
    assert (corrected.created_count, corrected.updated_count, corrected.unchanged_count) == (0, 1, 1)
    assert Score.objects.get(subject__code="2").source_id == corrected.pk


def test_id_numbers_are_kept_only_as_the_keyed_digest(exams, person, tmp_path):
    spelled = person.id_number[:-1] + person.id_number[-1].lower()
    record = import_csv(csv_bytes(sat(2022, f"  {spelled} ", "303", {"1": 70})))
    assert record.created_count == 1
    score = Score.objects.get()
    assert score.id_number_digest == id_number_digest(person.id_number) == person.user.id_number_digest
    stored = " ".join(str(row) for row in [*Score.objects.values(), *ScoreImport.objects.values()])
    assert person.id_number not in stored and person.id_number[:17] not in stored
    # The uploaded file, which held the number in clear, is gone once the import is over.
    assert record.file.name == ""
    private = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    leftovers = [
        path for path in private.rglob("*") if path.is_file() and person.id_number[:17].encode() in path.read_bytes()
    ]
    assert leftovers == []


def test_a_finished_import_run_again_does_nothing(exams, person):
    from certificates.services.scores import score_import_run

    record = import_csv(csv_bytes(sat(2022, person.id_number, "303", {"1": 70})))
    again = score_import_run(score_import_id=record.pk)
    assert (again.status, again.created_count) == ("done", 1)
    assert Score.objects.count() == 1


def test_the_command_imports_a_file_and_prints_the_report(exams, person, tmp_path):
    path = tmp_path / "2022.csv"
    path.write_bytes(csv_bytes(sat(2022, person.id_number, "303", {"1": 70, "2": "x"})))
    out = io.StringIO()
    call_command("import_scores", str(path), stdout=out)
    text = out.getvalue()
    assert "新增 1" in text and "拒绝 1" in text
    assert "第3行：成绩“x”应为0至100之间的整数。" in text
    assert Score.objects.count() == 1


def test_the_command_refuses_a_missing_file_and_an_unknown_user(exams, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_scores", str(tmp_path / "none.csv"))
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(sat(2022, resident_id_number(sequence=7), "303", {"1": 70})))
    with pytest.raises(CommandError, match="没有用户名"):
        call_command("import_scores", str(path), "--user", "nobody")


def test_the_command_reports_a_file_that_fails(exams, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"exam_year\n2022\n")
    with pytest.raises(CommandError, match="导入失败"):
        call_command("import_scores", str(path), stdout=io.StringIO())
