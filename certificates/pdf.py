"""PDF rendering shared by the portal's documents: WeasyPrint, a CJK font given by file path, no network.

``render_pdf(template_name=..., context=...)`` renders a Django template to PDF bytes. Fonts come from
the files in ``CJK_FONT_FILES`` (installed by ``make``: ``fonts-wqy-zenhei``, ``fonts-noto-cjk``) and
are declared as ``@font-face`` families ``wecan-cjk`` and ``wecan-cjk-fallback``: a template writes
``font-family: wecan-cjk, wecan-cjk-fallback``. Every resource the document names is fetched by
``LocalFileFetcher``: ``data:`` URIs, and ``file:`` URIs inside the templates folder, the font
files and any folder the caller adds; anything else (``http:``, other files) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


@dataclass(frozen=True)
class FontFace:
    family: str
    paths: tuple[Path, ...]  # the first that exists is used


# WenQuanYi Zen Hei first: it renders faster and embeds smaller than Noto Sans CJK; Noto covers
# the rarer characters (and is the only one where a distribution lacks WenQuanYi).
CJK_FONT_FILES = (
    FontFace("wecan-cjk", (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)),
    FontFace(
        "wecan-cjk-fallback",
        (
            Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
        ),
    ),
)
FONT_FAMILY = "wecan-cjk, wecan-cjk-fallback"


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


def font_face_css() -> str:
    faces = [
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'
        for family, path in font_files().items()
    ]
    return "\n".join([*faces, f"html {{ font-family: {FONT_FAMILY}; }}"])


class LocalFileFetcher(URLFetcher):
    """Fetches ``data:`` URIs and local files under the allowed folders or files; refuses the rest."""

    def __init__(self, *, allowed: Iterable[Path]) -> None:
        # A refused resource stops the rendering instead of leaving a hole in the document.
        super().__init__(allowed_protocols={"data", "file"}, fail_on_errors=True)
        self._allowed = tuple(path.resolve() for path in allowed)

    def _permitted(self, path: Path) -> bool:
        return any(path == allowed or path.is_relative_to(allowed) for allowed in self._allowed)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file" or parts.netloc not in {"", "localhost"}:
            raise ValueError(f"Refused to fetch {url!r}: documents use local files only.")
        # resolve() follows symbolic links, so a link cannot lead outside the allowed folders.
        path = Path(unquote(parts.path)).resolve()
        if not self._permitted(path) or not path.is_file():
            raise ValueError(f"Refused to fetch {url!r}: not an allowed local file.")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


def render_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    stylesheets: Iterable[str] = (),
    allowed_paths: Iterable[Path] = (),
) -> bytes:
    """Renders ``template_name`` with ``context`` to PDF bytes.

    Relative URLs in the template resolve against the templates folder. ``stylesheets`` are extra CSS
    texts; ``allowed_paths`` are further folders or files the document may load (e.g. a photo).
    """
    html = render_to_string(template_name, dict(context))
    fonts = font_files()
    fetcher = LocalFileFetcher(allowed=[TEMPLATES_DIR, *fonts.values(), *allowed_paths])
    font_config = FontConfiguration()
    css = [CSS(string=text, font_config=font_config, url_fetcher=fetcher) for text in [font_face_css(), *stylesheets]]
    document = HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=css, font_config=font_config)
    if pdf is None:  # only when a target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def qr_svg_data_uri(text: str, *, scale: int = 4) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI (vector, so it prints sharp at any size)."""
    return str(segno.make_qr(text, error="m").svg_data_uri(scale=scale, border=2))
