"""The project's settings with Django's default PBKDF2 first: the login bench's "before the change"."""

from wecan.settings import *  # noqa: F403
from wecan.settings import PASSWORD_HASHERS as _AFTER

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    *[hasher for hasher in _AFTER if not hasher.endswith(".PBKDF2PasswordHasher")],
]
