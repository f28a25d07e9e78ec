"""The self-service history window (INV-1), downloads (INV-6), history rows, payments made
and statements (INV-5).

Part of :mod:`billrules.invoices`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules._check import checked
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.invoices._codes import InvoiceCode
from billrules.invoices._facts import (
    BillingDetails,
    DisplayStatus,
    Invoice,
    InvoiceStatus,
    Payment,
)
from billrules.invoices._policy import InvoicePolicy
from billrules.invoices._statuses import _display

_S = InvoiceStatus


# --------------------------------------------------------------------------------------------
# INV-1, INV-6: history window and download


def _issued_on(invoice: Invoice, zone: ZoneInfo) -> date:
    return _time.local_date(invoice.issued_at, zone)


def _in_window(invoice: Invoice, policy: InvoicePolicy, zone: ZoneInfo) -> bool:
    return _issued_on(invoice, zone) >= policy.history_cutoff


@checked
def can_view(invoice: Invoice, policy: InvoicePolicy, *, zone: ZoneInfo | str) -> Decision:
    """Whether ``invoice`` is inside the self-service history window. Decides INV-1.

    The window starts at ``policy.history_cutoff`` (inclusive), compared with the invoice's
    issue date in the account's ``zone``. Older invoices are available from support.
    """
    tz = _time.to_zone(zone)
    issued_on = _issued_on(invoice, tz)
    details = {
        "invoice_id": invoice.id,
        "issued_on": issued_on,
        "history_cutoff": policy.history_cutoff,
    }
    if issued_on >= policy.history_cutoff:
        return trusted_decision(True, (trusted_reason(InvoiceCode.IN_HISTORY_WINDOW, details),))
    return trusted_decision(
        False,
        (
            trusted_reason(
                InvoiceCode.BEFORE_HISTORY_CUTOFF, {**details, "contact": policy.support_contact}
            ),
        ),
    )


@checked
def can_download(invoice: Invoice, policy: InvoicePolicy, *, zone: ZoneInfo | str) -> Decision:
    """Whether ``invoice`` can be downloaded: issued and inside the history window.

    Decides INV-6 and INV-1.
    """
    window = can_view(invoice, policy, zone=zone)
    if invoice.status is _S.SCHEDULED:
        not_issued = trusted_reason(InvoiceCode.NOT_ISSUED, {"invoice_id": invoice.id})
        return trusted_decision(
            False, (not_issued, *(r for r in window.reasons if not window.allowed))
        )
    return window


@attrs.frozen(kw_only=True)
class InvoiceDocument:
    """An invoice as it is printed for download (INV-4, INV-6)."""

    invoice_id: str
    issued_on: date
    due_on: date
    amount: Money
    amount_due: Money
    status: DisplayStatus
    billing_details: BillingDetails | None
    method: str | None


@checked
def download(
    invoice: Invoice, policy: InvoicePolicy, *, at: datetime, zone: ZoneInfo | str
) -> InvoiceDocument:
    """The printable document of ``invoice``, as of ``at``. Decides INV-6 and INV-1.

    Raises:
        PolicyViolation: carrying :func:`can_download`'s refusal.
    """
    tz = _time.to_zone(zone)
    can_download(invoice, policy, zone=tz).require()
    return InvoiceDocument(
        invoice_id=invoice.id,
        issued_on=_issued_on(invoice, tz),
        due_on=_time.local_date(invoice.due_at, tz),
        amount=invoice.amount,
        amount_due=invoice.amount_due,
        status=_display(invoice, at),
        billing_details=invoice.billing_details,
        method=invoice.method,
    )


# --------------------------------------------------------------------------------------------
# INV-5: history rows, payments made, statement


@attrs.frozen(kw_only=True)
class HistoryRow:
    """One row of the invoice history (INV-5)."""

    invoice_id: str
    issued_on: date
    amount: Money
    payment_date: date | None
    method: str | None
    status: DisplayStatus


@checked
def history(
    invoices: Iterable[Invoice], policy: InvoicePolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[HistoryRow, ...]:
    """The self-service invoice history at ``at``, newest first. Decides INV-5 and INV-1.

    Lists every invoice issued by ``at`` (not ``scheduled``) whose issue date is on or after
    the cutoff; older ones are left to support.
    """
    tz = _time.to_zone(zone)
    shown = [
        inv
        for inv in invoices
        if inv.status is not _S.SCHEDULED and inv.issued_at <= at and _in_window(inv, policy, tz)
    ]
    shown.sort(key=lambda inv: (inv.issued_at, inv.id), reverse=True)
    return tuple(
        HistoryRow(
            invoice_id=inv.id,
            issued_on=_issued_on(inv, tz),
            amount=inv.amount,
            payment_date=None if inv.paid_at is None else _time.local_date(inv.paid_at, tz),
            method=inv.method,
            status=_display(inv, at),
        )
        for inv in shown
    )


def _window(start: datetime, end: datetime) -> None:
    _time.require_window(start, end)


@checked
def payments_made(
    payments: Iterable[Payment], *, start: datetime, end: datetime
) -> tuple[Payment, ...]:
    """The payments received in ``[start, end)``, oldest first (INV-5)."""
    _window(start, end)
    return tuple(
        sorted((p for p in payments if start <= p.paid_at < end), key=lambda p: (p.paid_at, p.id))
    )


@attrs.frozen(kw_only=True)
class StatementLine:
    """A charge or a payment on a statement, with the balance after it (INV-5).

    ``balance`` is what the customer owes after the line: charges raise it, payments lower it
    (a negative balance is credit).
    """

    at: datetime = attrs.field(eq=_time.instant_key)
    kind: Literal["charge", "payment"]
    reference: str
    amount: Money
    balance: Money


@attrs.frozen(kw_only=True)
class Statement:
    """Charges and payments over ``[start, end)``: opening, running and closing balances (INV-5)."""

    start: datetime = attrs.field(eq=_time.instant_key)
    end: datetime = attrs.field(eq=_time.instant_key)
    opening_balance: Money
    lines: tuple[StatementLine, ...]
    closing_balance: Money
    total_charged: Money
    total_paid: Money


_CHARGED_STATUSES: Final = frozenset({_S.SUBMITTED, _S.PAID, _S.FAILED, _S.UNCOLLECTIBLE})


@checked
def statement(
    invoices: Iterable[Invoice],
    *,
    payments: Iterable[Payment],
    start: datetime,
    end: datetime,
    currency: Currency | str,
) -> Statement:
    """A statement of account for ``[start, end)``. Decides INV-5.

    Charges are the issued invoices (submitted, paid, failed or written off, OVD-6; scheduled
    and cancelled ones are not owed) at their issue instant; payments at their instant. The opening balance is
    everything charged minus everything paid before ``start``. At the same instant a charge
    comes before a payment.

    Raises:
        CurrencyMismatch: an invoice or payment is not in ``currency``.
    """
    _window(start, end)
    code = _money.to_currency(currency, "currency")
    entries: list[tuple[datetime, int, str, Money]] = []
    for invoice in invoices:
        if invoice.status in _CHARGED_STATUSES:
            amount = _money.require_currency(invoice.amount, code, f"invoice {invoice.id}")
            entries.append((invoice.issued_at, 0, invoice.id, amount))
    for payment in payments:
        amount = _money.require_currency(payment.amount, code, f"payment {payment.id}")
        entries.append((payment.paid_at, 1, payment.id, -amount))
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    opening = _money.total((e[3] for e in entries if e[0] < start), code)
    running = opening
    lines: list[StatementLine] = []
    for at, order, reference, signed in entries:
        if start <= at < end:
            running += signed
            lines.append(
                StatementLine(
                    at=at,
                    kind="charge" if order == 0 else "payment",
                    reference=reference,
                    amount=abs(signed),
                    balance=running,
                )
            )
    charged = _money.total((line.amount for line in lines if line.kind == "charge"), code)
    paid = _money.total((line.amount for line in lines if line.kind == "payment"), code)
    return Statement(
        start=start,
        end=end,
        opening_balance=opening,
        lines=tuple(lines),
        closing_balance=running,
        total_charged=charged,
        total_paid=paid,
    )
