"""billrules: the billing policies of SaaS and CRM products as pure, typed Python.

Questions return a :class:`Decision` with its reasons and rule IDs; operations return new
values and :mod:`effects <billrules.effects>` for the host to carry out, or raise
:class:`PolicyViolation` carrying the refusal. Nothing here reads a clock or performs I/O.

The package root re-exports the facts, policies, errors and the account-wide questions; the
area questions and operations live in their modules (``billrules.invoices``,
``billrules.dunning``…), as does ``billrules.timeline.timeline`` (a submodule of the same name
would shadow it here). Names are loaded on first use (PEP 562), so ``import billrules``
costs little and a backend that only asks dunning questions loads only what they need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from billrules.account import (
        Account,
        User,
    )
    from billrules.balance import (
        BalanceFacts,
        BalancePolicy,
        BonusTier,
        EnabledPeriod,
        EntryKind,
        Ledger,
        LedgerEntry,
        Source,
        SourceKind,
    )
    from billrules.cancellation import (
        AccountState,
        AccountStatus,
        CancellationPolicy,
        CancellationReason,
        CancellationRequest,
        CancellationTiming,
        RequestState,
    )
    from billrules.contract import (
        Finding,
        Suspension,
        Transition,
    )
    from billrules.decisions import (
        Decision,
        PolicyViolation,
        Question,
        Reason,
        ReasonCode,
    )
    from billrules.deletion import (
        AccountActivity,
        DeletionFacts,
        DeletionPolicy,
        DeletionSchedule,
        DeletionScheduleKind,
        DeletionState,
    )
    from billrules.dunning import (
        AccessLevel,
        Anchor,
        DunningPolicy,
        Stage,
    )
    from billrules.errors import (
        BillRulesError,
        CurrencyMismatch,
        FloatAmountError,
        InvalidInput,
        InvalidType,
        NaiveDatetimeError,
        OutOfCalendar,
        UnknownTimeZone,
    )
    from billrules.invoices import (
        BillingDetails,
        BillingProfile,
        Invoice,
        InvoiceFacts,
        InvoicePolicy,
        InvoiceStatus,
        Payment,
    )
    from billrules.payment_methods import (
        CardBrand,
        CardBrandRule,
        CardDetails,
        InvalidCardDetails,
        PaymentMethod,
        PaymentMethodKind,
        PaymentMethodPolicy,
        Wallet,
    )
    from billrules.policy import (
        DEFAULT_POLICY,
        Policy,
    )
    from billrules.report import (
        Report,
        RoleReport,
        explain,
    )
    from billrules.roles import (
        Role,
    )
    from billrules.seats import (
        SeatPolicy,
        SeatPool,
        SeatProration,
    )
    from billrules.serialize import (
        account_from_json,
        account_from_mapping,
        account_to_json,
        account_to_mapping,
    )
    from billrules.subscriptions import (
        LeadPackage,
        LeadPackages,
        Period,
        PlanChange,
        PlanChangeKind,
        PlanChangeTiming,
        Subscription,
        SubscriptionFacts,
        SubscriptionPolicy,
    )
    from billrules.timeline import (
        Timeline,
    )

__all__ = [
    "DEFAULT_POLICY",
    "AccessLevel",
    "Account",
    "AccountActivity",
    "AccountState",
    "AccountStatus",
    "Anchor",
    "BalanceFacts",
    "BalancePolicy",
    "BillRulesError",
    "BillingDetails",
    "BillingProfile",
    "BonusTier",
    "CancellationPolicy",
    "CancellationReason",
    "CancellationRequest",
    "CancellationTiming",
    "CardBrand",
    "CardBrandRule",
    "CardDetails",
    "CurrencyMismatch",
    "Decision",
    "DeletionFacts",
    "DeletionPolicy",
    "DeletionSchedule",
    "DeletionScheduleKind",
    "DeletionState",
    "DunningPolicy",
    "EnabledPeriod",
    "EntryKind",
    "Finding",
    "FloatAmountError",
    "InvalidCardDetails",
    "InvalidInput",
    "InvalidType",
    "Invoice",
    "InvoiceFacts",
    "InvoicePolicy",
    "InvoiceStatus",
    "LeadPackage",
    "LeadPackages",
    "Ledger",
    "LedgerEntry",
    "NaiveDatetimeError",
    "OutOfCalendar",
    "Payment",
    "PaymentMethod",
    "PaymentMethodKind",
    "PaymentMethodPolicy",
    "Period",
    "PlanChange",
    "PlanChangeKind",
    "PlanChangeTiming",
    "Policy",
    "PolicyViolation",
    "Question",
    "Reason",
    "ReasonCode",
    "Report",
    "RequestState",
    "Role",
    "RoleReport",
    "SeatPolicy",
    "SeatPool",
    "SeatProration",
    "Source",
    "SourceKind",
    "Stage",
    "Subscription",
    "SubscriptionFacts",
    "SubscriptionPolicy",
    "Suspension",
    "Timeline",
    "Transition",
    "UnknownTimeZone",
    "User",
    "Wallet",
    "__version__",
    "account_from_json",
    "account_from_mapping",
    "account_to_json",
    "account_to_mapping",
    "explain",
]

__version__ = "0.1.0"

#: Where each public name lives.
_EXPORTS: dict[str, str] = {
    "DEFAULT_POLICY": "billrules.policy",
    "AccessLevel": "billrules.dunning",
    "Account": "billrules.account",
    "AccountActivity": "billrules.deletion",
    "AccountState": "billrules.cancellation",
    "AccountStatus": "billrules.cancellation",
    "Anchor": "billrules.dunning",
    "BalanceFacts": "billrules.balance",
    "BalancePolicy": "billrules.balance",
    "BillRulesError": "billrules.errors",
    "BillingDetails": "billrules.invoices",
    "BillingProfile": "billrules.invoices",
    "BonusTier": "billrules.balance",
    "CancellationPolicy": "billrules.cancellation",
    "CancellationReason": "billrules.cancellation",
    "CancellationRequest": "billrules.cancellation",
    "CancellationTiming": "billrules.cancellation",
    "CardBrand": "billrules.payment_methods",
    "CardBrandRule": "billrules.payment_methods",
    "CardDetails": "billrules.payment_methods",
    "CurrencyMismatch": "billrules.errors",
    "Decision": "billrules.decisions",
    "DeletionFacts": "billrules.deletion",
    "DeletionPolicy": "billrules.deletion",
    "DeletionSchedule": "billrules.deletion",
    "DeletionScheduleKind": "billrules.deletion",
    "DeletionState": "billrules.deletion",
    "DunningPolicy": "billrules.dunning",
    "EnabledPeriod": "billrules.balance",
    "EntryKind": "billrules.balance",
    "Finding": "billrules.contract",
    "FloatAmountError": "billrules.errors",
    "InvalidCardDetails": "billrules.payment_methods",
    "InvalidInput": "billrules.errors",
    "InvalidType": "billrules.errors",
    "Invoice": "billrules.invoices",
    "InvoiceFacts": "billrules.invoices",
    "InvoicePolicy": "billrules.invoices",
    "InvoiceStatus": "billrules.invoices",
    "LeadPackage": "billrules.subscriptions",
    "LeadPackages": "billrules.subscriptions",
    "Ledger": "billrules.balance",
    "LedgerEntry": "billrules.balance",
    "NaiveDatetimeError": "billrules.errors",
    "OutOfCalendar": "billrules.errors",
    "Payment": "billrules.invoices",
    "PaymentMethod": "billrules.payment_methods",
    "PaymentMethodKind": "billrules.payment_methods",
    "PaymentMethodPolicy": "billrules.payment_methods",
    "Period": "billrules.subscriptions",
    "PlanChange": "billrules.subscriptions",
    "PlanChangeKind": "billrules.subscriptions",
    "PlanChangeTiming": "billrules.subscriptions",
    "Policy": "billrules.policy",
    "PolicyViolation": "billrules.decisions",
    "Question": "billrules.decisions",
    "Reason": "billrules.decisions",
    "ReasonCode": "billrules.decisions",
    "Report": "billrules.report",
    "RequestState": "billrules.cancellation",
    "Role": "billrules.roles",
    "RoleReport": "billrules.report",
    "SeatPolicy": "billrules.seats",
    "SeatPool": "billrules.seats",
    "SeatProration": "billrules.seats",
    "Source": "billrules.balance",
    "SourceKind": "billrules.balance",
    "Stage": "billrules.dunning",
    "Subscription": "billrules.subscriptions",
    "SubscriptionFacts": "billrules.subscriptions",
    "SubscriptionPolicy": "billrules.subscriptions",
    "Suspension": "billrules.contract",
    "Timeline": "billrules.timeline",
    "Transition": "billrules.contract",
    "UnknownTimeZone": "billrules.errors",
    "User": "billrules.account",
    "Wallet": "billrules.payment_methods",
    "account_from_json": "billrules.serialize",
    "account_from_mapping": "billrules.serialize",
    "account_to_json": "billrules.serialize",
    "account_to_mapping": "billrules.serialize",
    "explain": "billrules.report",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'billrules' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
