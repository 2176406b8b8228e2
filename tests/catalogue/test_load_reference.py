import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from registration.material_audiences import CATEGORY_GROUPS
from registration.models import EligibilityRule, MaterialSlot, Specialty, Subject
from registration.services.catalogue import REFERENCE_DIR, SPECIALTY_CATEGORIES, reference_data_load
from tests.factories.catalogue import DistrictFactory, ExamFactory

pytestmark = pytest.mark.django_db


def _rows(name: str, directory: Path = REFERENCE_DIR) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, list[tuple]]:
    return {
        "specialties": list(Specialty.objects.order_by("code").values_list("code", "name", "category", "level")),
        "subjects": list(Subject.objects.order_by("code").values_list()),
        "rules": list(EligibilityRule.objects.order_by("pk").values_list()),
        "slots": list(MaterialSlot.objects.order_by("pk").values_list()),
    }


@pytest.fixture
def extended_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "extended"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def _rewrite(path: Path, transform) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(transform(lines)) + "\n", encoding="utf-8")


def test_load_reference_loads_every_row_of_each_file():
    shanghai = DistrictFactory(code="SH", name="上海")
    beijing = DistrictFactory(code="BJ", name="北京", exam=shanghai.exam)

    output = _load()

    specialties = _rows("specialties.csv")
    assert Specialty.objects.count() == len(specialties) == 88
    english = {(row["code"], row["name_en"]) for row in specialties}
    assert set(Specialty.objects.values_list("code", "name_en")) == english
    assert all(row["name_en"] for row in specialties)
    assert Specialty.objects.get(code="303").name_en == "Internal Medicine"
    assert set(Specialty.objects.values_list("code", "name", "category", "level")) == {
        (row["code"], row["name"], row["category"], row["level"]) for row in specialties
    }
    assert set(Subject.objects.values_list("code", "name", "minutes", "pass_score", "full_score")) == {
        (row["code"], row["name"], int(row["minutes"]), int(row["pass_score"]), int(row["full_score"]))
        for row in _rows("subjects.csv")
    }
    assert set(EligibilityRule.objects.values_list("category_group", "target_level", "education", "min_years")) == {
        (row["category_group"], row["target_level"], row["education"], int(row["min_years"]))
        for row in _rows("eligibility.csv")
    }
    slots = _rows("shanghai-material-slots.csv")
    assert list(shanghai.material_slots.order_by("position").values_list("code", "title", "max_files", "who")) == [
        (row["code"], row["title"], int(row["max_files"]), row["who"]) for row in slots
    ]
    assert list(shanghai.material_slots.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(slots) + 1)
    )
    assert not beijing.material_slots.exists()
    assert "specialties.csv：新增 88，更新 0，未变 0" in output


def test_material_slots_go_to_every_shanghai_district_of_every_exam():
    first = DistrictFactory(code="SH")
    second = DistrictFactory(code="SH", exam=ExamFactory())

    report = reference_data_load()

    assert report.shanghai_districts == 2
    assert first.material_slots.count() == second.material_slots.count() == 30
    assert report.counts["shanghai-material-slots.csv"].created == 60


def test_second_run_changes_nothing_and_says_so():
    DistrictFactory(code="SH")
    reference_data_load()
    before = _snapshot()

    report = reference_data_load()
    output = _load()

    assert not report.changed
    assert {name: (c.created, c.updated, c.unchanged) for name, c in report.counts.items()} == {
        "specialties.csv": (0, 0, 88),
        "subjects.csv": (0, 0, 4),
        "eligibility.csv": (0, 0, 25),
        "shanghai-material-slots.csv": (0, 0, 30),
        "timetable.csv": (0, 0, 4),
        "specialty-days.csv": (0, 0, 0),
    }
    assert _snapshot() == before
    assert "没有任何更改" in output
    assert "新增 0，更新 0，未变 88" in output


def test_changed_row_in_an_extended_file_is_updated_and_a_new_row_created(extended_dir: Path):
    reference_data_load()

    def extend(lines: list[str]) -> list[str]:
        edited = [line.replace("301,全科医学,", "301,全科医学（修订）,") for line in lines]
        return [*edited, "101,药学(士),药学类,初级(士)"]

    _rewrite(extended_dir / "specialties.csv", extend)

    output = _load("--dir", str(extended_dir))

    assert Specialty.objects.get(code="301").name == "全科医学（修订）"
    assert Specialty.objects.get(code="101").level == "初级(士)"
    assert "specialties.csv：新增 1，更新 1，未变 87" in output
    assert "subjects.csv：新增 0，更新 0，未变 4" in output


def test_an_extended_folder_may_hold_only_some_files(extended_dir: Path):
    for name in ("subjects.csv", "eligibility.csv", "shanghai-material-slots.csv", "timetable.csv"):
        (extended_dir / name).unlink()

    output = _load("--dir", str(extended_dir))

    assert Specialty.objects.count() == 88
    assert not Subject.objects.exists()
    assert "subjects.csv：目录中没有此文件，跳过。" in output


def test_a_changed_slot_order_moves_the_positions(extended_dir: Path):
    district = DistrictFactory(code="SH")
    reference_data_load()
    # Move the last slot (11, history candidates) to the top.
    _rewrite(extended_dir / "shanghai-material-slots.csv", lambda lines: [lines[0], lines[-1], *lines[1:-1]])

    report = reference_data_load(directory=extended_dir)

    codes = list(district.material_slots.order_by("position").values_list("code", flat=True))
    assert codes[:2] == ["11", "0"]
    assert report.counts["shanghai-material-slots.csv"].updated == 30


def _break(line_number: int, replacement: str):
    def transform(lines: list[str]) -> list[str]:
        lines[line_number - 1] = replacement
        return lines

    return transform


@pytest.mark.parametrize(
    ("file_name", "transform", "expected"),
    [
        (
            "shanghai-material-slots.csv",
            _break(1, "code,title,who"),
            r"shanghai-material-slots\.csv 第 1 行：表头缺少列：max_files",
        ),
        (
            "shanghai-material-slots.csv",
            _break(5, "3-1,学历证、学位证,六,all"),
            r"shanghai-material-slots\.csv 第 5 行：max_files 应为整数，而不是“六”",
        ),
        (
            "shanghai-material-slots.csv",
            _break(3, "1,上海居住证,0,all"),
            r"shanghai-material-slots\.csv 第 3 行：max_files 不能小于 1",
        ),
        (
            "specialties.csv",
            _break(10, "310,心血管内科,临床医学类,高级"),
            r"specialties\.csv 第 10 行：未知的level“高级”",
        ),
        ("specialties.csv", _break(7, "305,内科学,临床医学类"), r"specialties\.csv 第 7 行：缺少列：level"),
        (
            "specialties.csv",
            _break(7, "305,内科学,临床医学类,中级,Internal Medicine,多余"),
            r"specialties\.csv 第 7 行：列数多于表头",
        ),
        # The category is a closed vocabulary: each has an English label and an eligibility group.
        (
            "specialties.csv",
            _break(7, "304,心血管内科学,内科类,中级,Cardiology"),
            r"specialties\.csv 第 7 行：未知的category“内科类”",
        ),
        (
            "specialties.csv",
            _break(8, "301,又一个全科医学,临床医学类,中级"),
            r"specialties\.csv 第 8 行：与第 4 行重复",
        ),
        ("specialties.csv", _break(9, ",无代码,临床医学类,中级"), r"specialties\.csv 第 9 行：code 不能为空"),
        ("subjects.csv", _break(2, "1,基础知识,90,120,100"), r"subjects\.csv 第 2 行：pass_score 不能大于 full_score"),
        (
            "eligibility.csv",
            _break(3, "pharmacy_technician,初级(士),小学,0,,,,"),
            r"eligibility\.csv 第 3 行：未知的education",
        ),
        (
            "eligibility.csv",
            _break(4, "pharmacy_technician,初级(师),中专,五,junior_assistant_qualification,,,"),
            r"eligibility\.csv 第 4 行：min_years 应为整数",
        ),
        # Where the years start is a closed vocabulary, never words for the pre-check to guess at.
        (
            "eligibility.csv",
            _break(4, "pharmacy_technician,初级(师),中专,5,obtaining 初级(士),,,"),
            r"eligibility\.csv 第 4 行：未知的counted_from“obtaining 初级\(士\)”",
        ),
        (
            "eligibility.csv",
            _break(4, "pharmacy_technician,初级(师),中专,5,,,,"),
            r"eligibility\.csv 第 4 行：min_years 大于0时须填写 counted_from",
        ),
        (
            "eligibility.csv",
            _break(4, "pharmacy_technician,初级(师),中专,5,junior_assistant_qualification,residency_certificate,,"),
            r"eligibility\.csv 第 4 行：alternative_counted_from 与 alternative_min_years 须同时填写",
        ),
        (
            "eligibility.csv",
            _break(4, "dentists,初级(师),中专,5,junior_assistant_qualification,,,"),
            r"eligibility\.csv 第 4 行：未知的category_group",
        ),
        (
            "shanghai-material-slots.csv",
            _break(2, '0,申请表,1,everyone who applies,"Application form"'),
            r"shanghai-material-slots\.csv 第 2 行：未知的who“everyone who applies”",
        ),
    ],
)
def test_a_bad_row_fails_naming_file_and_line_and_changes_nothing(extended_dir: Path, file_name, transform, expected):
    DistrictFactory(code="SH")
    path = extended_dir / file_name
    _rewrite(path, transform)

    with pytest.raises(CommandError, match=expected):
        _load("--dir", str(extended_dir))

    assert _snapshot() == {"specialties": [], "subjects": [], "rules": [], "slots": []}


def test_a_row_the_database_refuses_rolls_back_the_rows_written_before_it(extended_dir: Path):
    reference_data_load()
    before = _snapshot()
    too_long = "很长的专业名称" * 20
    _rewrite(extended_dir / "specialties.csv", lambda lines: [*lines[:-1], f"392,{too_long},技术类,中级"])
    _rewrite(extended_dir / "subjects.csv", lambda lines: [lines[0], "1,基础知识（新）,90,60,100", *lines[2:]])

    with pytest.raises(CommandError, match=r"specialties\.csv 第 89 行：name"):
        _load("--dir", str(extended_dir))

    assert _snapshot() == before


def test_a_file_that_is_not_utf8_is_named(extended_dir: Path):
    (extended_dir / "specialties.csv").write_bytes(
        "code,name,category,level\n301,全科医学,临床医学类,中级\n".encode("gbk")
    )

    with pytest.raises(CommandError, match=r"specialties\.csv 不是 UTF-8 编码"):
        _load("--dir", str(extended_dir))

    assert not Specialty.objects.exists()


def test_a_missing_or_empty_folder_is_refused(tmp_path: Path):
    with pytest.raises(CommandError, match="找不到参考数据目录"):
        _load("--dir", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="没有任何参考数据文件"):
        _load("--dir", str(tmp_path))


def test_a_file_saved_with_a_byte_order_mark_loads(extended_dir: Path):
    path = extended_dir / "subjects.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8-sig"))

    reference_data_load(directory=extended_dir)

    assert Subject.objects.count() == 4


def test_a_specialties_file_without_english_names_loads_them_empty(extended_dir: Path):
    """As subjects.csv: name_en may be left out (an older or extended file); the pages then show the name."""
    path = extended_dir / "specialties.csv"
    _rewrite(path, lambda lines: [line.rsplit(",", 1)[0] for line in lines])
    assert path.read_text(encoding="utf-8").splitlines()[0] == "code,name,category,level"

    reference_data_load(directory=extended_dir)

    assert Specialty.objects.count() == 88
    assert not Specialty.objects.exclude(name_en="").exists()


def test_every_category_of_the_closed_set_has_an_eligibility_group():
    assert set(SPECIALTY_CATEGORIES) == set(CATEGORY_GROUPS)
