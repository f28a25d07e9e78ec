"""Users and seats: adding and deleting users, removing and adding seats (SEAT-1 … SEAT-3). Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

import attrs

from billrules._check import checked
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput
from billrules.seats._codes import SeatCode
from billrules.seats._facts import (
    SeatPool,
    _can_remove,
    _check_user,
    _pool_details,
)

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
        return trusted_decision(False, (trusted_reason(SeatCode.ALREADY_SEATED, details),))
    if pool.unoccupied == 0:
        return trusted_decision(False, (trusted_reason(SeatCode.NO_FREE_SEAT, details),))
    return trusted_decision(True, (trusted_reason(SeatCode.FREE_SEAT, details),))


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
        return trusted_decision(False, (trusted_reason(SeatCode.NOT_SEATED, details),))
    return trusted_decision(True, (trusted_reason(SeatCode.SEAT_KEPT, details),))


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
