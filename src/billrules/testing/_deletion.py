"""Strategies for the deletion area: account activity histories and deletion policies."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st
from moneyed import Currency, Money

from billrules import _money
from billrules._check import checked
from billrules.balance import Ledger, LedgerEntry
from billrules.deletion import AccountActivity, DeletionPolicy
from billrules.testing._core import aware_datetimes, money

#: The balances a generated policy tolerates, as a host passes them: an int or a numeric str.
_MAX_BALANCES: tuple[int | str, ...] = (0, 1, "0.50")


@checked
def deletion_policies() -> st.SearchStrategy[DeletionPolicy]:
    """Deletion policies with small knobs: reminders strictly decreasing, below the notice."""

    @st.composite
    def build(draw: st.DrawFn) -> DeletionPolicy:
        notice = draw(st.integers(min_value=0, max_value=20))
        reminders = (
            sorted(
                draw(st.sets(st.integers(min_value=1, max_value=notice - 1), max_size=3)),
                reverse=True,
            )
            if notice > 1
            else []
        )
        return DeletionPolicy(
            min_age_days=draw(st.integers(min_value=0, max_value=60)),
            inactivity_days=draw(st.integers(min_value=0, max_value=45)),
            max_balance=draw(st.sampled_from(_MAX_BALANCES)),
            notice_days=notice,
            reminder_days_before=tuple(reminders),
            retention_days=draw(st.integers(min_value=0, max_value=30)),
            manual_notice_days=draw(st.integers(min_value=0, max_value=5)),
        )

    return build()


def _ledger(
    draw: st.DrawFn,
    code: Currency,
    created: datetime,
    offsets: st.SearchStrategy[int],
    amounts: st.SearchStrategy[Money],
    max_entries: int,
) -> Ledger:
    """A ledger of adjustments: an opening one at ``created``, then at the drawn offsets."""
    drawn = [(0, draw(amounts))]
    drawn += [(offset, draw(amounts)) for offset in draw(st.lists(offsets, max_size=max_entries))]
    entries = tuple(
        LedgerEntry(
            id=f"e{index}",
            kind="adjustment",
            at=created + timedelta(seconds=offset),
            amount=amount,
        )
        for index, (offset, amount) in enumerate(sorted(drawn, key=lambda pair: pair[0]))
        if amount.amount
    )
    return Ledger(currency=code, entries=entries)


@checked
def account_activities(
    *,
    currency: Currency | str = "USD",
    created_at: st.SearchStrategy[datetime] | None = None,
    span: timedelta = timedelta(days=120),
    max_logins: int = 5,
    max_entries: int = 5,
) -> st.SearchStrategy[AccountActivity]:
    """Account histories: logins and ledger entries within ``span`` after the creation.

    Each entry moves the balance by up to a hundred units of ``currency`` either way; a zero
    balance is frequent.
    """
    code = _money.to_currency(currency, "currency")
    seconds = int(span.total_seconds())
    amounts = st.one_of(st.just(Money(0, code)), money(code, min_value=-10_000, max_value=10_000))

    @st.composite
    def build(draw: st.DrawFn) -> AccountActivity:
        created: datetime = draw(created_at if created_at is not None else aware_datetimes())
        offsets = st.integers(min_value=0, max_value=seconds)
        logins = [
            created + timedelta(seconds=s) for s in draw(st.lists(offsets, max_size=max_logins))
        ]
        return AccountActivity(
            created_at=created,
            logins=tuple(logins),
            ledger=_ledger(draw, code, created, offsets, amounts, max_entries),
        )

    return build()


@checked
def inactive_accounts(
    policy: DeletionPolicy | None = None, *, currency: Currency | str = "USD"
) -> st.SearchStrategy[tuple[AccountActivity, datetime]]:
    """An account and an instant at which it is eligible for deletion under ``policy`` (DEL-1).

    The account is older than ``min_age_days`` and idle for longer than ``inactivity_days`` by
    at least two whole days (so by at least one calendar day in any zone), with a balance at or
    below zero.
    """
    rules = policy if policy is not None else DeletionPolicy()
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> tuple[AccountActivity, datetime]:
        created: datetime = draw(aware_datetimes(span=timedelta(days=3000)))
        idle = rules.inactivity_days + 2
        age = max(rules.min_age_days, idle) + draw(st.integers(min_value=2, max_value=30))
        at = created + timedelta(days=age)
        logins = draw(st.lists(st.integers(min_value=0, max_value=(age - idle) * 24), max_size=3))
        debt = draw(money(code, min_value=-5_000, max_value=0))
        entries = (
            (LedgerEntry(id="opening", kind="adjustment", at=created, amount=debt),)
            if debt.amount
            else ()
        )
        return (
            AccountActivity(
                created_at=created,
                logins=tuple(created + timedelta(hours=h) for h in logins),
                ledger=Ledger(currency=code, entries=entries),
            ),
            at,
        )

    return build()
