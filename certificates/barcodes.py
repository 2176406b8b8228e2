"""Code 128 barcodes for printed documents, drawn as inline SVG.

The symbol is encoded by Zint, the barcode library inside zxing-cpp (already a dependency: review
reads the same barcodes back from scans). Its SVG is one path of bars with the quiet zones the
standard asks for; we only make it scale to the box the template gives it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import zxingcpp
from django.utils.safestring import SafeString, mark_safe

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def code128_svg(text: str) -> SafeString:
    """An ``<svg>`` element of ``text`` in Code 128 that stretches to its CSS width and height."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    # Zint's own output, not a document from outside: no entities or external references to fear.
    root = ElementTree.fromstring(symbol.to_svg())  # noqa: S314
    width, height = root.attrib.pop("width"), root.attrib.pop("height")
    root.set("viewBox", f"0 0 {width} {height}")
    # Bars stretch with the box; the reader needs their proportions along the line, not across it.
    root.set("preserveAspectRatio", "none")
    for description in root.findall(f"{{{SVG_NAMESPACE}}}desc"):
        root.remove(description)
    ElementTree.register_namespace("", SVG_NAMESPACE)
    # Zint draws only bars and spaces: none of the text itself is in the markup.
    return mark_safe(ElementTree.tostring(root, encoding="unicode"))  # noqa: S308
