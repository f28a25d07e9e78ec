"""billrules: the billing policies of SaaS and CRM products as pure, typed Python.

Questions return a :class:`Decision` with its reasons and rule IDs; operations return new
values and :mod:`effects <billrules.effects>` for the host to carry out, or raise
:class:`PolicyViolation` carrying the refusal. Nothing here reads a clock or performs I/O.

The package root re-exports the facts, policies, errors and the account-wide questions; the
area questions and operations live in their modules (``billrules.invoices``,
``billrules.dunning``…), as does ``billrules.timeline.timeline`` (a submodule of the same name
would shadow it here). Names are loaded on first use (PEP 562), so ``import billrules``
costs little and a backend that only asks dunning questions loads only what they need.

The imports below are the one list of the public names: type checkers read them, and at run
time ``__all__`` and the loader's table are read from their compiled form (the module's code
object), without importing anything.
"""

from __future__ import annotations

import sys

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (type checkers read the name alike).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    # One import per module, each name re-exported explicitly (``X as X``), so that type
    # checkers in strict mode see it: isort would split these into one import per name.
    # isort: off
    from billrules._apply import (
        apply as apply,
    )
    from billrules.account import (
        Account as Account,
        User as User,
    )
    from billrules.balance import (
        BalanceFacts as BalanceFacts,
        BalancePolicy as BalancePolicy,
        BonusTier as BonusTier,
        EnabledPeriod as EnabledPeriod,
        EntryKind as EntryKind,
        Ledger as Ledger,
        LedgerEntry as LedgerEntry,
        Source as Source,
        SourceKind as SourceKind,
    )
    from billrules.cancellation import (
        AccountState as AccountState,
        AccountStatus as AccountStatus,
        CancellationPolicy as CancellationPolicy,
        CancellationReason as CancellationReason,
        CancellationRequest as CancellationRequest,
        CancellationTiming as CancellationTiming,
        RequestState as RequestState,
    )
    from billrules.contract import (
        Finding as Finding,
        Suspension as Suspension,
        Transition as Transition,
    )
    from billrules.decisions import (
        Decision as Decision,
        PolicyViolation as PolicyViolation,
        Question as Question,
        Reason as Reason,
        ReasonCode as ReasonCode,
    )
    from billrules.deletion import (
        AccountActivity as AccountActivity,
        DeletionFacts as DeletionFacts,
        DeletionPolicy as DeletionPolicy,
        DeletionSchedule as DeletionSchedule,
        DeletionScheduleKind as DeletionScheduleKind,
        DeletionState as DeletionState,
    )
    from billrules.dunning import (
        AccessLevel as AccessLevel,
        Anchor as Anchor,
        DunningPolicy as DunningPolicy,
        Stage as Stage,
    )
    from billrules.errors import (
        BillRulesError as BillRulesError,
        CurrencyMismatch as CurrencyMismatch,
        FloatAmountError as FloatAmountError,
        InvalidInput as InvalidInput,
        InvalidType as InvalidType,
        NaiveDatetimeError as NaiveDatetimeError,
        OutOfCalendar as OutOfCalendar,
        UnknownTimeZone as UnknownTimeZone,
    )
    from billrules.invoices import (
        BillingDetails as BillingDetails,
        BillingProfile as BillingProfile,
        Invoice as Invoice,
        InvoiceFacts as InvoiceFacts,
        InvoicePolicy as InvoicePolicy,
        InvoiceStatus as InvoiceStatus,
        Payment as Payment,
    )
    from billrules.payment_methods import (
        CardBrand as CardBrand,
        CardBrandRule as CardBrandRule,
        CardDetails as CardDetails,
        InvalidCardDetails as InvalidCardDetails,
        PaymentMethod as PaymentMethod,
        PaymentMethodKind as PaymentMethodKind,
        PaymentMethodPolicy as PaymentMethodPolicy,
        Wallet as Wallet,
    )
    from billrules.policy import (
        DEFAULT_POLICY as DEFAULT_POLICY,
        Policy as Policy,
    )
    from billrules.report import (
        Report as Report,
        RoleReport as RoleReport,
        explain as explain,
    )
    from billrules.roles import (
        Role as Role,
    )
    from billrules.seats import (
        SeatPolicy as SeatPolicy,
        SeatPool as SeatPool,
        SeatProration as SeatProration,
    )
    from billrules.serialize import (
        account_from_json as account_from_json,
        account_from_mapping as account_from_mapping,
        account_to_json as account_to_json,
        account_to_mapping as account_to_mapping,
    )
    from billrules.subscriptions import (
        LeadPackage as LeadPackage,
        LeadPackages as LeadPackages,
        Period as Period,
        PlanChange as PlanChange,
        PlanChangeKind as PlanChangeKind,
        PlanChangeTiming as PlanChangeTiming,
        Subscription as Subscription,
        SubscriptionFacts as SubscriptionFacts,
        SubscriptionPolicy as SubscriptionPolicy,
    )
    from billrules.timeline import (
        Timeline as Timeline,
    )
    # isort: on

__version__ = "0.1.0"

#: This module's code: its imports above are read from it on first use.
_CODE = sys._getframe().f_code


def _read_exports() -> dict[str, str]:
    """Each public name and the module it is imported from, as the imports above say.

    An ``IMPORT_NAME`` of a ``billrules`` module is followed by one ``IMPORT_FROM`` per name.
    """
    import dis

    exports: dict[str, str] = {}
    module = ""
    for instruction in dis.get_instructions(_CODE):
        if instruction.opname == "IMPORT_NAME":
            module = instruction.argval
        elif instruction.opname == "IMPORT_FROM" and module.startswith("billrules."):
            exports[instruction.argval] = module
    return exports


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions, each alphabetically (isort's order)."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


# Only at run time: a type checker reads the imports above, so a name they do not list (a
# misspelt or removed one) is an error for it rather than ``Any``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Load a public name from its module on first use; ``__all__`` is built on first use too."""
        exports: dict[str, str] | None = globals().get("_EXPORTS")
        if exports is None:
            exports = _read_exports()
            globals()["_EXPORTS"] = exports
        if name == "__all__":
            value: Any = sorted([*exports, "__version__"], key=_isort_key)
        else:
            module = exports.get(name)
            if module is None:
                raise AttributeError(f"module 'billrules' has no attribute {name!r}")
            value = getattr(__import__(module, fromlist=(name,)), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        names: list[str] = __getattr__("__all__")
        return sorted(set(globals()) | set(names))
