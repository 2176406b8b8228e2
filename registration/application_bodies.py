"""The candidate's application body, cached as JSON per (application, revision, language).

The application's ``revision`` is bumped by the database on every UPDATE of its row, so a change to
the row, its sections or its state can never be served stale. What the body shows from other tables
(catalogue names, the exam's dates, last year's results of history candidates) changes seldom and
only by staff: each such write bumps one generation, which retires every cached body at once.

Redis holds the cache in production (local memory in the embedded default). It shares its Redis with
the broker, which never evicts, so entries live only minutes: enough for the reads of a session.

On PostgreSQL the generation is a sequence (migration 0016), read by the same statement as the
application's owner and revision; a body read before is then also kept in the process's memory, so
reading it again costs that one statement and no cache round trip (a seventh of a read). Elsewhere
(SQLite, the embedded default, whose cache is the process's memory already) the cache keeps the
generation.

A body built anew takes its catalogue rows (city, site, registration point, specialty, unit, and
after a save its subjects) from each process's memory of them, which the same generation retires: a
few thousand rows that every body names again and again. The staff queue's page takes its rows from the same memory.

Its history subjects (last year's failed subjects of a history candidate, three queries to find,
and for nearly everyone an empty answer) are cached beside the body under the application and the
candidate's ID digest, with the generation: they outlive the revisions of a session of saves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import translation

from registration.models import City, District, RegistrationPoint, Site, Specialty, Subject, Unit, User
from registration.models.application import Application
from registration.selectors.applications import application_of_candidate_for_body, history_subject_defaults
from wecan.errors import NotFound
from wecan.sql import table_and_columns

BODY_TTL_SECONDS = 300
# What of the catalogue a body names.
_BODY_CATALOGUE_FIELDS = ("city", "site", "registration_point", "specialty", "unit")
# Where the generation is kept: a sequence on PostgreSQL (registration/migrations/0016), else this key.
_GENERATION_SEQUENCE = "registration_application_body_generation"
_GENERATION = "application-body:generation"

HistorySubjects = dict[str, list[str]]
# Renders a body from the application and its history subjects.
Render = Callable[[Application, HistorySubjects], bytes]


def _key(application_id: int, revision: int) -> str:
    return f"application-body:{application_id}:{revision}:{translation.get_language()}"


def _history_key(application_id: int, candidate: User) -> str:
    # The digest too: the candidate's own sittings are found under it.
    return f"application-history-subjects:{application_id}:{candidate.id_number_digest or ''}"


def application_body(*, candidate: User, application_id: int, render: Render) -> bytes:
    """The candidate's own application as ``render`` makes it, from the process's memory or the cache
    when it is current.

    One indexed query (ownership, revision and, on PostgreSQL, the generation), and when the body is
    not in the process's memory one cache round trip; ``NotFound`` for an application that is not the
    candidate's.
    """
    found = _own_revision_and_generation(application_id, candidate)
    if found is None:
        raise NotFound()
    revision, generation = found
    body_key = _key(application_id, revision)
    remembered = _bodies_remembered.get(body_key)
    if remembered is not None and remembered[0] == generation:
        return remembered[1]
    history_key = _history_key(application_id, candidate)
    cached = cache.get_many([body_key, history_key])
    entry = cached.get(body_key)
    if entry is not None and entry[0] == generation:
        _remember(body_key, entry)
        return entry[1]
    try:
        application = application_of_candidate_for_body(candidate=candidate, application_id=application_id)
    except Application.DoesNotExist:
        raise NotFound() from None
    return _rendered_and_cached(application, render=render, generation=generation, history=cached.get(history_key))


# The one query of every read: fixed statements, which the ORM would build again each time (two
# thirds of a millisecond, more than PostgreSQL takes to answer it).
_OWN_REVISION = "SELECT {2} FROM {0} WHERE {1} = %s AND {3} = %s".format(  # noqa: S608 - the model's own names
    *table_and_columns(Application, "id", "revision", "candidate")
)
_OWN_REVISION_AND_GENERATION = "SELECT {2}, (SELECT last_value FROM {4}) FROM {0} WHERE {1} = %s AND {3} = %s".format(  # noqa: S608 - our own names
    *table_and_columns(Application, "id", "revision", "candidate"), _GENERATION_SEQUENCE
)


def _generation_in_database(database: BaseDatabaseWrapper) -> bool:
    return database.vendor == "postgresql"


def _own_revision_and_generation(application_id: int, candidate: User) -> tuple[int, int] | None:
    """The revision of the candidate's application and the generation; ``None`` when it is not theirs."""
    in_database = _generation_in_database(connection)
    with connection.cursor() as cursor:
        cursor.execute(_OWN_REVISION_AND_GENERATION if in_database else _OWN_REVISION, [application_id, candidate.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return int(row[0]), int(row[1]) if in_database else _generation()


# Bodies read or built by this process, by cache key: (generation, body). Emptied when full, as the
# catalogue rows are; only where the generation is read with the revision (see the module's text).
_bodies_remembered: dict[str, tuple[int, bytes]] = {}
_BODIES_REMEMBERED = 2_000


def _remember(body_key: str, entry: tuple[int, bytes]) -> None:
    if not _generation_in_database(connection):
        return
    if len(_bodies_remembered) >= _BODIES_REMEMBERED:
        _bodies_remembered.clear()
    _bodies_remembered[body_key] = entry


def saved_application_body(*, application: Application, candidate: User, render: Render) -> bytes:
    """The body of the candidate's application as a write has just saved it, made from the row the
    write holds with its degree record (with the revision it read under the row's lock, so the body is
    that revision's even when another write follows), not read again; cached for the candidate's next
    GET. Its subjects are read by one fixed statement (with the generation, on PostgreSQL) and taken
    from memory."""
    application.candidate = candidate
    generation = _attach_chosen_subjects(application)
    history = cache.get(_history_key(application.pk, candidate))
    return _rendered_and_cached(application, render=render, generation=generation, history=history)


# The ids of an application's subjects: a fixed statement, where a prefetch would build its query of
# the join table each time (an eighth of a save); on PostgreSQL, with the generation.
_CHOSEN_SUBJECTS = "SELECT {1} FROM {0} WHERE {2} = %s".format(  # noqa: S608 - the model's own names
    *table_and_columns(Application.subjects.through, "subject", "application")
)
_CHOSEN_SUBJECTS_AND_GENERATION = f"SELECT ARRAY({_CHOSEN_SUBJECTS}), (SELECT last_value FROM {_GENERATION_SEQUENCE})"  # noqa: S608 - our own names


def _attach_chosen_subjects(application: Application) -> int:
    """Leaves ``application.subjects.all()`` answered from memory, in code order, as
    ``prefetch_related`` leaves it: the subject rows come from the catalogue's memory. Returns the
    generation."""
    with connection.cursor() as cursor:
        if _generation_in_database(connection):
            cursor.execute(_CHOSEN_SUBJECTS_AND_GENERATION, [application.pk])
            subject_ids, generation = cursor.fetchone()
        else:
            cursor.execute(_CHOSEN_SUBJECTS, [application.pk])
            subject_ids, generation = [subject_id for (subject_id,) in cursor.fetchall()], _generation()
    chosen = [_ChosenSubject(subject_id) for subject_id in subject_ids]
    _attach_catalogue_rows(chosen, fields=("subject",), generation=generation)
    subjects = application.subjects.all()
    # What prefetch_related_objects sets on the manager's queryset and the instance.
    subjects._result_cache = sorted((item.subject for item in chosen), key=lambda subject: subject.code)
    subjects._prefetch_done = True  # type: ignore[attr-defined]  # Django's own mark, not in its stubs
    prefetched = getattr(application, "_prefetched_objects_cache", {})
    application._prefetched_objects_cache = {**prefetched, "subjects": subjects}  # type: ignore[attr-defined]
    return int(generation)


class _ChosenSubject:
    """One row of the join table, to be given its subject from the catalogue's memory."""

    def __init__(self, subject_id: int) -> None:
        self.subject_id = subject_id
        self.subject: Subject


def _rendered_and_cached(
    application: Application, *, render: Render, generation: int, history: tuple[int, HistorySubjects] | None
) -> bytes:
    _attach_catalogue_rows([application], fields=_BODY_CATALOGUE_FIELDS, generation=generation)
    history_entry: dict[str, tuple[int, HistorySubjects]] = {}
    if history is None or history[0] != generation:
        history = (generation, history_subject_defaults(application=application))
        history_entry[_history_key(application.pk, application.candidate)] = history
    body = render(application, history[1])
    body_key = _key(application.pk, application.revision)
    _remember(body_key, (generation, body))
    if history_entry:
        cache.set_many({**history_entry, body_key: (generation, body)}, BODY_TTL_SECONDS)
    else:
        # Nearly always: one SET, where set_many sends a transaction of an MSET and an EXPIRE a key.
        cache.set(body_key, (generation, body), BODY_TTL_SECONDS)
    return body


_CATALOGUE_FIELDS: dict[str, type[Any]] = {
    "district": District,
    "city": City,
    "site": Site,
    "registration_point": RegistrationPoint,
    "specialty": Specialty,
    "unit": Unit,
    "subject": Subject,
}
# The rows in memory, (field, id) → row, and the generation they belong to.
_catalogue_rows: dict[tuple[str, int], Any] = {}
_catalogue_generation: list[int | None] = [None]
_CATALOGUE_ROWS_REMEMBERED = 20_000


def catalogue_rows_attached(applications: Sequence[Any], *, fields: Iterable[str]) -> None:
    """Sets the applications' catalogue rows named by ``fields`` (of district, city, site,
    registration point, specialty, unit and subject) from this process's memory, reading only those not yet in
    it, a query a field: the staff queue's page names the same few rows fifty times. Anything with
    the ``<field>_id`` attributes will do: applications, or the queue's rows of them."""
    _attach_catalogue_rows(applications, fields=fields, generation=_generation())


def _attach_catalogue_rows(applications: Sequence[Any], *, fields: Iterable[str], generation: int) -> None:
    if _catalogue_generation[0] != generation or len(_catalogue_rows) > _CATALOGUE_ROWS_REMEMBERED:
        _catalogue_rows.clear()
        _catalogue_generation[0] = generation
    for field in fields:
        keys = {key for application in applications if (key := getattr(application, f"{field}_id")) is not None}
        # Gathered here: another thread may empty the memory meanwhile.
        rows = {key: row for key in keys if (row := _catalogue_rows.get((field, key))) is not None}
        if missing := keys - rows.keys():
            read = _CATALOGUE_FIELDS[field].objects.in_bulk(missing)
            rows.update(read)
            _catalogue_rows.update({(field, key): row for key, row in read.items()})
        for application in applications:
            key = getattr(application, f"{field}_id")
            if key is not None:
                setattr(application, field, rows[key])


def application_bodies_outdated() -> None:
    """Retires every cached body (after a catalogue or history write): at once, and again when the
    transaction commits, so a body read in between, still without the write, is retired too."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _generation() -> int:
    # From the primary (``connection``), also for staff reads sent to a replica: a replica sees a
    # sequence move only in steps of 32 calls, as PostgreSQL logs it.
    if _generation_in_database(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value FROM {_GENERATION_SEQUENCE}")  # noqa: S608 - our own name
            return int(cursor.fetchone()[0])
    return int(cache.get(_GENERATION, 0))


def _next_generation() -> None:
    # Neither waits for a lock nor is undone by a rollback: a retirement too many costs a render.
    if _generation_in_database(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{_GENERATION_SEQUENCE}')")
        return
    cache.add(_GENERATION, 0, timeout=None)
    cache.incr(_GENERATION)
