"""Finding: full ID numbers travelled in search URLs (``?q=``) and so landed in access and proxy logs.
The admin's search posts its form, the staff API takes ``POST .../applications/search/`` (API.md
v1.1), and no log line of the portal carries a full ID number."""

from __future__ import annotations

import importlib.util
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from registration.models import Application
from tests.review.conftest import make_candidate, resident_id
from wecan.log_filters import MaskIdNumbers

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registration/application/"
SEARCH = "/api/v1/staff/applications/search/"


@pytest.fixture
def searched(world) -> tuple[Application, str]:
    id_number = resident_id(777)
    application = world.make_application(candidate=make_candidate(name="王五", id_number=id_number))
    world.make_application()  # someone else at the same point, whom the search must leave out
    return application, id_number


def test_the_admin_search_form_posts_its_term(client, world):
    client.force_login(world.staff["sh_point"])
    page = client.get(CHANGELIST).content.decode()
    form = re.search(r'<form id="changelist-search"[^>]*>', page)
    assert form and 'method="post"' in form.group(0)


def test_an_id_number_searched_in_the_admin_never_appears_in_a_url(client, world, searched):
    application, id_number = searched
    client.force_login(world.staff["sh_point"])

    response = client.post(f"{CHANGELIST}?status__exact=submitted", {"_search": "1", "q": id_number.lower()})
    assert response.status_code == 302
    location = response["Location"]
    assert id_number[:6] not in location and "q=" not in location
    assert "status__exact=submitted" in location and "s=" in location

    page = client.get(location)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [application]
    html = page.content.decode()
    urls = re.findall(r'(?:href|action|src)="([^"]*)"', html)
    assert urls and not [url for url in urls if id_number[:10] in url]

    export = client.get(re.search(r'href="([^"]*/export/csv/[^"]*)"', html).group(1).replace("&amp;", "&"))
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and application.number in rows[1]


def test_a_search_token_means_nothing_in_another_session(client, world, searched):
    client.force_login(world.staff["sh_point"])
    location = client.post(CHANGELIST, {"_search": "1", "q": searched[1]})["Location"]
    client.logout()
    client.force_login(world.staff["sh_point"])
    assert len(client.get(location).context["cl"].result_list) == 2


def test_an_empty_posted_search_shows_the_whole_list(client, world, searched):
    client.force_login(world.staff["sh_point"])
    response = client.post(CHANGELIST, {"_search": "1", "q": "  "})
    assert response["Location"] == CHANGELIST
    assert len(client.get(CHANGELIST).context["cl"].result_list) == 2


def test_the_staff_api_search_by_post_answers_as_the_get(api_as, world, searched):
    application, id_number = searched
    api = api_as("sh_point")
    by_get = api.get("/api/v1/staff/applications/", {"q": id_number})
    by_post = api.post(SEARCH, {"q": id_number}, format="json")
    assert by_post.status_code == 200
    assert by_post.json() == by_get.json()
    assert [row["id"] for row in by_post.json()["results"]] == [application.pk]

    both = api.post(SEARCH, {"q": "王五", "status": "submitted", "specialty": "303"}, format="json").json()
    assert [row["id"] for row in both["results"]] == [application.pk]
    assert api.post(SEARCH, {}, format="json").json()["count"] == 2


def test_the_staff_api_search_refuses_what_the_list_refuses(api_as, world, searched):
    api = api_as("sh_point")
    assert api.post(SEARCH, {"status": "nonsense"}, format="json").json()["fields"].keys() == {"status"}
    assert api.post(SEARCH, {"q": searched[1], "id_number": "x"}, format="json").status_code == 400
    assert api_as("bj_point").post(SEARCH, {"q": searched[1]}, format="json").json()["count"] == 0


def test_the_staff_api_search_needs_a_staff_member(client, api):
    assert client.post(SEARCH, {"q": "x"}, content_type="application/json").status_code == 401
    assert api.post(SEARCH, {"q": "x"}, format="json").status_code == 403


@contextmanager
def console_output() -> Iterator[io.StringIO]:
    """What the portal's masked console handler writes, while the block runs."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, MaskIdNumbers) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


NUMBERS = ["31010119880506777X", "310101880506777", "H1234567890", "M12345678", "ABC123456789012", "1234567890"]


def test_no_log_line_of_the_portal_carries_a_full_id_number(client):
    with console_output() as output:
        client.get(f"/no-such-page/{NUMBERS[0]}/")
        for name in ("django.server", "django.request", "celery.app.trace", "registration", "axes.watch_login"):
            logging.getLogger(name).warning('"GET /admin/?q=%s HTTP/1.1" 200 / %s', NUMBERS[0], " ".join(NUMBERS))
        try:
            raise ValueError(f"duplicate key (id_number)=({NUMBERS[0].lower()})")
        except ValueError:
            logging.getLogger("payments").exception("failed for %s", NUMBERS[1])
    text = output.getvalue()
    assert "Not Found: /no-such-page/3101**********777X/" in text
    assert text.count("3101**********777X") >= 7 and "3101**********777x" in text
    assert not [number for number in NUMBERS if number in text or number.lower() in text]
    # What is not an ID number stays readable: a 网报号, a mobile number, a year, an amount.
    with console_output() as output:
        logging.getLogger("payments").warning("order 20261129000123 for 47724982 mobile 13812341234 in 2026: 380.00")
    assert "20261129000123" in output.getvalue() and "47724982" in output.getvalue()
    assert "13812341234" in output.getvalue()


def logged_through(logger: logging.Logger, handler: logging.Handler) -> str:
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    logger.info('10.0.0.1 "GET /admin/registration/application/?q=%s HTTP/1.1" 200', NUMBERS[0])
    return stream.getvalue()


def test_the_worker_and_gunicorn_logs_are_masked_too():
    """Celery's worker and gunicorn set up handlers of their own; both mask as the portal does."""
    from wecan.celery import _mask_id_numbers

    worker_logger = logging.getLogger("test.worker")
    worker_handler = logging.StreamHandler()
    worker_logger.addHandler(worker_handler)
    _mask_id_numbers(logger=worker_logger)
    assert "3101**********777X" in logged_through(worker_logger, worker_handler)

    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(settings.BASE_DIR) / "gunicorn.conf.py")
    gunicorn_conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gunicorn_conf)
    gunicorn_conf.post_worker_init(worker=None)
    access = logging.getLogger("gunicorn.access")
    access_handler = logging.StreamHandler()
    access.addHandler(access_handler)
    access.setLevel(logging.INFO)
    try:
        line = logged_through(access, access_handler)
    finally:
        access.removeHandler(access_handler)
    assert "?q=3101**********777X" in line and NUMBERS[0] not in line
