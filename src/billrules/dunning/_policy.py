"""The restriction schedule (DUN-1, DUN-3, DUN-4): levels, stages, the policy and its tables.

Private. Everything that depends only on the policy (the stage of each day, the reasons for
each stage and role, the findings and the transitions' reasons) is built once, when the
policy is constructed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs

from billrules import _validate as v
from billrules._redact import shown
from billrules.contract import Finding, trusted_finding
from billrules.decisions import Decision, Reason, trusted_reason
from billrules.dunning._codes import AREA, DunningCode, DunningQuestion
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role


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
        # The enums' errors hold the value: each refusal is raised outside the handler (PM-6).
        try:
            role = Role(key)
        except (ValueError, TypeError):
            role = None
        if role is None:
            raise InvalidInput("Stage.access", f"unknown role {shown(key)}")
        try:
            access: AccessLevel | None = AccessLevel(level)
        except (ValueError, TypeError):
            access = None
        if access is None:
            raise InvalidInput(f"Stage.access[{role}]", f"unknown level {shown(level)}")
        levels[role] = access
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
    access: Mapping[Role, AccessLevel] = attrs.field(
        converter=_access,
        hash=False,
        metadata={"json_schema": {"required": [role.value for role in Role]}},
    )

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


@attrs.frozen
class _Row:
    """What :func:`~billrules.dunning.can_use_product` answers one role, built once per policy:
    the one decision per case, and the ``use_product`` findings that carry it."""

    #: Without debt (DUN-2).
    clear: Decision
    #: Per stage (DUN-1).
    decisions: tuple[Decision, ...]
    #: For a debt carried into a later month (the last stage, DUN-3 reason added).
    carried: Decision
    #: The use_product finding without debt, per stage, and for a carried debt.
    clear_finding: tuple[Finding, ...]
    stage_findings: tuple[tuple[Finding, ...], ...]
    carried_finding: tuple[Finding, ...]


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
    #: Per stage: the reasons of the transition into it on its own day (DUN-1, DUN-3).
    moves: tuple[tuple[Reason, ...], ...]
    #: The reasons of the move to the last stage of a debt carried into a later month (DUN-3).
    carry: tuple[Reason, ...]


@attrs.frozen(kw_only=True)
class DunningPolicy:
    """The restriction schedule (DUN-1, DUN-3) and its anchor.

    Stages start on strictly increasing days, the first on day 1; no role's access ever
    improves from one stage to the next (restrictions only grow).

    Attributes:
        stages: The schedule. Default: DUN-1's four stages.
        anchor: ``month_start`` (default) or ``debt_start`` (DUN-3).
    """

    stages: tuple[Stage, ...] = attrs.field(
        default=DEFAULT_STAGES,
        converter=v.ToTuple[Stage],
        metadata={"json_schema": {"minItems": 1}},
    )
    anchor: Anchor = attrs.field(default=Anchor.MONTH_START, converter=v.ToEnum[Anchor])
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
    return trusted_reason(
        DunningCode.DUNNING_STAGE,
        {
            "stage": stage.name,
            "first_day": stage.first_day,
            "role": str(role),
            "level": str(stage.access[role]),
            "anchor": str(anchor),
        },
    )


_LIFT = Reason(code=DunningCode.FULL_PAYMENT_LIFTS)
_CLEAR = Reason(code=DunningCode.BALANCE_NOT_NEGATIVE, details={"level": str(AccessLevel.FULL)})
_CARRIED = Reason(code=DunningCode.DEBT_CARRIED_OVER)
_LIFTED = (
    Reason(
        code=DunningCode.DEBT_LIFTED,
        details={
            "severity": AccessLevel.FULL.severity,
            "access": v.FrozenMapping({str(role): str(AccessLevel.FULL) for role in Role}),
        },
    ),
)
#: DUN-1: who may still use the product (a reminder is no restriction of use).
_USABLE: Final = frozenset({AccessLevel.FULL, AccessLevel.FULL_WITH_REMINDER})


def _stage_details(stage: Stage, anchor: Anchor) -> dict[str, object]:
    return {
        "stage": stage.name,
        "first_day": stage.first_day,
        "access": v.FrozenMapping({str(role): str(level) for role, level in stage.access.items()}),
        "severity": max(level.severity for level in stage.access.values()),
        "anchor": str(anchor),
    }


def _use(level: AccessLevel, reasons: tuple[Reason, ...]) -> Decision:
    """DUN-1: may use the product at ``level``; the one place this is decided."""
    return Decision(allowed=level in _USABLE, reasons=reasons)


def _use_finding(level: AccessLevel, stage: Stage | None, decision: Decision) -> Finding:
    return trusted_finding(
        AREA,
        DunningQuestion.USE_PRODUCT,
        decision,
        {"level": str(level), "stage": None if stage is None else stage.name},
    )


def _build_table(policy: DunningPolicy) -> _Table:
    stages = policy.stages
    anchor = policy.anchor
    stage_of_day = [0] * 33
    for day in range(1, 33):
        stage_of_day[day] = max(i for i, stage in enumerate(stages) if stage.first_day <= day)
    clear = _use(AccessLevel.FULL, (_CLEAR,))
    clear_finding = (_use_finding(AccessLevel.FULL, None, clear),)
    rows: dict[str, _Row] = {}
    for role in Role:
        reasons = tuple((_stage_reason(stage, role, anchor), _LIFT) for stage in stages)
        decisions = tuple(
            _use(stage.access[role], why) for stage, why in zip(stages, reasons, strict=True)
        )
        last = stages[-1]
        carried = _use(last.access[role], (*reasons[-1], _CARRIED))
        rows[role] = _Row(
            clear=clear,
            decisions=decisions,
            carried=carried,
            clear_finding=clear_finding,
            stage_findings=tuple(
                (_use_finding(stage.access[role], stage, decision),)
                for stage, decision in zip(stages, decisions, strict=True)
            ),
            carried_finding=(_use_finding(last.access[role], last, carried),),
        )
    since = trusted_reason(DunningCode.SCHEDULE_ANCHOR, {"anchor": str(anchor)})
    return _Table(
        stage_of_day=tuple(stage_of_day),
        next_offset=(*(stage.first_day - 1 for stage in stages[1:]), -1),
        rows=rows,
        month_start=anchor is Anchor.MONTH_START,
        moves=tuple(
            (
                trusted_reason(DunningCode.STAGE_BEGINS, _stage_details(stage, anchor)),
                since,
            )
            for stage in stages
        ),
        carry=(trusted_reason(DunningCode.STAGE_CARRIED_OVER, _stage_details(stages[-1], anchor)),),
    )
