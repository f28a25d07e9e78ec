"""The seats area's facts, the seat pool, and what its questions share (SEAT-1 … SEAT-3). Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from billrules import _validate as v
from billrules.contract import Finding, trusted_finding
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput
from billrules.seats._codes import SeatCode, SeatQuestion


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
        converter=v.ToTuple[str],
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
            trusted_finding(
                "seats",
                SeatQuestion.REMOVE_SEATS,
                _can_remove(self, max(removable, 1)),
                {"removable": removable, "total": self.total},
            ),
        )


def _check_user(user_id: str) -> str:
    # Its type is checked by @checked; an empty id is a value no user has.
    if not user_id.strip():
        raise InvalidInput("user_id", "must not be empty")
    return user_id


def _pool_details(pool: SeatPool) -> dict[str, Any]:
    return {"total": pool.total, "occupied": pool.occupied, "unoccupied": pool.unoccupied}


def _can_remove(pool: SeatPool, count: int) -> Decision:
    details = {**_pool_details(pool), "requested": count, "removable": pool.unoccupied}
    if count <= 0:
        return trusted_decision(False, (trusted_reason(SeatCode.NOT_POSITIVE, details),))
    if count > pool.unoccupied:
        return trusted_decision(False, (trusted_reason(SeatCode.OCCUPIED_NOT_REMOVABLE, details),))
    return trusted_decision(True, (trusted_reason(SeatCode.UNOCCUPIED, details),))
