"""How an API view chooses what to answer in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class OnlyRendererNegotiation(DefaultContentNegotiation):
    """A view with one renderer (every view of the API answers JSON) answers with it, without parsing
    the request's ``Accept`` header each time (a thirtieth of a section save): a client asking for
    something else gets JSON, not 406. A view with several still chooses as DRF does."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, Any]:
        offered = list(renderers)
        if len(offered) == 1:
            return offered[0], offered[0].media_type
        return super().select_renderer(request, offered, format_suffix)
