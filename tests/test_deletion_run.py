"""The run schedules inactivity deletion (DEL-1, DEL-3 … DEL-7, X-9): an account without a
schedule is scheduled by the transitions the first instant of the window at which it becomes
eligible, and :func:`billrules.apply` records the schedule and its outcome on the account."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from _accounts import nights
from billrules import _time, apply
from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry
from billrules.deletion import (
    AccountActivity,
    DeletionCode,
    DeletionFacts,
    DeletionKind,
    DeletionPolicy,
    DeletionSchedule,
    can_schedule,
    transitions,
)
from billrules.deletion._eligibility import first_eligible
from billrules.effects import HideBanner, RecordDeletionOutcome, ScheduleDeletion
from billrules.policy import DEFAULT_POLICY
from billrules.testing._core import zones
from billrules.testing._deletion import account_activities, deletion_policies
from billrules.timeline import timeline

KYIV = ZoneInfo("Europe/Kyiv")
POLICY = DeletionPolicy()
MOMENT = timedelta(microseconds=1)


def _midnight(day: date, zone: ZoneInfo = KYIV) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _account(created_at: datetime, *last_logins: datetime | None, ledger: Ledger | None = None):
    """A UAH account in Kyiv: its owner (and a staff user) last logged in at ``last_logins``.

    The tariff (19 USD) is in another currency than a UAH ledger, so no monthly charge moves
    the balance (BAL-5): the deletion rules alone decide what happens.
    """
    logins = (*last_logins, None, None)
    return Account(
        id="acme",
        zone=KYIV,
        currency="UAH",
        created_at=created_at,
        users=(
            User(id="ann", role="owner", last_login_at=logins[0]),
            User(id="sam", role="staff", last_login_at=logins[1]),
        ),
        ledger=ledger if ledger is not None else Ledger(currency="UAH"),
    )


def _deletion(tl):
    return [t for t in tl.events if t.area == "deletion"]


def _keyed(changes):
    """What partitions must agree on: each transition's instant, kind and effects' keys."""
    return [(t.at, t.kind, tuple(e.key for e in t.effects)) for t in changes]


# --------------------------------------------------------------------------------------------
# DEL-1 from the seed's numbers


#: The seed's account: created on 1 March 2024 (Kyiv); last login at 01:30 on 15 March in Kyiv,
#: which is still 14 March in UTC.
CREATED = datetime(2024, 3, 1, 14, 20, tzinfo=KYIV)
LOGIN = datetime(2024, 3, 14, 23, 30, tzinfo=UTC)
#: The later of created_on + 41 days (11 April) and the login's local date + 31 days (15 April),
#: at the start of that day in Kyiv: the first instant the account is eligible (DEL-1).
ELIGIBLE = max(
    _midnight(date(2024, 3, 1) + timedelta(days=41)),
    _midnight(date(2024, 3, 15) + timedelta(days=31)),
)
START = datetime(2024, 4, 1, tzinfo=KYIV)
END = datetime(2024, 6, 30, tzinfo=KYIV)


class TestTheRunSchedules:
    def test_del1_the_timeline_schedules_at_the_local_midnight_it_becomes_eligible(self):
        """DEL-1, DEL-3, DEL-4, DEL-5, DEL-6: created more than 40 days ago, no login in 30
        days, balance zero: the timeline schedules the deletion at 00:00 on 15 April in Kyiv
        (the login's local date + 31 days; in UTC it would be the 14th), with ScheduleDeletion
        (DEL-1), the notice (DEL-3, 10 days) and the banner (DEL-5); reminders 3 and 1 days
        before (DEL-4), the deletion (DEL-6) and the purge 20 days later (DEL-6)."""
        assert datetime(2024, 4, 15, tzinfo=KYIV) == ELIGIBLE
        account = _account(CREATED, LOGIN)
        changes = _deletion(timeline(account, DEFAULT_POLICY, start=START, end=END))
        day = timedelta(days=1)
        assert [
            (DeletionKind.DELETION_SCHEDULED, ELIGIBLE),
            (DeletionKind.DELETION_REMINDER, ELIGIBLE + 7 * day),
            (DeletionKind.DELETION_REMINDER, ELIGIBLE + 9 * day),
            (DeletionKind.ACCOUNT_DELETED, ELIGIBLE + 10 * day),
            (DeletionKind.DATA_PURGED, ELIGIBLE + 30 * day),
        ] == [(t.kind, t.at) for t in changes]
        assert [
            [("schedule_deletion", "DEL-1"), ("send_email", "DEL-3"), ("show_banner", "DEL-5")],
            [("send_email", "DEL-4")],
            [("send_email", "DEL-4")],
            [("hide_banner", "DEL-5"), ("delete_account", "DEL-6")],
            [("purge_data", "DEL-6")],
        ] == [[(e.kind, e.rule) for e in t.effects] for t in changes]
        assert (
            ScheduleDeletion(at=ELIGIBLE, rule="DEL-1", deletion_kind="automatic", account="acme")
            == changes[0].effects[0]
        )
        assert {"days": 10, "deletion_date": "2024-04-25"} == changes[0].effects[1].details
        assert [3, 1] == [t.effects[0].details["days_before"] for t in changes[1:3]]
        # Eligible then, and not the microsecond before (DEL-1's login count).
        facts = DeletionFacts(
            activity=AccountActivity(
                created_at=CREATED, logins=(LOGIN,), ledger=Ledger(currency="UAH")
            )
        )
        assert can_schedule(facts, POLICY, at=ELIGIBLE, zone=KYIV).allowed
        before = can_schedule(facts, POLICY, at=ELIGIBLE - MOMENT, zone=KYIV)
        assert ("account_old_enough", "recent_login", "balance_empty") == before.codes

    def test_del1_applying_the_scheduling_records_the_schedule_the_timeline_replays(self):
        """DEL-1, X-9: apply of the scheduling effects gives the account the schedule
        DeletionSchedule(scheduled_at=the instant it became eligible); its timeline from then
        on gives the same transitions, with the same keys (X-6)."""
        account = _account(CREATED, LOGIN)
        changes = _deletion(timeline(account, DEFAULT_POLICY, start=START, end=END))
        scheduled = apply(account, changes[0].effects)
        assert DeletionSchedule(scheduled_at=ELIGIBLE) == scheduled.deletion_schedule
        assert attrs.evolve(account, deletion_schedule=DeletionSchedule(scheduled_at=ELIGIBLE)) == (
            scheduled
        )
        replayed = _deletion(timeline(scheduled, DEFAULT_POLICY, start=ELIGIBLE, end=END))
        assert changes == replayed
        assert _keyed(changes) == _keyed(replayed)
        # The stored schedule, run over the whole window, replays it too.
        assert _keyed(changes) == _keyed(
            _deletion(timeline(scheduled, DEFAULT_POLICY, start=START, end=END))
        )

    def test_del1_a_charge_emptying_the_balance_schedules_at_its_instant(self):
        """DEL-1: old and idle long ago, the account becomes eligible when a charge brings its
        balance to zero: scheduled at the charge's very instant (not at a midnight)."""
        charged = datetime(2024, 5, 7, 13, 45, 12, tzinfo=KYIV)
        ledger = Ledger(
            currency="UAH",
            entries=(
                LedgerEntry(id="p1", kind="payment", at=CREATED, amount=Money(19, "UAH")),
                LedgerEntry(id="c1", kind="charge", at=charged, amount=Money(-19, "UAH")),
            ),
        )
        facts = DeletionFacts(
            activity=AccountActivity(created_at=CREATED, logins=(LOGIN,), ledger=ledger)
        )
        changes = list(transitions(facts, POLICY, start=START, end=END, zone=KYIV))
        assert DeletionKind.DELETION_SCHEDULED == changes[0].kind
        assert charged == changes[0].at
        assert ScheduleDeletion(at=charged, rule="DEL-1") == changes[0].effects[0]
        assert can_schedule(facts, POLICY, at=charged, zone=KYIV).allowed
        before = can_schedule(facts, POLICY, at=charged - MOMENT, zone=KYIV)
        assert DeletionCode.BALANCE_REMAINING == before.codes[2]
        account = _account(CREATED, LOGIN, ledger=ledger)
        lived = _deletion(timeline(account, DEFAULT_POLICY, start=START, end=END))
        assert [(t.kind, t.at) for t in changes] == [(t.kind, t.at) for t in lived]

    def test_an_account_eligible_before_the_window_is_not_scheduled_by_the_run(self):
        """DEL-1 (documented choice): the scheduling instant depends on the facts alone, never
        on the window: an account that became eligible before the window starts is not
        scheduled by a run of that window (the run of the window it became eligible in
        schedules it); a window holding that instant does."""
        account = _account(CREATED, LOGIN)
        late = ELIGIBLE + MOMENT
        assert [] == _deletion(timeline(account, DEFAULT_POLICY, start=late, end=END))
        facts = DeletionFacts(
            activity=AccountActivity(
                created_at=CREATED, logins=(LOGIN,), ledger=Ledger(currency="UAH")
            )
        )
        assert can_schedule(facts, POLICY, at=late, zone=KYIV).allowed
        assert [] == list(transitions(facts, POLICY, start=late, end=END, zone=KYIV))
        assert first_eligible(facts.activity, POLICY, late, END, KYIV) is None
        assert ELIGIBLE == first_eligible(facts.activity, POLICY, ELIGIBLE, END, KYIV)
        assert [] == list(transitions(facts, POLICY, start=START, end=ELIGIBLE, zone=KYIV))


# --------------------------------------------------------------------------------------------
# DEL-7: kept, and the outcome recorded


class TestKeptByTheRun:
    def test_del7_a_login_during_the_notice_keeps_the_account_and_apply_records_why(self):
        """DEL-7, X-9: the owner logs in on day 5 of the notice: at the deletion instant the
        account is kept (deletion_kept, HideBanner then RecordDeletionOutcome(kept_because=
        ('recent_login',))), nothing is deleted; apply of the window's effects records
        kept_at (the deletion instant) and kept_because on the schedule; applying them again
        changes nothing."""
        deletion_at = ELIGIBLE + timedelta(days=10)
        login = ELIGIBLE + timedelta(days=5)
        # The staff user's login is the old one; the owner's is the one of the notice.
        account = _account(CREATED, login, LOGIN)
        changes = _deletion(timeline(account, DEFAULT_POLICY, start=START, end=END))
        assert [
            DeletionKind.DELETION_SCHEDULED,
            DeletionKind.DELETION_REMINDER,
            DeletionKind.DELETION_REMINDER,
            DeletionKind.DELETION_KEPT,
        ] == [t.kind for t in changes[:4]]
        # DEL-1 again: once kept, the account is scheduled anew the day it becomes eligible
        # again, 31 local days after the login that saved it.
        anew = _time.start_of_day(login.astimezone(KYIV).date() + timedelta(days=31), KYIV)
        assert all(t.at >= anew for t in changes[4:])
        if anew < END:
            assert (DeletionKind.DELETION_SCHEDULED, anew) == (changes[4].kind, changes[4].at)
        changes = changes[:4]
        kept = changes[-1]
        assert deletion_at == kept.at
        assert (
            HideBanner(at=deletion_at, rule="DEL-5", banner="deletion_scheduled", account="acme"),
            RecordDeletionOutcome(
                at=deletion_at, rule="DEL-7", kept_because=("recent_login",), account="acme"
            ),
        ) == kept.effects
        effects = [e for t in changes for e in t.effects]
        recorded = apply(account, effects)
        assert (
            DeletionSchedule(
                scheduled_at=ELIGIBLE, kept_at=deletion_at, kept_because=("recent_login",)
            )
            == recorded.deletion_schedule
        )
        assert recorded is apply(recorded, effects)
        # The recorded account's run of the same window gives the same transitions and keys
        # (up to the kept deletion: the new schedule after it is not applied here).
        again = _deletion(timeline(recorded, DEFAULT_POLICY, start=START, end=END))
        assert _keyed(changes) == _keyed(again[:4])

    def test_del7_a_top_up_during_the_notice_keeps_the_account_and_apply_records_why(self):
        """DEL-7: a top-up on day 6 of the notice: kept because balance_remaining, recorded by
        apply; applying the effects twice gives the very same account."""
        deletion_at = ELIGIBLE + timedelta(days=10)
        ledger = Ledger(
            currency="UAH",
            entries=(
                LedgerEntry(
                    id="p1",
                    kind="payment",
                    at=ELIGIBLE + timedelta(days=6),
                    amount=Money(19, "UAH"),
                ),
            ),
        )
        account = _account(CREATED, LOGIN, ledger=ledger)
        changes = _deletion(timeline(account, DEFAULT_POLICY, start=START, end=END))
        assert DeletionKind.DELETION_KEPT == changes[-1].kind
        outcome = changes[-1].effects[-1]
        assert (
            RecordDeletionOutcome(
                at=deletion_at, rule="DEL-7", kept_because=("balance_remaining",), account="acme"
            )
            == outcome
        )
        once = apply(account, [e for t in changes for e in t.effects])
        assert deletion_at == once.deletion_schedule.kept_at
        assert ("balance_remaining",) == once.deletion_schedule.kept_because
        assert once is apply(once, [e for t in changes for e in t.effects])
        assert once is apply(once, [outcome])


# --------------------------------------------------------------------------------------------
# Properties


def _becomes_eligible(facts: DeletionFacts, policy: DeletionPolicy, at: datetime, zone) -> bool:
    """DEL-1: eligible at ``at`` and not the microsecond before (or that is before creation)."""
    if not can_schedule(facts, policy, at=at, zone=zone).allowed:
        return False
    before = at - MOMENT
    created = facts.activity.created_at
    return before < created or not can_schedule(facts, policy, at=before, zone=zone).allowed


def _candidates(activity: AccountActivity, start: datetime, end: datetime, zone: ZoneInfo):
    """Every local midnight (a day's first instant) of ``[start, end)`` and every ledger
    entry's instant in it, at or after the creation, in order."""
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    midnights = {_start_of_day(day, zone) for day in days}
    entries = {entry.at for entry in activity.ledger.entries}
    return sorted(
        at for at in midnights | entries if start <= at < end and at >= activity.created_at
    )


def _start_of_day(day: date, zone: ZoneInfo) -> datetime:
    from billrules._time import start_of_day

    return start_of_day(day, zone)


class TestProperties:
    @settings(deadline=None)
    @given(
        activity=account_activities(currency="UAH", span=timedelta(days=150)),
        policy=deletion_policies(),
        zone=zones(),
        offset=st.integers(min_value=-48, max_value=150 * 24),
        length=st.integers(min_value=0, max_value=120 * 24),
        probes=st.lists(st.integers(min_value=0, max_value=120 * 24 * 60), max_size=5),
    )
    def test_first_eligible_is_the_first_instant_the_account_becomes_eligible(
        self, activity, policy, zone, offset, length, probes
    ):
        """DEL-1 property: first_eligible gives an instant x of the window at which
        can_schedule allows and, at x - 1µs, refuses (or that is before the creation); no
        earlier instant of the window has that property: none of a brute-force scan of every
        local midnight and ledger entry of the window, nor any probed minute of it."""
        start = activity.created_at + timedelta(hours=offset)
        end = start + timedelta(hours=length)
        facts = DeletionFacts(activity=activity)
        found = first_eligible(activity, policy, start, end, zone)
        scanned = next(
            (
                at
                for at in _candidates(activity, start, end, zone)
                if _becomes_eligible(facts, policy, at, zone)
            ),
            None,
        )
        assert scanned == found
        if found is not None:
            assert start <= found < end
            assert _becomes_eligible(facts, policy, found, zone)
        for minutes in probes:
            probe = start + timedelta(minutes=minutes)
            if activity.created_at <= probe < end and _becomes_eligible(facts, policy, probe, zone):
                assert found is not None
                assert found <= probe

    @settings(deadline=None)
    @given(
        activity=account_activities(currency="UAH", span=timedelta(days=100)),
        policy=deletion_policies(),
        empty=st.booleans(),
        data=st.data(),
    )
    def test_any_split_of_a_window_gives_the_deletion_transitions_of_the_whole(
        self, activity, policy, empty, data
    ):
        """DEL-1 … DEL-7, X-6, X-9 property: for any split of a window, the deletion
        transitions of the pieces, each piece's effects applied (billrules.apply) before the
        next piece runs, are those of the whole window: same instants, kinds and keys. The
        pieces must apply: a schedule the run opened is the account's own afterwards (X-9).

        The window mostly starts shortly before the account becomes eligible, and the owner
        may log in during the notice (kept, DEL-7)."""
        zone = activity.created_at.tzinfo
        # Half the accounts have an empty ledger: eligible once old and idle enough.
        ledger = Ledger(currency="UAH") if empty else activity.ledger
        logins = activity.logins
        created = activity.created_at
        horizon = attrs.evolve(activity, ledger=ledger)
        becomes = first_eligible(horizon, policy, created, created + timedelta(days=400), zone)
        length = data.draw(st.integers(0, 120 * 24))
        if becomes is None:
            start = created + timedelta(hours=data.draw(st.integers(0, 100 * 24)))
            late: tuple[datetime, ...] = ()
        else:
            start = max(created, becomes - timedelta(hours=data.draw(st.integers(0, 60 * 24))))
            # Mostly a window that holds the instant it becomes eligible.
            length = max(length, (becomes - start) // timedelta(hours=1) + length // 2)
            notice = max(policy.notice_days, 1) * 24
            late = tuple(
                becomes + timedelta(hours=hours)
                for hours in data.draw(st.lists(st.integers(0, notice), max_size=1))
            )
        account = attrs.evolve(
            _account(created, *(late or logins[-1:]), *logins[:1], ledger=ledger), zone=zone
        )
        policies = attrs.evolve(DEFAULT_POLICY, deletion=policy)
        end = start + timedelta(hours=length)
        cuts = data.draw(st.lists(st.integers(0, length), max_size=4).map(sorted))
        bounds = [start, *(start + timedelta(hours=cut) for cut in cuts), end]
        whole = _deletion(timeline(account, policies, start=start, end=end))
        runs, _ = nights(account, policies, bounds)
        pieces = [transition for night in runs for transition in _deletion(night)]
        assert _keyed(whole) == _keyed(pieces)


class TestSkippedMidnight:
    def test_del1_a_day_that_starts_after_a_skipped_midnight_schedules_then(self) -> None:
        """DEL-1, X-3: in Sao Paulo, 4 Nov 2018 began at 01:00 (clocks skipped midnight). An
        account created 24 Sep 2018 at noon, with no login and nothing on the balance,
        becomes eligible that day: scheduled at 01:00-02:00, the day's first instant (the
        instant before it is 23:59:59.999999 of the 3rd, when it was not yet eligible)."""
        zone = ZoneInfo("America/Sao_Paulo")
        account = Account(
            id="acme",
            zone=zone,
            currency="USD",
            created_at=datetime(2018, 9, 24, 12, tzinfo=zone),
            users=(User(id="ann", role="owner"),),
        )
        start, end = datetime(2018, 10, 1, tzinfo=UTC), datetime(2019, 3, 1, tzinfo=UTC)
        scheduled = [
            t
            for t in timeline(account, DEFAULT_POLICY, start=start, end=end).events
            if t.kind == DeletionKind.DELETION_SCHEDULED
        ]
        assert [datetime(2018, 11, 4, 3, tzinfo=UTC)] == [t.at for t in scheduled]
        assert "2018-11-04T01:00:00-02:00" == scheduled[0].at.astimezone(zone).isoformat()
