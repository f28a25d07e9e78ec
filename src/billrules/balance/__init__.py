"""The prepaid balance: a ledger of payments, bonuses, monthly charges and adjustments.

Decides BAL-1 … BAL-7 (see ``docs/policies.md``):

- BAL-1 only an admin (or the owner) may top up the balance;
- BAL-2 a top-up may earn a bonus by configurable tiers (none by default);
- BAL-3 a confirmed payment is credited to the balance at once;
- BAL-4 a month's usage is charged on the 1st of the next month, in the account's zone;
- BAL-5 the base tariff (19.00 USD) is charged every month; integrations and communication
  sources add a daily-prorated charge for the days they were enabled;
- BAL-6 the balance view: current balance, usage accrued this month, history;
- BAL-7 prepaid mode never charges a card: charges are drawn from the balance only.

Facts: :class:`LedgerEntry`, :class:`Ledger`, :class:`Source`, :class:`BalanceFacts`, and the
area's own, :class:`PrepaidFacts` (the ledger, the account's creation, the spans not billed).
Policy: :class:`BalancePolicy`. Every instant is timezone-aware; days and months are local to
the account's zone. The area contract: :class:`BalanceCode`, :class:`BalanceQuestion`,
:func:`findings`, :func:`role_findings` and :func:`transitions` (the monthly charges, BAL-4,
each a ``DebitBalance`` whose ledger entry :func:`billrules.apply` adds), all over
:class:`PrepaidFacts`.

A ledger computes its balance history once, when it is built: the balance and the start of
the debt at an instant (:func:`balance_at`, :func:`debt_started_at`,
:meth:`BalanceFacts.from_ledger`) are a binary search, not a sum, and the stretches of debt
(:func:`debt_periods`) are read from it. These are what the other areas read of a ledger
(dunning, deletion): never the area's private names.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from billrules import _lazy
from billrules.area import Area
from billrules.balance import _contract
from billrules.balance._codes import AREA as _AREA_NAME
from billrules.balance._codes import BalanceCode, BalanceKind, BalanceQuestion
from billrules.balance._contract import findings, role_findings, transitions
from billrules.balance._facts import (
    BalanceFacts,
    ChargeLine,
    EnabledPeriod,
    EntryKind,
    Ledger,
    LedgerEntry,
    PrepaidFacts,
    Source,
    SourceKind,
)
from billrules.balance._ledger import balance_at, debt_month, debt_periods, debt_started_at
from billrules.balance._policy import DEFAULT_BASE_TARIFF, BalancePolicy, BonusTier
from billrules.balance._top_up import bonus_for, can_top_up, top_up

if TYPE_CHECKING:
    from billrules.balance._charges import (
        BalanceView,
        ChargeResult,
        Usage,
        balance_view,
        charge_month,
        monthly_charge,
        usage_to_date,
    )

__all__ = [
    "AREA",
    "DEFAULT_BASE_TARIFF",
    "BalanceCode",
    "BalanceFacts",
    "BalanceKind",
    "BalancePolicy",
    "BalanceQuestion",
    "BalanceView",
    "BonusTier",
    "ChargeLine",
    "ChargeResult",
    "EnabledPeriod",
    "EntryKind",
    "Ledger",
    "LedgerEntry",
    "PrepaidFacts",
    "Source",
    "SourceKind",
    "Usage",
    "balance_at",
    "balance_view",
    "bonus_for",
    "can_top_up",
    "charge_month",
    "debt_month",
    "debt_periods",
    "debt_started_at",
    "findings",
    "monthly_charge",
    "role_findings",
    "top_up",
    "transitions",
    "usage_to_date",
]


#: The balance area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="BAL",
    codes=BalanceCode,
    questions=BalanceQuestion,
    kinds=BalanceKind,
    policy=BalancePolicy,
    contract=_contract,
)

# The names imported under ``TYPE_CHECKING`` are loaded on first use (PEP 562): they serve
# operations no question needs, so importing the area does not load their modules. Type
# checkers read the imports themselves, so they do not see the loader.
if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)
