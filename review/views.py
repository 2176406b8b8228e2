"""The candidate's to-dos (待办事项提醒) page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registration.models import User
from review.models import Reminder
from review.selectors import reminders_of
from review.services.reminders import reminder_close_by_candidate

SHOWN = 100


def _candidate(request: HttpRequest) -> User:
    user = request.user
    if not getattr(user, "is_candidate", False):
        raise PermissionDenied
    return user  # type: ignore[return-value]


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    reminders = list(reminders_of(candidate=_candidate(request))[:SHOWN])
    return render(
        request,
        "review/reminders.html",
        {
            "open_reminders": [reminder for reminder in reminders if reminder.closed_at is None],
            "closed_reminders": [reminder for reminder in reminders if reminder.closed_at is not None],
        },
    )


@login_required
@require_POST
def reminder_close(request: HttpRequest, reminder_id: int) -> HttpResponse:
    try:
        reminder_close_by_candidate(reminder_id=reminder_id, candidate=_candidate(request))
    except Reminder.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("已标记为已处理。"))
    return redirect("reminders")
