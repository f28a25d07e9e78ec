"""Tests for billrules.dunning: the restriction schedule (DUN-1 … DUN-4)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from _dunning import answer
from billrules.balance import BalanceFacts, EntryKind, Ledger, LedgerEntry
from billrules.contract import Transition
from billrules.decisions import Decision, Reason
from billrules.dunning import (
    DEFAULT_STAGES,
    AccessLevel,
    Anchor,
    DunningCode,
    DunningKind,
    DunningPolicy,
    DunningQuestion,
    Stage,
    can_use_product,
    findings,
    next_stage_on,
    role_findings,
    transitions,
)
from billrules.errors import InvalidInput, InvalidType, NaiveDatetimeError, UnknownTimeZone
from billrules.roles import Role
from billrules.testing._balance import balance_facts
from billrules.testing._core import aware_datetimes, zones
from billrules.testing._dunning import access_levels, dunning_policies

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
KOLKATA = ZoneInfo("Asia/Kolkata")
SEED_ZONES = (KYIV, NEW_YORK, AUCKLAND, KOLKATA)

FULL = AccessLevel.FULL
REMIND = AccessLevel.FULL_WITH_REMINDER
PAY_PAGE = AccessLevel.PAYMENT_PAGE_ONLY
BLOCKED = AccessLevel.BLOCKED

POLICY = DunningPolicy()


def _debt(started: datetime, amount: str = "-25.00") -> BalanceFacts:
    return BalanceFacts(balance=Money(amount, "USD"), debt_started_at=started)


def _seed_level(day: int, role: Role) -> AccessLevel:
    """The seed's table (002), written out independently of the library."""
    if day <= 3:
        return FULL
    if day <= 6:
        return REMIND if role.is_admin else FULL
    if day <= 9:
        return PAY_PAGE if role.is_admin else FULL
    return BLOCKED


def _ledger_of(facts: BalanceFacts | Ledger) -> Ledger:
    """The ledger of ``facts``: one adjustment at the debt's start, never paid."""
    if isinstance(facts, Ledger):
        return facts
    if facts.debt_started_at is None:
        return Ledger(currency=facts.balance.currency)
    debt = LedgerEntry(
        id="debt", kind=EntryKind.ADJUSTMENT, at=facts.debt_started_at, amount=facts.balance
    )
    return Ledger(currency=facts.balance.currency, entries=(debt,))


def _changes(
    facts: BalanceFacts | Ledger,
    policy: DunningPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> tuple[Transition, ...]:
    """Every transition of the debt in ``facts`` (or of the ledger) in ``[start, end)``."""
    return tuple(transitions(_ledger_of(facts), policy, start=start, end=end, zone=zone))


def _name(change: Transition) -> str | None:
    """The stage a transition enters, ``None`` for a lift."""
    if change.kind == DunningKind.DUNNING_LIFTED:
        return None
    stage: str = change.reasons[0].details["stage"]
    return stage


class TestSeedTable:
    """DUN-1: the seed's month, day by day, for every role."""

    @pytest.mark.parametrize("day", range(1, 32))
    @pytest.mark.parametrize("role", list(Role))
    def test_negative_balance_follows_the_seed_table(self, day: int, role: Role) -> None:
        """DUN-1: with a debt from May 1st, each day of May gives each role the seed's level."""
        facts = _debt(datetime(2024, 5, 1, 9, 30, tzinfo=KYIV))
        at = datetime(2024, 5, day, 12, 0, tzinfo=KYIV)

        access = answer(facts, POLICY, role=role, at=at, zone=KYIV)

        assert _seed_level(day, role) == access.level
        assert (access.level in (FULL, REMIND)) is access.allowed
        assert ("dunning_stage", "full_payment_lifts") == access.codes
        assert ("DUN-1", "DUN-2") == access.rules

    @pytest.mark.parametrize("day", range(1, 32))
    @pytest.mark.parametrize("role", list(Role))
    def test_non_negative_balance_is_never_restricted(self, day: int, role: Role) -> None:
        """DUN-1, DUN-2: with a balance of zero or more nobody is restricted on any day."""
        facts = BalanceFacts(balance=Money("0.00", "USD"))
        at = datetime(2024, 5, day, 12, 0, tzinfo=KYIV)

        access = answer(facts, POLICY, role=role, at=at, zone=KYIV)

        assert (FULL, None, None, True) == (
            access.level,
            access.stage,
            access.next_stage_on,
            access.allowed,
        )
        assert ("balance_not_negative",) == access.codes
        assert not access.restricted

    def test_next_stage_dates_follow_the_schedule(self) -> None:
        """DUN-1: next_stage_on names the local date the next stage starts."""
        facts = _debt(datetime(2024, 5, 1, tzinfo=KYIV))
        on = [
            answer(facts, POLICY, role=Role.ADMIN, at=datetime(2024, 5, d, tzinfo=KYIV), zone=KYIV)
            for d in (1, 4, 7, 10)
        ]

        assert [date(2024, 5, 4), date(2024, 5, 7), date(2024, 5, 10), None] == [
            a.next_stage_on for a in on
        ]
        assert ["no_restriction", "reminder", "payment_page_only", "blocked"] == [
            a.stage.name for a in on if a.stage is not None
        ]

    def test_role_may_be_given_by_value(self) -> None:
        """DUN-1: a role's string value works as well as the enum member."""
        facts = _debt(datetime(2024, 5, 1, tzinfo=KYIV))
        at = datetime(2024, 5, 8, tzinfo=KYIV)

        assert answer(facts, POLICY, role="admin", at=at, zone="Europe/Kyiv") == answer(
            facts, POLICY, role=Role.ADMIN, at=at, zone=KYIV
        )


class TestPayment:
    """DUN-2: only full payment lifts a restriction."""

    def _ledger(self, *entries: tuple[str, str, datetime]) -> Ledger:
        return Ledger(
            currency="USD",
            entries=tuple(
                LedgerEntry(
                    id=f"e{i}",
                    kind=kind,
                    at=at,
                    amount=Money(amount, "USD"),
                    lines=(),
                )
                for i, (kind, amount, at) in enumerate(entries)
            ),
        )

    def test_partial_payment_changes_nothing(self) -> None:
        """DUN-2: a partial payment on day 8 leaves the admin on the payment page only."""
        charge = ("adjustment", "-40.00", datetime(2024, 5, 1, tzinfo=KYIV))
        partial = ("payment", "30.00", datetime(2024, 5, 8, 10, tzinfo=KYIV))
        at = datetime(2024, 5, 8, 11, tzinfo=KYIV)
        before = answer(
            BalanceFacts.from_ledger(self._ledger(charge), at),
            POLICY,
            role=Role.ADMIN,
            at=at,
            zone=KYIV,
        )

        paid_part = BalanceFacts.from_ledger(self._ledger(charge, partial), at)
        after = answer(paid_part, POLICY, role=Role.ADMIN, at=at, zone=KYIV)

        assert (PAY_PAGE, PAY_PAGE) == (before.level, after.level)
        assert before.decision == after.decision
        assert Money("10.00", "USD") == paid_part.amount_to_pay

    def test_full_payment_lifts_at_once(self) -> None:
        """DUN-2: paying the whole debt on day 12 lifts the block at that very instant."""
        charge = ("adjustment", "-40.00", datetime(2024, 5, 1, tzinfo=KYIV))
        paid_at = datetime(2024, 5, 12, 10, tzinfo=KYIV)
        ledger = self._ledger(charge, ("payment", "40.00", paid_at))

        before = answer(
            BalanceFacts.from_ledger(ledger, paid_at - timedelta(seconds=1)),
            POLICY,
            role=Role.STAFF,
            at=paid_at - timedelta(seconds=1),
            zone=KYIV,
        )
        after = answer(
            BalanceFacts.from_ledger(ledger, paid_at),
            POLICY,
            role=Role.STAFF,
            at=paid_at,
            zone=KYIV,
        )

        assert (BLOCKED, FULL) == (before.level, after.level)

    def test_new_debt_restarts_the_schedule(self) -> None:
        """DUN-2, DUN-3: after a full payment, a new debt is counted from its own month."""
        ledger = self._ledger(
            ("adjustment", "-40.00", datetime(2024, 5, 1, tzinfo=KYIV)),
            ("payment", "40.00", datetime(2024, 5, 12, tzinfo=KYIV)),
            ("adjustment", "-5.00", datetime(2024, 6, 1, tzinfo=KYIV)),
        )

        access = answer(
            BalanceFacts.from_ledger(ledger, datetime(2024, 6, 2, tzinfo=KYIV)),
            POLICY,
            role=Role.ADMIN,
            at=datetime(2024, 6, 2, tzinfo=KYIV),
            zone=KYIV,
        )

        assert FULL == access.level
        assert "no_restriction" == (access.stage.name if access.stage else None)

    @given(facts=balance_facts(), role=st.sampled_from(Role), at=aware_datetimes(), zone=zones())
    def test_property_non_negative_balance_never_restricts(
        self, facts: BalanceFacts, role: Role, at: datetime, zone: ZoneInfo
    ) -> None:
        """DUN-2: a non-negative balance means no restriction for any role at any instant."""
        if facts.debt_started_at is not None:
            facts = BalanceFacts(balance=-facts.balance)

        assert FULL == answer(facts, POLICY, role=role, at=at, zone=zone).level


class TestProperties:
    """Invariants of the schedule, for the default and for generated policies."""

    @given(
        policy=dunning_policies(),
        role=st.sampled_from(Role),
        started=aware_datetimes(),
        zone=zones(),
        hours=st.lists(st.integers(min_value=0, max_value=24 * 80), min_size=2, max_size=6),
    )
    def test_level_never_decreases_for_a_fixed_debt(
        self,
        policy: DunningPolicy,
        role: Role,
        started: datetime,
        zone: ZoneInfo,
        hours: list[int],
    ) -> None:
        """DUN-1, DUN-3: for a fixed debt, restrictions only grow as time goes on."""
        facts = _debt(started)
        levels = [
            answer(
                facts, policy, role=role, at=started + timedelta(hours=h), zone=zone
            ).level.severity
            for h in sorted(hours)
        ]

        assert sorted(levels) == levels

    @given(started=aware_datetimes(), zone=zones(), hours=st.integers(0, 24 * 80))
    def test_staff_never_more_restricted_than_admin_before_blocking(
        self, started: datetime, zone: ZoneInfo, hours: int
    ) -> None:
        """DUN-1: before the blocking stage the staff are never more restricted than the admin."""
        facts = _debt(started)
        at = started + timedelta(hours=hours)
        staff = answer(facts, POLICY, role=Role.STAFF, at=at, zone=zone)
        admin = answer(facts, POLICY, role=Role.ADMIN, at=at, zone=zone)

        if admin.stage is not None and admin.stage.name != "blocked":
            assert staff.level.severity <= admin.level.severity
        assert answer(facts, POLICY, role=Role.OWNER, at=at, zone=zone).level == admin.level

    @given(
        policy=dunning_policies(max_first_day=28),
        role=st.sampled_from(Role),
        month=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 1)),
        zone=zones(),
        hours=st.integers(min_value=0, max_value=24 * 120),
    )
    def test_anchors_agree_when_the_debt_starts_on_the_first(
        self, policy: DunningPolicy, role: Role, month: date, zone: ZoneInfo, hours: int
    ) -> None:
        """DUN-3: ``debt_start`` and ``month_start`` agree for a debt that starts on the 1st.

        Stages start by day 28, so every stage of the schedule fits in any month.
        """
        started = datetime(month.year, month.month, 1, tzinfo=zone) + timedelta(minutes=5)
        facts = _debt(started)
        at = started + timedelta(hours=hours)
        by_month = DunningPolicy(stages=policy.stages, anchor=Anchor.MONTH_START)
        by_debt = DunningPolicy(stages=policy.stages, anchor=Anchor.DEBT_START)

        month_access = answer(facts, by_month, role=role, at=at, zone=zone)
        debt_access = answer(facts, by_debt, role=role, at=at, zone=zone)

        assert (month_access.level, month_access.stage) == (debt_access.level, debt_access.stage)

    @given(policy=dunning_policies(), started=aware_datetimes(), zone=zones())
    def test_transitions_agree_with_can_use_product(
        self, policy: DunningPolicy, started: datetime, zone: ZoneInfo
    ) -> None:
        """DUN-1, DUN-3: at each transition instant, the check reports the transition's stage."""
        facts = _debt(started)
        changes = _changes(
            facts, policy, start=started, end=started + timedelta(days=70), zone=zone
        )

        assert changes[0].at == started
        for change in changes:
            access = answer(facts, policy, role=Role.STAFF, at=change.at, zone=zone)
            assert access.stage is not None
            assert _name(change) == access.stage.name
            assert (
                max(lv.severity for lv in access.stage.access.values())
                == (change.reasons[0].details["severity"])
            )
            if change.at > started:
                just_before = change.at - timedelta(microseconds=1)
                earlier = answer(facts, policy, role=Role.STAFF, at=just_before, zone=zone).stage
                assert earlier is not None
                assert earlier.name != _name(change)

    @given(policy=dunning_policies(), role=st.sampled_from(Role))
    def test_stage_on_day_matches_the_stages(self, policy: DunningPolicy, role: Role) -> None:
        """DUN-3: the stage of each day is the last stage that has started by then."""
        for day in range(1, 40):
            expected = [s for s in policy.stages if s.first_day <= day][-1]
            assert expected == policy.stage_on_day(day)


class TestTimeZones:
    """DUN-1, X-3: days begin at local midnight in the account's own zone."""

    @pytest.mark.parametrize("zone", SEED_ZONES, ids=str)
    def test_stage_changes_at_local_midnight(self, zone: ZoneInfo) -> None:
        """DUN-1: the reminder starts at local midnight of the 4th, not a second earlier."""
        facts = _debt(datetime(2024, 5, 1, 8, tzinfo=zone))
        midnight = datetime(2024, 5, 4, tzinfo=zone)

        before = answer(
            facts, POLICY, role=Role.ADMIN, at=midnight - timedelta(seconds=1), zone=zone
        )
        at = answer(facts, POLICY, role=Role.ADMIN, at=midnight.astimezone(UTC), zone=zone)

        assert (FULL, REMIND) == (before.level, at.level)

    @pytest.mark.parametrize("zone", SEED_ZONES, ids=str)
    def test_the_same_instant_is_a_different_day_elsewhere(self, zone: ZoneInfo) -> None:
        """DUN-1, X-3: 2024-05-09 23:30 UTC is the 9th in New York but the 10th further east."""
        facts = _debt(datetime(2024, 5, 1, 12, tzinfo=UTC))
        at = datetime(2024, 5, 9, 23, 30, tzinfo=UTC)
        local_day = at.astimezone(zone).day

        access = answer(facts, POLICY, role=Role.STAFF, at=at, zone=zone)

        assert (BLOCKED if local_day >= 10 else FULL) == access.level

    @pytest.mark.parametrize(
        ("zone", "change_day"),
        [(NEW_YORK, date(2024, 3, 10)), (KYIV, date(2024, 3, 31)), (AUCKLAND, date(2024, 4, 7))],
        ids=str,
    )
    def test_across_a_dst_change(self, zone: ZoneInfo, change_day: date) -> None:
        """DUN-3, X-3: with ``debt_start``, day counts stay in whole local days across DST."""
        policy = DunningPolicy(anchor="debt_start")
        started = datetime.combine(change_day - timedelta(days=5), datetime.min.time(), zone)
        facts = _debt(started + timedelta(hours=20))
        day_four = change_day - timedelta(days=2)
        day_ten = change_day + timedelta(days=4)

        changes = _changes(
            facts, policy, start=started, end=started + timedelta(days=30), zone=zone
        )

        assert [day_four, day_ten - timedelta(days=3), day_ten] == [
            c.at.astimezone(zone).date() for c in changes[1:]
        ]
        assert all(c.at.astimezone(zone).time() == datetime.min.time() for c in changes[1:])
        end_of_nine = datetime.combine(day_ten, datetime.min.time(), zone) - timedelta(seconds=1)
        assert PAY_PAGE == answer(facts, policy, role=Role.ADMIN, at=end_of_nine, zone=zone).level

    def test_february_of_a_leap_year(self) -> None:
        """DUN-1, DUN-3: Feb 29 2024 is still February; March 1 carries the debt over."""
        facts = _debt(datetime(2024, 2, 27, tzinfo=AUCKLAND))

        feb_29 = answer(
            facts, POLICY, role=Role.ADMIN, at=datetime(2024, 2, 29, tzinfo=AUCKLAND), zone=AUCKLAND
        )
        mar_1 = answer(
            facts, POLICY, role=Role.ADMIN, at=datetime(2024, 3, 1, tzinfo=AUCKLAND), zone=AUCKLAND
        )

        assert (BLOCKED, BLOCKED) == (feb_29.level, mar_1.level)
        assert "debt_carried_over" in mar_1.codes
        assert "DUN-3" in mar_1.rules

    def test_debt_from_the_first_of_february(self) -> None:
        """DUN-1: a debt from Feb 1 2024 (leap year) reaches each stage on the seed's days."""
        facts = _debt(datetime(2024, 2, 1, 0, 0, tzinfo=KOLKATA))
        levels = [
            answer(
                facts,
                POLICY,
                role=Role.ADMIN,
                at=datetime(2024, 2, d, tzinfo=KOLKATA),
                zone=KOLKATA,
            ).level
            for d in range(1, 30)
        ]

        assert [_seed_level(d, Role.ADMIN) for d in range(1, 30)] == levels

    @pytest.mark.parametrize("zone", SEED_ZONES, ids=str)
    def test_thirty_one_day_month(self, zone: ZoneInfo) -> None:
        """DUN-1, DUN-3: day 31 is still blocked in the month; the 1st after carries over."""
        facts = _debt(datetime(2024, 7, 2, tzinfo=zone))

        day_31 = answer(
            facts, POLICY, role=Role.STAFF, at=datetime(2024, 7, 31, 23, 59, tzinfo=zone), zone=zone
        )
        next_1st = answer(
            facts, POLICY, role=Role.STAFF, at=datetime(2024, 8, 1, tzinfo=zone), zone=zone
        )

        assert (BLOCKED, BLOCKED) == (day_31.level, next_1st.level)
        assert ("dunning_stage", "full_payment_lifts") == day_31.codes
        assert ("dunning_stage", "full_payment_lifts", "debt_carried_over") == next_1st.codes

    def test_naive_datetime_refused(self) -> None:
        """X-3: a naive instant is refused, naming the parameter."""
        facts = _debt(datetime(2024, 5, 1, tzinfo=KYIV))

        with pytest.raises(NaiveDatetimeError) as excinfo:
            answer(facts, POLICY, role=Role.ADMIN, at=datetime(2024, 5, 5), zone=KYIV)  # noqa: DTZ001

        assert "at" == excinfo.value.field

    def test_naive_debt_start_refused(self) -> None:
        """X-3: balance facts refuse a naive debt start."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            _debt(datetime(2024, 5, 1))  # noqa: DTZ001

        assert "BalanceFacts.debt_started_at" == excinfo.value.field


class TestAnchor:
    """DUN-3: the anchor knob and the Reading for a debt carried into a later month."""

    def test_debt_start_counts_from_the_day_it_turned_negative(self) -> None:
        """DUN-3: with ``debt_start``, a debt from the 15th reaches the reminder on the 18th."""
        policy = DunningPolicy(anchor=Anchor.DEBT_START)
        facts = _debt(datetime(2024, 5, 15, 18, tzinfo=KYIV))

        # At 20:00: the debt has started by then on the 15th (an earlier instant is refused).
        levels = [
            answer(
                facts, policy, role=Role.ADMIN, at=datetime(2024, 5, d, 20, tzinfo=KYIV), zone=KYIV
            ).level
            for d in (15, 17, 18, 21, 24)
        ]
        access = answer(
            facts, policy, role=Role.ADMIN, at=datetime(2024, 5, 18, tzinfo=KYIV), zone=KYIV
        )

        assert [FULL, FULL, REMIND, PAY_PAGE, BLOCKED] == levels
        assert date(2024, 5, 21) == access.next_stage_on

    def test_debt_start_far_past_stays_blocked(self) -> None:
        """DUN-3: with ``debt_start``, a debt of months ago is at the last stage."""
        policy = DunningPolicy(anchor="debt_start")
        facts = _debt(datetime(2024, 1, 15, tzinfo=KYIV))

        access = answer(
            facts, policy, role=Role.STAFF, at=datetime(2024, 6, 1, tzinfo=KYIV), zone=KYIV
        )

        assert (BLOCKED, None) == (access.level, access.next_stage_on)

    def test_month_start_debt_late_in_the_month_starts_mid_schedule(self) -> None:
        """DUN-3: with ``month_start``, a debt from the 8th starts at the payment-page stage."""
        facts = _debt(datetime(2024, 5, 8, 15, tzinfo=KYIV))

        access = answer(
            facts, POLICY, role=Role.ADMIN, at=datetime(2024, 5, 8, 16, tzinfo=KYIV), zone=KYIV
        )

        assert PAY_PAGE == access.level

    def test_reading_debt_carried_into_next_month_stays_at_last_stage(self) -> None:
        """DUN-3 Reading: a debt from the 30th is at the last stage from the 1st until paid."""
        facts = _debt(datetime(2024, 4, 30, 20, tzinfo=NEW_YORK))

        on_30th = answer(
            facts,
            POLICY,
            role=Role.STAFF,
            at=datetime(2024, 4, 30, 21, tzinfo=NEW_YORK),
            zone=NEW_YORK,
        )
        on_1st = answer(
            facts, POLICY, role=Role.STAFF, at=datetime(2024, 5, 1, tzinfo=NEW_YORK), zone=NEW_YORK
        )
        on_3rd = answer(
            facts, POLICY, role=Role.STAFF, at=datetime(2024, 5, 3, tzinfo=NEW_YORK), zone=NEW_YORK
        )

        assert (BLOCKED, BLOCKED, BLOCKED) == (on_30th.level, on_1st.level, on_3rd.level)
        assert "debt_carried_over" in on_3rd.codes

    def test_next_stage_beyond_a_short_month_is_the_first_of_the_next(self) -> None:
        """DUN-3: a stage from day 31 in a 30-day month: the last stage comes on the 1st."""
        stages = (
            DEFAULT_STAGES[0],
            Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
        )
        policy = DunningPolicy(stages=stages)
        facts = _debt(datetime(2024, 4, 2, tzinfo=KYIV))

        access = answer(
            facts, policy, role=Role.ADMIN, at=datetime(2024, 4, 29, tzinfo=KYIV), zone=KYIV
        )
        may = answer(
            facts, policy, role=Role.ADMIN, at=datetime(2024, 7, 3, tzinfo=KYIV), zone=KYIV
        )

        assert (FULL, date(2024, 5, 1)) == (access.level, access.next_stage_on)
        assert BLOCKED == may.level

    def test_next_stage_on_day_31_in_a_long_month(self) -> None:
        """DUN-3: a stage from day 31 in a 31-day month starts on the 31st."""
        stages = (
            DEFAULT_STAGES[0],
            Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
        )
        facts = _debt(datetime(2024, 5, 2, tzinfo=KYIV))

        access = answer(
            facts,
            DunningPolicy(stages=stages),
            role=Role.ADMIN,
            at=datetime(2024, 5, 29, tzinfo=KYIV),
            zone=KYIV,
        )

        assert date(2024, 5, 31) == access.next_stage_on

    def test_instant_before_the_debt_refused(self) -> None:
        """DUN-3: asking about a day before the debt started is an input error."""
        facts = _debt(datetime(2024, 5, 10, tzinfo=KYIV))
        debt_policy = DunningPolicy(anchor="debt_start")

        for policy, at in [
            (POLICY, datetime(2024, 5, 9, tzinfo=KYIV)),
            (POLICY, datetime(2024, 4, 20, tzinfo=KYIV)),
            (debt_policy, datetime(2024, 5, 9, tzinfo=KYIV)),
        ]:
            with pytest.raises(InvalidInput) as excinfo:
                answer(facts, policy, role=Role.ADMIN, at=at, zone=KYIV)
            assert "at" == excinfo.value.field


class TestGracePeriod:
    """DUN-4: the grace period is derived from the schedule."""

    def test_default_gives_ten_days(self) -> None:
        """DUN-4: the seed's "10 days to pay" is the first day of the blocking stage."""
        assert 10 == DunningPolicy().grace_days

    def test_follows_a_custom_schedule(self) -> None:
        """DUN-4: moving the blocking stage moves the grace period; no blocking means none."""
        relaxed = DunningPolicy(
            stages=(
                DEFAULT_STAGES[0],
                Stage(name="blocked", first_day=15, access=dict(DEFAULT_STAGES[3].access)),
            )
        )
        lenient = DunningPolicy(stages=DEFAULT_STAGES[:2])

        assert (15, None) == (relaxed.grace_days, lenient.grace_days)


class TestTransitions:
    """DUN-1 … DUN-3: stage changes between two instants, for the timeline."""

    def test_seed_month(self) -> None:
        """DUN-1: a debt from May 1st 09:00 gives four transitions, later ones at midnight."""
        started = datetime(2024, 5, 1, 9, tzinfo=KYIV)

        changes = _changes(
            _debt(started),
            POLICY,
            start=datetime(2024, 1, 1, tzinfo=UTC),
            end=datetime(2034, 1, 1, tzinfo=UTC),
            zone=KYIV,
        )

        assert [
            (started, "no_restriction"),
            (datetime(2024, 5, 4, tzinfo=KYIV), "reminder"),
            (datetime(2024, 5, 7, tzinfo=KYIV), "payment_page_only"),
            (datetime(2024, 5, 10, tzinfo=KYIV), "blocked"),
        ] == [(c.at, _name(c)) for c in changes]
        assert all(
            isinstance(c, Transition) and "DUN-1" in c.rules and c.area == "dunning"
            for c in changes
        )

    def test_window_filters(self) -> None:
        """DUN-1: only the changes inside ``[start, end)`` are listed."""
        facts = _debt(datetime(2024, 5, 1, 9, tzinfo=KYIV))

        changes = _changes(
            facts,
            POLICY,
            start=datetime(2024, 5, 4, tzinfo=KYIV),
            end=datetime(2024, 5, 10, tzinfo=KYIV),
            zone="Europe/Kyiv",
        )

        assert ["reminder", "payment_page_only"] == [_name(c) for c in changes if _name(c)]

    def test_carried_over_month(self) -> None:
        """DUN-3 Reading: a debt from the 30th reaches the last stage at once, no later change."""
        started = datetime(2024, 4, 30, 20, tzinfo=KYIV)
        stages = (
            DEFAULT_STAGES[0],
            Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
        )

        seed = _changes(
            _debt(started), POLICY, start=started, end=started + timedelta(days=90), zone=KYIV
        )
        late = _changes(
            _debt(started),
            DunningPolicy(stages=stages),
            start=started,
            end=started + timedelta(days=90),
            zone=KYIV,
        )

        assert [(started, "blocked")] == [(c.at, _name(c)) for c in seed if _name(c)]
        assert [(started, "no_restriction"), (datetime(2024, 5, 1, tzinfo=KYIV), "late")] == [
            (c.at, _name(c)) for c in late if _name(c)
        ]
        assert ("DUN-3",) == late[-1].rules

    def test_ledger_gives_lift_transitions(self) -> None:
        """DUN-2: with a ledger, full payment ends the debt with a transition to no stage."""
        ledger = Ledger(
            currency="USD",
            entries=(
                LedgerEntry(
                    id="c1",
                    kind=EntryKind.ADJUSTMENT,
                    at=datetime(2024, 5, 1, tzinfo=KYIV),
                    amount=Money("-40", "USD"),
                ),
                LedgerEntry(
                    id="p1",
                    kind=EntryKind.PAYMENT,
                    at=datetime(2024, 5, 5, 15, tzinfo=KYIV),
                    amount=Money("40", "USD"),
                ),
            ),
        )

        changes = _changes(
            ledger,
            POLICY,
            start=datetime(2024, 1, 1, tzinfo=UTC),
            end=datetime(2025, 1, 1, tzinfo=UTC),
            zone=KYIV,
        )

        assert [
            (datetime(2024, 5, 1, tzinfo=KYIV), "no_restriction"),
            (datetime(2024, 5, 4, tzinfo=KYIV), "reminder"),
            (datetime(2024, 5, 5, 15, tzinfo=KYIV), None),
        ] == [(c.at, _name(c)) for c in changes]
        assert ("DUN-2",) == changes[-1].rules

    def test_no_debt_no_transitions(self) -> None:
        """DUN-2: a non-negative balance has no stage changes."""
        start = datetime(2024, 1, 1, tzinfo=UTC)
        facts = BalanceFacts(balance=Money("3", "USD"))

        assert () == _changes(
            facts, POLICY, start=start, end=start + timedelta(days=3650), zone=KYIV
        )

    def test_bad_window_refused(self) -> None:
        """X-5: the window's end must not be before its start; the facts must be a ledger."""
        start = datetime(2024, 1, 1, tzinfo=UTC)
        facts = _debt(start)

        ledger = _ledger_of(_debt(start))

        with pytest.raises(InvalidInput) as excinfo:
            transitions(ledger, POLICY, start=start, end=start - timedelta(days=1), zone=KYIV)
        with pytest.raises(InvalidType) as bad_facts:
            transitions(facts, POLICY, start=start, end=start, zone=KYIV)  # type: ignore[arg-type]
        with pytest.raises(InvalidType) as bad_policy:
            transitions(ledger, "seed", start=start, end=start, zone=KYIV)  # type: ignore[arg-type]

        assert ("end", "ledger", "policy") == (
            excinfo.value.field,
            bad_facts.value.field,
            bad_policy.value.field,
        )


class TestPolicyValidation:
    """DUN-3: schedules are validated on construction."""

    def _stage(self, name: str, day: int, level: AccessLevel = FULL) -> Stage:
        return Stage(name=name, first_day=day, access=dict.fromkeys(Role, level))

    def test_default_is_the_seed(self) -> None:
        """DUN-1, DUN-3: the default policy is the seed's four stages, anchored at month start."""
        policy = DunningPolicy()

        assert (DEFAULT_STAGES, Anchor.MONTH_START) == (policy.stages, policy.anchor)
        assert [1, 4, 7, 10] == [s.first_day for s in policy.stages]
        assert [False, True, True, True] == [s.restricts for s in policy.stages]

    @pytest.mark.parametrize(
        ("stages", "field"),
        [
            ((), "DunningPolicy.stages"),
            (("no",), "DunningPolicy.stages[0]"),
        ],
    )
    def test_stage_container_errors(self, stages: tuple[object, ...], field: str) -> None:
        """DUN-3: the schedule needs at least one Stage."""
        with pytest.raises((InvalidInput, InvalidType)) as excinfo:
            DunningPolicy(stages=stages)

        assert field == excinfo.value.field

    def test_first_stage_starts_on_day_one(self) -> None:
        """DUN-3: the first stage covers day 1."""
        with pytest.raises(InvalidInput) as excinfo:
            DunningPolicy(stages=(self._stage("a", 2),))

        assert "DunningPolicy.stages[0].first_day" == excinfo.value.field

    def test_stages_ordered_and_non_overlapping(self) -> None:
        """DUN-3: stages start on strictly increasing days."""
        with pytest.raises(InvalidInput) as excinfo:
            DunningPolicy(stages=(self._stage("a", 1), self._stage("b", 5), self._stage("c", 5)))

        assert "DunningPolicy.stages[2].first_day" == excinfo.value.field

    def test_stage_names_unique(self) -> None:
        """DUN-3: stage names are unique (they appear in reasons)."""
        with pytest.raises(InvalidInput) as excinfo:
            DunningPolicy(stages=(self._stage("a", 1), self._stage("a", 5)))

        assert "DunningPolicy.stages[1].name" == excinfo.value.field

    def test_restrictions_only_grow(self) -> None:
        """DUN-1, DUN-3: no role's access improves from one stage to the next."""
        with pytest.raises(InvalidInput) as excinfo:
            DunningPolicy(stages=(self._stage("a", 1, BLOCKED), self._stage("b", 5, FULL)))

        assert "DunningPolicy.stages[1].access[owner]" == excinfo.value.field

    def test_unknown_anchor(self) -> None:
        """DUN-3: the anchor is ``month_start`` or ``debt_start``."""
        with pytest.raises(InvalidInput) as excinfo:
            DunningPolicy(anchor="week_start")

        assert "DunningPolicy.anchor" == excinfo.value.field

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"first_day": 0}, InvalidInput, "Stage.first_day"),
            ({"first_day": 32}, InvalidInput, "Stage.first_day"),
            ({"first_day": "4"}, InvalidType, "Stage.first_day"),
            ({"first_day": True}, InvalidType, "Stage.first_day"),
            ({"name": ""}, InvalidInput, "Stage.name"),
            ({"access": {"owner": "full"}}, InvalidInput, "Stage.access"),
            ({"access": {"guest": "full"}}, InvalidInput, "Stage.access"),
            ({"access": {"owner": "hidden"}}, InvalidInput, "Stage.access[owner]"),
            ({"access": {"owner": []}}, InvalidInput, "Stage.access[owner]"),
            ({"access": [("owner", "full")]}, InvalidType, "Stage.access"),
        ],
    )
    def test_stage_errors(
        self, kwargs: dict[str, object], error: type[Exception], field: str
    ) -> None:
        """DUN-3: a stage names every role with a known level, on a day from 1 to 31."""
        arguments: dict[str, object] = {
            "name": "s",
            "first_day": 4,
            "access": dict.fromkeys(Role, "full"),
        }
        arguments.update(kwargs)

        with pytest.raises(error) as excinfo:
            Stage(**arguments)  # type: ignore[arg-type]

        assert field == excinfo.value.field  # type: ignore[attr-defined]

    def test_stage_on_day_refuses_bad_days(self) -> None:
        """DUN-3: schedule days start at 1."""
        with pytest.raises(InvalidInput) as excinfo:
            POLICY.stage_on_day(0)

        assert "day" == excinfo.value.field

    @given(policy=dunning_policies(), level=access_levels())
    def test_generated_policies_are_valid(self, policy: DunningPolicy, level: AccessLevel) -> None:
        """DUN-3: generated schedules start on day 1 and grow for every role."""
        assert 1 == policy.stages[0].first_day
        assert 0 <= level.severity <= 3


class TestBadInput:
    """DUN-1: the check refuses bad arguments with errors naming them."""

    FACTS = _debt(datetime(2024, 5, 1, tzinfo=KYIV))
    AT = datetime(2024, 5, 5, tzinfo=KYIV)

    def test_a_policy_subclass_is_a_policy(self) -> None:
        """DUN-3: a host's subclass of DunningPolicy answers as the policy it extends."""

        @attrs.frozen(kw_only=True)
        class HostPolicy(DunningPolicy):
            pass

        for role in ("owner", "admin", "staff"):
            assert can_use_product(
                self.FACTS, POLICY, role=role, at=self.AT, zone=KYIV
            ) == can_use_product(self.FACTS, HostPolicy(), role=role, at=self.AT, zone=KYIV)

    def test_unknown_role(self) -> None:
        """DUN-1: roles are owner, admin and staff."""
        for role in ("guest", ["admin"]):
            with pytest.raises((InvalidInput, InvalidType)) as excinfo:
                can_use_product(self.FACTS, POLICY, role=role, at=self.AT, zone=KYIV)  # type: ignore[arg-type]
            assert "role" == excinfo.value.field

    def test_bad_facts_policy_zone_instant(self) -> None:
        """DUN-1: facts, policy, zone and instant are checked."""
        with pytest.raises(InvalidType) as facts:
            can_use_product(Money("1", "USD"), POLICY, role=Role.ADMIN, at=self.AT, zone=KYIV)  # type: ignore[arg-type]
        with pytest.raises(InvalidType) as policy:
            can_use_product(self.FACTS, None, role=Role.ADMIN, at=self.AT, zone=KYIV)  # type: ignore[arg-type]
        with pytest.raises(UnknownTimeZone) as zone:
            can_use_product(self.FACTS, POLICY, role=Role.ADMIN, at=self.AT, zone="Mars/Olympus")
        with pytest.raises(InvalidType) as at:
            can_use_product(self.FACTS, POLICY, role=Role.ADMIN, at="2024-05-05", zone=KYIV)  # type: ignore[arg-type]

        assert ("facts", "policy", "zone", "at") == (
            facts.value.field,
            policy.value.field,
            zone.value.field,
            at.value.field,
        )

    def test_next_stage_on_checks_its_arguments(self) -> None:
        """DUN-1: next_stage_on refuses what can_use_product refuses, naming the field."""
        with pytest.raises(InvalidType) as facts:
            next_stage_on(Money("1", "USD"), POLICY, at=self.AT, zone=KYIV)  # type: ignore[arg-type]
        with pytest.raises(UnknownTimeZone) as zone:
            next_stage_on(self.FACTS, POLICY, at=self.AT, zone="Mars/Olympus")
        with pytest.raises(InvalidInput) as before:
            next_stage_on(self.FACTS, POLICY, at=MAY_1 - timedelta(days=1), zone=KYIV)

        assert ("facts", "zone", "at") == (
            facts.value.field,
            zone.value.field,
            before.value.field,
        )

    def test_the_answer_is_a_decision(self) -> None:
        """DUN-1: the answer is the kernel's Decision, the same for a role given by value and
        an instant given in another zone."""
        decision = can_use_product(self.FACTS, POLICY, role=Role.ADMIN, at=self.AT, zone=KYIV)

        assert type(decision) is Decision
        assert decision == can_use_product(
            self.FACTS, POLICY, role="admin", at=self.AT.astimezone(UTC), zone=KYIV
        )
        with pytest.raises(AttributeError):
            decision.allowed = False  # type: ignore[misc]


class _HostFacts(BalanceFacts):
    """A host's subclass of the balance facts."""


def test_subclassed_facts_are_accepted() -> None:
    """DUN-1: a subclass of BalanceFacts is read like the facts themselves."""
    facts = _HostFacts(
        balance=Money("-1", "USD"), debt_started_at=datetime(2024, 5, 1, tzinfo=KYIV)
    )

    access = answer(
        facts, POLICY, role=Role.STAFF, at=datetime(2024, 5, 11, tzinfo=KYIV), zone=KYIV
    )

    assert BLOCKED == access.level


MAY_1 = datetime(2024, 5, 1, tzinfo=KYIV)
LIFT = Reason(code=DunningCode.FULL_PAYMENT_LIFTS)


def _stage_reason(stage: str, first_day: int, role: str, level: str, anchor: str) -> Reason:
    return Reason(
        code=DunningCode.DUNNING_STAGE,
        details={
            "stage": stage,
            "first_day": first_day,
            "role": role,
            "level": level,
            "anchor": anchor,
        },
    )


class TestReasonsGolden:
    """One golden test per reason code: the whole decision, its rule IDs, sentences and
    details."""

    def test_dunning_stage(self) -> None:
        """DUN-1, DUN-2: a stage gives the role's level, with the stage's details and the lift."""
        # Policies built inside the test: their lookup tables are part of what is tested.
        staff = can_use_product(
            _debt(MAY_1),
            DunningPolicy(),
            role=Role.STAFF,
            at=datetime(2024, 5, 5, tzinfo=KYIV),
            zone=KYIV,
        )
        admin = can_use_product(
            _debt(MAY_1),
            DunningPolicy(),
            role=Role.ADMIN,
            at=datetime(2024, 5, 5, tzinfo=KYIV),
            zone=KYIV,
        )

        assert (
            Decision(
                allowed=True,
                reasons=(_stage_reason("reminder", 4, "staff", "full", "month_start"), LIFT),
            )
            == staff
        )
        assert (True, ("dunning_stage", "full_payment_lifts"), ("DUN-1", "DUN-2")) == (
            staff.allowed,
            staff.codes,
            staff.rules,
        )
        assert (
            Decision(
                allowed=True,
                reasons=(
                    _stage_reason("reminder", 4, "admin", "full_with_reminder", "month_start"),
                    LIFT,
                ),
            )
            == admin
        )
        assert (
            "The balance is negative: stage reminder (from day 4) gives the admin full with "
            "reminder access.",
            "Only paying the debt in full lifts the restriction; a partial payment does not.",
        ) == tuple(reason.message for reason in admin.reasons)
        assert date(2024, 5, 7) == next_stage_on(
            _debt(MAY_1), DunningPolicy(), at=datetime(2024, 5, 5, tzinfo=KYIV), zone=KYIV
        )

    def test_payment_page_only_is_a_refusal(self) -> None:
        """DUN-1: on day 8 the admin may open only the payment page: refused, the level in the
        details; the staff keep full access."""
        at = datetime(2024, 5, 8, 12, tzinfo=KYIV)
        admin = can_use_product(_debt(MAY_1), POLICY, role="admin", at=at, zone=KYIV)
        staff = can_use_product(_debt(MAY_1), POLICY, role="staff", at=at, zone=KYIV)

        assert (False, "payment_page_only", "payment_page_only", 7) == (
            admin.allowed,
            admin.reasons[0].details["level"],
            admin.reasons[0].details["stage"],
            admin.reasons[0].details["first_day"],
        )
        assert (True, "full", "payment_page_only") == (
            staff.allowed,
            staff.reasons[0].details["level"],
            staff.reasons[0].details["stage"],
        )

    def test_dunning_stage_names_the_debt_start_anchor(self) -> None:
        """DUN-3: under the debt_start anchor the stage reason's details say so."""
        policy = DunningPolicy(anchor="debt_start")
        at = datetime(2024, 6, 5, tzinfo=KYIV)
        decision = can_use_product(_debt(MAY_1), policy, role=Role.ADMIN, at=at, zone=KYIV)

        assert (
            Decision(
                allowed=False,
                reasons=(_stage_reason("blocked", 10, "admin", "blocked", "debt_start"), LIFT),
            )
            == decision
        )
        assert next_stage_on(_debt(MAY_1), policy, at=at, zone=KYIV) is None

    def test_balance_not_negative(self) -> None:
        """DUN-2: without debt everyone has full access, nothing to pay, no next stage."""
        facts = BalanceFacts(balance=Money("0", "USD"))
        decision = can_use_product(facts, DunningPolicy(), role="owner", at=MAY_1, zone=KYIV)

        assert (
            Decision(
                allowed=True,
                reasons=(
                    Reason(
                        code=DunningCode.BALANCE_NOT_NEGATIVE,
                        details={"level": "full"},
                    ),
                ),
            )
            == decision
        )
        assert "The balance is not negative: no restriction applies." == decision.message
        assert (None, None) == (
            facts.amount_to_pay,
            next_stage_on(facts, DunningPolicy(), at=MAY_1, zone=KYIV),
        )

    def test_debt_carried_over(self) -> None:
        """DUN-3 Reading: a debt carried into June is at the last stage, with the DUN-3 reason."""
        at = datetime(2024, 6, 2, tzinfo=KYIV)
        decision = can_use_product(_debt(MAY_1), POLICY, role=Role.ADMIN, at=at, zone=KYIV)

        assert (
            Decision(
                allowed=False,
                reasons=(
                    _stage_reason("blocked", 10, "admin", "blocked", "month_start"),
                    LIFT,
                    Reason(code=DunningCode.DEBT_CARRIED_OVER),
                ),
            )
            == decision
        )
        assert ("DUN-1", "DUN-2", "DUN-3") == decision.rules
        assert (
            "The debt was carried into a later month: the last stage applies until it is paid."
            == decision.reasons[-1].message
        )
        assert next_stage_on(_debt(MAY_1), POLICY, at=at, zone=KYIV) is None


class TestErrorsGolden:
    """One golden test per refusal of bad input: its field and its sentence."""

    @pytest.mark.parametrize(
        ("call", "error", "text"),
        [
            (
                lambda: Stage(name="x", first_day=1, access=5),
                InvalidType,
                "Stage.access: must be a mapping, not int",
            ),
            (
                lambda: Stage(name="x", first_day=1, access={"boss": "full"}),
                InvalidInput,
                "Stage.access: unknown role 'boss'",
            ),
            (
                lambda: Stage(name="x", first_day=1, access={"owner": "nope"}),
                InvalidInput,
                "Stage.access[owner]: unknown level 'nope'",
            ),
            (
                lambda: Stage(name="x", first_day=1, access={"owner": "full"}),
                InvalidInput,
                "Stage.access: must give a level for every role; missing ['admin', 'staff']",
            ),
            (
                lambda: DunningPolicy(stages=()),
                InvalidInput,
                "DunningPolicy.stages: must hold at least one stage",
            ),
            (
                lambda: DunningPolicy(stages=DEFAULT_STAGES[1:]),
                InvalidInput,
                "DunningPolicy.stages[0].first_day: must be 1",
            ),
            (
                lambda: DunningPolicy(stages=(*DEFAULT_STAGES[:3], DEFAULT_STAGES[2])),
                InvalidInput,
                "DunningPolicy.stages[3].name: duplicate stage 'payment_page_only'",
            ),
            (
                lambda: DunningPolicy(
                    stages=(
                        *DEFAULT_STAGES[:3],
                        Stage(name="late", first_day=7, access=dict(DEFAULT_STAGES[3].access)),
                    )
                ),
                InvalidInput,
                "DunningPolicy.stages[3].first_day: must be after stages[2].first_day",
            ),
            (
                lambda: DunningPolicy(
                    stages=(
                        *DEFAULT_STAGES[:2],
                        Stage(name="free", first_day=8, access=dict(DEFAULT_STAGES[0].access)),
                    )
                ),
                InvalidInput,
                "DunningPolicy.stages[2].access[owner]: must not be less restricted than in stages[1]",
            ),
            (lambda: POLICY.stage_on_day(0), InvalidInput, "day: must be an int of at least 1"),
            (lambda: POLICY.stage_on_day(True), InvalidInput, "day: must be an int of at least 1"),
            (
                lambda: answer(_debt(MAY_1), POLICY, role="boss", at=MAY_1, zone=KYIV),
                InvalidInput,
                "role: unknown role 'boss'",
            ),
            (
                lambda: answer(
                    _debt(MAY_1),
                    POLICY,
                    role="owner",
                    at=datetime(2024, 4, 30, tzinfo=KYIV),
                    zone=KYIV,
                ),
                InvalidInput,
                "at: must not be before the debt started",
            ),
            (
                lambda: answer(
                    _debt(datetime(2024, 5, 9, tzinfo=KYIV)),
                    POLICY,
                    role="owner",
                    at=datetime(2024, 5, 5, tzinfo=KYIV),
                    zone=KYIV,
                ),
                InvalidInput,
                "at: must not be before the debt started",
            ),
            (
                lambda: answer(
                    _debt(MAY_1),
                    DunningPolicy(anchor="debt_start"),
                    role="owner",
                    at=datetime(2024, 4, 30, tzinfo=KYIV),
                    zone=KYIV,
                ),
                InvalidInput,
                "at: must not be before the debt started",
            ),
            (
                lambda: _changes(
                    _debt(MAY_1), POLICY, start=MAY_1, end=MAY_1 - timedelta(seconds=1), zone=KYIV
                ),
                InvalidInput,
                "end: must not be before start",
            ),
        ],
    )
    def test_error(self, call: Callable[[], object], error: type[Exception], text: str) -> None:
        """DUN-1, DUN-3: the error names the field and says what is wrong."""
        with pytest.raises(error) as excinfo:
            call()
        assert text == str(excinfo.value)


def _transitions(
    facts: BalanceFacts | Ledger, policy: DunningPolicy = POLICY
) -> list[tuple[datetime, str | None, tuple[str, ...]]]:
    changes = _changes(
        facts,
        policy,
        start=datetime(2024, 1, 1, tzinfo=UTC),
        end=datetime(2025, 1, 1, tzinfo=UTC),
        zone=KYIV,
    )
    return [(c.at, _name(c), c.rules) for c in changes]


class TestBoundaries:
    def test_transitions_carry_their_rule_ids(self) -> None:
        """DUN-1, DUN-3: schedule changes cite DUN-1 and DUN-3; a carried debt's last stage DUN-3."""
        stages = (
            DEFAULT_STAGES[0],
            Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
        )
        started = datetime(2024, 4, 2, 9, tzinfo=KYIV)

        assert [
            (started, "no_restriction", ("DUN-1", "DUN-3")),
            (datetime(2024, 5, 1, tzinfo=KYIV), "late", ("DUN-3",)),
        ] == _transitions(_debt(started), DunningPolicy(stages=stages))

    def test_a_stage_starting_on_the_last_day_of_the_month(self) -> None:
        """DUN-1: a stage from day 30 in a 30-day month starts on the 30th, not on the 1st."""
        stages = (
            DEFAULT_STAGES[0],
            Stage(name="late", first_day=30, access=dict(DEFAULT_STAGES[3].access)),
        )
        policy = DunningPolicy(stages=stages)
        started = datetime(2024, 4, 2, 9, tzinfo=KYIV)

        assert [
            (started, "no_restriction", ("DUN-1", "DUN-3")),
            (datetime(2024, 4, 30, tzinfo=KYIV), "late", ("DUN-1", "DUN-3")),
        ] == _transitions(_debt(started), policy)
        access = answer(
            _debt(started),
            policy,
            role=Role.ADMIN,
            at=datetime(2024, 4, 20, tzinfo=KYIV),
            zone=KYIV,
        )
        assert date(2024, 4, 30) == access.next_stage_on

    def test_a_debt_paid_at_the_exact_instant_a_stage_begins(self) -> None:
        """DUN-2: paid at the midnight the reminder would begin, the debt is lifted, never reminded."""
        ledger = Ledger(
            currency="USD",
            entries=(
                LedgerEntry(
                    id="c1", kind=EntryKind.ADJUSTMENT, at=MAY_1, amount=Money("-40", "USD")
                ),
                LedgerEntry(
                    id="p1",
                    kind=EntryKind.PAYMENT,
                    at=datetime(2024, 5, 4, tzinfo=KYIV),
                    amount=Money("40", "USD"),
                ),
            ),
        )

        assert [
            (MAY_1, "no_restriction", ("DUN-1", "DUN-3")),
            (datetime(2024, 5, 4, tzinfo=KYIV), None, ("DUN-2",)),
        ] == _transitions(ledger)

    def test_debt_start_transitions(self) -> None:
        """DUN-3: under debt_start each stage begins first_day − 1 days after the debt's day."""
        started = datetime(2024, 5, 20, 9, tzinfo=KYIV)

        assert [
            (started, "no_restriction", ("DUN-1", "DUN-3")),
            (datetime(2024, 5, 23, tzinfo=KYIV), "reminder", ("DUN-1", "DUN-3")),
            (datetime(2024, 5, 26, tzinfo=KYIV), "payment_page_only", ("DUN-1", "DUN-3")),
            (datetime(2024, 5, 29, tzinfo=KYIV), "blocked", ("DUN-1", "DUN-3")),
        ] == _transitions(_debt(started), DunningPolicy(anchor="debt_start"))

    def test_a_window_ending_at_the_debt_start_holds_nothing(self) -> None:
        """DUN-1: the window is [start, end): a debt starting at ``end`` is outside it."""
        assert () == _changes(
            _debt(MAY_1), POLICY, start=MAY_1 - timedelta(days=1), end=MAY_1, zone=KYIV
        )
        assert 1 == len(
            _changes(_debt(MAY_1), POLICY, start=MAY_1, end=MAY_1 + timedelta(seconds=1), zone=KYIV)
        )

    def test_an_empty_window_holds_nothing(self) -> None:
        """DUN-1: a window whose end equals its start is empty, not an error."""
        assert () == _changes(_debt(MAY_1), POLICY, start=MAY_1, end=MAY_1, zone=KYIV)

    def test_grace_days_and_severity(self) -> None:
        """DUN-4: no blocking stage means no grace period; levels order by severity 0–3."""
        free = DunningPolicy(stages=DEFAULT_STAGES[:3])

        assert (None, 10) == (free.grace_days, POLICY.grace_days)
        assert [0, 1, 2, 3] == [level.severity for level in AccessLevel]
        assert DEFAULT_STAGES[2] == POLICY.stage_on_day(9)
        assert DEFAULT_STAGES[3] == POLICY.stage_on_day(400)


def _debts(*moves: tuple[str, datetime]) -> Ledger:
    """A ledger of signed adjustments (charges) and payments, in order."""
    entries = tuple(
        LedgerEntry(
            id=f"e{i}",
            kind=EntryKind.ADJUSTMENT if amount.startswith("-") else EntryKind.PAYMENT,
            at=at,
            amount=Money(amount, "USD"),
        )
        for i, (amount, at) in enumerate(moves)
    )
    return Ledger(currency="USD", entries=entries)


#: A debt each month for a century: paid on the 5th, charged again on the 1st.
CENTURY = _debts(
    *(
        move
        for month in range(1200)
        for move in (
            ("-19.00", datetime(2024 + month // 12, month % 12 + 1, 1, tzinfo=KYIV)),
            ("19.00", datetime(2024 + month // 12, month % 12 + 1, 5, 9, tzinfo=KYIV)),
        )
    )
)

_hours = st.integers(min_value=0, max_value=24 * 200)


@st.composite
def _ledgers(draw: st.DrawFn) -> Ledger:
    """Debts started and paid (or partly paid) at generated instants."""
    start = draw(aware_datetimes())
    offsets = sorted(draw(st.lists(_hours, min_size=1, max_size=6)))
    amounts = draw(
        st.lists(st.sampled_from(("-30.00", "-5.00", "10.00", "25.00")), min_size=len(offsets))
    )
    return _debts(
        *(
            (amount, start + timedelta(hours=offset))
            for amount, offset in zip(amounts, offsets, strict=False)
        )
    )


class TestContract:
    """DUN-1 … DUN-3, X-5: transitions, findings and role findings over a ledger."""

    def test_transitions_are_lazy(self) -> None:
        """X-5: the first changes of a century of debts come without computing the century."""
        start = datetime(2024, 1, 1, tzinfo=KYIV)
        end = datetime(2124, 1, 1, tzinfo=UTC)

        first = list(
            itertools.islice(transitions(CENTURY, POLICY, start=start, end=end, zone=KYIV), 3)
        )
        every = transitions(CENTURY, POLICY, start=start, end=end, zone=KYIV)

        assert first == [next(every) for _ in range(3)]
        assert first == list(transitions(CENTURY, POLICY, start=start, end=end, zone=KYIV))[:3]
        assert ["no_restriction", "reminder", None] == [_name(c) for c in first]
        assert isinstance(every, Iterator)

    def test_transitions_carry_stage_details(self) -> None:
        """DUN-1, DUN-2: a stage change gives its stage, day, every role's level and severity;
        a lift gives severity 0; each sentence renders from its details."""
        changes = _changes(
            CENTURY,
            POLICY,
            start=datetime(2024, 1, 1, tzinfo=KYIV),
            end=datetime(2024, 1, 6, tzinfo=KYIV),
            zone=KYIV,
        )

        assert [
            DunningKind.DUNNING_STAGE,
            DunningKind.DUNNING_STAGE,
            DunningKind.DUNNING_LIFTED,
        ] == [c.kind for c in changes]
        reminder = changes[1].reasons[0]
        assert (DunningCode.STAGE_BEGINS, "DUN-1") == (reminder.code, reminder.rule)
        assert {
            "stage": "reminder",
            "first_day": 4,
            "access": {
                "owner": "full_with_reminder",
                "admin": "full_with_reminder",
                "staff": "full",
            },
            "severity": 1,
            "anchor": "month_start",
        } == dict(reminder.details)
        assert (
            "Dunning stage reminder (day 4): owner full_with_reminder, admin full_with_reminder, "
            "staff full. The schedule's days count from the month start."
        ) == changes[1].description
        assert ("DUN-1", "DUN-3") == changes[1].rules
        assert "The debt is paid in full: every restriction is lifted." == changes[2].description
        assert (0, ("DUN-2",)) == (changes[2].reasons[0].details["severity"], changes[2].rules)

    def test_carried_over_transition_renders(self) -> None:
        """DUN-3 Reading: the move to the last stage on the 1st of the next month says why."""
        changes = _changes(
            _debt(datetime(2024, 4, 30, 20, tzinfo=KYIV)),
            DunningPolicy(
                stages=(
                    DEFAULT_STAGES[0],
                    Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
                )
            ),
            start=datetime(2024, 4, 1, tzinfo=KYIV),
            end=datetime(2024, 6, 1, tzinfo=KYIV),
            zone=KYIV,
        )

        carried = changes[-1]
        assert (DunningCode.STAGE_CARRIED_OVER, ("DUN-3",), 3) == (
            carried.reasons[0].code,
            carried.rules,
            carried.reasons[0].details["severity"],
        )
        assert (
            "The debt is carried into a later month: dunning stage late (day 31) applies until it "
            "is paid: owner blocked, admin blocked, staff blocked."
        ) == carried.description

    @given(
        ledger=_ledgers(),
        policy=dunning_policies(),
        zone=zones(),
        cuts=st.lists(_hours, min_size=2, max_size=2),
    )
    def test_property_windows_split(
        self, ledger: Ledger, policy: DunningPolicy, zone: ZoneInfo, cuts: list[int]
    ) -> None:
        """X-5: the changes of [a, c) are those of [a, b) then those of [b, c), in time order."""
        a = ledger.entries[0].at - timedelta(days=1)
        b, c = (a + timedelta(hours=h) for h in sorted(cuts))
        c += timedelta(days=60)

        whole = _changes(ledger, policy, start=a, end=c, zone=zone)
        parts = _changes(ledger, policy, start=a, end=b, zone=zone) + _changes(
            ledger, policy, start=b, end=c, zone=zone
        )

        assert whole == parts
        assert [t.at for t in whole] == sorted(t.at for t in whole)
        assert all(a <= t.at < c and t.area == "dunning" for t in whole)
        for change in whole:
            assert all(isinstance(reason.code, DunningCode) for reason in change.reasons)
            assert change.description

    @given(ledger=_ledgers(), policy=dunning_policies(), zone=zones(), hours=_hours)
    def test_property_window_inside_a_debt_holds_its_changes_from_its_start(
        self, ledger: Ledger, policy: DunningPolicy, zone: ZoneInfo, hours: int
    ) -> None:
        """X-5: a window that starts inside a debt (or after its changes) gives exactly the
        changes of a window opened before it that fall from its start on: the changes before
        the start are skipped, none is lost or repeated."""
        a = ledger.entries[0].at - timedelta(days=1)
        b = a + timedelta(hours=hours)
        c = b + timedelta(days=90)

        whole = _changes(ledger, policy, start=a, end=c, zone=zone)

        assert tuple(t for t in whole if t.at >= b) == _changes(
            ledger, policy, start=b, end=c, zone=zone
        )

    def test_debt_carried_past_the_window_start_gives_only_its_lift(self) -> None:
        """DUN-2, DUN-3: months into a debt, no stage change is left; its lift still comes."""
        ledger = _debts(
            ("-19.00", datetime(2024, 1, 2, 9, tzinfo=KYIV)),
            ("19.00", datetime(2024, 6, 3, 9, tzinfo=KYIV)),
        )

        changes = _changes(
            ledger,
            POLICY,
            start=datetime(2024, 4, 1, tzinfo=KYIV),
            end=datetime(2024, 7, 1, tzinfo=KYIV),
            zone=KYIV,
        )

        assert [(DunningKind.DUNNING_LIFTED, datetime(2024, 6, 3, 9, tzinfo=KYIV))] == [
            (t.kind, t.at) for t in changes
        ]

    @given(
        ledger=_ledgers(),
        policy=dunning_policies(),
        role=st.sampled_from(Role),
        zone=zones(),
        hours=_hours,
    )
    def test_property_findings_agree_with_the_check(
        self, ledger: Ledger, policy: DunningPolicy, role: Role, zone: ZoneInfo, hours: int
    ) -> None:
        """DUN-1 … DUN-3: role_findings carry can_use_product's reasons; findings say what
        lifts the debt exactly when the balance is negative."""
        at = ledger.entries[0].at + timedelta(hours=hours)
        facts = BalanceFacts.from_ledger(ledger, at)
        access = answer(facts, policy, role=role, at=at, zone=zone)

        (use,) = role_findings(ledger, policy, role=role, at=at, zone=zone)
        found = findings(ledger, policy, at=at, zone=zone)

        assert (
            Decision(allowed=access.level in (FULL, REMIND), reasons=access.reasons) == use.decision
        )
        assert (DunningQuestion.USE_PRODUCT, "dunning") == (use.question, use.area)
        assert use.summary.startswith(f"Access: {access.level.value.replace('_', ' ')} ")
        if facts.amount_to_pay is None:
            assert () == found
        else:
            (debt,) = found
            assert (False, ("DUN-2",), DunningQuestion.DEBT_PAID) == (
                debt.allowed,
                debt.rules,
                debt.question,
            )
            assert facts.amount_to_pay == debt.reasons[0].details["amount_to_pay"]
        for finding in (use, *found):
            assert finding.summary
            for reason in finding.reasons:
                assert isinstance(reason.code, DunningCode)
                assert reason.message

    def test_use_product_summaries(self) -> None:
        """DUN-1, DUN-2: the summary names the level and the stage ("none" without debt)."""
        ledger = _debts(("-40.00", MAY_1), ("40.00", datetime(2024, 5, 20, tzinfo=KYIV)))

        def summary(day: int, role: str) -> tuple[str, bool]:
            at = datetime(2024, 5, day, 12, tzinfo=KYIV)
            (finding,) = role_findings(ledger, POLICY, role=role, at=at, zone=KYIV)
            return finding.summary, finding.allowed

        assert ("Access: full (dunning stage no_restriction).", True) == summary(2, "owner")
        assert ("Access: full with reminder (dunning stage reminder).", True) == summary(5, "admin")
        assert ("Access: payment page only (dunning stage payment_page_only).", False) == summary(
            8, "owner"
        )
        assert ("Access: blocked (dunning stage blocked).", False) == summary(11, "staff")
        assert ("Access: full (dunning stage none).", True) == summary(21, "staff")
        june = datetime(2024, 6, 2, tzinfo=KYIV)
        carried = role_findings(_debts(("-1.00", MAY_1)), POLICY, role="admin", at=june, zone=KYIV)
        assert ("DUN-1", "DUN-2", "DUN-3") == carried[0].rules

    def test_debt_paid_finding(self) -> None:
        """DUN-2: in debt, the finding names the amount that lifts every restriction."""
        ledger = _debts(("-40.00", MAY_1), ("30.00", datetime(2024, 5, 8, tzinfo=KYIV)))

        (finding,) = findings(ledger, POLICY, at=datetime(2024, 5, 9, tzinfo=KYIV), zone=KYIV)

        assert (
            "In debt since 2024-05-01T00:00:00+03:00: paying 10.00 USD in full lifts every "
            "restriction."
        ) == finding.summary
        assert (DunningCode.FULL_PAYMENT_LIFTS,) == finding.decision.codes
        assert {"amount_to_pay": Money("10.00", "USD")} == dict(finding.reasons[0].details)
        assert (
            "Only paying the debt in full lifts the restriction; a partial payment does not."
            == finding.decision.message
        )

    def test_every_code_is_given(self) -> None:
        """DUN-1 … DUN-3: each DunningCode member is given by some answer of the area."""
        ledger = _debts(("-40.00", MAY_1), ("40.00", datetime(2024, 5, 20, tzinfo=KYIV)))
        late = DunningPolicy(
            stages=(
                DEFAULT_STAGES[0],
                Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
            )
        )
        year = {"start": datetime(2024, 1, 1, tzinfo=UTC), "end": datetime(2025, 1, 1, tzinfo=UTC)}
        given_codes = {
            code
            for change in (
                *_changes(ledger, POLICY, zone=KYIV, **year),
                *_changes(_debt(datetime(2024, 4, 30, tzinfo=KYIV)), late, zone=KYIV, **year),
            )
            for code in change.codes
        }
        for day in (2, 25):
            at = datetime(2024, 5, day, tzinfo=KYIV)
            given_codes.update(
                findings(ledger, POLICY, at=at, zone=KYIV)[0].decision.codes if day == 2 else ()
            )
            given_codes.update(
                role_findings(ledger, POLICY, role="owner", at=at, zone=KYIV)[0].decision.codes
            )
        carried = role_findings(
            _debts(("-1.00", MAY_1)),
            POLICY,
            role="owner",
            at=datetime(2024, 6, 2, tzinfo=KYIV),
            zone=KYIV,
        )
        given_codes.update(carried[0].decision.codes)

        assert set(DunningCode) == given_codes


def _use_product(ledger: Ledger, policy: DunningPolicy, role: Role, at: datetime, zone: ZoneInfo):
    """can_use_product's answer as role_findings gives it, from the check itself."""
    access = answer(BalanceFacts.from_ledger(ledger, at), policy, role=role, at=at, zone=zone)
    return Decision(allowed=access.level in (FULL, REMIND), reasons=access.reasons)


class TestStageSharedByRoles:
    """DUN-1 … DUN-3: the stage at an instant is computed once for every role asked."""

    def test_two_instants_equal_on_one_clock_are_told_apart(self) -> None:
        """DUN-1, DUN-3: 01:30 before and after New York's clocks go back (fold 0 and 1) are
        equal as times on one clock but an hour apart; in UTC-6 they fall on two days, on
        either side of the reminder stage's first day, and each gets its own stage."""
        new_york, minus_six = ZoneInfo("America/New_York"), ZoneInfo("Etc/GMT+6")
        ledger = _debts(("-40.00", datetime(2024, 10, 31, 12, tzinfo=UTC)))
        policy = DunningPolicy(anchor="debt_start")
        first = datetime(2024, 11, 3, 1, 30, tzinfo=new_york)
        second = first.replace(fold=1)
        assert first == second
        assert first.astimezone(minus_six).day != second.astimezone(minus_six).day

        tokyo = ZoneInfo("Asia/Tokyo")  # where the first of them is already the 3rd
        asks = [(first, minus_six), (second, minus_six), (first, minus_six), (first, tokyo)]

        answers = [
            role_findings(ledger, policy, role=Role.OWNER, at=at, zone=zone)[0].decision
            for at, zone in asks
        ]

        expected = [_use_product(ledger, policy, Role.OWNER, at, zone) for at, zone in asks]
        assert expected == answers
        assert answers[0] != answers[1]
        assert answers[2] != answers[3]

    @given(
        ledger=_ledgers(),
        hours=st.lists(_hours, min_size=1, max_size=3),
        places=st.lists(zones(), min_size=1, max_size=2),
        policies=st.lists(dunning_policies(), min_size=1, max_size=2),
        asks=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 1))),
    )
    def test_property_every_ask_answers_as_the_check(
        self,
        ledger: Ledger,
        hours: list[int],
        places: list[ZoneInfo],
        policies: list[DunningPolicy],
        asks: list[tuple[int, int, int]],
    ) -> None:
        """DUN-1 … DUN-3 property: one ledger asked in turn for every role at a few instants,
        zones and policies, in any order (the same instant again, another zone or policy at
        the same instant), answers each time as can_use_product does."""
        for when, where, which in asks:
            at = ledger.entries[0].at + timedelta(hours=hours[when % len(hours)])
            zone = places[where % len(places)]
            policy = policies[which % len(policies)]
            for role in Role:
                (use,) = role_findings(ledger, policy, role=role, at=at, zone=zone)
                assert _use_product(ledger, policy, role, at, zone) == use.decision


@pytest.mark.parametrize(
    ("day", "role"),
    [(2, "owner"), (5, "admin"), (8, "admin"), (8, "staff"), (11, "staff")],
)
def test_can_use_product_is_the_use_product_finding_decision(day: int, role: str) -> None:
    """DUN-1, DUN-2: one place decides "may use the product": the question returns the very
    decision explain's use_product finding carries, for a debt of the seed's month."""
    ledger = _ledger_of(_debt(MAY_1))
    at = datetime(2024, 5, day, 12, tzinfo=KYIV)

    decision = can_use_product(
        BalanceFacts.from_ledger(ledger, at), POLICY, role=role, at=at, zone=KYIV
    )
    (use,) = role_findings(ledger, POLICY, role=role, at=at, zone=KYIV)

    assert decision is use.decision
    assert use.details["level"] == decision.reasons[0].details["level"]


class TestCanUseProductGuard:
    """X-1: can_use_product checks its arguments inline (it runs on every request); it refuses
    exactly what ``@checked`` refuses, naming the first wrong parameter in order."""

    KYIV = ZoneInfo("Europe/Kyiv")
    AT = datetime(2024, 5, 8, 12, tzinfo=KYIV)
    DEBT = BalanceFacts(
        balance=Money("-5", "USD"), debt_started_at=datetime(2024, 5, 1, tzinfo=UTC)
    )

    def ask(self, **changes: object) -> Decision:
        arguments: dict[str, object] = {
            "facts": self.DEBT,
            "policy": DunningPolicy(),
            "role": "owner",
            "at": self.AT,
            "zone": self.KYIV,
        }
        arguments.update(changes)
        return can_use_product(  # type: ignore[arg-type]  # wrong types on purpose
            arguments.pop("facts"), arguments.pop("policy"), **arguments
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"facts": None, "role": 5}, "facts"),
            ({"policy": "default", "at": "now"}, "policy"),
            ({"role": 5, "zone": 5}, "role"),
            ({"role": ["owner"]}, "role"),
            ({"at": date(2024, 5, 8), "zone": 5}, "at"),
            ({"role": "nobody", "zone": 5}, "zone"),
        ],
    )
    def test_can_use_product_refuses_the_first_wrong_argument(
        self, changes: dict[str, object], field: str
    ) -> None:
        with pytest.raises(InvalidType) as refused:
            self.ask(**changes)
        assert refused.value.field == field

    def test_can_use_product_refuses_a_naive_or_out_of_calendar_instant(self) -> None:
        with pytest.raises(NaiveDatetimeError):
            self.ask(at=datetime(2024, 5, 8))  # noqa: DTZ001  # naive on purpose
        with pytest.raises(InvalidInput) as refused:
            self.ask(at=datetime(9999, 1, 1, tzinfo=UTC))
        assert refused.value.field == "at"

    def test_can_use_product_takes_the_uncommon_types_it_always_took(self) -> None:
        expected = self.ask()
        assert self.ask(zone="Europe/Kyiv") == expected
        assert self.ask(role=Role.OWNER) == expected
        assert self.ask(at=self.AT.astimezone(UTC)) == expected
        with pytest.raises(UnknownTimeZone):
            self.ask(zone="Mars/Olympus")
        with pytest.raises(InvalidInput) as refused:
            self.ask(role="nobody")
        assert refused.value.field == "role"


class TestStageEffects:
    """DUN-1 … DUN-3 (X-9): each stage change asks the host to set what each role now sees,
    and the lift gives full access back (DUN-2): a keyed effect carrying the levels as data."""

    def test_the_seed_s_month_asks_for_each_stage_s_access(self) -> None:
        """DUN-1 with the seed's numbers: a debt from 1 May (Kyiv) sets the access of days 1,
        4, 7 and 10; a full payment on the 12th gives everyone full access again (DUN-2)."""
        ledger = _debts(
            ("-33.00", datetime(2024, 5, 1, tzinfo=KYIV)),
            ("33.00", datetime(2024, 5, 12, 15, tzinfo=KYIV)),
        )
        changes = list(
            transitions(
                ledger,
                POLICY,
                start=datetime(2024, 5, 1, tzinfo=KYIV),
                end=datetime(2024, 6, 1, tzinfo=KYIV),
                zone=KYIV,
            )
        )
        seen = [
            (c.at.astimezone(KYIV).day, e.kind, e.rule, e.stage, dict(e.access))
            for c in changes
            for e in c.effects
        ]
        full = {"owner": "full", "admin": "full", "staff": "full"}
        assert [
            (1, "set_access", "DUN-1", "no_restriction", full),
            (
                4,
                "set_access",
                "DUN-1",
                "reminder",
                {"owner": "full_with_reminder", "admin": "full_with_reminder", "staff": "full"},
            ),
            (
                7,
                "set_access",
                "DUN-1",
                "payment_page_only",
                {"owner": "payment_page_only", "admin": "payment_page_only", "staff": "full"},
            ),
            (
                10,
                "set_access",
                "DUN-1",
                "blocked",
                {"owner": "blocked", "admin": "blocked", "staff": "blocked"},
            ),
            (12, "set_access", "DUN-2", None, full),
        ] == seen

    def test_a_carried_debt_sets_the_last_stage_under_dun_3(self) -> None:
        """DUN-3: with a last stage on day 31, a debt from 30 April is carried into May and
        reaches that stage on the 1st; its effect cites DUN-3."""
        stages = (
            DEFAULT_STAGES[0],
            Stage(name="late", first_day=31, access=dict(DEFAULT_STAGES[3].access)),
        )
        started = datetime(2024, 4, 30, 20, tzinfo=KYIV)
        changes = list(
            transitions(
                _debts(("-33.00", started)),
                DunningPolicy(stages=stages),
                start=started,
                end=started + timedelta(days=5),
                zone=KYIV,
            )
        )
        effect = changes[-1].effects[0]
        assert (datetime(2024, 5, 1, tzinfo=KYIV), "DUN-3", "late") == (
            effect.at,
            effect.rule,
            effect.stage,
        )
        assert {"owner": "blocked", "admin": "blocked", "staff": "blocked"} == dict(effect.access)

    @given(ledger=_ledgers(), policy=dunning_policies(), zone=zones(), days=st.integers(0, 400))
    def test_property_every_change_carries_the_access_it_states(
        self, ledger: Ledger, policy: DunningPolicy, zone: ZoneInfo, days: int
    ) -> None:
        """DUN-1 … DUN-3 property: every dunning transition carries exactly one SetAccess, at
        its instant, under its first reason's rule, whose levels are the ones its sentence
        states; a lift gives every role full access."""
        start = ledger.entries[0].at - timedelta(days=1)
        for change in transitions(
            ledger, policy, start=start, end=start + timedelta(days=days), zone=zone
        ):
            (effect,) = change.effects
            reason = change.reasons[0]
            assert (effect.kind, effect.at, effect.rule) == ("set_access", change.at, reason.rule)
            assert dict(effect.access) == {
                str(k): str(v) for k, v in reason.details["access"].items()
            }
            if change.kind == "dunning_lifted":
                assert effect.stage is None
                assert set(effect.access.values()) == {"full"}
            else:
                assert effect.stage == reason.details["stage"]
