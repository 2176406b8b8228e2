from payments.models.onsite import OnSiteFee
from payments.models.orders import Order, OrderEvent, OrderStatus, Payment, PaymentDisposition, Provider
from payments.models.reconciliation import (
    Discrepancy,
    DiscrepancyAction,
    DiscrepancyKind,
    DiscrepancyStatus,
    LineKind,
    Statement,
    StatementLine,
    StatementOrigin,
    StatementStatus,
)
from payments.models.refunds import Refund, RefundStatus

__all__ = [
    "Discrepancy",
    "DiscrepancyAction",
    "DiscrepancyKind",
    "DiscrepancyStatus",
    "LineKind",
    "OnSiteFee",
    "Order",
    "OrderEvent",
    "OrderStatus",
    "Payment",
    "PaymentDisposition",
    "Provider",
    "Refund",
    "RefundStatus",
    "Statement",
    "StatementLine",
    "StatementOrigin",
    "StatementStatus",
]
