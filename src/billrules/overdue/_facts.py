"""The facts the overdue area reads (OVD-1 … OVD-9): :class:`OverdueFacts`. Private.

The invoices with their charge attempts are the invoices area's facts, the default payment
method the payment-methods area's wallet, the prepaid ledger the balance area's; read only
through those areas' public names.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _redact, _time
from billrules import _validate as v
from billrules._check import unchecked
from billrules.balance import Ledger
from billrules.dunning import DunningPolicy
from billrules.errors import InvalidInput
from billrules.invoices import Invoice, outstanding_invoices
from billrules.payment_methods import PaymentMethod, Wallet
from billrules.subscriptions import Subscription

__all__ = ["OverdueFacts"]

#: The invoices area's settlement order (INV-3) and the wallet's expiry (PM-4), their
#: bodies: the facts were checked when they entered.
_outstanding: Final = unchecked(outstanding_invoices)


def _is_expired(method: PaymentMethod, *, at: datetime, zone: ZoneInfo) -> bool:
    """PM-4's expiry, the payment-methods area's public function, loaded on first use."""
    from billrules.payment_methods import is_expired

    expired: bool = unchecked(is_expired)(method, at=at, zone=zone)
    return expired


@attrs.frozen
class _Collections:
    due_utc: tuple[datetime, ...]
    totals: tuple[Decimal, ...]
    #: The totals as money, each made when first asked for (by the number of invoices).
    money: dict[int, Money] = attrs.field(factory=dict, eq=False)


def _currency(value: Currency | str) -> Currency:
    return _money.to_currency(value, "OverdueFacts.currency")


@attrs.frozen(kw_only=True)
class OverdueFacts:
    """What postpaid collections read of one account (OVD-1 … OVD-9).

    Attributes:
        currency: The account's currency; every invoice is in it (X-4).
        invoices: The invoices with their charge attempts (INV-2, OVD-1), in any order.
        wallet: The stored payment methods: the default is the one retried (OVD-2).
        hold_until: Until when support promised to hold collections (OVD-8), if it did.
        subscription: The subscription the final action cancels (OVD-5), if any.
        ledger: The prepaid ledger, when the account also pays ahead (OVD-9).
        dunning: The dunning schedule that ledger's debt follows (OVD-9).
    """

    currency: Currency = attrs.field(converter=_currency)
    invoices: tuple[Invoice, ...] = attrs.field(default=(), converter=v.ToExactTuple[Invoice])
    wallet: Wallet = attrs.field(factory=Wallet, validator=v.instance_of(Wallet))
    hold_until: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    subscription: Subscription | None = attrs.field(
        default=None, validator=v.instance_of((Subscription, type(None)))
    )
    ledger: Ledger | None = attrs.field(default=None, validator=v.instance_of((Ledger, type(None))))
    dunning: DunningPolicy = attrs.field(
        factory=DunningPolicy, validator=v.instance_of(DunningPolicy)
    )

    def __attrs_post_init__(self) -> None:
        currency = self.currency
        seen: set[str] = set()
        for index, invoice in enumerate(self.invoices):
            if invoice.amount.currency != currency:
                _money.require_currency(
                    invoice.amount, currency, f"OverdueFacts.invoices[{index}].amount"
                )
            if invoice.id in seen:
                raise InvalidInput(
                    f"OverdueFacts.invoices[{index}].id",
                    f"duplicate invoice id {_redact.shown(invoice.id)}",
                )
            seen.add(invoice.id)
        if self.ledger is not None and self.ledger.currency != currency:
            raise InvalidInput(
                "OverdueFacts.ledger",
                f"is in {self.ledger.currency.code}, expected {currency.code}",
            )

    @functools.cached_property
    def _collections(self) -> _Collections:
        """What :func:`~billrules.overdue._ladder.state_at` reads of the due invoices, made
        once: each one's due instant in UTC, and the running total of what is due on the
        first n (amounts, in the facts' currency)."""
        due = self.due
        totals: list[Decimal] = []
        running = Decimal(0)
        for invoice in due:
            running += invoice.amount_due.amount
            totals.append(running)
        return _Collections(
            due_utc=tuple([invoice.due_at.astimezone(UTC) for invoice in due]),
            totals=tuple(totals),
        )

    @functools.cached_property
    def due(self) -> tuple[Invoice, ...]:
        """The submitted and failed invoices with money still due, in INV-3's settlement order
        (oldest due first): those that are or will be overdue. Computed once, when first read;
        no field (equality, hashing and pickling ignore it)."""
        found: tuple[Invoice, ...] = _outstanding(self.invoices)
        return found
