"""The collections ladder at an instant (OVD-3, OVD-4, OVD-8) and the retry schedule of an
invoice (OVD-1, OVD-2). Private: every question, finding and transition of the area reads the
stage from :func:`state_at`, and the retries from :func:`retries`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _time
from billrules.invoices import ChargeAttempt, Invoice
from billrules.overdue._facts import OverdueFacts, _is_expired
from billrules.overdue._policy import Clock, FinalAction, OverduePolicy
from billrules.payment_methods import PaymentMethod


class State:
    """Collections at one instant: which invoices are overdue, how old the oldest is, and the
    stage (OVD-3); ``index`` is ``None`` while the overdue total is below the threshold.

    A plain slotted class: it is built on every question, and never leaves the area."""

    __slots__ = ("age", "amount", "held", "index", "overdue", "since")

    def __init__(
        self,
        overdue: tuple[Invoice, ...],
        amount: Money,
        since: datetime,
        age: int,
        index: int | None,
        held: bool,
    ) -> None:
        self.overdue = overdue
        self.amount = amount
        self.since = since
        self.age = age
        self.index = index
        self.held = held


def _before(earlier: datetime, later: datetime) -> bool:
    return _time.before(earlier, later)


def _issued_utc(invoice: Invoice) -> datetime:
    return invoice.issued_at.astimezone(UTC)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def anchor_of(invoice: Invoice, policy: OverduePolicy) -> datetime:
    """Day 0 of the age: the invoice's due instant, or its issue instant (OVD-3's clock)."""
    return invoice.due_at if policy.clock is Clock.DUE_DATE else invoice.issued_at


def state_at(
    facts: OverdueFacts,
    policy: OverduePolicy,
    at: datetime,
    zone: ZoneInfo,
    *,
    falling_due: bool = False,
) -> State | None:
    """Collections at ``at``: ``None`` when nothing is overdue. Decides OVD-3, OVD-4, OVD-8.

    An invoice is overdue after its due instant (INV-2); with ``falling_due``, from it (the
    stage a transition at that instant begins). The age is the local days from the clock's
    date of the oldest overdue invoice (INV-3's order: its due date; with the ``issue_date``
    clock, the earliest issue among the overdue invoices, so that settling one never raises
    the age) to ``at``'s; the ladder starts once the
    overdue total reaches the policy's threshold; a hold caps the stage at the first until it
    ends (OVD-8). What depends on the facts alone (each due instant in UTC, the running
    totals) is computed once per facts.
    """
    table = facts._collections
    instants = table.due_utc
    if not instants:
        return None
    moment = at.astimezone(UTC)
    count = 0
    if falling_due:
        for due in instants:
            if due > moment:
                break
            count += 1
    else:
        for due in instants:
            if due >= moment:
                break
            count += 1
    if not count:
        return None
    pending = facts.due
    overdue = pending if count == len(pending) else pending[:count]
    amount = table.money.get(count)
    if amount is None:
        amount = table.money[count] = Money(table.totals[count - 1], facts.currency)
    if policy.clock is Clock.DUE_DATE:
        since = overdue[0].due_at
    else:  # the earliest issue among the overdue: settling one never raises the age
        since = min(overdue, key=_issued_utc).issued_at
    age = (at.astimezone(zone).date() - since.astimezone(zone).date()).days
    if age < 0:
        age = 0
    threshold = policy.thresholds.get(facts.currency.code) if policy.thresholds else None
    if threshold is not None and amount < threshold:
        return State(overdue, amount, since, age, None, False)
    index = policy.stage_index(age)
    hold = facts.hold_until
    held = index > 0 and hold is not None and moment < hold.astimezone(UTC)
    return State(overdue, amount, since, age, 0 if held else index, held)


def stage_changes(
    facts: OverdueFacts, policy: OverduePolicy, zone: ZoneInfo
) -> list[tuple[datetime, State]]:
    """Every instant the stage changes under these facts, with the state from then on, in
    order (OVD-3, OVD-8): computed from the boundaries only (the due instants, the local day
    starts of the oldest invoice's stages, the end of a hold), never by stepping days.

    Under fixed facts the stage never goes down: only a payment or a write-off lowers it
    (OVD-4), and those change the facts.
    """
    due = facts.due
    if not due:
        return []
    anchors = due[:1] if policy.clock is Clock.DUE_DATE else due
    candidates = {invoice.due_at for invoice in due}
    for invoice in anchors:
        day0 = _time.local_date(anchor_of(invoice, policy), zone)
        for stage in policy.stages[1:]:
            candidates.add(_time.start_of_day(day0 + timedelta(days=stage.first_day), zone))
    if facts.hold_until is not None:
        candidates.add(facts.hold_until)
    first = due[0].due_at
    changes: list[tuple[datetime, State]] = []
    index: int | None = None
    for at in sorted(candidates, key=_utc):
        if _before(at, first):
            continue
        state = state_at(facts, policy, at, zone, falling_due=True)
        if state is not None and state.index is not None and state.index != index:
            changes.append((at, state))
            index = state.index
    return changes


def final_instant(changes: list[tuple[datetime, State]], policy: OverduePolicy) -> datetime | None:
    """When the last stage (OVD-5's ``final``) is entered under these facts, if ever."""
    last = len(policy.stages) - 1
    if last == 0:
        return None
    for at, state in changes:
        if state.index == last:
            return at
    return None


def same_wall_time(at: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``days`` local days after ``at``, at the same local wall time (OVD-1); a wall time a
    clock change skips is read with the offset before it, then normalized (X-3)."""
    local = at.astimezone(zone)
    day = local.date() + timedelta(days=days)
    wall = time(local.hour, local.minute, local.second, local.microsecond)
    return _time.normalized(datetime.combine(day, wall, tzinfo=zone))


@attrs.frozen
class Attempt:
    """A predicted automatic attempt, or the instant one cannot be made (OVD-1, OVD-2)."""

    at: datetime
    number: int
    method: PaymentMethod | None
    #: ``"retry"``, ``"new_method"`` (due at once, OVD-2) or ``"blocked"`` (no usable method).
    why: str


#: ``why`` of :class:`Attempt`.
RETRY: Final = "retry"
NEW_METHOD: Final = "new_method"
BLOCKED: Final = "blocked"


def automatic(invoice: Invoice) -> tuple[ChargeAttempt, ...]:
    """The invoice's automatic attempts, oldest first (a manual one moves nothing, OVD-1)."""
    return tuple(attempt for attempt in invoice.attempts if attempt.automatic)


def is_hard(attempt: ChargeAttempt, policy: OverduePolicy) -> bool:
    """Whether the attempt's decline is hard (OVD-2: policy data)."""
    return attempt.failed and attempt.decline_code in policy.hard_declines


def retries(
    invoice: Invoice,
    facts: OverdueFacts,
    policy: OverduePolicy,
    zone: ZoneInfo,
    final: datetime | None,
) -> Iterator[Attempt]:
    """The automatic attempts still to come for ``invoice`` under these facts, in order.
    Decides OVD-1, OVD-2, OVD-5 and OVD-8.

    After the last automatic attempt, if it failed: the next on the local date the policy's gap
    after the previous one, at the first attempt's local wall time, and so on until the gaps
    run out (OVD-1). None after a hard decline at the last automatic attempt or at a later one
    of the customer's (OVD-2), whatever soft decline follows. A default method
    that became the default after the last decline (``Wallet.default_since``), and is not the
    method declined, makes one due at once, then the schedule goes on from it (OVD-2), even
    after a hard decline or when the gaps have run out. When the default is missing or expired
    at an attempt's instant, that instant is ``blocked`` and nothing follows (OVD-2). A hold
    defers attempts to its end (OVD-8); none is made at or after the final action, unless that
    action is ``none`` (OVD-5). The invoice must have money due: a paid, cancelled or
    written-off invoice is never retried.
    """
    tried = automatic(invoice)
    if not tried or not tried[-1].failed:
        return
    last_decline = next(attempt for attempt in reversed(invoice.attempts) if attempt.failed)
    # OVD-2: a hard decline at the last automatic attempt or at any later one (the customer's
    # own) stops the automatic attempts; a later soft one does not lift it.
    since_last = invoice.attempts[invoice.attempts.index(tried[-1]) :]
    hard = any(is_hard(attempt, policy) for attempt in since_last)
    gaps = policy.retry_gaps
    number = len(tried)
    wallet = facts.wallet
    default = wallet.default
    since = wallet.default_since
    renewed = (
        default is not None
        and since is not None
        and _before(tried[-1].at, since)
        and _before(last_decline.at, since)
        and default.id != last_decline.method_id
    )
    stops = final is not None and policy.final_action is not FinalAction.NONE
    hold = facts.hold_until
    local = tried[0].at.astimezone(zone)
    wall = time(local.hour, local.minute, local.second, local.microsecond)
    previous = tried[-1].at
    if renewed and since is not None:
        due = hold if hold is not None and _before(since, hold) else since
        if stops and final is not None and not _before(due, final):
            return
        if default is None or _is_expired(default, at=due, zone=zone):
            yield Attempt(due, number + 1, None, BLOCKED)
            return
        yield Attempt(due, number + 1, default, NEW_METHOD)
        previous = due
        number += 1
    elif hard:
        return
    while number <= len(gaps):
        day = previous.astimezone(zone).date() + timedelta(days=gaps[number - 1])
        scheduled = _time.normalized(datetime.combine(day, wall, tzinfo=zone))
        if hold is not None and _before(scheduled, hold):
            scheduled = hold
        if stops and final is not None and not _before(scheduled, final):
            return
        if default is None or _is_expired(default, at=scheduled, zone=zone):
            yield Attempt(scheduled, number + 1, None, BLOCKED)
            return
        yield Attempt(scheduled, number + 1, default, RETRY)
        previous = scheduled
        number += 1
