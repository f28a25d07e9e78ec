"""Time ``explain`` over 100,000 account snapshots against a hand-written baseline (X-1, X-5).

Run with ``python benchmarks/bench_explain.py``. Not part of the test suite: it prints figures
and asserts nothing about time. Target: billrules within 3x of the baseline.

Accounts are built with ``random`` (fixed seed) into a pool of a few hundred distinct ones, so
building them is not what is timed; the 100,000 inputs are (account, instant) pairs drawn from
the pool. Both sides run over the same inputs, in alternating rounds (median per call).

The baseline (``explain_baseline.py``, beside this file) computes the same answers with plain
values (Decimals, datetimes, booleans) for every area, collections included, and the first
five events of the next 400 days lived as the run lives them (X-9): see its docstring. The
pool holds prepaid accounts (a ledger) and postpaid ones whose invoices are charged to a card,
some failed (soft or hard declines), so that the instants drawn fall in every collections
stage. Before timing, both sides are checked to give the same answers on the first 4,000
inputs.

Rendering happens on read (X-7): the last lines time writing built reports as text, in
English (``billrules.i18n.render``, which is ``str(report)``) and in Ukrainian, per report,
against building them. Target: rendering a report in either locale costs no more than
building it.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from explain_baseline import baseline  # the hand-written side, from this folder
from moneyed import Money

from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry
from billrules.cancellation import CancellationRequest
from billrules.deletion import DeletionSchedule
from billrules.i18n import render
from billrules.invoices import ChargeAttempt, Invoice
from billrules.payment_methods import PaymentMethod, Wallet
from billrules.policy import DEFAULT_POLICY
from billrules.report import Report, explain
from billrules.seats import SeatPool
from billrules.subscriptions import Subscription

N = int(os.environ.get("BENCH_N", "100000"))
POOL = 400
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SEED = 20240508
ZONES = tuple(ZoneInfo(n) for n in ("UTC", "Europe/Kyiv", "America/New_York", "Asia/Kolkata"))
USD = "USD"


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=zone)


def postpaid_invoices(rng: random.Random, created: datetime, zone: ZoneInfo) -> list[Invoice]:
    """2-5 monthly invoices of a postpaid account, charged to its card (OVD-1): most paid,
    some whose automatic charge failed (a soft or a hard decline), some not charged yet."""
    invoices = []
    months = sorted(rng.sample(range(1, 17), rng.randrange(2, 6)))
    for n, month in enumerate(months):
        due = _local(created.astimezone(zone).date() + timedelta(days=30 * month), 0, 0, zone)
        issued = due - timedelta(days=7)
        status = rng.choice(("paid", "paid", "failed", "failed", "submitted"))
        attempts: tuple[ChargeAttempt, ...] = ()
        if status != "submitted":
            failed = status == "failed"
            attempts = (
                ChargeAttempt(
                    at=due + timedelta(hours=9),
                    outcome="failed" if failed else "succeeded",
                    decline_code=rng.choice(_DECLINES) if failed else None,
                    method_id="pm-1",
                ),
            )
        invoices.append(
            Invoice(
                id=f"inv-{n}",
                status=status,
                amount=Money("49.00", USD),
                issued_at=issued,
                due_at=due,
                amount_paid=Money("49.00" if status == "paid" else 0, USD),
                paid_at=due + timedelta(hours=9) if status == "paid" else None,
                attempts=attempts,
            )
        )
    return invoices


#: Declines of the automatic charge: mostly soft, one hard (OVD-2).
_DECLINES = ("insufficient_funds", "insufficient_funds", "do_not_honor", "lost_card")


def build_account(rng: random.Random, index: int) -> Account:
    """One random, valid account mixing every area: prepaid (a ledger) or postpaid (invoices
    charged to a card, some failed: collections, OVD-1 … OVD-9)."""
    zone = rng.choice(ZONES)
    created_day = date(2022, 1, 1) + timedelta(days=rng.randrange(700))
    created = _local(created_day, 10, 0, zone)
    users = [User(id="u0", role="owner", last_login_at=None)]
    for n in range(rng.randrange(4)):
        role = rng.choice(("admin", "staff"))
        login = (
            None
            if rng.random() < 0.3
            else created + timedelta(days=rng.randrange(300), hours=rng.randrange(24))
        )
        users.append(User(id=f"u{n + 1}", role=role, last_login_at=login))
    if rng.random() < 0.5:
        users[0] = User(
            id="u0", role="owner", last_login_at=created + timedelta(days=rng.randrange(200))
        )
    ledger = None
    if rng.random() < 0.7:
        entries = []
        top = rng.choice((0, 10, 20, 50))
        if top:
            entries.append(
                LedgerEntry(
                    id="p0",
                    kind="payment",
                    at=created,
                    amount=Money(top, USD),
                    description="top-up",
                )
            )
        for m in range(1, rng.randrange(2, 8)):
            first = (created_day.replace(day=1) + timedelta(days=32 * m)).replace(day=1)
            entries.append(
                LedgerEntry(
                    id=f"c{m}",
                    kind="charge",
                    at=_local(first, 0, 0, zone),
                    amount=Money("-19.00", USD),
                    description="month",
                )
            )
        if rng.random() < 0.4 and entries:
            entries.append(
                LedgerEntry(
                    id="p1",
                    kind="payment",
                    at=entries[-1].at + timedelta(days=rng.randrange(1, 20), hours=5),
                    amount=Money(rng.choice((19, 40, 100)), USD),
                    description="pay",
                )
            )
        ledger = Ledger(currency=USD, entries=tuple(sorted(entries, key=lambda e: e.at)))
    postpaid = ledger is None and rng.random() < 0.7
    invoices = postpaid_invoices(rng, created, zone) if postpaid else []
    for n in range(0 if postpaid else rng.randrange(4)):
        issued = created + timedelta(days=rng.randrange(-600, 400))
        status = rng.choice(("submitted", "paid", "scheduled", "failed"))
        paid = status == "paid"
        invoices.append(
            Invoice(
                id=f"inv-{n}",
                status=status,
                amount=Money("19.00", USD),
                issued_at=issued,
                due_at=issued + timedelta(days=14),
                amount_paid=Money("19.00" if paid else 0, USD),
                paid_at=issued + timedelta(days=2) if paid else None,
            )
        )
    subscription = None
    if postpaid or rng.random() < 0.5:
        subscription = Subscription(plan="Pro", anchor=created_day, period="monthly")
    schedule = None
    if rng.random() < 0.35:
        day = created_day + timedelta(days=rng.randrange(41, 300))
        schedule = DeletionSchedule(scheduled_at=_local(day, 9, 15, zone), kind="automatic")
    request = None
    if rng.random() < 0.2:
        asked = created + timedelta(days=rng.randrange(10, 300))
        request = CancellationRequest(
            reason="too_expensive", requested_at=asked, deactivates_at=asked + timedelta(days=30)
        )
    wallet = Wallet()
    if postpaid or rng.random() < 0.6:
        card = PaymentMethod(
            id="pm-1", kind="card", brand="visa", last4="4242", exp_month=12, exp_year=2030
        )
        wallet = Wallet(methods=(card,), default_id="pm-1")
    seats = None
    if rng.random() < 0.5:
        total = rng.randrange(1, 8)
        seats = SeatPool(
            total=total, occupants=tuple(f"u{n}" for n in range(rng.randrange(total + 1)))
        )
    return Account(
        id=f"acct-{index}",
        zone=zone,
        currency=USD,
        status="active",
        created_at=created,
        users=tuple(users),
        ledger=ledger,
        invoices=tuple(invoices),
        wallet=wallet,
        seats=seats,
        subscription=subscription,
        cancellation_request=request,
        deletion_schedule=schedule,
    )


def answers(report: Report, account: Account) -> tuple[Any, ...]:
    """The answers of a Report in the baseline's shape."""

    def find(findings: Any, question: str, area: str | None = None) -> Any:
        return next(
            (f for f in findings if f.question == question and area in (None, f.area)), None
        )

    roles = []
    for rr in report.roles:
        fs = rr.findings
        use = find(fs, "use_product", "dunning")
        overdue = find(fs, "use_product", "overdue")
        top_up = find(fs, "top_up")
        cancel = find(fs, "cancel_deletion")
        pm = find(fs, "remove_default_method")
        seats = find(fs, "remove_seats")
        roles.append(
            (
                str(rr.role),
                str(use.details["level"]),
                None if overdue is None else str(overdue.details["level"]),
                None if top_up is None else top_up.allowed,
                find(fs, "request_cancellation").allowed,
                find(fs, "delete_manually").allowed,
                None if cancel is None else cancel.allowed,
                None if pm is None else pm.allowed,
                None if seats is None else seats.details["removable"],
            )
        )
    history = find(report.account, "all_in_history").reasons[0].details
    ahead = find(report.account, "deletion_goes_ahead")
    paid = find(report.account, "overdue_paid")
    plan = find(report.account, "change_plan")
    return (
        tuple(roles),
        report.outstanding.amount,
        history["listed"],
        history["before_cutoff"],
        None if report.balance is None else report.balance.amount,
        find(report.account, "eligible_for_deletion").allowed,
        None if ahead is None else ahead.allowed,
        find(report.account, "nothing_scheduled").allowed,
        None if paid is None else paid.allowed,
        None if plan is None else plan.allowed,
        tuple((e.at, str(e.kind)) for e in report.next_events),
    )


def main() -> None:
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    pool = [build_account(rng, i) for i in range(POOL)]
    build = time.perf_counter() - t0
    inputs = []
    for _ in range(N):
        account = rng.choice(pool)
        inputs.append((account, account.created_at + timedelta(hours=rng.randrange(24 * 500))))
    checked = inputs[:4000]
    mismatches = 0
    for account, at in checked:
        if answers(explain(account, DEFAULT_POLICY, at), account) != baseline(account, at):
            mismatches += 1
    print(f"pool of {POOL} accounts built in {build:.2f} s; {N:,} inputs")
    print(f"answers checked on {len(checked):,} inputs: {mismatches} mismatches")
    policy = DEFAULT_POLICY
    ways: dict[str, Callable[[Account, datetime], object]] = {
        "billrules explain": lambda a, t: explain(a, policy, t),
        "plain baseline": baseline,
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(ROUNDS):
        for name, way in ways.items():
            start = time.perf_counter()
            for account, at in inputs:
                way(account, at)
            times[name].append((time.perf_counter() - start) / N)
    med = {name: statistics.median(values) for name, values in times.items()}
    for name, value in med.items():
        print(f"{name:<20} {value * 1e6:8.1f} µs per account  ({value * N:.2f} s for {N:,})")
    ratio = med["billrules explain"] / med["plain baseline"]
    print(f"ratio explain / baseline: {ratio:.2f}x (target <= 3x)")
    bench_render(inputs, med["billrules explain"])


def bench_render(inputs: list[tuple[Account, datetime]], explain_median: float) -> None:
    """X-7: rendering built reports in English and Ukrainian, per report, against explain."""
    count = min(len(inputs), int(os.environ.get("BENCH_RENDER_N", "10000")))
    reports = [explain(account, DEFAULT_POLICY, at) for account, at in inputs[:count]]
    for report in reports[:50]:  # the catalogues are read once, before timing
        render(report, locale="uk")
    times: dict[str, list[float]] = {"en": [], "uk": []}
    for _ in range(ROUNDS):
        for locale, spent in times.items():
            start = time.perf_counter()
            for report in reports:
                render(report, locale=locale)
            spent.append((time.perf_counter() - start) / count)
    for locale, values in times.items():
        value = statistics.median(values)
        print(
            f"render {locale:<13} {value * 1e6:8.1f} µs per report  "
            f"({value / explain_median:.2f}x explain; target <= 1x)"
        )


if __name__ == "__main__":
    main()
