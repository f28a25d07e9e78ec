"""Invoices: statuses, outstanding balance, payments, billing details, history and statements.

Decides INV-1 … INV-6 (see ``docs/policies.md``):

- INV-1 the self-service history starts at a cutoff date (2021-01-01, inclusive);
- INV-2 statuses and their transition table; ``overdue`` is derived at an instant;
- INV-3 outstanding balance, and payments settling the oldest due invoice first, any excess
  left as credit;
- INV-4 billing details (name, address) apply to invoices issued at or after a change;
- INV-5 history rows, payments made, and a statement with opening, running and closing balances;
- INV-6 an issued invoice inside the history window can be downloaded.

Facts: :class:`Invoice`, :class:`Payment`, :class:`BillingDetails`, :class:`BillingProfile`.
Policy: :class:`InvoicePolicy`. Every instant is timezone-aware; dates shown to people (issue
date, cutoff) are taken in the account's zone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Final, Literal
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _redact, _time
from billrules import _validate as v
from billrules._check import LABEL, checked
from billrules.decisions import Decision, Reason
from billrules.errors import InvalidInput, InvalidType

__all__ = [
    "FINAL_STATUSES",
    "TRANSITIONS",
    "Allocation",
    "AllocationLine",
    "BillingDetails",
    "BillingDetailsChange",
    "BillingProfile",
    "HistoryRow",
    "Invoice",
    "InvoiceDocument",
    "InvoicePolicy",
    "InvoiceStatus",
    "Payment",
    "PaymentApplication",
    "Statement",
    "StatementLine",
    "allocate_payment",
    "apply_payment",
    "can_download",
    "can_transition",
    "can_view",
    "display_status",
    "download",
    "history",
    "is_overdue",
    "issue",
    "outstanding",
    "outstanding_invoices",
    "payments_made",
    "settlement_order",
    "statement",
    "transition",
]


class InvoiceStatus(StrEnum):
    """The stored status of an invoice (INV-2). ``overdue`` is derived, never stored."""

    SCHEDULED = "scheduled"
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


_S = InvoiceStatus

#: INV-2: the statuses each status may move to. ``paid`` and ``cancelled`` are final.
TRANSITIONS: Final[Mapping[InvoiceStatus, frozenset[InvoiceStatus]]] = MappingProxyType(
    {
        _S.SCHEDULED: frozenset({_S.SUBMITTED, _S.CANCELLED}),
        _S.SUBMITTED: frozenset({_S.PAID, _S.FAILED, _S.CANCELLED}),
        _S.FAILED: frozenset({_S.PAID, _S.CANCELLED}),
        _S.PAID: frozenset(),
        _S.CANCELLED: frozenset(),
    }
)

#: INV-2: statuses no transition leaves.
FINAL_STATUSES: Final[frozenset[InvoiceStatus]] = frozenset(
    status for status, targets in TRANSITIONS.items() if not targets
)

#: INV-3: the statuses whose unpaid amount is still due.
_DUE_STATUSES: Final = frozenset({_S.SUBMITTED, _S.FAILED})

DisplayStatus = Literal["scheduled", "submitted", "paid", "failed", "cancelled", "overdue"]

_DISPLAY: Final[Mapping[InvoiceStatus, DisplayStatus]] = MappingProxyType(
    {
        _S.SCHEDULED: "scheduled",
        _S.SUBMITTED: "submitted",
        _S.PAID: "paid",
        _S.FAILED: "failed",
        _S.CANCELLED: "cancelled",
    }
)


def _masked_label(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    """A payment-method label that shows at most the last four digits of a card (PM-6).

    Digits are counted once spaces, dashes and dots are removed (:func:`_validate.label`).
    """
    v.masked_label(instance, attribute, value)


# --------------------------------------------------------------------------------------------
# Facts


@attrs.frozen(kw_only=True)
class BillingDetails:
    """The name and address printed on an invoice (INV-4)."""

    name: str = attrs.field(validator=v.text)
    address: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class BillingDetailsChange:
    """Billing details in effect from ``effective_at`` on (INV-4)."""

    effective_at: datetime = attrs.field(validator=v.instant)
    details: BillingDetails = attrs.field(validator=v.instance_of(BillingDetails))


def _changes(value: object) -> tuple[BillingDetailsChange, ...]:
    return v.tuple_of(BillingDetailsChange, "BillingProfile.changes")(value)


@attrs.frozen(kw_only=True)
class BillingProfile:
    """The effective-dated history of an account's billing details (INV-4).

    ``changes`` are in strictly increasing order of ``effective_at``. A change applies to
    invoices issued at or after it; earlier invoices keep the details they were issued with.

    >>> from datetime import datetime, UTC
    >>> from billrules.invoices import BillingDetails, BillingProfile
    >>> acme = BillingDetails(name="Acme LLC", address="1 Main St")
    >>> profile = BillingProfile().change(acme, at=datetime(2024, 3, 1, tzinfo=UTC))
    >>> profile.details_at(datetime(2024, 2, 29, tzinfo=UTC)) is None
    True
    >>> profile.details_at(datetime(2024, 3, 1, tzinfo=UTC)).name
    'Acme LLC'
    """

    changes: tuple[BillingDetailsChange, ...] = attrs.field(default=(), converter=_changes)

    @changes.validator
    def _check_order(
        self, attribute: attrs.Attribute[object], value: tuple[BillingDetailsChange, ...]
    ) -> None:
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            if after.effective_at <= before.effective_at:
                raise InvalidInput(
                    f"BillingProfile.changes[{index}].effective_at",
                    f"must be after changes[{index - 1}].effective_at",
                )

    def details_at(self, at: datetime) -> BillingDetails | None:
        """The details in effect at the instant ``at`` (INV-4), or ``None`` before the first."""
        _time.require_aware(at, "at")
        current: BillingDetails | None = None
        for change in self.changes:
            if change.effective_at > at:
                break
            current = change.details
        return current

    def change(self, details: BillingDetails, *, at: datetime) -> BillingProfile:
        """A new profile where ``details`` apply from ``at`` on (INV-4).

        Changes are prospective: ``at`` must come after the latest change.

        Raises:
            InvalidInput: ``at`` is not after the latest change.
        """
        _time.require_aware(at, "at")
        if not isinstance(details, BillingDetails):
            raise InvalidType("details", f"must be BillingDetails, not {type(details).__name__}")
        if self.changes and at <= self.changes[-1].effective_at:
            raise InvalidInput(
                "at", "billing details change prospectively: must be after the latest change"
            )
        return BillingProfile(
            changes=(*self.changes, BillingDetailsChange(effective_at=at, details=details))
        )


def _status(value: object, field: str = "Invoice.status") -> InvoiceStatus:
    return v.enum_member(InvoiceStatus, field)(value)


def _check_something_due(invoice: Invoice) -> None:
    """INV-2: a scheduled, submitted or failed invoice has money to pay.

    No transition produces a submitted or failed invoice with nothing left to pay: a payment
    that settles an invoice makes it ``paid``. A scheduled invoice of zero would become one
    when issued, so it is refused too: an invoice for nothing is recorded as paid.
    """
    if invoice.status in _DUE_STATUSES or invoice.status is _S.SCHEDULED:
        if not invoice.amount.amount > 0:
            raise InvalidInput(
                "Invoice.amount",
                f"must be more than zero on a {invoice.status} invoice "
                "(INV-2: an invoice for nothing is recorded as paid)",
            )
        if invoice.amount_paid >= invoice.amount:
            raise InvalidInput(
                "Invoice.amount_paid",
                f"must be less than Invoice.amount on a {invoice.status} invoice "
                "(INV-2: one with nothing left to pay is paid)",
            )


def _default_paid(invoice: Invoice) -> Money:
    """All of it on a paid invoice, nothing otherwise."""
    amount = invoice.amount
    if not isinstance(amount, Money):
        # Defaults run before validators: a bad ``amount`` is reported by its own validator.
        return Money(0, "XXX")
    return amount if invoice.status is _S.PAID else _money.zero(amount.currency)


@attrs.frozen(kw_only=True)
class Invoice:
    """An invoice as the host stores it (INV-2, INV-3, INV-4).

    Attributes:
        id: The host's identifier.
        status: The stored status (INV-2).
        amount: The amount charged: zero or more on a paid or cancelled invoice, more than
            zero otherwise (an invoice for nothing is recorded as paid, INV-2).
        issued_at: When it was (or, for ``scheduled``, will be) issued.
        due_at: When payment is due; not before ``issued_at``.
        amount_paid: What has been paid towards it so far (partial payments count, INV-3);
            defaults to the whole amount on a paid invoice and to zero otherwise. On a
            submitted or failed invoice it is less than ``amount``: money is still due, since
            no transition leaves such an invoice with nothing to pay (INV-2).
        paid_at: When it was paid in full; set exactly when the status is ``paid``.
        method: The masked label of the payment method it was charged to, if any (INV-5).
        billing_details: The name and address printed on it (INV-4).
    """

    id: str = attrs.field(validator=v.text)
    status: InvoiceStatus = attrs.field(converter=_status)
    amount: Money = attrs.field(validator=v.non_negative_money)
    issued_at: datetime = attrs.field(validator=v.instant)
    due_at: datetime = attrs.field(validator=v.instant)
    amount_paid: Money = attrs.field(
        default=attrs.Factory(_default_paid, takes_self=True), validator=v.non_negative_money
    )
    paid_at: datetime | None = attrs.field(default=None, validator=v.optional_instant)
    method: str | None = attrs.field(default=None, validator=_masked_label)
    billing_details: BillingDetails | None = attrs.field(
        default=None, validator=v.instance_of((BillingDetails, type(None)))
    )

    def __attrs_post_init__(self) -> None:
        v.not_before(self, self.issued_at, self.due_at, "due_at", "issued_at")
        v.same_currency(self, self.amount, self.amount_paid, "amount_paid")
        if self.amount_paid > self.amount:
            raise InvalidInput("Invoice.amount_paid", "must not exceed the invoice amount")
        if self.status is _S.PAID:
            if self.amount_paid != self.amount:
                raise InvalidInput("Invoice.amount_paid", "must equal the amount on a paid invoice")
            if self.paid_at is None:
                raise InvalidInput("Invoice.paid_at", "is required on a paid invoice")
        elif self.paid_at is not None:
            raise InvalidInput("Invoice.paid_at", f"must be None on a {self.status} invoice")
        if self.paid_at is not None:
            v.not_before(self, self.issued_at, self.paid_at, "paid_at", "issued_at")
        if self.status is _S.SCHEDULED and self.amount_paid.amount:
            raise InvalidInput("Invoice.amount_paid", "must be zero on a scheduled invoice")
        _check_something_due(self)

    @property
    def currency(self) -> Currency:
        """The invoice's currency."""
        return self.amount.currency

    @property
    def amount_due(self) -> Money:
        """The unpaid part of a submitted or failed invoice, else zero (INV-3)."""
        if self.status in _DUE_STATUSES:
            return self.amount - self.amount_paid
        return _money.zero(self.currency)


@attrs.frozen(kw_only=True)
class Payment:
    """A payment received (INV-5): its amount, instant and masked payment method."""

    id: str = attrs.field(validator=v.text)
    amount: Money = attrs.field(validator=v.positive_money)
    paid_at: datetime = attrs.field(validator=v.instant)
    method: str | None = attrs.field(default=None, validator=_masked_label)


@attrs.frozen(kw_only=True)
class InvoicePolicy:
    """The knobs of the invoices area.

    Attributes:
        history_cutoff: INV-1: the first issue date (in the account's zone) listed and
            downloadable in self-service; inclusive. Seed default 2021-01-01.
        support_contact: INV-1: where older invoices can be asked for.
    """

    history_cutoff: date = attrs.field(default=date(2021, 1, 1), validator=v.calendar_date)
    support_contact: str = attrs.field(default="support", validator=v.text)


# --------------------------------------------------------------------------------------------
# INV-2: statuses


@checked
def can_transition(invoice: Invoice, to: InvoiceStatus | str) -> Decision:
    """Whether ``invoice`` may move to the status ``to``. Decides INV-2.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.invoices import Invoice, can_transition
    >>> jan = datetime(2024, 1, 1, tzinfo=UTC)
    >>> paid = Invoice(id="inv-1", status="paid", amount=Money("49", "USD"),
    ...                issued_at=jan, due_at=jan, paid_at=jan)
    >>> decision = can_transition(paid, "failed")
    >>> decision.allowed, decision.codes
    (False, ('invoice_status_final',))
    """
    target = _status(to, "to")
    details = {"invoice_id": invoice.id, "from": str(invoice.status), "to": str(target)}
    if target in TRANSITIONS[invoice.status]:
        return Decision.allow(
            Reason(
                code="invoice_transition_allowed",
                rule="INV-2",
                message=f"An invoice may go from {invoice.status} to {target}.",
                details=details,
            )
        )
    if invoice.status in FINAL_STATUSES:
        return Decision.refuse(
            Reason(
                code="invoice_status_final",
                rule="INV-2",
                message=f"Invoice {invoice.id} is {invoice.status}, a final status.",
                details=details,
            )
        )
    allowed = ", ".join(sorted(TRANSITIONS[invoice.status]))
    return Decision.refuse(
        Reason(
            code="invoice_transition_not_allowed",
            rule="INV-2",
            message=f"Invoice {invoice.id} cannot go from {invoice.status} to {target}; "
            f"from {invoice.status} it may go to {allowed}.",
            details=details,
        )
    )


@checked
def transition(
    invoice: Invoice,
    to: InvoiceStatus | str,
    *,
    at: datetime,
    method: Annotated[str, LABEL] | None = None,
) -> Invoice:
    """``invoice`` moved to the status ``to`` at the instant ``at``. Decides INV-2.

    Moving to ``paid`` records the rest of the amount as paid at ``at`` (with ``method``, the
    masked label of the payment method, if given).

    Raises:
        PolicyViolation: the transition is not in the table; ``invoice`` is unchanged.
        NaiveDatetimeError: ``at`` has no time zone.
    """
    can_transition(invoice, to).require()
    target = InvoiceStatus(to)  # a status: can_transition has refused anything else
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
def is_overdue(invoice: Invoice, at: datetime) -> bool:
    """Whether ``invoice`` is overdue at ``at``. Decides INV-2.

    Overdue means money still due: the invoice is submitted or failed, its due date has passed
    (``at`` is after ``due_at``) and an amount is still due on it. ``overdue`` is derived at the
    instant asked about, never stored; a paid, cancelled or scheduled invoice is never overdue.
    """
    return invoice.status in _DUE_STATUSES and at > invoice.due_at and invoice.amount_due.amount > 0


@checked
def display_status(invoice: Invoice, at: datetime) -> DisplayStatus:
    """The status shown at ``at``: the stored one, or ``"overdue"`` when it is derived (INV-2)."""
    if is_overdue(invoice, at):
        return "overdue"
    return _DISPLAY[invoice.status]


@checked
def issue(invoice: Invoice, profile: BillingProfile) -> Invoice:
    """Issue a scheduled invoice, stamped with the billing details in effect when it is issued.

    Decides INV-2 (scheduled → submitted) and INV-4 (details are those in effect at
    ``issued_at``; later changes never touch it).

    Raises:
        PolicyViolation: ``invoice`` is not scheduled.
    """
    issued = transition(invoice, _S.SUBMITTED, at=invoice.issued_at)
    return attrs.evolve(issued, billing_details=profile.details_at(invoice.issued_at))


# --------------------------------------------------------------------------------------------
# INV-3: outstanding balance and payment allocation


@checked
def settlement_order(invoices: Iterable[Invoice]) -> tuple[Invoice, ...]:
    """``invoices`` in settlement order: oldest due first, then oldest issued, then id (INV-3)."""
    return tuple(sorted(invoices, key=lambda inv: (inv.due_at, inv.issued_at, inv.id)))


@checked
def outstanding_invoices(invoices: Iterable[Invoice]) -> tuple[Invoice, ...]:
    """The submitted and failed invoices with money still due, in settlement order (INV-3)."""
    return settlement_order(inv for inv in invoices if inv.amount_due.amount > 0)


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
def allocate_payment(invoices: Iterable[Invoice], payment: Money) -> Allocation:
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
    ...                               Money("150", "USD"))
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
    payment: Money,
    *,
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
    allocation = allocate_payment(items, payment)
    by_id = {line.invoice_id: line for line in allocation.lines}
    updated: list[Invoice] = []
    for invoice in items:
        line = by_id.get(invoice.id)
        if line is None:
            updated.append(invoice)
        elif line.settles:
            updated.append(transition(invoice, _S.PAID, at=at, method=method))
        else:
            updated.append(attrs.evolve(invoice, amount_paid=invoice.amount_paid + line.amount))
    return PaymentApplication(invoices=tuple(updated), allocation=allocation)


# --------------------------------------------------------------------------------------------
# INV-1, INV-6: history window and download


def _issued_on(invoice: Invoice, zone: ZoneInfo) -> date:
    return _time.local_date(invoice.issued_at, zone)


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
        return Decision.allow(
            Reason(
                code="in_history_window",
                rule="INV-1",
                message=f"Invoices from {policy.history_cutoff.isoformat()} on are available here.",
                details=details,
            )
        )
    return Decision.refuse(
        Reason(
            code="before_history_cutoff",
            rule="INV-1",
            message=f"Invoices issued before {policy.history_cutoff.isoformat()} are not "
            f"available here; contact {policy.support_contact} for a copy.",
            details={**details, "contact": policy.support_contact},
        )
    )


@checked
def can_download(invoice: Invoice, policy: InvoicePolicy, *, zone: ZoneInfo | str) -> Decision:
    """Whether ``invoice`` can be downloaded: issued and inside the history window.

    Decides INV-6 and INV-1.
    """
    window = can_view(invoice, policy, zone=zone)
    if invoice.status is _S.SCHEDULED:
        not_issued = Reason(
            code="invoice_not_issued",
            rule="INV-6",
            message=f"Invoice {invoice.id} is scheduled and has not been issued yet.",
            details={"invoice_id": invoice.id},
        )
        return Decision.refuse(not_issued, *(r for r in window.reasons if not window.allowed))
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
        status=display_status(invoice, at),
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
        if inv.status is not _S.SCHEDULED
        and inv.issued_at <= at
        and can_view(inv, policy, zone=tz).allowed
    ]
    shown.sort(key=lambda inv: (inv.issued_at, inv.id), reverse=True)
    return tuple(
        HistoryRow(
            invoice_id=inv.id,
            issued_on=_issued_on(inv, tz),
            amount=inv.amount,
            payment_date=None if inv.paid_at is None else _time.local_date(inv.paid_at, tz),
            method=inv.method,
            status=display_status(inv, at),
        )
        for inv in shown
    )


def _window(start: datetime, end: datetime) -> None:
    if end < start:
        raise InvalidInput("end", "must not be before start")


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

    at: datetime
    kind: Literal["charge", "payment"]
    reference: str
    amount: Money
    balance: Money


@attrs.frozen(kw_only=True)
class Statement:
    """Charges and payments over ``[start, end)``: opening, running and closing balances (INV-5)."""

    start: datetime
    end: datetime
    opening_balance: Money
    lines: tuple[StatementLine, ...]
    closing_balance: Money
    total_charged: Money
    total_paid: Money


_CHARGED_STATUSES: Final = frozenset({_S.SUBMITTED, _S.PAID, _S.FAILED})


@checked
def statement(
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    *,
    start: datetime,
    end: datetime,
    currency: Currency | str,
) -> Statement:
    """A statement of account for ``[start, end)``. Decides INV-5.

    Charges are the issued invoices (submitted, paid or failed; scheduled and cancelled ones
    are not owed) at their issue instant; payments at their instant. The opening balance is
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
