"""The staff queue's page, read part by part of the scope (review.selectors.staff_queue): the same rows
in the same order as the scope's one filter gives, paged, in a fixed number of queries."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import ListSerializer

from registration.models import Application, RegistrationPoint
from review.serializers import StaffApplicationListSerializer, StaffApplicationSerializer

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/applications/"


def _submitted(world, *, point, minutes_ago, **fields):
    application = world.make_application(point=point, **fields)
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return application


def _without_point(application):
    Application.objects.filter(pk=application.pk).update(registration_point=None)
    return application


def _ids(api, **params):
    return [row["id"] for row in api.get(LIST, params).json()["results"]]


def test_a_point_sees_its_own_and_its_sites_pointless_applications_oldest_first(world, api_as):
    """Seed 003 line 781: confirmation is "到所选考点或其下设报名点", and seed 002 line 62 makes the
    报名点 optional where the district confirms on site: a point's staff see their point's applications
    and those of their site that chose no point, in one queue, oldest submission first."""
    newest_own = _submitted(world, point=world.p1, minutes_ago=1)
    pointless = _without_point(_submitted(world, point=world.p1, minutes_ago=2))
    oldest_own = _submitted(world, point=world.p1, minutes_ago=3)
    _submitted(world, point=world.p2, minutes_ago=4)  # the site's other point
    _without_point(_submitted(world, point=world.p3, minutes_ago=5))  # another site's, without a point

    api = api_as("sh_point")

    assert _ids(api) == [oldest_own.pk, pointless.pk, newest_own.pk]
    assert _ids(api, status="submitted") == [oldest_own.pk, pointless.pk, newest_own.pk]
    assert api.get(LIST).json()["count"] == 3


def test_the_same_submission_time_is_ordered_by_id_across_both_parts(world, api_as):
    at = timezone.now() - datetime.timedelta(hours=1)
    rows = [world.make_application(point=world.p1) for _ in range(4)]
    _without_point(rows[1])
    _without_point(rows[2])
    Application.objects.filter(pk__in=[row.pk for row in rows]).update(submitted_at=at)

    assert _ids(api_as("sh_point")) == sorted(row.pk for row in rows)


def test_pages_follow_one_another_without_gap_or_repeat(world, api_as, monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "page_size", 3)
    expected = []
    for minutes_ago in range(8, 0, -1):
        application = _submitted(world, point=world.p1, minutes_ago=minutes_ago)
        expected.append(_without_point(application).pk if minutes_ago % 3 == 0 else application.pk)
    api = api_as("sh_point")

    pages = [api.get(LIST, {"page": page}).json() for page in (1, 2, 3)]

    assert [row["id"] for body in pages for row in body["results"]] == expected
    assert {body["count"] for body in pages} == {8}
    assert pages[2]["next"] is None
    assert api.get(LIST, {"page": 4}).status_code == 404


def test_a_draft_is_listed_only_once_it_was_submitted_whatever_the_status_asked(world, api_as):
    """The scope shows no draft its candidate never submitted (registration/scope.py); a status filter
    for drafts still looks at the audit trail, a status only a submission reaches does not need to."""
    never_submitted = world.make_application(status="draft")
    returned = world.make_application(status="draft")
    returned.events.create(action="submit", from_status="draft", to_status="submitted")
    api = api_as("sh_point")

    assert _ids(api, status="draft") == [returned.pk]
    assert never_submitted.pk not in _ids(api)


def test_search_and_the_specialty_filter_apply_to_both_parts(world, api_as):
    named = _without_point(world.make_application())
    world.make_application()

    api = api_as("sh_point")

    assert _ids(api, q=named.number) == [named.pk]
    assert len(_ids(api, specialty="303")) == 2
    assert _ids(api, specialty="368") == []


def test_site_district_and_administrator_queues_are_one_part_each(world, api_as):
    own = world.make_application(point=world.p2)
    pointless = _without_point(world.make_application(point=world.p1))
    elsewhere = world.make_application(point=world.p3)

    assert sorted(_ids(api_as("sh_site"))) == sorted([own.pk, pointless.pk])
    assert sorted(_ids(api_as("sh_district"))) == sorted([own.pk, pointless.pk, elsewhere.pk])
    assert sorted(_ids(api_as("admin"))) == sorted([own.pk, pointless.pk, elsewhere.pk])
    assert _ids(api_as("bj_point")) == []


def test_the_page_takes_the_same_few_queries_however_many_rows_and_points(world, api_as, django_assert_max_num_queries):
    """The token, the count, the page's ids and its rows, and the generation of the catalogue
    rows, which come from the process's memory once read (registration/application_bodies.py)."""
    api = api_as("sh_district")
    world.make_application(point=world.p1)
    api.get(LIST)
    for point in (world.p1, world.p2, world.p3):
        for _ in range(5):
            world.make_application(point=point)
    for _ in range(5):
        _without_point(world.make_application(point=world.p2))
    api.get(LIST)  # reads the catalogue rows the new rows name, once

    with django_assert_max_num_queries(5):
        body = api.get(LIST).json()

    assert body["count"] == 21
    assert {row["registration_point"] for row in body["results"]} == {"SH010101", "SH010102", "SH010201", None}


def test_a_points_page_looks_up_its_site_in_the_same_statements(world, api_as, django_assert_max_num_queries):
    """A point's queue holds its site's applications without a point (registration/scope.py): the
    site is read inside the count and the page's queries, not by a query of its own first."""
    world.make_application(point=world.p1)
    _without_point(world.make_application(point=world.p1))
    api = api_as("sh_point")
    api.get(LIST)  # reads the catalogue rows once

    # The token, the count, the page's ids, its rows and the catalogue's generation.
    with django_assert_max_num_queries(5):
        body = api.get(LIST).json()

    assert body["count"] == 2


def test_a_renamed_point_shows_at_once_in_the_queue(world, api_as):
    """The queue's catalogue rows come from memory; a catalogue write retires it."""
    world.make_application(point=world.p1)
    api = api_as("sh_point")
    assert api.get(LIST).json()["results"][0]["registration_point"] == "SH010101"

    point = RegistrationPoint.objects.get(pk=world.p1.pk)
    point.code = "SH010109"
    point.save()

    assert api.get(LIST).json()["results"][0]["registration_point"] == "SH010109"


def test_the_status_label_is_in_the_callers_language(world, api_as):
    world.make_application(status="submitted")
    api = api_as("sh_point")

    assert api.get(LIST).json()["results"][0]["status_label"] == "已提交，待确认"
    english = api.get(LIST, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["status_label"]
    assert english and english.isascii()


def test_each_row_is_what_its_fields_represent(world, api_as):
    """The page writes its rows out (review.serializers.StaffQueuePageSerializer); the row's fields,
    walked one by one as DRF does, are the contract of API.md: with and without a point, a site, a
    specialty, a submission time, and for a resubmission."""
    resubmitted = _submitted(world, point=world.p1, minutes_ago=3)
    Application.objects.filter(pk=resubmitted.pk).update(resubmission_count=2, materials_finalized=True)
    bare = _without_point(_submitted(world, point=world.p1, minutes_ago=2))
    Application.objects.filter(pk=bare.pk).update(specialty=None, submitted_at=None)
    returned = world.make_application(status="draft")
    Application.objects.filter(pk=returned.pk).update(site=None, registration_point=None)
    returned.events.create(action="submit", from_status="draft", to_status="submitted")
    api = api_as("sh_district")

    shown = api.get(LIST).json()["results"]
    applications = Application.objects.in_bulk([row["id"] for row in shown])
    walked = ListSerializer([applications[row["id"]] for row in shown], child=StaffApplicationListSerializer()).data
    walked = json.loads(JSONRenderer().render(walked))

    by_id = {row["id"]: row for row in shown}
    assert by_id.keys() == {resubmitted.pk, bare.pk, returned.pk}
    assert shown == walked
    assert by_id[resubmitted.pk]["resubmitted"] is True
    assert by_id[returned.pk]["site"] is by_id[returned.pk]["registration_point"] is None
    assert by_id[bare.pk]["specialty"] is by_id[bare.pk]["submitted_at"] is None
    assert StaffApplicationSerializer(many=True).__class__ is ListSerializer
