"""Writes to the exam catalogue: loading the reference data, and seeding the demo exam."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration import choices
from registration.choices import CountedFrom, Education, Role
from registration.material_audiences import AUDIENCES, CATEGORY_GROUPS
from registration.models import (
    City,
    District,
    DistrictFee,
    EligibilityRule,
    Exam,
    MaterialSlot,
    RegistrationPoint,
    Site,
    Specialty,
    Subject,
    Unit,
    User,
)
from registration.models.catalogue import PHOTO_MAX_BYTES, PHOTO_MIN_BYTES
from registration.services.staff import staff_user_upsert
from wecan.errors import InvalidInput

M = TypeVar("M", bound=models.Model)

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"

# The levels of this exam (初级 has two grades); specialties, fees and eligibility rules use them.
SPECIALTY_LEVELS = tuple(value for value, _label in choices.SPECIALTY_LEVELS)
# The categories that have an English label and a group in the eligibility table.
SPECIALTY_CATEGORIES = tuple(value for value, _label in choices.SPECIALTY_CATEGORIES)

# Districts with this code take the material slots of shanghai-material-slots.csv.
SHANGHAI_DISTRICT_CODE = "SH"

SPECIALTIES_FILE = "specialties.csv"
SUBJECTS_FILE = "subjects.csv"
ELIGIBILITY_FILE = "eligibility.csv"
SHANGHAI_SLOTS_FILE = "shanghai-material-slots.csv"

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass
class ReferenceLoadReport:
    """What one load did, file by file (in load order), and which files the folder lacked."""

    counts: dict[str, UpsertCounts] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)
    shanghai_districts: int = 0

    @property
    def changed(self) -> bool:
        return any(counts.changed for counts in self.counts.values())


@dataclass(frozen=True)
class ReferenceRow:
    """One data row of a reference file, its columns stripped, with the line it starts on."""

    file: str
    line: int
    values: dict[str, str]


def reference_row_error(file: str, line: int, problem: str) -> InvalidInput:
    return InvalidInput(_("%(file)s 第 %(line)d 行：%(problem)s") % {"file": file, "line": line, "problem": problem})


def read_reference_rows(path: Path, columns: Sequence[str], optional: Sequence[str] = ()) -> list[ReferenceRow]:
    """The file's rows as ``columns`` (each required in the header) and ``optional`` ones ("" when absent)."""
    try:
        # utf-8-sig: files saved by spreadsheet programs start with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("%(file)s 不是 UTF-8 编码的文件。") % {"file": path.name}) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    absent = [column for column in columns if column not in header]
    if absent:
        raise reference_row_error(path.name, 1, _("表头缺少列：%(columns)s") % {"columns": "、".join(absent)})

    rows = []
    for record in reader:
        line = reader.line_num
        if None in record:
            raise reference_row_error(path.name, line, _("列数多于表头。"))
        short = [column for column in columns if record[column] is None]
        if short:
            raise reference_row_error(path.name, line, _("缺少列：%(columns)s") % {"columns": "、".join(short)})
        values = {column: record[column].strip() for column in columns}
        values |= {column: (record.get(column) or "").strip() for column in optional}
        rows.append(ReferenceRow(path.name, line, values))
    return rows


def _text(row: ReferenceRow, column: str, *, required: bool = True) -> str:
    value = row.values[column]
    if required and not value:
        raise reference_row_error(row.file, row.line, _("%(column)s 不能为空。") % {"column": column})
    return value


def _integer(row: ReferenceRow, column: str, *, minimum: int = 0) -> int:
    value = row.values[column]
    try:
        number = int(value)
    except ValueError:
        raise reference_row_error(
            row.file, row.line, _("%(column)s 应为整数，而不是“%(value)s”。") % {"column": column, "value": value}
        ) from None
    if number < minimum:
        raise reference_row_error(
            row.file, row.line, _("%(column)s 不能小于 %(minimum)d。") % {"column": column, "minimum": minimum}
        )
    return number


def _choice(row: ReferenceRow, column: str, allowed: Sequence[str]) -> str:
    value = row.values[column]
    if value not in allowed:
        raise reference_row_error(
            row.file,
            row.line,
            _("未知的%(column)s“%(value)s”，应为：%(allowed)s")
            % {"column": column, "value": value, "allowed": "、".join(allowed)},
        )
    return value


def _specialty_fields(row: ReferenceRow) -> dict[str, Any]:
    return {
        "code": _text(row, "code"),
        "name": _text(row, "name"),
        "name_en": _text(row, "name_en", required=False),
        "category": _choice(row, "category", SPECIALTY_CATEGORIES),
        "level": _choice(row, "level", SPECIALTY_LEVELS),
    }


def _subject_fields(row: ReferenceRow) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "code": _text(row, "code"),
        "name": _text(row, "name"),
        "name_en": _text(row, "name_en", required=False),
        "minutes": _integer(row, "minutes", minimum=1),
        "pass_score": _integer(row, "pass_score"),
        "full_score": _integer(row, "full_score", minimum=1),
    }
    if fields["pass_score"] > fields["full_score"]:
        raise reference_row_error(row.file, row.line, _("pass_score 不能大于 full_score。"))
    return fields


def _eligibility_fields(row: ReferenceRow) -> dict[str, Any]:
    """A rule's words are closed vocabularies (the pre-check reads codes, never the ``note``)."""
    counted_from = ("", *CountedFrom.values)
    fields: dict[str, Any] = {
        "category_group": _choice(row, "category_group", sorted(set(CATEGORY_GROUPS.values()))),
        "target_level": _choice(row, "target_level", SPECIALTY_LEVELS),
        "education": _choice(row, "education", Education.values),
        "min_years": _integer(row, "min_years"),
        "counted_from": _choice(row, "counted_from", counted_from),
        "alternative_counted_from": _choice(row, "alternative_counted_from", counted_from),
        "alternative_min_years": (
            _integer(row, "alternative_min_years") if row.values["alternative_min_years"] else None
        ),
        "note": _text(row, "note", required=False),
    }
    if fields["min_years"] and not fields["counted_from"]:
        raise reference_row_error(row.file, row.line, _("min_years 大于0时须填写 counted_from。"))
    if bool(fields["alternative_counted_from"]) != (fields["alternative_min_years"] is not None):
        raise reference_row_error(
            row.file, row.line, _("alternative_counted_from 与 alternative_min_years 须同时填写或同时留空。")
        )
    return fields


def _slot_fields(row: ReferenceRow) -> dict[str, Any]:
    return {
        "code": _text(row, "code"),
        "title": _text(row, "title"),
        "title_en": _text(row, "title_en", required=False),
        "max_files": _integer(row, "max_files", minimum=1),
        # Whom the slot concerns, from the vocabulary the candidate's page and the pre-check read.
        "who": _choice(row, "who", sorted(AUDIENCES)),
    }


@dataclass(frozen=True)
class _ReferenceFile:
    name: str
    model: type[models.Model]
    columns: tuple[str, ...]
    key: tuple[str, ...]
    parse: Callable[[ReferenceRow], dict[str, Any]]
    # Loaded into every Shanghai district, the file's order kept as ``position``.
    shanghai_slots: bool = False
    # Columns a file may leave out (an English title), read as empty.
    optional: tuple[str, ...] = ()


_REFERENCE_FILES = (
    _ReferenceFile(
        SPECIALTIES_FILE,
        Specialty,
        ("code", "name", "category", "level"),
        ("code",),
        _specialty_fields,
        optional=("name_en",),
    ),
    _ReferenceFile(
        SUBJECTS_FILE,
        Subject,
        ("code", "name", "minutes", "pass_score", "full_score"),
        ("code",),
        _subject_fields,
        optional=("name_en",),
    ),
    _ReferenceFile(
        ELIGIBILITY_FILE,
        EligibilityRule,
        ("category_group", "target_level", "education", "min_years", "counted_from", "note"),
        ("category_group", "target_level", "education"),
        _eligibility_fields,
        optional=("alternative_counted_from", "alternative_min_years"),
    ),
    _ReferenceFile(
        SHANGHAI_SLOTS_FILE,
        MaterialSlot,
        ("code", "title", "max_files", "who"),
        ("code",),
        _slot_fields,
        shanghai_slots=True,
        optional=("title_en",),
    ),
)


def _parse_file(path: Path, spec: _ReferenceFile) -> list[tuple[ReferenceRow, dict[str, Any]]]:
    parsed = []
    first_line: dict[tuple[Any, ...], int] = {}
    for row in read_reference_rows(path, spec.columns, spec.optional):
        fields = spec.parse(row)
        key = tuple(fields[column] for column in spec.key)
        if key in first_line:
            raise reference_row_error(row.file, row.line, _("与第 %(line)d 行重复。") % {"line": first_line[key]})
        first_line[key] = row.line
        parsed.append((row, fields))
    return parsed


class _Upserted(NamedTuple, Generic[M]):
    instance: M
    outcome: str


def _upsert(
    model: type[M], *, lookup: dict[str, Any], values: dict[str, Any], row: ReferenceRow | None = None
) -> _Upserted[M]:
    """Creates or updates the one row matching ``lookup``; says whether it was CREATED, UPDATED or UNCHANGED.

    A row that fails validation raises ``InvalidInput`` naming the file and line of ``row``.
    """
    instance = model._default_manager.select_for_update().filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        outcome = CREATED
    else:
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if not changed:
            return _Upserted(instance, UNCHANGED)
        for name in changed:
            setattr(instance, name, values[name])
        outcome = UPDATED
    try:
        instance.full_clean()
    except ValidationError as error:
        if row is None:
            raise
        problems = "；".join(f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items())
        raise reference_row_error(row.file, row.line, problems) from None
    instance.save()
    return _Upserted(instance, outcome)


@dataclass(frozen=True)
class CatalogueExtension:
    """Catalogue data an app above registration keeps in its own models (the exam's timetable, the
    sites' rooms), loaded and seeded with registration's own: registration cannot import that app,
    so the app registers this in its ``AppConfig.ready``.

    ``load`` reads ``reference_file`` (when the folder has it) and says what it changed; ``seed_demo``
    (when the data has a demo part) is given the demo exam and its sites. Both run inside the caller's
    transaction: a bad row or a failure undoes the whole load or seed.
    """

    reference_file: str
    load: Callable[[Path], UpsertCounts]
    seed_demo: Callable[[Exam, Sequence[Site]], None] | None = None


_EXTENSIONS: dict[str, CatalogueExtension] = {}


def catalogue_extension_register(extension: CatalogueExtension) -> None:
    _EXTENSIONS[extension.reference_file] = extension


def reference_data_load(*, directory: Path = REFERENCE_DIR) -> ReferenceLoadReport:
    """Upserts the reference files found in ``directory`` into the catalogue.

    Specialties, subjects and eligibility rules are matched on their codes (keys), Shanghai's
    material slots on (district, code) in every district coded ``SH``, with the file's order kept
    as ``position``. Nothing is ever deleted. Either every row is loaded or, on the first bad row
    (``InvalidInput`` naming the file and line), nothing is. A second load of the same files
    reports every row unchanged.
    """
    if not directory.is_dir():
        raise InvalidInput(_("找不到参考数据目录：%(directory)s") % {"directory": directory})
    present = [spec for spec in _REFERENCE_FILES if (directory / spec.name).is_file()]
    extensions = [extension for extension in _EXTENSIONS.values() if (directory / extension.reference_file).is_file()]
    if not present and not extensions:
        raise InvalidInput(_("目录 %(directory)s 中没有任何参考数据文件。") % {"directory": directory})

    # Every file is read and checked before anything is written.
    parsed = {spec.name: _parse_file(directory / spec.name, spec) for spec in present}
    report = ReferenceLoadReport(
        missing_files=[spec.name for spec in _REFERENCE_FILES if spec not in present]
        + [extension.reference_file for extension in _EXTENSIONS.values() if extension not in extensions],
    )
    with transaction.atomic():
        for spec in present:
            counts = report.counts[spec.name] = UpsertCounts()
            owners: list[dict[str, Any]] = [{}]
            if spec.shanghai_slots:
                districts = District.objects.filter(code=SHANGHAI_DISTRICT_CODE).order_by("pk")
                owners = [{"district": district} for district in districts]
                report.shanghai_districts = len(owners)
            for owner in owners:
                for position, (row, fields) in enumerate(parsed[spec.name], start=1):
                    lookup = {**owner, **{column: fields[column] for column in spec.key}}
                    values = {name: value for name, value in fields.items() if name not in spec.key}
                    if spec.shanghai_slots:
                        values["position"] = position
                    counts.count(_upsert(spec.model, lookup=lookup, values=values, row=row).outcome)
        # After the catalogue's own files: the extensions' rows refer to its subjects and specialties.
        for extension in extensions:
            report.counts[extension.reference_file] = extension.load(directory / extension.reference_file)
    return report


# --- Demo data (API.md "Demo data") -------------------------------------------------------------

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the documented demo password, overridable

# Fee per subject and level, yuan (the public figure of reference/README.md).
_DEMO_FEES = {"初级(士)": Decimal("75.00"), "初级(师)": Decimal("75.00"), "中级": Decimal("95.00")}


@dataclass(frozen=True)
class _DemoDistrict:
    code: str
    name: str
    online_confirmation: bool
    history_auto_confirm: bool
    city: tuple[str, str]
    site: tuple[str, str]
    point: tuple[str, str]
    units: tuple[tuple[str, str], ...]  # (name, city)
    online_payment: bool = True


_DEMO_DISTRICTS = (
    _DemoDistrict(
        code="SH",
        name="上海",
        online_confirmation=True,
        history_auto_confirm=True,
        city=("310104", "徐汇区"),
        site=("31010401", "徐汇区考点"),
        point=("3101040101", "徐汇区卫生健康委员会报名点"),
        units=(
            ("复旦大学附属中山医院", "徐汇区"),
            ("上海市第六人民医院", "徐汇区"),
            ("上海市徐汇区中心医院", "徐汇区"),
            ("上海市徐汇区枫林街道社区卫生服务中心", "徐汇区"),
            ("上海交通大学医学院附属瑞金医院", "黄浦区"),
            ("复旦大学附属华山医院", "静安区"),
        ),
    ),
    _DemoDistrict(
        code="BJ",
        name="北京",
        online_confirmation=False,
        history_auto_confirm=False,
        city=("110101", "东城区"),
        site=("11010101", "东城区考点"),
        point=("1101010101", "东城区卫生健康委员会报名点"),
        units=(
            ("北京协和医院", "东城区"),
            ("北京医院", "东城区"),
            ("首都医科大学附属北京同仁医院", "东城区"),
            ("北京市东城区东花市社区卫生服务中心", "东城区"),
            ("北京大学第一医院", "西城区"),
            ("首都医科大学附属北京天坛医院", "丰台区"),
        ),
    ),
    # Not in seed 004's list of districts that take fees online (line 446): candidates confirm and
    # pay on site, and approved is 报名成功.
    _DemoDistrict(
        code="SX",
        name="山西",
        online_confirmation=False,
        history_auto_confirm=False,
        city=("140105", "小店区"),
        site=("14010501", "小店区考点"),
        point=("1401050101", "小店区卫生健康局报名点"),
        units=(
            ("山西白求恩医院", "小店区"),
            ("太原市小店区人民医院", "小店区"),
            ("山西医科大学第一医院", "迎泽区"),
            ("山西省人民医院", "迎泽区"),
        ),
        online_payment=False,
    ),
)

# (username suffix, role); the scope is the district's point, site or the district itself.
_DEMO_STAFF = (
    ("point", Role.POINT_STAFF),
    ("site", Role.SITE_REVIEWER),
    ("district", Role.DISTRICT_REVIEWER),
    ("finance", Role.FINANCE),
)
DEMO_ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class DemoSeedResult:
    exam: Exam
    reference: ReferenceLoadReport
    accounts: list[User]


def _demo_exam_windows(now: datetime.datetime) -> dict[str, Any]:
    """Windows that all contain ``now``: opened a week ago (local midnight), closing weeks ahead."""
    today = timezone.localtime(now).date()

    def midnight(days: int) -> datetime.datetime:
        day = today + datetime.timedelta(days=days)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    return {
        "registration_opens": midnight(-7),
        "registration_closes": midnight(10),
        "confirmation_deadline": midnight(14),
        "payment_opens": midnight(-7),
        "payment_closes": midnight(21),
        "ticket_opens": midnight(-7),
        "ticket_closes": midnight(28),
        "exam_date": today + datetime.timedelta(days=28),
    }


def demo_seed(*, password: str = DEMO_PASSWORD, now: datetime.datetime | None = None) -> DemoSeedResult:
    """Creates or refreshes the demo exam of API.md "Demo data"; running it again adds no rows.

    The exam of the current year gets windows open around ``now`` (its existing windows are moved),
    districts SH, BJ and SX (no online payment) with one city, site and registration point each, the
    reference data
    (via ``reference_data_load``, after the districts, so Shanghai gets its material slots), every
    specialty, fees per level, a few units per district, and the staff accounts plus the superuser
    ``admin``, whose passwords are (re)set to ``password``.
    """
    now = now or timezone.now()
    year = timezone.localtime(now).year
    accounts = []
    with transaction.atomic():
        exam = _upsert(
            Exam,
            lookup={"year": year},
            values={
                "name": _("%(year)d年度卫生专业技术资格考试") % {"year": year},
                "work_years_cutoff": datetime.date(year - 1, 12, 31),
                # A demo exam made before the seed's bounds were the default gets them too.
                "photo_min_bytes": PHOTO_MIN_BYTES,
                "photo_max_bytes": PHOTO_MAX_BYTES,
                **_demo_exam_windows(now),
            },
        ).instance
        scopes: list[tuple[_DemoDistrict, District, Site, RegistrationPoint]] = []
        for demo in _DEMO_DISTRICTS:
            district = _upsert(
                District,
                lookup={"exam": exam, "code": demo.code},
                values={
                    "name": demo.name,
                    "online_confirmation": demo.online_confirmation,
                    "online_payment": demo.online_payment,
                    "history_auto_confirm": demo.history_auto_confirm,
                },
            ).instance
            for level, fee in _DEMO_FEES.items():
                _upsert(DistrictFee, lookup={"district": district, "level": level}, values={"fee_per_subject": fee})
            city = _upsert(
                City, lookup={"district": district, "code": demo.city[0]}, values={"name": demo.city[1]}
            ).instance
            site = _upsert(Site, lookup={"city": city, "code": demo.site[0]}, values={"name": demo.site[1]}).instance
            point = _upsert(
                RegistrationPoint, lookup={"site": site, "code": demo.point[0]}, values={"name": demo.point[1]}
            ).instance
            for unit_name, unit_city in demo.units:
                _upsert(Unit, lookup={"name": unit_name, "province": demo.name, "city": unit_city}, values={})
            scopes.append((demo, district, site, point))

        reference = reference_data_load()
        exam.specialties.add(*Specialty.objects.all())
        for extension in _EXTENSIONS.values():
            if extension.seed_demo is not None:
                extension.seed_demo(exam, [site for _demo, _district, site, _point in scopes])

        for demo, district, site, point in scopes:
            scope_of_role: dict[str, District | Site | RegistrationPoint] = {
                Role.POINT_STAFF: point,
                Role.SITE_REVIEWER: site,
                Role.DISTRICT_REVIEWER: district,
                Role.FINANCE: district,
            }
            for suffix, role in _DEMO_STAFF:
                accounts.append(
                    staff_user_upsert(
                        username=f"{demo.code.lower()}_{suffix}",
                        role=role,
                        scope=scope_of_role[role],
                        password=password,
                        name=f"{demo.name}{role.label}",
                    )
                )
        accounts.append(
            staff_user_upsert(
                username=DEMO_ADMIN_USERNAME,
                role=Role.ADMINISTRATOR,
                scope=None,
                password=password,
                name=str(Role.ADMINISTRATOR.label),
                is_superuser=True,
            )
        )
    return DemoSeedResult(exam=exam, reference=reference, accounts=accounts)
