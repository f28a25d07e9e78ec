"""The dunning area's part of the area contract: transitions, findings, role findings. Private."""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Iterator
from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _time
from billrules._check import checked
from billrules._redact import shown
from billrules._validate import FrozenMapping
from billrules.balance import Ledger
from billrules.balance._ledger import _state, _state_at, _state_index, debt_periods
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Reason
from billrules.dunning._codes import AREA, DunningCode, DunningKind, DunningQuestion
from billrules.dunning._schedule import _LIFTED, DunningPolicy, _Table
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
    first = bisect.bisect_left(periods, start, key=_ended)
    if first == len(periods):
        return
    debts = _debts(ledger, policy, zone)
    for position in range(first, len(periods)):
        started, ended = periods[position]
        if started >= end:
            return
        debt = debts[position]
        if debt is None:
            debt = debts[position] = _Debt(started, ended, policy, zone)
        built = debt.built
        for index, (at, reasons) in enumerate(debt.moves):
            if at >= end:
                break
            if at >= start:
                change = built[index]
                if change is None:
                    change = built[index] = Transition(
                        at=at, area=AREA, kind=DunningKind.DUNNING_STAGE, reasons=reasons
                    )
                yield change
        if ended is not None and start <= ended < end:
            yield debt.lifted()


class _Debt:
    """One debt's stage changes before it ended (DUN-1, DUN-3), computed once; the
    transition of each, built when first taken; the transition that lifts it (DUN-2)."""

    __slots__ = ("_ended", "_lifted", "built", "moves")

    def __init__(
        self, started: datetime, ended: datetime | None, policy: DunningPolicy, zone: ZoneInfo
    ) -> None:
        moves: list[tuple[datetime, tuple[Reason, ...]]] = []
        for move in _period_moves(started, policy, zone):
            if ended is not None and move[0] >= ended:
                break
            moves.append(move)
        self.moves = tuple(moves)
        self.built: list[Transition | None] = [None] * len(self.moves)
        self._ended = ended
        self._lifted: Transition | None = None

    def lifted(self) -> Transition:
        """The ``dunning_lifted`` transition at the instant the debt ended (DUN-2)."""
        found = self._lifted
        if found is None:
            assert self._ended is not None  # only an ended debt is lifted
            found = self._lifted = Transition(
                at=self._ended, area=AREA, kind=DunningKind.DUNNING_LIFTED, reasons=_LIFTED
            )
        return found


def _debts(ledger: Ledger, policy: DunningPolicy, zone: ZoneInfo) -> list[_Debt | None]:
    """Per debt of the ledger, its :class:`_Debt` under ``policy`` in ``zone`` once computed.

    The ledger remembers them for the last policy and zone asked about (matched by identity).
    """
    memo = ledger._memo
    last = memo.get(_DEBTS)
    if last is not None and last[0] is policy and last[1] is zone:
        debts: list[_Debt | None] = last[2]
        return debts
    debts = [None] * len(debt_periods(ledger))
    memo[_DEBTS] = (policy, zone, debts)
    return debts


#: The key of :func:`_debts`' answer in the ledger's memo.
_DEBTS: Final = "dunning_debts"


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
    ``severity`` (0 full … 3 blocked). The ledger keeps each debt's changes, and their
    transitions once taken, for the last policy and zone asked about.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    if end < start:
        raise InvalidInput("end", "must not be before start")
    return _transitions(ledger, policy, start, end, _time.to_zone(zone))


def _stage_index(table: _Table, started: datetime, at: datetime, zone: ZoneInfo) -> int:
    """The index of the stage in force at ``at`` of a debt that started at ``started`` (at or
    before ``at``), or -1 for a debt carried into a later month: :func:`restriction_for`'s
    stage, without the rest of its :class:`~billrules.dunning.Access` (DUN-1, DUN-3)."""
    today = at.astimezone(zone).date()
    debt_day = started.astimezone(zone).date()
    if table.month_start:
        if today.month != debt_day.month or today.year != debt_day.year:
            return -1
        return table.stage_of_day[today.day]
    elapsed = (today - debt_day).days
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
    started = _state_at(ledger, at)[1]
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

    One ``use_product`` finding carrying :func:`restriction_for`'s reasons: allowed with full
    access or full access with a reminder; without debt, allowed because the balance is not
    negative, and in debt the reasons say that only paying it in full lifts the restriction
    (DUN-2). The findings are built once per policy; the stage at ``at`` is computed once for
    every role asked about at that instant.
    """
    try:
        row = policy._table.rows[role]
    except KeyError:
        raise InvalidInput("role", f"unknown role {shown(role)}") from None
    index = _shared_index(ledger, policy, at, _time.to_zone(zone))
    if index is None:
        return row.clear_finding
    if index < 0:
        return row.carried_finding
    return row.stage_findings[row.heads[index][1].name]


@checked
def findings(
    ledger: Ledger, policy: DunningPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """What lifts the debt at ``at``, if the balance is negative then. Decides DUN-2.

    One ``debt_paid`` finding, refused, with the amount to pay: only paying it in full lifts
    the restrictions. Nothing when the balance is not negative. Built once per state of the
    ledger (the entries up to ``at``) and kept by the ledger.
    """
    _time.to_zone(zone)
    index = _state_index(ledger, at)
    if _state(ledger, index)[1] is None:
        return ()  # no debt
    # The answer depends on the state after the entries up to ``at`` alone: built once per
    # state of this ledger.
    known = ledger._by_state(_DEBT_PAID)
    found: tuple[Finding, ...] | None = known[index]
    if found is None:
        found = known[index] = _debt_paid(ledger, index)
    return found


#: The name of the ``debt_paid`` findings in a ledger's memo.
_DEBT_PAID: Final = "dunning_debt_paid"


def _debt_paid(ledger: Ledger, index: int) -> tuple[Finding, ...]:
    amount, started = _state(ledger, index)
    assert started is not None  # only a debt is paid
    to_pay = Money(-amount, ledger.currency)  # BalanceFacts.amount_to_pay
    reason = Reason(
        code=DunningCode.FULL_PAYMENT_LIFTS,
        rule="DUN-2",
        details=FrozenMapping({"amount_to_pay": to_pay}),
    )
    return (
        Finding(
            area=AREA,
            question=DunningQuestion.DEBT_PAID,
            decision=Decision.refuse(reason),
            details=FrozenMapping({"amount_to_pay": to_pay, "debt_started_at": started}),
        ),
    )
