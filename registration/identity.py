"""Identity rules: ID numbers of the six ID types, names and passwords. Pure functions, no database.

The 18-character numbers (resident ID, the HK/Macao/Taiwan residence permits and the new foreign
permanent residence ID) carry a GB 11643 check digit (ISO 7064 MOD 11-2) and a birth date.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from registration.choices import Gender, IdType

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARACTERS = "10X98765432"

# Province codes of the mainland resident ID (GB/T 2260), plus 71/81/82 that some IDs carry.
_PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_RESIDENCE_PERMIT_PREFIXES = {
    IdType.HK_MACAO_RESIDENCE: ("810000", "820000"),
    IdType.TAIWAN_RESIDENCE: ("830000",),
}

NATIONALITY_CHINA = "中国"
NATIONALITY_HONG_KONG = "中国香港"
NATIONALITY_MACAO = "中国澳门"
NATIONALITY_TAIWAN = "中国台湾"
NATIONALITY_OTHER = "其他"


@dataclass(frozen=True)
class IdentityFacts:
    """What an ID number says about its holder. ``number`` is the normalised form that is stored."""

    id_type: str
    number: str
    birth_date: datetime.date | None
    gender: str | None
    nationality: str


def mod11_2_check_character(first_17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Upper-case with the surrounding blanks gone: ``x`` and ``X`` are one check digit."""
    return raw.strip().upper()


def _birth_date(digits: str, *, today: datetime.date) -> datetime.date:
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(_("证件号码中的出生日期不存在。"), code="id_birth_date") from None
    if born > today or born.year < 1900:
        raise ValidationError(_("证件号码中的出生日期不合理。"), code="id_birth_date")
    return born


def _eighteen(number: str, *, today: datetime.date) -> tuple[datetime.date, str]:
    """Checks an 18-character number with a MOD 11-2 check digit; returns birth date and gender."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("证件号码应为18位，前17位为数字，最后一位为数字或X。"), code="id_format")
    if mod11_2_check_character(number[:17]) != number[17]:
        raise ValidationError(_("证件号码校验位不正确，请核对。"), code="id_checksum")
    born = _birth_date(number[6:14], today=today)
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return born, gender


def parse_id_number(id_type: str, raw: str, *, today: datetime.date | None = None) -> IdentityFacts:
    """Validates ``raw`` as a number of ``id_type``; raises ``ValidationError`` in Chinese."""
    today = today or datetime.date.today()
    number = normalize_id_number(raw)
    if not number:
        raise ValidationError(_("请填写证件号码。"), code="required")
    if re.search(r"\s", number):
        raise ValidationError(_("证件号码中不能有空格。"), code="id_format")

    if id_type == IdType.RESIDENT_ID:
        born, gender = _eighteen(number, today=today)
        if number[:2] not in _PROVINCE_CODES or number.startswith(("810000", "820000", "830000")):
            raise ValidationError(_("证件号码的地区码不正确；港澳台居民居住证请选择对应的证件类型。"), code="id_region")
        return IdentityFacts(id_type, number, born, gender, NATIONALITY_CHINA)

    if id_type in _RESIDENCE_PERMIT_PREFIXES:
        born, gender = _eighteen(number, today=today)
        if not number.startswith(_RESIDENCE_PERMIT_PREFIXES[IdType(id_type)]):
            raise ValidationError(_("该证件号码不是%(kind)s号码。") % {"kind": IdType(id_type).label}, code="id_region")
        nationality = {"810000": NATIONALITY_HONG_KONG, "820000": NATIONALITY_MACAO}.get(number[:6], NATIONALITY_TAIWAN)
        return IdentityFacts(id_type, number, born, gender, nationality)

    if id_type == IdType.HK_MACAO_PERMIT:
        if not re.fullmatch(r"[HM](\d{8}|\d{10})", number):
            raise ValidationError(_("港澳居民来往内地通行证号码应为H或M加8位或10位数字。"), code="id_format")
        nationality = NATIONALITY_HONG_KONG if number[0] == "H" else NATIONALITY_MACAO
        return IdentityFacts(id_type, number, None, None, nationality)

    if id_type == IdType.TAIWAN_PERMIT:
        if not re.fullmatch(r"\d{8}|\d{10}", number):
            raise ValidationError(_("台湾居民来往大陆通行证号码应为8位或10位数字。"), code="id_format")
        return IdentityFacts(id_type, number, None, None, NATIONALITY_TAIWAN)

    if id_type == IdType.FOREIGN_PERMANENT:
        if re.fullmatch(r"[A-Z]{3}\d{12}", number):
            return IdentityFacts(id_type, number, None, None, NATIONALITY_OTHER)
        if len(number) == 18 and number.startswith("9"):
            born, gender = _eighteen(number, today=today)
            return IdentityFacts(id_type, number, born, gender, NATIONALITY_OTHER)
        raise ValidationError(
            _("外国人永久居留身份证号码应为15位（3位字母加12位数字）或以9开头的18位。"), code="id_format"
        )

    raise ValidationError(_("请选择证件类型。"), code="id_type")


# The characters a name may hold: the CJK ideographs and the Latin letters that the PDF fonts draw
# (certificates.pdf.CJK_FONT_FILES; tests/documents/test_glyphs.py checks every letter of these
# ranges has a glyph), so whatever is accepted prints on the form, the ticket and the certificate.
# The ideograph blocks stop where the fonts do (the few added in Unicode 13 and 14 are left out).
HAN_RANGES = (
    (0x3400, 0x4DB5),  # extension A
    (0x4E00, 0x9FEF),  # unified ideographs
    (0xF900, 0xFAD9),  # compatibility ideographs
    (0x20000, 0x2A6D6),  # extension B
    (0x2A700, 0x2B734),  # extension C
    (0x2B740, 0x2B81D),  # extension D
    (0x2B820, 0x2CEA1),  # extension E
    (0x2CEB0, 0x2EBE0),  # extension F
    (0x2F800, 0x2FA1D),  # compatibility ideographs supplement
)
# ASCII and Latin-1 letters (é, ü, ñ): the fonts lack much of Latin Extended, so a foreigner's name
# is written as on their Chinese permit, in these letters.
LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xFF))
NAME_PUNCTUATION = "· -."
# Seed 003 line 467: "若生僻字列表中无此字，用括号+拼音代替" — a character no list has is written as
# its pinyin in parentheses, right after a Chinese character (or another such group): 王(yan).
_PINYIN_GROUP = re.compile(r"\(([a-zü]{1,6})\)", re.IGNORECASE)


def _in(ranges: tuple[tuple[int, int], ...], char: str) -> bool:
    code = ord(char)
    return any(first <= code <= last for first, last in ranges)


def is_han(char: str) -> bool:
    return _in(HAN_RANGES, char)


def is_name_letter(char: str) -> bool:
    return char.isalpha() and (is_han(char) or _in(LATIN_RANGES, char))


def _without_pinyin_groups(name: str) -> str | None:
    """``name`` with its pinyin groups taken out, or ``None`` when a group does not follow a Chinese
    character or another group."""
    kept = []
    position = 0
    for match in _PINYIN_GROUP.finditer(name):
        before = name[position : match.start()]
        follows_group = not before and position > 0
        if not (follows_group or (before and is_han(before[-1]))):
            return None
        kept.append(before)
        position = match.end()
    kept.append(name[position:])
    return "".join(kept)


def validate_person_name(raw: str) -> str:
    """A name of Chinese characters (rare ones included) or Latin letters, '·', spaces for foreigners,
    and pinyin in parentheses for a character no font has (seed 003 line 467: ``王(yan)``)."""
    name = unicodedata.normalize("NFC", raw.strip())
    name = name.replace("•", "·").replace("．", "·").replace("（", "(").replace("）", ")")
    if not 2 <= len(name) <= 50:
        raise ValidationError(_("姓名长度应为2至50个字符。"), code="name_length")
    plain = _without_pinyin_groups(name)
    if (
        plain is None
        or not plain
        or not all(is_name_letter(char) or char in NAME_PUNCTUATION for char in plain)
        or not is_name_letter(plain[0])
    ):
        raise ValidationError(
            _("姓名只能包含汉字或字母、间隔号“·”和空格；生僻字无法输入时，在其前一字后用括号加拼音代替，如“王(yan)”。"),
            code="name_characters",
        )
    return name


class CandidatePasswordValidator:
    """8 to 18 characters with both letters and digits (the national system's rule)."""

    def validate(self, password: str, user: Any = None) -> None:
        if not 8 <= len(password) <= 18:
            raise ValidationError(_("密码长度应为8至18个字符。"), code="password_length")
        if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_characters")

    def get_help_text(self) -> str:
        return _("密码须含字母和数字，长度为8至18个字符，区分大小写。")
