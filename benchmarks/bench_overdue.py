"""Time the collections stage check for one role (OVD-3) against a hand-written function.

Run with ``python benchmarks/bench_overdue.py`` (``BENCH_N`` inputs, default 2,000;
``BENCH_ROUNDS`` rounds, default 25). Not part of the test suite: it prints figures and
asserts nothing about time. Target: billrules within 1.5x of the hand-written function.

1. billrules: ``overdue.can_use_product(facts, policy, role=role, at=at, zone=zone)``, which
   returns a full :class:`~billrules.decisions.Decision` (allowed, and reasons whose details
   carry the level, stage, age, amount and invoice ids, and what lifts the stage).
2. The straightforward code a host would write over the same :class:`OverdueFacts`: the oldest
   overdue invoice by due date (INV-3's order), its age in local days, the default ladder's
   stage (OVD-3), a hold (OVD-8), the role's level. A string, no reasons.

The population: postpaid accounts (no prepaid ledger, so OVD-9 does not come in) with 1-6
invoices each, of every status, some partly paid, most with charge attempts, some overdue by
0-40 days, some not yet due; varied zones and instants; a hold on some. Every input gets the
same level from both (checked before timing).

``OverdueFacts.due`` (the invoices with money due, in INV-3's order) is computed once per
facts value and kept: a host asking several questions about one account's facts sorts them
once. Two figures are printed: *warm*, the same facts values in every round (sorted once,
during the check), and *cold*, a fresh copy of every facts value in each round (built before
the round's timing starts), as for facts built for one question. The hand-written function
sorts nothing and keeps nothing. In each round both ways run over all inputs in turn (a change
in the machine's load hits both alike); each figure is the median over the rounds.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules.invoices import ChargeAttempt, Invoice
from billrules.overdue import OverdueFacts, OverduePolicy, can_use_product
from billrules.payment_methods import PaymentMethod, Wallet

N = int(os.environ.get("BENCH_N", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))
SEED = 20240501
ZONES = tuple(
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/Kyiv",
        "America/New_York",
        "Pacific/Auckland",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
    )
)
ROLES = ("owner", "admin", "staff")
USD = "USD"
CARD = PaymentMethod(
    id="pm-1", kind="card", brand="visa", last4="4242", exp_month=12, exp_year=2030
)

Input = tuple[OverdueFacts, str, datetime, ZoneInfo]


def _invoice(rng: random.Random, n: int, at: datetime, zone: ZoneInfo) -> Invoice:
    """One invoice around ``at``: due 40 days before to 10 days after it, of any status."""
    due = (at - timedelta(seconds=rng.randrange(-10 * 86400, 40 * 86400))).astimezone(zone)
    if rng.random() < 0.5:  # most invoices fall due at a local midnight
        due = datetime.combine(due.date(), datetime.min.time(), tzinfo=zone)
    issued = due - timedelta(days=rng.choice((0, 7, 14, 30)))
    amount = Money(Decimal(rng.randrange(100, 20_000)) / 100, USD)
    status = rng.choice(("submitted", "failed", "failed", "paid", "scheduled", "cancelled"))
    paid = Money(0, USD)
    paid_at = None
    if status == "paid":
        paid, paid_at = amount, due + timedelta(hours=rng.randrange(1, 200))
    elif status in ("submitted", "failed") and rng.random() < 0.2:
        paid = Money(amount.amount * Decimal(rng.choice(("0.25", "0.5", "0.75"))), USD)
    attempts: tuple[ChargeAttempt, ...] = ()
    if status in ("failed", "paid"):
        first = due + timedelta(hours=9)
        failed = status == "failed"
        attempts = (
            ChargeAttempt(
                at=first,
                outcome="failed" if failed else "succeeded",
                decline_code=rng.choice(("insufficient_funds", "lost_card")) if failed else None,
                method_id="pm-1",
            ),
        )
    return Invoice(
        id=f"inv-{n}",
        status=status,
        amount=amount,
        issued_at=issued,
        due_at=due,
        amount_paid=paid,
        paid_at=paid_at,
        attempts=attempts,
    )


def generate(n: int, seed: int) -> list[Input]:
    """``n`` inputs: postpaid facts with 1-6 invoices, a role, an instant and a zone."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    inputs: list[Input] = []
    for _ in range(n):
        at = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        zone = rng.choice(ZONES)
        invoices = tuple(_invoice(rng, k, at, zone) for k in range(rng.randrange(1, 7)))
        hold = at + timedelta(days=rng.randrange(-5, 10)) if rng.random() < 0.1 else None
        facts = OverdueFacts(
            currency=USD,
            invoices=invoices,
            wallet=Wallet(methods=(CARD,), default_id="pm-1") if rng.random() < 0.8 else Wallet(),
            hold_until=hold,
        )
        inputs.append((facts, rng.choice(ROLES), at.astimezone(rng.choice(ZONES)), zone))
    return inputs


# --------------------------------------------------------------------------------------------
# The hand-written function: the default ladder hard-wired.

#: Each role's level in the default stages past_due (0), warning (10), blocked (14), final (21).
_LEVELS = {
    "owner": ("full_with_reminder", "full_with_reminder", "payment_page_only", "payment_page_only"),
    "admin": ("full_with_reminder", "full_with_reminder", "payment_page_only", "payment_page_only"),
    "staff": ("full", "full", "blocked", "blocked"),
}
_DUE = frozenset(("submitted", "failed"))


def hand_written(facts: OverdueFacts, role: str, at: datetime, zone: ZoneInfo) -> str:
    """The oldest overdue invoice's local-day age, its stage, the role's level."""
    oldest = None
    at_utc = at.astimezone(UTC)
    for invoice in facts.invoices:
        if (
            invoice.status in _DUE
            and invoice.amount.amount > invoice.amount_paid.amount
            and invoice.due_at.astimezone(UTC) < at_utc
            and (
                oldest is None
                or (invoice.due_at, invoice.issued_at, invoice.id)
                < (oldest.due_at, oldest.issued_at, oldest.id)
            )
        ):
            oldest = invoice
    if oldest is None:
        return "full"
    age = (at.astimezone(zone).date() - oldest.due_at.astimezone(zone).date()).days
    stage = 3 if age >= 21 else 2 if age >= 14 else 1 if age >= 10 else 0
    hold = facts.hold_until
    if stage and hold is not None and at_utc < hold:
        stage = 0
    return _LEVELS[role][stage]


POLICY = OverduePolicy()


def loop_hand_written(inputs: list[Input]) -> None:
    for facts, role, at, zone in inputs:
        hand_written(facts, role, at, zone)


def loop_billrules(inputs: list[Input]) -> None:
    for facts, role, at, zone in inputs:
        can_use_product(facts, POLICY, role=role, at=at, zone=zone)


def fresh(inputs: list[Input]) -> list[Input]:
    """The same inputs with a new copy of each facts value (nothing computed yet)."""
    return [(attrs.evolve(facts), role, at, zone) for facts, role, at, zone in inputs]


def time_per_call(
    loops: dict[str, tuple[Callable[[list[Input]], None], bool]], inputs: list[Input], rounds: int
) -> dict[str, float]:
    """The median over ``rounds`` of each way's mean time per call, in seconds; a way marked
    cold runs each round over fresh copies of the facts, made before its timing starts."""
    results: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(rounds):
        for name, (loop, cold) in loops.items():
            batch = fresh(inputs) if cold else inputs
            begin = time.perf_counter()
            loop(batch)
            results[name].append((time.perf_counter() - begin) / len(inputs))
    return {name: statistics.median(times) for name, times in results.items()}


def main() -> int:
    inputs = generate(N, SEED)
    overdue = 0
    for facts, role, at, zone in inputs:
        expected = hand_written(facts, role, at, zone)
        decision = can_use_product(facts, POLICY, role=role, at=at, zone=zone)
        got = decision.reasons[0].details["level"]
        if got != expected:
            print(f"disagreement on {facts!r} {role} {at} {zone}: {expected} vs {got}")
            return 1
        overdue += decision.reasons[0].code == "overdue_stage"
    invoices = sum(len(facts.invoices) for facts, *_ in inputs)
    print(
        f"{N:,} inputs ({invoices:,} invoices; {overdue:,} in a collections stage), "
        f"{ROUNDS} rounds, Python {sys.version.split()[0]}"
    )
    print("both agree on every input")
    loops: dict[str, tuple[Callable[[list[Input]], None], bool]] = {
        "hand-written": (loop_hand_written, False),
        "billrules warm": (loop_billrules, False),
        "billrules cold": (loop_billrules, True),
    }
    timings = time_per_call(loops, inputs, ROUNDS)
    for name, seconds in timings.items():
        print(f"{name:>14}: {seconds * 1e9:8.0f} ns per call (median of {ROUNDS} rounds)")
    for name in ("billrules warm", "billrules cold"):
        ratio = timings[name] / timings["hand-written"]
        print(f"{name} / hand-written = {ratio:.2f}x the time (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
