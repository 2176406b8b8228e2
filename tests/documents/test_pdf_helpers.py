"""The shared PDF helper's additions for documents: in-memory resources, print-sized photos, the
compact first font."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from certificates.barcodes import code128_png, qr_png
from certificates.fonts import common_characters
from certificates.pdf import (
    PHOTO_PASS_BYTES,
    TEMPLATES_DIR,
    LocalFileFetcher,
    font_faces,
    print_photo,
    resource_url,
)
from tests.files.images import photo_jpeg


def test_resources_handed_over_are_fetched_by_name_and_nothing_else():
    fetcher = LocalFileFetcher(allowed=[TEMPLATES_DIR], resources={"photo.jpg": b"jpeg bytes"})
    response = fetcher.fetch(resource_url("photo.jpg"))
    assert response.read() == b"jpeg bytes"
    assert response.content_type == "image/jpeg"
    with pytest.raises(ValueError, match="no such resource"):
        fetcher.fetch(resource_url("../photo.jpg"))
    with pytest.raises(ValueError, match="no such resource"):
        LocalFileFetcher(allowed=[TEMPLATES_DIR]).fetch(resource_url("photo.jpg"))


def test_a_small_photo_is_embedded_as_it_is():
    data = photo_jpeg(target_bytes=30 * 1024)
    assert len(data) <= PHOTO_PASS_BYTES
    assert print_photo(data, width_mm=24, height_mm=33.6) is data


def test_a_large_photo_is_scaled_to_its_printed_size():
    data = photo_jpeg(width=1074, height=1503, target_bytes=190 * 1024)
    assert len(data) > PHOTO_PASS_BYTES
    printed = print_photo(data, width_mm=24, height_mm=33.6)
    with Image.open(io.BytesIO(printed)) as image:
        assert image.format == "JPEG"
        assert image.width <= 284 and image.height <= 397  # 24 × 33.6 mm at 300 dpi
    assert len(printed) < len(data) / 2


def test_the_compact_font_comes_first_and_covers_everyday_text_only():
    families = [family for family, _path in font_faces()]
    # The supplementary-plane face last: only the rare ideographs of CJK extensions B–F reach it.
    assert families == ["wecan-cjk-common", "wecan-cjk", "wecan-cjk-fallback", "wecan-cjk-supplementary"]
    common = TTFont(dict(font_faces())["wecan-cjk-common"]).getBestCmap()
    wanted = common_characters()
    assert len(wanted) > 6763  # every GB 2312 hanzi, and more
    assert {ord(char) for char in "卫生专业技术资格考试报名申请表网报号验证码①②③·（）：0123456789"} <= set(common)
    # A rare character is left to the full fonts behind it.
    assert ord("䶮") not in common


@pytest.mark.parametrize(("make", "text"), [(code128_png, "12345678-1234567"), (qr_png, "202612345678")])
def test_the_code_images_are_one_pixel_per_module_black_on_white(make, text):
    import zxingcpp

    with Image.open(io.BytesIO(make(text))) as image:
        assert image.format == "PNG" and image.mode == "1"
        assert zxingcpp.read_barcode(image.convert("L").resize((image.width * 4, image.height * 4))).text == text
