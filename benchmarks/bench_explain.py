"""Time ``explain`` over 100,000 account snapshots against a hand-written baseline (X-1, X-5).

Run with ``python benchmarks/bench_explain.py``. Not part of the test suite: it prints figures
and asserts nothing about time. Target: billrules within 3x of the baseline.

Accounts are built with ``random`` (fixed seed) into a pool of a few hundred distinct ones, so
building them is not what is timed; the 100,000 inputs are (account, instant) pairs drawn from
the pool. Both sides run over the same inputs, in alternating rounds (median per call).

The baseline computes the same answers with plain values (Decimals, datetimes, booleans): for
each role present the access level (DUN-1, default schedule, month_start anchor), topping up
(BAL-1), requesting cancellation (CAN-1 … CAN-3), manual deletion (DEL-2), cancelling a
pending deletion (DEL-3), removing the default method (PM-2), removable seats (SEAT-2); for
the account the outstanding amount (INV-3), the history count (INV-1), the balance (BAL-3),
inactivity eligibility (DEL-1), whether a scheduled deletion goes ahead (DEL-7), nothing
scheduled (CAN-9), and the first five events of the next 400 days (X-5) with their instants.
No messages, no reasons, no effects: that is what billrules adds. Before timing, both sides
are checked to give the same answers on every pool account.

Rendering happens on read (X-7): the last lines time writing built reports as text, in
English (``billrules.i18n.render``, which is ``str(report)``) and in Ukrainian, per report,
against building them. Target: rendering a report in either locale costs no more than
building it.
"""

from __future__ import annotations

import calendar
import itertools
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry
from billrules.cancellation import CancellationRequest
from billrules.deletion import DeletionSchedule
from billrules.i18n import render
from billrules.invoices import Invoice
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


def build_account(rng: random.Random, index: int) -> Account:
    """One random, valid account mixing every area."""
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
    invoices = []
    for n in range(rng.randrange(4)):
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
    if rng.random() < 0.5:
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
    if rng.random() < 0.6:
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


# --------------------------------------------------------------------------------------------
# The baseline: plain values, the default policy hard-wired.

_LEVELS = (
    ("full", "full", "full"),
    ("full_with_reminder", "full_with_reminder", "full"),
    ("payment_page_only", "payment_page_only", "full"),
    ("blocked", "blocked", "blocked"),
)
_FIRST_DAYS = (1, 4, 7, 10)
_ROLE_INDEX = {"owner": 0, "admin": 1, "staff": 2}
#: The registry's order of areas (billrules.evaluation.AREAS) for transitions at one instant.
_RANK = {"dunning": 0, "invoices": 1, "cancellation": 2, "subscriptions": 3, "deletion": 4}


def _stage_of(day: int) -> int:
    return 3 if day >= 10 else 2 if day >= 7 else 1 if day >= 4 else 0


def _add_days(at: datetime, days: int, zone: ZoneInfo) -> datetime:
    local = at.astimezone(zone)
    wall = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC).astimezone(zone)


def baseline(a: Account, at: datetime) -> tuple[Any, ...]:
    """The same answers as :func:`answers` of a Report, from plain values."""
    zone = a.zone
    # Ledger: running balance, debt periods.
    periods: list[list[Any]] = []
    balance = Decimal(0)
    changes: list[tuple[datetime, Decimal]] = []
    if a.ledger is not None:
        started = None
        for when, group in itertools.groupby(a.ledger.entries, key=lambda e: e.at):
            balance += sum((e.amount.amount for e in group), Decimal(0))
            changes.append((when, balance))
            if balance < 0 and started is None:
                started = when
            elif balance >= 0 and started is not None:
                periods.append([started, when])
                started = None
        if started is not None:
            periods.append([started, None])
    bal_at = Decimal(0)
    for when, value in changes:
        if when > at:
            break
        bal_at = value
    debt = None
    for started, ended in periods:
        if started <= at and (ended is None or at < ended):
            debt = started
    stage = -1
    if debt is not None:
        today = at.astimezone(zone).date()
        debt_day = debt.astimezone(zone).date()
        stage = (
            3
            if (today.year, today.month) != (debt_day.year, debt_day.month)
            else _stage_of(today.day)
        )
    due = [i for i in a.invoices if i.status in ("submitted", "failed") and i.amount_due.amount > 0]
    owed = sum((i.amount_due.amount for i in due), Decimal(0))
    roles_present = {u.role for u in a.users}
    # Deletion.
    logins = sorted(
        u.last_login_at
        for u in a.users
        if u.last_login_at is not None and u.last_login_at >= a.created_at
    )
    created_day = a.created_at.astimezone(zone).date()

    def eligible(when: datetime) -> bool:
        day = when.astimezone(zone).date()
        if (day - created_day).days <= 40:
            return False
        last = None
        for login in logins:
            if login > when:
                break
            last = login
        if last is not None and (day - last.astimezone(zone).date()).days <= 30:
            return False
        value = Decimal(0)
        for change_at, change in changes:
            if change_at > when:
                break
            value = change
        return value <= 0

    s = a.deletion_schedule
    deletion_events: list[tuple[datetime, str]] = []
    pending = goes_ahead = None
    if s is not None:
        deletion_at = _add_days(s.scheduled_at, 10, zone)
        goes_ahead = eligible(deletion_at)
        pending = s.scheduled_at <= at < deletion_at
        deletion_events.append((s.scheduled_at, "deletion_scheduled"))
        deletion_events.append((_add_days(s.scheduled_at, 7, zone), "deletion_reminder"))
        deletion_events.append((_add_days(s.scheduled_at, 9, zone), "deletion_reminder"))
        if goes_ahead:
            deletion_events.append((deletion_at, "account_deleted"))
            deletion_events.append((_add_days(s.scheduled_at, 30, zone), "data_purged"))
        else:
            deletion_events.append((deletion_at, "deletion_kept"))
    roles = []
    for role in ("owner", "admin", "staff"):
        if role not in roles_present:
            continue
        level = "full" if stage < 0 else _LEVELS[stage][_ROLE_INDEX[role]]
        roles.append(
            (
                role,
                level,
                None if a.ledger is None else role != "staff",  # BAL-1, prepaid only
                role == "owner"
                and a.status == "active"
                and not due
                and (a.ledger is None or bal_at >= 0),
                role == "owner",
                None if s is None else (role == "owner" and pending),
                None if a.wallet.default_id is None else False,
                None if a.seats is None else a.seats.total - len(a.seats.occupants),
            )
        )
    cutoff = date(2021, 1, 1)
    issued = [i for i in a.invoices if i.status != "scheduled" and i.issued_at <= at]
    listed = sum(1 for i in issued if i.issued_at.astimezone(zone).date() >= cutoff)
    # Next events in [at, at + 400 days).
    end = at + timedelta(days=400)
    events: list[tuple[datetime, int, str]] = []
    r = a.cancellation_request
    if r is not None and r.state != "withdrawn" and at <= r.deactivates_at < end:
        events.append((r.deactivates_at, _RANK["cancellation"], "cancellation_effective"))
    sub = a.subscription
    if sub is not None:
        local = at.astimezone(zone).date()
        n = max((local.year - sub.anchor.year) * 12 + local.month - sub.anchor.month - 1, 1)
        while True:
            when = _midnight(_add_months(sub.anchor, n), zone)
            if when >= end:
                break
            stopped = (r is not None and r.state != "withdrawn" and when >= r.deactivates_at) or (
                s is not None and goes_ahead and when >= _add_days(s.scheduled_at, 10, zone)
            )
            if stopped:
                break
            if when >= at:
                events.append((when, _RANK["subscriptions"], "renewal"))
                if len(events) > 6:
                    break
            n += 1
    for i in due:
        if at <= i.due_at < end:
            events.append((i.due_at, _RANK["invoices"], "invoice_overdue"))
    for started, ended in periods:
        debt_day = started.astimezone(zone).date()
        first = _stage_of(debt_day.day)
        times = [started]
        for idx in range(first + 1, 4):
            times.append(_midnight(debt_day.replace(day=_FIRST_DAYS[idx]), zone))
        times = [t for t in times if ended is None or t < ended]
        for t in times:
            if at <= t < end:
                events.append((t, _RANK["dunning"], "dunning_stage"))
        if ended is not None and at <= ended < end:
            events.append((ended, _RANK["dunning"], "dunning_lifted"))
    for when, kind in deletion_events:
        if at <= when < end:
            events.append((when, _RANK["deletion"], kind))
    events.sort(key=lambda e: (e[0], e[1]))
    return (
        tuple(roles),
        owed,
        listed,
        len(issued) - listed,
        None if a.ledger is None else bal_at,
        eligible(at),
        goes_ahead,
        not any(i.status == "scheduled" for i in a.invoices),
        tuple((t, k) for t, _, k in events[:5]),
    )


def answers(report: Report, account: Account) -> tuple[Any, ...]:
    """The answers of a Report in the baseline's shape."""

    def find(findings: Any, question: str) -> Any:
        return next((f for f in findings if f.question == question), None)

    roles = []
    for rr in report.roles:
        fs = rr.findings
        use = find(fs, "use_product")
        top_up = find(fs, "top_up")
        cancel = find(fs, "cancel_deletion")
        pm = find(fs, "remove_default_method")
        seats = find(fs, "remove_seats")
        roles.append(
            (
                str(rr.role),
                str(use.details["level"]),
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
    return (
        tuple(roles),
        report.outstanding.amount,
        history["listed"],
        history["before_cutoff"],
        None if report.balance is None else report.balance.amount,
        find(report.account, "eligible_for_deletion").allowed,
        None if ahead is None else ahead.allowed,
        find(report.account, "nothing_scheduled").allowed,
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
    mismatches = 0
    for account, at in inputs[:4000]:
        if answers(explain(account, DEFAULT_POLICY, at), account) != baseline(account, at):
            mismatches += 1
    print(f"pool of {POOL} accounts built in {build:.2f} s; {N:,} inputs")
    print(f"answers checked on 4,000 inputs: {mismatches} mismatches")
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
