"""Who may use the certificates admin: the exam administrator (and superusers), nobody else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from certificates.access import is_administrator


class AdministratorOnlyMixin:
    """Scores and certificates are national data: no point, site or district scope sees them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
