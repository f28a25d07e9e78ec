"""Strategies for the invoices area: invoices in every status, payments, billing details."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from moneyed import Currency, Money

from billrules import _money
from billrules._check import checked
from billrules._redact import holds_card_number
from billrules.invoices import (
    BillingDetails,
    BillingProfile,
    Invoice,
    InvoiceFacts,
    InvoicePolicy,
    InvoiceStatus,
    Payment,
)
from billrules.testing._core import aware_datetimes, money

#: Ids of letters, digits and dashes; never one a card number could hide in (PM-6 refuses it).
_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda text: not holds_card_number(text)
)


@checked
def billing_details() -> st.SearchStrategy[BillingDetails]:
    """Names and addresses as printed on invoices."""
    words = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij .,", min_size=1, max_size=20)
    return st.builds(
        BillingDetails,
        name=words.filter(str.strip),
        address=words.filter(str.strip),
    )


@checked
def billing_profiles(max_changes: int = 6) -> st.SearchStrategy[BillingProfile]:
    """Profiles with up to ``max_changes`` changes at strictly increasing instants."""

    @st.composite
    def build(draw: st.DrawFn) -> BillingProfile:
        instants = draw(
            st.lists(aware_datetimes(), max_size=max_changes, unique_by=lambda d: d.timestamp())
        )
        profile = BillingProfile()
        for at in sorted(instants):
            profile = profile.change(draw(billing_details()), at=at)
        return profile

    return build()


@checked
def invoice_policies() -> st.SearchStrategy[InvoicePolicy]:
    """Invoice policies with cutoffs between 2019 and 2031."""
    return st.builds(
        InvoicePolicy,
        history_cutoff=st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31)),
    )


@checked
def invoices(
    *,
    currency: Currency | str = "USD",
    statuses: st.SearchStrategy[InvoiceStatus] | None = None,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Invoice]:
    """Valid invoices in ``currency``: consistent paid amounts and instants for their status.

    A scheduled, submitted or failed invoice has an amount of at least one hundredth, and a
    submitted or failed one always has money still due (INV-2); a paid or cancelled one may be
    of zero.
    """
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> Invoice:
        status = draw(statuses if statuses is not None else st.sampled_from(InvoiceStatus))
        something_due = status not in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED)
        amount: Money = draw(money(code, min_value=int(something_due), max_value=500_000))
        issued_at: datetime = draw(aware_datetimes())
        due_at = issued_at + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        paid = _money.zero(code)
        paid_at = None
        if status is InvoiceStatus.PAID:
            paid = amount
            paid_at = issued_at + timedelta(hours=draw(st.integers(min_value=0, max_value=2000)))
        elif status is not InvoiceStatus.SCHEDULED:
            whole = int(amount.amount * 100)
            most = whole if status is InvoiceStatus.CANCELLED else whole - 1  # INV-2: some due
            paid = Money(Decimal(draw(st.integers(min_value=0, max_value=most))).scaleb(-2), code)
        return Invoice(
            id=draw(ids if ids is not None else _ids),
            status=status,
            amount=amount,
            issued_at=issued_at,
            due_at=due_at,
            amount_paid=paid,
            paid_at=paid_at,
        )

    return build()


@checked
def payments(*, currency: Currency | str = "USD") -> st.SearchStrategy[Payment]:
    """Payments of at least one cent in ``currency``."""
    return st.builds(
        Payment,
        id=_ids,
        amount=money(currency, min_value=1),
        paid_at=aware_datetimes(),
        method=st.none() | st.sampled_from(("Visa •••• 4242", "Mastercard •••• 4444", "Apple Pay")),
    )


@checked
def invoice_facts(
    *, currency: Currency | str = "USD", max_invoices: int = 8, max_payments: int = 4
) -> st.SearchStrategy[InvoiceFacts]:
    """An account's invoices (unique ids) and payments in ``currency``: the area's facts."""
    return st.builds(
        InvoiceFacts,
        currency=st.just(_money.to_currency(currency, "currency")),
        invoices=st.lists(
            invoices(currency=currency), max_size=max_invoices, unique_by=lambda inv: inv.id
        ),
        payments=st.lists(payments(currency=currency), max_size=max_payments),
    )
