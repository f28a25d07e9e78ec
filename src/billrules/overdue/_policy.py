"""The collections policy (OVD-1 … OVD-8): retry gaps, hard declines, the ladder of stages,
thresholds, the clock, the final action. Private.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

import attrs
from moneyed import Money

from billrules import _money
from billrules import _validate as v
from billrules._redact import shown
from billrules.dunning import AccessLevel
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role


class Clock(StrEnum):
    """What day 0 of the overdue age is (OVD-3)."""

    DUE_DATE = "due_date"
    ISSUE_DATE = "issue_date"


class FinalAction(StrEnum):
    """What happens on entering the last stage (OVD-5)."""

    CANCEL = "cancel"
    MARK_UNPAID = "mark_unpaid"
    NONE = "none"


def _access(value: object) -> Mapping[Role, AccessLevel]:
    if not isinstance(value, Mapping):
        raise InvalidType("OverdueStage.access", f"must be a mapping, not {type(value).__name__}")
    levels: dict[Role, AccessLevel] = {}
    for key, level in value.items():
        # The enums' errors hold the value: each refusal is raised outside the handler (PM-6).
        try:
            role: Role | None = Role(key)
        except (ValueError, TypeError):
            role = None
        if role is None:
            raise InvalidInput("OverdueStage.access", f"unknown role {shown(key)}")
        try:
            access: AccessLevel | None = AccessLevel(level)
        except (ValueError, TypeError):
            access = None
        if access is None:
            raise InvalidInput(f"OverdueStage.access[{role}]", f"unknown level {shown(level)}")
        levels[role] = access
    missing = [str(role) for role in Role if role not in levels]
    if missing:
        raise InvalidInput(
            "OverdueStage.access", f"must give a level for every role; missing {missing}"
        )
    return v.FrozenMapping({role: levels[role] for role in Role})


@attrs.frozen(kw_only=True)
class OverdueStage:
    """A stage of the collections ladder: from ``first_day`` of the overdue age on (OVD-3).

    Attributes:
        name: A stable snake_case name (``"warning"``).
        first_day: The age in local days (0 is the day of the clock's date) it starts on.
        access: The :class:`~billrules.dunning.AccessLevel` of every role (DUN-1's meanings).
        blocks_changes: Whether plan changes and seat additions are refused.
        banner: Whether every user sees a banner saying the account is overdue (OVD-7).
    """

    name: str = attrs.field(validator=v.text)
    first_day: int = attrs.field(validator=v.integer(0, 3660))
    access: Mapping[Role, AccessLevel] = attrs.field(
        converter=_access,
        hash=False,
        metadata={"json_schema": {"required": [role.value for role in Role]}},
    )
    blocks_changes: bool = attrs.field(default=False, validator=v.boolean)
    banner: bool = attrs.field(default=False, validator=v.boolean)


_A = AccessLevel
_R = Role

#: OVD-3: the default ladder.
DEFAULT_OVERDUE_STAGES: Final[tuple[OverdueStage, ...]] = (
    OverdueStage(
        name="past_due",
        first_day=0,
        access={
            _R.OWNER: _A.FULL_WITH_REMINDER,
            _R.ADMIN: _A.FULL_WITH_REMINDER,
            _R.STAFF: _A.FULL,
        },
    ),
    OverdueStage(
        name="warning",
        first_day=10,
        access={
            _R.OWNER: _A.FULL_WITH_REMINDER,
            _R.ADMIN: _A.FULL_WITH_REMINDER,
            _R.STAFF: _A.FULL,
        },
        blocks_changes=True,
    ),
    OverdueStage(
        name="blocked",
        first_day=14,
        access={
            _R.OWNER: _A.PAYMENT_PAGE_ONLY,
            _R.ADMIN: _A.PAYMENT_PAGE_ONLY,
            _R.STAFF: _A.BLOCKED,
        },
        blocks_changes=True,
        banner=True,
    ),
    OverdueStage(
        name="final",
        first_day=21,
        access={
            _R.OWNER: _A.PAYMENT_PAGE_ONLY,
            _R.ADMIN: _A.PAYMENT_PAGE_ONLY,
            _R.STAFF: _A.BLOCKED,
        },
        blocks_changes=True,
        banner=True,
    ),
)

#: OVD-2: the decline codes after which no automatic attempt is made.
DEFAULT_HARD_DECLINES: Final[tuple[str, ...]] = (
    "fraudulent",
    "invalid_account",
    "lost_card",
    "pickup_card",
    "restricted_card",
    "stolen_card",
)


def _gaps(value: object) -> tuple[int, ...]:
    gaps: tuple[Any, ...] = v.tuple_of(object, "OverduePolicy.retry_gaps")(value)
    for index, gap in enumerate(gaps):
        if isinstance(gap, bool) or not isinstance(gap, int):
            raise InvalidType(
                f"OverduePolicy.retry_gaps[{index}]", f"must be an int, not {type(gap).__name__}"
            )
        if not 1 <= gap <= 366:
            raise InvalidInput(f"OverduePolicy.retry_gaps[{index}]", "must be 1 to 366 days")
    return gaps


#: A decline code: a snake_case name of ASCII letters, as ``ChargeAttempt.decline_code``.
_DECLINE: Final = re.compile(r"[a-z]+(?:_[a-z]+)*")


def _declines(value: object) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (frozenset, set, tuple, list)):
        raise InvalidType(
            "OverduePolicy.hard_declines", f"must be decline codes, not {type(value).__name__}"
        )
    for index, code in enumerate(value):
        if not isinstance(code, str):
            raise InvalidType(
                f"OverduePolicy.hard_declines[{index}]", f"must be a str, not {type(code).__name__}"
            )
        if not _DECLINE.fullmatch(code):
            raise InvalidInput(
                f"OverduePolicy.hard_declines[{index}]", "must be a snake_case name of letters"
            )
    return tuple(sorted(set(value)))


def _thresholds(value: object) -> Mapping[str, Money]:
    if not isinstance(value, Mapping):
        raise InvalidType(
            "OverduePolicy.thresholds", f"must be a mapping, not {type(value).__name__}"
        )
    found: dict[str, Money] = {}
    for key, amount in value.items():
        currency = _money.to_currency(key, "OverduePolicy.thresholds")
        code = currency.code
        where = f"OverduePolicy.thresholds[{code}]"
        if not isinstance(amount, Money):
            raise InvalidType(where, f"must be Money, not {type(amount).__name__}")
        _money.require_currency(amount, currency, where)
        if amount.amount <= 0:
            raise InvalidInput(where, "must be more than zero")
        found[code] = amount
    return v.FrozenMapping(dict(sorted(found.items())))


@attrs.frozen(kw_only=True)
class OverduePolicy:
    """Every knob of postpaid collections (OVD-1 … OVD-8), each defaulting to the catalogue's
    value: ``OverduePolicy()`` is the default ladder.

    Attributes:
        retry_gaps: Days from each attempt to the next (OVD-1): default 1, 8, 4, 7, so attempts
            fall on days 0, 1, 9, 13 and 20, each at the first attempt's local wall time.
        hard_declines: Decline codes after which no automatic attempt follows (OVD-2),
            kept sorted and unique.
        stages: The ladder (OVD-3): the first starts on day 0; days strictly increase and no
            role's access improves from one stage to the next.
        thresholds: Per currency, the overdue total at which the ladder starts (OVD-3);
            a currency not named starts at any amount above zero.
        clock: ``due_date`` (default) or ``issue_date``: day 0 of the age (OVD-3).
        final_action: ``cancel`` (default), ``mark_unpaid`` or ``none`` (OVD-5), on entering
            the last stage.
        write_off: Whether the final action writes the overdue invoices off (OVD-6).
        final_notice_days: Days before the final action its notice is emailed (OVD-5).
    """

    retry_gaps: tuple[int, ...] = attrs.field(
        default=(1, 8, 4, 7),
        converter=_gaps,
        metadata={"json_schema": {"items": {"type": "integer", "minimum": 1, "maximum": 366}}},
    )
    hard_declines: tuple[str, ...] = attrs.field(
        default=DEFAULT_HARD_DECLINES,
        converter=_declines,
        metadata={"json_schema": {"items": {"type": "string", "pattern": "^[a-z]+(?:_[a-z]+)*$"}}},
    )
    stages: tuple[OverdueStage, ...] = attrs.field(
        default=DEFAULT_OVERDUE_STAGES,
        converter=v.ToTuple[OverdueStage],
        metadata={"json_schema": {"minItems": 1}},
    )
    thresholds: Mapping[str, Money] = attrs.field(factory=dict, converter=_thresholds, hash=False)
    clock: Clock = attrs.field(default=Clock.DUE_DATE, converter=v.ToEnum[Clock])
    final_action: FinalAction = attrs.field(
        default=FinalAction.CANCEL, converter=v.ToEnum[FinalAction]
    )
    write_off: bool = attrs.field(default=False, validator=v.boolean)
    final_notice_days: int = attrs.field(default=3, validator=v.integer(0, 365))

    @stages.validator
    def _check_stages(
        self, attribute: attrs.Attribute[object], value: tuple[OverdueStage, ...]
    ) -> None:
        if not value:
            raise InvalidInput("OverduePolicy.stages", "must hold at least one stage")
        if value[0].first_day != 0:
            raise InvalidInput("OverduePolicy.stages[0].first_day", "must be 0")
        names: set[str] = set()
        for index, stage in enumerate(value):
            if stage.name in names:
                raise InvalidInput(
                    f"OverduePolicy.stages[{index}].name", f"duplicate stage {shown(stage.name)}"
                )
            names.add(stage.name)
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            if after.first_day <= before.first_day:
                raise InvalidInput(
                    f"OverduePolicy.stages[{index}].first_day",
                    f"must be after stages[{index - 1}].first_day",
                )
            for role in Role:
                if after.access[role].severity < before.access[role].severity:
                    raise InvalidInput(
                        f"OverduePolicy.stages[{index}].access[{role}]",
                        f"must not be less restricted than in stages[{index - 1}]",
                    )

    def stage_on_day(self, age: int) -> OverdueStage:
        """The stage of an overdue age of ``age`` local days (0 or more, OVD-3)."""
        if isinstance(age, bool) or not isinstance(age, int) or age < 0:
            raise InvalidInput("age", "must be an int of at least 0")
        return self.stages[self.stage_index(age)]

    def stage_index(self, age: int) -> int:
        """The index in :attr:`stages` of the stage of an age of ``age`` days (unchecked)."""
        table = self._by_age
        return table[age] if age < len(table) else table[-1]

    @functools.cached_property
    def _by_age(self) -> tuple[int, ...]:
        """The stage index of each age up to the last stage's first day, made once."""
        last = self.stages[-1].first_day
        found: list[int] = []
        index = 0
        for age in range(last + 1):
            while index + 1 < len(self.stages) and self.stages[index + 1].first_day <= age:
                index += 1
            found.append(index)
        return tuple(found)

    def threshold(self, currency: str) -> Money | None:
        """The overdue total at which the ladder starts in ``currency``; ``None``: any amount."""
        return self.thresholds.get(currency)
