"""The application body is cached per (application, revision, language); no write can leave it stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from registration import application_bodies
from registration.apis.applications import ApplicationSerializer, _rendered
from registration.application_bodies import application_bodies_outdated
from registration.models import Application, HistoryRecord, Site, Subject
from registration.models.application import ApplicationStatus, PhotoStatus
from registration.pii import decrypt_id_number, id_number_digest
from registration.services.applications import application_save_section
from tests.applications.conftest import token_client


def revision(application_id: int) -> int:
    return Application.objects.values_list("revision", flat=True).get(pk=application_id)


def queries_of(api, url: str) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return response.json(), len(queries)


def test_every_update_of_the_row_bumps_its_revision_whoever_writes_it(draft):
    first = revision(draft["id"])

    Application.objects.filter(pk=draft["id"]).update(photo_status=PhotoStatus.PENDING)
    after_update = revision(draft["id"])
    application = Application.objects.get(pk=draft["id"])
    application.save()

    assert first < after_update < revision(draft["id"])


def test_a_second_read_is_served_from_the_cache_with_one_query(api, draft):
    url = f"/api/v1/applications/{draft['id']}/"
    cold, cold_queries = queries_of(api, url)
    warm, warm_queries = queries_of(api, url)

    assert warm == cold
    # The token, and the application's owner and revision.
    assert warm_queries == 2 < cold_queries


def test_a_section_saved_is_read_back_at_once(api, draft, sections):
    url = f"/api/v1/applications/{draft['id']}/"
    api.get(url)

    saved = api.put(f"{url}sections/contact/", sections["contact"], format="json")
    body = api.get(url).json()

    assert saved.status_code == 200
    assert body["sections"]["contact"]["address"] == sections["contact"]["address"]
    assert body["verification_code"] == saved.json()["verification_code"]


def test_the_read_after_a_save_is_served_from_the_cache(api, draft, sections):
    """The save's answer is rendered once and cached under the new revision: the next GET is a hit."""
    url = f"/api/v1/applications/{draft['id']}/"
    saved = api.put(f"{url}sections/contact/", sections["contact"], format="json")

    body, read_queries = queries_of(api, url)

    assert saved.status_code == 200
    assert body == saved.json()
    assert read_queries == 2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_sections_answer_is_the_body_built_anew_from_the_database(
    api, draft, sections, language, django_capture_on_commit_callbacks
):
    """The answer is made from the row the save holds, not read again: it must be what a read of the
    database makes of the same revision."""
    url = f"/api/v1/applications/{draft['id']}/"
    for key, body in sections.items():
        answer = api.put(f"{url}sections/{key}/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
        assert answer.status_code == 200, answer.json()
        with django_capture_on_commit_callbacks(execute=True):
            application_bodies_outdated()

        rebuilt = api.get(url, HTTP_ACCEPT_LANGUAGE=language)

        assert answer.content == rebuilt.content, key


def test_a_saved_row_carries_the_revision_its_write_gave_it(draft, sections, candidate):
    """A body made from the row in hand is cached under the revision the database gave the row, for
    every section (the exam section sets the subjects as well): the save counts it, not reads it."""
    for key, data in sections.items():
        saved = application_save_section(application_id=draft["id"], section=key, data=data, actor=candidate)

        assert saved.revision == revision(draft["id"]), key


# The token; the savepoint, the locked row (with whose it is and its degree record), the 验证码
# history (one INSERT ... ON CONFLICT), the row, the audit event and the savepoint's release; then the
# body's subjects. Not read back: the revision the row's UPDATE gave it (one more than the locked one).
# Not read: the audit trail for a withdrawal (a draft inside both windows), the history subjects
# (cached with the body by the first save of this test).
# Queued on commit and not counted: the form's discard, in certificates' worker.
SAVE_QUERY_CEILING = 8


def test_a_section_save_runs_a_fixed_number_of_queries(api, draft, sections, django_capture_on_commit_callbacks):
    url = f"/api/v1/applications/{draft['id']}/sections/contact/"
    api.put(url, sections["contact"], format="json")

    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        response = api.put(url, {**sections["contact"], "postcode": "200031"}, format="json")

    assert response.status_code == 200
    assert len(queries) <= SAVE_QUERY_CEILING, "\n".join(query["sql"][:120] for query in queries)


def test_a_history_candidates_subjects_are_read_once_and_follow_a_change_of_their_record(
    api, draft, sections, candidate, exam, django_capture_on_commit_callbacks
):
    """Seed 002 line 52: a history candidate's subjects default to last year's failed ones. They are
    cached beside the body: the next save reads no history, and a change of the record shows at once."""
    record = HistoryRecord.objects.create(
        exam_year=exam.year - 1, id_number_digest=id_number_digest(decrypt_id_number(candidate.id_number_ciphertext)),
        name="张三", district_code="SH", site_code="SH0101", specialty_code="303", level="中级", education="本科",
        unit_name="上海市第一人民医院", passed_subjects=["1", "3"],
    )  # fmt: skip
    url = f"/api/v1/applications/{draft['id']}/sections/contact/"
    assert api.put(url, sections["contact"], format="json").json()["history_subjects"] == {"303": ["2", "4"]}

    with CaptureQueriesContext(connection) as queries:
        again = api.put(url, {**sections["contact"], "postcode": "200031"}, format="json")
    # Taken now: the next request empties the connection's log.
    saved_queries = [query["sql"] for query in queries.captured_queries]
    record.passed_subjects = ["1"]
    with django_capture_on_commit_callbacks(execute=True):
        record.save()
    changed = api.put(url, sections["contact"], format="json")

    assert again.json()["history_subjects"] == {"303": ["2", "4"]}
    history_tables = ("registration_historyrecord", "registration_scoremerge")
    assert saved_queries
    assert not [sql for sql in saved_queries if any(f'FROM "{table}"' in sql for table in history_tables)]
    assert changed.json()["history_subjects"] == {"303": ["2", "3", "4"]}


def test_a_change_written_without_the_services_is_read_back_at_once(api, draft):
    """A worker's bulk UPDATE (the photo check, a sweep) renews the revision like a service's save."""
    url = f"/api/v1/applications/{draft['id']}/"
    assert api.get(url).json()["photo_status"] == "missing"

    Application.objects.filter(pk=draft["id"]).update(photo_status=PhotoStatus.ACCEPTED)

    assert api.get(url).json()["photo_status"] == "accepted"


def test_a_renamed_site_shows_in_the_labels_at_once(api, draft, sections, django_capture_on_commit_callbacks):
    url = f"/api/v1/applications/{draft['id']}/"
    api.put(f"{url}sections/site/", sections["site"], format="json")
    api.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        site = Site.objects.get(code="SH0101")
        site.name = "徐汇区考点（新址）"
        site.save()

    assert "徐汇区考点（新址）" in str(api.get(url).json()["labels"])


def test_a_body_built_again_takes_its_catalogue_rows_from_memory(api, draft, sections):
    url = f"/api/v1/applications/{draft['id']}/"
    for key in ("site", "exam", "work"):
        api.put(f"{url}sections/{key}/", sections[key], format="json")
    first = api.get(url).json()
    Application.objects.filter(pk=draft["id"]).update(photo_status=PhotoStatus.PENDING)

    with CaptureQueriesContext(connection) as queries:
        again = api.get(url).json()

    catalogue_tables = ("registration_city", "registration_site", "registration_registrationpoint")
    catalogue_tables += ("registration_specialty", "registration_unit")
    assert not [query for query in queries if any(f'FROM "{table}"' in query["sql"] for table in catalogue_tables)]
    assert again["labels"] == first["labels"]
    assert again["labels"]["site"], "the site's names are there, from memory"


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generation is read with the revision on PostgreSQL only"
)


class CacheRefused:
    def __getattr__(self, name):
        raise AssertionError(f"the cache was asked ({name})")


@postgresql_only
def test_a_body_read_again_comes_from_the_process_memory_with_one_statement(api, draft, monkeypatch):
    url = f"/api/v1/applications/{draft['id']}/"
    first = api.get(url).json()
    monkeypatch.setattr(application_bodies, "cache", CacheRefused())

    again, queries = queries_of(api, url)

    assert again == first
    # The token, and the application's owner and revision with the generation.
    assert queries == 2


@postgresql_only
def test_a_body_in_memory_is_retired_by_a_catalogue_change_made_by_another_process(api, draft, sections):
    """The generation is read from the database with the revision: a change whose bump this process
    never saw (here: SQL beside the ORM, as another process's write looks from here) still shows."""
    url = f"/api/v1/applications/{draft['id']}/"
    api.put(f"{url}sections/site/", sections["site"], format="json")
    api.get(url)
    api.get(url)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE registration_site SET name = %s WHERE code = %s", ["徐汇区考点（另一进程）", "SH0101"])
        cursor.execute("SELECT nextval('registration_application_body_generation')")

    assert "徐汇区考点（另一进程）" in str(api.get(url).json()["labels"])


@postgresql_only
def test_the_memory_of_bodies_is_bounded(monkeypatch):
    monkeypatch.setattr(application_bodies, "_bodies_remembered", {})
    monkeypatch.setattr(application_bodies, "_BODIES_REMEMBERED", 3)

    for number in range(7):
        application_bodies._remember(f"body-{number}", (1, b"{}"))

    assert 0 < len(application_bodies._bodies_remembered) <= 3
    assert "body-6" in application_bodies._bodies_remembered


def test_each_language_has_its_own_body(api, draft):
    url = f"/api/v1/applications/{draft['id']}/"

    chinese = api.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()

    assert chinese["nodes"][0]["label"] != english["nodes"][0]["label"]


def test_another_candidates_application_is_not_found_cached_or_not(api, draft, other_candidate):
    url = f"/api/v1/applications/{draft['id']}/"
    api.get(url)

    assert token_client(other_candidate).get(url).status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_cached_body_is_the_body_the_serializer_makes(api, draft, language):
    url = f"/api/v1/applications/{draft['id']}/"
    cold = api.get(url, HTTP_ACCEPT_LANGUAGE=language)
    warm = api.get(url, HTTP_ACCEPT_LANGUAGE=language)

    assert cold["Content-Type"] == warm["Content-Type"] == "application/json"
    assert cold.content == warm.content


def test_a_saves_answer_shows_the_subjects_in_code_order_and_takes_their_rows_from_memory(
    api, draft, sections, django_capture_on_commit_callbacks
):
    """After a save the subjects are read by a statement of their own and their rows taken from the
    catalogue's memory (registration/application_bodies.py): still the answer a read of the database
    makes, for a change of the subjects and for a save that leaves them."""
    url = f"/api/v1/applications/{draft['id']}/"
    chosen = api.put(f"{url}sections/exam/", {**sections["exam"], "subjects": ["3", "1"]}, format="json")
    assert chosen.status_code == 200, chosen.json()
    assert chosen.json()["sections"]["exam"]["subjects"] == ["1", "3"]

    with CaptureQueriesContext(connection) as queries:
        kept = api.put(f"{url}sections/contact/", sections["contact"], format="json")

    assert not [query for query in queries if 'FROM "registration_subject"' in query["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        application_bodies_outdated()
    assert kept.content == api.get(url).content
    names = {subject.code: subject.shown_name for subject in Subject.objects.filter(code__in=["1", "3"])}
    assert kept.json()["labels"]["exam"]["subjects"] == [names["1"], names["3"]]


def test_a_renamed_subject_shows_in_the_next_saves_answer(api, draft, sections, django_capture_on_commit_callbacks):
    url = f"/api/v1/applications/{draft['id']}/"
    before = api.put(f"{url}sections/exam/", sections["exam"], format="json").json()

    with django_capture_on_commit_callbacks(execute=True):
        subject = Subject.objects.get(code="1")
        subject.name = "基础知识（新）"
        subject.save()
    after = api.put(f"{url}sections/contact/", sections["contact"], format="json").json()

    assert "基础知识（新）" not in before["labels"]["exam"]["subjects"]
    assert after["labels"]["exam"]["subjects"][0] == "基础知识（新）"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_body_written_out_is_the_body_the_serializer_describes(api, draft, sections, language):
    """A body is written out field by field (registration/apis/applications.py ``_rendered``) rather
    than by ``ApplicationSerializer``, which the schema and the lists keep: a field added to one and
    not the other fails here. A draft, a complete one, and one refused with reasons."""
    history = {"303": ["1", "3"]}

    def written_and_serialized() -> tuple[bytes, bytes]:
        application = Application.objects.select_related(
            "exam", "district", "candidate", "degree_record", "city", "site", "registration_point", "specialty", "unit"
        ).get(pk=draft["id"])
        with translation.override(language):
            serializer = ApplicationSerializer(application, context={"history_subjects": history})
            return _rendered(application, history), JSONRenderer().render(serializer.data)

    written, serialized = written_and_serialized()
    assert written == serialized
    for key, body in sections.items():
        assert api.put(f"/api/v1/applications/{draft['id']}/sections/{key}/", body, format="json").status_code == 200
    written, serialized = written_and_serialized()
    assert written == serialized
    Application.objects.filter(pk=draft["id"]).update(
        status=ApplicationStatus.CONFIRMATION_REJECTED,
        rejection_reasons=[
            {"code": "photo", "label": "照片不合格", "note": ""},
            {"code": "other", "label": "其他", "note": "学历证书不清晰"},
        ],
        photo_status=PhotoStatus.REJECTED,
        materials_finalized=True,
        pledge_accepted_at=None,
    )
    written, serialized = written_and_serialized()
    assert written == serialized
    assert b"\\u" not in written and "学历证书不清晰".encode() in written
