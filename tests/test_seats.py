"""Tests for billrules.seats: SEAT-1 … SEAT-5."""

from __future__ import annotations

import contextlib
import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules.decisions import Decision, PolicyViolation
from billrules.effects import DeactivateUser, SetLicenceCount
from billrules.errors import (
    BillRulesError,
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
)
from billrules.seats import (
    SeatCharge,
    SeatChargeLine,
    SeatCode,
    SeatCountChange,
    SeatPolicy,
    SeatPool,
    SeatProration,
    SeatQuestion,
    add_seats,
    add_user,
    back_office_cancel,
    back_office_occasion,
    can_add_user,
    can_delete_user,
    can_remove_seats,
    delete_user,
    findings,
    removable_seats,
    remove_seats,
    role_findings,
    seat_charge,
    transitions,
)
from billrules.testing._core import aware_datetimes, zones
from billrules.testing._seats import seat_policies, seat_pools

AT = datetime(2024, 5, 1, tzinfo=UTC)
#: The occasion of SEAT-5's effects at AT: the back-office cancellation of that day (X-6).
OCCASION = "back_office_cancellation:2024-05-01"
#: The occasion of cancelling ten seats that day.
TEN = f"{OCCASION}:10"
THREE = f"{OCCASION}:3"
SEVEN = ("ann", "bob", "cy", "dee", "eve", "flo", "gus")
SEED = SeatPool(total=10, occupants=SEVEN)  # seed 000: 10 seats, 7 occupied
PRICE = Money("25", "USD")
MAY = {"start": datetime(2024, 5, 1, tzinfo=UTC), "end": datetime(2024, 6, 1, tzinfo=UTC)}
DAILY = SeatPolicy(proration="daily")


def assert_refused(operation: Any, decision: Decision, before: SeatPool) -> None:
    """The operation raises PolicyViolation carrying ``decision``; ``before`` is unchanged."""
    snapshot = SeatPool(total=before.total, occupants=before.occupants)
    assert not decision.allowed
    with pytest.raises(PolicyViolation) as excinfo:
        operation()
    assert decision == excinfo.value.decision
    assert snapshot == before


class TestSeatPool:
    def test_counts(self):
        """SEAT-2: unoccupied = total − occupied."""
        assert (10, 7, 3) == (SEED.total, SEED.occupied, SEED.unoccupied)

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"total": -1}, InvalidInput, "SeatPool.total"),
            ({"total": 2.0}, InvalidType, "SeatPool.total"),
            ({"total": True}, InvalidType, "SeatPool.total"),
            ({"total": 1, "occupants": ("a", "b")}, InvalidInput, "SeatPool.occupants"),
            ({"total": 3, "occupants": ("a", "a")}, InvalidInput, "SeatPool.occupants[1]"),
            ({"total": 3, "occupants": ("a", " ")}, InvalidInput, "SeatPool.occupants[1]"),
            ({"total": 3, "occupants": ("a", 7)}, InvalidType, "SeatPool.occupants[1]"),
            ({"total": 3, "occupants": "abc"}, InvalidType, "SeatPool.occupants"),
        ],
    )
    def test_bad_input(self, kwargs, error, field):
        """SEAT-2, SEAT-3: occupied ≤ total, distinct non-empty user ids, a whole count."""
        with pytest.raises(error) as excinfo:
            SeatPool(**kwargs)
        assert field == excinfo.value.field

    @given(seat_pools())
    def test_occupied_never_above_total(self, pool):
        """SEAT-2: every pool has occupied ≤ total and removable = unoccupied."""
        assert pool.occupied <= pool.total
        assert pool.total - pool.occupied == removable_seats(pool)


class TestUsers:
    def test_deleting_a_user_keeps_the_seat(self):
        """SEAT-1: deleting one of 7 users of 10 seats leaves 10 seats, 6 occupied."""
        decision = can_delete_user(SEED, user_id="gus")
        assert ("seat_kept",) == decision.codes
        assert ("SEAT-1",) == decision.rules
        pool = delete_user(SEED, user_id="gus")
        assert SeatPool(total=10, occupants=SEVEN[:6]) == pool
        assert 4 == removable_seats(pool)

    def test_deleting_an_unknown_user_is_refused(self):
        """SEAT-1: only a user who occupies a seat can be deleted from it."""
        decision = can_delete_user(SEED, user_id="zed")
        assert ("user_not_seated",) == decision.codes
        assert_refused(lambda: delete_user(SEED, user_id="zed"), decision, SEED)

    def test_adding_a_user_needs_a_free_seat(self):
        """SEAT-2: a user takes a free seat; with none free, adding is refused with the reason."""
        pool = add_user(SEED, user_id="hal")
        assert ("hal",) == pool.occupants[7:]
        assert ("free_seat",) == can_add_user(SEED, user_id="hal").codes
        full = SeatPool(total=2, occupants=("a", "b"))
        decision = can_add_user(full, user_id="c")
        assert ("no_free_seat",) == decision.codes
        assert "All 2 seats are occupied: add a seat before adding a user." == decision.message
        assert_refused(lambda: add_user(full, user_id="c"), decision, full)

    def test_a_user_takes_one_seat_only(self):
        """SEAT-2: a user already seated is not added again."""
        decision = can_add_user(SEED, user_id="ann")
        assert ("user_already_seated",) == decision.codes
        assert_refused(lambda: add_user(SEED, user_id="ann"), decision, SEED)

    def test_bad_input(self):
        """SEAT-1, SEAT-2: the pool is a SeatPool, the user id a non-empty str."""
        with pytest.raises(InvalidType) as excinfo:
            can_add_user(SEED, user_id=5)
        assert "user_id" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            can_delete_user(SEED, user_id="  ")
        assert "user_id" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            can_delete_user((10, SEVEN), user_id="ann")
        assert "pool" == excinfo.value.field

    @given(seat_pools(), st.data())
    def test_delete_never_changes_the_count(self, pool, data):
        """SEAT-1: deleting any occupant keeps the total and frees exactly one seat."""
        user = data.draw(st.sampled_from((*pool.occupants, "nobody-here")))
        decision = can_delete_user(pool, user_id=user)
        if decision.allowed:
            after = delete_user(pool, user_id=user)
            assert pool.total == after.total
            assert pool.unoccupied + 1 == after.unoccupied
        else:
            assert_refused(lambda: delete_user(pool, user_id=user), decision, pool)


class TestRemoveSeats:
    def test_seed_delete_a_user_remove_four_then_a_fifth_is_refused(self):
        """SEAT-1, SEAT-2, SEAT-3: 10 seats, 7 occupied; delete a user; remove 4; a 5th fails."""
        pool = delete_user(SEED, user_id="gus")
        assert 4 == removable_seats(pool)
        allowed = can_remove_seats(pool, count=4)
        assert ("seats_unoccupied",) == allowed.codes
        pool = remove_seats(pool, count=4)
        assert SeatPool(total=6, occupants=SEVEN[:6]) == pool
        decision = can_remove_seats(pool, count=1)
        assert ("occupied_seats_not_removable",) == decision.codes
        assert ("SEAT-3",) == decision.rules
        assert (
            "Occupied seats are never removed: 0 of 6 seats are unoccupied, so at most 0 can be"
            " removed." == decision.message
        )
        assert 0 == decision.reasons[0].details["removable"]
        assert_refused(lambda: remove_seats(pool, count=1), decision, pool)

    def test_more_than_unoccupied_is_refused_saying_how_many(self):
        """SEAT-3: asking for 4 of 3 unoccupied seats is refused; the decision says 1 to 3."""
        decision = can_remove_seats(SEED, count=4)
        assert (
            "Occupied seats are never removed: 3 of 10 seats are unoccupied, so at most 3 can be"
            " removed." == decision.message
        )
        assert_refused(lambda: remove_seats(SEED, count=4), decision, SEED)
        one_free = SeatPool(total=2, occupants=("a",))
        message = can_remove_seats(one_free, count=2).message
        assert (
            "Occupied seats are never removed: 1 of 2 seats is unoccupied, so at most 1 can be"
            " removed." == message
        )

    @pytest.mark.parametrize("count", [0, -1, -10])
    def test_zero_or_negative_is_refused(self, count):
        """SEAT-3: removing zero or a negative number of seats is refused, saying how many can."""
        decision = can_remove_seats(SEED, count=count)
        assert ("seat_removal_not_positive",) == decision.codes
        assert decision.message.endswith("3 of 10 seats are unoccupied.")
        assert 3 == decision.reasons[0].details["removable"]
        assert_refused(lambda: remove_seats(SEED, count=count), decision, SEED)

    @pytest.mark.parametrize("count", [1.0, "2", True, None])
    def test_count_must_be_an_int(self, count):
        """SEAT-3: the number of seats to remove is an int."""
        with pytest.raises(InvalidType) as excinfo:
            remove_seats(SEED, count=count)
        assert "count" == excinfo.value.field

    @given(seat_pools(), st.integers(min_value=-5, max_value=40))
    def test_allowed_exactly_from_one_to_unoccupied(self, pool, count):
        """SEAT-2, SEAT-3: removal is allowed iff 1 ≤ n ≤ unoccupied; occupants never lose seats."""
        decision = can_remove_seats(pool, count=count)
        assert (1 <= count <= pool.unoccupied) == decision.allowed
        if decision.allowed:
            after = remove_seats(pool, count=count)
            assert pool.total - count == after.total
            assert pool.occupants == after.occupants
        else:
            assert pool.unoccupied == decision.reasons[0].details["removable"]
            assert_refused(lambda: remove_seats(pool, count=count), decision, pool)

    def test_add_seats(self):
        """Buying seats adds unoccupied ones (no SEAT rule limits it); at least one."""
        assert SeatPool(total=12, occupants=SEVEN) == add_seats(SEED, count=2)
        with pytest.raises(InvalidInput) as excinfo:
            add_seats(SEED, count=0)
        assert "count" == excinfo.value.field


class TestSeatCharge:
    def test_charge_follows_the_count_occupied_or_not(self):
        """SEAT-4: 10 seats at 25 cost 250 whether 7, 6 or no seats are occupied."""
        for pool in (SEED, delete_user(SEED, user_id="gus"), SeatPool(total=10)):
            charge = seat_charge(pool, price_per_seat=PRICE, zone="UTC", **MAY)
            assert Decimal("250.00") == charge.amount.amount
        assert (SeatChargeLine(start=AT.date(), end=MAY["end"].date(), seats=10, days=31),) == (
            seat_charge(SEED, price_per_seat=PRICE, zone="UTC", **MAY).lines
        )

    def test_no_proration_by_default(self):
        """SEAT-4: by default a mid-period change counts from the next period."""
        change = SeatCountChange(at=datetime(2024, 5, 16, tzinfo=UTC), total=6)
        charge = seat_charge(SEED, price_per_seat=PRICE, zone="UTC", changes=[change], **MAY)
        assert Decimal("250.00") == charge.amount.amount
        assert SeatProration.NONE == SeatPolicy().proration

    def test_daily_proration(self):
        """SEAT-4: prorated by the day: 10 seats for 15 days, 6 seats for 16 days of 31."""
        change = SeatCountChange(at=datetime(2024, 5, 16, 9, tzinfo=UTC), total=6)
        charge = seat_charge(
            SEED, price_per_seat=PRICE, zone="UTC", changes=[change], policy=DAILY, **MAY
        )
        # 25 x (10 x 15 + 6 x 16) / 31 = 25 x 246 / 31 = 198.387…
        assert Decimal("198.39") == charge.amount.amount
        assert [(10, 15), (6, 16)] == [(line.seats, line.days) for line in charge.lines]

    def test_daily_days_are_local(self):
        """SEAT-4: the day of a change is the local day in the account's zone."""
        change = SeatCountChange(at=datetime(2024, 5, 15, 22, tzinfo=UTC), total=6)
        kyiv = seat_charge(
            SEED,
            price_per_seat=PRICE,
            zone="Europe/Kyiv",
            changes=[change],
            policy=DAILY,
            start=datetime(2024, 4, 30, 21, tzinfo=UTC),
            end=datetime(2024, 5, 31, 21, tzinfo=UTC),
        )
        assert [(10, 15), (6, 16)] == [(line.seats, line.days) for line in kyiv.lines]

    def test_several_changes_and_a_partial_last_day(self):
        """SEAT-4: the last change of a day counts; a change on the partial last day is free."""
        changes = [
            SeatCountChange(at=datetime(2024, 5, 1, 8, tzinfo=UTC), total=12),
            SeatCountChange(at=datetime(2024, 5, 11, 8, tzinfo=UTC), total=8),
            SeatCountChange(at=datetime(2024, 5, 11, 9, tzinfo=UTC), total=9),
            SeatCountChange(at=datetime(2024, 6, 1, 8, tzinfo=UTC), total=1),
        ]
        charge = seat_charge(
            SEED,
            price_per_seat=Money("31", "USD"),
            zone="UTC",
            changes=changes,
            policy=DAILY,
            start=MAY["start"],
            end=datetime(2024, 6, 1, 12, tzinfo=UTC),
        )
        assert [(12, 10), (9, 21)] == [(line.seats, line.days) for line in charge.lines]
        assert Decimal(12 * 10 + 9 * 21) == charge.amount.amount

    def test_rounding_to_the_minor_unit(self):
        """SEAT-4: the prorated amount is rounded half-up once, to the currency's minor unit."""
        change = SeatCountChange(at=datetime(2024, 5, 2, tzinfo=UTC), total=0)
        charge = seat_charge(
            SeatPool(total=1),
            price_per_seat=Money("1000", "JPY"),
            zone="UTC",
            changes=[change],
            policy=DAILY,
            **MAY,
        )
        assert Decimal("32") == charge.amount.amount  # 1000 / 31 = 32.26

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"price_per_seat": Money("-1", "USD")}, InvalidInput, "price_per_seat"),
            ({"price_per_seat": 25.0}, FloatAmountError, "price_per_seat"),
            ({"start": datetime(2024, 5, 1)}, NaiveDatetimeError, "start"),  # noqa: DTZ001
            ({"end": datetime(2024, 5, 1, 23, tzinfo=UTC)}, InvalidInput, "end"),
            (
                {"changes": [SeatCountChange(at=datetime(2024, 4, 1, tzinfo=UTC), total=1)]},
                InvalidInput,
                "changes[0].at",
            ),
            (
                {"changes": [SeatCountChange(at=datetime(2024, 6, 1, tzinfo=UTC), total=1)]},
                InvalidInput,
                "changes[0].at",
            ),
            (
                {
                    "changes": [
                        SeatCountChange(at=datetime(2024, 5, 9, tzinfo=UTC), total=1),
                        SeatCountChange(at=datetime(2024, 5, 8, tzinfo=UTC), total=1),
                    ]
                },
                InvalidInput,
                "changes[1].at",
            ),
            ({"changes": [5]}, InvalidType, "changes[0]"),
            ({"policy": "daily"}, InvalidType, "policy"),
            ({"zone": "Nowhere/Land"}, InvalidInput, "zone"),
        ],
    )
    def test_bad_input(self, kwargs, error, field):
        """SEAT-4: a period of at least a day, a non-negative price, ordered in-period changes."""
        arguments: dict[str, Any] = {"price_per_seat": PRICE, "zone": "UTC", **MAY, **kwargs}
        with pytest.raises(error) as excinfo:
            seat_charge(SEED, **arguments)
        assert field == excinfo.value.field

    def test_bad_policy_and_change(self):
        """SEAT-4: proration is "none" or "daily"; a change's count is not negative."""
        with pytest.raises(InvalidInput) as excinfo:
            SeatPolicy(proration="monthly")
        assert "SeatPolicy.proration" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            SeatCountChange(at=AT, total=-1)
        assert "SeatCountChange.total" == excinfo.value.field

    @given(seat_pools(), seat_policies(), aware_datetimes(), zones(), st.integers(1, 400))
    def test_occupancy_never_changes_the_charge(self, pool, policy, start, zone, days):
        """SEAT-4: with no change in the period, the charge is price x seats, occupied or not."""
        end = start + timedelta(days=days)
        empty = SeatPool(total=pool.total)
        charge = seat_charge(
            pool, price_per_seat=PRICE, start=start, end=end, zone=zone, policy=policy
        )
        assert PRICE.amount * pool.total == charge.amount.amount
        assert charge == seat_charge(
            empty, price_per_seat=PRICE, start=start, end=end, zone=zone, policy=policy
        )


class TestBackOfficeCancel:
    def test_count_becomes_zero_and_users_are_deactivated(self):
        """SEAT-5: back-office cancellation sets the licence count to 0, deactivating users."""
        pool, effects = back_office_cancel(
            SeatPool(total=10, occupants=("ann", "bob")), at=AT, account="acme"
        )
        assert SeatPool(total=0) == pool
        expected = (
            DeactivateUser(at=AT, rule="SEAT-5", user_id="ann", occasion=TEN, account="acme"),
            DeactivateUser(at=AT, rule="SEAT-5", user_id="bob", occasion=TEN, account="acme"),
            SetLicenceCount(at=AT, rule="SEAT-5", count=0, occasion=TEN, account="acme"),
        )
        assert expected == effects

    def test_idempotent(self):
        """SEAT-5: cancelling a pool that has no seats plans nothing."""
        assert (SeatPool(total=0), ()) == back_office_cancel(
            SeatPool(total=0), at=AT, account="acme"
        )

    def test_bad_input(self):
        """SEAT-5: the instant is aware."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            back_office_cancel(SEED, at=datetime(2024, 5, 1), account="acme")  # noqa: DTZ001
        assert "at" == excinfo.value.field

    @given(seat_pools(), aware_datetimes())
    def test_every_occupant_deactivated_once(self, pool, at):
        """SEAT-5: one DeactivateUser per occupant, then the count set to 0; nothing left."""
        after, effects = back_office_cancel(pool, at=at, account="acme")
        assert (0, 0) == (after.total, after.occupied)
        deactivated = [e.user_id for e in effects if isinstance(e, DeactivateUser)]
        assert list(pool.occupants) == deactivated
        if pool.total:
            day = at.astimezone(UTC).date().isoformat()
            occasion = f"back_office_cancellation:{day}:{pool.total}"
            assert (
                SetLicenceCount(at=at, rule="SEAT-5", count=0, occasion=occasion, account="acme")
                == effects[-1]
            )
        assert (after, ()) == back_office_cancel(after, at=at, account="acme")

    def test_the_occasion_is_the_day_or_the_host_s_own(self):
        """SEAT-5, X-6: the effects' occasion is the UTC day of the cancellation, so the same
        cancellation later that day has the same keys and a pool re-seated and cancelled a
        year later new ones; a host's own occasion replaces it."""
        pool = SeatPool(total=3, occupants=("ann",))
        _, first = back_office_cancel(pool, at=AT, account="acme")
        _, retried = back_office_cancel(
            pool, at=AT + timedelta(hours=23, minutes=59), account="acme"
        )
        _, next_year = back_office_cancel(pool, at=AT + timedelta(days=365), account="acme")
        assert [e.key for e in first] == [e.key for e in retried]
        assert not {e.key for e in first} & {e.key for e in next_year}
        assert {"back_office_cancellation:2025-05-01:3"} == {e.occasion for e in next_year}
        kyiv_after_midnight = datetime(2024, 5, 2, 0, 30, tzinfo=ZoneInfo("Europe/Kyiv"))
        assert {"back_office_cancellation:2024-05-01:3"} == {
            e.occasion for e in back_office_cancel(pool, at=kyiv_after_midnight, account="acme")[1]
        }
        _, own = back_office_cancel(pool, at=AT, occasion="ticket-4711", account="acme")
        _, own_later = back_office_cancel(
            pool, at=AT + timedelta(days=3), occasion="ticket-4711", account="acme"
        )
        assert {"ticket-4711"} == {e.occasion for e in own}
        assert [e.key for e in own] == [e.key for e in own_later]

    def test_a_pool_re_seated_and_cancelled_again_the_same_day_gets_new_keys(self):
        """SEAT-5, X-6: two cancellations of one account the same day, of pools of different
        sizes (re-seated in between), share no key, so the exactly-once recipe carries out the
        second; the seats cancelled are part of the occasion."""
        _, morning = back_office_cancel(
            SeatPool(total=5, occupants=("ann",)), at=AT + timedelta(hours=9), account="acme"
        )
        _, evening = back_office_cancel(
            SeatPool(total=3, occupants=("ann",)), at=AT + timedelta(hours=18), account="acme"
        )
        assert not {e.key for e in morning} & {e.key for e in evening}
        assert {f"{OCCASION}:5"} == {e.occasion for e in morning}
        assert {f"{OCCASION}:3"} == {e.occasion for e in evening}

    def test_the_occasion_names_the_licences_it_cancels(self):
        """SEAT-5, X-6: ``back_office_occasion`` refuses a count that is no count."""
        assert f"{OCCASION}:0" == back_office_occasion(at=AT, licences=0)
        with pytest.raises(InvalidInput) as negative:
            back_office_occasion(at=AT, licences=-1)
        assert "licences" == negative.value.field
        with pytest.raises(InvalidType) as wrong:
            back_office_occasion(at=AT, licences=True)
        assert "licences" == wrong.value.field

    def test_a_bad_occasion_is_refused_naming_it(self):
        """SEAT-5, PM-6: the host's occasion is non-empty text holding no card number."""
        for bad in ("", "  ", "ticket 4242 4242 4242 4242"):
            with pytest.raises(InvalidInput) as excinfo:
                back_office_cancel(SEED, at=AT, occasion=bad, account="acme")
            assert "occasion" == excinfo.value.field
            assert "4242" not in str(excinfo.value)
        with pytest.raises(InvalidType) as wrong:
            back_office_cancel(SEED, at=AT, occasion=7, account="acme")
        assert "occasion" == wrong.value.field


class TestFuzzConstructors:
    @given(
        st.none() | st.integers() | st.floats() | st.text(max_size=3),
        st.none() | st.text(max_size=3) | st.lists(st.text(max_size=2) | st.integers()),
    )
    def test_seat_pool_raises_only_billrules_errors(self, total, occupants):
        """SEAT-2: arbitrary pools either build or raise a billrules error."""
        with contextlib.suppress(BillRulesError):
            SeatPool(total=total, occupants=occupants)

    @given(st.none() | st.integers() | st.text(max_size=6) | st.floats())
    def test_seat_policy_raises_only_billrules_errors(self, proration):
        """SEAT-4: arbitrary proration values either build or raise a billrules error."""
        with contextlib.suppress(BillRulesError):
            SeatPolicy(proration=proration)


POOL_OF_SEED = {"total": 10, "occupied": 7, "unoccupied": 3}


class TestReasonsGolden:
    """One golden test per reason code: its rule ID, English sentence and details."""

    @pytest.mark.parametrize(
        ("decide", "expected"),
        [
            (
                lambda: can_add_user(SEED, user_id="hal"),
                (
                    "free_seat",
                    "SEAT-2",
                    "3 of 10 seats are free.",
                    {**POOL_OF_SEED, "user_id": "hal"},
                ),
            ),
            (
                lambda: can_add_user(SEED, user_id="ann"),
                (
                    "user_already_seated",
                    "SEAT-2",
                    "User 'ann' already occupies a seat.",
                    {**POOL_OF_SEED, "user_id": "ann"},
                ),
            ),
            (
                lambda: can_add_user(SeatPool(total=2, occupants=("a", "b")), user_id="c"),
                (
                    "no_free_seat",
                    "SEAT-2",
                    "All 2 seats are occupied: add a seat before adding a user.",
                    {"total": 2, "occupied": 2, "unoccupied": 0, "user_id": "c"},
                ),
            ),
            (
                lambda: can_delete_user(SEED, user_id="gus"),
                (
                    "seat_kept",
                    "SEAT-1",
                    "Deleting user 'gus' frees their seat; the 10 seats and what is"
                    " billed for them stay the same.",
                    {**POOL_OF_SEED, "user_id": "gus"},
                ),
            ),
            (
                lambda: can_delete_user(SEED, user_id="zed"),
                (
                    "user_not_seated",
                    "SEAT-1",
                    "User 'zed' occupies no seat.",
                    {**POOL_OF_SEED, "user_id": "zed"},
                ),
            ),
            (
                lambda: can_remove_seats(SEED, count=0),
                (
                    "seat_removal_not_positive",
                    "SEAT-3",
                    "Choose at least one seat to remove: 3 of 10 seats are unoccupied.",
                    {**POOL_OF_SEED, "requested": 0, "removable": 3},
                ),
            ),
            (
                lambda: can_remove_seats(SEED, count=4),
                (
                    "occupied_seats_not_removable",
                    "SEAT-3",
                    "Occupied seats are never removed: 3 of 10 seats are unoccupied, so at most 3 can"
                    " be removed.",
                    {**POOL_OF_SEED, "requested": 4, "removable": 3},
                ),
            ),
            (
                lambda: can_remove_seats(SEED, count=3),
                (
                    "seats_unoccupied",
                    "SEAT-2",
                    "3 of the 3 unoccupied seats can be removed.",
                    {**POOL_OF_SEED, "requested": 3, "removable": 3},
                ),
            ),
        ],
    )
    def test_reason(self, decide, expected):
        """SEAT-1, SEAT-2, SEAT-3: each code carries its rule, sentence and the pool's counts."""
        (reason,) = decide().reasons
        assert isinstance(reason.code, SeatCode)
        assert expected == (reason.code, reason.rule, reason.message, dict(reason.details))

    @pytest.mark.parametrize(
        ("pool", "message"),
        [
            (
                SeatPool(total=2, occupants=("a",)),
                "Occupied seats are never removed: 1 of 2 seats is unoccupied, so at most 1 can be"
                " removed.",
            ),
            (
                SeatPool(total=2, occupants=("a", "b")),
                "Occupied seats are never removed: 0 of 2 seats are unoccupied, so at most 0 can be"
                " removed.",
            ),
        ],
    )
    def test_how_many_can_be_removed(self, pool, message):
        """SEAT-3: the refusal says how many seats can be removed, one or none."""
        assert message == can_remove_seats(pool, count=2).message


class TestErrorsGolden:
    """One golden test per refusal of bad input: its field and its sentence."""

    @pytest.mark.parametrize(
        ("call", "error", "text"),
        [
            (
                lambda: SeatPolicy(proration="monthly"),
                InvalidInput,
                "SeatPolicy.proration: unknown value 'monthly'; expected one of 'none', 'daily'",
            ),
            (
                lambda: SeatPool(total=1, occupants=("a", "b")),
                InvalidInput,
                "SeatPool.occupants: there are more occupants than seats (occupied ≤ total)",
            ),
            (
                lambda: SeatPool(total=3, occupants=("a", "a")),
                InvalidInput,
                "SeatPool.occupants[1]: duplicate user id",
            ),
            (
                lambda: SeatPool(total=3, occupants=("a", " ")),
                InvalidInput,
                "SeatPool.occupants[1]: must not be empty",
            ),
            (lambda: can_add_user(SEED, user_id=" "), InvalidInput, "user_id: must not be empty"),
            (lambda: add_seats(SEED, count=0), InvalidInput, "count: must be at least 1"),
            (
                lambda: SeatCharge(amount=PRICE, lines=5, period_days=1),
                InvalidType,
                "SeatCharge.lines: must be a sequence of SeatChargeLine, not int",
            ),
            (
                lambda: seat_charge(SEED, price_per_seat=Money("-0.01", "USD"), zone="UTC", **MAY),
                InvalidInput,
                "price_per_seat: must not be negative",
            ),
            (
                lambda: seat_charge(
                    SEED,
                    price_per_seat=PRICE,
                    zone="UTC",
                    start=MAY["start"],
                    end=MAY["start"] + timedelta(hours=23),
                ),
                InvalidInput,
                "end: must be at least one local day after start",
            ),
            (
                lambda: seat_charge(
                    SEED,
                    price_per_seat=PRICE,
                    zone="UTC",
                    changes=[SeatCountChange(at=MAY["end"], total=1)],
                    **MAY,
                ),
                InvalidInput,
                "changes[0].at: must be within [start, end)",
            ),
            (
                lambda: seat_charge(
                    SEED,
                    price_per_seat=PRICE,
                    zone="UTC",
                    changes=[
                        SeatCountChange(at=datetime(2024, 5, 8, tzinfo=UTC), total=1),
                        SeatCountChange(at=datetime(2024, 5, 9, tzinfo=UTC), total=1),
                        SeatCountChange(at=datetime(2024, 5, 7, tzinfo=UTC), total=1),
                    ],
                    **MAY,
                ),
                InvalidInput,
                "changes[2].at: must not be before changes[1]",
            ),
        ],
    )
    def test_error(self, call, error, text):
        """SEAT-1 … SEAT-4: the error names the field and says what is wrong."""
        with pytest.raises(error) as excinfo:
            call()
        assert text == str(excinfo.value)


class TestSeatChargeBoundaries:
    @pytest.mark.parametrize("amount", ["0", "0.50"])
    def test_a_price_of_zero_or_below_one_is_charged(self, amount):
        """SEAT-4: a free seat (price 0) or a price below one unit is a valid price."""
        charge = seat_charge(SEED, price_per_seat=Money(amount, "USD"), zone="UTC", **MAY)
        assert Money(Decimal(amount) * 10, "USD") == charge.amount
        assert (SeatChargeLine(start=AT.date(), end=MAY["end"].date(), seats=10, days=31),) == (
            charge.lines
        )

    def test_a_change_at_the_exact_start_counts_from_the_first_day(self):
        """SEAT-4: a change at the period's first instant is inside [start, end)."""
        change = SeatCountChange(at=MAY["start"], total=4)
        charge = seat_charge(
            SEED, price_per_seat=PRICE, zone="UTC", changes=[change], policy=DAILY, **MAY
        )
        assert ((4, 31),) == tuple((line.seats, line.days) for line in charge.lines)

    def test_two_changes_at_the_same_instant_keep_their_order(self):
        """SEAT-4: changes at the same instant are in order; the last one is in force."""
        at = datetime(2024, 5, 11, tzinfo=UTC)
        changes = [SeatCountChange(at=at, total=1), SeatCountChange(at=at, total=2)]
        charge = seat_charge(
            SEED, price_per_seat=PRICE, zone="UTC", changes=changes, policy=DAILY, **MAY
        )
        assert ((10, 10), (2, 21)) == tuple((line.seats, line.days) for line in charge.lines)

    def test_the_default_policy_is_no_proration(self):
        """SEAT-4: without a policy, a change waits for the next period (proration "none")."""
        change = SeatCountChange(at=datetime(2024, 5, 11, tzinfo=UTC), total=1)
        charge = seat_charge(SEED, price_per_seat=PRICE, zone="UTC", changes=[change], **MAY)
        assert SeatProration.NONE == SeatPolicy().proration
        assert Money("250", "USD") == charge.amount


class TestBackOfficeCancelEffects:
    def test_effects_carry_the_rule_and_the_instant(self):
        """SEAT-5: each user is deactivated at ``at``, then the count is set to 0, under SEAT-5."""
        pool, effects = back_office_cancel(
            SeatPool(total=3, occupants=("ann", "bob")), at=AT, account="acme"
        )
        assert SeatPool(total=0) == pool
        assert (
            DeactivateUser(at=AT, rule="SEAT-5", user_id="ann", occasion=THREE, account="acme"),
            DeactivateUser(at=AT, rule="SEAT-5", user_id="bob", occasion=THREE, account="acme"),
            SetLicenceCount(at=AT, rule="SEAT-5", count=0, occasion=THREE, account="acme"),
        ) == effects


# --------------------------------------------------------------------------------------------
# The area contract

ROLES = ("owner", "admin", "staff")


class TestRoleFindings:
    """SEAT-2, SEAT-3: how many seats can be removed, as ``explain`` lists it for each role."""

    def test_seed(self):
        """SEAT-2: 3 of the seed's 10 seats can be removed, for every role."""
        for role in ROLES:
            (finding,) = role_findings(SEED, SeatPolicy(), role=role, at=AT, zone="UTC")
            assert (
                "seats",
                SeatQuestion.REMOVE_SEATS,
                True,
                ("seats_unoccupied",),
                ("SEAT-2",),
                "3 of 10 seats can be removed.",
            ) == (
                finding.area,
                finding.question,
                finding.allowed,
                finding.decision.codes,
                finding.rules,
                finding.summary,
            )
            assert {"removable": 3, "total": 10} == dict(finding.details)

    def test_a_full_pool_says_why_none_can_be_removed(self):
        """SEAT-3: with every seat occupied the finding is a refusal for one seat."""
        full = SeatPool(total=2, occupants=("a", "b"))
        (finding,) = role_findings(full, SeatPolicy(), role="staff", at=AT, zone="UTC")
        assert (False, ("occupied_seats_not_removable",), "0 of 2 seats can be removed.") == (
            finding.allowed,
            finding.decision.codes,
            finding.summary,
        )

    def test_an_unknown_role_is_refused(self):
        """The role is checked, naming ``role``."""
        with pytest.raises(InvalidInput) as excinfo:
            role_findings(SEED, SeatPolicy(), role="guest", at=AT, zone="UTC")
        assert "role" == excinfo.value.field

    @given(pool=seat_pools(), policy=seat_policies(), role=st.sampled_from(ROLES))
    def test_agrees_with_can_remove_seats(self, pool, policy, role):
        """SEAT-2, SEAT-3: the decision is can_remove_seats's for max(removable, 1)."""
        (finding,) = role_findings(pool, policy, role=role, at=AT, zone="UTC")
        removable = removable_seats(pool)
        assert can_remove_seats(pool, count=max(removable, 1)) == finding.decision
        assert (removable > 0) == finding.allowed
        assert f"{removable} of {pool.total} seats can be removed." == finding.summary


class TestSharedFinding:
    """SEAT-2, SEAT-3: the finding every role shares is built once per pool; it is no field."""

    @given(pool=seat_pools(), policy=seat_policies())
    def test_built_once_for_every_role(self, pool, policy):
        """Every role gets the same finding, the one a fresh copy of the pool gives."""
        found = [role_findings(pool, policy, role=role, at=AT, zone="UTC") for role in ROLES]
        assert all(answer is found[0] for answer in found)
        fresh = SeatPool(total=pool.total, occupants=pool.occupants)
        assert found[0] == role_findings(fresh, policy, role="owner", at=AT, zone="UTC")

    @given(pool=seat_pools())
    def test_the_cache_is_no_field(self, pool):
        """A pool with its finding built equals, hashes and pickles as one without it."""
        fresh = SeatPool(total=pool.total, occupants=pool.occupants)
        role_findings(pool, SeatPolicy(), role="owner", at=AT, zone="UTC")
        copy = pickle.loads(pickle.dumps(pool))
        assert (fresh, hash(fresh)) == (pool, hash(pool))
        assert (pool, hash(pool)) == (copy, hash(copy))
        assert pickle.dumps(fresh) == pickle.dumps(pool)
        assert role_findings(pool, SeatPolicy(), role="staff", at=AT, zone="UTC") == (
            role_findings(copy, SeatPolicy(), role="staff", at=AT, zone="UTC")
        )


class TestFindingsAndTransitions:
    """The seats area has no account-wide findings and no time-driven transitions."""

    @given(pool=seat_pools(), at=aware_datetimes())
    def test_no_findings(self, pool, at):
        """Every answer is a role's (role_findings)."""
        assert () == findings(pool, SeatPolicy(), at=at, zone="UTC")

    @given(pool=seat_pools(), at=aware_datetimes())
    def test_no_transitions(self, pool, at):
        """No seat rule is driven by time: an empty iterator over any window."""
        assert [] == list(
            transitions(pool, SeatPolicy(), start=at, end=at + timedelta(days=36500), zone="UTC")
        )

    def test_a_backwards_window_is_refused(self):
        """The window's end must not come before its start."""
        with pytest.raises(InvalidInput) as excinfo:
            transitions(SEED, SeatPolicy(), start=AT, end=AT - timedelta(days=1), zone="UTC")
        assert "end" == excinfo.value.field


class TestReasonCodes:
    """Every reason of the area is a SeatCode member whose sentence renders."""

    def test_every_code_is_given_and_renders(self):
        """Each member is used by a code path and renders from the details given to it."""
        full = SeatPool(total=2, occupants=("a", "b"))
        decisions = [
            can_add_user(SEED, user_id="hal"),
            can_add_user(SEED, user_id="ann"),
            can_add_user(full, user_id="c"),
            can_delete_user(SEED, user_id="gus"),
            can_delete_user(SEED, user_id="zed"),
            *(can_remove_seats(pool, count=n) for pool in (SEED, full) for n in (-1, 0, 1, 3, 4)),
        ]
        reasons = [reason for decision in decisions for reason in decision.reasons]
        assert set(SeatCode) == {reason.code for reason in reasons}
        for reason in reasons:
            assert isinstance(reason.code, SeatCode)
            assert reason.message
            assert "{" not in reason.message
