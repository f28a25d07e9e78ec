"""Strategies for whole accounts and whole policies, across every area."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
from hypothesis import strategies as st
from moneyed import Currency

from billrules import _money
from billrules._check import checked
from billrules.account import Account, User
from billrules.balance import EntryKind, Ledger, LedgerEntry
from billrules.cancellation import AccountStatus
from billrules.deletion import DeletionSchedule, DeletionScheduleKind
from billrules.policy import Policy
from billrules.roles import Role
from billrules.testing._balance import balance_policies, ledgers
from billrules.testing._cancellation import cancellation_policies, cancellation_requests
from billrules.testing._core import aware_datetimes, money, zones
from billrules.testing._deletion import deletion_policies
from billrules.testing._dunning import dunning_policies
from billrules.testing._invoices import invoice_policies, invoices, payments
from billrules.testing._overdue import overdue_policies
from billrules.testing._payment_methods import payment_method_policies, wallets
from billrules.testing._seats import seat_policies, seat_pools
from billrules.testing._subscriptions import subscription_policies, subscriptions


@checked
def users(*, max_others: int = 3) -> st.SearchStrategy[tuple[User, ...]]:
    """An owner and up to ``max_others`` admins and staff, each with an optional last login."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[User, ...]:
        others = draw(st.lists(st.sampled_from((Role.ADMIN, Role.STAFF)), max_size=max_others))
        roles = [Role.OWNER, *others]
        return tuple(
            User(
                id=f"user-{index}",
                role=role,
                last_login_at=draw(st.none() | aware_datetimes()),
            )
            for index, role in enumerate(roles)
        )

    return build()


@checked
def accounts(*, currency: Currency | str = "USD") -> st.SearchStrategy[Account]:
    """Valid account snapshots: any mix of ledger, invoices (with their charge attempts),
    wallet (maybe with the instant its default became the default), seats, subscription,
    cancellation request, deletion schedule and collections hold (OVD-8), in one of
    :func:`~billrules.testing.zones`."""
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> Account:
        created_at: datetime = draw(aware_datetimes())
        schedule = None
        if draw(st.booleans()):
            schedule = DeletionSchedule(
                scheduled_at=created_at
                + timedelta(hours=draw(st.integers(min_value=0, max_value=24 * 400))),
                kind=draw(st.sampled_from(DeletionScheduleKind)),
            )
        wallet = draw(wallets())
        if wallet.default_id is not None:
            wallet = attrs.evolve(wallet, default_since=draw(st.none() | aware_datetimes()))
        return Account(
            id=draw(st.sampled_from(("acct-1", "acct-2", "acme", "kyiv-realty"))),
            zone=draw(zones()),
            currency=code,
            status=draw(st.sampled_from(AccountStatus)),
            created_at=created_at,
            users=draw(users()),
            ledger=draw(st.none() | ledgers(currency=code)),
            invoices=tuple(
                draw(st.lists(invoices(currency=code), max_size=5, unique_by=lambda i: i.id))
            ),
            payments=tuple(draw(st.lists(payments(currency=code), max_size=3))),
            wallet=wallet,
            seats=draw(st.none() | seat_pools()),
            subscription=draw(st.none() | subscriptions()),
            cancellation_request=draw(st.none() | cancellation_requests()),
            deletion_schedule=schedule,
            hold_until=draw(st.none() | aware_datetimes()),
        )

    return build()


@checked
def policies() -> st.SearchStrategy[Policy]:
    """Valid whole policies: every area's policy drawn from its own strategy."""
    return st.builds(
        Policy,
        invoices=invoice_policies(),
        payment_methods=payment_method_policies(),
        seats=seat_policies(),
        cancellation=cancellation_policies(),
        subscriptions=subscription_policies(),
        balance=balance_policies(),
        dunning=dunning_policies(),
        deletion=deletion_policies(),
        overdue=overdue_policies(),
    )


@checked
def lived_accounts(*, currency: Currency | str = "USD") -> st.SearchStrategy[Account]:
    """Active accounts the run drives (X-9): no deletion schedule and no cancellation request
    yet; prepaid (a top-up at creation of 0 to 100.00, and maybe later ones) or postpaid; each
    user last seen within 200 days of the creation, or never. Under the default policy a year
    from their creation charges the prepaid ones each month (BAL-4) and schedules and deletes
    the idle ones (DEL-1, DEL-3, DEL-6)."""
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> Account:
        created_at: datetime = draw(aware_datetimes(span=timedelta(days=3000)))
        after = st.integers(min_value=0, max_value=200 * 24).map(
            lambda hours: created_at + timedelta(hours=hours)
        )
        people = draw(users(max_others=2))
        people = tuple(attrs.evolve(user, last_login_at=draw(st.none() | after)) for user in people)
        ledger = None
        if draw(st.booleans()):
            top_ups = draw(
                st.lists(
                    st.tuples(st.integers(0, 300 * 24), money(code, max_value=10_000)), max_size=3
                )
            )
            entries = [
                LedgerEntry(id=f"pay-{index}", kind=EntryKind.PAYMENT, at=at, amount=amount)
                for index, (at, amount) in enumerate(
                    sorted(
                        (created_at + timedelta(hours=hours), amount)
                        for hours, amount in top_ups
                        if amount.amount > 0
                    )
                )
            ]
            ledger = Ledger(currency=code, entries=tuple(entries))
        return Account(
            id=draw(st.sampled_from(("acct-1", "acme", "kyiv-realty"))),
            zone=draw(zones()),
            currency=code,
            status=AccountStatus.ACTIVE,
            created_at=created_at,
            users=people,
            ledger=ledger,
            seats=draw(st.none() | seat_pools()),
            subscription=draw(st.none() | subscriptions()),
        )

    return build()
