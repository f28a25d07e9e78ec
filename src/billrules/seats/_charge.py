"""Seat charges (SEAT-4). Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules.errors import InvalidInput
from billrules.seats._facts import SeatPool
from billrules.seats._policy import SeatPolicy, SeatProration

# --------------------------------------------------------------------------------------------
# SEAT-4: charges


@attrs.frozen(kw_only=True)
class SeatCountChange:
    """The seat count became ``total`` at the instant ``at`` (SEAT-4)."""

    at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    total: int = attrs.field(validator=v.integer(minimum=0))


@attrs.frozen(kw_only=True)
class SeatChargeLine:
    """``seats`` seats charged for ``days`` local days from ``start`` up to ``end`` (exclusive)."""

    start: date = attrs.field(validator=v.calendar_date)
    end: date = attrs.field(validator=v.calendar_date)
    seats: int = attrs.field(validator=v.integer(minimum=0))
    days: int = attrs.field(validator=v.integer(minimum=1))


@attrs.frozen(kw_only=True)
class SeatCharge:
    """What the seats of one period cost (SEAT-4).

    Attributes:
        amount: The charge, rounded half-up to the currency's minor unit.
        lines: The seat counts charged and for how many days.
        period_days: The number of local days in the period.
    """

    amount: Money = attrs.field(validator=v.non_negative_money)
    lines: tuple[SeatChargeLine, ...] = attrs.field(converter=v.ToTuple[SeatChargeLine])
    period_days: int = attrs.field(validator=v.integer(minimum=1))


def _check_changes(
    items: Sequence[SeatCountChange], start: datetime, end: datetime
) -> Sequence[SeatCountChange]:
    for index, change in enumerate(items):
        if not start <= change.at < end:
            raise InvalidInput(f"changes[{index}].at", "must be within [start, end)")
    for index, (before, after) in enumerate(itertools.pairwise(items), start=1):
        if after.at < before.at:
            raise InvalidInput(f"changes[{index}].at", f"must not be before changes[{index - 1}]")
    return items


@checked
def seat_charge(
    pool: SeatPool,
    policy: SeatPolicy | None = None,
    *,
    price_per_seat: Money,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
    changes: Sequence[SeatCountChange] = (),
) -> SeatCharge:
    """The charge for the seats of the period ``[start, end)``. Decides SEAT-4.

    Seats are charged by the count, occupied or not: ``pool.total`` is the count at ``start``,
    and ``changes`` are later counts within the period, in order. With the default
    ``proration="none"`` the period is charged for the count at its start (changes count from
    the next period). With ``"daily"``, each local day in ``zone`` is charged at the count in
    force on it (a change counts from its own day): price × seat-days ÷ days in the period.
    The amount is rounded half-up to the currency's minor unit, once.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.seats import SeatPool, seat_charge
    >>> pool = SeatPool(total=10, occupants=("ann", "bob"))
    >>> charge = seat_charge(pool, price_per_seat=Money("25", "USD"),
    ...                      start=datetime(2024, 5, 1, tzinfo=UTC),
    ...                      end=datetime(2024, 6, 1, tzinfo=UTC), zone="UTC")
    >>> charge.amount.amount, charge.period_days
    (Decimal('250.00'), 31)

    Raises:
        InvalidInput: ``end`` is not at least one local day after ``start``, ``price_per_seat``
            is negative, or a change is outside the period or out of order.
    """
    rules = SeatPolicy() if policy is None else policy
    price = price_per_seat
    if price.amount < 0:
        raise InvalidInput("price_per_seat", "must not be negative")
    tz = _time.to_zone(zone)
    first, stop = _time.local_date(start, tz), _time.local_date(end, tz)
    period_days = _time.days_between(first, stop)
    if period_days < 1:
        raise InvalidInput("end", "must be at least one local day after start")
    items = _check_changes(changes, start, end)

    lines: list[SeatChargeLine] = []
    if rules.proration is SeatProration.NONE:
        lines.append(SeatChargeLine(start=first, end=stop, seats=pool.total, days=period_days))
    else:
        # The count in force on each local day: the last change made on or before that day.
        counts: dict[date, int] = {first: pool.total}
        for change in items:
            counts[_time.local_date(change.at, tz)] = change.total
        days = sorted(counts)
        for day, following in zip(days, [*days[1:], stop], strict=True):
            if day == following:
                continue  # a change on the period's last, partial local day
            lines.append(
                SeatChargeLine(
                    start=day,
                    end=following,
                    seats=counts[day],
                    days=_time.days_between(day, following),
                )
            )
    seat_days = sum(line.seats * line.days for line in lines)
    amount = price.amount * Decimal(seat_days) / Decimal(period_days)
    return SeatCharge(
        amount=_money.round_to_minor_unit(Money(amount, price.currency)),
        lines=tuple(lines),
        period_days=period_days,
    )
