"""Refusals of the payments app, with their stable codes (``wecan.errors`` maps them to API bodies)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from wecan.errors import PortalError


class GatewayUnavailable(PortalError):
    """The gateway could not be reached or answered nonsense: worth trying again later."""

    code = "gateway_unavailable"
    status: int = status.HTTP_502_BAD_GATEWAY
    default_message = _("支付平台暂时无法访问，请稍后再试。")


class GatewayMisconfigured(GatewayUnavailable):
    """The gateway's SDK cannot work with the keys or settings it was given: nothing is sent."""

    code = "gateway_misconfigured"
    status = status.HTTP_503_SERVICE_UNAVAILABLE
    default_message = _("支付平台接口配置有误，暂时无法使用，请稍后再试或联系考区考试管理机构。")


class GatewayRefused(PortalError):
    """The gateway answered and said no (a refund it will not make, a trade it does not know)."""

    code = "gateway_refused"
    status = status.HTTP_409_CONFLICT
    default_message = _("支付平台拒绝了此操作。")


class FeeMissing(PortalError):
    code = "fee_missing"
    status = status.HTTP_409_CONFLICT
    default_message = _("考区尚未设置该级别的收费标准，请联系考区考试管理机构。")


class NotificationRejected(Exception):
    """A notification that cannot be trusted or understood; the reason goes to the log only."""


class FourEyesRequired(PortalError):
    """The finance user who proposed a credit or refund may not approve it too."""

    code = "four_eyes_required"
    status = status.HTTP_403_FORBIDDEN
    default_message = _("提议入账或退款的人不能自己复核，请由本考区另一位财务人员复核。")
