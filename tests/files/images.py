"""Images for the upload tests, the application fixtures and the benchmark, made with Pillow.

Each maker returns the bytes a candidate's browser would send; none of them is read from disk.
"""

from __future__ import annotations

import functools
import io
import random
import zipfile

from PIL import Image, ImageDraw


def _encode(image: Image.Image, quality: int, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, "JPEG", quality=quality, **options)
    return output.getvalue()


def _textured(size: tuple[int, int], seed: int) -> Image.Image:
    """Seeded noise in three channels: it compresses like a real face or a scanned page, not like a
    flat fill, and the same seed gives the same bytes."""
    width, height = size
    generator = random.Random(seed)
    channels = []
    for index in range(3):
        base = 60 + 50 * index
        noise = Image.frombytes("L", size, generator.randbytes(width * height))
        channels.append(noise.point(lambda value, base=base: base + value // 3))
    return Image.merge("RGB", channels)


def _with_target_size(image: Image.Image, target_bytes: int, **options) -> bytes:
    """The highest JPEG quality whose file is no larger than the target (or the smallest there is)."""
    low, high = 5, 95
    best = _encode(image, low, **options)
    while low <= high:
        middle = (low + high) // 2
        data = _encode(image, middle, **options)
        if len(data) <= target_bytes:
            best, low = data, middle + 1
        else:
            high = middle - 1
    return best


@functools.cache
def photo_jpeg(
    *,
    width: int = 358,
    height: int = 501,
    target_bytes: int = 40 * 1024,
    background: tuple[int, int, int] = (255, 255, 255),
    seed: int = 1,
) -> bytes:
    """An ID photo: a plain background, a textured head and shoulders down to the bottom edge."""
    image = Image.new("RGB", (width, height), background)
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((width * 0.28, height * 0.15, width * 0.72, height * 0.62), fill=255)
    draw.ellipse((width * 0.05, height * 0.66, width * 0.95, height * 1.4), fill=255)
    image.paste(_textured((width, height), seed), (0, 0), mask)
    return _with_target_size(image, target_bytes)


@functools.cache
def material_jpeg(*, width: int = 700, height: int = 990, target_bytes: int = 60 * 1024, seed: int = 2) -> bytes:
    """A scanned page: texture everywhere, sized to the target."""
    image = Image.new("RGB", (width, height), (250, 250, 245))
    image.paste(_textured((width, height // 2), seed), (0, height // 4))
    return _with_target_size(image, target_bytes)


@functools.cache
def png_bytes(*, width: int = 120, height: int = 168) -> bytes:
    output = io.BytesIO()
    _textured((width, height), 3).save(output, "PNG")
    return output.getvalue()


def text_bytes(size: int = 30 * 1024) -> bytes:
    line = "这不是图片，只是一段文字。This is not an image.\n".encode()
    return (line * (size // len(line) + 1))[:size]


@functools.cache
def truncated_jpeg() -> bytes:
    data = photo_jpeg()
    return data[: len(data) * 2 // 3]


@functools.cache
def cmyk_jpeg(*, target_bytes: int = 40 * 1024) -> bytes:
    image = Image.open(io.BytesIO(photo_jpeg())).convert("CMYK")
    return _with_target_size(image, target_bytes)


@functools.cache
def polyglot_jpeg() -> bytes:
    """A valid photo with a zip archive behind its end marker: both a JPEG and a zip."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.sh", "#!/bin/sh\necho owned\n")
    return photo_jpeg(target_bytes=36 * 1024) + archive.getvalue()


@functools.cache
def bomb_jpeg(*, width: int = 30000, height: int = 30000, padding: int = 40 * 1024) -> bytes:
    """A single-colour JPEG whose frame header claims width×height pixels: a few kilobytes that would
    take gigabytes to decode. A comment segment of zeros brings it within the upload size bounds."""
    data = bytearray(_encode(Image.new("RGB", (64, 64), (200, 30, 30)), 90))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    data[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    comment = b""
    while padding > 0:
        chunk = min(padding, 65000)
        comment += b"\xff\xfe" + (chunk + 2).to_bytes(2, "big") + bytes(chunk)
        padding -= chunk
    return bytes(data[:2] + comment + data[2:])


# EXIF orientation 6: the camera held upright stored the picture turned a quarter to the left;
# a viewer turns it 90° clockwise to show it upright.
_SIDEWAYS = 6


def _sideways_camera_jpeg(upright: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = _SIDEWAYS
    exif[0x010F] = "wecan test camera"
    return _encode(upright.rotate(90, expand=True), 95, exif=exif.tobytes())


@functools.cache
def camera_photo_jpeg(*, width: int = 3024, height: int = 4032, seed: int = 5) -> bytes:
    """A phone camera's portrait ID photo, several MB, stored sideways with EXIF orientation 6:
    a light, grainy white wall above and beside a textured head and shoulders."""
    generator = random.Random(seed)
    wall = Image.frombytes("L", (width, height), generator.randbytes(width * height)).point(lambda v: 225 + v // 9)
    image = Image.merge("RGB", [wall, wall, wall])
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((width * 0.3, height * 0.2, width * 0.7, height * 0.6), fill=255)
    draw.ellipse((width * 0.08, height * 0.66, width * 0.92, height * 1.4), fill=255)
    image.paste(_textured((width, height), seed), (0, 0), mask)
    return _sideways_camera_jpeg(image)


@functools.cache
def camera_scan_jpeg(*, width: int = 3024, height: int = 4032, seed: int = 6) -> bytes:
    """A phone camera's picture of a certificate, several MB, stored sideways (EXIF orientation 6)."""
    image = Image.new("RGB", (width, height), (246, 244, 236))
    text = _textured((width * 3 // 4, height // 60), seed)
    for line in range(12, 48, 3):
        image.paste(text, (width // 8, line * height // 60))
    return _sideways_camera_jpeg(image)
