"""Stateful tests for the seat pool: SEAT-1 … SEAT-3 and SEAT-5 after any sequence of operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from billrules.decisions import Decision, PolicyViolation
from billrules.effects import DeactivateUser, SetLicenceCount
from billrules.seats import (
    SeatPool,
    add_seats,
    add_user,
    back_office_cancel,
    can_add_user,
    can_delete_user,
    can_remove_seats,
    delete_user,
    remove_seats,
)

USERS = ("ann", "bob", "cy", "dee", "eve", "flo")
AT = datetime(2024, 5, 1, tzinfo=UTC)


#: The occasion SEAT-5's effects name (X-6), before the day of the cancellation: the same
#: cancellation on the same day gives the same keys, one on another day new ones.
OCCASION = "back_office_cancellation"


class SeatPoolMachine(RuleBasedStateMachine):
    """A seat pool driven through users joining and leaving, seats bought and removed, and
    back-office cancellation.

    SEAT-1: deleting a user keeps the count. SEAT-2, SEAT-3: occupied ≤ total always; a removal
    is allowed exactly for 1 ≤ n ≤ unoccupied. SEAT-5: cancellation leaves no seats. Every
    refused operation raises PolicyViolation with its question's decision and changes nothing.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pool = SeatPool(total=10, occupants=("ann", "bob", "cy"))
        self.total = 10
        self.users: list[str] = ["ann", "bob", "cy"]
        self.now = AT
        #: The keys of the cancellations' effects, by the day they were planned on.
        self.keys: dict[str, set[str]] = {}

    def refused(self, operation, decision: Decision) -> None:
        before = self.pool
        assert not decision.allowed
        with pytest.raises(PolicyViolation) as excinfo:
            operation()
        assert decision == excinfo.value.decision
        assert before == self.pool

    @rule(user=st.sampled_from(USERS))
    def join(self, user: str) -> None:
        """SEAT-2: a user takes a free seat, if there is one and they have none."""
        decision = can_add_user(self.pool, user_id=user)
        assert (user not in self.users and len(self.users) < self.total) == decision.allowed
        if decision.allowed:
            self.pool = add_user(self.pool, user_id=user)
            self.users.append(user)
        else:
            self.refused(lambda: add_user(self.pool, user_id=user), decision)

    @rule(user=st.sampled_from(USERS))
    def leave(self, user: str) -> None:
        """SEAT-1: deleting a user frees the seat and keeps the count."""
        decision = can_delete_user(self.pool, user_id=user)
        assert (user in self.users) == decision.allowed
        if decision.allowed:
            self.pool = delete_user(self.pool, user_id=user)
            self.users.remove(user)
        else:
            self.refused(lambda: delete_user(self.pool, user_id=user), decision)

    @rule(count=st.integers(min_value=-2, max_value=12))
    def remove(self, count: int) -> None:
        """SEAT-2, SEAT-3: only unoccupied seats are removed, 1 to all of them."""
        decision = can_remove_seats(self.pool, count=count)
        assert (1 <= count <= self.total - len(self.users)) == decision.allowed
        if decision.allowed:
            self.pool = remove_seats(self.pool, count=count)
            self.total -= count
        else:
            assert self.total - len(self.users) == decision.reasons[0].details["removable"]
            self.refused(lambda: remove_seats(self.pool, count=count), decision)

    @rule(count=st.integers(min_value=1, max_value=5))
    def buy(self, count: int) -> None:
        """Buying seats adds unoccupied ones."""
        self.pool = add_seats(self.pool, count=count)
        self.total += count

    @rule(days=st.integers(min_value=0, max_value=400), hours=st.integers(0, 23))
    def wait(self, days: int, hours: int) -> None:
        """Time passes: a later cancellation may fall on another day."""
        self.now += timedelta(days=days, hours=hours)

    @rule()
    def cancel(self) -> None:
        """SEAT-5: back-office cancellation: count 0, every remaining user deactivated. X-6:
        the effects' occasion is the cancellation's day: the keys of a cancellation never
        repeat those of one on another day (a pool re-seated and cancelled again)."""
        self.pool, effects = back_office_cancel(self.pool, at=self.now, account="acme")
        day = self.now.date().isoformat()
        occasion = f"{OCCASION}:{day}:{self.total}"
        if self.total:
            expected = (
                *(
                    DeactivateUser(
                        at=self.now, rule="SEAT-5", user_id=u, occasion=occasion, account="acme"
                    )
                    for u in self.users
                ),
                SetLicenceCount(
                    at=self.now, rule="SEAT-5", count=0, occasion=occasion, account="acme"
                ),
            )
            assert expected == effects
        else:
            assert () == effects
        keys = {effect.key for effect in effects}
        for other, earlier in self.keys.items():
            assert other == day or not keys & earlier
        self.keys.setdefault(day, set()).update(keys)
        self.total = 0
        self.users = []

    @invariant()
    def occupied_within_total(self) -> None:
        """SEAT-2: occupied ≤ total; the pool matches the model."""
        assert self.pool.occupied <= self.pool.total
        assert self.total == self.pool.total
        assert tuple(self.users) == self.pool.occupants


TestSeatPool = SeatPoolMachine.TestCase
# Each example runs up to 20 steps; the number of sequences comes from the active profile.
TestSeatPool.settings = settings(stateful_step_count=20)
