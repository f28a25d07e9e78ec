"""Seats: purchased seats, the users occupying them, and which seats may be removed.

Decides SEAT-1 … SEAT-5 (see ``docs/policies.md``):

- SEAT-1 deleting a user frees their seat; the seat count (and what is billed) stays;
- SEAT-2 the number of seats that can be removed is total − occupied; adding a user needs one
  of those free seats;
- SEAT-3 occupied seats are never removed: removing zero, a negative number or more than the
  unoccupied count is refused, and the decision says how many can be removed;
- SEAT-4 seat charges follow the seat count, occupied or not; mid-period changes are not
  prorated by default (:attr:`SeatPolicy.proration`), or prorated by the day;
- SEAT-5 back-office cancellation sets the count to 0 and deactivates the remaining users.

Fact: :class:`SeatPool` (its invariant, occupied ≤ total, holds by construction). Policy:
:class:`SeatPolicy`. Every function takes the pool first, the policy second when it reads one,
and the rest by keyword (``can_remove_seats(pool, *, count)``). The area contract:
:func:`role_findings` (how many seats can be removed, SEAT-2, SEAT-3), :func:`findings` and
:func:`transitions` (none); reasons are :class:`SeatCode` members, questions
:class:`SeatQuestion` members.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Question, Reason, ReasonCode
from billrules.effects import DeactivateUser, Effect, SetLicenceCount
from billrules.errors import InvalidInput
from billrules.roles import Role

__all__ = [
    "SeatCharge",
    "SeatChargeLine",
    "SeatCode",
    "SeatCountChange",
    "SeatPolicy",
    "SeatPool",
    "SeatProration",
    "SeatQuestion",
    "add_seats",
    "add_user",
    "back_office_cancel",
    "can_add_user",
    "can_delete_user",
    "can_remove_seats",
    "delete_user",
    "findings",
    "removable_seats",
    "remove_seats",
    "role_findings",
    "seat_charge",
    "transitions",
]


class SeatCode(ReasonCode):
    """Every reason the seats area gives, with its English sentence (SEAT-1 … SEAT-3)."""

    #: SEAT-2: a user occupies at most one seat.
    ALREADY_SEATED = "user_already_seated", "User '{user_id}' already occupies a seat."
    #: SEAT-2: adding a user needs a free seat.
    NO_FREE_SEAT = (
        "no_free_seat",
        "All {total} seats are occupied: add a seat before adding a user.",
    )
    #: SEAT-2: a seat is free for the user.
    FREE_SEAT = "free_seat", "{unoccupied} of {total} seats are free."
    #: SEAT-1: only a user who occupies a seat can be deleted from the pool.
    NOT_SEATED = "user_not_seated", "User '{user_id}' occupies no seat."
    #: SEAT-1: deleting a user frees the seat and keeps the count.
    SEAT_KEPT = (
        "seat_kept",
        "Deleting user '{user_id}' frees their seat; the {total} seats and what is billed for "
        "them stay the same.",
    )
    #: SEAT-3: at least one seat must be chosen.
    NOT_POSITIVE = (
        "seat_removal_not_positive",
        "Choose at least one seat to remove: {removable} of {total} seats "
        "{removable:is|are} unoccupied.",
    )
    #: SEAT-3: occupied seats are never removed.
    OCCUPIED_NOT_REMOVABLE = (
        "occupied_seats_not_removable",
        "Occupied seats are never removed: {removable} of {total} seats "
        "{removable:is|are} unoccupied, so at most {removable} can be removed.",
    )
    #: SEAT-2: the seats asked for are unoccupied.
    UNOCCUPIED = (
        "seats_unoccupied",
        "{requested} of the {unoccupied} unoccupied seats can be removed.",
    )


class SeatQuestion(Question):
    """The questions :func:`role_findings` answers (SEAT-2, SEAT-3)."""

    REMOVE_SEATS = "remove_seats", "{removable} of {total} seats can be removed."


class SeatProration(StrEnum):
    """How a change of the seat count in the middle of a period is charged (SEAT-4)."""

    #: The period is charged for the count at its start; changes count from the next period.
    NONE = "none"
    #: Each local day of the period is charged for the count in force that day.
    DAILY = "daily"


@attrs.frozen(kw_only=True)
class SeatPolicy:
    """The knobs of the seats area.

    Attributes:
        proration: SEAT-4: ``"none"`` (the seed's default: a period is charged for the seat
            count at its start) or ``"daily"`` (each day at the count in force that day).
    """

    proration: SeatProration = attrs.field(
        default=SeatProration.NONE,
        converter=v.to_enum(SeatProration),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
    )


@attrs.frozen(kw_only=True)
class SeatPool:
    """The purchased seats and the users occupying them (SEAT-1, SEAT-2).

    ``occupants`` are distinct user ids, one per occupied seat; there are never more of them
    than ``total`` seats.

    >>> from billrules.seats import SeatPool
    >>> pool = SeatPool(total=10, occupants=("ann", "bob", "cy"))
    >>> pool.occupied, pool.unoccupied
    (3, 7)

    Attributes:
        total: The number of purchased seats (the licence count); zero or more.
        occupants: The ids of the users occupying a seat, in the order they were added.
    """

    total: int = attrs.field(validator=v.integer(minimum=0))
    occupants: tuple[str, ...] = attrs.field(
        default=(),
        converter=v.to_tuple(str),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        metadata={"json_schema": {"uniqueItems": True, "items": v.ID_SCHEMA}},
    )

    @occupants.validator
    def _check_occupants(self, attribute: attrs.Attribute[object], value: tuple[str, ...]) -> None:
        seen: set[str] = set()
        for index, user in enumerate(value):
            if len(user) > v.MAX_ID_LENGTH:
                raise InvalidInput(
                    f"SeatPool.occupants[{index}]",
                    f"must be at most {v.MAX_ID_LENGTH} characters long",
                )
            if not user.strip():
                raise InvalidInput(f"SeatPool.occupants[{index}]", "must not be empty")
            if user in seen:
                raise InvalidInput(f"SeatPool.occupants[{index}]", "duplicate user id")
            seen.add(user)

    def __attrs_post_init__(self) -> None:
        if len(self.occupants) > self.total:
            raise InvalidInput(
                "SeatPool.occupants", "there are more occupants than seats (occupied ≤ total)"
            )

    @property
    def occupied(self) -> int:
        """The number of occupied seats."""
        return len(self.occupants)

    @property
    def unoccupied(self) -> int:
        """The number of free seats: total − occupied (SEAT-2)."""
        return self.total - self.occupied

    @functools.cached_property
    def _role_findings(self) -> tuple[Finding, ...]:
        """How many seats can be removed (SEAT-2, SEAT-3), built once when first read.

        The body of :func:`role_findings`, whose answer depends on the pool alone. The cache
        is no field: equality, hashing and pickling ignore it.
        """
        removable = self.unoccupied
        return (
            Finding(
                area="seats",
                question=SeatQuestion.REMOVE_SEATS,
                decision=_can_remove(self, max(removable, 1)),
                details={"removable": removable, "total": self.total},
            ),
        )


def _check_user(user_id: str) -> str:
    # Its type is checked by @checked; an empty id is a value no user has.
    if not user_id.strip():
        raise InvalidInput("user_id", "must not be empty")
    return user_id


def _pool_details(pool: SeatPool) -> dict[str, Any]:
    return {"total": pool.total, "occupied": pool.occupied, "unoccupied": pool.unoccupied}


# --------------------------------------------------------------------------------------------
# SEAT-1, SEAT-2: users


@checked
def can_add_user(pool: SeatPool, *, user_id: str) -> Decision:
    """Whether ``user_id`` may take a seat: one must be free (SEAT-2). Decides SEAT-2.

    Refused when every seat is occupied, or when the user already has a seat.
    """
    _check_user(user_id)
    details = {**_pool_details(pool), "user_id": user_id}
    if user_id in pool.occupants:
        return Decision.refuse(Reason(code=SeatCode.ALREADY_SEATED, rule="SEAT-2", details=details))
    if pool.unoccupied == 0:
        return Decision.refuse(Reason(code=SeatCode.NO_FREE_SEAT, rule="SEAT-2", details=details))
    return Decision.allow(Reason(code=SeatCode.FREE_SEAT, rule="SEAT-2", details=details))


@checked
def add_user(pool: SeatPool, *, user_id: str) -> SeatPool:
    """``pool`` with ``user_id`` occupying a free seat. Decides SEAT-2.

    Raises:
        PolicyViolation: :func:`can_add_user` refuses; ``pool`` is unchanged.
    """
    can_add_user(pool, user_id=user_id).require()
    return attrs.evolve(pool, occupants=(*pool.occupants, user_id))


@checked
def can_delete_user(pool: SeatPool, *, user_id: str) -> Decision:
    """Whether ``user_id`` can be deleted from the pool (they must occupy a seat). Decides SEAT-1.

    An allowed decision says the seat is kept: the count does not change.
    """
    _check_user(user_id)
    details = {**_pool_details(pool), "user_id": user_id}
    if user_id not in pool.occupants:
        return Decision.refuse(Reason(code=SeatCode.NOT_SEATED, rule="SEAT-1", details=details))
    return Decision.allow(Reason(code=SeatCode.SEAT_KEPT, rule="SEAT-1", details=details))


@checked
def delete_user(pool: SeatPool, *, user_id: str) -> SeatPool:
    """``pool`` with ``user_id``'s seat freed and the seat count kept. Decides SEAT-1.

    >>> from billrules.seats import SeatPool, delete_user
    >>> pool = delete_user(SeatPool(total=10, occupants=("ann", "bob")), user_id="bob")
    >>> pool.total, pool.occupants
    (10, ('ann',))

    Raises:
        PolicyViolation: :func:`can_delete_user` refuses; ``pool`` is unchanged.
    """
    can_delete_user(pool, user_id=user_id).require()
    return attrs.evolve(pool, occupants=tuple(u for u in pool.occupants if u != user_id))


# --------------------------------------------------------------------------------------------
# SEAT-2, SEAT-3: seats


@checked
def removable_seats(pool: SeatPool) -> int:
    """How many seats can be removed: the unoccupied ones, total − occupied. Decides SEAT-2."""
    return pool.unoccupied


@checked
def can_remove_seats(pool: SeatPool, *, count: int) -> Decision:
    """Whether ``count`` seats can be removed. Decides SEAT-2 and SEAT-3.

    Allowed for 1 ≤ ``count`` ≤ unoccupied (SEAT-2). Zero, a negative number or more than the
    unoccupied seats is refused (SEAT-3: occupied seats are never removed); the decision's
    message and its ``removable`` detail say how many can be removed.

    >>> from billrules.seats import SeatPool, can_remove_seats
    >>> pool = SeatPool(total=10, occupants=("ann", "bob", "cy", "dee", "eve", "flo", "gus"))
    >>> decision = can_remove_seats(pool, count=4)
    >>> decision.allowed, decision.rules, decision.reasons[0].details["removable"]
    (False, ('SEAT-3',), 3)
    >>> decision.message
    'Occupied seats are never removed: 3 of 10 seats are unoccupied, so at most 3 can be removed.'

    Raises:
        InvalidType: ``count`` is not an ``int``.
    """
    return _can_remove(pool, count)


def _can_remove(pool: SeatPool, count: int) -> Decision:
    details = {**_pool_details(pool), "requested": count, "removable": pool.unoccupied}
    if count <= 0:
        return Decision.refuse(Reason(code=SeatCode.NOT_POSITIVE, rule="SEAT-3", details=details))
    if count > pool.unoccupied:
        return Decision.refuse(
            Reason(code=SeatCode.OCCUPIED_NOT_REMOVABLE, rule="SEAT-3", details=details)
        )
    return Decision.allow(Reason(code=SeatCode.UNOCCUPIED, rule="SEAT-2", details=details))


@checked
def remove_seats(pool: SeatPool, *, count: int) -> SeatPool:
    """``pool`` with ``count`` unoccupied seats removed. Decides SEAT-2 and SEAT-3.

    Raises:
        PolicyViolation: :func:`can_remove_seats` refuses; ``pool`` is unchanged.
        InvalidType: ``count`` is not an ``int``.
    """
    can_remove_seats(pool, count=count).require()
    return attrs.evolve(pool, total=pool.total - count)


@checked
def add_seats(pool: SeatPool, *, count: int) -> SeatPool:
    """``pool`` with ``count`` more seats, all unoccupied. No rule limits buying seats.

    Raises:
        InvalidInput: ``count`` is less than 1.
        InvalidType: ``count`` is not an ``int``.
    """
    if count < 1:
        raise InvalidInput("count", "must be at least 1")
    return attrs.evolve(pool, total=pool.total + count)


# --------------------------------------------------------------------------------------------
# SEAT-4: charges


@attrs.frozen(kw_only=True)
class SeatCountChange:
    """The seat count became ``total`` at the instant ``at`` (SEAT-4)."""

    at: datetime = attrs.field(validator=v.instant)
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
    lines: tuple[SeatChargeLine, ...] = attrs.field(converter=v.to_tuple(SeatChargeLine))  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
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


# --------------------------------------------------------------------------------------------
# SEAT-5: back-office cancellation


#: The occasion of SEAT-5's effects (X-6), before the date of the back-office cancellation.
BACK_OFFICE_OCCASION: Final = "back_office_cancellation"


def _back_office_occasion(at: datetime, occasion: str | None) -> str:
    """The occasion of a back-office cancellation's effects (X-6): the host's own id of the
    cancellation, or ``"back_office_cancellation:"`` and the UTC date of ``at``.

    Raises:
        InvalidInput: ``occasion`` is empty (a card number in it is refused by ``@checked``).
    """
    if occasion is None:
        return f"{BACK_OFFICE_OCCASION}:{at.astimezone(UTC).date().isoformat()}"
    if not occasion.strip():
        raise InvalidInput("occasion", "must not be empty")
    return occasion


@checked
def back_office_cancel(
    pool: SeatPool, *, at: datetime, occasion: str | None = None
) -> tuple[SeatPool, tuple[Effect, ...]]:
    """Cancel the seats in the back office at ``at``: the count becomes 0. Decides SEAT-5.

    Returns the new pool (no seats, no occupants: the remaining users are deactivated) and the
    effects for the host, in order: a :class:`~billrules.effects.DeactivateUser` for each
    remaining user, then :class:`~billrules.effects.SetLicenceCount` to 0. For a pool that
    already has no seats the plan is empty (idempotent, as CAN-7 asks).

    The effects' occasion (X-6) is ``occasion``, the host's own id of this cancellation (a
    ticket, a request id), when given; else ``"back_office_cancellation:"`` and the date of
    ``at`` in UTC (``"back_office_cancellation:2024-05-01"``). The same cancellation planned
    again the same day gives the same keys; a pool cancelled again another day (re-seated in
    between) gets new keys, so a host following the exactly-once recipe carries it out too.
    A host that may cancel twice in one day, or retries across midnight, passes its own id.

    >>> from datetime import datetime, UTC
    >>> from billrules.seats import SeatPool, back_office_cancel
    >>> pool, effects = back_office_cancel(SeatPool(total=5, occupants=("ann",)),
    ...                                    at=datetime(2024, 5, 1, 9, tzinfo=UTC))
    >>> pool.total, pool.occupants, [effect.kind for effect in effects]
    (0, (), ['deactivate_user', 'set_licence_count'])
    >>> effects[0].occasion
    'back_office_cancellation:2024-05-01'
    >>> back_office_cancel(SeatPool(total=5), at=datetime(2024, 5, 1, tzinfo=UTC),
    ...                    occasion="ticket-4711")[1][0].occasion
    'ticket-4711'

    Raises:
        InvalidInput: ``occasion`` is empty or holds a card number (PM-6).
    """
    keyed = _back_office_occasion(at, occasion)
    if pool.total == 0:
        return pool, ()
    effects: list[Effect] = [
        DeactivateUser(at=at, rule="SEAT-5", user_id=user, occasion=keyed)
        for user in pool.occupants
    ]
    effects.append(SetLicenceCount(at=at, rule="SEAT-5", count=0, occasion=keyed))
    return SeatPool(total=0), tuple(effects)


# --------------------------------------------------------------------------------------------
# The area contract

_to_role = v.enum_member(Role, "role")


@checked
def findings(
    pool: SeatPool, policy: SeatPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answers of the seats area: none (every answer is a role's).

    Decides no rule; see :func:`role_findings`.
    """
    _time.to_zone(zone)
    return ()


@checked
def role_findings(
    pool: SeatPool,
    policy: SeatPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do with the seats. Decides SEAT-2 and SEAT-3.

    One finding, the same for every role (so it is built once per pool): how many seats can
    be removed (``remove_seats``), with :func:`can_remove_seats`'s decision for that many (at
    least one, so a pool with every seat occupied says why none can be).

    >>> from datetime import datetime, UTC
    >>> from billrules.seats import SeatPolicy, SeatPool, role_findings
    >>> (finding,) = role_findings(SeatPool(total=10, occupants=("ann", "bob")), SeatPolicy(),
    ...                            role="owner", at=datetime(2024, 5, 1, tzinfo=UTC), zone="UTC")
    >>> finding.allowed, finding.summary, finding.rules
    (True, '8 of 10 seats can be removed.', ('SEAT-2',))
    """
    if type(role) is not Role:
        _to_role(role)
    _time.to_zone(zone)
    return pool._role_findings


@checked
def transitions(
    pool: SeatPool,
    policy: SeatPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """What the seats area makes happen in ``[start, end)``: nothing.

    Decides no rule: no seat rule is driven by time (SEAT-5's back-office cancellation is an
    operation the host performs, :func:`back_office_cancel`).

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    _time.to_zone(zone)
    return iter(())
