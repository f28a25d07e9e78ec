"""The dunning area's part of the area contract: transitions, findings, role findings. Private."""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Iterator
from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules._check import checked
from billrules.balance import BalanceFacts, Ledger
from billrules.balance._ledger import debt_periods
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Reason
from billrules.dunning._access import restriction_for
from billrules.dunning._codes import AREA, DunningCode, DunningKind, DunningQuestion
from billrules.dunning._schedule import _LIFTED, DunningPolicy
from billrules.errors import InvalidInput
from billrules.roles import Role


def _period_moves(
    started: datetime, policy: DunningPolicy, zone: ZoneInfo
) -> Iterator[tuple[datetime, tuple[Reason, ...]]]:
    """The stage changes of a debt that started at ``started`` and is never paid, in order."""
    table = policy._table
    stages = policy.stages
    debt_day = _time.local_date(started, zone)
    last = len(stages) - 1
    if not table.month_start:
        yield started, table.moves[0]
        for index in range(1, last + 1):
            begins = debt_day + timedelta(days=stages[index].first_day - 1)
            yield _time.start_of_day(begins, zone), table.moves[index]
        return
    first = table.stage_of_day[debt_day.day]
    yield started, table.moves[first]
    length = calendar.monthrange(debt_day.year, debt_day.month)[1]
    reached = first
    for index in range(first + 1, last + 1):
        day = stages[index].first_day
        if day > length:
            break
        reached = index
        yield _time.start_of_day(debt_day.replace(day=day), zone), table.moves[index]
    if reached != last:
        month_after = _time.add_months(debt_day.replace(day=1), 1)
        yield _time.start_of_day(month_after, zone), table.carry


_NEVER: Final = datetime(MAXYEAR, 12, 31, tzinfo=UTC)


def _ended(period: tuple[datetime, datetime | None]) -> datetime:
    return _NEVER if period[1] is None else period[1]


def _transitions(
    ledger: Ledger, policy: DunningPolicy, start: datetime, end: datetime, zone: ZoneInfo
) -> Iterator[Transition]:
    periods = debt_periods(ledger)
    # The first debt that is not over before the window: a lift at ``start`` still counts.
    for started, ended in periods[bisect.bisect_left(periods, start, key=_ended) :]:
        if started >= end:
            return
        for at, reasons in _period_moves(started, policy, zone):
            if at >= end or (ended is not None and at >= ended):
                break
            if at >= start:
                yield Transition(at=at, area=AREA, kind=DunningKind.DUNNING_STAGE, reasons=reasons)
        if ended is not None and start <= ended < end:
            yield Transition(at=ended, area=AREA, kind=DunningKind.DUNNING_LIFTED, reasons=_LIFTED)


@checked
def transitions(
    ledger: Ledger,
    policy: DunningPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """The dunning stage changes in ``[start, end)``, oldest first. Decides DUN-1 … DUN-3.

    Every stretch of negative balance in the ledger is a debt: it enters its first stage at
    the instant it started, later stages at local midnight of their day (``dunning_stage``,
    citing DUN-1 and DUN-3; a debt carried into a later month reaches the last stage on the
    1st, citing DUN-3), and a payment that clears it lifts every restriction
    (``dunning_lifted``, DUN-2). Computed from the schedule, one value per change, lazily: a
    debt's changes are computed when the iteration reaches it. Each stage change's details
    give the stage, its first day, every role's level and the most severe level's
    ``severity`` (0 full … 3 blocked).

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    if end < start:
        raise InvalidInput("end", "must not be before start")
    return _transitions(ledger, policy, start, end, _time.to_zone(zone))


@checked
def role_findings(
    ledger: Ledger,
    policy: DunningPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """Whether a user with ``role`` may use the product at ``at``. Decides DUN-1 … DUN-3.

    One ``use_product`` finding carrying :func:`restriction_for`'s reasons: allowed with full
    access or full access with a reminder. The findings are built once per policy.
    """
    facts = BalanceFacts.from_ledger(ledger, at)
    access = restriction_for(facts, policy, role=role, at=at, zone=zone)
    row = policy._table.rows[role]
    if access.stage is None:
        return row.clear_finding
    if access.reasons is row.carried[2]:
        return row.carried_finding
    return row.stage_findings[access.stage.name]


@checked
def findings(
    ledger: Ledger, policy: DunningPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """What lifts the debt at ``at``, if the balance is negative then. Decides DUN-2.

    One ``debt_paid`` finding, refused, with the amount to pay: only paying it in full lifts
    the restrictions. Nothing when the balance is not negative.
    """
    _time.to_zone(zone)
    facts = BalanceFacts.from_ledger(ledger, at)
    if facts.amount_to_pay is None:
        return ()
    details = {"amount_to_pay": facts.amount_to_pay, "debt_started_at": facts.debt_started_at}
    reason = Reason(
        code=DunningCode.FULL_PAYMENT_LIFTS,
        rule="DUN-2",
        details={"amount_to_pay": facts.amount_to_pay},
    )
    return (
        Finding(
            area=AREA,
            question=DunningQuestion.DEBT_PAID,
            decision=Decision.refuse(reason),
            details=details,
        ),
    )
