"""``require_content_open`` skips the search for a withdrawal only where the answer cannot depend on it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.models import ApplicationEvent
from registration.models.application import Application, ApplicationStatus
from registration.windows import content_window, require_content_open, require_open
from registration.workflow import Action
from wecan.errors import WindowClosed

pytestmark = pytest.mark.django_db


def refusal(check, *args) -> str:
    try:
        check(*args)
    except WindowClosed as closed:
        return str(closed.message)
    return ""


@pytest.mark.parametrize("deadline_first", [False, True], ids=["deadline after close", "deadline before close"])
@pytest.mark.parametrize("withdrawn", [False, True], ids=["never submitted", "withdrawn"])
@pytest.mark.parametrize("status", [ApplicationStatus.DRAFT, ApplicationStatus.CONFIRMATION_REJECTED])
def test_it_refuses_exactly_what_the_content_window_refuses(draft, exam, status, withdrawn, deadline_first):
    """Seed 002 line 34: a withdrawn draft, like a rejected application, may change until the
    confirmation deadline; a draft never submitted, within the registration window. Compared at
    moments before, inside and after both windows, in either order of their ends."""
    if deadline_first:
        exam.confirmation_deadline = exam.registration_closes - datetime.timedelta(days=1)
        exam.save()
    Application.objects.filter(pk=draft["id"]).update(status=status)
    if withdrawn:
        ApplicationEvent.objects.create(
            application_id=draft["id"], action=Action.WITHDRAW, from_status="submitted", to_status="draft"
        )
    application = Application.objects.select_related("exam").get(pk=draft["id"])
    minute = datetime.timedelta(minutes=1)
    moments = [exam.registration_opens - minute, exam.registration_opens + minute]
    for end in (exam.registration_closes, exam.confirmation_deadline):
        moments += [end - minute, end + minute]

    for now in moments:
        expected = refusal(require_open, application.exam, content_window(application), now)
        assert refusal(require_content_open, application, now) == expected, now


def test_a_draft_inside_both_windows_is_let_through_without_a_query(draft, exam):
    application = Application.objects.select_related("exam").get(pk=draft["id"])

    with CaptureQueriesContext(connection) as queries:
        require_content_open(application, exam.registration_opens + datetime.timedelta(minutes=1))

    assert len(queries) == 0
