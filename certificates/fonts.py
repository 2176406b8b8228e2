"""A compact first font for the PDFs: WenQuanYi Zen Hei cut down to the characters of everyday text.

WeasyPrint embeds a subset of every font a document uses, keeping the glyph ids of the original;
doing that from the 16 MB WenQuanYi collection costs about 8 ms a document. The same glyphs for
GB 2312 (the 6,763 common hanzi and its symbols), ASCII, Latin-1 and the punctuation blocks, in a font
of their own with ids from 1, subset in a fraction of that and embed no larger. Characters it lacks
(䶮, 𠮷) fall through to the full fonts behind it.

The font is made once per machine from the installed one by fontTools (about 2 s) and kept in a
cache folder under a name that changes with the source file and ``VERSION``: a cache, not state —
deleting it only costs the next render the 2 s.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools import subset
from fontTools.ttLib import TTFont

logger = logging.getLogger(__name__)

# Change it when the character set or the options change, so older files are not used.
VERSION = 1
# Beyond GB 2312: ASCII and Latin-1, general punctuation (· — … “ ”), enclosed numbers (①②③),
# CJK symbols and punctuation (、。《》), and the full-width forms (，：（）).
EXTRA_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2460, 0x24FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def common_characters() -> set[int]:
    """Every character of GB 2312 (by decoding each of its two-byte codes) and ``EXTRA_RANGES``."""
    characters = {code for first, last in EXTRA_RANGES for code in range(first, last + 1)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return characters


def _cache_dir() -> Path:
    configured = getattr(settings, "PDF_FONT_CACHE_DIR", "")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "wecan-pdf-fonts"


def _build(source: Path, target: Path) -> None:
    font = TTFont(source, fontNumber=0)
    options = subset.Options()
    options.hinting = False  # WeasyPrint embeds fonts without hinting anyway
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += ["BDF ", "FFTM"]  # bitmap strikes and a build stamp: not used in a PDF
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=common_characters())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a process that finds the file finds it whole.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    font.save(partial)
    os.replace(partial, target)


@cache
def common_font(source: Path) -> Path | None:
    """The compact font made from ``source`` (made now if the cache lacks it), or ``None`` when it
    cannot be made: the documents then use the full fonts, only a little slower."""
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{VERSION}".encode()).hexdigest()[:16]
    target = _cache_dir() / f"wecan-cjk-common-{key}.ttf"
    if not target.is_file():
        try:
            _build(source, target)
        except OSError:
            logger.exception("could not write the compact PDF font to %s; using the full fonts", target)
            return None
    return target
