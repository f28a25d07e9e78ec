"""billrules: the billing policies of SaaS and CRM products as pure, typed Python.

Questions return a :class:`Decision` with its reasons and rule IDs; operations return new
values and :mod:`effects <billrules.effects>` for the host to carry out, or raise
:class:`PolicyViolation` carrying the refusal. Nothing here reads a clock or performs I/O.

The package root re-exports the facts, policies and errors; the questions and operations
live in their area modules (``billrules.invoices``, ``billrules.dunning``…).
"""

from __future__ import annotations

from billrules.cancellation import (
    AccountState,
    AccountStatus,
    CancellationPolicy,
    CancellationReason,
    CancellationRequest,
    CancellationTiming,
    RequestState,
)
from billrules.decisions import (
    Decision,
    PolicyViolation,
    Reason,
)
from billrules.deletion import (
    AccountActivity,
    BalanceChange,
    DeletionKind,
    DeletionPolicy,
    DeletionSchedule,
    DeletionState,
)
from billrules.errors import (
    BillRulesError,
    CurrencyMismatch,
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    UnknownTimeZone,
)
from billrules.invoices import (
    BillingDetails,
    BillingProfile,
    Invoice,
    InvoicePolicy,
    InvoiceStatus,
    Payment,
)
from billrules.payment_methods import (
    CardBrand,
    CardDetails,
    InvalidCardDetails,
    PaymentMethod,
    PaymentMethodKind,
    Wallet,
)
from billrules.roles import (
    Role,
)
from billrules.seats import (
    SeatPolicy,
    SeatPool,
    SeatProration,
)
from billrules.subscriptions import (
    LeadPackage,
    LeadPackages,
    Period,
    PlanChange,
    PlanChangeKind,
    PlanChangeTiming,
    Subscription,
    SubscriptionPolicy,
)

__all__ = [
    "AccountActivity",
    "AccountState",
    "AccountStatus",
    "BalanceChange",
    "BillRulesError",
    "BillingDetails",
    "BillingProfile",
    "CancellationPolicy",
    "CancellationReason",
    "CancellationRequest",
    "CancellationTiming",
    "CardBrand",
    "CardDetails",
    "CurrencyMismatch",
    "Decision",
    "DeletionKind",
    "DeletionPolicy",
    "DeletionSchedule",
    "DeletionState",
    "FloatAmountError",
    "InvalidCardDetails",
    "InvalidInput",
    "InvalidType",
    "Invoice",
    "InvoicePolicy",
    "InvoiceStatus",
    "LeadPackage",
    "LeadPackages",
    "NaiveDatetimeError",
    "Payment",
    "PaymentMethod",
    "PaymentMethodKind",
    "Period",
    "PlanChange",
    "PlanChangeKind",
    "PlanChangeTiming",
    "PolicyViolation",
    "Reason",
    "RequestState",
    "Role",
    "SeatPolicy",
    "SeatPool",
    "SeatProration",
    "Subscription",
    "SubscriptionPolicy",
    "UnknownTimeZone",
    "Wallet",
    "__version__",
]

__version__ = "0.1.0"
