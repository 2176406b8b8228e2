"""PDF rendering shared by the portal's documents: WeasyPrint, a CJK font given by file path, no network.

``render_pdf(template_name=..., context=...)`` renders a Django template to PDF bytes. Fonts come from
the files in ``CJK_FONT_FILES`` (installed by ``make``: ``fonts-wqy-zenhei``, ``fonts-noto-cjk``,
``fonts-hanazono``), declared as ``@font-face`` families ``wecan-cjk``, ``wecan-cjk-fallback`` and
``wecan-cjk-supplementary``, with a compact cut of
the first in front (``certificates.fonts``); the ``html`` element gets them all in that order, so a
template need not name a font. Every resource the document names is fetched by
``LocalFileFetcher``: ``data:`` URIs, and ``file:`` URIs inside the templates folder, the font
files and any folder the caller adds, and ``wecan-resource:<name>`` for bytes the caller hands over
(a photo read from private storage); anything else (``http:``, other files) is refused.

Speed (``bench/pdf.py`` measures it): the font configuration and the parsed stylesheets are kept
for the life of the process, because loading the two CJK font files (36 MB) into a fresh Fontconfig
configuration cost more than the rendering itself; the compact first font spares the subsetting of
the whole WenQuanYi collection in every document; the cyclic garbage collector waits while a
document is laid out, as its passes over the young box tree cost about a tenth of a render.
"""

from __future__ import annotations

import gc
import io
import mimetypes
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from certificates.fonts import common_font

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
MM_PER_INCH = 25.4
# A photo this small is embedded as uploaded (after the photo check re-encoded it without metadata).
PHOTO_PASS_BYTES = 48 * 1024


@dataclass(frozen=True)
class FontFace:
    family: str
    paths: tuple[Path, ...]  # the first that exists is used


# WenQuanYi Zen Hei first: it renders faster and embeds smaller than Noto Sans CJK (its TrueType
# glyphs subset to a compact file, where Noto's CFF keeps an entry for every glyph id up to the
# highest one used); Noto covers the rarer characters (𠮷) and is the only one where a
# distribution lacks WenQuanYi; Hanazono Mincho B covers the supplementary plane (CJK extensions
# B–F, 𪚥 𤳵), so every character a name may hold (``registration.identity.HAN_RANGES``) prints.
# A face is embedded only in the documents that use it.
CJK_FONT_FILES = (
    FontFace("wecan-cjk", (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)),
    FontFace(
        "wecan-cjk-fallback",
        (
            Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
        ),
    ),
    FontFace("wecan-cjk-supplementary", (Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),)),
)
COMMON_FAMILY = "wecan-cjk-common"


def font_files() -> dict[str, Path]:
    """The font file of each family that is installed; ``ImproperlyConfigured`` when none is."""
    found = {}
    for face in CJK_FONT_FILES:
        path = next((path for path in face.paths if path.is_file()), None)
        if path is not None:
            found[face.family] = path
    if not found:
        wanted = ", ".join(str(path) for face in CJK_FONT_FILES for path in face.paths)
        raise ImproperlyConfigured(f"No CJK font for PDFs: install fonts-wqy-zenhei or fonts-noto-cjk ({wanted}).")
    return found


@cache
def font_faces() -> tuple[tuple[str, Path], ...]:
    """The ``@font-face`` families in the order text looks for a glyph: the compact cut of
    ``wecan-cjk`` (when it can be made), then the installed files."""
    files = font_files()
    faces = list(files.items())
    primary = files.get(CJK_FONT_FILES[0].family)
    common = common_font(primary) if primary is not None else None
    if common is not None:
        faces.insert(0, (COMMON_FAMILY, common))
    return tuple(faces)


def font_face_css() -> str:
    faces = font_faces()
    rules = [f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}' for family, path in faces]
    families = ", ".join(family for family, _path in faces)
    return "\n".join([*rules, f"html {{ font-family: {families}; }}"])


RESOURCE_SCHEME = "wecan-resource"


def resource_url(name: str) -> str:
    """Where a template finds the bytes given to ``render_pdf`` as ``resources[name]``."""
    return f"{RESOURCE_SCHEME}:{name}"


class LocalFileFetcher(URLFetcher):
    """Fetches ``data:`` URIs, the caller's in-memory resources and local files under the allowed
    folders or files; refuses the rest."""

    def __init__(self, *, allowed: Iterable[Path], resources: Mapping[str, bytes] | None = None) -> None:
        # A refused resource stops the rendering instead of leaving a hole in the document.
        super().__init__(allowed_protocols={"data", "file", RESOURCE_SCHEME}, fail_on_errors=True)
        self._allowed = tuple(path.resolve() for path in allowed)
        self._resources = dict(resources or {})

    def _permitted(self, path: Path) -> bool:
        return any(path == allowed or path.is_relative_to(allowed) for allowed in self._allowed)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == RESOURCE_SCHEME:
            name = unquote(parts.path)
            if name not in self._resources:
                raise ValueError(f"Refused to fetch {url!r}: no such resource.")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, self._resources[name], headers={"Content-Type": content_type})
        if scheme != "file" or parts.netloc not in {"", "localhost"}:
            raise ValueError(f"Refused to fetch {url!r}: documents use local files only.")
        # resolve() follows symbolic links, so a link cannot lead outside the allowed folders.
        path = Path(unquote(parts.path)).resolve()
        if not self._permitted(path) or not path.is_file():
            raise ValueError(f"Refused to fetch {url!r}: not an allowed local file.")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


@dataclass(frozen=True)
class _Fonts:
    config: FontConfiguration
    faces: CSS
    files: tuple[Path, ...]


@cache
def _fonts(faces: tuple[tuple[str, Path], ...]) -> _Fonts:
    """The process's one font configuration, with the CJK faces loaded into it once."""
    paths = tuple(path for _family, path in faces)
    config = FontConfiguration()
    fetcher = LocalFileFetcher(allowed=paths)
    return _Fonts(
        config=config, faces=CSS(string=font_face_css(), font_config=config, url_fetcher=fetcher), files=paths
    )


@lru_cache(maxsize=32)
def _stylesheet(text: str, fonts: _Fonts) -> CSS:
    return CSS(string=text, font_config=fonts.config, url_fetcher=LocalFileFetcher(allowed=[TEMPLATES_DIR]))


# Pango's font map is not safe to share between threads; a worker renders one document at a time anyway.
_render_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    stylesheets: Iterable[str] = (),
    allowed_paths: Iterable[Path] = (),
    resources: Mapping[str, bytes] | None = None,
) -> bytes:
    """Renders ``template_name`` with ``context`` to PDF bytes.

    Relative URLs in the template resolve against the templates folder. ``stylesheets`` are extra CSS
    texts, parsed once per process (keep them constant; put what varies in the template);
    ``allowed_paths`` are further folders or files the document may load; ``resources`` are bytes
    the template names by ``resource_url(name)`` — cheaper than a ``data:`` URI, which the HTML
    parser would read character by character.
    """
    html = render_to_string(template_name, dict(context))
    fonts = _fonts(font_faces())
    fetcher = LocalFileFetcher(allowed=[TEMPLATES_DIR, *fonts.files, *allowed_paths], resources=resources)
    with _render_lock:
        css = [fonts.faces, *(_stylesheet(text, fonts) for text in stylesheets)]
        document = HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher)
        with _collector_paused():
            pdf = document.write_pdf(stylesheets=css, font_config=fonts.config)
    if pdf is None:  # only when a target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def qr_svg_data_uri(text: str, *, scale: int = 4) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI (vector, so it prints sharp at any size)."""
    return str(segno.make_qr(text, error="m").svg_data_uri(scale=scale, border=2))


def print_photo(data: bytes, *, width_mm: float, height_mm: float, dpi: int = 300) -> bytes:
    """A JPEG scaled down to ``width_mm`` × ``height_mm`` at ``dpi`` when it is large.

    An accepted photo may be up to the exam's byte bound (200 KB): scaled to what the printer can
    show, it costs the PDF a fraction of that. A photo of ``PHOTO_PASS_BYTES`` or less is returned
    as it is: no second loss of quality, no time spent.
    """
    if len(data) <= PHOTO_PASS_BYTES:
        return data
    box = (round(width_mm / MM_PER_INCH * dpi), round(height_mm / MM_PER_INCH * dpi))
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", box)  # a JPEG decodes at 1/2, 1/4 or 1/8 scale directly when that suffices
        scaled = image.convert("RGB")
    scaled.thumbnail(box, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    scaled.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()
