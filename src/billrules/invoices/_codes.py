"""The invoices area's reason codes, questions and transition kinds (INV-1 … INV-6).

Part of :mod:`billrules.invoices`; import the public names from there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "invoices"


class InvoiceCode(ReasonCode, area=AREA):
    """Every reason the invoices area gives, with its rule and its English sentence (INV-1 … INV-6)."""

    #: INV-2: the status table allows the move.
    TRANSITION_ALLOWED = (
        "invoice_transition_allowed",
        "INV-2",
        "An invoice may go from {from} to {to}.",
    )
    #: INV-2: ``paid`` and ``cancelled`` are final.
    STATUS_FINAL = (
        "invoice_status_final",
        "INV-2",
        "Invoice {invoice_id} is {from}, a final status.",
    )
    #: INV-2: the status table does not allow the move; ``allowed`` lists what it does.
    TRANSITION_NOT_ALLOWED = (
        "invoice_transition_not_allowed",
        "INV-2",
        "Invoice {invoice_id} cannot go from {from} to {to}; from {from} it may go to {allowed}.",
    )
    #: INV-2: an invoice with money due falls due; unpaid after it, it is overdue.
    INVOICE_DUE = (
        "invoice_due",
        "INV-2",
        "Invoice {invoice_id} is due; unpaid after this instant it is overdue ({amount_due} due).",
    )
    #: INV-2: the invoices overdue at the instant asked about.
    INVOICES_OVERDUE = "invoices_overdue", "INV-2", "Overdue: {overdue_ids}."
    #: INV-3: money is still due on submitted or failed invoices.
    AMOUNT_OUTSTANDING = (
        "amount_outstanding",
        "INV-3",
        "{amount} is outstanding on invoices {invoice_ids}.",
    )
    #: INV-3: no invoice has money still due.
    NOTHING_OUTSTANDING = "nothing_outstanding", "INV-3", "No invoice has money still due."
    #: INV-1: the invoice is inside the self-service history window.
    IN_HISTORY_WINDOW = (
        "in_history_window",
        "INV-1",
        "Invoices from {history_cutoff} on are available here.",
    )
    #: INV-1: the invoice was issued before the cutoff; support has it.
    BEFORE_HISTORY_CUTOFF = (
        "before_history_cutoff",
        "INV-1",
        "Invoices issued before {history_cutoff} are not available here; "
        "contact {contact} for a copy.",
    )
    #: INV-1: every issued invoice is in the self-service history.
    HISTORY_WINDOW = (
        "history_window",
        "INV-1",
        "{listed} of {issued} issued invoices are in the self-service history "
        "(from {history_cutoff}).",
    )
    #: INV-6: a scheduled invoice has not been issued and cannot be downloaded.
    NOT_ISSUED = (
        "invoice_not_issued",
        "INV-6",
        "Invoice {invoice_id} is scheduled and has not been issued yet.",
    )


class InvoiceQuestion(Question, area=AREA):
    """The questions :func:`~billrules.invoices.findings` answers (INV-1, INV-3)."""

    NOTHING_OUTSTANDING = "nothing_outstanding", "Nothing is outstanding.", "{amount} outstanding."
    ALL_IN_HISTORY = (
        "all_in_history",
        "{listed} of {issued} issued invoices in the self-service history.",
    )


class InvoiceKind(StrEnum):
    """The kinds of the invoices area's transitions (INV-2)."""

    #: An invoice with money due reaches its due instant; unpaid after it, it is overdue.
    INVOICE_OVERDUE = "invoice_overdue"
