"""The application list's search, posted rather than put in the URL.

Staff search by whole ID numbers, and a ``?q=`` travels into access logs, proxy logs and the
browser's history. The search form posts its term; the term is kept in the session (encrypted, as
ID numbers are at rest) under a random token, and the list's URL carries only ``s=<token>``, which
its filter, sort and page links and the exports keep.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, SEARCH_VAR, ChangeList, ChangeListSearchForm
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from registration.pii import decrypt_id_number, encrypt_id_number

SEARCH_KEY_VAR = "s"
_SESSION_KEY = "review.application_searches"
# The searches a staff member may go back to; older tokens fall out of the session.
_KEPT_SEARCHES = 20


def searched_term(request: HttpRequest) -> str | None:
    """The term the token in the URL stands for; ``None`` without a token (or one no longer kept)."""
    token = request.GET.get(SEARCH_KEY_VAR)
    kept = request.session.get(_SESSION_KEY, {}) if token else {}
    return decrypt_id_number(kept[token]) if token in kept else None


def search_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Keeps the posted term and goes back to the list, its filters kept, searched by token."""
    term = request.POST.get(SEARCH_VAR, "").strip()
    params = request.GET.copy()
    for name in (SEARCH_VAR, SEARCH_KEY_VAR, PAGE_VAR, ERROR_FLAG):
        params.pop(name, None)
    if term:
        token = secrets.token_urlsafe(9)
        kept = dict(list(request.session.get(_SESSION_KEY, {}).items())[-(_KEPT_SEARCHES - 1) :])
        kept[token] = encrypt_id_number(term)
        request.session[_SESSION_KEY] = kept
        params[SEARCH_KEY_VAR] = token
    url = reverse("admin:registration_application_changelist")
    return HttpResponseRedirect(f"{url}?{params.urlencode()}" if params else url)


def _search_form_for(term: str) -> type[ChangeListSearchForm]:
    class TokenSearchForm(ChangeListSearchForm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__({SEARCH_VAR: term})

    return TokenSearchForm


class TokenSearchChangeList(ChangeList):
    """The changelist searched by the term behind ``s``; ``s`` itself is no filter."""

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        term = searched_term(request)
        if term is not None:
            self.search_form_class = _search_form_for(term)
        super().__init__(request, *args, **kwargs)

    def get_filters_params(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_KEY_VAR, None)
        return lookup_params
