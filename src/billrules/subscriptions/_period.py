"""Periods of any length (SUB-7), plan-change kinds and timings (SUB-3). Private."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from billrules._redact import shown
from billrules.errors import InvalidInput, InvalidType

#: SUB-7: the periods of months that have names.
_MONTH_NAMES: Final = MappingProxyType({1: "monthly", 3: "quarterly", 12: "yearly"})
#: SUB-7: the longest periods, in months and in weeks.
_MOST_MONTHS: Final = 24
_MOST_WEEKS: Final = 52

#: SUB-7: how a period is written: ``"6 months"``, ``"1 week"``, ``"2 weeks"`` (and ``"1 month"``,
#: ``"3 months"``, ``"12 months"`` for the named ones).
_PERIOD_TEXT: Final = re.compile(r"([1-9][0-9]?) (month|week)s?", re.ASCII)


class Period(StrEnum):
    """How long a subscription's billing period is: N months (1–24) or N weeks (1–52) (SUB-7).

    ``monthly``, ``quarterly`` and ``yearly`` name 1, 3 and 12 months; every other length is
    written ``"N months"`` or ``"N weeks"`` (``"1 week"`` for one week): that text is the
    member's value, so account files hold it as it is. Build one from its text, from
    ``"1 month"``, ``"3 months"`` or ``"12 months"`` (which are the named ones), or with
    :meth:`of`. Members other than the three named ones are called ``MONTHS_6``,
    ``WEEKS_1``, ``WEEKS_2`` … ``WEEKS_52``.

    >>> from billrules.subscriptions import Period
    >>> Period("6 months"), Period("3 months"), Period.of(weeks=2)
    (<Period.MONTHS_6: '6 months'>, <Period.QUARTERLY: 'quarterly'>, <Period.WEEKS_2: '2 weeks'>)
    >>> Period.YEARLY.months, Period("2 weeks").weeks, Period("2 weeks").months
    (12, 2, None)
    """

    _ignore_ = "_members _name _value"

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    # Every other length, generated: MONTHS_2, MONTHS_4 … MONTHS_24, WEEKS_1 … WEEKS_52.
    _members = vars()
    for _name, _value in [
        *((f"MONTHS_{n}", f"{n} months") for n in range(2, _MOST_MONTHS + 1) if n not in (3, 12)),
        ("WEEKS_1", "1 week"),
        *((f"WEEKS_{n}", f"{n} weeks") for n in range(2, _MOST_WEEKS + 1)),
    ]:
        _members[_name] = _value

    @classmethod
    def _missing_(cls, value: object) -> Period | None:
        """``"1 month"``, ``"3 months"``, ``"12 months"`` and ``"N week"`` spellings."""
        if isinstance(value, str) and len(value) <= 10:
            match = _PERIOD_TEXT.fullmatch(value)
            if match:
                count, unit = int(match.group(1)), match.group(2)
                if unit == "month" and count <= _MOST_MONTHS:
                    return cls.of(months=count)
                if unit == "week" and count <= _MOST_WEEKS:
                    return cls.of(weeks=count)
        return None

    @classmethod
    def of(cls, *, months: int | None = None, weeks: int | None = None) -> Period:
        """The period of ``months`` months (1–24) or ``weeks`` weeks (1–52): give exactly one.

        Raises:
            InvalidType: a count is not an int.
            InvalidInput: both or neither are given, or a count is out of range.
        """
        if (months is None) == (weeks is None):
            raise InvalidInput("months", "give exactly one of months and weeks")
        field, count, most = (
            ("months", months, _MOST_MONTHS)
            if months is not None
            else ("weeks", weeks, _MOST_WEEKS)
        )
        if isinstance(count, bool) or not isinstance(count, int):
            raise InvalidType(field, f"must be an int, not {type(count).__name__}")
        if not 1 <= count <= most:
            raise InvalidInput(field, f"must be from 1 to {most}")
        if field == "months":
            return cls(_MONTH_NAMES.get(count, f"{count} months"))
        return cls("1 week" if count == 1 else f"{count} weeks")

    @property
    def unit(self) -> Literal["month", "week"]:
        """Whether the period counts calendar months or weeks."""
        return "week" if self.value.endswith(("week", "weeks")) else "month"

    @property
    def length(self) -> int:
        """How many months or weeks the period lasts."""
        if self.unit == "week":
            return int(self.value.split()[0])
        return PERIOD_MONTHS[self]

    @property
    def months(self) -> int | None:
        """The period's length in calendar months; ``None`` for a period of weeks."""
        return PERIOD_MONTHS.get(self)

    @property
    def weeks(self) -> int | None:
        """The period's length in weeks; ``None`` for a period of months."""
        return self.length if self.unit == "week" else None


#: SUB-1, SUB-7: the length in calendar months of each period of months.
PERIOD_MONTHS: Final[Mapping[Period, int]] = MappingProxyType(
    {
        Period.MONTHLY: 1,
        Period.QUARTERLY: 3,
        Period.YEARLY: 12,
        **{
            member: int(member.value.split()[0])
            for member in Period
            if member.value.endswith(" months")
        },
    }
)


class PlanChangeKind(StrEnum):
    """Whether a plan change moves up or down (SUB-3)."""

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


class PlanChangeTiming(StrEnum):
    """When a requested plan change takes effect (SUB-3)."""

    NEXT_RENEWAL = "next_renewal"
    IMMEDIATELY = "immediately"


#: SUB-5: the email template of the customer-portal invitation.
PORTAL_INVITATION_TEMPLATE: Final = "customer_portal_invitation"


def to_period(value: object, field: str) -> Period:
    """``value`` as a :class:`Period` (a member or its text); errors name ``field`` (SUB-7)."""
    if isinstance(value, Period):
        return value
    if not isinstance(value, str):
        raise InvalidType(field, f"must be a Period or its text, not {type(value).__name__}")
    with contextlib.suppress(ValueError):
        return Period(value)
    raise InvalidInput(
        field,
        f"unknown period {shown(value)}; write monthly, quarterly, yearly, "
        f'"N months" (N from 1 to {_MOST_MONTHS}) or "N weeks" (N from 1 to {_MOST_WEEKS})',
    )
