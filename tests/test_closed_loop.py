"""Tests for the closed loop of X-9: the run drives the account.

A window's timeline equals, transition by transition and in order, what a host sees running it
piece by piece and applying each piece's effects (:func:`billrules.apply`) before the next;
applying a timeline's effects is idempotent; a year of nightly runs over a population ends in
accounts that read back from JSON and whose effect keys are those of one year-long timeline.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st
from moneyed import Money

from _accounts import nights
from billrules import DEFAULT_POLICY, apply, run, serialize
from billrules._apply import changes_facts
from billrules.account import Account, User
from billrules.balance import Ledger, LedgerEntry, balance_at
from billrules.contract import Transition
from billrules.deletion import DeletionPolicy
from billrules.effects import Effect
from billrules.policy import Policy
from billrules.testing import accounts, lived_accounts, policies, population_lines
from billrules.timeline import timeline

#: Examples of a property that runs a window of up to 400 days several times over: the
#: profile's count, at most 60, to keep the gate short (as tests/test_effect_keys.py does).
_WINDOW_EXAMPLES = min(settings().max_examples, 60)


def _events(account: Account, policy: Policy, start: datetime, end: datetime) -> list[Transition]:
    return list(timeline(account, policy, start=start, end=end).events)


def _effects(events: list[Transition]) -> list[Effect]:
    return [effect for transition in events for effect in transition.effects]


def _lived_in_pieces(
    account: Account, policy: Policy, bounds: list[datetime]
) -> tuple[list[Transition], Account]:
    """The timelines of consecutive windows, each run on the account with all previous
    windows' effects applied (X-9), and the account at the end."""
    runs, account = nights(account, policy, bounds)
    return [event for night in runs for event in night.events], account


@st.composite
def _windows(
    draw: st.DrawFn, account: Account, *, first: int = -2000, last: int = 9000
) -> list[datetime]:
    """A window of up to 400 days (half of them over 200) starting ``first`` to ``last`` hours from the account's
    creation, cut at up to 8 instants (the bounds, in order, the first and last included)."""
    start = account.created_at + timedelta(hours=draw(st.integers(first, last)))
    # Minutes; half of the windows long (Hypothesis favours small integers).
    length = draw(st.integers(0, 400 * 24 * 60) | st.integers(200 * 24 * 60, 400 * 24 * 60))
    cuts = draw(st.lists(st.integers(0, length), max_size=8).map(sorted))
    return [
        start,
        *(start + timedelta(minutes=cut) for cut in cuts),
        start + timedelta(minutes=length),
    ]


def _fact_changing(events: list[Transition]) -> int:
    return sum(1 for transition in events if changes_facts(transition.effects))


class TestPartition:
    """X-9: a window equals its pieces run in turn, each on the account the previous ones
    left."""

    @settings(max_examples=_WINDOW_EXAMPLES, deadline=None)
    @given(accounts(), policies(), st.data())
    def test_a_window_is_its_pieces_lived_in_turn(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-9 property: for generated accounts and policies, the timeline of a window of up
        to 400 days equals (``==``, in order) the concatenation of the timelines of any
        partition of it, each piece run on the account with the previous pieces' effects
        applied, and the account they leave is the account with the window's effects applied
        at once. Not vacuous: the fact-changing transitions seen are counted as an event (and
        asserted in ``test_lived_accounts_change_facts_and_are_their_pieces``)."""
        bounds = data.draw(_windows(account))
        whole = _events(account, policy, bounds[0], bounds[-1])
        pieces, lived = _lived_in_pieces(account, policy, bounds)
        assert whole == pieces
        assert apply(account, _effects(whole)) == lived
        changing = _fact_changing(whole)
        event(f"fact-changing transitions: {'none' if not changing else 'some'}")

    @settings(max_examples=_WINDOW_EXAMPLES, deadline=None)
    @given(accounts(), st.data())
    def test_a_window_under_the_default_policy_is_its_pieces(
        self, account: Account, data: st.DataObject
    ) -> None:
        """X-9 property under the default policy (a tariff charged monthly, deletion of idle
        accounts): the same equality; the kinds of fact change seen are counted as an event
        (the examples below show the changes by name)."""
        bounds = data.draw(_windows(account))
        whole = _events(account, DEFAULT_POLICY, bounds[0], bounds[-1])
        pieces, _ = _lived_in_pieces(account, DEFAULT_POLICY, bounds)
        assert whole == pieces
        kinds = sorted({t.kind for t in whole if changes_facts(t.effects)})
        event(f"fact-changing kinds: {kinds}")

    @settings(max_examples=_WINDOW_EXAMPLES, deadline=None)
    @given(lived_accounts(), st.data())
    def test_lived_accounts_change_facts_and_are_their_pieces(
        self, account: Account, data: st.DataObject
    ) -> None:
        """X-9 property over accounts the run drives (charged monthly if prepaid, scheduled
        and deleted when idle): a year from the creation always holds a fact-changing
        transition (a charge, a schedule), and any window there equals its pieces lived in
        turn."""
        start = account.created_at
        year = _events(account, DEFAULT_POLICY, start, start + timedelta(days=365))
        assert _fact_changing(year) > 0
        bounds = data.draw(_windows(account, first=-240, last=200 * 24))
        whole = _events(account, DEFAULT_POLICY, bounds[0], bounds[-1])
        pieces, _ = _lived_in_pieces(account, DEFAULT_POLICY, bounds)
        assert whole == pieces
        event(
            f"fact-changing transitions in the window: {'some' if _fact_changing(whole) else 'none'}"
        )


#: A policy whose deletion waits a long idleness, so a prepaid account in debt lives on.
_PATIENT = attrs.evolve(DEFAULT_POLICY, deletion=DeletionPolicy(inactivity_days=3000))
KYIV = "Europe/Kyiv"
_START = datetime(2024, 4, 15, tzinfo=UTC)


def _nightly_bounds(start: datetime, days: int) -> list[datetime]:
    return [start + timedelta(days=day) for day in range(days + 1)]


class TestExamples:
    """X-9 by name: the changes the run makes happen, and nightly runs live them alike."""

    def test_a_prepaid_account_in_debt_over_three_months(self) -> None:
        """BAL-4, BAL-7, DUN-1, X-9: 20.00 paid, 19.00 charged on each local 1st for the
        month just ended: May 1st leaves 1.00, June 1st -18.00 and starts dunning at that
        instant, July 1st -37.00; the charges are ledger entries ``charge-YYYY-MM`` (April,
        May, June); deletion waits a long idleness (a patient policy); three months run night by night give
        the same transitions and the same account as the whole window with its effects
        applied."""
        account = Account(
            id="acme",
            zone=KYIV,
            currency="USD",
            created_at=datetime(2024, 1, 10, tzinfo=UTC),
            users=(User(id="ann", role="owner", last_login_at=datetime(2024, 4, 1, tzinfo=UTC)),),
            ledger=Ledger(
                currency="USD",
                entries=(
                    LedgerEntry(
                        id="pay-1",
                        kind="payment",
                        at=datetime(2024, 1, 10, tzinfo=UTC),
                        amount=Money("20", "USD"),
                    ),
                ),
            ),
        )
        end = _START + timedelta(days=92)
        whole = _events(account, _PATIENT, _START, end)
        charges = [t for t in whole if t.kind == "monthly_charge"]
        firsts = [datetime(2024, month, 1, tzinfo=account.zone) for month in (5, 6, 7)]
        assert firsts == [t.at for t in charges]
        assert ["charge-2024-04", "charge-2024-05", "charge-2024-06"] == [
            e.occasion for t in charges for e in t.effects
        ]
        assert firsts[1] == next(t.at for t in whole if t.area == "dunning")
        assert not any(t.at < firsts[1] for t in whole if t.area == "dunning")
        lived = apply(account, _effects(whole))
        assert lived.ledger is not None
        assert Money("-37", "USD") == balance_at(lived.ledger, at=end)
        pieces, nightly = _lived_in_pieces(account, _PATIENT, _nightly_bounds(_START, 92))
        assert whole == pieces
        assert lived == nightly

    def test_an_inactive_account_is_scheduled_and_deleted(self) -> None:
        """DEL-1, DEL-3, DEL-6, X-9: created Jan 1st, last login Jan 2nd: eligible on Feb 11th
        (older than 40 days, idle 30), scheduled then (a ScheduleDeletion, the notice, the
        banner), deleted 10 days later, purged 20 days after; the schedule applied is the
        account's; night by night, the same transitions and the same account."""
        account = Account(
            id="acme",
            zone="UTC",
            currency="USD",
            created_at=datetime(2024, 1, 1, tzinfo=UTC),
            users=(User(id="ann", role="owner", last_login_at=datetime(2024, 1, 2, tzinfo=UTC)),),
        )
        start = datetime(2024, 1, 1, tzinfo=UTC)
        whole = _events(account, DEFAULT_POLICY, start, start + timedelta(days=91))
        scheduled = datetime(2024, 2, 11, tzinfo=UTC)
        assert [
            ("deletion_scheduled", scheduled),
            ("deletion_reminder", scheduled + timedelta(days=7)),
            ("deletion_reminder", scheduled + timedelta(days=9)),
            ("account_deleted", scheduled + timedelta(days=10)),
            ("data_purged", scheduled + timedelta(days=30)),
        ] == [(t.kind, t.at) for t in whole]
        assert ["schedule_deletion", "send_email", "show_banner"] == [
            e.kind for e in whole[0].effects
        ]
        lived = apply(account, _effects(whole))
        assert lived.deletion_schedule is not None
        assert scheduled == lived.deletion_schedule.scheduled_at
        assert "automatic" == lived.deletion_schedule.kind
        pieces, nightly = _lived_in_pieces(account, DEFAULT_POLICY, _nightly_bounds(start, 91))
        assert whole == pieces
        assert lived == nightly
        # Run again on the account that lived it, the window gives the same transitions.
        assert whole == _events(lived, DEFAULT_POLICY, start, start + timedelta(days=91))


def _kept_account() -> Account:
    """Idle since Jan 2nd, charged 19.00 on Feb 1st, topped up 30.00 on Feb 15th (DEL-7)."""
    return Account(
        id="acme",
        zone="UTC",
        currency="USD",
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        users=(User(id="ann", role="owner", last_login_at=datetime(2024, 1, 2, tzinfo=UTC)),),
        ledger=Ledger(
            currency="USD",
            entries=(
                LedgerEntry(
                    id="pay-1",
                    kind="payment",
                    at=datetime(2024, 2, 15, tzinfo=UTC),
                    amount=Money("30", "USD"),
                ),
            ),
        ),
    )


class TestKept:
    """DEL-7, X-9: a top-up during the notice keeps the account, and the outcome is recorded."""

    def test_a_top_up_during_the_notice_keeps_the_account(self) -> None:
        """BAL-4, DEL-1, DEL-7, X-9: charged for January on Feb 1st (-19.00), scheduled on
        Feb 11th (idle, old enough, nothing on the balance), topped up on the 15th (11.00):
        kept on the 21st, its deletion instant, because of the balance (a
        RecordDeletionOutcome after the hide_banner); applied, the schedule records it. The
        charge of Mar 1st empties the balance again, so the idle account is scheduled anew
        then (DEL-1), deleted on Mar 11th and charged no more (DEL-6); night by night, the same
        transitions and the same account."""
        account = _kept_account()
        start = datetime(2024, 1, 1, tzinfo=UTC)
        whole = _events(account, DEFAULT_POLICY, start, start + timedelta(days=200))
        deletion = [(t.kind, t.at.date().isoformat()) for t in whole if t.area == "deletion"]
        assert [
            ("deletion_scheduled", "2024-02-11"),
            ("deletion_reminder", "2024-02-18"),
            ("deletion_reminder", "2024-02-20"),
            ("deletion_kept", "2024-02-21"),
            ("deletion_scheduled", "2024-03-01"),
        ] == deletion[:5]
        kept = next(t for t in whole if t.kind == "deletion_kept")
        assert ["hide_banner", "record_deletion_outcome"] == [e.kind for e in kept.effects]
        charges = [t.at.date().isoformat() for t in whole if t.kind == "monthly_charge"]
        assert ["2024-02-01", "2024-03-01"] == charges
        until_kept = whole[: whole.index(kept) + 1]
        recorded = apply(account, _effects(until_kept))
        assert recorded.deletion_schedule is not None
        assert datetime(2024, 2, 21, tzinfo=UTC) == recorded.deletion_schedule.kept_at
        assert ("balance_remaining",) == recorded.deletion_schedule.kept_because
        lived = apply(account, _effects(whole))
        assert lived.deletion_schedule is not None
        assert datetime(2024, 3, 1, tzinfo=UTC) == lived.deletion_schedule.scheduled_at
        pieces, nightly = _lived_in_pieces(account, DEFAULT_POLICY, _nightly_bounds(start, 200))
        assert whole == pieces
        assert lived == nightly

    def test_a_kept_account_eligible_again_is_scheduled_again(self) -> None:
        """DEL-1, DEL-7, X-9: kept on Feb 21st with 11.00 left; the charge of Mar 1st leaves
        -8.00, the owner still idle: the account is eligible again, and the run schedules
        its deletion again (on or after Mar 1st)."""
        account = _kept_account()
        start = datetime(2024, 1, 1, tzinfo=UTC)
        whole = _events(account, DEFAULT_POLICY, start, start + timedelta(days=200))
        again = [
            t
            for t in whole
            if t.kind == "deletion_scheduled" and t.at >= datetime(2024, 3, 1, tzinfo=UTC)
        ]
        assert again


class TestIdempotence:
    """X-9: applying a timeline's effects is idempotent, and may be done in parts."""

    @settings(max_examples=_WINDOW_EXAMPLES, deadline=None)
    @given(st.one_of(accounts(), lived_accounts()), policies(), st.data())
    def test_applying_a_windows_effects_twice_or_in_halves(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-9 property: for the effects E of any window's timeline, apply(apply(a, E), E)
        equals apply(a, E), and applying E in two halves (cut anywhere) equals applying it at
        once."""
        bounds = data.draw(_windows(account))
        found = _effects(_events(account, policy, bounds[0], bounds[-1]))
        once = apply(account, found)
        assert apply(once, found) == once
        cut = data.draw(st.integers(0, len(found)))
        assert apply(apply(account, found[:cut]), found[cut:]) == once


#: The population's instant, its size and seed, and the year the nights cover.
_AS_OF = datetime(2024, 5, 8, tzinfo=UTC)
_POPULATION = 30
_SEED = 20


class TestYearOfNights:
    """X-8, X-9 at population scale: a year of nightly runs drives the accounts."""

    def test_a_year_of_nightly_runs_over_a_population(self) -> None:
        """X-9: 30 generated accounts, 365 one-day windows, each night ``run.due`` over the
        current accounts and each account's effects applied: every account ends reading back
        from JSON as it is, and the keys of its nights are those of one 365-day timeline of
        its first snapshot, in order. Charges and schedules happen on the way. Kept under
        ~20 s (about 1 s on the reference machine)."""
        began = time.perf_counter()
        first = [
            serialize.account_from_json(line)
            for line in population_lines(_POPULATION, seed=_SEED, as_of=_AS_OF)
        ]
        current = list(first)
        keys: dict[str, list[str]] = {account.id: [] for account in first}
        for night in range(365):
            start = _AS_OF + timedelta(days=night)
            records = list(
                run.due(current, DEFAULT_POLICY, start=start, end=start + timedelta(days=1))
            )
            assert [account.id for account in current] == [r.account_id for r in records]
            following = []
            for account, record in zip(current, records, strict=True):
                assert isinstance(record, run.AccountDue)
                keys[account.id].extend(effect.key for effect in record.effects)
                following.append(apply(account, record.effects))
            current = following
        kinds = set()
        for account, lived in zip(first, current, strict=True):
            assert serialize.from_json(Account, serialize.to_json(lived)) == lived
            assert serialize.account_from_json(serialize.account_to_json(lived)) == lived
            year = _events(account, DEFAULT_POLICY, _AS_OF, _AS_OF + timedelta(days=365))
            assert [e.key for e in _effects(year)] == keys[account.id]
            kinds |= {t.kind for t in year if changes_facts(t.effects)}
        assert {"monthly_charge", "deletion_scheduled"} <= kinds
        assert time.perf_counter() - began < 20
