"""Who may call an API view."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


class IsCandidate(permissions.IsAuthenticated):
    """Signed in, as a candidate: staff have no degree records or applications (403, not 404)."""

    message = "只有考生可以使用此功能。"

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and getattr(request.user, "is_candidate", False)
