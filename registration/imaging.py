"""Checks of uploaded images, by content only: no database, no storage, no trust in names or types.

``check_photo`` and ``check_material`` take the uploaded bytes and the rules of the exam and return
a ``Verdict``: accepted (with the image turned upright and re-encoded without any metadata, and a
material's thumbnail) or rejected with a stable code and a reason in Chinese. Nothing here raises
on hostile input.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _
from PIL import Image, ImageChops, ImageOps, JpegImagePlugin, UnidentifiedImageError

_SOI = b"\xff\xd8\xff"
# Start-of-frame markers (SOF0–SOF15 but DHT, JPG and DAC), where the frame's size is given.
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_SOS, _EOI = 0xDA, 0xD9
# Markers without a length field: TEM and the restart markers.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})

# A pixel counts as background when even its darkest channel is this light (white or near-white).
_WHITE_MIN_CHANNEL = 200
_WHITE_SHARE = 0.9
_THUMBNAIL_SIZE = (240, 240)
_THUMBNAIL_QUALITY = 80
# A turned image has new pixels, so the original's tables cannot be kept: a quality that loses
# nothing a reviewer would notice.
_TURNED_QUALITY = 92
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageRules:
    """What an upload must be: byte bounds, pixel bounds, proportions, colour modes, background."""

    min_bytes: int
    max_bytes: int
    max_pixels: int
    min_width: int = 1
    min_height: int = 1
    # Width:height and how far from it the image may be, as a share of the ratio.
    proportions: Fraction | None = None
    proportions_tolerance: float = 0.06
    modes: frozenset[str] = frozenset({"RGB"})
    white_background: bool = False


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    code: str = ""
    reason: str = ""
    width: int | None = None
    height: int | None = None
    # Accepted: the image upright and re-encoded without metadata (what is stored and served).
    output: bytes = b""
    # Accepted material: its preview, as clean as the image.
    thumbnail: bytes = b""


class _Rejected(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _kb(size: int) -> str:
    return f"{size / 1024:.0f}"


def _corrupt() -> _Rejected:
    return _Rejected("corrupt", _("图片文件不完整或已损坏，请重新导出JPG图片后上传。"))


def _not_jpeg() -> _Rejected:
    return _Rejected("not_jpeg", _("文件不是JPG格式的图片（按文件内容判断，与文件名无关）。"))


def _too_many_pixels(width: int, height: int) -> _Rejected:
    return _Rejected(
        "too_many_pixels", _("图片像素过大（%(width)s×%(height)s），无法处理。") % {"width": width, "height": height}
    )


def jpeg_frame(data: bytes) -> tuple[int, int, int]:
    """Walks the JPEG's segments and scans to its end; returns (width, height, components).

    Refuses what is not JPEG, what stops before its end marker (truncated), and anything after the
    end marker but zero padding (a JPEG with a zip or script behind it).
    """
    if not data.startswith(_SOI):
        raise _not_jpeg()
    size = len(data)
    position = 2
    frame: tuple[int, int, int] | None = None
    while True:
        if position >= size or data[position] != 0xFF:
            raise _corrupt()
        while position < size and data[position] == 0xFF:
            position += 1
        if position >= size:
            raise _corrupt()
        marker = data[position]
        position += 1
        if marker == _EOI:
            break
        if marker in _STANDALONE:
            continue
        if position + 2 > size:
            raise _corrupt()
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2 or position + length > size:
            raise _corrupt()
        if marker in _SOF_MARKERS:
            if length < 8 or frame is not None:
                raise _corrupt()
            height = int.from_bytes(data[position + 3 : position + 5], "big")
            width = int.from_bytes(data[position + 5 : position + 7], "big")
            frame = (width, height, data[position + 7])
        position += length
        if marker == _SOS:
            if frame is None:
                raise _corrupt()
            # Entropy-coded data runs to the next marker; 0xFF00 is an escaped byte, RSTn a restart.
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    raise _corrupt()
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position += 2
                elif following == 0xFF:
                    position += 1
                else:
                    break
    if frame is None:
        raise _corrupt()
    if data[position:].strip(b"\x00"):
        raise _Rejected("trailing_data", _("图片数据之后附带了其他内容，请重新导出JPG图片后上传。"))
    return frame


def _open(data: bytes, rules: ImageRules) -> Image.Image:
    """The decoded image, after every check that needs no pixels and a full decode."""
    if not rules.min_bytes <= len(data) <= rules.max_bytes:
        raise _Rejected(
            "file_size",
            _("文件大小为%(size)sKB，应在%(min)sKB至%(max)sKB之间。")
            % {"size": _kb(len(data)), "min": _kb(rules.min_bytes), "max": _kb(rules.max_bytes)},
        )
    width, height, components = jpeg_frame(data)
    # Refused before any pixel memory is taken: the frame header alone gives the size.
    if width * height > rules.max_pixels:
        raise _too_many_pixels(width, height)
    if components == 4:
        raise _Rejected("colour_mode", _("图片为CMYK印刷色彩模式，请转换为RGB彩色后上传。"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["JPEG"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(width, height) from None
    except UnidentifiedImageError:
        raise _not_jpeg() from None
    except (OSError, SyntaxError, ValueError):
        raise _corrupt() from None
    if image.mode not in rules.modes:
        if "RGB" in rules.modes and "L" not in rules.modes:
            raise _Rejected("colour_mode", _("照片须为RGB彩色图片。"))
        raise _Rejected("colour_mode", _("图片须为RGB彩色或灰度图片。"))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise _corrupt() from None
    return image


def _check_dimensions(image: Image.Image, rules: ImageRules) -> None:
    width, height = image.size
    if width < rules.min_width or height < rules.min_height:
        raise _Rejected(
            "dimensions",
            _("图片尺寸为%(width)s×%(height)s像素，宽至少%(min_width)s像素、高至少%(min_height)s像素。")
            % {"width": width, "height": height, "min_width": rules.min_width, "min_height": rules.min_height},
        )
    if rules.proportions is not None:
        ratio = Fraction(width, height)
        if abs(ratio / rules.proportions - 1) > rules.proportions_tolerance:
            raise _Rejected(
                "proportions",
                _("图片宽高比例应为%(ratio)s（允许误差%(tolerance)s%%），当前为%(width)s×%(height)s像素。")
                % {
                    "ratio": f"{rules.proportions.numerator}:{rules.proportions.denominator}",
                    "tolerance": round(rules.proportions_tolerance * 100),
                    "width": width,
                    "height": height,
                },
            )


def _background_is_white(image: Image.Image) -> bool:
    """Samples the top edge and the upper sides, where an ID photo shows background, not shoulders."""
    width, height = image.size
    band = max(2, min(width, height) // 30)
    side_bottom = height * 3 // 5
    boxes = [(0, 0, width, band), (0, band, band, side_bottom), (width - band, band, width, side_bottom)]
    sampled = light = 0
    for box in boxes:
        red, green, blue = image.crop(box).split()
        histogram = ImageChops.darker(ImageChops.darker(red, green), blue).histogram()
        sampled += sum(histogram)
        light += sum(histogram[_WHITE_MIN_CHANNEL:])
    return light >= sampled * _WHITE_SHARE


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says (as browsers and phones show it), or the image
    itself when it is upright already."""
    try:
        if image.getexif().get(_EXIF_ORIENTATION, 1) not in range(2, 9):
            return image
        turned = ImageOps.exif_transpose(image)
    # Damaged EXIF is the candidate's camera's business, not a reason to refuse the upload.
    except Exception:
        return image
    return turned if turned is not None else image


def _clean_jpeg(image: Image.Image, *, quality: int | None = None) -> bytes:
    """The pixels alone as a JPEG: no EXIF (GPS, camera), comment, XMP or ICC profile survives."""
    # Pillow would carry over what it read (comment, XMP, EXIF): nothing read is written.
    image.info = {}
    output = io.BytesIO()
    if quality is None and isinstance(image, JpegImagePlugin.JpegImageFile):
        # Not turned: the original's quantisation tables and subsampling, no second loss of quality.
        image.save(output, "JPEG", quality="keep", subsampling="keep")
    else:
        image.save(output, "JPEG", quality=quality or _TURNED_QUALITY)
    return output.getvalue()


def check_photo(data: bytes, rules: ImageRules) -> Verdict:
    """The exam photo: JPEG, within bounds, RGB, white background, measured upright (a phone's
    portrait stored sideways is turned first); re-encoded upright without metadata."""
    try:
        image = _upright(_open(data, rules))
        _check_dimensions(image, rules)
        if rules.white_background and not _background_is_white(image):
            raise _Rejected("background", _("照片背景应为白色或接近白色。"))
        output = _clean_jpeg(image)
    except _Rejected as rejected:
        return Verdict(accepted=False, code=rejected.code, reason=rejected.reason)
    return Verdict(accepted=True, width=image.width, height=image.height, output=output)


def check_material(data: bytes, rules: ImageRules) -> Verdict:
    """A proof material: JPEG within bounds; accepted upright and re-encoded without metadata (a
    scan's GPS position, camera and comments are not the reviewers' business), with a thumbnail."""
    try:
        image = _upright(_open(data, rules))
        _check_dimensions(image, rules)
        thumbnail = image.copy()
        thumbnail.thumbnail(_THUMBNAIL_SIZE)
        preview = _clean_jpeg(thumbnail, quality=_THUMBNAIL_QUALITY)
        output = _clean_jpeg(image)
    except _Rejected as rejected:
        return Verdict(accepted=False, code=rejected.code, reason=rejected.reason)
    return Verdict(accepted=True, width=image.width, height=image.height, output=output, thumbnail=preview)
