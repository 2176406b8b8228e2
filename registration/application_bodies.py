"""The candidate's application body, cached as JSON per (application, revision, language).

The application's ``revision`` is bumped by the database on every UPDATE of its row, so a change to
the row, its sections or its state can never be served stale. What the body shows from other tables
(catalogue names, the exam's dates, last year's results of history candidates) changes seldom and
only by staff: each such write bumps one generation, which retires every cached body at once.

Redis holds the cache in production (local memory in the embedded default). It shares its Redis with
the broker, which never evicts, so entries live only minutes: enough for the reads of a session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from registration.models import User
from registration.models.application import Application
from registration.selectors.applications import application_of_candidate
from wecan.errors import NotFound

BODY_TTL_SECONDS = 300
_GENERATION = "application-body:generation"


def _key(application_id: int, revision: int) -> str:
    return f"application-body:{application_id}:{revision}:{translation.get_language()}"


def application_body(*, candidate: User, application_id: int, render: Callable[[Application], bytes]) -> bytes:
    """The candidate's own application as ``render`` makes it, from the cache when it is current.

    One indexed query (ownership and revision) and one cache round trip when cached; ``NotFound`` for
    an application that is not the candidate's.
    """
    revision = (
        Application.objects.filter(pk=application_id, candidate=candidate).values_list("revision", flat=True).first()
    )
    if revision is None:
        raise NotFound()
    found = cache.get_many([_key(application_id, revision), _GENERATION])
    generation = found.get(_GENERATION, 0)
    entry = found.get(_key(application_id, revision))
    if entry is not None and entry[0] == generation:
        return entry[1]
    try:
        application = application_of_candidate(candidate=candidate, application_id=application_id)
    except Application.DoesNotExist:
        raise NotFound() from None
    body = render(application)
    cache.set(_key(application_id, application.revision), (generation, body), BODY_TTL_SECONDS)
    return body


def application_bodies_outdated() -> None:
    """Retires every cached body (after a catalogue or history write): at once, and again when the
    transaction commits, so a body read in between, still without the write, is retired too."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    cache.add(_GENERATION, 0, timeout=None)
    cache.incr(_GENERATION)
