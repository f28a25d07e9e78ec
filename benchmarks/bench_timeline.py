"""Time ``timeline`` for a one-month and a ten-year window of the same account (X-5).

Run with ``python benchmarks/bench_timeline.py``. Not a test: it prints figures. The claim to
check: the cost follows the number of events, not the number of days (a ten-year window has
~120 times the days of a month; its cost ratio should be close to its event ratio).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry
from billrules.cancellation import CancellationRequest
from billrules.deletion import DeletionSchedule
from billrules.invoices import Invoice
from billrules.policy import DEFAULT_POLICY
from billrules.subscriptions import Subscription
from billrules.timeline import timeline

KYIV = ZoneInfo("Europe/Kyiv")
START = datetime(2024, 5, 1, tzinfo=KYIV)
ACCOUNT = Account(
    id="acme",
    zone=KYIV,
    currency="USD",
    created_at=datetime(2023, 1, 1, tzinfo=UTC),
    users=(User(id="ann", role="owner"), User(id="sam", role="staff")),
    ledger=Ledger(
        currency="USD",
        entries=(
            LedgerEntry(
                id="c-1", kind="charge", at=START, amount=Money("-19.00", "USD"), description="May"
            ),
        ),
    ),
    subscription=Subscription(plan="Pro", anchor=date(2024, 1, 15), period="monthly"),
    invoices=(
        Invoice(
            id="inv-1",
            status="submitted",
            amount=Money("19.00", "USD"),
            issued_at=START,
            due_at=START + timedelta(days=14),
        ),
    ),
    cancellation_request=CancellationRequest(
        reason="too_expensive",
        requested_at=START,
        deactivates_at=datetime(2026, 6, 1, tzinfo=KYIV),
    ),
    deletion_schedule=DeletionSchedule(
        scheduled_at=datetime(2024, 5, 20, 9, 15, tzinfo=KYIV), kind="automatic"
    ),
)
#: The same account, never deleted or cancelled: its subscription renews every month.
RENEWING = attrs.evolve(ACCOUNT, cancellation_request=None, deletion_schedule=None)

REPEAT = 2000
ROUNDS = 7


def per_call(account: Account, days: int) -> tuple[int, float]:
    end = START + timedelta(days=days)
    events = len(timeline(account, DEFAULT_POLICY, start=START, end=end).events)
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for _ in range(REPEAT):
            timeline(account, DEFAULT_POLICY, start=START, end=end)
        times.append((time.perf_counter() - t0) / REPEAT)
    return events, statistics.median(times)


def main() -> None:
    for label, account in (("deleted in June 2024", ACCOUNT), ("renewing monthly", RENEWING)):
        per_call(account, 31)  # warm up
        rows = {
            name: per_call(account, days) for name, days in (("one month", 31), ("ten years", 3653))
        }
        print(f"{label}:")
        for name, (events, seconds) in rows.items():
            print(f"  {name:<10} {events:4d} events  {seconds * 1e6:9.1f} µs per call")
        (e1, t1), (e2, t2) = rows["one month"], rows["ten years"]
        print(
            f"  days ratio {3653 / 31:.1f}x; events ratio {e2 / e1:.1f}x; time ratio {t2 / t1:.1f}x"
        )


if __name__ == "__main__":
    main()
