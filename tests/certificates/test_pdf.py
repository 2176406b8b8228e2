"""The shared PDF helper: a CJK font given by path, and a fetcher that reads only allowed local files."""

from __future__ import annotations

from pathlib import Path

import pytest

from certificates.pdf import TEMPLATES_DIR, LocalFileFetcher, font_files, qr_svg_data_uri


@pytest.fixture
def fetcher(tmp_path) -> LocalFileFetcher:
    return LocalFileFetcher(allowed=[TEMPLATES_DIR, tmp_path / "allowed"])


def test_a_cjk_font_file_is_configured_by_path():
    files = font_files()
    assert files and all(path.is_file() for path in files.values())


def test_data_uris_and_files_in_allowed_folders_are_read(fetcher, tmp_path):
    (tmp_path / "allowed").mkdir()
    (tmp_path / "allowed" / "photo.jpg").write_bytes(b"jpeg")
    assert fetcher.fetch((tmp_path / "allowed" / "photo.jpg").as_uri()).read() == b"jpeg"
    assert fetcher.fetch(qr_svg_data_uri("https://example.cn/v/1")).read().startswith(b"<svg")
    assert fetcher.fetch((TEMPLATES_DIR / "base.html").as_uri()).read()


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/x.png", "https://example.cn/font.ttf", "ftp://x/y"])
def test_network_urls_are_refused(fetcher, url):
    with pytest.raises(ValueError, match="local files only"):
        fetcher.fetch(url)


def test_files_outside_the_allowed_folders_are_refused_even_through_a_link(fetcher, tmp_path):
    (tmp_path / "allowed").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    (tmp_path / "allowed" / "link.txt").symlink_to(secret)
    for path in [
        Path("/etc/passwd"),
        secret,
        tmp_path / "allowed" / "link.txt",
        tmp_path / "allowed" / ".." / "secret.txt",
    ]:
        with pytest.raises(ValueError, match="not an allowed local file"):
            fetcher.fetch(path.as_uri() if path.is_absolute() else str(path))
