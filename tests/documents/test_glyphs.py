"""No tofu: names with rare characters and '·' print with real glyphs from the configured CJK fonts."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from certificates.pdf import font_faces
from registration.identity import HAN_RANGES, LATIN_RANGES, NAME_PUNCTUATION, is_name_letter
from registration.models import User
from tests.documents.conftest import FORM, drawn_glyphs, fetch_pdf, pdf_text

pytestmark = pytest.mark.django_db

# 𠮷 (U+20BB7, CJK extension B), 䶮 (U+4DAE, extension A, as in 刘䶮), the middle dot of 阿依古丽·买买提,
# and 𤳵 (U+24CF5, extension B, outside the BMP): in neither WenQuanYi nor Noto, only in the fallback
# that covers the supplementary plane.
RARE = "𠮷䶮·𤳵"
# Extension G (U+30000): in neither font, so it must show up as not drawn — proof the check can fail.
IN_NO_FONT = "\U00030000"


def _covering(char: str) -> list[str]:
    # WeasyPrint loads the first face of a collection (.ttc): that is the face to look in.
    return [family for family, path in font_faces() if ord(char) in TTFont(path, fontNumber=0).getBestCmap()]


@pytest.mark.parametrize("char", list(RARE))
def test_the_configured_fonts_have_a_glyph_for_rare_characters(char):
    assert _covering(char), f"U+{ord(char):04X} is in no configured font"


def test_the_check_knows_a_character_no_font_has():
    assert _covering(IN_NO_FONT) == []


def test_every_character_a_name_may_hold_has_a_glyph_in_the_configured_fonts():
    """Seed 003 line 467 lets a name hold rare characters: whatever the name rule accepts
    (``registration.identity``) must print, so every letter of its ranges is in some font."""
    maps = [TTFont(path, fontNumber=0).getBestCmap() for _family, path in font_faces()]
    accepted = [
        code
        for first, last in (*HAN_RANGES, *LATIN_RANGES)
        for code in range(first, last + 1)
        if is_name_letter(chr(code))
    ] + [ord(char) for char in NAME_PUNCTUATION + "()"]
    missing = [f"U+{code:04X}" for code in accepted if not any(code in cmap for cmap in maps)]
    assert len(accepted) > 88_000  # the ranges are really checked, not an empty list
    assert missing == []


def _form_with_name(name, api, application, candidate, sections, capture_on_commit) -> bytes:
    User.objects.filter(pk=candidate.pk).update(name=name)
    with capture_on_commit(execute=True):  # a content change renders the form anew
        body = {**sections["contact"], "postcode": "200032"}
        response = api.put(f"/api/v1/applications/{application['id']}/sections/contact/", body, format="json")
        assert response.status_code == 200
    return fetch_pdf(api, FORM.format(id=application["id"]), capture_on_commit)


def test_a_name_with_rare_characters_prints_with_real_glyphs(
    api, complete, candidate, sections, django_capture_on_commit_callbacks
):
    """Seed 003 line 467: "姓名填写框支持输入「·」和生僻字……若生僻字列表中无此字，用括号+拼音代替"."""
    name = "阿依·𠮷䶮𤳵(yan)"
    pdf = _form_with_name(name, api, complete, candidate, sections, django_capture_on_commit_callbacks)
    assert name in pdf_text(pdf)
    drawn = drawn_glyphs(pdf)
    for char in name:
        assert drawn.get(char), f"U+{ord(char):04X} is drawn as a tofu box"


def test_the_glyph_check_catches_a_tofu_box(api, complete, candidate, sections, django_capture_on_commit_callbacks):
    pdf = _form_with_name(f"张{IN_NO_FONT}", api, complete, candidate, sections, django_capture_on_commit_callbacks)
    drawn = drawn_glyphs(pdf)
    assert drawn["张"] is True
    assert drawn[IN_NO_FONT] is False  # on the page, mapped to a glyph the font does not have
