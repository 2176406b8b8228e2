"""Barcodes for printed documents: Code 128 for the registration point's scanner, QR for phones.

The symbols are encoded by Zint, the barcode library inside zxing-cpp (already a dependency: review
reads the same barcodes back from scans). Each comes out as a PNG of one pixel per module, quiet
zones included, that the template scales to its box with ``image-rendering: pixelated``: every bar
keeps sharp edges at any printer resolution. Drawn so, a symbol costs a render a fraction of a
millisecond, where the same symbol as SVG paths costs WeasyPrint about 3 ms to parse and draw.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image


def _png(symbol: zxingcpp.Barcode) -> bytes:
    matrix = symbol.to_image(scale=1)
    height, width = matrix.shape
    # zxing-cpp's image is a buffer of grey bytes; its type stubs do not say so.
    pixels = memoryview(matrix).tobytes()  # type: ignore[arg-type]
    image = Image.frombytes("L", (width, height), pixels).convert("1")
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def code128_png(text: str) -> bytes:
    """``text`` in Code 128 as a PNG, one pixel per module."""
    return _png(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128))


def qr_png(text: str) -> bytes:
    """``text`` as a QR code (error correction M) as a PNG, one pixel per module."""
    return _png(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M"))
