"""billrules: the billing policies of SaaS and CRM products as pure, typed Python.

Questions return a :class:`Decision` with its reasons and rule IDs; operations return new
values and :mod:`effects <billrules.effects>` for the host to carry out, or raise
:class:`PolicyViolation` carrying the refusal. Nothing here reads a clock or performs I/O.
"""

from __future__ import annotations

from billrules.decisions import Decision, PolicyViolation, Reason
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
from billrules.roles import Role

__all__ = [
    "BillRulesError",
    "BillingDetails",
    "BillingProfile",
    "CurrencyMismatch",
    "Decision",
    "FloatAmountError",
    "InvalidInput",
    "InvalidType",
    "Invoice",
    "InvoicePolicy",
    "InvoiceStatus",
    "NaiveDatetimeError",
    "Payment",
    "PolicyViolation",
    "Reason",
    "Role",
    "UnknownTimeZone",
    "__version__",
]

__version__ = "0.1.0"
