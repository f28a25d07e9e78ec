"""Time the dunning restriction check (DUN-1) three ways over the same 100,000 inputs.

Run with ``python benchmarks/bench_dunning.py`` (``pip install billrules[bench]`` adds
``rule-engine``; without it the third way is skipped and the output says so). Not part of the
test suite: it prints figures, it asserts nothing about time.

1. billrules: ``can_use_product(facts, policy, role=role, at=at, zone=zone)``, which returns a
   full :class:`~billrules.decisions.Decision` (allowed, and reasons whose details carry the
   level, stage and first day).
2. A minimal hand-written function computing the same levels of the default schedule.
3. The same schedule as a ``rule-engine`` rule. rule-engine has no time-zone conversion of its
   own, so the local day and "a later month" are computed in Python exactly as in (2) and
   passed in the context: only the rule itself is left to the engine (this favours it).

Every input gets the same level from all three (checked before timing). In each round every
way runs over all inputs in turn (so changes in the machine's load hit all three alike); the
figure is each way's median per-call time over the rounds.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules.balance import BalanceFacts
from billrules.dunning import DunningPolicy, can_use_product

try:
    import rule_engine
except ImportError:  # an optional extra: the comparison with it is skipped
    rule_engine = None

N = 100_000
ROUNDS = 9
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

Input = tuple[BalanceFacts, str, datetime, ZoneInfo]


def generate(n: int, seed: int) -> list[Input]:
    """``n`` inputs: half with a negative balance whose debt started 0–45 days earlier."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    inputs: list[Input] = []
    for _ in range(n):
        at = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        zone = rng.choice(ZONES)
        role = rng.choice(ROLES)
        if rng.random() < 0.5:
            facts = BalanceFacts(balance=Money(Decimal(rng.randrange(0, 100_000)) / 100, "USD"))
        else:
            started = at - timedelta(seconds=rng.randrange(45 * 86400))
            facts = BalanceFacts(
                balance=Money(-Decimal(rng.randrange(1, 100_000)) / 100, "USD"),
                debt_started_at=started.astimezone(rng.choice(ZONES)),
            )
        inputs.append((facts, role, at.astimezone(rng.choice(ZONES)), zone))
    return inputs


def _local_days(facts: BalanceFacts, at: datetime, zone: ZoneInfo) -> tuple[date, date] | None:
    started = facts.debt_started_at
    if started is None:
        return None
    return at.astimezone(zone).date(), started.astimezone(zone).date()


def hand_written(facts: BalanceFacts, role: str, at: datetime, zone: ZoneInfo) -> str:
    """The default schedule (DUN-1, month_start, DUN-3 Reading) written by hand."""
    started = facts.debt_started_at
    if started is None:
        return "full"
    today = at.astimezone(zone).date()
    debt_day = started.astimezone(zone).date()
    if today.month != debt_day.month or today.year != debt_day.year:
        return "blocked"
    day = today.day
    if day >= 10:
        return "blocked"
    if role == "staff":
        return "full"
    if day >= 7:
        return "payment_page_only"
    if day >= 4:
        return "full_with_reminder"
    return "full"


RULE_TEXT = (
    "not negative ? 'full' : ("
    "later_month or day >= 10 ? 'blocked' : ("
    "role == 'staff' ? 'full' : ("
    "day >= 7 ? 'payment_page_only' : (day >= 4 ? 'full_with_reminder' : 'full'))))"
)
RULE = None if rule_engine is None else rule_engine.Rule(RULE_TEXT)


def with_rule_engine(facts: BalanceFacts, role: str, at: datetime, zone: ZoneInfo) -> str:
    """The default schedule as a rule-engine rule; local days computed in Python."""
    days = _local_days(facts, at, zone)
    if days is None:
        context: dict[str, Any] = {"negative": False, "later_month": False, "day": 0, "role": role}
    else:
        today, debt_day = days
        later = today.month != debt_day.month or today.year != debt_day.year
        context = {"negative": True, "later_month": later, "day": today.day, "role": role}
    assert RULE is not None  # only called when rule-engine is installed
    result: str = RULE.evaluate(context)
    return result


POLICY = DunningPolicy()


def loop_hand_written(inputs: list[Input]) -> None:
    for facts, role, at, zone in inputs:
        hand_written(facts, role, at, zone)


def loop_billrules(inputs: list[Input]) -> None:
    for facts, role, at, zone in inputs:
        can_use_product(facts, POLICY, role=role, at=at, zone=zone)


def loop_rule_engine(inputs: list[Input]) -> None:
    for facts, role, at, zone in inputs:
        with_rule_engine(facts, role, at, zone)


def time_per_call(
    loops: dict[str, Callable[[list[Input]], None]], inputs: list[Input], rounds: int
) -> dict[str, float]:
    """The median over ``rounds`` of each way's mean time per call, in seconds.

    The ways take turns within each round, so a change in the machine's load during the run
    affects all of them alike.
    """
    results: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(rounds):
        for name, loop in loops.items():
            begin = time.perf_counter()
            loop(inputs)
            results[name].append((time.perf_counter() - begin) / len(inputs))
    return {name: statistics.median(times) for name, times in results.items()}


def main() -> int:
    inputs = generate(N, SEED)
    negative = sum(1 for facts, *_ in inputs if facts.debt_started_at is not None)
    engine = rule_engine is not None
    for facts, role, at, zone in inputs:
        expected = hand_written(facts, role, at, zone)
        decision = can_use_product(facts, POLICY, role=role, at=at, zone=zone)
        got = decision.reasons[0].details["level"]
        by_engine = with_rule_engine(facts, role, at, zone) if engine else expected
        if (got, by_engine) != (expected, expected):
            print(f"disagreement on {facts!r} {role} {at} {zone}: {expected} vs {got, by_engine}")
            return 1
    version = f"rule-engine {rule_engine.__version__}" if engine else "rule-engine not installed"
    print(
        f"{N:,} inputs ({negative:,} with a negative balance), {ROUNDS} rounds, Python "
        f"{sys.version.split()[0]}, {version}"
    )
    print(f"all {'three' if engine else 'two'} agree on every input")
    # Each way is called directly in its own loop of the same shape; billrules returns its
    # whole decision (the hand-written function only a string).
    loops: dict[str, Callable[[list[Input]], None]] = {
        "hand-written": loop_hand_written,
        "billrules": loop_billrules,
    }
    if engine:
        loops["rule-engine"] = loop_rule_engine
    timings = time_per_call(loops, inputs, ROUNDS)
    for name, seconds in timings.items():
        print(f"{name:>13}: {seconds * 1e9:8.0f} ns per call (median of {ROUNDS} rounds)")
    versus_hand = timings["billrules"] / timings["hand-written"]
    print(f"billrules / hand-written = {versus_hand:.2f}x the time (target <= 1.5x)")
    if not engine:
        print("rule-engine: not installed (pip install billrules[bench]); not compared")
        return 0
    ratio = timings["rule-engine"] / timings["billrules"]
    if ratio >= 1:
        print(f"rule-engine / billrules  = {ratio:.1f}x the time: rule-engine is the slower one")
    else:
        print(f"rule-engine / billrules  = {ratio:.2f}x the time: rule-engine is the faster one")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
