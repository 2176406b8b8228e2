"""Certificate verification codes made to be typed from paper: ``K7QM-X2PD-9RWB``.

Eleven random characters and a check character, from 31 characters with no look-alikes (no 0/O,
1/I/L): an HR clerk may type them in any case, with or without the hyphens and spaces, and a
mistyped character or two swapped neighbours is caught by the check (ISO 7064 MOD 31-style
weighted sum: 31 is prime, so every single substitution and adjacent transposition changes it).
Codes issued before these (22 URL-safe characters, case-sensitive) keep working as they were.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_VALUES = {character: value for value, character in enumerate(ALPHABET)}
RANDOM_LENGTH = 11
LENGTH = RANDOM_LENGTH + 1
_SEPARATORS = re.compile(r"[\s\-]+")


def _check_character(body: str) -> str:
    total = sum((position + 2) * _VALUES[character] for position, character in enumerate(reversed(body)))
    return ALPHABET[-total % len(ALPHABET)]


def new_code() -> str:
    """A fresh code, stored and carried in URLs without hyphens (about 54 random bits)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_character(body)


def normalized(typed: str) -> str | None:
    """The stored form of a typed code, or ``None`` when it is not one (wrong length or characters,
    or a check character that does not match: a typing mistake)."""
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != LENGTH or any(character not in _VALUES for character in code):
        return None
    return code if _check_character(code[:-1]) == code[-1] else None


def looks_typed(typed: str) -> bool:
    """Whether ``typed`` has the shape of a new code (so a failed check means a typing mistake)."""
    code = _SEPARATORS.sub("", typed).upper()
    return len(code) == LENGTH and all(character in _VALUES for character in code)


def grouped(code: str) -> str:
    """``K7QMX2PD9RWB`` → ``K7QM-X2PD-9RWB`` for print; an old code is shown as it is."""
    if len(code) != LENGTH or any(character not in _VALUES for character in code):
        return code
    return "-".join(code[start : start + 4] for start in range(0, LENGTH, 4))
