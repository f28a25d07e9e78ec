"""Accounts shared by the account and timeline tests: the seed's delinquent prepaid account."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import apply
from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry
from billrules.cancellation import CancellationRequest
from billrules.deletion import DeletionSchedule
from billrules.invoices import Invoice
from billrules.policy import Policy
from billrules.subscriptions import Subscription
from billrules.timeline import Timeline, timeline

KYIV = ZoneInfo("Europe/Kyiv")
T0 = datetime(2024, 5, 1, tzinfo=KYIV)


def _charge(at: datetime, amount: str, id_: str = "c-1") -> LedgerEntry:
    return LedgerEntry(id=id_, kind="charge", at=at, amount=Money(amount, "USD"), description="x")


def _payment(at: datetime, amount: str, id_: str = "p-1") -> LedgerEntry:
    return LedgerEntry(id=id_, kind="payment", at=at, amount=Money(amount, "USD"), description="x")


def _account(**changes: Any) -> Account:
    base = Account(
        id="acme",
        zone=KYIV,
        currency="USD",
        created_at=datetime(2023, 1, 1, tzinfo=UTC),
        users=(User(id="ann", role="owner"), User(id="sam", role="staff")),
    )
    return attrs.evolve(base, **changes)


#: The seed's delinquent prepaid account: 19.00 USD charged on May 1st, never paid; a monthly
#: subscription; an unpaid invoice; a cancellation deactivating on June 1st; an inactivity
#: deletion scheduled on May 20th.
DELINQUENT = _account(
    ledger=Ledger(currency="USD", entries=(_charge(T0, "-19.00"),)),
    subscription=Subscription(plan="Pro", anchor=date(2024, 1, 15), period="monthly"),
    invoices=(
        Invoice(
            id="inv-1",
            status="submitted",
            amount=Money("19.00", "USD"),
            issued_at=datetime(2024, 5, 1, tzinfo=KYIV),
            due_at=datetime(2024, 5, 15, tzinfo=KYIV),
        ),
    ),
    cancellation_request=CancellationRequest(
        reason="too_expensive",
        requested_at=datetime(2024, 5, 2, tzinfo=KYIV),
        deactivates_at=datetime(2024, 6, 1, tzinfo=KYIV),
    ),
    deletion_schedule=DeletionSchedule(
        scheduled_at=datetime(2024, 5, 20, 9, 15, tzinfo=KYIV), kind="automatic"
    ),
)


def nights(
    account: Account, policy: Policy, bounds: Sequence[datetime]
) -> tuple[list[Timeline], Account]:
    """The timelines of consecutive windows ``bounds[i], bounds[i + 1]``, each run on the
    account with every previous window's effects applied (X-9: what a host sees running them
    night by night), and the account after the last one."""
    found: list[Timeline] = []
    for first, last in itertools.pairwise(bounds):
        night = timeline(account, policy, start=first, end=last)
        account = apply(account, [effect for event in night.events for effect in event.effects])
        found.append(night)
    return found, account
