"""ID numbers of the six ID types: what is accepted, what is refused and why, and what a number tells."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from registration.choices import Gender, IdType
from registration.identity import mod11_2_check_character, parse_id_number, validate_person_name
from tests.factories.accounts import resident_id_number, with_check_character

TODAY = datetime.date(2026, 1, 15)


def with_wrong_check_character(first_17: str) -> str:
    right = mod11_2_check_character(first_17)
    return first_17 + ("0" if right != "0" else "1")


def refusal_code(id_type: str, number: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(id_type, number, today=TODAY)
    return caught.value.code


def test_the_standard_example_resident_id_is_valid_and_tells_birth_date_and_gender():
    facts = parse_id_number(IdType.RESIDENT_ID, "11010519491231002X", today=TODAY)

    assert facts.number == "11010519491231002X"
    assert facts.birth_date == datetime.date(1949, 12, 31)
    assert facts.gender == Gender.FEMALE
    assert facts.nationality == "中国"


def test_lower_case_x_and_surrounding_blanks_are_the_same_number():
    assert parse_id_number(IdType.RESIDENT_ID, " 11010519491231002x ", today=TODAY).number == "11010519491231002X"


def test_an_odd_sequence_digit_means_male():
    number = resident_id_number(sequence=131)
    assert parse_id_number(IdType.RESIDENT_ID, number, today=TODAY).gender == Gender.MALE


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (with_wrong_check_character("11010519491231002"), "id_checksum"),
        ("11010519491231002", "id_format"),  # 17 characters
        ("11010519491231002XX", "id_format"),  # 19 characters
        ("1101051949123100X2", "id_format"),  # X not in last place
        (with_check_character("11010519900230123"), "id_birth_date"),  # 30 February
        (with_check_character("11010518991231123"), "id_birth_date"),  # before 1900
        (with_check_character("11010520260301123"), "id_birth_date"),  # after today
        (with_check_character("99010519900101123"), "id_region"),  # no province 99
        (resident_id_number(region="810000"), "id_region"),  # a Hong Kong residence permit
        ("1101051949 231002X", "id_format"),
        ("", "required"),
    ],
)
def test_bad_resident_ids_are_refused_with_the_reason(number, code):
    assert refusal_code(IdType.RESIDENT_ID, number) == code


@pytest.mark.parametrize(
    ("id_type", "prefix", "nationality"),
    [
        (IdType.HK_MACAO_RESIDENCE, "810000", "中国香港"),
        (IdType.HK_MACAO_RESIDENCE, "820000", "中国澳门"),
        (IdType.TAIWAN_RESIDENCE, "830000", "中国台湾"),
    ],
)
def test_residence_permits_with_their_own_prefix_are_valid(id_type, prefix, nationality):
    facts = parse_id_number(id_type, resident_id_number(region=prefix), today=TODAY)

    assert facts.nationality == nationality
    assert facts.birth_date == datetime.date(1990, 1, 1)


@pytest.mark.parametrize(
    ("id_type", "prefix"),
    [
        (IdType.HK_MACAO_RESIDENCE, "830000"),
        (IdType.HK_MACAO_RESIDENCE, "310101"),
        (IdType.TAIWAN_RESIDENCE, "810000"),
        (IdType.TAIWAN_RESIDENCE, "310101"),
    ],
)
def test_residence_permits_with_another_prefix_are_refused(id_type, prefix):
    assert refusal_code(id_type, resident_id_number(region=prefix)) == "id_region"


def test_residence_permit_with_a_wrong_check_character_is_refused():
    wrong = with_wrong_check_character(resident_id_number(region="810000")[:17])
    assert refusal_code(IdType.HK_MACAO_RESIDENCE, wrong) == "id_checksum"


@pytest.mark.parametrize(
    ("number", "nationality"),
    [("H12345678", "中国香港"), ("M12345678", "中国澳门"), ("H1234567890", "中国香港"), ("m1234567890", "中国澳门")],
)
def test_hk_macao_permits_of_8_and_10_digits_are_valid(number, nationality):
    facts = parse_id_number(IdType.HK_MACAO_PERMIT, number, today=TODAY)

    assert facts.nationality == nationality
    assert facts.birth_date is None
    assert facts.gender is None


@pytest.mark.parametrize("number", ["H1234567", "H123456789", "H12345678901", "A12345678", "12345678", "H1234567X"])
def test_bad_hk_macao_permits_are_refused(number):
    assert refusal_code(IdType.HK_MACAO_PERMIT, number) == "id_format"


@pytest.mark.parametrize("number", ["12345678", "1234567890"])
def test_taiwan_permits_of_8_and_10_digits_are_valid(number):
    assert parse_id_number(IdType.TAIWAN_PERMIT, number, today=TODAY).nationality == "中国台湾"


@pytest.mark.parametrize("number", ["1234567", "123456789", "12345678901", "T1234567"])
def test_bad_taiwan_permits_are_refused(number):
    assert refusal_code(IdType.TAIWAN_PERMIT, number) == "id_format"


def test_old_foreign_permanent_id_of_three_letters_and_twelve_digits_is_valid():
    facts = parse_id_number(IdType.FOREIGN_PERMANENT, "usa310085010101", today=TODAY)

    assert facts.number == "USA310085010101"
    assert facts.nationality == "其他"


def test_new_foreign_permanent_id_starting_with_9_is_valid_and_tells_birth_date():
    number = with_check_character("93331019850704123")
    facts = parse_id_number(IdType.FOREIGN_PERMANENT, number, today=TODAY)

    assert facts.birth_date == datetime.date(1985, 7, 4)
    assert facts.gender == Gender.MALE


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("US3100850101012", "id_format"),  # two letters
        ("USA31008501010", "id_format"),  # eleven digits
        (resident_id_number(), "id_format"),  # 18 digits not starting with 9
        (with_wrong_check_character("93331019850704123"), "id_checksum"),
    ],
)
def test_bad_foreign_permanent_ids_are_refused(number, code):
    assert refusal_code(IdType.FOREIGN_PERMANENT, number) == code


def test_an_unknown_id_type_is_refused():
    assert refusal_code("passport", "E12345678") == "id_type"


_PROVINCES = [
    *(f"1{d}" for d in "12345"),
    *(f"2{d}" for d in "123"),
    *(f"3{d}" for d in "1234567"),
    *(f"4{d}" for d in "123456"),
    "50",
    *(f"5{d}" for d in "1234"),
    *(f"6{d}" for d in "12345"),
]


@st.composite
def resident_id_bodies(draw) -> str:
    """The first 17 digits of a resident ID: a real province, any county, a real birth date, any sequence."""
    province = draw(st.sampled_from(_PROVINCES))
    county = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return f"{province}{county}{born:%Y%m%d}{sequence}"


@given(body=resident_id_bodies())
def test_a_body_with_its_computed_check_character_passes_and_every_other_fails(body):
    check = mod11_2_check_character(body)

    assert parse_id_number(IdType.RESIDENT_ID, body + check, today=TODAY).number == body + check
    for other in "0123456789X".replace(check, ""):
        with pytest.raises(ValidationError) as caught:
            parse_id_number(IdType.RESIDENT_ID, body + other, today=TODAY)
        assert caught.value.code == "id_checksum"


@pytest.mark.parametrize("name", ["张三", "阿依古丽·买买提", "𠈌文", "Anna Smith", "欧阳娜娜"])
def test_names_with_rare_characters_middle_dots_and_spaces_are_accepted(name):
    assert validate_person_name(name) == name


def test_a_western_bullet_in_a_name_becomes_the_middle_dot():
    assert validate_person_name("阿依古丽•买买提") == "阿依古丽·买买提"


@pytest.mark.parametrize("name", ["张", "张3", "·张三", "张三@", "x" * 51])
def test_bad_names_are_refused(name):
    with pytest.raises(ValidationError):
        validate_person_name(name)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("王(yan)", "王(yan)"),
        ("王（yan）", "王(yan)"),
        ("王(yan)明", "王(yan)明"),
        ("欧阳(yan)(xi)", "欧阳(yan)(xi)"),
        ("李(lü)", "李(lü)"),
        ("𪚥明", "𪚥明"),
        ("𤳵(tao)", "𤳵(tao)"),
    ],
)
def test_pinyin_in_parentheses_stands_for_a_character_no_list_has(typed, kept):
    """Seed 003 line 467: "姓名填写框支持输入「·」和生僻字……若生僻字列表中无此字，用括号+拼音代替"."""
    assert validate_person_name(typed) == kept


@pytest.mark.parametrize(
    "name",
    [
        "(yan)明",  # nothing before the group: it follows no Chinese character
        "John(yan)",  # after a Latin letter
        "王 (yan)",  # after a space
        "王(y4n)",
        "王(zhuangg)",  # longer than any pinyin syllable
        "王()",
        "王(yan",
        "王yan)",
        "王<b>明</b>",
        "王[yan]",
        "王&amp;明",
        "张\U00030000",  # CJK extension G: no PDF font draws it
        "Ἀλέξανδρος",  # Greek: not in the name repertoire the documents print
    ],
)
def test_other_markup_and_characters_the_documents_cannot_print_are_refused(name):
    """Seed 003 line 467 allows '·', rare characters and (pinyin); nothing else in a name."""
    with pytest.raises(ValidationError) as caught:
        validate_person_name(name)
    assert caught.value.code == "name_characters"
