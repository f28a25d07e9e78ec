"""Strategies for the invoices area: invoices in every status with their charge attempts,
payments, billing details."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from moneyed import Currency, Money

from billrules import _money
from billrules._check import checked
from billrules._redact import holds_card_number
from billrules.invoices import (
    AttemptOutcome,
    BillingDetails,
    BillingProfile,
    ChargeAttempt,
    Invoice,
    InvoiceFacts,
    InvoicePolicy,
    InvoiceStatus,
    Payment,
)
from billrules.overdue import DEFAULT_HARD_DECLINES
from billrules.testing._core import aware_datetimes, money

#: Decline codes a processor gives for a soft decline (OVD-1: retried) and, by default, for a
#: hard one (OVD-2: not retried).
SOFT_DECLINES = ("insufficient_funds", "do_not_honor", "generic_decline", "processing_error")
HARD_DECLINES = DEFAULT_HARD_DECLINES

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
def charge_attempts(
    *,
    after: datetime,
    outcomes: st.SearchStrategy[AttemptOutcome] | None = None,
    method_ids: st.SearchStrategy[str] | None = None,
    max_size: int = 5,
    max_days: int = 60,
) -> st.SearchStrategy[tuple[ChargeAttempt, ...]]:
    """Up to ``max_size`` charge attempts in time order, none before ``after`` and within
    ``max_days`` of it (OVD-1): soft and hard declines (:data:`SOFT_DECLINES`,
    :data:`HARD_DECLINES`), automatic or started by the customer, each naming one of
    ``method_ids`` (default ``pm-1`` … ``pm-3``) or no method. Every attempt's outcome is drawn
    from ``outcomes`` (default: ``failed``)."""
    outcome_of = outcomes if outcomes is not None else st.just(AttemptOutcome.FAILED)
    method_of = st.none() | (
        method_ids if method_ids is not None else st.sampled_from(("pm-1", "pm-2", "pm-3"))
    )
    declines = st.none() | st.sampled_from((*SOFT_DECLINES, *HARD_DECLINES))

    @st.composite
    def build(draw: st.DrawFn) -> tuple[ChargeAttempt, ...]:
        minutes = draw(st.lists(st.integers(0, max_days * 24 * 60), max_size=max_size))
        zone = after.tzinfo
        found = []
        for offset in sorted(minutes):
            outcome = draw(outcome_of)
            failed = outcome is AttemptOutcome.FAILED
            found.append(
                ChargeAttempt(
                    # In UTC: a wall time in a gap could read earlier than the one before.
                    at=(after.astimezone(UTC) + timedelta(minutes=offset)).astimezone(zone),
                    outcome=outcome,
                    decline_code=draw(declines) if failed else None,
                    method_id=draw(method_of),
                    automatic=draw(st.booleans()),
                )
            )
        return tuple(found)

    return build()


def _attempts(
    draw: st.DrawFn, status: InvoiceStatus, issued_at: datetime, paid_at: datetime | None
) -> tuple[ChargeAttempt, ...]:
    """Attempts that agree with the status: none on a scheduled or submitted invoice; a
    failed, written-off or cancelled one may have failed ones (a failed one has at least one
    automatic); a paid one may end with the success at its payment instant."""
    if status in (InvoiceStatus.SCHEDULED, InvoiceStatus.SUBMITTED):
        return ()
    if status is InvoiceStatus.PAID:
        assert paid_at is not None
        if not draw(st.booleans()):
            return ()
        days = max(0, (paid_at - issued_at).days)
        failed = draw(charge_attempts(after=issued_at, max_size=3, max_days=days))
        failed = tuple(attempt for attempt in failed if attempt.at <= paid_at)
        done = ChargeAttempt(at=paid_at, outcome=AttemptOutcome.SUCCEEDED, method_id="pm-1")
        return (*failed, done)
    found = draw(charge_attempts(after=issued_at, max_size=draw(st.sampled_from((1, 2, 4)))))
    if status is InvoiceStatus.FAILED and not any(attempt.automatic for attempt in found):
        first = ChargeAttempt(at=issued_at, outcome=AttemptOutcome.FAILED, method_id="pm-1")
        found = (first, *found)
    return found


@checked
def invoices(
    *,
    currency: Currency | str = "USD",
    statuses: st.SearchStrategy[InvoiceStatus] | None = None,
    ids: st.SearchStrategy[str] | None = None,
    issued: st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[Invoice]:
    """Valid invoices in ``currency``: consistent paid amounts and instants for their status.

    A scheduled, submitted, failed or uncollectible invoice has an amount of at least one
    hundredth, and a submitted, failed or uncollectible one always has money still due (INV-2,
    OVD-6); a paid or cancelled one may be of zero. Charge attempts agree with the status
    (:func:`charge_attempts`): a failed invoice has a failed automatic one. ``issued``, if
    given, draws the issue instants (default: :func:`~billrules.testing.aware_datetimes`).
    """
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> Invoice:
        status = draw(statuses if statuses is not None else st.sampled_from(InvoiceStatus))
        something_due = status not in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED)
        amount: Money = draw(money(code, min_value=int(something_due), max_value=500_000))
        issued_at: datetime = draw(issued if issued is not None else aware_datetimes())
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
            attempts=_attempts(draw, status, issued_at, paid_at),
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
