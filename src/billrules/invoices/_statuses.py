"""Invoice statuses (INV-2), issuing (INV-4), the outstanding balance and payment allocation
(INV-3).

Part of :mod:`billrules.invoices`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated

import attrs
from moneyed import Currency, Money

from billrules import _money, _redact
from billrules import _validate as v
from billrules._check import LABEL, checked
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput
from billrules.invoices._codes import InvoiceCode
from billrules.invoices._facts import (
    _DISPLAY,
    DUE_STATUSES,
    FINAL_STATUSES,
    STATUS_CHANGES,
    BillingProfile,
    DisplayStatus,
    Invoice,
    InvoiceStatus,
    _outstanding_of,
    _settlement_key,
)

_S = InvoiceStatus
_to_status = v.enum_member(InvoiceStatus, "to")


# --------------------------------------------------------------------------------------------
# INV-2: statuses


@checked
def can_change_status(invoice: Invoice, *, to: InvoiceStatus | str) -> Decision:
    """Whether ``invoice`` may move to the status ``to``. Decides INV-2.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.invoices import Invoice, can_change_status
    >>> jan = datetime(2024, 1, 1, tzinfo=UTC)
    >>> paid = Invoice(id="inv-1", status="paid", amount=Money("49", "USD"),
    ...                issued_at=jan, due_at=jan, paid_at=jan)
    >>> decision = can_change_status(paid, to="failed")
    >>> decision.allowed, [str(code) for code in decision.codes]
    (False, ['invoice_status_final'])
    """
    target = _to_status(to)
    status = invoice.status
    details = {"invoice_id": invoice.id, "from": str(status), "to": str(target)}
    if target in STATUS_CHANGES[status]:
        return trusted_decision(True, (trusted_reason(InvoiceCode.TRANSITION_ALLOWED, details),))
    if status in FINAL_STATUSES:
        return trusted_decision(False, (trusted_reason(InvoiceCode.STATUS_FINAL, details),))
    allowed = tuple(sorted(str(option) for option in STATUS_CHANGES[status]))
    return trusted_decision(
        False,
        (trusted_reason(InvoiceCode.TRANSITION_NOT_ALLOWED, {**details, "allowed": allowed}),),
    )


@checked
def change_status(
    invoice: Invoice,
    *,
    to: InvoiceStatus | str,
    at: datetime,
    method: Annotated[str, LABEL] | None = None,
) -> Invoice:
    """``invoice`` moved to the status ``to`` at the instant ``at``. Decides INV-2.

    Moving to ``paid`` records the rest of the amount as paid at ``at`` (with ``method``, the
    masked label of the payment method, if given).

    Raises:
        PolicyViolation: the change is not in :data:`STATUS_CHANGES`; ``invoice`` is unchanged.
        NaiveDatetimeError: ``at`` has no time zone.
    """
    can_change_status(invoice, to=to).require()
    target = InvoiceStatus(to)  # a status: can_change_status has refused anything else
    if target is _S.PAID:
        return attrs.evolve(
            invoice,
            status=target,
            amount_paid=invoice.amount,
            paid_at=max(at, invoice.issued_at),
            method=method if method is not None else invoice.method,
        )
    return attrs.evolve(invoice, status=target)


@checked
def is_overdue(invoice: Invoice, *, at: datetime) -> bool:
    """Whether ``invoice`` is overdue at ``at``. Decides INV-2.

    Overdue means money still due: the invoice is submitted or failed, its due date has passed
    (``at`` is after ``due_at``) and an amount is still due on it. ``overdue`` is derived at the
    instant asked about, never stored; a paid, cancelled or scheduled invoice is never overdue.
    """
    return _overdue(invoice, at)


def _overdue(invoice: Invoice, at: datetime) -> bool:
    return invoice.status in DUE_STATUSES and at > invoice.due_at and invoice.amount_due.amount > 0


@checked
def display_status(invoice: Invoice, *, at: datetime) -> DisplayStatus:
    """The status shown at ``at``: the stored one, or ``"overdue"`` when it is derived (INV-2)."""
    return _display(invoice, at)


def _display(invoice: Invoice, at: datetime) -> DisplayStatus:
    if _overdue(invoice, at):
        return "overdue"
    return _DISPLAY[invoice.status]


@checked
def issue(invoice: Invoice, *, profile: BillingProfile) -> Invoice:
    """Issue a scheduled invoice, stamped with the billing details in effect when it is issued.

    Decides INV-2 (scheduled → submitted) and INV-4 (details are those in effect at
    ``issued_at``; later changes never touch it).

    Raises:
        PolicyViolation: ``invoice`` is not scheduled.
    """
    issued = change_status(invoice, to=_S.SUBMITTED, at=invoice.issued_at)
    return attrs.evolve(issued, billing_details=profile.details_at(invoice.issued_at))


# --------------------------------------------------------------------------------------------
# INV-3: outstanding balance and payment allocation


@checked
def settlement_order(invoices: Iterable[Invoice]) -> tuple[Invoice, ...]:
    """``invoices`` in settlement order: oldest due first, then oldest issued, then id (INV-3)."""
    return tuple(sorted(invoices, key=_settlement_key))


@checked
def outstanding_invoices(invoices: Iterable[Invoice]) -> tuple[Invoice, ...]:
    """The submitted and failed invoices with money still due, in settlement order (INV-3)."""
    return _outstanding_of(invoices)


@checked
def outstanding(invoices: Iterable[Invoice], *, currency: Currency | str) -> Money:
    """The total still due on submitted and failed invoices, overdue ones included. Decides INV-3.

    Raises:
        CurrencyMismatch: an invoice is not in ``currency``.
    """
    code = _money.to_currency(currency, "currency")
    return _money.total((inv.amount_due for inv in invoices), code, "invoices")


@attrs.frozen(kw_only=True)
class AllocationLine:
    """Part of a payment applied to one invoice (INV-3)."""

    invoice_id: str
    amount: Money
    settles: bool


@attrs.frozen(kw_only=True)
class Allocation:
    """How a payment is split over invoices, oldest due first, and the credit left over (INV-3)."""

    payment: Money
    lines: tuple[AllocationLine, ...]
    credit: Money

    @property
    def applied(self) -> Money:
        """The part of the payment applied to invoices."""
        return _money.total((line.amount for line in self.lines), self.payment.currency)


def _check_invoices(invoices: Sequence[Invoice], currency: Currency) -> None:
    seen: set[str] = set()
    for index, invoice in enumerate(invoices):
        _money.require_currency(invoice.amount, currency, f"invoices[{index}].amount")
        if invoice.id in seen:
            raise InvalidInput(
                f"invoices[{index}].id", f"duplicate invoice id {_redact.shown(invoice.id)}"
            )
        seen.add(invoice.id)


@checked
def allocate_payment(invoices: Iterable[Invoice], *, payment: Money) -> Allocation:
    """Split ``payment`` over the outstanding invoices, oldest due first. Decides INV-3.

    Each invoice receives at most what is due on it; whatever is left is credit, never a
    negative invoice.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.invoices import Invoice, allocate_payment
    >>> def overdue(id, month):
    ...     at = datetime(2024, month, 1, tzinfo=UTC)
    ...     return Invoice(id=id, status="submitted", amount=Money("100", "USD"),
    ...                    issued_at=at, due_at=at)
    >>> allocation = allocate_payment([overdue("inv-2", 2), overdue("inv-1", 1)],
    ...                               payment=Money("150", "USD"))
    >>> [(line.invoice_id, line.amount.amount, line.settles) for line in allocation.lines]
    [('inv-1', Decimal('100'), True), ('inv-2', Decimal('50'), False)]
    >>> allocation.credit.amount
    Decimal('0')

    Raises:
        InvalidInput: ``payment`` is not more than zero, or two invoices share an id.
        CurrencyMismatch: an invoice is in another currency than ``payment``.
    """
    if payment.amount <= 0:
        raise InvalidInput("payment", "must be more than zero")
    items = tuple(invoices)
    _check_invoices(items, payment.currency)
    remaining = payment
    lines: list[AllocationLine] = []
    for invoice in outstanding_invoices(items):
        if remaining.amount <= 0:
            break
        due = invoice.amount_due
        applied = min(due, remaining)
        lines.append(AllocationLine(invoice_id=invoice.id, amount=applied, settles=applied == due))
        remaining -= applied
    return Allocation(payment=payment, lines=tuple(lines), credit=remaining)


@attrs.frozen(kw_only=True)
class PaymentApplication:
    """The invoices after a payment (in their original order) and how it was allocated (INV-3)."""

    invoices: tuple[Invoice, ...]
    allocation: Allocation


@checked
def apply_payment(
    invoices: Iterable[Invoice],
    *,
    payment: Money,
    at: datetime,
    method: Annotated[str, LABEL] | None = None,
) -> PaymentApplication:
    """Apply ``payment`` received at ``at``; invoices paid in full become ``paid``. Decides INV-3.

    A partly paid invoice keeps its status and records the part paid. The excess is
    ``allocation.credit``.

    Raises:
        InvalidInput, CurrencyMismatch: as :func:`allocate_payment`.
        NaiveDatetimeError: ``at`` has no time zone.
    """
    items = tuple(invoices)
    allocation = allocate_payment(items, payment=payment)
    by_id = {line.invoice_id: line for line in allocation.lines}
    updated: list[Invoice] = []
    for invoice in items:
        line = by_id.get(invoice.id)
        if line is None:
            updated.append(invoice)
        elif line.settles:
            updated.append(change_status(invoice, to=_S.PAID, at=at, method=method))
        else:
            updated.append(attrs.evolve(invoice, amount_paid=invoice.amount_paid + line.amount))
    return PaymentApplication(invoices=tuple(updated), allocation=allocation)
