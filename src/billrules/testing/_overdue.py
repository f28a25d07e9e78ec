"""Strategies for postpaid collections (OVD-1 … OVD-9): collections policies, the overdue
area's facts, and postpaid accounts with overdue invoices the run drives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import strategies as st
from moneyed import Currency

from billrules import _money
from billrules._check import checked
from billrules.account import Account, User
from billrules.cancellation import AccountStatus
from billrules.dunning import AccessLevel
from billrules.invoices import Invoice, InvoiceStatus
from billrules.overdue import (
    DEFAULT_HARD_DECLINES,
    DEFAULT_OVERDUE_STAGES,
    Clock,
    FinalAction,
    OverdueFacts,
    OverduePolicy,
    OverdueStage,
)
from billrules.payment_methods import PaymentMethod, Wallet
from billrules.roles import Role
from billrules.subscriptions import Subscription
from billrules.testing._core import aware_datetimes, money, zones
from billrules.testing._invoices import invoices

#: Statuses of an account's invoices under collections: mostly money due (OVD-3), some settled
#: or written off (OVD-4, OVD-6).
_STATUSES = st.sampled_from(
    (
        InvoiceStatus.FAILED,
        InvoiceStatus.FAILED,
        InvoiceStatus.SUBMITTED,
        InvoiceStatus.PAID,
        InvoiceStatus.UNCOLLECTIBLE,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SCHEDULED,
    )
)
_METHOD_IDS = ("pm-1", "pm-2", "pm-3")


def _ladder(
    draw: st.DrawFn, max_stages: int = 4, max_first_day: int = 40
) -> tuple[OverdueStage, ...]:
    """A ladder of up to ``max_stages`` stages from day 0, no role's access improving (OVD-3),
    drawn only when the default is not (building one costs more than choosing)."""
    later = draw(
        st.lists(
            st.integers(min_value=1, max_value=max_first_day),
            unique=True,
            max_size=max_stages - 1,
        )
    )
    days = [0, *sorted(later)]
    levels = tuple(AccessLevel)
    ladders = {
        role: sorted(draw(st.lists(st.integers(0, 3), min_size=len(days), max_size=len(days))))
        for role in Role
    }
    return tuple(
        OverdueStage(
            name=f"stage_{index}",
            first_day=day,
            access={role: levels[ladders[role][index]] for role in Role},
            blocks_changes=draw(st.booleans()),
            banner=draw(st.booleans()),
        )
        for index, day in enumerate(days)
    )


@checked
def overdue_policies(
    *, max_stages: int = 4, max_first_day: int = 40
) -> st.SearchStrategy[OverduePolicy]:
    """Valid collections policies (OVD-1 … OVD-8): the default retry gaps or up to four of 1 to
    10 days, the default hard declines or some of them, the default ladder or one of up to
    ``max_stages`` stages from day 0 (no role's access improving, as OVD-3 requires), maybe (one time in four) a threshold in USD, either clock,
    every final action, with or without write-offs, a final notice 0 to 5 days before."""

    @st.composite
    def build(draw: st.DrawFn) -> OverduePolicy:
        stages = (
            DEFAULT_OVERDUE_STAGES
            if draw(st.booleans())
            else _ladder(draw, max_stages, max_first_day)
        )
        # Mostly none: a threshold above the overdue total would keep the ladder from starting.
        thresholds = draw(
            st.one_of(
                st.just({}),
                st.just({}),
                st.just({}),
                st.builds(lambda m: {"USD": m}, money("USD", min_value=1, max_value=20_000)),
            )
        )
        return OverduePolicy(
            retry_gaps=draw(
                st.just((1, 8, 4, 7)) | st.lists(st.integers(1, 10), max_size=4).map(tuple)
            ),
            hard_declines=draw(
                st.just(DEFAULT_HARD_DECLINES)
                | st.lists(st.sampled_from(DEFAULT_HARD_DECLINES), unique=True).map(tuple)
            ),
            stages=stages,
            thresholds=thresholds,
            clock=draw(st.sampled_from(Clock)),
            final_action=draw(st.sampled_from(FinalAction)),
            write_off=draw(st.booleans()),
            final_notice_days=draw(st.integers(0, 5)),
        )

    return build()


def _wallets(start: datetime) -> st.SearchStrategy[Wallet]:
    """Cards ``pm-1`` … ``pm-3`` (some expired, PM-4) with maybe a default since near ``start``."""

    @st.composite
    def build(draw: st.DrawFn) -> Wallet:
        ids = draw(st.lists(st.sampled_from(_METHOD_IDS), unique=True, max_size=3))
        if not ids:
            return Wallet()
        methods = tuple(
            PaymentMethod(
                id=method_id,
                kind="card",
                brand="visa",
                last4="4242",
                exp_month=draw(st.integers(1, 12)),
                exp_year=draw(st.sampled_from((start.year - 1, start.year, start.year + 3))),
            )
            for method_id in ids
        )
        since = draw(st.none() | st.integers(0, 60 * 24).map(lambda h: _hours(start, h)))
        return Wallet(methods=methods, default_id=draw(st.sampled_from(ids)), default_since=since)

    return build()


def _hours(start: datetime, hours: int) -> datetime:
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)


def _due_invoices(
    code: Currency, start: datetime, max_invoices: int
) -> st.SearchStrategy[list[Invoice]]:
    """The first invoice with money due (failed, or submitted), the others of any status."""
    issued = st.integers(0, 60 * 24).map(lambda h: _hours(start, h))
    due = st.sampled_from((InvoiceStatus.FAILED, InvoiceStatus.FAILED, InvoiceStatus.SUBMITTED))
    return st.tuples(
        invoices(currency=code, statuses=due, issued=issued),
        st.lists(
            invoices(currency=code, statuses=_STATUSES, issued=issued), max_size=max_invoices - 1
        ),
    ).map(
        lambda found: [
            attrs.evolve(inv, id=f"inv-{i}") for i, inv in enumerate((found[0], *found[1]))
        ]
    )


@checked
def overdue_facts(
    *, currency: Currency | str = "USD", max_invoices: int = 4
) -> st.SearchStrategy[OverdueFacts]:
    """The overdue area's facts (OVD-1 … OVD-8): 1 to ``max_invoices`` invoices issued within
    60 days of one another (the first failed or submitted, the others mostly so; some
    scheduled, paid, written off or cancelled; with charge attempts), a wallet of cards that may have expired and may have a new
    default (``default_since``), maybe a hold and a subscription; no prepaid ledger."""
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> OverdueFacts:
        start: datetime = draw(aware_datetimes(span=timedelta(days=3000)))
        hold = draw(st.none() | st.integers(0, 90 * 24).map(lambda h: _hours(start, h)))
        return OverdueFacts(
            currency=code,
            invoices=tuple(draw(_due_invoices(code, start, max_invoices))),
            wallet=draw(_wallets(start)),
            hold_until=hold,
            subscription=draw(
                st.none()
                | st.builds(
                    Subscription,
                    plan=st.just("Growth"),
                    anchor=st.just(start.date().replace(day=1)),
                    period=st.just("monthly"),
                )
            ),
        )

    return build()


@checked
def overdue_accounts(*, currency: Currency | str = "USD") -> st.SearchStrategy[Account]:
    """Active postpaid accounts the run drives through collections (X-9): the invoices, wallet,
    hold and subscription of :func:`overdue_facts`, an owner and maybe staff, no prepaid
    ledger, created before the first invoice."""
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> Account:
        facts = draw(overdue_facts(currency=code))
        first = min(invoice.issued_at for invoice in facts.invoices)
        users = [User(id="ann", role="owner")]
        if draw(st.booleans()):
            users.append(User(id="sam", role="staff"))
        return Account(
            id="acme",
            zone=draw(zones()),
            currency=code,
            status=AccountStatus.ACTIVE,
            created_at=first - timedelta(days=30),
            users=tuple(users),
            invoices=facts.invoices,
            wallet=facts.wallet,
            hold_until=facts.hold_until,
            subscription=facts.subscription,
        )

    return build()
