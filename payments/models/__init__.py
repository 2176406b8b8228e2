from payments.models.orders import Order, OrderEvent, OrderStatus, Payment, PaymentDisposition, Provider
from payments.models.reconciliation import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyStatus,
    LineKind,
    Statement,
    StatementLine,
    StatementStatus,
)
from payments.models.sandbox import SandboxApp, SandboxNotification, SandboxTrade, SandboxTradeStatus

__all__ = [
    "Discrepancy",
    "DiscrepancyKind",
    "DiscrepancyStatus",
    "LineKind",
    "Order",
    "OrderEvent",
    "OrderStatus",
    "Payment",
    "PaymentDisposition",
    "Provider",
    "SandboxApp",
    "SandboxNotification",
    "SandboxTrade",
    "SandboxTradeStatus",
    "Statement",
    "StatementLine",
    "StatementStatus",
]
