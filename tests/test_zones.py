"""Time zones' odd days (X-3): a day whose midnight a gap swallows, a date that goes back.

The regression tests use the examples the zone scan found; the scan itself walks every
transition of every zone in ``zoneinfo`` and checks the day's start against an independent
reading, and that :func:`can_use_product` and explain's dunning findings agree around each
transition for a debt that starts just before it.
"""

from __future__ import annotations

import bisect
import importlib
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from _dunning import answer
from billrules import _time
from billrules.account import Account, User
from billrules.balance import BalanceFacts, Ledger, LedgerEntry
from billrules.dunning import DunningPolicy, Stage, role_findings
from billrules.errors import InvalidInput
from billrules.policy import Policy
from billrules.report import explain
from billrules.roles import Role
from billrules.subscriptions import (
    Subscription,
    SubscriptionPolicy,
    cancel,
    current_period,
    renewals_between,
)

#: The pure-Python implementation of zoneinfo (stdlib) exposes each zone's transitions; the
#: library itself never reads them.
_ZoneFile: Any = importlib.import_module("zoneinfo._zoneinfo").ZoneInfo

TORONTO = ZoneInfo("America/Toronto")
ST_JOHNS = ZoneInfo("America/St_Johns")
APIA = ZoneInfo("Pacific/Apia")
MICRO = timedelta(microseconds=1)
BY_MONTH = DunningPolicy()
BY_DEBT = DunningPolicy(anchor="debt_start")


def _local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def _just_before(at: datetime) -> datetime:
    """The instant a microsecond before ``at`` (in UTC: arithmetic on a zone's time would
    move its wall clock, not the instant)."""
    return at.astimezone(UTC) - MICRO


def _debt_ledger(started: datetime) -> Ledger:
    charge = LedgerEntry(
        id="c-1", kind="charge", at=started, amount=Money("-5.00", "USD"), description="x"
    )
    return Ledger(currency="USD", entries=(charge,))


def _facts(started: datetime) -> BalanceFacts:
    return BalanceFacts(balance=Money("-5.00", "USD"), debt_started_at=started)


# --------------------------------------------------------------------------------------------
# Class 14: the day's start where a gap swallows midnight (SUB-1, SUB-2)


class TestStartOfDay:
    def test_day_starts_where_a_gap_that_swallows_midnight_ends(self) -> None:
        """X-3: Toronto 1919-03-31 went from 23:30 EST to 00:30 EDT: the day starts at 00:30."""
        start = _time.start_of_day(date(1919, 3, 31), TORONTO)

        assert datetime(1919, 3, 31, 4, 30, tzinfo=UTC) == start
        assert (0, 30, timedelta(hours=-4)) == (start.hour, start.minute, start.utcoffset())
        assert date(1919, 3, 30) == _local_date(_just_before(start), TORONTO)

    def test_a_skipped_date_starts_where_the_next_date_starts(self) -> None:
        """X-3: Apia skipped 2011-12-30 whole: its start is the 31st's, a day of no length."""
        skipped = _time.start_of_day(date(2011, 12, 30), APIA)

        assert skipped == _time.start_of_day(date(2011, 12, 31), APIA)
        assert datetime(2011, 12, 30, 10, tzinfo=UTC) == skipped
        assert date(2011, 12, 29) == _local_date(_just_before(skipped), APIA)

    def test_a_repeated_midnight_starts_the_day_the_first_time(self) -> None:
        """X-3: St. John's showed 00:00 on 2010-11-07 twice; the day starts at the first."""
        start = _time.start_of_day(date(2010, 11, 7), ST_JOHNS)

        # Compared in UTC: Python finds an ambiguous time unequal to every time of another zone.
        assert datetime(2010, 11, 7, 2, 30, tzinfo=UTC) == start.astimezone(UTC)
        assert 0 == start.fold

    def test_a_cancelled_subscription_shows_no_period_after_its_end(self) -> None:
        """SUB-1, SUB-2: cancelled before Toronto's 1919-03-31 renewal, the service ends when
        that day starts (00:30 EDT), and no instant of the 31st is in a period."""
        sub = Subscription(plan="Pro", anchor=date(1919, 1, 31), period="monthly")
        cancelled = cancel(
            sub, SubscriptionPolicy(), at=datetime(1919, 3, 15, 12, tzinfo=TORONTO), zone=TORONTO
        )

        assert datetime(1919, 3, 31, 4, 30, tzinfo=UTC) == cancelled.ends_at
        for minutes in (0, 15, 29, 60, 24 * 60):
            at = datetime(1919, 3, 31, 4, 30, tzinfo=UTC) + timedelta(minutes=minutes)
            assert current_period(cancelled, at=at, zone=TORONTO) is None, minutes
        last = current_period(
            cancelled, at=datetime(1919, 3, 31, 4, 29, 59, tzinfo=UTC), zone=TORONTO
        )
        assert last is not None
        assert (1, date(1919, 3, 31)) == (last.index, last.end)
        assert () == renewals_between(
            cancelled,
            start=datetime(1919, 3, 16, tzinfo=UTC),
            end=datetime(1919, 5, 1, tzinfo=UTC),
            zone=TORONTO,
        )

    def test_renewal_is_at_the_first_instant_of_a_day_whose_midnight_is_skipped(self) -> None:
        """SUB-1: the renewal on Toronto's 1919-03-31 falls when that day starts, 00:30 EDT."""
        sub = Subscription(plan="Pro", anchor=date(1919, 1, 31), period="monthly")

        (renewal,) = renewals_between(
            sub,
            start=datetime(1919, 3, 30, tzinfo=UTC),
            end=datetime(1919, 4, 1, tzinfo=UTC),
            zone=TORONTO,
        )

        assert (date(1919, 3, 31), datetime(1919, 3, 31, 4, 30, tzinfo=UTC)) == (
            renewal.on,
            renewal.at,
        )


# --------------------------------------------------------------------------------------------
# Class 13: a date that goes back just after the debt started (DUN-1, DUN-3)

#: St. John's, 2010-11-07 00:01 NDT became 23:01 NST on the 6th: a debt from 00:00:30 NDT on
#: the 7th, asked about half an hour later, when the clocks show 23:30:30 on the 6th.
_SJ_STARTED = datetime(2010, 11, 7, 0, 0, 30, tzinfo=ST_JOHNS)
_SJ_AT = (_SJ_STARTED.astimezone(UTC) + timedelta(minutes=30)).astimezone(ST_JOHNS)


class TestDateThatGoesBack:
    def test_the_example_is_what_it_claims(self) -> None:
        assert (date(2010, 11, 7), date(2010, 11, 6)) == (_SJ_STARTED.date(), _SJ_AT.date())
        assert _SJ_AT.fold == 1

    def test_can_use_product_answers_day_6_under_month_start(self) -> None:
        """DUN-1, DUN-3: the 6th that the clock change brings back is day 6 of the month."""
        access = answer(_facts(_SJ_STARTED), BY_MONTH, role="admin", at=_SJ_AT, zone=ST_JOHNS)

        assert access.stage is not None
        assert (access.stage, access.next_stage_on) == (
            BY_MONTH.stage_on_day(6),
            date(2010, 11, 7),
        )
        assert "reminder" == access.stage.name

    def test_can_use_product_answers_the_first_stage_under_debt_start(self) -> None:
        """DUN-3: a date before the debt's own is day 0: the first stage, nothing restricted."""
        access = answer(_facts(_SJ_STARTED), BY_DEBT, role="admin", at=_SJ_AT, zone=ST_JOHNS)

        assert access.stage == BY_DEBT.stages[0]
        assert not access.restricted
        assert date(2010, 11, 10) == access.next_stage_on

    @pytest.mark.parametrize("policy", [BY_MONTH, BY_DEBT], ids=["month_start", "debt_start"])
    def test_explain_and_can_use_product_agree(self, policy: DunningPolicy) -> None:
        """DUN-1, DUN-3: explain gives every role the stage can_use_product gives it."""
        account = Account(
            id="sj",
            zone=ST_JOHNS,
            currency="USD",
            created_at=datetime(2010, 1, 1, tzinfo=UTC),
            users=(User(id="o", role="owner"), User(id="s", role="staff")),
            ledger=_debt_ledger(_SJ_STARTED),
        )

        report = explain(account, Policy(dunning=policy), _SJ_AT)

        for role_report in report.roles:
            (finding,) = [f for f in role_report.findings if f.area == "dunning"]
            access = answer(
                _facts(_SJ_STARTED), policy, role=role_report.role, at=_SJ_AT, zone=ST_JOHNS
            )
            assert access.stage is not None
            assert {"level": str(access.level), "stage": access.stage.name} == dict(finding.details)

    def test_an_earlier_instant_on_the_debts_own_day_is_refused(self) -> None:
        """DUN-3: "before the debt started" compares instants, not local dates."""
        started = datetime(2024, 5, 15, 18, tzinfo=ST_JOHNS)
        for policy in (BY_MONTH, BY_DEBT):
            with pytest.raises(InvalidInput) as excinfo:
                answer(
                    _facts(started),
                    policy,
                    role="admin",
                    at=datetime(2024, 5, 15, 12, tzinfo=ST_JOHNS),
                    zone=ST_JOHNS,
                )
            assert ("at", "at: must not be before the debt started") == (
                excinfo.value.field,
                str(excinfo.value),
            )

    def test_an_earlier_instant_on_a_later_local_date_is_refused(self) -> None:
        """DUN-3, X-3: a debt from 23:30:30 NST on the 6th (the second time the clocks showed
        it) has not started at 00:00:30 NDT on the 7th, half an hour earlier."""
        for policy in (BY_MONTH, BY_DEBT):
            with pytest.raises(InvalidInput) as excinfo:
                answer(_facts(_SJ_AT), policy, role="admin", at=_SJ_STARTED, zone=ST_JOHNS)
            assert "at" == excinfo.value.field

    def test_a_date_gone_back_into_the_month_before_is_day_0(self) -> None:
        """DUN-1, DUN-3: St. John's went from 00:01 NDT on 2009-11-01 back to 23:01 NST on
        October 31st: for a debt from 00:00:30 on November 1st, that hour is day 0 under
        either anchor, the first stage; the next stage starts on its day of November."""
        started = datetime(2009, 11, 1, 0, 0, 30, tzinfo=ST_JOHNS)
        at = datetime(2009, 11, 1, 3, 1, tzinfo=UTC)
        assert date(2009, 10, 31) == _local_date(at, ST_JOHNS)
        late = Stage(name="late", first_day=31, access=dict.fromkeys(Role, "blocked"))
        free = Stage(name="free", first_day=1, access=dict.fromkeys(Role, "full"))
        cases = [
            (BY_MONTH, "no_restriction", date(2009, 11, 4)),
            (BY_DEBT, "no_restriction", date(2009, 11, 4)),
            # November has no day 31: the next change is the 1st of December (DUN-3 Reading).
            (DunningPolicy(stages=(free, late)), "free", date(2009, 12, 1)),
            (DunningPolicy(stages=(free,)), "free", None),
        ]
        for policy, stage, next_on in cases:
            access = answer(_facts(started), policy, role="owner", at=at, zone=ST_JOHNS)
            assert access.stage is not None
            assert (stage, next_on) == (access.stage.name, access.next_stage_on)
            assert stage == _role_stage(_debt_ledger(started), policy, at, ST_JOHNS)

    def test_an_earlier_instant_in_the_next_local_month_is_refused(self) -> None:
        """DUN-3, X-3: a debt from 23:31 NST on 2009-10-31 (after the clocks went back) has not
        started at 00:00:30 NDT on November 1st, half an hour earlier."""
        started = datetime(2009, 11, 1, 3, 1, tzinfo=UTC).astimezone(ST_JOHNS)
        at = datetime(2009, 11, 1, 0, 0, 30, tzinfo=ST_JOHNS)
        for policy in (BY_MONTH, BY_DEBT):
            with pytest.raises(InvalidInput) as excinfo:
                answer(_facts(started), policy, role="admin", at=at, zone=ST_JOHNS)
            assert "at" == excinfo.value.field

    def test_before_compares_instants_that_share_a_zone(self) -> None:
        """X-3: Python compares two times of one zone by their wall clocks; ``before`` does not."""
        assert _SJ_AT < _SJ_STARTED  # the wall clocks
        assert _time.before(_SJ_STARTED, _SJ_AT)
        assert not _time.before(_SJ_AT, _SJ_STARTED)
        assert not _time.before(_SJ_AT, _SJ_AT)
        assert _time.before(_SJ_STARTED, _SJ_AT.astimezone(UTC))


# --------------------------------------------------------------------------------------------
# The scan over every zone's transitions


def _transitions(key: str) -> list[datetime]:
    """The instants at which ``key``'s UTC offset changes, from the zone's own file."""
    zone = ZoneInfo(key)
    found = []
    for seconds in _ZoneFile.no_cache(key)._trans_utc:
        at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
        if _time.FIRST_YEAR < at.year < _time.LAST_YEAR and (
            (at - MICRO).astimezone(zone).utcoffset() != at.astimezone(zone).utcoffset()
        ):
            found.append(at)
    return found


def _first_instant(day: date, zone: ZoneInfo, near: list[datetime]) -> datetime:
    """An independent reading of the day's start: the earliest instant at which the local date
    reaches ``day`` (or a later date) from an earlier one. Between transitions the wall clock
    runs on at one offset, so that instant is either a transition or a midnight read with an
    offset in force near it."""
    midnight = datetime.combine(day, time())
    offsets = {t.astimezone(zone).utcoffset() for t in near}
    offsets |= {(t - MICRO).astimezone(zone).utcoffset() for t in near}
    candidates = [*near, *((midnight - offset).replace(tzinfo=UTC) for offset in offsets if offset)]
    candidates.append(midnight.replace(tzinfo=UTC))  # an offset of zero

    def crosses(at: datetime) -> bool:
        return (
            at.astimezone(zone).replace(tzinfo=None) >= midnight
            and (at - MICRO).astimezone(zone).replace(tzinfo=None) < midnight
        )

    return min(at for at in candidates if crosses(at))


def _zone_cases() -> Iterator[tuple[str, ZoneInfo, list[datetime]]]:
    for key in sorted(zoneinfo.available_timezones()):
        yield key, ZoneInfo(key), _transitions(key)


_ZONES = list(_zone_cases())


def _near(changes: list[datetime], at: datetime) -> list[datetime]:
    low = bisect.bisect_left(changes, at - timedelta(days=3))
    high = bisect.bisect_right(changes, at + timedelta(days=3))
    return changes[low:high]


def test_the_scan_covers_every_zone_and_the_known_examples() -> None:
    keys = {key for key, _, changes in _ZONES}
    assert keys == zoneinfo.available_timezones()
    assert sum(len(changes) for _, _, changes in _ZONES) > 10_000
    assert (
        datetime(1919, 3, 31, 4, 30, tzinfo=UTC) in {k: c for k, _, c in _ZONES}["America/Toronto"]
    )


def test_every_zone_every_day_starts_at_its_first_instant() -> None:
    """X-3: around every transition of every zone, ``start_of_day(d)`` is the first instant
    whose local date reaches ``d``: one microsecond earlier the date is before ``d``; its own
    date is ``d``, or, when a gap skips ``d`` whole, the first later date that exists; and it
    is a wall time that exists in the zone."""
    checked = 0
    for key, zone, changes in _ZONES:
        for change in changes:
            before, after = _local_date(change - MICRO, zone), _local_date(change, zone)
            first, last = min(before, after), max(before, after) + timedelta(days=1)
            day = first
            while day <= last:
                start = _time.start_of_day(day, zone)
                where = (key, day.isoformat())
                # In UTC: an ambiguous time compares unequal to every time of another zone.
                assert start.astimezone(UTC) == _first_instant(day, zone, _near(changes, change)), (
                    where
                )
                assert _local_date(_just_before(start), zone) < day, where
                own = _local_date(start, zone)
                assert own >= day, where
                if own > day:  # a skipped date: no instant of the zone shows it
                    assert _local_date(_just_before(start), zone) < day < own, where
                    assert start.astimezone(UTC) == _time.start_of_day(own, zone).astimezone(UTC), (
                        where
                    )
                assert start.astimezone(UTC).astimezone(zone) == start, where
                assert start.replace(tzinfo=None) == _time.normalized(start).replace(tzinfo=None)
                checked += 1
                day += timedelta(days=1)
    assert checked > 50_000


def _offset(at: datetime, zone: ZoneInfo) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _role_stage(ledger: Ledger, policy: DunningPolicy, at: datetime, zone: ZoneInfo) -> object:
    (finding,) = role_findings(ledger, policy, role="admin", at=at, zone=zone)
    return finding.details["stage"]


def test_every_zone_can_use_product_and_explain_agree_around_each_transition() -> None:
    """DUN-1, DUN-3, X-3: for a debt that starts a minute before each transition of each
    zone, can_use_product answers (never "before the debt started") and gives the stage that
    explain's dunning finding gives, under both anchors, at the transition, across the hour or
    day a clock change repeats and just after; the stage is that of the local date's day.

    Sampled: every change that moves the local date (the cases that matter) and one in four
    of the others (the same yearly changes over and over)."""
    disagreements = []
    gone_back = 0
    for key, zone, changes in _ZONES:
        for number, change in enumerate(changes):
            started = (change - timedelta(minutes=1)).astimezone(zone)
            # How long the clocks repeat after ``change`` (nothing when they jump forward).
            span = max(_offset(change - MICRO, zone) - _offset(change, zone), timedelta(0))
            dates = {_local_date(at, zone) for at in (change - MICRO, change, change + span)}
            if len(dates) == 1 and number % 4:
                continue
            ledger = _debt_ledger(started)
            facts = _facts(started)
            debt_day = started.date()
            steps = {timedelta(0), span / 2, span - MICRO, span, span + timedelta(hours=1)}
            for step in sorted(step for step in steps if step >= timedelta(0)):
                at = (change + step).astimezone(zone)
                today = at.date()
                gone_back += today < debt_day
                for policy, expected_day in (
                    (BY_MONTH, _month_day(today, debt_day)),
                    (BY_DEBT, (today - debt_day).days + 1),
                ):
                    access = answer(facts, policy, role="admin", at=at, zone=zone)
                    assert access.stage is not None
                    expected = (
                        policy.stages[-1]
                        if expected_day is None
                        else policy.stage_on_day(max(expected_day, 1))
                    )
                    explained = _role_stage(ledger, policy, at, zone)
                    if (access.stage, access.stage.name) != (expected, explained):
                        disagreements.append((key, at.isoformat(), str(policy.anchor)))
    assert [] == disagreements
    assert gone_back > 0  # the scan met dates that go back below the debt's


def _month_day(today: date, debt_day: date) -> int | None:
    """The day of the month_start schedule: ``None`` for a later month (the last stage)."""
    if (today.year, today.month) == (debt_day.year, debt_day.month):
        return today.day
    if today > debt_day:
        return None
    return 0


def test_zone_examples_from_the_issue_go_back() -> None:
    """The other zones the scan named: each has a change that takes the date back."""
    for key, year in [
        ("America/Moncton", None),
        ("Antarctica/Casey", 2010),
        ("Pacific/Guam", 1969),
        ("America/Sitka", 1867),
        ("America/Juneau", 1867),
    ]:
        zone = ZoneInfo(key)
        changes = {k: c for k, _, c in _ZONES}[key]
        backs = [
            change
            for change in changes
            if _local_date(change, zone) < _local_date(change - MICRO, zone)
            and (year is None or change.year == year)
        ]
        assert backs, key
        for change in backs:
            started = (change - timedelta(minutes=1)).astimezone(zone)
            at = change.astimezone(zone)
            for policy in (BY_MONTH, BY_DEBT):
                access = answer(_facts(started), policy, role="staff", at=at, zone=zone)
                assert access.stage is not None
                assert access.stage.name == _role_stage(_debt_ledger(started), policy, at, zone)


@given(
    day=st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)),
    key=st.sampled_from(sorted(zoneinfo.available_timezones())),
)
def test_property_a_day_starts_when_its_date_is_first_reached(day: date, key: str) -> None:
    """X-3: for any date in any zone, one microsecond before the day's start the local date is
    earlier, and at it the local date is the day itself or, for a skipped date, a later one."""
    zone = ZoneInfo(key)

    start = _time.start_of_day(day, zone)

    assert _local_date(_just_before(start), zone) < day <= _local_date(start, zone)
    assert start.astimezone(UTC).astimezone(zone) == start
    assert start.astimezone(UTC) <= _time.start_of_day(day + timedelta(days=1), zone).astimezone(
        UTC
    )
