"""Tests for inactivity deletion (DEL-1 … DEL-7), from seed 002 and as properties."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules.balance import Ledger, LedgerEntry
from billrules.contract import Finding, Suspension, Transition
from billrules.decisions import Decision, PolicyViolation, Reason
from billrules.deletion import (
    BANNER,
    FINAL_STATES,
    NOTICE_TEMPLATE,
    REMINDER_TEMPLATE,
    STATE_CHANGES,
    AccountActivity,
    DeletionCode,
    DeletionDeadlines,
    DeletionEvent,
    DeletionFacts,
    DeletionKind,
    DeletionPolicy,
    DeletionQuestion,
    DeletionSchedule,
    DeletionScheduleKind,
    DeletionState,
    can_cancel,
    can_delete_manually,
    can_go_ahead,
    can_restore,
    can_schedule,
    cancel,
    deadlines,
    delete_manually,
    effects_due,
    findings,
    record_outcome,
    restore,
    role_findings,
    schedule,
    state_at,
    suspensions,
    transitions,
)
from billrules.effects import (
    DeleteAccount,
    HideBanner,
    PurgeData,
    RecordDeletionOutcome,
    RestoreAccount,
    ScheduleDeletion,
    SendEmail,
    ShowBanner,
)
from billrules.errors import (
    CurrencyMismatch,
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    OutOfCalendar,
    UnknownTimeZone,
)
from billrules.roles import Role
from billrules.testing._core import aware_datetimes, zones
from billrules.testing._deletion import account_activities, deletion_policies, inactive_accounts

KYIV = ZoneInfo("Europe/Kyiv")
POLICY = DeletionPolicy()
NOW = datetime(2024, 5, 10, 9, 0, tzinfo=KYIV)
ZERO = Money(0, "UAH")
_St = DeletionState
FAR = timedelta(days=400)


def make_activity(
    *, created_at: datetime, opening_balance: Money, logins: tuple[datetime, ...] = ()
) -> AccountActivity:
    """An activity whose ledger holds ``opening_balance`` from the creation on."""
    entries = (
        (LedgerEntry(id="opening", kind="adjustment", at=created_at, amount=opening_balance),)
        if opening_balance.amount
        else ()
    )
    return AccountActivity(
        created_at=created_at,
        logins=logins,
        ledger=Ledger(currency=opening_balance.currency, entries=entries),
    )


def with_balance(activity: AccountActivity, balance: Money, *, at: datetime) -> AccountActivity:
    """``activity`` with the balance ``balance`` from ``at`` on: one adjustment to it."""
    change = balance - activity.balance_at(at)
    entry = LedgerEntry(
        id=f"set{len(activity.ledger.entries)}", kind="adjustment", at=at, amount=change
    )
    return activity.with_entry(entry)


def deadlines_of(sched, policy, *, zone):
    """The deadlines of a schedule on an account created at its scheduling instant."""
    activity = make_activity(created_at=sched.scheduled_at, opening_balance=ZERO)
    return deadlines(DeletionFacts(activity=activity, schedule=sched), policy, zone=zone)


def seed_account(now: datetime = NOW, *, balance: Money = ZERO) -> AccountActivity:
    """The seed's account: created 41 days ago, last login 31 days ago, balance 0."""
    return make_activity(
        created_at=now - timedelta(days=41),
        opening_balance=balance,
        logins=(now - timedelta(days=35), now - timedelta(days=31)),
    )


def all_effects(sched, activity, policy=POLICY, zone=KYIV):
    start = sched.scheduled_at
    return effects_due(
        DeletionFacts(activity=activity, schedule=sched),
        policy,
        start=start,
        end=start + FAR,
        zone=zone,
        account="acme",
    )


def _own(items, sched):
    """The effects or transitions of the stored schedule ``sched`` alone: those before the
    run schedules another deletion once this one is over (DEL-1 again after a cancel, DEL-3, a
    keep, DEL-7, or a restore, DEL-6). That one opens with a ``ScheduleDeletion`` (or a
    ``deletion_scheduled`` transition) at another instant than ``sched.scheduled_at``, or with
    a second one at that instant; over fixed facts the host has not applied it (X-9), so what
    follows it is that schedule's, not ``sched``'s."""
    own = []
    opened = False
    for item in items:
        if isinstance(item, ScheduleDeletion) or (
            isinstance(item, Transition) and item.kind == DeletionKind.DELETION_SCHEDULED
        ):
            if opened or item.at != sched.scheduled_at:
                break
            opened = True
        own.append(item)
    return own


def kinds(effects):
    return [(e.kind, e.rule) for e in effects]


def local_days(effects, start, zone):
    start_day = start.astimezone(zone).date()
    return [(e.kind, (e.at.astimezone(zone).date() - start_day).days) for e in effects]


# --------------------------------------------------------------------------------------------
# DEL-1


class TestEligibility:
    def test_seed_account_is_eligible(self):
        """DEL-1: created 41 days ago, no login for 31 days, balance 0: eligible, 3 reasons."""
        decision = can_schedule(DeletionFacts(activity=seed_account()), POLICY, at=NOW, zone=KYIV)
        assert decision.allowed is True
        assert ("account_old_enough", "no_recent_login", "balance_empty") == decision.codes
        assert ("DEL-1",) == decision.rules
        assert 41 == decision.reasons[0].details["age_days"]
        assert 31 == decision.reasons[1].details["days_since_login"]

    def test_exactly_40_days_old_is_not_eligible(self):
        """DEL-1 boundary: an account created exactly 40 days ago is not eligible."""
        activity = attrs.evolve(seed_account(), created_at=NOW - timedelta(days=40))
        decision = can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        assert decision.allowed is False
        assert ("account_too_new", "no_recent_login", "balance_empty") == decision.codes
        assert 40 == decision.reasons[0].details["age_days"]

    def test_login_exactly_30_days_ago_is_recent(self):
        """DEL-1 boundary: a login exactly 30 days ago counts as a login in the last 30 days."""
        activity = seed_account().with_login(NOW - timedelta(days=30))
        decision = can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        assert decision.allowed is False
        assert ("account_old_enough", "recent_login", "balance_empty") == decision.codes
        assert 30 == decision.reasons[1].details["days_since_login"]

    def test_one_cent_on_the_balance_is_not_eligible(self):
        """DEL-1 boundary: a balance of one cent keeps the account (money left avoids deletion)."""
        activity = seed_account(balance=Money("0.01", "UAH"))
        decision = can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        assert decision.allowed is False
        assert ("account_old_enough", "no_recent_login", "balance_remaining") == decision.codes
        assert Decimal("0.01") == decision.reasons[2].details["balance"].amount

    @pytest.mark.parametrize(
        ("balance", "max_balance", "code", "sentence"),
        [
            ("0", "0", "balance_empty", "The balance (0.00 UAH) is at or below 0.00 UAH."),
            ("-19.5", "0", "balance_empty", "The balance (-19.50 UAH) is at or below 0.00 UAH."),
            (
                "10",
                "5",
                "balance_remaining",
                "The balance (10.00 UAH) is above 5.00 UAH: money left on the balance avoids "
                "deletion.",
            ),
        ],
    )
    def test_balance_sentences_write_money_in_the_minor_unit(
        self, balance, max_balance, code, sentence
    ):
        """DEL-1 golden, X-4: the balance and the threshold are written as "10.00 UAH", never
        "10" or "0"; the details keep the exact values."""
        policy = DeletionPolicy(max_balance=max_balance)
        activity = seed_account(balance=Money(balance, "UAH"))
        reason = can_schedule(DeletionFacts(activity=activity), policy, at=NOW, zone=KYIV).reasons[
            2
        ]
        assert (code, "DEL-1") == (reason.code, reason.rule)
        assert sentence == reason.message
        assert Money(balance, "UAH") == reason.details["balance"]
        assert Decimal(max_balance) == reason.details["max_balance"]

    def test_negative_balance_and_no_login_ever_are_eligible(self):
        """DEL-1: a negative balance qualifies; an account nobody ever logged in to is idle."""
        activity = make_activity(
            created_at=NOW - timedelta(days=100), opening_balance=Money("-19", "UAH")
        )
        decision = can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        assert decision.allowed is True
        assert decision.reasons[1].details["last_login_at"] is None

    def test_days_are_local_calendar_days(self):
        """DEL-1: days are calendar days in the account's zone, not 24-hour periods."""
        created = datetime(2024, 1, 1, 23, 30, tzinfo=KYIV)
        activity = make_activity(created_at=created, opening_balance=ZERO)
        at = datetime(2024, 2, 11, 0, 30, tzinfo=KYIV)  # 40 days and one hour later
        assert (
            41
            == can_schedule(DeletionFacts(activity=activity), POLICY, at=at, zone=KYIV)
            .reasons[0]
            .details["age_days"]
        )
        assert (
            can_schedule(
                DeletionFacts(activity=activity), POLICY, at=at, zone="Europe/Kyiv"
            ).allowed
            is True
        )
        assert (
            can_schedule(DeletionFacts(activity=activity), POLICY, at=at, zone="UTC").allowed
            is False
        )

    def test_knobs_change_the_thresholds(self):
        """DEL-1: min_age_days, inactivity_days and max_balance are knobs."""
        activity = seed_account(balance=Money(5, "UAH"))
        policy = DeletionPolicy(min_age_days=50, inactivity_days=31, max_balance=5)
        decision = can_schedule(DeletionFacts(activity=activity), policy, at=NOW, zone=KYIV)
        assert ("account_too_new", "recent_login", "balance_empty") == decision.codes

    @given(data=st.data())
    def test_generated_inactive_accounts_are_eligible(self, data):
        """DEL-1 property: an account older and idler than the thresholds, empty, is eligible."""
        policy = data.draw(deletion_policies())
        activity, at = data.draw(inactive_accounts(policy))
        zone = data.draw(zones())
        assert (
            can_schedule(DeletionFacts(activity=activity), policy, at=at, zone=zone).allowed is True
        )

    @given(activity=account_activities(), policy=deletion_policies(), zone=zones())
    def test_one_reason_per_condition(self, activity, policy, zone):
        """DEL-1 property: always three reasons, refused exactly when one condition fails."""
        at = activity.created_at + timedelta(days=50)
        decision = can_schedule(DeletionFacts(activity=activity), policy, at=at, zone=zone)
        assert 3 == len(decision.reasons)
        unmet = {"account_too_new", "recent_login", "balance_remaining"} & set(decision.codes)
        assert (not unmet) == decision.allowed


# --------------------------------------------------------------------------------------------
# DEL-3, DEL-4, DEL-5, DEL-6: the seed's story


class TestSeedStory:
    def test_notice_reminders_deletion_restorable_purge(self):
        """DEL-3, DEL-4, DEL-5, DEL-6: notice on day 0, reminders on days 7 and 9, deletion
        on day 10, restorable until day 30, then purge."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        effects = all_effects(sched, activity)
        expected = [
            ("schedule_deletion", 0),
            ("send_email", 0),
            ("show_banner", 0),
            ("send_email", 7),
            ("send_email", 9),
            ("hide_banner", 10),
            ("delete_account", 10),
            ("purge_data", 30),
        ]
        assert expected == local_days(effects, NOW, KYIV)
        assert [NOTICE_TEMPLATE, REMINDER_TEMPLATE, REMINDER_TEMPLATE] == [
            e.template for e in effects if isinstance(e, SendEmail)
        ]
        assert {"owner"} == {e.to for e in effects if isinstance(e, SendEmail)}
        banner = next(e for e in effects if isinstance(e, ShowBanner))
        assert "2024-05-20" == banner.details["deletion_date"]
        assert [
            ("schedule_deletion", "DEL-1"),
            ("send_email", "DEL-3"),
            ("show_banner", "DEL-5"),
        ] == kinds(effects[:3])
        assert {"DEL-4"} == {e.rule for e in effects[3:5]}
        assert all(e.at.astimezone(KYIV).time() == NOW.time() for e in effects)

    def test_states_along_the_story(self):
        """DEL-3, DEL-6: pending during the notice, deleted (restorable) until day 30, purged."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        when = deadlines_of(sched, POLICY, zone=KYIV)
        assert date(2024, 5, 20) == when.deletion_date
        assert datetime(2024, 6, 9, 9, tzinfo=KYIV) == when.restorable_until

        def at(days, hours=0):
            return state_at(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                at=NOW + timedelta(days=days, hours=hours),
                zone=KYIV,
            )

        assert at(-1) is None
        assert DeletionState.PENDING == at(0)
        assert DeletionState.PENDING == at(9, 23)
        assert DeletionState.DELETED == at(10)
        assert DeletionState.DELETED == at(29, 23)
        assert DeletionState.PURGED == at(30)

    def test_transitions_for_the_timeline(self):
        """DEL-3, DEL-6, DEL-7: the transitions in a window, with rule IDs and details."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        changes = list(
            transitions(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=NOW - FAR,
                end=NOW + FAR,
                zone=KYIV,
            )
        )
        assert [
            (DeletionKind.DELETION_SCHEDULED, 0),
            (DeletionKind.DELETION_REMINDER, 7),
            (DeletionKind.DELETION_REMINDER, 9),
            (DeletionKind.ACCOUNT_DELETED, 10),
            (DeletionKind.DATA_PURGED, 30),
        ] == [(c.kind, (c.at.date() - NOW.date()).days) for c in changes]
        assert {"deletion"} == {c.area for c in changes}
        assert ("DEL-6", "DEL-7") == changes[3].rules
        assert changes[4].at == changes[3].reasons[0].details["restorable_until"]
        later = list(
            transitions(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=NOW + timedelta(days=10),
                end=NOW + FAR,
                zone=KYIV,
            )
        )
        assert changes[3:] == later

    @pytest.mark.parametrize("zone_name", ["Pacific/Auckland", "America/New_York"])
    def test_same_local_dates_across_dst(self, zone_name):
        """DEL-3, DEL-4, DEL-6 zones: in Auckland (DST ends 7 April 2024) and New York (DST
        starts 10 March 2024) the story gives the same local calendar dates and wall time."""
        zone = ZoneInfo(zone_name)
        now = datetime(2024, 3, 9, 9, 0, tzinfo=zone)
        activity = seed_account(now, balance=Money(0, "USD"))
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=now, zone=zone).schedule
        effects = all_effects(sched, activity, zone=zone)
        assert [
            ("schedule_deletion", date(2024, 3, 9)),
            ("send_email", date(2024, 3, 9)),
            ("show_banner", date(2024, 3, 9)),
            ("send_email", date(2024, 3, 16)),
            ("send_email", date(2024, 3, 18)),
            ("hide_banner", date(2024, 3, 19)),
            ("delete_account", date(2024, 3, 19)),
            ("purge_data", date(2024, 4, 8)),
        ] == [(e.kind, e.at.astimezone(zone).date()) for e in effects]
        assert {now.time()} == {e.at.astimezone(zone).time() for e in effects}
        offsets = {e.at.astimezone(zone).utcoffset() for e in effects}
        assert 2 == len(offsets)  # a DST change lies inside the story

    def test_wall_time_in_a_dst_gap_moves_forward_by_the_gap(self):
        """DEL-3, DEL-6: a deletion whose wall time falls in a DST gap moves forward by the
        gap's length: 02:30 on New York's spring-forward night (02:00 → 03:00) is 03:30, not
        03:00; the days around it keep 02:30."""
        zone = ZoneInfo("America/New_York")
        sched = DeletionSchedule(scheduled_at=datetime(2024, 2, 29, 2, 30, tzinfo=zone))
        when = deadlines_of(sched, POLICY, zone=zone)
        assert datetime(2024, 3, 10, 7, 30, tzinfo=UTC) == when.deletion_at
        assert "2024-03-10T03:30:00-04:00" == when.deletion_at.astimezone(zone).isoformat()
        assert date(2024, 3, 10) == when.deletion_date
        assert [
            "2024-03-07T02:30:00-05:00",
            "2024-03-09T02:30:00-05:00",
        ] == [at.astimezone(zone).isoformat() for _, at in when.reminders]
        assert "2024-03-30T02:30:00-04:00" == when.purge_at.astimezone(zone).isoformat()

    def test_a_skipped_day_moves_the_wall_time_to_the_next_day(self):
        """DEL-3: Pacific/Apia skipped 30 December 2011 (a 24-hour gap): a deletion due at
        09:00 that day happens at 09:00 on the 31st, and that is the date shown."""
        zone = ZoneInfo("Pacific/Apia")
        sched = DeletionSchedule(scheduled_at=datetime(2011, 12, 20, 9, 0, tzinfo=zone))
        when = deadlines_of(sched, POLICY, zone=zone)
        assert "2011-12-31T09:00:00+14:00" == when.deletion_at.astimezone(zone).isoformat()
        assert date(2011, 12, 31) == when.deletion_date
        elapsed = when.deletion_at.astimezone(UTC) - sched.scheduled_at.astimezone(UTC)
        assert timedelta(days=10) == elapsed  # 11 wall-clock days, 240 hours

    def test_wall_time_in_a_dst_overlap_is_the_first_of_the_two(self):
        """DEL-3: 01:30 exists twice on New York's fall-back night (3 November 2024): the
        deletion happens at the first, still on daylight time (-04:00)."""
        zone = ZoneInfo("America/New_York")
        sched = DeletionSchedule(scheduled_at=datetime(2024, 10, 24, 1, 30, tzinfo=zone))
        when = deadlines_of(sched, POLICY, zone=zone)
        # Compared through UTC: an ambiguous wall time is never == an instant in another zone.
        assert datetime(2024, 11, 3, 5, 30, tzinfo=UTC) == when.deletion_at.astimezone(UTC)
        assert "2024-11-03T01:30:00-04:00" == when.deletion_at.astimezone(zone).isoformat()

    #: Gaps: the zone, the first skipped wall time and the gap's length in minutes.
    GAPS = (
        ("America/New_York", datetime.combine(date(2024, 3, 10), time(2, 0)), 60),
        ("Europe/Kyiv", datetime.combine(date(2024, 3, 31), time(3, 0)), 60),
        ("Australia/Lord_Howe", datetime.combine(date(2024, 10, 6), time(2, 0)), 30),
        ("Pacific/Apia", datetime.combine(date(2011, 12, 30), time(0, 0)), 24 * 60),
    )

    @given(gap=st.sampled_from(GAPS), data=st.data())
    def test_a_deadline_in_any_gap_moves_forward_by_the_gap(self, gap, data):
        """DEL-3, DEL-6: wherever the deletion's wall time falls inside a gap (30 minutes in
        Lord Howe, an hour in New York and Kyiv, a whole day in Apia), it happens exactly the
        gap's length later on the wall clock, and 10 × 24 hours after scheduling when the
        scheduling instant itself was outside the gap."""
        name, first_skipped, length = gap
        zone = ZoneInfo(name)
        wall = first_skipped + timedelta(minutes=data.draw(st.integers(0, length - 1)))
        start = (wall - timedelta(days=10)).replace(tzinfo=zone)
        when = deadlines_of(DeletionSchedule(scheduled_at=start), POLICY, zone=zone)
        moved = wall + timedelta(minutes=length)
        assert moved == when.deletion_at.astimezone(zone).replace(tzinfo=None)
        assert timedelta(days=10) == when.deletion_at.astimezone(UTC) - start.astimezone(UTC)

    @given(
        day=st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
        minute=st.integers(min_value=0, max_value=24 * 60 - 1),
        zone_name=st.sampled_from(
            ["America/New_York", "Europe/Kyiv", "Australia/Lord_Howe", "Pacific/Apia"]
        ),
    )
    def test_every_deadline_keeps_the_wall_time_where_it_exists(self, day, minute, zone_name):
        """DEL-3, DEL-4, DEL-6: each deadline is N local days after scheduling at the same
        wall time whenever that wall time exists on the target day."""
        zone = ZoneInfo(zone_name)
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        start = wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        when = deadlines_of(DeletionSchedule(scheduled_at=start), POLICY, zone=zone)
        local = start.replace(tzinfo=None)
        deadlines_by_day = [(10, when.deletion_at), (30, when.purge_at)]
        deadlines_by_day += [(10 - before, at) for before, at in when.reminders]
        for days, at in deadlines_by_day:
            target = local + timedelta(days=days)
            round_trip = target.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
            if round_trip.replace(tzinfo=None) == target:  # the wall time exists that day
                assert target == at.astimezone(zone).replace(tzinfo=None)
            else:
                assert target < at.astimezone(zone).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# Scheduling (DEL-1, DEL-2, DEL-3)


class TestSchedule:
    def test_refuses_an_account_that_is_not_eligible(self):
        """DEL-1, DEL-3: scheduling asks eligibility; a refusal carries the same decision."""
        activity = seed_account(balance=Money("0.01", "UAH"))
        with pytest.raises(PolicyViolation) as excinfo:
            schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        assert (
            can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
            == excinfo.value.decision
        )

    def test_refuses_an_instant_before_the_account_was_created(self):
        """DEL-1 bad input: a schedule cannot precede the account's creation."""
        activity = seed_account()
        with pytest.raises(InvalidInput) as excinfo:
            schedule(
                DeletionFacts(activity=activity),
                POLICY,
                at=activity.created_at - timedelta(seconds=1),
                zone=KYIV,
            )
        assert "at" == excinfo.value.field

    def test_a_schedule_that_precedes_creation_is_refused_by_every_reader(self):
        """DEL-1 bad input: a hand-built schedule before the creation is refused, naming it."""
        activity = seed_account()
        sched = DeletionSchedule(scheduled_at=activity.created_at - timedelta(days=1))
        with pytest.raises(InvalidInput) as excinfo:
            state_at(DeletionFacts(activity=activity, schedule=sched), POLICY, at=NOW, zone=KYIV)
        assert "DeletionSchedule.scheduled_at" == excinfo.value.field

    def test_naive_datetimes_are_refused(self):
        """DEL-1, DEL-3 bad input: naive instants are refused, naming the parameter."""
        naive = datetime(2024, 5, 10, 9)  # noqa: DTZ001 - the point of the test
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        calls = {
            "at": lambda: (
                schedule(DeletionFacts(activity=activity), POLICY, at=naive, zone=KYIV).schedule
            ),
            "start": lambda: effects_due(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=naive,
                end=NOW,
                zone=KYIV,
                account="acme",
            ),
            "end": lambda: list(
                transitions(
                    DeletionFacts(activity=activity, schedule=sched),
                    POLICY,
                    start=NOW,
                    end=naive,
                    zone=KYIV,
                )
            ),
        }
        for field, call in calls.items():
            with pytest.raises(NaiveDatetimeError) as excinfo:
                call()
            assert field == excinfo.value.field
        with pytest.raises(NaiveDatetimeError) as excinfo:
            DeletionSchedule(scheduled_at=naive)
        assert "DeletionSchedule.scheduled_at" == excinfo.value.field


class TestManualDeletion:
    def test_owner_deletes_at_once_with_the_same_retention(self):
        """DEL-2: a manual deletion has no notice (no email, banner or reminder by default);
        the account is deleted at once and restorable for 20 days, then purged."""
        activity = seed_account().with_login(NOW - timedelta(hours=1))
        sched = delete_manually(
            DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV, role="owner"
        ).schedule
        assert DeletionScheduleKind.MANUAL == sched.kind
        effects = all_effects(sched, activity)
        assert [
            ("schedule_deletion", "DEL-2"),
            ("delete_account", "DEL-2"),
            ("purge_data", "DEL-6"),
        ] == kinds(effects)
        assert [0, 0, 20] == [(e.at - NOW).days for e in effects]
        assert DeletionState.DELETED == state_at(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=NOW, zone=KYIV
        )

    def test_manual_notice_is_a_knob(self):
        """DEL-2: with manual_notice_days=2 the owner is notified and reminded the day before."""
        policy = DeletionPolicy(manual_notice_days=2)
        activity = seed_account().with_login(NOW)
        sched = delete_manually(
            DeletionFacts(activity=activity), policy, at=NOW, zone=KYIV, role="owner"
        ).schedule
        effects = all_effects(sched, activity, policy)
        assert [
            ("schedule_deletion", 0),
            ("send_email", 0),
            ("show_banner", 0),
            ("send_email", 1),
            ("hide_banner", 2),
            ("delete_account", 2),
            ("purge_data", 22),
        ] == local_days(effects, NOW, KYIV)
        assert (
            can_go_ahead(
                DeletionFacts(activity=activity, schedule=sched), policy, zone=KYIV
            ).allowed
            is True
        )

    @pytest.mark.parametrize("role", ["admin", "staff"])
    def test_only_the_owner_may_delete(self, role):
        """DEL-2: admins and staff may not delete the account; the refusal says why."""
        decision = can_delete_manually(role=role)
        assert ("owner_only",) == decision.codes
        with pytest.raises(PolicyViolation) as excinfo:
            delete_manually(
                DeletionFacts(activity=seed_account()), POLICY, at=NOW, zone=KYIV, role=role
            )
        assert decision == excinfo.value.decision
        assert ("owner_may_delete",) == can_delete_manually(role="owner").codes


# --------------------------------------------------------------------------------------------
# DEL-3 cancel


class TestCancel:
    def test_owner_cancels_during_the_notice(self):
        """DEL-3, DEL-5: cancelled on day 8: no later reminder, banner hidden, no deletion."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        day8 = NOW + timedelta(days=8)
        assert can_cancel(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            at=day8,
            zone=KYIV,
            role="owner",
        ).allowed
        cancelled = cancel(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=day8, zone=KYIV
        ).schedule
        assert day8 == cancelled.cancelled_at
        assert sched.cancelled_at is None
        effects = all_effects(cancelled, activity)
        assert [
            ("schedule_deletion", "DEL-1"),
            ("send_email", "DEL-3"),
            ("show_banner", "DEL-5"),
            ("send_email", "DEL-4"),
            ("hide_banner", "DEL-5"),
        ] == kinds(effects)
        assert day8 == effects[-1].at
        assert DeletionState.CANCELLED == state_at(
            DeletionFacts(activity=activity, schedule=cancelled), POLICY, at=NOW + FAR, zone=KYIV
        )

    def test_cancel_after_the_deletion_is_refused(self):
        """DEL-3: once deleted, the deletion can no longer be cancelled; nothing changes."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        day10 = NOW + timedelta(days=10)
        decision = can_cancel(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            at=day10,
            zone=KYIV,
            role="owner",
        )
        assert ("deletion_not_pending",) == decision.codes
        with pytest.raises(PolicyViolation) as excinfo:
            cancel(DeletionFacts(activity=activity, schedule=sched), POLICY, at=day10, zone=KYIV)
        assert decision == excinfo.value.decision
        assert (
            sched == schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        )

    def test_only_the_owner_may_cancel(self):
        """DEL-3: an admin cannot cancel; before scheduling nothing can be cancelled."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        decision = can_cancel(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            at=NOW,
            zone=KYIV,
            role="admin",
        )
        assert ("cancel_owner_only",) == decision.codes
        assert ("DEL-3",) == decision.rules
        early = NOW - timedelta(days=1)
        decision = can_cancel(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            at=early,
            zone=KYIV,
            role="staff",
        )
        assert ("cancel_owner_only", "deletion_not_pending") == decision.codes
        assert "not scheduled yet" in decision.message

    def test_a_recorded_cancel_after_the_deletion_is_invalid(self):
        """DEL-3 bad input: a hand-built cancel after the deletion instant is refused."""
        activity = seed_account()
        sched = DeletionSchedule(scheduled_at=NOW, cancelled_at=NOW + timedelta(days=11))
        with pytest.raises(InvalidInput) as excinfo:
            effects_due(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=NOW,
                end=NOW + FAR,
                zone=KYIV,
                account="acme",
            )
        assert "DeletionSchedule.cancelled_at" == excinfo.value.field


# --------------------------------------------------------------------------------------------
# DEL-6 restore


class TestRestore:
    def test_support_restores_inside_retention(self):
        """DEL-6: on day 29 support restores: RestoreAccount, no purge, state restored."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        day29 = NOW + timedelta(days=29)
        assert ("inside_retention",) == can_restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=day29, zone=KYIV
        ).codes
        restored = restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=day29, zone=KYIV
        ).schedule
        effects = all_effects(restored, activity)
        assert ["delete_account", "restore_account"] == [e.kind for e in effects[-2:]]
        assert not any(isinstance(e, PurgeData) for e in effects)
        assert DeletionState.RESTORED == state_at(
            DeletionFacts(activity=activity, schedule=restored), POLICY, at=NOW + FAR, zone=KYIV
        )
        assert DeletionState.DELETED == state_at(
            DeletionFacts(activity=activity, schedule=restored),
            POLICY,
            at=day29 - timedelta(seconds=1),
            zone=KYIV,
        )

    def test_restore_after_the_window_is_refused_and_nothing_changes(self):
        """DEL-6 bad input: on day 30 the data are purged; restore is refused with the end of
        the window in the message, and the schedule is unchanged."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        day30 = NOW + timedelta(days=30)
        decision = can_restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=day30, zone=KYIV
        )
        assert ("retention_over",) == decision.codes
        assert "2024-06-09T09:00:00+03:00" in decision.message
        with pytest.raises(PolicyViolation) as excinfo:
            restore(DeletionFacts(activity=activity, schedule=sched), POLICY, at=day30, zone=KYIV)
        assert decision == excinfo.value.decision
        assert sched.restored_at is None

    def test_restore_before_the_deletion_is_refused(self):
        """DEL-6: a pending deletion cannot be restored (it can be cancelled, DEL-3)."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        decision = can_restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=NOW, zone=KYIV
        )
        assert ("not_deleted",) == decision.codes
        early = can_restore(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            at=NOW - timedelta(1),
            zone=KYIV,
        )
        assert "not scheduled yet" in early.message

    def test_a_recorded_restore_outside_the_window_is_invalid(self):
        """DEL-6 bad input: a hand-built restore before the deletion is refused."""
        sched = DeletionSchedule(scheduled_at=NOW, restored_at=NOW + timedelta(days=1))
        with pytest.raises(InvalidInput) as excinfo:
            state_at(
                DeletionFacts(activity=seed_account(), schedule=sched), POLICY, at=NOW, zone=KYIV
            )
        assert "DeletionSchedule.restored_at" == excinfo.value.field

    @given(hours=st.integers(min_value=-24, max_value=40 * 24), zone=zones())
    def test_restore_only_inside_the_retention_window(self, hours, zone):
        """DEL-6 property: restore is allowed exactly in [deletion_at, purge_at)."""
        now = NOW.astimezone(zone)
        activity = seed_account(now)
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=now, zone=zone).schedule
        when = deadlines_of(sched, POLICY, zone=zone)
        at = now + timedelta(hours=hours)
        allowed = can_restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=at, zone=zone
        ).allowed
        assert (when.deletion_at <= at < when.purge_at) == allowed


# --------------------------------------------------------------------------------------------
# DEL-7


class TestNoLongerEligible:
    def test_a_login_during_the_notice_keeps_the_account(self):
        """DEL-7: a login on day 5 keeps the account: no deletion, no purge; the banner is
        hidden and the reason recorded as recent_login (RecordDeletionOutcome, DEL-7). Still
        idle, the account becomes eligible again 31 local days after that login, at local
        midnight, and the run schedules a new deletion then (DEL-1): the kept schedule's own
        effects end before it."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        later = activity.with_login(NOW + timedelta(days=5))
        decision = can_go_ahead(DeletionFacts(activity=later, schedule=sched), POLICY, zone=KYIV)
        assert decision.allowed is False
        assert "no_longer_eligible" == decision.codes[0]
        assert ("DEL-7", "DEL-1") == decision.rules
        everything = all_effects(sched, later)
        effects = _own(everything, sched)
        anew = datetime(2024, 6, 15, tzinfo=KYIV)  # 2024-05-15 (the login) + 31 local days
        assert (
            ScheduleDeletion(at=anew, rule="DEL-1", deletion_kind="automatic", account="acme")
            == everything[len(effects)]
        )
        assert not any(isinstance(e, (DeleteAccount, PurgeData)) for e in effects)
        assert isinstance(effects[-2], HideBanner)
        assert (
            RecordDeletionOutcome(
                at=NOW + timedelta(days=10),
                rule="DEL-7",
                kept_because=("recent_login",),
                account="acme",
            )
            == effects[-1]
        )
        assert DeletionState.KEPT == state_at(
            DeletionFacts(activity=later, schedule=sched), POLICY, at=NOW + FAR, zone=KYIV
        )
        kept = record_outcome(
            DeletionFacts(activity=later, schedule=sched),
            POLICY,
            at=NOW + timedelta(days=10),
            zone=KYIV,
        ).schedule
        assert ("recent_login",) == kept.kept_because
        assert NOW + timedelta(days=10) == kept.kept_at
        assert DeletionState.KEPT == state_at(
            DeletionFacts(activity=activity, schedule=kept), POLICY, at=NOW + FAR, zone=KYIV
        )
        assert (
            kept
            == record_outcome(
                DeletionFacts(activity=later, schedule=kept), POLICY, at=NOW + FAR, zone=KYIV
            ).schedule
        )

    def test_a_top_up_during_the_notice_keeps_the_account(self):
        """DEL-7: a top-up of $19 on day 9 keeps the account; the transition says why."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        topped = with_balance(activity, Money(19, "UAH"), at=NOW + timedelta(days=9))
        changes = list(
            transitions(
                DeletionFacts(activity=topped, schedule=sched),
                POLICY,
                start=NOW,
                end=NOW + FAR,
                zone=KYIV,
            )
        )
        assert [
            DeletionKind.DELETION_SCHEDULED,
            DeletionKind.DELETION_REMINDER,
            DeletionKind.DELETION_REMINDER,
            DeletionKind.DELETION_KEPT,
        ] == [c.kind for c in changes]
        assert ("DEL-7",) == changes[-1].rules
        assert ("balance_remaining",) == changes[-1].reasons[0].details["kept_because"]
        assert ("DEL-7",) == can_go_ahead(
            DeletionFacts(
                activity=topped,
                schedule=record_outcome(
                    DeletionFacts(activity=topped, schedule=sched), POLICY, at=NOW + FAR, zone=KYIV
                ).schedule,
            ),
            POLICY,
            zone=KYIV,
        ).rules

    def test_a_still_eligible_account_is_deleted_and_outcome_is_not_recorded(self):
        """DEL-7: still eligible at the deletion instant: deleted; record_outcome changes
        nothing; before the deletion instant the outcome cannot be recorded."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        assert (
            "still_eligible"
            == can_go_ahead(
                DeletionFacts(activity=activity, schedule=sched), POLICY, zone=KYIV
            ).codes[0]
        )
        assert (
            sched
            == record_outcome(
                DeletionFacts(activity=activity, schedule=sched), POLICY, at=NOW + FAR, zone=KYIV
            ).schedule
        )
        with pytest.raises(InvalidInput) as excinfo:
            record_outcome(
                DeletionFacts(activity=activity, schedule=sched), POLICY, at=NOW, zone=KYIV
            )
        assert "at" == excinfo.value.field

    def test_a_recorded_kept_at_must_be_the_deletion_instant(self):
        """DEL-7 bad input: a kept_at that is not the deletion instant is refused."""
        sched = DeletionSchedule(scheduled_at=NOW, kept_at=NOW, kept_because=("recent_login",))
        with pytest.raises(InvalidInput) as excinfo:
            can_go_ahead(DeletionFacts(activity=seed_account(), schedule=sched), POLICY, zone=KYIV)
        assert "DeletionSchedule.kept_at" == excinfo.value.field

    @given(
        data=st.data(),
        login_hours=st.lists(st.integers(min_value=0, max_value=12 * 24), max_size=3),
        top_up=st.none() | st.integers(min_value=0, max_value=12 * 24),
    )
    def test_no_deletion_effect_unless_still_eligible(self, data, login_hours, top_up):
        """DEL-7 property: DeleteAccount and PurgeData appear only when the account is still
        eligible at the deletion instant."""
        activity, at = data.draw(inactive_accounts())
        zone = data.draw(zones())
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=at, zone=zone).schedule
        for hours in login_hours:
            activity = activity.with_login(at + timedelta(hours=hours))
        if top_up is not None:
            activity = with_balance(activity, Money(1, "USD"), at=at + timedelta(hours=top_up))
        when = deadlines_of(sched, POLICY, zone=zone)
        still = can_schedule(
            DeletionFacts(activity=activity), POLICY, at=when.deletion_at, zone=zone
        ).allowed
        # The stored schedule's own effects: a kept account still idle is scheduled anew later
        # (DEL-1), and that schedule may delete it.
        effects = _own(all_effects(sched, activity, zone=zone), sched)
        deleting = any(isinstance(e, (DeleteAccount, PurgeData)) for e in effects)
        assert still == deleting


class TestScheduledAgain:
    def test_del1_again_after_a_cancel_only_once_eligible_anew(self):
        """DEL-1 again after DEL-3: the owner cancels on day 2 while the account is still
        eligible; no new deletion is scheduled while it stays eligible. A login on day 5
        (2024-05-15) makes it not eligible; 31 local days after it, at local midnight
        (2024-06-15 00:00 Kyiv), it becomes eligible again (eligible then and not the
        microsecond before) and the transitions schedule exactly one new deletion then, with
        ScheduleDeletion (DEL-1, at another instant than the cancelled schedule's), notice,
        reminders, deletion and purge."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        day2 = NOW + timedelta(days=2)
        assert can_schedule(DeletionFacts(activity=activity), POLICY, at=day2, zone=KYIV).allowed
        cancelled = cancel(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=day2, zone=KYIV
        ).schedule

        def changes(activity_, start=NOW):
            return list(
                transitions(
                    DeletionFacts(activity=activity_, schedule=cancelled),
                    POLICY,
                    start=start,
                    end=NOW + FAR,
                    zone=KYIV,
                )
            )

        # Still eligible after the cancel: nothing more, ever.
        assert [
            (DeletionKind.DELETION_SCHEDULED, NOW),
            (DeletionKind.DELETION_CANCELLED, day2),
        ] == [(c.kind, c.at) for c in changes(activity)]
        scheduling = [
            e
            for e in effects_due(
                DeletionFacts(activity=activity, schedule=cancelled),
                POLICY,
                start=NOW,
                end=NOW + FAR,
                zone=KYIV,
                account="acme",
            )
            if isinstance(e, ScheduleDeletion)
        ]
        assert [NOW] == [e.at for e in scheduling]
        # A login after the cancel, then 31 idle local days: scheduled again, once.
        logged = activity.with_login(NOW + timedelta(days=5))
        anew = datetime(2024, 6, 15, tzinfo=KYIV)
        assert not can_schedule(
            DeletionFacts(activity=logged), POLICY, at=anew - timedelta(microseconds=1), zone=KYIV
        ).allowed
        assert can_schedule(DeletionFacts(activity=logged), POLICY, at=anew, zone=KYIV).allowed
        again = changes(logged)
        assert [
            (DeletionKind.DELETION_SCHEDULED, NOW),
            (DeletionKind.DELETION_CANCELLED, day2),
            (DeletionKind.DELETION_SCHEDULED, anew),
            (DeletionKind.DELETION_REMINDER, anew + timedelta(days=7)),
            (DeletionKind.DELETION_REMINDER, anew + timedelta(days=9)),
            (DeletionKind.ACCOUNT_DELETED, anew + timedelta(days=10)),
            (DeletionKind.DATA_PURGED, anew + timedelta(days=30)),
        ] == [(c.kind, c.at) for c in again]
        assert (
            ScheduleDeletion(at=anew, rule="DEL-1", deletion_kind="automatic"),
            SendEmail(
                at=anew,
                rule="DEL-3",
                template=NOTICE_TEMPLATE,
                to="owner",
                details={"deletion_date": "2024-06-25", "days": 10},
            ),
            ShowBanner(
                at=anew, rule="DEL-5", banner=BANNER, details={"deletion_date": "2024-06-25"}
            ),
        ) == again[2].effects
        assert _own(again, cancelled) == again[:2]
        # The instant depends on the facts alone: a window from it gives the same; one that
        # starts after it finds the account already eligible and schedules nothing.
        assert again[2:] == changes(logged, start=anew)
        assert [] == changes(logged, start=anew + timedelta(microseconds=1))

    def test_a_cancel_at_the_scheduling_instant_schedules_nothing_anew(self):
        """DEL-1, DEL-3: the run schedules the seed's account at 00:00 on NOW's local day, the
        instant it becomes eligible; the owner cancels at that very instant. The account stays
        eligible, so nothing is scheduled again: no second ScheduleDeletion, no deletion."""
        activity = seed_account()
        midnight = datetime(2024, 5, 10, tzinfo=KYIV)
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=midnight, zone=KYIV).schedule
        cancelled = cancel(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=midnight, zone=KYIV
        ).schedule
        facts = DeletionFacts(activity=activity, schedule=cancelled)
        assert [
            (DeletionKind.DELETION_SCHEDULED, midnight),
            (DeletionKind.DELETION_CANCELLED, midnight),
        ] == [
            (c.kind, c.at)
            for c in transitions(facts, POLICY, start=midnight, end=midnight + FAR, zone=KYIV)
        ]

    def test_a_restore_at_the_manual_deletion_instant_schedules_nothing_at_that_instant(self):
        """DEL-1, DEL-2, DEL-6: the owner deletes the seed's account at 00:00 on NOW's local
        day, the instant it becomes eligible, and support restores it at that very instant.
        A deletion the run schedules anew is at another instant than the stored schedule's
        (apply refuses a second schedule at that instant): none at midnight after the
        restore."""
        activity = seed_account()
        midnight = datetime(2024, 5, 10, tzinfo=KYIV)
        manual = delete_manually(
            DeletionFacts(activity=activity), POLICY, at=midnight, zone=KYIV, role="owner"
        ).schedule
        back = restore(
            DeletionFacts(activity=activity, schedule=manual), POLICY, at=midnight, zone=KYIV
        ).schedule
        facts = DeletionFacts(activity=activity, schedule=back)
        assert [
            (DeletionKind.DELETION_SCHEDULED, midnight),
            (DeletionKind.ACCOUNT_DELETED, midnight),
            (DeletionKind.ACCOUNT_RESTORED, midnight),
        ] == [
            (c.kind, c.at)
            for c in transitions(facts, POLICY, start=midnight, end=midnight + FAR, zone=KYIV)
            if c.at == midnight
        ]


# --------------------------------------------------------------------------------------------
# Effects over windows


@st.composite
def stories(draw):
    """A schedule with optional cancel or restore, its activity, policy and zone."""
    policy = draw(deletion_policies())
    activity, at = draw(inactive_accounts(policy))
    zone = draw(zones())
    kind = draw(st.sampled_from(DeletionScheduleKind))
    if kind is DeletionScheduleKind.AUTOMATIC:
        sched = schedule(DeletionFacts(activity=activity), policy, at=at, zone=zone).schedule
    else:
        sched = delete_manually(
            DeletionFacts(activity=activity), policy, at=at, zone=zone, role="owner"
        ).schedule
    hours = draw(st.integers(min_value=0, max_value=60 * 24))
    later = at + timedelta(hours=hours)
    if draw(st.booleans()):
        activity = activity.with_login(at + timedelta(hours=draw(st.integers(0, 30 * 24))))
    if can_cancel(
        DeletionFacts(activity=activity, schedule=sched), policy, at=later, zone=zone, role="owner"
    ).allowed:
        if draw(st.booleans()):
            sched = cancel(
                DeletionFacts(activity=activity, schedule=sched), policy, at=later, zone=zone
            ).schedule
    elif can_restore(
        DeletionFacts(activity=activity, schedule=sched), policy, at=later, zone=zone
    ).allowed and draw(st.booleans()):
        sched = restore(
            DeletionFacts(activity=activity, schedule=sched), policy, at=later, zone=zone
        ).schedule
    return sched, activity, policy, zone


class TestEffectsDue:
    @given(story=stories(), cuts=st.lists(st.integers(min_value=-2 * 24, max_value=80 * 24)))
    def test_any_partition_gives_each_effect_once(self, story, cuts):
        """DEL-3 … DEL-7 property: the stored schedule's effects over consecutive windows equal
        those over the whole range, with no duplicates, whatever the cuts. Both are cut at the
        deletion the run schedules anew once this one is over (DEL-1 again): over fixed facts
        this stays a property of the stored schedule; the new schedule's own partition needs
        its effects applied between the pieces (X-9), see tests/test_deletion_run.py and
        tests/test_closed_loop.py."""
        sched, activity, policy, zone = story
        start = sched.scheduled_at - timedelta(days=2)
        end = sched.scheduled_at + timedelta(days=80)
        whole = _own(
            effects_due(
                DeletionFacts(activity=activity, schedule=sched),
                policy,
                start=start,
                end=end,
                zone=zone,
                account="acme",
            ),
            sched,
        )
        bounds = [start, *sorted(sched.scheduled_at + timedelta(hours=h) for h in cuts), end]
        pieces = _own(
            (
                effect
                for since, until in itertools.pairwise(bounds)
                for effect in effects_due(
                    DeletionFacts(activity=activity, schedule=sched),
                    policy,
                    start=since,
                    end=until,
                    zone=zone,
                    account="acme",
                )
            ),
            sched,
        )
        assert whole == pieces
        assert len(set(whole)) == len(whole)
        assert all(start <= e.at < end for e in whole)

    @given(story=stories())
    def test_effects_follow_the_state(self, story):
        """DEL-3, DEL-6 property: no deletion for a cancelled schedule; purge xor restore (of
        the stored schedule's own effects: one scheduled anew later has its own)."""
        sched, activity, policy, zone = story
        effects = _own(all_effects(sched, activity, policy, zone), sched)
        deleted = [e for e in effects if isinstance(e, DeleteAccount)]
        ends = [e for e in effects if isinstance(e, (PurgeData, RestoreAccount))]
        if sched.cancelled_at is not None:
            assert [] == deleted
        assert len(deleted) == len(ends)
        assert [e.at for e in effects] == sorted(e.at for e in effects)
        shown = [e for e in effects if isinstance(e, ShowBanner)]
        hidden = [e for e in effects if isinstance(e, HideBanner)]
        assert len(shown) == len(hidden)

    @given(data=st.data())
    def test_purge_never_less_than_30_days_after_scheduling(self, data):
        """DEL-6 property (default policy): the purge is 30 local calendar days after the
        scheduling, at the same wall time, so never less than 30 days minus a DST hour."""
        activity, at = data.draw(inactive_accounts())
        zone = data.draw(zones())
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=at, zone=zone).schedule
        (purge,) = [e for e in all_effects(sched, activity, zone=zone) if isinstance(e, PurgeData)]
        days = (purge.at.astimezone(zone).date() - at.astimezone(zone).date()).days
        assert 30 == days
        assert purge.at - at >= timedelta(days=30, hours=-1)

    def test_an_empty_or_inverted_window(self):
        """DEL-3: an empty window has no effect; an inverted one is refused naming end."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        assert () == effects_due(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            start=NOW,
            end=NOW,
            zone=KYIV,
            account="acme",
        )
        with pytest.raises(InvalidInput) as excinfo:
            effects_due(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=NOW,
                end=NOW - FAR,
                zone=KYIV,
                account="acme",
            )
        assert "end" == excinfo.value.field


# --------------------------------------------------------------------------------------------
# The transition table


#: The state each transition kind leads to (a reminder changes no state).
_STATE_OF = {
    DeletionKind.DELETION_SCHEDULED: DeletionState.PENDING,
    DeletionKind.DELETION_CANCELLED: DeletionState.CANCELLED,
    DeletionKind.DELETION_KEPT: DeletionState.KEPT,
    DeletionKind.ACCOUNT_DELETED: DeletionState.DELETED,
    DeletionKind.ACCOUNT_RESTORED: DeletionState.RESTORED,
    DeletionKind.DATA_PURGED: DeletionState.PURGED,
}


class TestTransitionTable:
    def test_table(self):
        """DEL-3, DEL-6, DEL-7: pending → cancelled | kept | deleted; deleted → restored |
        purged; the rest are final."""
        assert {
            DeletionEvent.CANCEL: DeletionState.CANCELLED,
            DeletionEvent.KEEP: DeletionState.KEPT,
            DeletionEvent.DELETE: DeletionState.DELETED,
        } == dict(STATE_CHANGES[DeletionState.PENDING])
        assert {
            DeletionEvent.RESTORE: DeletionState.RESTORED,
            DeletionEvent.PURGE: DeletionState.PURGED,
        } == dict(STATE_CHANGES[DeletionState.DELETED])
        assert {
            DeletionState.CANCELLED,
            DeletionState.KEPT,
            DeletionState.RESTORED,
            DeletionState.PURGED,
        } == FINAL_STATES

    @given(story=stories(), zone_hours=st.integers(min_value=-24, max_value=80 * 24))
    def test_state_at_agrees_with_transitions(self, story, zone_hours):
        """DEL-3, DEL-6, DEL-7 property: the state at an instant is the last transition's of
        the stored schedule (state_at reads that schedule; one scheduled anew once it is over
        is not stored until applied, X-9)."""
        sched, activity, policy, zone = story
        at = sched.scheduled_at + timedelta(hours=zone_hours)
        changes = _own(
            transitions(
                DeletionFacts(activity=activity, schedule=sched),
                policy,
                start=sched.scheduled_at - timedelta(days=2),
                end=at + timedelta(0, 1),
                zone=zone,
            ),
            sched,
        )
        states = [_STATE_OF[c.kind] for c in changes if c.kind in _STATE_OF]
        expected = states[-1] if states else None
        assert expected == state_at(
            DeletionFacts(activity=activity, schedule=sched), policy, at=at, zone=zone
        )


# --------------------------------------------------------------------------------------------
# Bad input


class TestBadInput:
    def test_activity_fields(self):
        """DEL-1 bad input: every fact field is validated, naming Class.field."""
        created = NOW - FAR
        cases = [
            (InvalidType, "AccountActivity.created_at", {"created_at": "yesterday"}),
            (InvalidType, "AccountActivity.ledger", {"ledger": ZERO}),
            (InvalidType, "AccountActivity.logins", {"logins": "x"}),
            (InvalidType, "AccountActivity.logins[0]", {"logins": [1]}),
            (
                NaiveDatetimeError,
                "AccountActivity.logins[0]",
                {"logins": [datetime(2024, 1, 1)]},  # noqa: DTZ001
            ),
            (InvalidInput, "AccountActivity.logins", {"logins": [created - timedelta(1)]}),
        ]
        for error, field, change in cases:
            kwargs = {"created_at": created, "ledger": Ledger(currency="UAH"), **change}
            with pytest.raises(error) as excinfo:
                AccountActivity(**kwargs)
            assert field == excinfo.value.field
        activity = seed_account()
        with pytest.raises(InvalidType) as excinfo:
            DeletionFacts(activity="activity")
        assert "DeletionFacts.activity" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            DeletionFacts(activity=activity, schedule="soon")
        assert "DeletionFacts.schedule" == excinfo.value.field

    def test_activity_operations(self):
        """DEL-7 bad input: logins cannot precede creation; ledger entries are the ledger's."""
        activity = seed_account()
        with pytest.raises(InvalidInput) as excinfo:
            activity.with_login(activity.created_at - timedelta(1))
        assert "at" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            activity.with_entry(ZERO)
        assert "entry" == excinfo.value.field
        entry = LedgerEntry(id="p", kind="payment", at=NOW, amount=Money(1, "UAH"))
        topped = activity.with_entry(entry)
        with pytest.raises(InvalidInput):
            topped.with_entry(entry)  # the same id twice
        with pytest.raises(CurrencyMismatch):
            activity.with_entry(attrs.evolve(entry, amount=Money(1, "USD")))
        with pytest.raises(InvalidInput):
            can_schedule(
                DeletionFacts(activity=activity),
                POLICY,
                at=activity.created_at - timedelta(1),
                zone=KYIV,
            )

    def test_policy_fields(self):
        """DEL-1 … DEL-6 bad input: every knob is validated, naming DeletionPolicy.field."""
        cases = [
            (InvalidType, "DeletionPolicy.min_age_days", {"min_age_days": "40"}),
            (InvalidInput, "DeletionPolicy.inactivity_days", {"inactivity_days": -1}),
            (FloatAmountError, "DeletionPolicy.max_balance", {"max_balance": 0.0}),
            (InvalidInput, "DeletionPolicy.notice_days", {"notice_days": 10**9}),
            (InvalidType, "DeletionPolicy.reminder_days_before", {"reminder_days_before": 3}),
            (
                InvalidType,
                "DeletionPolicy.reminder_days_before[0]",
                {"reminder_days_before": (True,)},
            ),
            (
                InvalidInput,
                "DeletionPolicy.reminder_days_before[0]",
                {"reminder_days_before": (0,)},
            ),
            (
                InvalidInput,
                "DeletionPolicy.reminder_days_before[1]",
                {"reminder_days_before": (1, 3)},
            ),
            (
                InvalidInput,
                "DeletionPolicy.reminder_days_before",
                {"reminder_days_before": (10, 1)},
            ),
            (InvalidType, "DeletionPolicy.retention_days", {"retention_days": None}),
            (InvalidInput, "DeletionPolicy.manual_notice_days", {"manual_notice_days": -2}),
        ]
        for error, field, kwargs in cases:
            with pytest.raises(error) as excinfo:
                DeletionPolicy(**kwargs)
            assert field == excinfo.value.field

    def test_schedule_fields(self):
        """DEL-3, DEL-6, DEL-7 bad input: a schedule's records are validated."""
        cases = [
            (InvalidInput, "DeletionSchedule.kind", {"kind": "later"}),
            (InvalidInput, "DeletionSchedule.cancelled_at", {"cancelled_at": NOW - FAR}),
            (
                InvalidInput,
                "DeletionSchedule.restored_at",
                {"cancelled_at": NOW, "restored_at": NOW},
            ),
            (InvalidInput, "DeletionSchedule.kept_because", {"kept_at": NOW}),
            (InvalidInput, "DeletionSchedule.kept_because", {"kept_because": ("x",)}),
            (InvalidType, "DeletionSchedule.kept_because[0]", {"kept_because": (1,)}),
            (InvalidInput, "DeletionSchedule.kept_because[0]", {"kept_because": (" ",)}),
            (
                InvalidInput,
                "DeletionSchedule.kept_at",
                {"kind": "manual", "kept_at": NOW, "kept_because": ("x",)},
            ),
        ]
        for error, field, kwargs in cases:
            with pytest.raises(error) as excinfo:
                DeletionSchedule(scheduled_at=NOW, **kwargs)
            assert field == excinfo.value.field

    def test_arguments(self):
        """DEL-1, DEL-3 bad input: wrong argument types and unknown zones and roles."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        with pytest.raises(InvalidType) as excinfo:
            can_schedule(activity, POLICY, at=NOW, zone=KYIV)
        assert "facts" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            can_schedule(DeletionFacts(activity=activity), {}, at=NOW, zone=KYIV)
        assert "policy" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            deadlines(sched, POLICY, zone=KYIV)
        assert "facts" == excinfo.value.field
        with pytest.raises(UnknownTimeZone) as excinfo:
            state_at(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                at=NOW,
                zone="Mars/Olympus",
            )
        assert "zone" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            can_delete_manually(role="support")
        assert "role" == excinfo.value.field

    def test_instants_beyond_the_calendar(self):
        """DEL-3 bad input: an instant past the supported calendar is refused, naming it."""
        end = datetime(8999, 12, 31, 23, tzinfo=UTC)
        activity = make_activity(created_at=end - FAR, opening_balance=ZERO)
        schedule(
            DeletionFacts(activity=activity), POLICY, at=end, zone="UTC"
        )  # the last year still schedules
        with pytest.raises(OutOfCalendar) as excinfo:
            schedule(
                DeletionFacts(activity=activity),
                POLICY,
                at=datetime(9999, 12, 25, tzinfo=UTC),
                zone="UTC",
            )
        assert "at" == excinfo.value.field

    @given(activity=account_activities(), at=aware_datetimes())
    def test_history_queries(self, activity, at):
        """DEL-7 property: the balance and last login at an instant come from the history."""
        last = activity.last_login_at(at)
        assert last is None or last <= at
        assert all(login <= last or login > at for login in activity.logins if last)
        entries = [e.amount.amount for e in activity.ledger.entries if e.at <= at]
        assert Money(sum(entries, Decimal(0)), activity.currency) == activity.balance_at(at)


# --------------------------------------------------------------------------------------------
# What callers rely on: every reason's code, rule, sentence and details; every error's field
# and problem; the effects, transitions and deadlines in full; the boundaries


def _decisions() -> dict[str, Decision]:
    """A decision for each situation that gives one of the module's sentences."""
    activity = seed_account()
    sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
    young = make_activity(
        created_at=NOW - timedelta(days=40),
        opening_balance=Money(5, "UAH"),
        logins=(NOW - timedelta(hours=1),),
    )
    never = make_activity(created_at=NOW - timedelta(days=41), opening_balance=ZERO)
    day = timedelta(days=1)

    def cancelling(at, role):
        return can_cancel(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=at, zone=KYIV, role=role
        )

    def restoring(at):
        return can_restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=at, zone=KYIV
        )

    def checking(sched_, activity_=activity):
        return can_go_ahead(DeletionFacts(activity=activity_, schedule=sched_), POLICY, zone=KYIV)

    return {
        "eligible": can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV),
        "young": can_schedule(DeletionFacts(activity=young), POLICY, at=NOW, zone=KYIV),
        "yesterday": can_schedule(
            DeletionFacts(activity=activity.with_login(NOW - day)), POLICY, at=NOW, zone=KYIV
        ),
        "thirty": can_schedule(
            DeletionFacts(activity=activity.with_login(NOW - 30 * day)), POLICY, at=NOW, zone=KYIV
        ),
        "never": can_schedule(DeletionFacts(activity=never), POLICY, at=NOW, zone=KYIV),
        "owner": can_delete_manually(role="owner"),
        "admin": can_delete_manually(role="admin"),
        "staff": can_delete_manually(role="staff"),
        "cancellable": cancelling(NOW, "owner"),
        "early": cancelling(NOW - day, "staff"),
        "late": cancelling(NOW + 10 * day, "owner"),
        "retained": restoring(NOW + 10 * day),
        "purged": restoring(NOW + 30 * day),
        "pending": restoring(NOW),
        "unscheduled": restoring(NOW - day),
        "cancelled": checking(attrs.evolve(sched, cancelled_at=NOW + day)),
        "manual": checking(attrs.evolve(sched, kind="manual")),
        "recorded": checking(
            attrs.evolve(sched, kept_at=NOW + 10 * day, kept_because=("recent_login",))
        ),
        "kept": checking(sched, activity.with_login(NOW + 2 * day)),
        "still": checking(sched),
    }


_DELETION_AT = NOW + timedelta(days=10)
_PURGE_AT = NOW + timedelta(days=30)
_LOGIN_31 = {"last_login_at": NOW - timedelta(days=31), "days_since_login": 31}
_EMPTY = {"balance": ZERO, "max_balance": Decimal(0), "threshold": ZERO}
_AGE_41 = {"created_on": date(2024, 3, 30), "age_days": 41, "min_age_days": 40}
_RESTORE = {"deletion_at": _DELETION_AT, "restorable_until": _PURGE_AT}

_GOLDEN: list[tuple[str, int, str, str, str, dict[str, object]]] = [
    (
        "eligible",
        0,
        "account_old_enough",
        "DEL-1",
        "The account was created 41 days ago, more than 40 days.",
        _AGE_41,
    ),
    (
        "eligible",
        1,
        "no_recent_login",
        "DEL-1",
        "No user has logged in during the last 30 days; the last login: 2024-04-09T09:00:00+03:00.",
        {**_LOGIN_31, "inactivity_days": 30},
    ),
    (
        "eligible",
        2,
        "balance_empty",
        "DEL-1",
        "The balance (0.00 UAH) is at or below 0.00 UAH.",
        _EMPTY,
    ),
    (
        "young",
        0,
        "account_too_new",
        "DEL-1",
        "The account was created 40 days ago; only accounts created more than 40 days ago are "
        "deleted for inactivity.",
        {"created_on": date(2024, 3, 31), "age_days": 40, "min_age_days": 40},
    ),
    (
        "young",
        1,
        "recent_login",
        "DEL-1",
        "A user logged in 0 days ago, within the last 30 days.",
        {"last_login_at": NOW - timedelta(hours=1), "days_since_login": 0, "inactivity_days": 30},
    ),
    (
        "young",
        2,
        "balance_remaining",
        "DEL-1",
        "The balance (5.00 UAH) is above 0.00 UAH: money left on the balance avoids deletion.",
        {"balance": Money(5, "UAH"), "max_balance": Decimal(0), "threshold": ZERO},
    ),
    (
        "yesterday",
        1,
        "recent_login",
        "DEL-1",
        "A user logged in 1 day ago, within the last 30 days.",
        {"last_login_at": NOW - timedelta(days=1), "days_since_login": 1, "inactivity_days": 30},
    ),
    (
        "thirty",
        1,
        "recent_login",
        "DEL-1",
        "A user logged in 30 days ago, within the last 30 days.",
        {"last_login_at": NOW - timedelta(days=30), "days_since_login": 30, "inactivity_days": 30},
    ),
    (
        "never",
        1,
        "no_recent_login",
        "DEL-1",
        "No user has logged in during the last 30 days; the last login: none.",
        {"last_login_at": None, "days_since_login": None, "inactivity_days": 30},
    ),
    (
        "owner",
        0,
        "owner_may_delete",
        "DEL-2",
        "The owner may delete the account.",
        {"role": "owner"},
    ),
    (
        "admin",
        0,
        "owner_only",
        "DEL-2",
        "Only the account owner may delete the account, not a user with the admin role.",
        {"role": "admin"},
    ),
    (
        "staff",
        0,
        "owner_only",
        "DEL-2",
        "Only the account owner may delete the account, not a user with the staff role.",
        {"role": "staff"},
    ),
    (
        "cancellable",
        0,
        "deletion_cancellable",
        "DEL-3",
        "The owner may cancel the pending deletion.",
        {"role": "owner", "state": "pending", "deletion_at": _DELETION_AT, "status": "pending"},
    ),
    (
        "early",
        0,
        "cancel_owner_only",
        "DEL-3",
        "Only the account owner may cancel the account's deletion, not a user with the staff role.",
        {
            "role": "staff",
            "state": None,
            "deletion_at": _DELETION_AT,
            "status": "not_scheduled_yet",
        },
    ),
    (
        "early",
        1,
        "deletion_not_pending",
        "DEL-3",
        "A deletion can be cancelled only while it is pending, before "
        "2024-05-20T09:00:00+03:00; it is not scheduled yet.",
        {
            "role": "staff",
            "state": None,
            "deletion_at": _DELETION_AT,
            "status": "not_scheduled_yet",
        },
    ),
    (
        "late",
        0,
        "deletion_not_pending",
        "DEL-3",
        "A deletion can be cancelled only while it is pending, before "
        "2024-05-20T09:00:00+03:00; it is deleted.",
        {"role": "owner", "state": "deleted", "deletion_at": _DELETION_AT, "status": "deleted"},
    ),
    (
        "retained",
        0,
        "inside_retention",
        "DEL-6",
        "The account is deleted and its data are retained until 2024-06-09T09:00:00+03:00: "
        "it can be restored.",
        {"state": "deleted", **_RESTORE},
    ),
    (
        "purged",
        0,
        "retention_over",
        "DEL-6",
        "The retention window ended at 2024-06-09T09:00:00+03:00; the data were purged and "
        "cannot be restored.",
        {"state": "purged", **_RESTORE},
    ),
    (
        "pending",
        0,
        "not_deleted",
        "DEL-6",
        "Only a deleted account can be restored; this one is pending.",
        {"state": "pending", **_RESTORE, "status": "pending"},
    ),
    (
        "unscheduled",
        0,
        "not_deleted",
        "DEL-6",
        "Only a deleted account can be restored; this one is not scheduled yet.",
        {"state": None, **_RESTORE, "status": "not_scheduled_yet"},
    ),
    (
        "cancelled",
        0,
        "deletion_cancelled",
        "DEL-3",
        "The owner cancelled the deletion while it was pending.",
        {"deletion_at": _DELETION_AT, "cancelled_at": NOW + timedelta(days=1)},
    ),
    (
        "manual",
        0,
        "manual_deletion",
        "DEL-2",
        "The owner asked for the deletion.",
        {"deletion_at": NOW},
    ),
    (
        "recorded",
        0,
        "no_longer_eligible",
        "DEL-7",
        "The account is no longer eligible at the deletion instant and is kept.",
        {"deletion_at": _DELETION_AT, "kept_because": ("recent_login",)},
    ),
    (
        "kept",
        0,
        "no_longer_eligible",
        "DEL-7",
        "The account is no longer eligible at the deletion instant and is kept.",
        {"deletion_at": _DELETION_AT, "kept_because": ("recent_login",)},
    ),
    (
        "still",
        0,
        "still_eligible",
        "DEL-7",
        "The account is still eligible for deletion at the deletion instant.",
        {"deletion_at": _DELETION_AT},
    ),
]


#: The codes only transitions give (their sentences are checked in TestWholeOutputs).
_TRANSITION_CODES = {
    "deletion_scheduled",
    "deletion_reminder",
    "account_deleted",
    "account_restored",
    "data_purged",
}


class TestGoldenReasons:
    @pytest.mark.parametrize(("situation", "index", "code", "rule", "message", "details"), _GOLDEN)
    def test_reason(self, situation, index, code, rule, message, details):
        """DEL-1, DEL-2, DEL-3, DEL-6, DEL-7 golden: each code's rule ID, exact sentence and
        details, as a caller shows or reads them."""
        reason = _decisions()[situation].reasons[index]
        assert (code, rule, message, details) == (
            reason.code,
            reason.rule,
            reason.message,
            dict(reason.details),
        )

    def test_every_code_has_a_golden_row(self):
        """DEL-1 … DEL-7: the golden table holds every reason code the module can give."""
        reasons = {member.value for member in DeletionCode} - _TRANSITION_CODES
        assert reasons == {row[2] for row in _GOLDEN}

    def test_decisions_list_the_re_checked_eligibility(self):
        """DEL-7: the outcome at the deletion instant is followed by DEL-1's three reasons."""
        decisions = _decisions()
        assert (
            ("no_longer_eligible", "account_old_enough", "recent_login", "balance_empty"),
            ("still_eligible", "account_old_enough", "no_recent_login", "balance_empty"),
            (False, True),
        ) == (
            decisions["kept"].codes,
            decisions["still"].codes,
            (decisions["kept"].allowed, decisions["still"].allowed),
        )


def _error_calls() -> dict[str, Callable[[], object]]:
    activity = seed_account()
    sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
    naive = datetime(2024, 5, 10, 9)  # noqa: DTZ001 - the point of the test
    created = activity.created_at
    second = timedelta(seconds=1)
    kept = {"kept_at": NOW, "kept_because": ("x",)}

    def reminders(*days):
        return DeletionPolicy(reminder_days_before=days)

    return {
        "login_before": lambda: AccountActivity(
            created_at=created, ledger=Ledger(currency="UAH"), logins=(created - second,)
        ),
        "ledger_type": lambda: AccountActivity(created_at=created, ledger=None),
        "entry_type": lambda: activity.with_entry(ZERO),
        "with_login_before": lambda: activity.with_login(created - second),
        "with_login_naive": lambda: activity.with_login(naive),
        "last_login_naive": lambda: activity.last_login_at(naive),
        "balance_at_naive": lambda: activity.balance_at(naive),
        "kept_empty": lambda: DeletionSchedule(scheduled_at=NOW, kept_at=NOW, kept_because=(" ",)),
        "cancel_before": lambda: DeletionSchedule(scheduled_at=NOW, cancelled_at=NOW - second),
        "two_records": lambda: DeletionSchedule(scheduled_at=NOW, cancelled_at=NOW, **kept),
        "kept_without": lambda: DeletionSchedule(scheduled_at=NOW, kept_at=NOW),
        "kept_manual": lambda: DeletionSchedule(scheduled_at=NOW, kind="manual", **kept),
        "rem_type": lambda: DeletionPolicy(reminder_days_before=3),  # type: ignore[arg-type]
        "rem_item": lambda: reminders(True),
        "rem_zero": lambda: reminders(0),
        "rem_big": lambda: reminders(3651),
        "rem_max": lambda: reminders(3650),
        "rem_equal": lambda: reminders(3, 3),
        "rem_notice": lambda: reminders(10),
        "manual_zone": lambda: (
            delete_manually(
                DeletionFacts(activity=activity), POLICY, at=NOW, zone="Mars/Olympus", role="owner"
            ).schedule
        ),
        "elig_before": lambda: can_schedule(
            DeletionFacts(activity=activity), POLICY, at=created - second, zone=KYIV
        ),
        "manual_before": lambda: (
            delete_manually(
                DeletionFacts(activity=activity),
                POLICY,
                at=created - second,
                zone=KYIV,
                role="owner",
            ).schedule
        ),
        "sched_before": lambda: can_go_ahead(
            DeletionFacts(
                activity=activity, schedule=DeletionSchedule(scheduled_at=created - second)
            ),
            POLICY,
            zone=KYIV,
        ),
        "kept_at_wrong": lambda: can_go_ahead(
            DeletionFacts(activity=activity, schedule=DeletionSchedule(scheduled_at=NOW, **kept)),
            POLICY,
            zone=KYIV,
        ),
        "cancel_at_deletion": lambda: state_at(
            DeletionFacts(
                activity=activity,
                schedule=DeletionSchedule(scheduled_at=NOW, cancelled_at=_DELETION_AT),
            ),
            POLICY,
            at=NOW,
            zone=KYIV,
        ),
        "restore_at_purge": lambda: state_at(
            DeletionFacts(
                activity=activity,
                schedule=DeletionSchedule(scheduled_at=NOW, restored_at=_PURGE_AT),
            ),
            POLICY,
            at=NOW,
            zone=KYIV,
        ),
        "restore_kept": lambda: state_at(
            DeletionFacts(
                activity=activity.with_login(NOW + timedelta(days=1)),
                schedule=DeletionSchedule(scheduled_at=NOW, restored_at=_DELETION_AT),
            ),
            POLICY,
            at=NOW,
            zone=KYIV,
        ),
        "outcome_early": lambda: (
            record_outcome(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                at=_DELETION_AT - second,
                zone=KYIV,
            ).schedule
        ),
        "window_tr": lambda: list(
            transitions(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=NOW,
                end=NOW - second,
                zone=KYIV,
            )
        ),
        "no_schedule": lambda: can_go_ahead(DeletionFacts(activity=activity), POLICY, zone=KYIV),
        "already_scheduled": lambda: schedule(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=NOW + second, zone=KYIV
        ),
        "window_eff": lambda: effects_due(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            start=NOW,
            end=NOW - second,
            zone=KYIV,
            account="acme",
        ),
    }


_AWARE = "must be timezone-aware (a naive datetime has no instant)"
_CREATION = "must not be before the account's creation (created_at)"
_AFTER_NOTICE = "every reminder must come after the notice: fewer days than notice_days"
_REMINDERS = "DeletionPolicy.reminder_days_before"
_ERRORS: list[tuple[str, type[Exception], str, str]] = [
    ("login_before", InvalidInput, "AccountActivity.logins", "must not be before created_at"),
    ("ledger_type", InvalidType, "AccountActivity.ledger", "must be Ledger, not NoneType"),
    ("entry_type", InvalidType, "entry", "must be a LedgerEntry, not Money"),
    ("with_login_before", InvalidInput, "at", "a login cannot come before the account's creation"),
    ("with_login_naive", NaiveDatetimeError, "at", _AWARE),
    ("last_login_naive", NaiveDatetimeError, "at", _AWARE),
    ("balance_at_naive", NaiveDatetimeError, "at", _AWARE),
    ("kept_empty", InvalidInput, "DeletionSchedule.kept_because[0]", "must not be empty"),
    (
        "cancel_before",
        InvalidInput,
        "DeletionSchedule.cancelled_at",
        "must not be before scheduled_at",
    ),
    (
        "two_records",
        InvalidInput,
        "DeletionSchedule.kept_at",
        "cannot be recorded together with cancelled_at",
    ),
    (
        "kept_without",
        InvalidInput,
        "DeletionSchedule.kept_because",
        "is required exactly when kept_at is set",
    ),
    (
        "kept_manual",
        InvalidInput,
        "DeletionSchedule.kept_at",
        "a manual deletion is never kept by DEL-7",
    ),
    ("rem_type", InvalidType, _REMINDERS, "must be a tuple of int, not int"),
    ("rem_item", InvalidType, f"{_REMINDERS}[0]", "must be an int, not bool"),
    ("rem_zero", InvalidInput, f"{_REMINDERS}[0]", "must be between 1 and 3650"),
    ("rem_big", InvalidInput, f"{_REMINDERS}[0]", "must be between 1 and 3650"),
    ("rem_max", InvalidInput, _REMINDERS, _AFTER_NOTICE),
    (
        "rem_equal",
        InvalidInput,
        f"{_REMINDERS}[1]",
        "reminders go from the earliest: must be strictly decreasing",
    ),
    ("rem_notice", InvalidInput, _REMINDERS, _AFTER_NOTICE),
    ("manual_zone", UnknownTimeZone, "zone", "unknown time zone 'Mars/Olympus'"),
    ("elig_before", InvalidInput, "at", _CREATION),
    ("manual_before", InvalidInput, "at", _CREATION),
    ("sched_before", InvalidInput, "DeletionSchedule.scheduled_at", _CREATION),
    ("kept_at_wrong", InvalidInput, "DeletionSchedule.kept_at", "must be the deletion instant"),
    (
        "cancel_at_deletion",
        InvalidInput,
        "DeletionSchedule.cancelled_at",
        "must come before the deletion instant",
    ),
    (
        "restore_at_purge",
        InvalidInput,
        "DeletionSchedule.restored_at",
        "must lie in the retention window of a deleted account",
    ),
    (
        "restore_kept",
        InvalidInput,
        "DeletionSchedule.restored_at",
        "must lie in the retention window of a deleted account",
    ),
    ("outcome_early", InvalidInput, "at", "the deletion instant has not come yet"),
    ("window_tr", InvalidInput, "end", "must not be before start"),
    ("window_eff", InvalidInput, "end", "must not be before start"),
    ("no_schedule", InvalidInput, "DeletionFacts.schedule", "no deletion is scheduled"),
    (
        "already_scheduled",
        InvalidInput,
        "DeletionFacts.schedule",
        "a deletion is already scheduled (pending or deleted at this instant)",
    ),
]


class TestGoldenErrors:
    @pytest.mark.parametrize(("situation", "error", "field", "problem"), _ERRORS)
    def test_error(self, situation, error, field, problem):
        """DEL-1 … DEL-7 bad input golden: the error class, the field named and the exact
        problem, at each boundary (a cancel at the deletion instant, a restore at the purge
        instant, equal reminder days, a reminder of 3650 days, the outcome a second early)."""
        with pytest.raises(error) as excinfo:
            _error_calls()[situation]()
        assert (field, problem) == (excinfo.value.field, excinfo.value.problem)


class TestWholeOutputs:
    def test_seed_effects_in_full(self):
        """DEL-1, DEL-3, DEL-4, DEL-5, DEL-6: every field of every effect of the seed's story,
        the scheduling itself (ScheduleDeletion, DEL-1) first."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        date_ = "2024-05-20"
        day = timedelta(days=1)
        assert (
            ScheduleDeletion(at=NOW, rule="DEL-1", deletion_kind="automatic", account="acme"),
            SendEmail(
                at=NOW,
                rule="DEL-3",
                template=NOTICE_TEMPLATE,
                to="owner",
                details={"deletion_date": date_, "days": 10},
                account="acme",
            ),
            ShowBanner(
                at=NOW,
                rule="DEL-5",
                banner=BANNER,
                details={"deletion_date": date_},
                account="acme",
            ),
            SendEmail(
                at=NOW + 7 * day,
                rule="DEL-4",
                template=REMINDER_TEMPLATE,
                to="owner",
                details={"deletion_date": date_, "days_before": 3},
                account="acme",
            ),
            SendEmail(
                at=NOW + 9 * day,
                rule="DEL-4",
                template=REMINDER_TEMPLATE,
                to="owner",
                details={"deletion_date": date_, "days_before": 1},
                account="acme",
            ),
            HideBanner(at=_DELETION_AT, rule="DEL-5", banner=BANNER, account="acme"),
            DeleteAccount(at=_DELETION_AT, rule="DEL-6", account="acme"),
            PurgeData(at=_PURGE_AT, rule="DEL-6", account="acme"),
        ) == tuple(all_effects(sched, activity))
        assert ("deletion_notice", "deletion_reminder", "deletion_scheduled") == (
            NOTICE_TEMPLATE,
            REMINDER_TEMPLATE,
            BANNER,
        )

    def test_restore_and_manual_effects_name_their_rules(self):
        """DEL-6, DEL-2: a restore is RestoreAccount under DEL-6; a manual deletion is
        ScheduleDeletion then DeleteAccount under DEL-2, its purge under DEL-6."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        restored = restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=_DELETION_AT, zone=KYIV
        ).schedule
        assert (
            RestoreAccount(at=_DELETION_AT, rule="DEL-6", account="acme")
            == all_effects(restored, activity)[-1]
        )
        manual = delete_manually(
            DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV, role="owner"
        ).schedule
        assert (
            ScheduleDeletion(at=NOW, rule="DEL-2", deletion_kind="manual", account="acme"),
            DeleteAccount(at=NOW, rule="DEL-2", account="acme"),
            PurgeData(at=NOW + timedelta(days=20), rule="DEL-6", account="acme"),
        ) == tuple(all_effects(manual, activity))

    def test_transitions_in_full(self):
        """DEL-2, DEL-3, DEL-6, DEL-7: every transition's instant, state, rule IDs and details,
        for an automatic deletion purged, a manual one restored, a cancelled and a kept one:
        the stored schedule's own transitions (the kept account, still idle, is scheduled anew
        later, DEL-1: see test_a_login_during_the_notice_keeps_the_account)."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule

        def changes(sched_, activity_=activity):
            return _own(
                transitions(
                    DeletionFacts(activity=activity_, schedule=sched_),
                    POLICY,
                    start=NOW,
                    end=NOW + FAR,
                    zone=KYIV,
                ),
                sched_,
            )

        def reason(code, rule, **details):
            return Reason(code=code, rule=rule, details=details)

        def change(at, kind, *reasons, effects=()):
            return Transition(at=at, area="deletion", kind=kind, reasons=reasons, effects=effects)

        # the area's own transitions are account-free: the evaluation stamps the account
        effects = tuple(attrs.evolve(e, account=None) for e in all_effects(sched, activity))
        deleted = reason(
            DeletionCode.ACCOUNT_DELETED,
            "DEL-6",
            deletion_at=_DELETION_AT,
            restorable_until=_PURGE_AT,
        )
        still = reason(DeletionCode.STILL_ELIGIBLE, "DEL-7", deletion_at=_DELETION_AT)
        purged = reason(
            DeletionCode.DATA_PURGED, "DEL-6", deletion_at=_DELETION_AT, purge_at=_PURGE_AT
        )
        assert [
            change(
                NOW,
                "deletion_scheduled",
                reason(
                    DeletionCode.DELETION_SCHEDULED,
                    "DEL-3",
                    deletion_date=date(2024, 5, 20),
                    kind="automatic",
                    notice_days=10,
                ),
                effects=effects[:3],
            ),
            *(
                change(
                    NOW + timedelta(days=10 - days),
                    "deletion_reminder",
                    reason(
                        DeletionCode.DELETION_REMINDER,
                        "DEL-4",
                        days=days,
                        deletion_date=date(2024, 5, 20),
                    ),
                    effects=(effect,),
                )
                for days, effect in ((3, effects[3]), (1, effects[4]))
            ),
            change(_DELETION_AT, "account_deleted", deleted, still, effects=effects[5:7]),
            change(_PURGE_AT, "data_purged", purged, effects=effects[7:]),
        ] == changes(sched)
        assert [
            "Deletion scheduled for 2024-05-20, 10 days ahead.",
            "Reminder to the owner: the account is deleted in 3 days.",
            "Reminder to the owner: the account is deleted in 1 day.",
            "The account is deleted; support may restore it until 2024-06-09T09:00:00+03:00. "
            "The account is still eligible for deletion at the deletion instant.",
            "The retention period is over: the account's data are purged.",
        ] == [c.description for c in changes(sched)]
        assert [("DEL-3",), ("DEL-4",), ("DEL-4",), ("DEL-6", "DEL-7"), ("DEL-6",)] == [
            c.rules for c in changes(sched)
        ]
        manual = delete_manually(
            DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV, role="owner"
        ).schedule
        back = restore(
            DeletionFacts(activity=activity, schedule=manual),
            POLICY,
            at=NOW + timedelta(days=1),
            zone=KYIV,
        ).schedule
        asked = reason(DeletionCode.MANUAL_DELETION, "DEL-2", deletion_at=NOW)
        assert [
            change(
                NOW,
                "deletion_scheduled",
                asked,
                reason(
                    DeletionCode.DELETION_SCHEDULED,
                    "DEL-3",
                    deletion_date=date(2024, 5, 10),
                    kind="manual",
                    notice_days=0,
                ),
                effects=(ScheduleDeletion(at=NOW, rule="DEL-2", deletion_kind="manual"),),
            ),
            change(
                NOW,
                "account_deleted",
                asked,
                reason(
                    DeletionCode.ACCOUNT_DELETED,
                    "DEL-6",
                    deletion_at=NOW,
                    restorable_until=NOW + timedelta(days=20),
                ),
                effects=(DeleteAccount(at=NOW, rule="DEL-2"),),
            ),
            change(
                NOW + timedelta(days=1),
                "account_restored",
                reason(
                    DeletionCode.ACCOUNT_RESTORED,
                    "DEL-6",
                    restored_at=NOW + timedelta(days=1),
                    deletion_at=NOW,
                ),
                effects=(RestoreAccount(at=NOW + timedelta(days=1), rule="DEL-6"),),
            ),
        ] == changes(back)
        assert [("DEL-2", "DEL-3"), ("DEL-2", "DEL-6"), ("DEL-6",)] == [
            c.rules for c in changes(back)
        ]
        day2 = NOW + timedelta(days=2)
        cancelled = cancel(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=day2, zone=KYIV
        ).schedule
        hide = HideBanner(at=day2, rule="DEL-5", banner=BANNER)
        assert (
            change(
                day2,
                "deletion_cancelled",
                reason(
                    DeletionCode.DELETION_CANCELLED,
                    "DEL-3",
                    deletion_at=_DELETION_AT,
                    cancelled_at=day2,
                ),
                effects=(hide,),
            )
            == changes(cancelled)[-1]
        )
        assert (
            change(
                _DELETION_AT,
                "deletion_kept",
                reason(
                    DeletionCode.NO_LONGER_ELIGIBLE,
                    "DEL-7",
                    deletion_at=_DELETION_AT,
                    kept_because=("recent_login",),
                ),
                effects=(
                    HideBanner(at=_DELETION_AT, rule="DEL-5", banner=BANNER),
                    RecordDeletionOutcome(
                        at=_DELETION_AT, rule="DEL-7", kept_because=("recent_login",)
                    ),
                ),
            )
            == changes(sched, activity.with_login(day2))[-1]
        )

    def test_windows_are_half_open(self):
        """DEL-3, DEL-6: a window holds the effects and transitions at its start, not those
        at its end."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        before = effects_due(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            start=NOW,
            end=_DELETION_AT,
            zone=KYIV,
            account="acme",
        )
        after = effects_due(
            DeletionFacts(activity=activity, schedule=sched),
            POLICY,
            start=_DELETION_AT,
            end=FAR + NOW,
            zone=KYIV,
            account="acme",
        )
        assert (NOW, NOW + timedelta(days=9)) == (before[0].at, before[-1].at)
        assert (_DELETION_AT, _PURGE_AT) == (after[0].at, after[-1].at)
        window = list(
            transitions(
                DeletionFacts(activity=activity, schedule=sched),
                POLICY,
                start=NOW,
                end=_DELETION_AT,
                zone=KYIV,
            )
        )
        assert ("deletion_scheduled", "deletion_reminder", "deletion_reminder") == tuple(
            c.kind for c in window
        )

    def test_deadlines_in_full(self):
        """DEL-3, DEL-4, DEL-6: the scheduling, each reminder with its days, the deletion and
        the purge instants, and the zone they were counted in."""
        sched = DeletionSchedule(scheduled_at=NOW)
        day = timedelta(days=1)
        assert DeletionDeadlines(
            scheduled_at=NOW,
            reminders=((3, NOW + 7 * day), (1, NOW + 9 * day)),
            deletion_at=_DELETION_AT,
            purge_at=_PURGE_AT,
            zone=KYIV,
        ) == deadlines_of(sched, POLICY, zone="Europe/Kyiv")


class TestBoundaries:
    def test_a_reminder_as_long_as_the_notice_is_left_out(self):
        """DEL-2, DEL-4: with a manual notice of 3 days the 3-day reminder would fall on the
        scheduling instant: only the 1-day one is kept."""
        sched = DeletionSchedule(scheduled_at=NOW, kind="manual")
        when = deadlines_of(sched, DeletionPolicy(manual_notice_days=3), zone=KYIV)
        assert ((1, NOW + timedelta(days=2)),) == when.reminders

    def test_a_one_day_notice_still_notifies(self):
        """DEL-2, DEL-3, DEL-5: a manual notice of one day sends the notice and shows the
        banner (no reminder fits)."""
        activity = seed_account()
        policy = DeletionPolicy(manual_notice_days=1)
        sched = delete_manually(
            DeletionFacts(activity=activity), policy, at=NOW, zone=KYIV, role="owner"
        ).schedule
        expected = [
            "schedule_deletion",
            "send_email",
            "show_banner",
            "hide_banner",
            "delete_account",
            "purge_data",
        ]
        assert expected == [e.kind for e in all_effects(sched, activity, policy)]

    def test_a_reminder_due_at_the_cancel_instant_is_not_sent(self):
        """DEL-3, DEL-4: cancelled at the very instant of the 3-day reminder: no reminder."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        reminder = NOW + timedelta(days=7)
        cancelled = cancel(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=reminder, zone=KYIV
        ).schedule
        assert [
            ("schedule_deletion", NOW),
            ("send_email", NOW),
            ("show_banner", NOW),
            ("hide_banner", reminder),
        ] == [(e.kind, e.at) for e in all_effects(cancelled, activity)]

    def test_a_login_at_the_instant_asked_counts(self):
        """DEL-1: a login at the very instant asked about is a login today."""
        activity = seed_account().with_login(NOW)
        reason = can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).reasons[
            1
        ]
        assert ("recent_login", NOW, 0) == (
            reason.code,
            reason.details["last_login_at"],
            reason.details["days_since_login"],
        )

    def test_history_may_start_at_the_creation(self):
        """DEL-1, DEL-7: a login and a balance change at the creation instant are accepted."""
        activity = make_activity(created_at=NOW, opening_balance=Money(1, "UAH"), logins=(NOW,))
        assert (NOW, Money(1, "UAH")) == (activity.last_login_at(NOW), activity.balance_at(NOW))
        fresh = make_activity(created_at=NOW, opening_balance=ZERO)
        assert (NOW,) == fresh.with_login(NOW).logins
        assert Money(2, "UAH") == with_balance(fresh, Money(2, "UAH"), at=NOW).balance_at(NOW)

    def test_restore_at_the_deletion_instant_and_record_at_it(self):
        """DEL-6, DEL-7: support may restore at the deletion instant itself; the outcome can
        be recorded at the deletion instant itself."""
        activity = seed_account()
        sched = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV).schedule
        restored = restore(
            DeletionFacts(activity=activity, schedule=sched), POLICY, at=_DELETION_AT, zone=KYIV
        ).schedule
        assert _St.RESTORED is state_at(
            DeletionFacts(activity=activity, schedule=restored), POLICY, at=_DELETION_AT, zone=KYIV
        )
        later = activity.with_login(NOW + timedelta(days=1))
        kept = record_outcome(
            DeletionFacts(activity=later, schedule=sched), POLICY, at=_DELETION_AT, zone=KYIV
        ).schedule
        assert (_DELETION_AT, ("recent_login",)) == (kept.kept_at, kept.kept_because)

    def test_a_cancel_at_the_deletion_instant_does_not_stop_it(self):
        """DEL-3, DEL-7: a cancel recorded at the deletion instant itself came too late: the
        check at the deletion instant ignores it (and readers of the schedule refuse it)."""
        sched = DeletionSchedule(scheduled_at=NOW, cancelled_at=_DELETION_AT)
        decision = can_go_ahead(
            DeletionFacts(activity=seed_account(), schedule=sched), POLICY, zone=KYIV
        )
        assert ("still_eligible", True) == (decision.codes[0], decision.allowed)

    def test_logins_are_kept_in_order_and_reminders_may_be_none(self):
        """DEL-1, DEL-4: logins given in any order are stored oldest first; a policy may have
        no reminder at all."""
        early, late = NOW - timedelta(days=2), NOW - timedelta(days=1)
        activity = make_activity(created_at=NOW - FAR, opening_balance=ZERO, logins=(late, early))
        assert ((early, late), late) == (activity.logins, activity.last_login_at(NOW))
        quiet = DeletionPolicy(reminder_days_before=())
        assert () == deadlines_of(DeletionSchedule(scheduled_at=NOW), quiet, zone=KYIV).reminders

    def test_every_day_of_a_condition_is_a_local_date(self):
        """DEL-1: the creation and the last login count by their local dates in the account's
        zone (00:30 in Kyiv is the previous day in UTC): created 40 days ago and a login
        exactly 30 days ago, local dates, so neither condition is met."""
        created = datetime(2024, 1, 2, 0, 30, tzinfo=KYIV)
        activity = make_activity(
            created_at=created,
            opening_balance=ZERO,
            logins=(datetime(2024, 1, 12, 0, 30, tzinfo=KYIV),),
        )
        at = datetime(2024, 2, 11, 12, 0, tzinfo=KYIV)
        age, login, _ = can_schedule(
            DeletionFacts(activity=activity), POLICY, at=at, zone=KYIV
        ).reasons
        assert ("account_too_new", date(2024, 1, 2), 40) == (
            age.code,
            age.details["created_on"],
            age.details["age_days"],
        )
        assert ("recent_login", 30) == (login.code, login.details["days_since_login"])

    def test_the_creation_instant_itself_may_be_asked_about(self):
        """DEL-1, DEL-2: eligibility at the creation instant is a refusal (0 days old), not an
        error; the owner may delete the account at the instant it was created."""
        activity = make_activity(created_at=NOW, opening_balance=ZERO)
        decision = can_schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        assert ("account_too_new", 0) == (
            decision.codes[0],
            decision.reasons[0].details["age_days"],
        )
        manual = delete_manually(
            DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV, role="owner"
        ).schedule
        assert NOW == manual.scheduled_at


# --------------------------------------------------------------------------------------------
# The area contract: transitions, suspensions, findings and the codes


def _facts_of(story):
    sched, activity, policy, zone = story
    return DeletionFacts(activity=activity, schedule=sched), policy, zone


class TestContract:
    def test_transitions_are_lazy_and_take_the_first_in_order(self):
        """X-5, DEL-3 … DEL-6: transitions is an iterator; the first three of a century's
        window are those of the full list, quickly."""
        activity = seed_account()
        facts = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        century = NOW + timedelta(days=36_500)
        stream = transitions(facts, POLICY, start=NOW, end=century, zone=KYIV)
        assert iter(stream) is stream
        first = list(itertools.islice(stream, 3))
        everything = list(transitions(facts, POLICY, start=NOW, end=century, zone=KYIV))
        assert first == everything[:3]
        assert [c.at for c in everything] == sorted(c.at for c in everything)

    def test_no_schedule_no_transition_when_never_becoming_eligible(self):
        """DEL-1, DEL-6: without a schedule, an account that does not become eligible in the
        window (money on the balance; or eligible already before the window starts) has no
        transition, no effect and nothing suspended."""
        funded = DeletionFacts(activity=seed_account(balance=Money(19, "UAH")))
        # The seed's account became eligible at 00:00 on NOW's day, before NOW.
        earlier = DeletionFacts(activity=seed_account())
        for facts in (funded, earlier):
            assert [] == list(transitions(facts, POLICY, start=NOW, end=NOW + FAR, zone=KYIV))
            assert () == effects_due(
                facts, POLICY, start=NOW, end=NOW + FAR, zone=KYIV, account="acme"
            )
            assert () == suspensions(facts, POLICY, zone=KYIV)
            assert state_at(facts, POLICY, at=NOW, zone=KYIV) is None
        assert [] == list(transitions(funded, POLICY, start=NOW - FAR, end=NOW + FAR, zone=KYIV))
        with pytest.raises(InvalidInput) as excinfo:
            transitions(funded, POLICY, start=NOW, end=NOW - FAR, zone=KYIV)
        assert "end" == excinfo.value.field

    def test_no_schedule_the_transitions_schedule_when_it_becomes_eligible(self):
        """DEL-1, DEL-3: without a schedule, an account that becomes eligible in the window
        is scheduled by the transitions at that instant (00:00 on NOW's local day, the seed's
        account being 41 days old and idle for 31 days then), with ScheduleDeletion (DEL-1);
        suspensions read the stored schedule only, so there are none until it is applied."""
        facts = DeletionFacts(activity=seed_account())
        midnight = datetime(2024, 5, 10, tzinfo=KYIV)
        changes = list(transitions(facts, POLICY, start=NOW - FAR, end=NOW + FAR, zone=KYIV))
        assert [
            (DeletionKind.DELETION_SCHEDULED, midnight),
            (DeletionKind.DELETION_REMINDER, midnight + timedelta(days=7)),
            (DeletionKind.DELETION_REMINDER, midnight + timedelta(days=9)),
            (DeletionKind.ACCOUNT_DELETED, midnight + timedelta(days=10)),
            (DeletionKind.DATA_PURGED, midnight + timedelta(days=30)),
        ] == [(c.kind, c.at) for c in changes]
        assert (
            ScheduleDeletion(at=midnight, rule="DEL-1", deletion_kind="automatic")
            == changes[0].effects[0]
        )
        assert () == suspensions(facts, POLICY, zone=KYIV)

    @given(
        story=stories(),
        cuts=st.lists(st.integers(min_value=-2 * 24, max_value=80 * 24), max_size=4),
    )
    def test_any_partition_gives_each_transition_once(self, story, cuts):
        """X-5, DEL-2 … DEL-7 property: the stored schedule's transitions of [a, c) are those
        of [a, b) followed by those of [b, c), whatever the cuts; in time order. Both are cut at
        the deletion the run schedules anew once the stored one is over (DEL-1 again): over
        fixed facts this stays a property of the stored schedule; the new schedule's own
        partition needs the effects applied between the pieces (X-9), see
        tests/test_deletion_run.py and tests/test_closed_loop.py."""
        facts, policy, zone = _facts_of(story)
        start = facts.schedule.scheduled_at - timedelta(days=2)
        end = facts.schedule.scheduled_at + timedelta(days=80)
        whole = _own(transitions(facts, policy, start=start, end=end, zone=zone), facts.schedule)
        bounds = [start, *sorted(facts.schedule.scheduled_at + timedelta(hours=h) for h in cuts)]
        bounds.append(end)
        pieces = _own(
            (
                change
                for since, until in itertools.pairwise(bounds)
                for change in transitions(facts, policy, start=since, end=until, zone=zone)
            ),
            facts.schedule,
        )
        assert whole == pieces
        assert [c.at for c in whole] == sorted(c.at for c in whole)
        assert all(e.at == c.at for c in whole for e in c.effects)
        assert {"deletion"} >= {c.area for c in whole}
        assert {c.kind for c in whole} <= set(DeletionKind)

    @given(story=stories())
    def test_suspension_is_the_deleted_span(self, story):
        """DEL-6 property: the suspension starts at the deletion and ends at the restore, or
        never; there is one exactly when the stored schedule deletes the account at some
        instant (suspensions read the stored schedule: one the run schedules anew once it is
        over is not stored until applied, X-9)."""
        facts, policy, zone = _facts_of(story)
        found = suspensions(facts, policy, zone=zone)
        changes = _own(
            transitions(
                facts,
                policy,
                start=facts.schedule.scheduled_at,
                end=facts.schedule.scheduled_at + timedelta(days=100),
                zone=zone,
            ),
            facts.schedule,
        )
        deleted = [c.at for c in changes if c.kind is DeletionKind.ACCOUNT_DELETED]
        restored = [c.at for c in changes if c.kind is DeletionKind.ACCOUNT_RESTORED]
        expected = (
            (Suspension(start=deleted[0], end=restored[0] if restored else None, rule="DEL-6"),)
            if deleted
            else ()
        )
        assert expected == found
        for suspension in found:
            assert state_at(facts, policy, at=suspension.start, zone=zone) in {
                DeletionState.DELETED,
                DeletionState.RESTORED,  # a restore at the deletion instant itself
                DeletionState.PURGED,  # no retention at all
            }

    def test_suspension_of_the_seed_story(self):
        """DEL-6: deleted on day 10 for good; restored on day 12, suspended until then."""
        facts = schedule(DeletionFacts(activity=seed_account()), POLICY, at=NOW, zone=KYIV)
        assert (Suspension(start=_DELETION_AT, end=None, rule="DEL-6"),) == suspensions(
            facts, POLICY, zone="Europe/Kyiv"
        )
        back = restore(facts, POLICY, at=_DELETION_AT + timedelta(days=2), zone=KYIV)
        assert (
            Suspension(start=_DELETION_AT, end=_DELETION_AT + timedelta(days=2), rule="DEL-6"),
        ) == suspensions(back, POLICY, zone=KYIV)
        kept = DeletionFacts(activity=seed_account().with_login(NOW), schedule=facts.schedule)
        assert () == suspensions(kept, POLICY, zone=KYIV)

    @given(story=stories(), hours=st.integers(min_value=0, max_value=40 * 24))
    def test_findings_agree_with_the_questions(self, story, hours):
        """DEL-1, DEL-2, DEL-3, DEL-7: the findings carry the area's own decisions."""
        facts, policy, zone = _facts_of(story)
        at = facts.schedule.scheduled_at + timedelta(hours=hours)
        assert (
            Finding(
                area="deletion",
                question=DeletionQuestion.ELIGIBLE_FOR_DELETION,
                decision=can_schedule(facts, policy, at=at, zone=zone),
            ),
            Finding(
                area="deletion",
                question=DeletionQuestion.DELETION_GOES_AHEAD,
                decision=can_go_ahead(facts, policy, zone=zone),
            ),
        ) == findings(facts, policy, at=at, zone=zone)
        for role in Role:
            assert (
                Finding(
                    area="deletion",
                    question=DeletionQuestion.DELETE_MANUALLY,
                    decision=can_delete_manually(role=role),
                ),
                Finding(
                    area="deletion",
                    question=DeletionQuestion.CANCEL_DELETION,
                    decision=can_cancel(facts, policy, role=role, at=at, zone=zone),
                ),
            ) == role_findings(facts, policy, role=role, at=at, zone=zone)

    def test_findings_without_a_schedule_and_their_summaries(self):
        """DEL-1, DEL-2: without a schedule, eligibility and manual deletion only; the
        summaries are the questions' sentences."""
        facts = DeletionFacts(activity=seed_account())
        (eligible,) = findings(facts, POLICY, at=NOW, zone=KYIV)
        assert ("eligible_for_deletion", True, "Eligible for deletion for inactivity.") == (
            eligible.question,
            eligible.allowed,
            eligible.summary,
        )
        (staff,) = role_findings(facts, POLICY, role="staff", at=NOW, zone=KYIV)
        (owner,) = role_findings(facts, POLICY, role=Role.OWNER, at=NOW, zone=KYIV)
        assert ("May not delete the account.", "May delete the account.") == (
            staff.summary,
            owner.summary,
        )
        scheduled = schedule(facts, POLICY, at=NOW, zone=KYIV)
        kept = DeletionFacts(activity=facts.activity.with_login(NOW), schedule=scheduled.schedule)
        _, goes_ahead = findings(kept, POLICY, at=NOW, zone=KYIV)
        _, cancelling = role_findings(kept, POLICY, role="admin", at=NOW, zone=KYIV)
        assert (
            "The scheduled deletion does not go ahead.",
            "May not cancel the deletion.",
        ) == (goes_ahead.summary, cancelling.summary)
        assert {q.value for q in DeletionQuestion} == {
            "delete_manually",
            "cancel_deletion",
            "eligible_for_deletion",
            "deletion_goes_ahead",
        }

    def test_every_reason_is_a_deletion_code_and_every_code_renders(self):
        """X-1: every reason the area gives, decisions and transitions alike, is a member
        of DeletionCode whose sentence renders from its details; every member is given."""
        decisions = _decisions()
        activity = seed_account()
        facts = schedule(DeletionFacts(activity=activity), POLICY, at=NOW, zone=KYIV)
        stories_ = [
            facts,
            restore(facts, POLICY, at=_DELETION_AT, zone=KYIV),
            cancel(facts, POLICY, at=NOW, zone=KYIV),
            DeletionFacts(activity=activity.with_login(NOW), schedule=facts.schedule),
            delete_manually(
                DeletionFacts(activity=activity), POLICY, role="owner", at=NOW, zone=KYIV
            ),
        ]
        reasons = [r for d in decisions.values() for r in d.reasons]
        reasons += [
            r
            for story in stories_
            for c in transitions(story, POLICY, start=NOW, end=NOW + FAR, zone=KYIV)
            for r in c.reasons
        ]
        assert all(isinstance(r.code, DeletionCode) for r in reasons)
        assert all(r.message and "{" not in r.message for r in reasons)
        assert set(DeletionCode) == {r.code for r in reasons}


# --------------------------------------------------------------------------------------------
# What the questions share is computed once per facts value


def _answers(facts, policy, at, zone):
    """Every question and contract function of the area at ``at``, as plain values."""
    return (
        findings(facts, policy, at=at, zone=zone),
        tuple(role_findings(facts, policy, role=role, at=at, zone=zone) for role in Role),
        list(transitions(facts, policy, start=at - FAR, end=at + FAR, zone=zone)),
        effects_due(facts, policy, start=at - FAR, end=at + FAR, zone=zone, account="acme"),
        suspensions(facts, policy, zone=zone),
        deadlines(facts, policy, zone=zone),
        can_go_ahead(facts, policy, zone=zone),
        state_at(facts, policy, at=at, zone=zone),
        can_restore(facts, policy, at=at, zone=zone),
    )


def _answers_or_refusal(facts, policy, at, zone):
    """:func:`_answers`, or the field named when the facts' record is refused under ``policy``
    (a cancel or restore that another policy's deadlines put out of place)."""
    try:
        return _answers(facts, policy, at, zone)
    except InvalidInput as error:
        return "refused", error.field


class TestSharedOnce:
    @given(
        story=stories(),
        other=deletion_policies(),
        other_zone=zones(),
        hours=st.integers(min_value=0, max_value=40 * 24),
    )
    def test_remembered_answers_are_those_of_fresh_facts(self, story, other, other_zone, hours):
        """DEL-1 … DEL-7 property: a facts value asked under one policy and zone, then under
        another, then again, answers each time as a fresh copy of it does; what it remembers
        changes neither equality, hashing nor pickling (a pickled copy with a filled memo
        equals the original and answers the same)."""
        facts, policy, zone = _facts_of(story)
        at = facts.schedule.scheduled_at + timedelta(hours=hours)

        def fresh():
            return DeletionFacts(activity=facts.activity, schedule=facts.schedule)

        for p, z in ((policy, zone), (other, other_zone), (policy, zone), (other, zone)):
            assert _answers_or_refusal(fresh(), p, at, z) == _answers_or_refusal(facts, p, at, z)
        again = pickle.loads(pickle.dumps(facts))
        assert (again, hash(again)) == (facts, hash(facts))
        assert (fresh(), hash(fresh())) == (facts, hash(facts))
        assert _answers(fresh(), policy, at, zone) == _answers(again, policy, at, zone)
        assert attrs.evolve(facts) == facts

    def test_an_equal_policy_is_its_own_key(self):
        """DEL-3: a policy equal to another but distinct is asked afresh, and a policy with
        other knobs never gets the first one's deadlines."""
        facts = schedule(DeletionFacts(activity=seed_account()), POLICY, at=NOW, zone=KYIV)
        assert _DELETION_AT == deadlines(facts, POLICY, zone=KYIV).deletion_at
        longer = DeletionPolicy(notice_days=12)
        assert NOW + timedelta(days=12) == deadlines(facts, longer, zone=KYIV).deletion_at
        assert _DELETION_AT == deadlines(facts, DeletionPolicy(), zone=KYIV).deletion_at
        assert _DELETION_AT == deadlines(facts, POLICY, zone="Europe/Kyiv").deletion_at
        # Counted in another zone, the days are that zone's (no value of Kyiv's is reused).
        apia = deadlines(facts, POLICY, zone="Pacific/Apia")
        assert ZoneInfo("Pacific/Apia") == apia.zone
        assert NOW.astimezone(ZoneInfo("Pacific/Apia")).time() == apia.deletion_at.time()

    def test_transitions_are_built_as_they_are_taken(self):
        """X-5, DEL-3 … DEL-6: the transitions of a schedule are built one at a time; an
        inconsistent record is still refused when they are asked for, before any is taken."""
        facts = schedule(DeletionFacts(activity=seed_account()), POLICY, at=NOW, zone=KYIV)
        stream = transitions(facts, POLICY, start=NOW, end=NOW + FAR, zone=KYIV)
        assert DeletionKind.DELETION_SCHEDULED == next(stream).kind
        assert DeletionKind.DELETION_REMINDER == next(stream).kind
        bad = attrs.evolve(
            facts, schedule=attrs.evolve(facts.schedule, restored_at=NOW + timedelta(days=1))
        )
        with pytest.raises(InvalidInput) as excinfo:
            transitions(bad, POLICY, start=NOW, end=NOW + FAR, zone=KYIV)
        assert "DeletionSchedule.restored_at" == excinfo.value.field

    @given(story=stories())
    def test_a_window_past_the_last_change_is_empty(self, story):
        """X-5, DEL-3 … DEL-6: the stored schedule's last state change is its last transition;
        a window from its instant holds exactly its transitions at that instant, and one after
        it none of its own (what follows is a deletion the run schedules anew, DEL-1 again)."""
        facts, policy, zone = _facts_of(story)
        sched = facts.schedule
        opened = sched.scheduled_at
        whole = timedelta(days=3 * 3650)  # longer than any notice and retention together

        def own(start):
            return _own(
                transitions(facts, policy, start=start, end=start + whole, zone=zone), sched
            )

        every = own(opened)
        last = every[-1].at
        assert max(t.at for t in every) == last
        assert [t for t in every if t.at >= last] == own(last)
        assert [] == own(last + timedelta(microseconds=1))
