"""Refusals particular to staff work, with their stable codes (the hierarchy is ``wecan.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from wecan.errors import PortalError


class NotAllowed(PortalError):
    """The caller's role does not do this (a candidate on a staff endpoint, a reviewer confirming)."""

    code = "permission_denied"
    status = status.HTTP_403_FORBIDDEN
    default_message = _("您的角色不能进行此操作。")


class StaleForm(PortalError):
    """The printed form carries a 验证码 the application had before its content last changed."""

    code = "stale_form"
    status = status.HTTP_409_CONFLICT
    default_message = _("报名表不是最新版本：报名信息修改后验证码已更新，请考生重新打印报名表。")


class WrongCode(PortalError):
    """A 验证码 this application never carried: mistyped, or the form of someone else."""

    code = "wrong_code"
    default_message = _("验证码不正确，请核对报名表上的网报号和验证码。")
