"""The API's JSON parser: text must be valid Unicode before anything reads it.

JSON can carry a lone surrogate (``"\\ud800"``), which Python keeps in a ``str`` but no database
encoding can store: left in, it fails deep in a query as a 500. It is refused here, for every
endpoint, as a 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ValidationError


def _readable(text: str) -> str:
    # The name goes back in the error body, which must itself be valid UTF-8.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _invalid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) in ``value`` that is not valid Unicode."""
    if isinstance(value, str):
        return (path or "non_field_errors") if _invalid_text(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{_readable(str(key))}" if path else _readable(str(key))
            if isinstance(key, str) and _invalid_text(key):
                return name
            found = lone_surrogate_path(item, name)
            if found:
                return found
    elif isinstance(value, list):
        # An item of a list is reported as the list's field, as the forms report a list.
        for item in value:
            found = lone_surrogate_path(item, path)
            if found:
                return found
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        path = lone_surrogate_path(data)
        if path:
            # DRF's error, not ours: wecan.errors imports DRF's views, which load the parsers.
            raise ValidationError({path: [_("含有无法识别的字符，请重新填写。")]})
        return data
