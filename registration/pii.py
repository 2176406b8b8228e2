"""Protection of ID numbers (PIPL): encryption at rest, a keyed hash for look-ups, masking."""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

from registration.identity import normalize_id_number


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_id_number(number: str) -> str:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).encrypt(number.encode()).decode()


def decrypt_id_number(ciphertext: str) -> str:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).decrypt(ciphertext.encode()).decode()


def id_number_digest(number: str) -> str:
    """A keyed hash of a normalised ID number: the same number always gives the same digest."""
    return hmac.new(settings.PII_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def typed_id_number_digest(text: str) -> str:
    """The digest an account stores for an ID number as someone typed it, whatever its spelling
    (``x`` or ``X``, surrounding blanks): how every search and import looks ID numbers up."""
    return id_number_digest(normalize_id_number(text))


def mask_id_number(number: str) -> str:
    """``310101199001011234`` → ``3101**********1234``; short numbers keep less in clear."""
    keep = 4 if len(number) >= 12 else 2
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def mask_mobile(mobile: str) -> str:
    """``13812341234`` → ``138****1234``."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else mobile
