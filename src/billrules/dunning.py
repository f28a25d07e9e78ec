"""Dunning: what each role may still do while the prepaid balance is negative.

Decides DUN-1 … DUN-4 (see ``docs/policies.md``):

- DUN-1 the seed's schedule, by day of the month in the account's zone: days 1–3 nothing;
  4–6 the admin sees a payment reminder; 7–9 the admin gets the payment page only while the
  staff keep access; from day 10 everyone is blocked;
- DUN-2 only full payment (balance ≥ 0) lifts a restriction; a partial one changes nothing;
- DUN-3 the stages are policy data, and the anchor is a knob: ``month_start`` (days of the
  month the debt started in; **Reading:** a debt carried into a later month stays at the last
  stage until paid) or ``debt_start`` (day 1 is the day the balance turned negative);
- DUN-4 the grace period is derived: the first day of the blocking stage.

The check :func:`restriction_for` runs on every request a host serves, so everything that
depends only on the policy (the stage of each day, the reasons for each stage and role) is
built once, when the policy is constructed, and each call does two time-zone conversions and
a few lookups.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules._redact import shown
from billrules.balance import BalanceFacts, Ledger, _debt_periods
from billrules.decisions import Reason
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role

__all__ = [
    "DEFAULT_STAGES",
    "Access",
    "AccessLevel",
    "Anchor",
    "DunningPolicy",
    "Stage",
    "StageTransition",
    "restriction_for",
    "stage_transitions",
]


class AccessLevel(StrEnum):
    """What a user can do, from the least to the most restricted (DUN-1)."""

    FULL = "full"
    FULL_WITH_REMINDER = "full_with_reminder"
    PAYMENT_PAGE_ONLY = "payment_page_only"
    BLOCKED = "blocked"

    @property
    def severity(self) -> int:
        """0 for full access up to 3 for blocked: restrictions compare by this number."""
        return _SEVERITY[self]


_SEVERITY: Final[Mapping[AccessLevel, int]] = MappingProxyType(
    {level: index for index, level in enumerate(AccessLevel)}
)


class Anchor(StrEnum):
    """What day 1 of the schedule is (DUN-3)."""

    MONTH_START = "month_start"
    DEBT_START = "debt_start"


def _access(value: object) -> Mapping[Role, AccessLevel]:
    if not isinstance(value, Mapping):
        raise InvalidType("Stage.access", f"must be a mapping, not {type(value).__name__}")
    levels: dict[Role, AccessLevel] = {}
    for key, level in value.items():
        try:
            role = Role(key)
        except (ValueError, TypeError):
            raise InvalidInput("Stage.access", f"unknown role {shown(key)}") from None
        try:
            levels[role] = AccessLevel(level)
        except (ValueError, TypeError):
            raise InvalidInput(f"Stage.access[{role}]", f"unknown level {shown(level)}") from None
    missing = [str(role) for role in Role if role not in levels]
    if missing:
        raise InvalidInput("Stage.access", f"must give a level for every role; missing {missing}")
    return v.FrozenMapping({role: levels[role] for role in Role})  # picklable, read-only


@attrs.frozen(kw_only=True)
class Stage:
    """A stage of the restriction schedule: from ``first_day`` on, each role gets its level.

    Attributes:
        name: A stable snake_case name, used in reason details (``"reminder"``).
        first_day: The day of the schedule (1–31) the stage starts on.
        access: The :class:`AccessLevel` of every :class:`~billrules.roles.Role`.
    """

    name: str = attrs.field(validator=v.text)
    first_day: int = attrs.field(validator=v.integer(1, 31))
    access: Mapping[Role, AccessLevel] = attrs.field(converter=_access, hash=False)

    @property
    def restricts(self) -> bool:
        """Whether any role is less than fully free in this stage."""
        return any(level is not AccessLevel.FULL for level in self.access.values())


_A = AccessLevel

#: DUN-1: the seed's schedule.
DEFAULT_STAGES: Final[tuple[Stage, ...]] = (
    Stage(
        name="no_restriction",
        first_day=1,
        access={Role.OWNER: _A.FULL, Role.ADMIN: _A.FULL, Role.STAFF: _A.FULL},
    ),
    Stage(
        name="reminder",
        first_day=4,
        access={
            Role.OWNER: _A.FULL_WITH_REMINDER,
            Role.ADMIN: _A.FULL_WITH_REMINDER,
            Role.STAFF: _A.FULL,
        },
    ),
    Stage(
        name="payment_page_only",
        first_day=7,
        access={
            Role.OWNER: _A.PAYMENT_PAGE_ONLY,
            Role.ADMIN: _A.PAYMENT_PAGE_ONLY,
            Role.STAFF: _A.FULL,
        },
    ),
    Stage(
        name="blocked",
        first_day=10,
        access={Role.OWNER: _A.BLOCKED, Role.ADMIN: _A.BLOCKED, Role.STAFF: _A.BLOCKED},
    ),
)


class Access(NamedTuple):
    """What a user with a role gets at an instant (DUN-1 … DUN-3).

    An immutable named tuple rather than an attrs class: :func:`restriction_for` builds one
    on every request a host serves, and a tuple is several times cheaper to build. Compare
    its fields, not the whole value with plain tuples.

    Attributes:
        level: The access level.
        stage: The stage in force, or ``None`` when the balance is not negative.
        reasons: Why, with rule IDs (the stage, what lifts it, the anchor's reading).
        next_stage_on: The local date the next stage starts, or ``None`` (no debt, or the last
            stage already).
        amount_to_pay: What lifts the restriction: the whole debt (DUN-2), ``None`` without
            debt.
    """

    level: AccessLevel
    stage: Stage | None
    reasons: tuple[Reason, ...]
    next_stage_on: date | None
    amount_to_pay: Money | None

    @property
    def restricted(self) -> bool:
        """Whether the level is anything but full access."""
        return self.level is not AccessLevel.FULL

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(reason.code for reason in self.reasons)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs behind the reasons, in order, without repeats."""
        return tuple(dict.fromkeys(reason.rule for reason in self.reasons))


def _anchor(value: object) -> Anchor:
    return v.enum_member(Anchor, "DunningPolicy.anchor")(value)


def _stages(value: object) -> tuple[Stage, ...]:
    return v.tuple_of(Stage, "DunningPolicy.stages")(value)


@attrs.frozen
class _Row:
    """What :func:`restriction_for` needs for one role, built once per policy."""

    clear: Access
    #: Per stage: the first three fields of the Access (level, stage, reasons).
    heads: tuple[tuple[AccessLevel, Stage, tuple[Reason, ...]], ...]
    #: The same for a debt carried into a later month (last stage, DUN-3 reason added).
    carried: tuple[AccessLevel, Stage, tuple[Reason, ...]]


@attrs.frozen
class _Table:
    """The policy's lookups: the stage of each schedule day and a row per role."""

    #: The index of the stage in force on schedule day n (1–31), and on any later day at [32].
    stage_of_day: tuple[int, ...]
    #: Per stage: the next stage's ``first_day - 1``, or -1 for the last stage.
    next_offset: tuple[int, ...]
    #: Per role (looked up by the role or its value). A private dict, never handed out: a
    #: plain dict is the cheapest lookup on the hot path.
    rows: dict[str, _Row]
    #: Whether the anchor is ``month_start`` (an enum member lookup costs more than a bool).
    month_start: bool


@attrs.frozen(kw_only=True)
class DunningPolicy:
    """The restriction schedule (DUN-1, DUN-3) and its anchor.

    Stages start on strictly increasing days, the first on day 1; no role's access ever
    improves from one stage to the next (restrictions only grow).

    Attributes:
        stages: The schedule. Default: DUN-1's four stages.
        anchor: ``month_start`` (default) or ``debt_start`` (DUN-3).
    """

    stages: tuple[Stage, ...] = attrs.field(default=DEFAULT_STAGES, converter=_stages)
    anchor: Anchor = attrs.field(default=Anchor.MONTH_START, converter=_anchor)
    _table: _Table = attrs.field(init=False, eq=False, hash=False, repr=False)

    @stages.validator
    def _check_stages(self, attribute: attrs.Attribute[object], value: tuple[Stage, ...]) -> None:
        if not value:
            raise InvalidInput("DunningPolicy.stages", "must hold at least one stage")
        if value[0].first_day != 1:
            raise InvalidInput("DunningPolicy.stages[0].first_day", "must be 1")
        names: set[str] = set()
        for index, stage in enumerate(value):
            if stage.name in names:
                raise InvalidInput(
                    f"DunningPolicy.stages[{index}].name", f"duplicate stage {shown(stage.name)}"
                )
            names.add(stage.name)
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            if after.first_day <= before.first_day:
                raise InvalidInput(
                    f"DunningPolicy.stages[{index}].first_day",
                    f"must be after stages[{index - 1}].first_day",
                )
            for role in Role:
                if after.access[role].severity < before.access[role].severity:
                    raise InvalidInput(
                        f"DunningPolicy.stages[{index}].access[{role}]",
                        f"must not be less restricted than in stages[{index - 1}]",
                    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_table", _build_table(self))

    @property
    def grace_days(self) -> int | None:
        """The days to pay before someone is blocked: the blocking stage's first day (DUN-4).

        ``None`` when no stage blocks anyone. The seed's "10 days to pay" is the default.
        """
        for stage in self.stages:
            if AccessLevel.BLOCKED in stage.access.values():
                return stage.first_day
        return None

    def stage_on_day(self, day: int) -> Stage:
        """The stage in force on day ``day`` (1 or more) of the schedule (DUN-1, DUN-3)."""
        if isinstance(day, bool) or not isinstance(day, int) or day < 1:
            raise InvalidInput("day", "must be an int of at least 1")
        return self.stages[self._table.stage_of_day[min(day, 32)]]


def _stage_reason(stage: Stage, role: Role, anchor: Anchor) -> Reason:
    level = stage.access[role]
    return Reason(
        code="dunning_stage",
        rule="DUN-1",
        message=f"The balance is negative: stage {stage.name} (from day {stage.first_day}) "
        f"gives the {role} {level.value.replace('_', ' ')} access.",
        details={
            "stage": stage.name,
            "first_day": stage.first_day,
            "role": str(role),
            "level": str(level),
            "anchor": str(anchor),
        },
    )


_LIFT = Reason(
    code="full_payment_lifts",
    rule="DUN-2",
    message="Only paying the debt in full lifts the restriction; a partial payment does not.",
)
_CLEAR = Reason(
    code="balance_not_negative",
    rule="DUN-2",
    message="The balance is not negative: no restriction applies.",
)
_CARRIED = Reason(
    code="debt_carried_over",
    rule="DUN-3",
    message="The debt was carried into a later month: the last stage applies until it is paid.",
)


def _build_table(policy: DunningPolicy) -> _Table:
    stages = policy.stages
    stage_of_day = [0] * 33
    for day in range(1, 33):
        stage_of_day[day] = max(i for i, stage in enumerate(stages) if stage.first_day <= day)
    rows: dict[str, _Row] = {}
    for role in Role:
        reasons = tuple((_stage_reason(stage, role, policy.anchor), _LIFT) for stage in stages)
        rows[role] = _Row(
            clear=Access(
                level=AccessLevel.FULL,
                stage=None,
                reasons=(_CLEAR,),
                next_stage_on=None,
                amount_to_pay=None,
            ),
            heads=tuple(
                (stage.access[role], stage, why) for stage, why in zip(stages, reasons, strict=True)
            ),
            carried=(stages[-1].access[role], stages[-1], (*reasons[-1], _CARRIED)),
        )
    return _Table(
        stage_of_day=tuple(stage_of_day),
        next_offset=(*(stage.first_day - 1 for stage in stages[1:]), -1),
        rows=rows,
        month_start=policy.anchor is Anchor.MONTH_START,
    )


#: ``timedelta(days=n)`` for n in 0–31, built once.
_DAYS: Final = tuple(timedelta(days=n) for n in range(32))
#: Builds an :class:`Access` from a tuple of its fields without the keyword-argument wrapper.
_new_access: Final = tuple.__new__


@checked
def restriction_for(
    facts: BalanceFacts | Ledger,
    role: Role | str,
    policy: DunningPolicy,
    at: datetime,
    zone: ZoneInfo | str,
) -> Access:
    """What a user with ``role`` gets at the instant ``at``. Decides DUN-1, DUN-2, DUN-3.

    ``facts`` are the balance and the start of the current debt at ``at``
    (:meth:`BalanceFacts.from_ledger <billrules.balance.BalanceFacts.from_ledger>`); a
    :class:`~billrules.balance.Ledger` is accepted too and read at ``at``. A non-negative
    balance means full access for everyone (DUN-2: paying the whole debt lifts everything at
    once; a partial payment leaves the balance negative and so changes nothing). Otherwise the
    day of the schedule is the local day of the month (``month_start``; a debt from an earlier
    month is at the last stage, DUN-3) or the days since the debt's local start day plus one
    (``debt_start``), and the stage of that day gives the role's level.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: ``at`` falls on a local day before the debt started; unknown role.
    """
    # The argument types are checked by @checked; a ledger is read at the instant asked.
    if isinstance(facts, Ledger):
        facts = BalanceFacts.from_ledger(facts, at)
    table = policy._table
    try:
        row = table.rows[role]
    except (KeyError, TypeError):
        raise InvalidInput("role", f"unknown role {shown(role)}") from None
    if type(zone) is not ZoneInfo:
        zone = _time.to_zone(zone)
    started = facts.debt_started_at
    if started is None:
        return row.clear
    today = at.astimezone(zone).date()
    debt_day = started.astimezone(zone).date()
    next_on: date | None = None
    if table.month_start:
        if today.month != debt_day.month or today.year != debt_day.year:
            if today < debt_day:
                raise InvalidInput("at", "must not be before the debt started")
            return _new_access(Access, (*row.carried, None, facts.amount_to_pay))
        day = today.day
        if day < debt_day.day:
            raise InvalidInput("at", "must not be before the debt started")
        index = table.stage_of_day[day]
        offset = table.next_offset[index]
        if offset >= 0:
            if offset < 28 or offset < calendar.monthrange(today.year, today.month)[1]:
                next_on = today + _DAYS[offset + 1 - day]
            else:
                next_on = _time.add_months(today - _DAYS[day - 1], 1)
    else:
        elapsed = (today - debt_day).days
        if elapsed < 0:
            raise InvalidInput("at", "must not be before the debt started")
        index = table.stage_of_day[elapsed + 1 if elapsed < 32 else 32]
        offset = table.next_offset[index]
        if offset >= 0:
            next_on = debt_day + _DAYS[offset]
    return _new_access(Access, (*row.heads[index], next_on, facts.amount_to_pay))


# --------------------------------------------------------------------------------------------
# Stage transitions, for the timeline


@attrs.frozen(kw_only=True)
class StageTransition:
    """A change of dunning stage at the instant ``at`` (``stage`` ``None``: lifted, DUN-2)."""

    at: datetime
    stage: Stage | None
    rules: tuple[str, ...]


def _period_transitions(
    started: datetime, ended: datetime | None, policy: DunningPolicy, zone: ZoneInfo
) -> list[StageTransition]:
    table = policy._table
    debt_day = _time.local_date(started, zone)
    last = len(policy.stages) - 1
    events: list[tuple[datetime, int, tuple[str, ...]]] = []
    if policy.anchor is Anchor.MONTH_START:
        first_index = table.stage_of_day[debt_day.day]
        events.append((started, first_index, ("DUN-1", "DUN-3")))
        length = calendar.monthrange(debt_day.year, debt_day.month)[1]
        for index in range(first_index + 1, last + 1):
            day = policy.stages[index].first_day
            if day > length:
                break
            events.append(
                (_time.start_of_day(debt_day.replace(day=day), zone), index, ("DUN-1", "DUN-3"))
            )
        if events[-1][1] != last:
            month_after = _time.add_months(debt_day.replace(day=1), 1)
            events.append((_time.start_of_day(month_after, zone), last, ("DUN-3",)))
    else:
        events.append((started, 0, ("DUN-1", "DUN-3")))
        for index in range(1, last + 1):
            begins = debt_day + timedelta(days=policy.stages[index].first_day - 1)
            events.append((_time.start_of_day(begins, zone), index, ("DUN-1", "DUN-3")))
    result = [
        StageTransition(at=at, stage=policy.stages[index], rules=rules)
        for at, index, rules in events
        if ended is None or at < ended
    ]
    if ended is not None:
        result.append(StageTransition(at=ended, stage=None, rules=("DUN-2",)))
    return result


@checked
def stage_transitions(
    facts: BalanceFacts | Ledger,
    policy: DunningPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> tuple[StageTransition, ...]:
    """The dunning stage changes in ``[start, end)``, oldest first. Decides DUN-1 … DUN-3.

    Computed from the schedule, one value per change, never by stepping through days. With
    :class:`~billrules.balance.BalanceFacts`, the debt is taken as unpaid for good; with a
    :class:`~billrules.balance.Ledger`, every stretch of negative balance in its entries
    counts, and a payment that clears the debt gives a transition to ``None`` (lifted, DUN-2).
    The first transition of a debt is at the instant it started; later ones at local midnight.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    if end < start:
        raise InvalidInput("end", "must not be before start")
    tz = _time.to_zone(zone)
    periods: Iterable[tuple[datetime, datetime | None]]
    if isinstance(facts, Ledger):
        periods = _debt_periods(facts)
    else:
        periods = [] if facts.debt_started_at is None else [(facts.debt_started_at, None)]
    return tuple(
        transition
        for started, ended in periods
        if started < end
        for transition in _period_transitions(started, ended, policy, tz)
        if start <= transition.at < end
    )
