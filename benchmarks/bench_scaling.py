"""How ``explain`` and a one-day ``timeline`` grow with an account's facts (X-1, X-5).

Run with ``python benchmarks/bench_scaling.py``. Not a test: it prints figures and asserts
nothing about time. For each kind of fact — ledger entries, invoices, users — an account holds
1,000, 4,000 and 16,000 of them (the other kinds stay small), and each call is timed (median of
``BENCH_ROUNDS`` calls, default 3). The growth exponent is ``log(t16k / t1k) / log(16)``: 1.0
is linear, 2.0 quadratic. Target: every exponent at most 1.1.

Before timing, the answers are checked against what the facts imply: the balance is the sum
of the ledger, the outstanding amount the sum of what the invoices still owe, and one role
report per role present.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
from moneyed import Money

from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry
from billrules.invoices import Invoice
from billrules.policy import DEFAULT_POLICY
from billrules.report import explain
from billrules.timeline import timeline

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SIZES = (1_000, 4_000, 16_000)
T0 = datetime(2000, 1, 1, tzinfo=UTC)
OWNER = User(id="owner", role="owner", last_login_at=T0)


def _ledger(n: int) -> Ledger:
    entries = []
    for i in range(n):
        at = T0 + timedelta(hours=6 * i)
        if i % 2:
            entries.append(
                LedgerEntry(
                    id=f"c{i}", kind="charge", at=at, amount=Money("-1.00", "USD"), description="d"
                )
            )
        else:
            entries.append(
                LedgerEntry(id=f"p{i}", kind="payment", at=at, amount=Money("1.00", "USD"))
            )
    return Ledger(currency="USD", entries=tuple(entries))


def _invoices(n: int) -> tuple[Invoice, ...]:
    invoices = []
    for i in range(n):
        issued = T0 + timedelta(days=i)
        status = "paid" if i % 3 else "submitted"
        invoices.append(
            Invoice(
                id=f"inv-{i}",
                status=status,
                amount=Money("10.00", "USD"),
                issued_at=issued,
                due_at=issued + timedelta(days=14),
                paid_at=issued if status == "paid" else None,
            )
        )
    return tuple(invoices)


def _users(n: int) -> tuple[User, ...]:
    roles = ("admin", "staff")
    others = (
        User(id=f"u{i}", role=roles[i % 2], last_login_at=T0 + timedelta(hours=i))
        for i in range(n - 1)
    )
    return (OWNER, *others)


def account(kind: str, n: int) -> tuple[Account, datetime]:
    """An account with ``n`` facts of ``kind`` and the instant to ask about (after them all)."""
    at = T0 + timedelta(days=n + 30)
    base = Account(id="acct", zone="UTC", currency="USD", created_at=T0, users=(OWNER,))
    if kind == "ledger entries":
        return _with(base, ledger=_ledger(n)), at
    if kind == "invoices":
        return _with(base, invoices=_invoices(n)), at
    return _with(base, users=_users(n)), at


def _with(base: Account, **changes: object) -> Account:
    return attrs.evolve(base, **changes)


def _median(call: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _check(kind: str, acct: Account, at: datetime) -> None:
    report = explain(acct, DEFAULT_POLICY, at)
    if kind == "ledger entries":
        assert acct.ledger is not None
        assert report.balance == acct.ledger.balance, (report.balance, acct.ledger.balance)
    if kind == "invoices":
        due = sum((inv.amount_due.amount for inv in acct.invoices), start=0)
        assert report.outstanding == Money(due, "USD"), report.outstanding
    assert {r.role for r in report.roles} == {u.role for u in acct.users}


def _fresh(acct: Account) -> Account:
    """The snapshot as a request reads it anew: its ledger built again from its entries (a
    ledger computes its running history once, when built; this times that too)."""
    ledger = acct.ledger
    if ledger is None:
        return acct
    return attrs.evolve(acct, ledger=Ledger(currency=ledger.currency, entries=ledger.entries))


def main() -> None:
    print(
        f"{'facts':>15} {'n':>7} {'explain':>12} {'timeline 1 day':>16} "
        f"{'new ledger + explain':>22}"
    )
    for kind in ("ledger entries", "invoices", "users"):
        figures: dict[str, dict[int, float]] = {"explain": {}, "timeline": {}, "fresh": {}}
        for n in SIZES:
            acct, at = account(kind, n)
            _check(kind, acct, at)
            figures["explain"][n] = _median(lambda a=acct, t=at: explain(a, DEFAULT_POLICY, t))
            figures["timeline"][n] = _median(
                lambda a=acct, t=at: timeline(a, DEFAULT_POLICY, start=t, end=t + timedelta(days=1))
            )
            figures["fresh"][n] = _median(
                lambda a=acct, t=at: explain(_fresh(a), DEFAULT_POLICY, t)
            )
            print(
                f"{kind:>15} {n:>7,} {figures['explain'][n] * 1e3:>9.1f} ms"
                f" {figures['timeline'][n] * 1e3:>13.1f} ms"
                f" {figures['fresh'][n] * 1e3:>19.1f} ms"
            )
        for what, times in figures.items():
            exponent = math.log(times[SIZES[-1]] / times[SIZES[0]]) / math.log(SIZES[-1] / SIZES[0])
            name = "a new ledger and explain" if what == "fresh" else what
            print(f"{'':>15} growth exponent of {name} over {kind}: {exponent:.2f} (target <= 1.1)")


if __name__ == "__main__":
    main()
