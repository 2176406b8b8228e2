"""The password hasher: Argon2id at OWASP's parameters.

Django's own Argon2 hasher asks for 100 MiB and eight lanes per hash; OWASP's first recommendation
(19 MiB, 2 passes, 1 lane) keeps the hash memory-hard while a burst of logins from one hospital
fits in memory. Changing these numbers makes every stored hash upgrade at its owner's next login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's: hashes of either read with either, and differing parameters
    # are what ``must_update`` looks at.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
