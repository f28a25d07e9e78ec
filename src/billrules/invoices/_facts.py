"""The invoices area's facts: :class:`Invoice`, :class:`Payment`, billing details (INV-4),
:class:`InvoiceFacts`, and the status table (INV-2).

Part of :mod:`billrules.invoices`; import the public names from there.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

import attrs
from moneyed import Currency, Money

from billrules import _money, _redact, _time
from billrules import _validate as v
from billrules.errors import InvalidInput, InvalidType


class InvoiceStatus(StrEnum):
    """The stored status of an invoice (INV-2). ``overdue`` is derived, never stored."""

    SCHEDULED = "scheduled"
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNCOLLECTIBLE = "uncollectible"


_S = InvoiceStatus

#: INV-2: the statuses each status may move to. ``paid`` and ``cancelled`` are final;
#: ``uncollectible`` (written off, OVD-6) may still be paid or cancelled.
STATUS_CHANGES: Final[Mapping[InvoiceStatus, frozenset[InvoiceStatus]]] = MappingProxyType(
    {
        _S.SCHEDULED: frozenset({_S.SUBMITTED, _S.CANCELLED}),
        _S.SUBMITTED: frozenset({_S.PAID, _S.FAILED, _S.CANCELLED, _S.UNCOLLECTIBLE}),
        _S.FAILED: frozenset({_S.PAID, _S.CANCELLED, _S.UNCOLLECTIBLE}),
        _S.PAID: frozenset(),
        _S.CANCELLED: frozenset(),
        # OVD-6: written off, still payable.
        _S.UNCOLLECTIBLE: frozenset({_S.PAID, _S.CANCELLED}),
    }
)

#: INV-2: statuses no transition leaves.
FINAL_STATUSES: Final[frozenset[InvoiceStatus]] = frozenset(
    status for status, targets in STATUS_CHANGES.items() if not targets
)

#: INV-2, INV-3: the statuses whose unpaid amount is still due (and may become overdue).
DUE_STATUSES: Final[frozenset[InvoiceStatus]] = frozenset({_S.SUBMITTED, _S.FAILED})

DisplayStatus = Literal[
    "scheduled", "submitted", "paid", "failed", "cancelled", "uncollectible", "overdue"
]

_DISPLAY: Final[Mapping[InvoiceStatus, DisplayStatus]] = MappingProxyType(
    {
        _S.SCHEDULED: "scheduled",
        _S.SUBMITTED: "submitted",
        _S.PAID: "paid",
        _S.FAILED: "failed",
        _S.CANCELLED: "cancelled",
        _S.UNCOLLECTIBLE: "uncollectible",
    }
)


def _masked_label(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    """A payment-method label that shows at most the last four digits of a card (PM-6).

    Digits are counted once spaces, dashes and dots are removed (:func:`_validate.label`).
    """
    v.masked_label(instance, attribute, value)


v.described(_masked_label, v.json_schema_of(v.masked_label))


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

    effective_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    details: BillingDetails = attrs.field(validator=v.instance_of(BillingDetails))


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

    changes: tuple[BillingDetailsChange, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[BillingDetailsChange],
    )

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


#: INV-2, OVD-6: the statuses of an invoice with money left to pay (due or not).
_PAYABLE_STATUSES: Final = frozenset({_S.SCHEDULED, _S.SUBMITTED, _S.FAILED, _S.UNCOLLECTIBLE})


def _check_something_due(invoice: Invoice) -> None:
    """INV-2: a scheduled, submitted, failed or uncollectible (OVD-6) invoice has money to pay.

    No transition produces a submitted or failed invoice with nothing left to pay: a payment
    that settles an invoice makes it ``paid``. A scheduled invoice of zero would become one
    when issued, so it is refused too: an invoice for nothing is recorded as paid.
    """
    if invoice.status in _PAYABLE_STATUSES:
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


class AttemptOutcome(StrEnum):
    """How a charge of an invoice to a payment method ended (INV-2, OVD-1)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: A decline code: the processor's snake_case name of letters (``insufficient_funds``); no
#: digits, so no card number can hide in one (PM-6).
_DECLINE: Final = re.compile(r"[a-z]+(?:_[a-z]+)*")


def _decline_code(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidType(
            "ChargeAttempt.decline_code", f"must be a str, not {type(value).__name__}"
        )
    if not _DECLINE.fullmatch(value) or len(value) > 64:
        raise InvalidInput(
            "ChargeAttempt.decline_code",
            "must be a snake_case name of letters (such as 'insufficient_funds')",
        )


v.described(
    _decline_code,
    {
        "pattern": f"^{_DECLINE.pattern}$",
        "maxLength": 64,
        "description": "The processor's decline code: a snake_case name of letters.",
    },
)


@attrs.frozen(kw_only=True)
class ChargeAttempt:
    """One charge of an invoice to a stored payment method (INV-2, OVD-1, OVD-2).

    Attributes:
        at: When it was made.
        outcome: ``succeeded`` or ``failed``.
        decline_code: Why it failed, as the processor names it (``insufficient_funds``,
            ``lost_card``…); ``None`` on success or when the processor gave none. Whether it
            is hard (no retry, OVD-2) is the overdue policy's data.
        method_id: The id of the payment method charged, if known (OVD-2: a new default
            method makes an attempt due at once).
        automatic: ``True`` for the charge the billing system makes (the first one and its
            retries, OVD-1); ``False`` for one the customer started, which does not move the
            retry schedule.
    """

    at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    outcome: AttemptOutcome = attrs.field(converter=v.ToEnum[AttemptOutcome])
    decline_code: str | None = attrs.field(default=None, validator=_decline_code)
    method_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    automatic: bool = attrs.field(default=True, validator=v.boolean)

    def __attrs_post_init__(self) -> None:
        if self.outcome is AttemptOutcome.SUCCEEDED and self.decline_code is not None:
            raise InvalidInput("ChargeAttempt.decline_code", "must be None on a succeeded attempt")

    @property
    def failed(self) -> bool:
        """Whether it failed."""
        return self.outcome is AttemptOutcome.FAILED


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
        attempts: Its charges to payment methods, oldest first, none before ``issued_at``
            (OVD-1, OVD-2): what the overdue area retries from.
    """

    id: str = attrs.field(validator=v.identifier)
    status: InvoiceStatus = attrs.field(converter=v.ToEnum[InvoiceStatus])
    amount: Money = attrs.field(validator=v.non_negative_money)
    issued_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    due_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    amount_paid: Money = attrs.field(
        default=attrs.Factory(_default_paid, takes_self=True), validator=v.non_negative_money
    )
    paid_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    method: str | None = attrs.field(default=None, validator=_masked_label)
    billing_details: BillingDetails | None = attrs.field(
        default=None, validator=v.instance_of((BillingDetails, type(None)))
    )
    attempts: tuple[ChargeAttempt, ...] = attrs.field(
        default=(), converter=v.ToTuple[ChargeAttempt]
    )

    def __attrs_post_init__(self) -> None:
        v.not_before(self, self.issued_at, self.due_at, "due_at", "issued_at")
        if self.attempts:
            _check_attempts(self)
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

    @functools.cached_property
    def amount_due(self) -> Money:
        """The unpaid part of a submitted or failed invoice, else zero (INV-3).

        Computed once per invoice, when first read (it is read by every question about what
        is outstanding); the cache is no field: equality, hashing and pickling ignore it.
        """
        if self.status in DUE_STATUSES:
            return self.amount - self.amount_paid
        return _money.zero(self.currency)


def _check_attempts(invoice: Invoice) -> None:
    """OVD-1: attempts are in time order, none before the invoice was issued."""
    previous = invoice.issued_at
    for index, attempt in enumerate(invoice.attempts):
        if attempt.at < previous:
            what = "issued_at" if index == 0 else f"attempts[{index - 1}].at"
            raise InvalidInput(f"Invoice.attempts[{index}].at", f"must not be before {what}")
        previous = attempt.at


def _settlement_key(invoice: Invoice) -> tuple[datetime, datetime, str]:
    """INV-3's settlement order: oldest due first, then oldest issued, then id."""
    return (invoice.due_at, invoice.issued_at, invoice.id)


def _outstanding_of(invoices: Iterable[Invoice]) -> tuple[Invoice, ...]:
    """The invoices with money still due, in settlement order (INV-3), unchecked.

    The body of :func:`~billrules.invoices.outstanding_invoices`, for callers whose invoices
    were checked when their facts were built.
    """
    due = [inv for inv in invoices if inv.status in DUE_STATUSES and inv.amount_due.amount > 0]
    if len(due) > 1:
        due.sort(key=_settlement_key)
    return tuple(due)


@attrs.frozen(kw_only=True)
class Payment:
    """A payment received (INV-5): its amount, instant and masked payment method."""

    id: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=v.positive_money)
    paid_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    method: str | None = attrs.field(default=None, validator=_masked_label)


def _currency(value: Currency | str) -> Currency:
    return _money.to_currency(value, "InvoiceFacts.currency")


@attrs.frozen(kw_only=True)
class InvoiceFacts:
    """An account's invoices and payments in its currency: the facts of the area contract.

    :func:`~billrules.invoices.findings` and :func:`~billrules.invoices.transitions` read them.
    Every amount is in ``currency`` (X-4) and invoice ids are unique; an error names the
    field (``InvoiceFacts.invoices[1].amount``).

    Attributes:
        currency: The account's currency.
        invoices: The invoices, in any order.
        payments: The payments received, in any order (INV-5).
    """

    currency: Currency = attrs.field(converter=_currency)
    invoices: tuple[Invoice, ...] = attrs.field(default=(), converter=v.ToExactTuple[Invoice])
    payments: tuple[Payment, ...] = attrs.field(default=(), converter=v.ToExactTuple[Payment])

    def __attrs_post_init__(self) -> None:
        currency = self.currency
        seen: set[str] = set()
        for index, invoice in enumerate(self.invoices):
            # Fields are named only when refused.
            if invoice.amount.currency is not currency and invoice.amount.currency != currency:
                _money.require_currency(
                    invoice.amount, currency, f"InvoiceFacts.invoices[{index}].amount"
                )
            if invoice.id in seen:
                raise InvalidInput(
                    f"InvoiceFacts.invoices[{index}].id",
                    f"duplicate invoice id {_redact.shown(invoice.id)}",
                )
            seen.add(invoice.id)
        for index, payment in enumerate(self.payments):
            if payment.amount.currency is not currency and payment.amount.currency != currency:
                _money.require_currency(
                    payment.amount, currency, f"InvoiceFacts.payments[{index}].amount"
                )

    # What every question about the facts shares, computed once when first read. Caches are
    # no fields: equality, hashing and pickling ignore them.

    @functools.cached_property
    def _outstanding(self) -> tuple[Invoice, ...]:
        """The invoices with money still due, in settlement order (INV-3)."""
        return _outstanding_of(self.invoices)

    @functools.cached_property
    def _owed(self) -> Money:
        """The total still due on :attr:`_outstanding` (INV-3)."""
        return _money.total((inv.amount_due for inv in self._outstanding), self.currency)
