"""The pure image checks, file by file: what is accepted, and each hostile file refused with its reason."""

import io
import zlib
from fractions import Fraction

import pytest
from PIL import Image

from registration.imaging import ImageRules, check_material, check_photo
from tests.files import images

PHOTO = ImageRules(
    min_bytes=20 * 1024,
    max_bytes=200 * 1024,
    max_pixels=25_000_000,
    min_width=295,
    min_height=413,
    proportions=Fraction(5, 7),
    white_background=True,
)
MATERIAL = ImageRules(min_bytes=10 * 1024, max_bytes=150 * 1024, max_pixels=25_000_000, modes=frozenset({"RGB", "L"}))


def test_a_good_photo_is_accepted_and_re_encoded_without_its_metadata():
    source = Image.open(io.BytesIO(images.photo_jpeg()))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N"}  # a GPS block
    with_metadata = io.BytesIO()
    source.save(
        with_metadata,
        "JPEG",
        quality="keep",
        exif=exif.tobytes(),
        comment=b"secret note",
        xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>",
        icc_profile=b"secret icc profile",
    )
    data = with_metadata.getvalue()
    secrets = [b"Camera maker", b"secret note", b"secret xmp", b"secret icc"]
    assert all(secret in data for secret in secrets)

    verdict = check_photo(data, PHOTO)

    assert verdict.accepted, verdict.reason
    assert (verdict.width, verdict.height) == (358, 501)
    assert not [secret for secret in secrets if secret in verdict.output]
    result = Image.open(io.BytesIO(verdict.output))
    assert result.format == "JPEG" and result.size == (358, 501) and not result.getexif()


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        pytest.param(images.png_bytes(width=200, height=280), "not_jpeg", "不是JPG格式", id="png"),
        pytest.param(images.text_bytes(), "not_jpeg", "不是JPG格式", id="text"),
        pytest.param(images.truncated_jpeg(), "corrupt", "不完整或已损坏", id="truncated"),
        pytest.param(images.cmyk_jpeg(), "colour_mode", "CMYK", id="cmyk"),
        pytest.param(images.bomb_jpeg(), "too_many_pixels", "30000×30000", id="bomb"),
        pytest.param(images.photo_jpeg(width=600, height=300), "dimensions", "600×300", id="600x300"),
        pytest.param(images.polyglot_jpeg(), "trailing_data", "附带了其他内容", id="polyglot"),
        pytest.param(images.photo_jpeg(target_bytes=12 * 1024), "file_size", "20KB至200KB", id="too-small"),
        pytest.param(images.photo_jpeg(background=(67, 142, 219)), "background", "白色", id="blue-background"),
        pytest.param(images.photo_jpeg(width=413, height=413), "proportions", "5:7", id="square"),
    ],
)
def test_a_hostile_or_unfit_photo_is_rejected_with_a_reason(data, code, words):
    verdict = check_photo(data, PHOTO)
    assert not verdict.accepted
    assert verdict.code == code
    assert words in verdict.reason
    assert verdict.output == b""


def test_the_bomb_claims_900_megapixels_in_a_file_that_compresses_to_almost_nothing():
    data = images.bomb_jpeg()
    assert len(data) < 64 * 1024 and len(zlib.compress(data)) < 2 * 1024
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))


def test_pillows_own_bomb_guard_refuses_what_the_pixel_cap_lets_through():
    # With no cap of ours, Pillow's DecompressionBombError is what stops the 900-megapixel frame.
    verdict = check_material(images.bomb_jpeg(), ImageRules(min_bytes=1, max_bytes=10**7, max_pixels=10**12))
    assert not verdict.accepted and verdict.code == "too_many_pixels"


def test_a_grey_material_is_refused_by_the_pixel_cap_from_its_header():
    data = images.bomb_jpeg(width=6000, height=6000)
    verdict = check_material(data, MATERIAL)
    assert verdict.code == "too_many_pixels" and "6000×6000" in verdict.reason


def test_proportions_within_six_percent_of_five_to_seven_pass():
    # 5:7 is 0.714; 330×413 is 0.799 (12 % off), 310×413 is 0.751 (5 % off).
    assert check_photo(images.photo_jpeg(width=310, height=413, target_bytes=30 * 1024), PHOTO).accepted
    assert check_photo(images.photo_jpeg(width=330, height=413, target_bytes=30 * 1024), PHOTO).code == "proportions"


def test_a_grey_photo_is_refused_but_a_grey_material_is_accepted():
    grey = io.BytesIO()
    Image.open(io.BytesIO(images.photo_jpeg())).convert("L").save(grey, "JPEG", quality=95)
    assert check_photo(grey.getvalue(), PHOTO).code == "colour_mode"
    material = io.BytesIO()
    Image.open(io.BytesIO(images.material_jpeg())).convert("L").save(material, "JPEG", quality=90)
    assert check_material(material.getvalue(), MATERIAL).accepted


def test_a_material_is_accepted_re_encoded_with_a_thumbnail():
    verdict = check_material(images.material_jpeg(), MATERIAL)
    assert verdict.accepted
    assert Image.open(io.BytesIO(verdict.output)).size == (700, 990)
    thumbnail = Image.open(io.BytesIO(verdict.thumbnail))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) == 240


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(images.material_jpeg(width=200, height=280, target_bytes=5 * 1024), "file_size", id="5KB"),
        pytest.param(images.material_jpeg(width=1400, height=1980, target_bytes=400 * 1024), "file_size", id="400KB"),
        pytest.param(images.cmyk_jpeg(), "colour_mode", id="cmyk"),
        pytest.param(images.polyglot_jpeg(), "trailing_data", id="polyglot"),
    ],
)
def test_a_material_outside_the_rules_is_rejected(data, code):
    verdict = check_material(data, MATERIAL)
    assert not verdict.accepted and verdict.code == code and verdict.reason


def test_a_progressive_jpeg_with_restart_markers_is_walked_to_its_end():
    image = Image.open(io.BytesIO(images.photo_jpeg()))
    progressive = io.BytesIO()
    image.save(progressive, "JPEG", quality=90, progressive=True)
    restarts = io.BytesIO()
    image.save(restarts, "JPEG", quality=90, restart_marker_blocks=4)
    assert check_photo(progressive.getvalue(), PHOTO).accepted
    assert check_photo(restarts.getvalue(), PHOTO).accepted


@pytest.mark.parametrize("cut", [2, 3, 10, 200, -3, -1])
def test_a_jpeg_cut_anywhere_is_rejected_never_raises(cut):
    data = images.photo_jpeg()
    verdict = check_photo(data[:cut], ImageRules(min_bytes=0, max_bytes=10**6, max_pixels=10**8))
    assert not verdict.accepted and verdict.code in {"corrupt", "not_jpeg"}
