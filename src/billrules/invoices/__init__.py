"""Invoices: statuses, outstanding balance, payments, billing details, history and statements.

Decides INV-1 … INV-6 (see ``docs/policies.md``):

- INV-1 the self-service history starts at a cutoff date (2021-01-01, inclusive);
- INV-2 statuses and their table of status changes (with ``uncollectible``, written off but
  still payable, OVD-6); ``overdue`` is derived at an instant, and an invoice with money due
  falls due at its ``due_at`` (:func:`transitions`); an invoice's charge attempts
  (:class:`ChargeAttempt`) are the facts the overdue area retries from (OVD-1);
- INV-3 outstanding balance, and payments settling the oldest due invoice first, any excess
  left as credit;
- INV-4 billing details (name, address) apply to invoices issued at or after a change;
- INV-5 history rows, payments made, and a statement with opening, running and closing balances;
- INV-6 an issued invoice inside the history window can be downloaded.

Facts: :class:`Invoice`, :class:`Payment`, :class:`BillingDetails`, :class:`BillingProfile`,
and :class:`InvoiceFacts` (an account's invoices and payments, the facts of the area contract:
:func:`findings`, :func:`role_findings`, :func:`transitions`). Policy: :class:`InvoicePolicy`.
Reasons: :class:`InvoiceCode`; questions: :class:`InvoiceQuestion`; transition kinds:
:class:`InvoiceKind`. Every instant is timezone-aware; dates shown to people (issue date,
cutoff) are taken in the account's zone.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from billrules import _lazy
from billrules.area import Area
from billrules.invoices import _contract
from billrules.invoices._codes import AREA as _AREA_NAME
from billrules.invoices._codes import InvoiceCode, InvoiceKind, InvoiceQuestion
from billrules.invoices._contract import findings, role_findings, transitions
from billrules.invoices._facts import (
    DUE_STATUSES,
    FINAL_STATUSES,
    STATUS_CHANGES,
    AttemptOutcome,
    BillingDetails,
    BillingDetailsChange,
    BillingProfile,
    ChargeAttempt,
    DisplayStatus,
    Invoice,
    InvoiceFacts,
    InvoiceStatus,
    Payment,
)
from billrules.invoices._policy import InvoicePolicy
from billrules.invoices._statuses import (
    Allocation,
    AllocationLine,
    PaymentApplication,
    allocate_payment,
    apply_payment,
    can_change_status,
    change_status,
    display_status,
    is_overdue,
    issue,
    outstanding,
    outstanding_invoices,
    settlement_order,
)

if TYPE_CHECKING:
    from billrules.invoices._history import (
        HistoryRow,
        InvoiceDocument,
        Statement,
        StatementLine,
        can_download,
        can_view,
        download,
        history,
        payments_made,
        statement,
    )

__all__ = [
    "AREA",
    "DUE_STATUSES",
    "FINAL_STATUSES",
    "STATUS_CHANGES",
    "Allocation",
    "AllocationLine",
    "AttemptOutcome",
    "BillingDetails",
    "BillingDetailsChange",
    "BillingProfile",
    "ChargeAttempt",
    "DisplayStatus",
    "HistoryRow",
    "Invoice",
    "InvoiceCode",
    "InvoiceDocument",
    "InvoiceFacts",
    "InvoiceKind",
    "InvoicePolicy",
    "InvoiceQuestion",
    "InvoiceStatus",
    "Payment",
    "PaymentApplication",
    "Statement",
    "StatementLine",
    "allocate_payment",
    "apply_payment",
    "can_change_status",
    "can_download",
    "can_view",
    "change_status",
    "display_status",
    "download",
    "findings",
    "history",
    "is_overdue",
    "issue",
    "outstanding",
    "outstanding_invoices",
    "payments_made",
    "role_findings",
    "settlement_order",
    "statement",
    "transitions",
]


#: The invoices area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="INV",
    codes=InvoiceCode,
    questions=InvoiceQuestion,
    kinds=InvoiceKind,
    policy=InvoicePolicy,
    contract=_contract,
    terms=tuple(str(term) for term in tuple(InvoiceStatus)),
    colour="#00838f",
)

# The names imported under ``TYPE_CHECKING`` are loaded on first use (PEP 562): they serve
# operations no question needs, so importing the area does not load their modules. Type
# checkers read the imports themselves, so they do not see the loader.
if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)
