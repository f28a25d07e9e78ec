"""Deletion: the policy, every knob of DEL-1 … DEL-7.

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Final

import attrs

from billrules import _money
from billrules import _validate as v
from billrules.deletion._facts import DeletionScheduleKind
from billrules.errors import InvalidInput, InvalidType

_MAX_DAYS: Final = 3650


def _max_balance(value: Decimal | int | str) -> Decimal:
    return _money.to_decimal(value, "DeletionPolicy.max_balance")


def _reminders(value: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    field = "DeletionPolicy.reminder_days_before"
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise InvalidType(field, f"must be a tuple of int, not {type(value).__name__}")
    items = tuple(value)
    for index, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int):
            raise InvalidType(f"{field}[{index}]", f"must be an int, not {type(item).__name__}")
        if not 1 <= item <= _MAX_DAYS:
            raise InvalidInput(f"{field}[{index}]", f"must be between 1 and {_MAX_DAYS}")
    for index, (before, after) in enumerate(itertools.pairwise(items), start=1):
        if after >= before:
            raise InvalidInput(
                f"{field}[{index}]", "reminders go from the earliest: must be strictly decreasing"
            )
    return items


@attrs.frozen(kw_only=True)
class DeletionPolicy:
    """The knobs of the deletion area; the defaults are the seed's (``002``).

    Attributes:
        min_age_days: DEL-1: an account must be *more* than this many days old (40).
        inactivity_days: DEL-1: no login during this many days (30); a login exactly this
            many days ago still counts as recent.
        max_balance: DEL-1: the balance must be at or below this amount, in the balance's own
            currency (0: "no money or a negative balance").
        notice_days: DEL-3: days from scheduling to the deletion of an automatic one (10).
        reminder_days_before: DEL-4: reminders this many days before the deletion (3, 1),
            strictly decreasing, each fewer than ``notice_days``.
        retention_days: DEL-6: days the data are kept after the deletion (20).
        manual_notice_days: DEL-2: the notice period of a manual deletion (0: deleted at once).
    """

    min_age_days: int = attrs.field(default=40, validator=v.integer(0, _MAX_DAYS))
    inactivity_days: int = attrs.field(default=30, validator=v.integer(0, _MAX_DAYS))
    max_balance: Decimal = attrs.field(default=Decimal(0), converter=_max_balance)
    notice_days: int = attrs.field(default=10, validator=v.integer(0, _MAX_DAYS))
    reminder_days_before: tuple[int, ...] = attrs.field(
        default=(3, 1),
        converter=_reminders,
        metadata={
            "json_schema": {
                "items": {"type": "integer", "minimum": 1, "maximum": _MAX_DAYS},
                "uniqueItems": True,
                "description": "Days before the deletion, strictly decreasing (the earliest first).",
            }
        },
    )
    retention_days: int = attrs.field(default=20, validator=v.integer(0, _MAX_DAYS))
    manual_notice_days: int = attrs.field(default=0, validator=v.integer(0, _MAX_DAYS))

    def __attrs_post_init__(self) -> None:
        if self.reminder_days_before and self.reminder_days_before[0] >= self.notice_days:
            raise InvalidInput(
                "DeletionPolicy.reminder_days_before",
                "every reminder must come after the notice: fewer days than notice_days",
            )

    def notice_for(self, kind: DeletionScheduleKind | str) -> int:
        """The notice period in days of a deletion of ``kind`` (DEL-2, DEL-3)."""
        member = v.enum_member(DeletionScheduleKind, "kind")(kind)
        return (
            self.notice_days
            if member is DeletionScheduleKind.AUTOMATIC
            else (self.manual_notice_days)
        )
