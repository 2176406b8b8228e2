"""Applications ready to print, a paid one for the admission ticket, and ways to read a PDF back:
its text (pypdf), its barcodes (zxing-cpp on a pdftoppm rendering) and the glyphs of its fonts."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from registration.models import User
from registration.services.applications import application_submit, transition
from registration.workflow import Action
from tests.applications.conftest import (  # noqa: F401  (fixtures, shared)
    api,
    beijing,
    candidate,
    complete,
    degree,
    draft,
    exam,
    other_candidate,
    sections,
    shanghai,
    token_client,
    unit,
)

FORM = "/api/v1/applications/{id}/form.pdf"
TICKET = "/api/v1/applications/{id}/admission-ticket.pdf"


def fetch_pdf(client, url: str, capture_on_commit) -> bytes:
    """GET ``url`` until the PDF is there, running the renders it queues (202, then 200)."""
    for _attempt in range(3):
        with capture_on_commit(execute=True):
            response = client.get(url)
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf"
            return b"".join(response.streaming_content)
        assert response.status_code == 202, (response.status_code, response.content[:300])
        assert response["Retry-After"].isdigit()
    pytest.fail(f"{url} did not become ready")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1, "the document must fit one page"
    return reader.pages[0].extract_text()


def page_barcodes(data: bytes, tmp_path: Path) -> dict[str, str]:
    """The barcodes a scanner finds on the printed page, by format name: pdftoppm at 300 dpi, then zxing-cpp."""
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "-", str(prefix)], input=data, check=True)
    with Image.open(prefix.with_suffix(".png")) as image:
        results = zxingcpp.read_barcodes(image)
    return {result.format.name: result.text for result in results}


def _to_unicode(font) -> dict[str, int]:
    """The ToUnicode CMap of a CID font: each character to the glyph id the page draws it with."""
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    glyphs: dict[str, int] = {}
    for block in data.split("beginbfchar")[1:]:
        for line in block.split("endbfchar")[0].strip().splitlines():
            gid, text = line.strip().split()
            glyphs[bytes.fromhex(text[1:-1]).decode("utf-16-be")] = int(gid[1:-1], 16)
    for block in data.split("beginbfrange")[1:]:
        for line in block.split("endbfrange")[0].strip().splitlines():
            first, last, start = line.strip().split()[:3]
            base = bytes.fromhex(start[1:-1]).decode("utf-16-be")
            for offset in range(int(last[1:-1], 16) - int(first[1:-1], 16) + 1):
                glyphs[chr(ord(base) + offset)] = int(first[1:-1], 16) + offset
    return glyphs


def drawn_glyphs(data: bytes) -> dict[str, bool]:
    """For each character on the page: whether an embedded font draws it with a real outline (not a
    .notdef tofu box: glyph 0, or an id past the end of the font, or an empty glyph)."""
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    drawn: dict[str, bool] = {}
    for reference in fonts.values():
        font = reference.get_object() if isinstance(reference, IndirectObject) else reference
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object().get_data()
        ttfont = TTFont(io.BytesIO(program))
        order, outlines = ttfont.getGlyphOrder(), ttfont.getGlyphSet()
        for char, gid in _to_unicode(font).items():
            pen = BoundsPen(outlines)
            if 0 < gid < len(order):
                outlines[order[gid]].draw(pen)
            drawn[char] = drawn.get(char, False) or pen.bounds is not None
    return drawn


def pay(application_id: int) -> None:
    """Takes a submitted application to ``paid`` along the transition table (until payments land here)."""
    for action in (Action.CONFIRM, Action.APPROVE_SITE, Action.APPROVE_DISTRICT, Action.PAY):
        transition(application_id=application_id, action=action, actor=None, reason="test")


@pytest.fixture
def paid(complete, candidate, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application_id=complete["id"], actor=candidate)
        pay(complete["id"])
    return complete


@pytest.fixture
def other_api(other_candidate):  # noqa: F811
    return token_client(other_candidate)


@pytest.fixture
def staff_api(shanghai):  # noqa: F811
    user = User.objects.create_user(username="sh_district", password="x", role="district_reviewer", district=shanghai)
    return token_client(user)
