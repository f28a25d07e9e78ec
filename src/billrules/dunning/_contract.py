"""The dunning area's part of the area contract: transitions, findings, role findings. Private."""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Iterator
from datetime import MAXYEAR, UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules._check import checked
from billrules._redact import shown
from billrules._validate import FrozenMapping
from billrules.contract import Finding, Transition, trusted_finding, trusted_transition
from billrules.decisions import Reason, trusted_decision, trusted_reason
from billrules.dunning._codes import AREA, DunningCode, DunningKind, DunningQuestion
from billrules.dunning._facts import Ledger, _balance_at, _debt_periods, _debt_started_at
from billrules.dunning._policy import _LIFTED, DunningPolicy, _Table
from billrules.effects import Effect, trusted_effect
from billrules.errors import InvalidInput
from billrules.roles import Role


def _period_days(
    debt_day: date, policy: DunningPolicy
) -> list[tuple[date | None, tuple[Reason, ...]]]:
    """The local days of the stage changes of a debt that started on ``debt_day`` and is never
    paid, in order, with their reasons; ``None`` for the first, at the debt's own instant."""
    table = policy._table
    stages = policy.stages
    last = len(stages) - 1
    if not table.month_start:
        return [
            (None, table.moves[0]),
            *(
                (debt_day + timedelta(days=stages[index].first_day - 1), table.moves[index])
                for index in range(1, last + 1)
            ),
        ]
    first = table.stage_of_day[debt_day.day]
    days: list[tuple[date | None, tuple[Reason, ...]]] = [(None, table.moves[first])]
    length = calendar.monthrange(debt_day.year, debt_day.month)[1]
    reached = first
    for index in range(first + 1, last + 1):
        day = stages[index].first_day
        if day > length:
            break
        reached = index
        days.append((debt_day.replace(day=day), table.moves[index]))
    if reached != last:
        days.append((_month_after(debt_day), table.carry))
    return days


def _month_after(day: date) -> date:
    """The first day of the month after ``day``'s (``add_months(day.replace(day=1), 1)``)."""
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)


def _last_day(debt_day: date, policy: DunningPolicy) -> date | None:
    """The last day of :func:`_period_days`, computed alone."""
    stages = policy.stages
    last = len(stages) - 1
    if not policy._table.month_start:
        return None if last == 0 else debt_day + timedelta(days=stages[last].first_day - 1)
    if policy._table.stage_of_day[debt_day.day] == last:
        return None
    day = stages[last].first_day  # the stages' first days increase: reached if this one is
    if day <= 28 or day <= calendar.monthrange(debt_day.year, debt_day.month)[1]:
        return debt_day.replace(day=day)
    return _month_after(debt_day)


def _period_moves(
    started: datetime, policy: DunningPolicy, zone: ZoneInfo, start: datetime
) -> Iterator[tuple[datetime, tuple[Reason, ...]]]:
    """The stage changes of a debt that started at ``started`` and is never paid, in order;
    none when every one of them is before ``start``.

    The first change is at ``started``, the others at the start of their local day, which
    never comes before the start of an earlier day: when ``started`` and the last day's start
    are before ``start``, so is every change, and no other day is computed.
    """
    debt_day = _time.local_date(started, zone)
    if started < start:
        last = _last_day(debt_day, policy)
        if last is None or _time.start_of_day(last, zone) < start:
            return
    for day, reasons in _period_days(debt_day, policy):
        yield (started if day is None else _time.start_of_day(day, zone)), reasons


_NEVER: Final = datetime(MAXYEAR, 12, 31, tzinfo=UTC)


def _ended(period: tuple[datetime, datetime | None]) -> datetime:
    return _NEVER if period[1] is None else period[1]


def _transitions(
    ledger: Ledger, policy: DunningPolicy, start: datetime, end: datetime, zone: ZoneInfo
) -> Iterator[Transition]:
    periods = _debt_periods(ledger)
    # The first debt that is not over before the window: a lift at ``start`` still counts.
    for started, ended in periods[bisect.bisect_left(periods, start, key=_ended) :]:
        if started >= end:
            return
        for at, reasons in _period_moves(started, policy, zone, start):
            if at >= end or (ended is not None and at >= ended):
                break
            if at >= start:
                yield trusted_transition(
                    at, AREA, DunningKind.DUNNING_STAGE, reasons, (_access_at(at, reasons[0]),)
                )
        if ended is not None and start <= ended < end:
            yield trusted_transition(
                ended, AREA, DunningKind.DUNNING_LIFTED, _LIFTED, (_access_at(ended, _LIFTED[0]),)
            )


def _access_at(at: datetime, reason: Reason) -> Effect:
    """What each role sees from ``at`` on, as the stage change's (or the lift's) reason says:
    the host is asked to enforce it (DUN-1, DUN-3; DUN-2 gives full access back)."""
    from billrules.effects import SetAccess  # loaded on use, as every kind of effect

    details = reason.details
    return trusted_effect(
        SetAccess, at=at, rule=reason.rule, stage=details.get("stage"), access=details["access"]
    )


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
    ``severity`` (0 full … 3 blocked). Each change carries one
    :class:`~billrules.effects.SetAccess` effect with those levels as data (the lift's gives
    every role full access, DUN-2), for the host to enforce.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    return _transitions(ledger, policy, start, end, _time.to_zone(zone))


def _stage_index(table: _Table, started: datetime, at: datetime, zone: ZoneInfo) -> int:
    """The index of the stage in force at ``at`` of a debt that started at ``started`` (at or
    before ``at``), or -1 for a debt carried into a later month: the stage of
    :func:`~billrules.dunning.can_use_product`'s decision (DUN-1, DUN-3).

    A local date that a clock change took back before the debt's own counts as it is (X-3):
    an earlier day of the same month under ``month_start``, day 0 or earlier otherwise, which
    is the first stage's."""
    today = at.astimezone(zone).date()
    debt_day = started.astimezone(zone).date()
    if table.month_start:
        if today.month != debt_day.month or today.year != debt_day.year:
            return -1 if today > debt_day else 0
        return table.stage_of_day[today.day]
    elapsed = (today - debt_day).days
    if elapsed < 0:
        return 0
    return table.stage_of_day[elapsed + 1 if elapsed < 32 else 32]


def _shared_index(
    ledger: Ledger, policy: DunningPolicy, at: datetime, zone: ZoneInfo
) -> int | None:
    """The stage index at ``at`` (``None``: no debt), computed once for every role asked.

    explain asks for each role present in turn at one instant: the ledger remembers the last
    instant's answer (with the zone and policy it was computed under, matched by identity, and
    the instant's fold, which equality of two times on one clock ignores).
    """
    memo = ledger._memo
    last = memo.get(_STAGE)
    if (
        last is not None
        and last[0] == at
        and last[1] == at.fold
        and last[2] is zone
        and last[3] is policy
    ):
        index: int | None = last[4]
        return index
    started = _debt_started_at(ledger, at=at)
    index = None if started is None else _stage_index(policy._table, started, at, zone)
    memo[_STAGE] = (at, at.fold, zone, policy, index)
    return index


#: The key of :func:`_shared_index`'s answer in the ledger's memo.
_STAGE: Final = "dunning_stage_index"


@checked
def role_findings(
    ledger: Ledger,
    policy: DunningPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """Whether a user with ``role`` may use the product at ``at``. Decides DUN-1, DUN-2 and
    DUN-3.

    One ``use_product`` finding carrying :func:`~billrules.dunning.can_use_product`'s decision:
    allowed with full access or full access with a reminder; without debt, allowed because the
    balance is not negative, and in debt the reasons say that only paying it in full lifts the
    restriction (DUN-2). The findings are built once per policy; the stage at ``at`` is computed once for
    every role asked about at that instant.
    """
    row = policy._table.rows.get(role)
    if row is None:  # a KeyError would hold the value (PM-6)
        raise InvalidInput("role", f"unknown role {shown(role)}")
    index = _shared_index(ledger, policy, at, _time.to_zone(zone))
    if index is None:
        return row.clear_finding
    if index < 0:
        return row.carried_finding
    return row.stage_findings[index]


@checked
def findings(
    ledger: Ledger, policy: DunningPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """What lifts the debt at ``at``, if the balance is negative then. Decides DUN-2.

    One ``debt_paid`` finding, refused, with the amount to pay: only paying it in full lifts
    the restrictions. Nothing when the balance is not negative.
    """
    _time.to_zone(zone)
    started = _debt_started_at(ledger, at=at)
    if started is None:
        return ()
    to_pay = -_balance_at(ledger, at=at)  # BalanceFacts.amount_to_pay
    reason = trusted_reason(
        DunningCode.FULL_PAYMENT_LIFTS, FrozenMapping({"amount_to_pay": to_pay})
    )
    return (
        trusted_finding(
            AREA,
            DunningQuestion.DEBT_PAID,
            trusted_decision(False, (reason,)),
            FrozenMapping({"amount_to_pay": to_pay, "debt_started_at": started}),
        ),
    )
