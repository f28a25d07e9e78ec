"""Tests for billrules.timeline: every area's transitions merged in time order (X-5)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from _accounts import DELINQUENT, KYIV, T0, _account, _charge, _payment, nights
from billrules import apply, cancellation, deletion, dunning, subscriptions
from billrules.account import Account, User, account_state, activity
from billrules.balance import Ledger
from billrules.cancellation import (
    CancellationCode,
    CancellationRequest,
    RequestState,
    deactivation_effects,
)
from billrules.contract import Suspension, Transition
from billrules.decisions import Reason
from billrules.deletion import DeletionCode, DeletionFacts, DeletionSchedule
from billrules.dunning import DunningCode, DunningKind
from billrules.effects import Effect, RevokeAccess, SendEmail
from billrules.errors import InvalidInput, InvalidType, NaiveDatetimeError
from billrules.evaluation import AREAS, Evaluation
from billrules.invoices import InvoiceStatus, is_overdue
from billrules.policy import DEFAULT_POLICY, Policy
from billrules.subscriptions import PlanChange, Subscription
from billrules.testing import accounts, policies
from billrules.timeline import Timeline, timeline, transition_data, upcoming

_AREA_NAMES = [area.name for area in AREAS]


def _kinds(tl: Timeline) -> list[tuple[str, str]]:
    return [(e.at.astimezone(KYIV).strftime("%m-%d"), str(e.kind)) for e in tl.events]


def _deletion_facts(account: Account) -> DeletionFacts:
    return DeletionFacts(activity=activity(account), schedule=account.deletion_schedule)


def _for(account: Account, effects: Iterable[Effect]) -> tuple[Effect, ...]:
    """``effects`` as the timeline gives them: carrying the account's id (X-6)."""
    return tuple(attrs.evolve(effect, account=account.id) for effect in effects)


def _stamped(account: Account, transition: Transition) -> Transition:
    """An area's transition as the timeline gives it: its effects carry the account's id."""
    return attrs.evolve(transition, effects=_for(account, transition.effects))


def _start(account: Account, data: st.DataObject, low: int = -2000, high: int = 9000) -> datetime:
    return account.created_at + timedelta(hours=data.draw(st.integers(low, high)))


def _nightly(account: Account, policy: Policy, bounds: list[datetime]) -> list[Timeline]:
    """The timelines of runs over consecutive windows, each run's effects applied to the
    account before the next (X-9): what a host sees running them night by night."""
    return nights(account, policy, bounds)[0]


def _stretches(account: Account, events: Iterable[Transition]) -> list[int]:
    """For each transition, how many transitions before it changed the account's facts: the
    stretch of the lived timeline it belongs to (X-9)."""
    found: list[int] = []
    changes = 0
    for event in events:
        found.append(changes)
        after = apply(account, event.effects)
        if after is not account:
            account, changes = after, changes + 1
    return found


class TestTimeline:
    """X-5: the merged transitions of every area."""

    def test_seed_month_of_the_delinquent_account(self) -> None:
        """X-5: DUN-1 stages on the 1st, 4th, 7th and 10th; INV-2 due, OVD-3 past_due and
        SUB-1 renewal on the 15th (in the registry's order of areas); DEL-3 notice on the 20th
        with DEL-4 reminders and DEL-6 deletion on the 30th; OVD-3 warning on the 25th (day 10)
        and blocked on the 29th (day 14); CAN-6/CAN-8 deactivation on June 1st — in time
        order."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=32))
        expected = [
            ("05-01", "dunning_stage"),
            ("05-04", "dunning_stage"),
            ("05-07", "dunning_stage"),
            ("05-10", "dunning_stage"),
            ("05-15", "invoice_overdue"),
            ("05-15", "overdue_stage"),
            ("05-15", "renewal"),
            ("05-20", "deletion_scheduled"),
            ("05-25", "overdue_stage"),
            ("05-27", "deletion_reminder"),
            ("05-29", "overdue_stage"),
            ("05-29", "deletion_reminder"),
            ("05-30", "account_deleted"),
            ("06-01", "cancellation_effective"),
        ]
        assert expected == _kinds(tl)
        assert all(type(e) is Transition for e in tl.events)
        assert ["dunning"] * 4 + [
            "invoices",
            "overdue",
            "subscriptions",
            "deletion",
            "overdue",
            "deletion",
            "overdue",
            "deletion",
            "deletion",
            "cancellation",
        ] == [e.area for e in tl.events]
        stages = [e.reasons[0].details["stage"] for e in tl.events if e.area == "overdue"]
        assert ["past_due", "warning", "blocked"] == stages

    def test_events_carry_rules_codes_and_effects(self) -> None:
        """X-2, X-5: each transition has its rule IDs and reason codes; deletion and
        cancellation transitions carry the effects their areas return (DEL-1 the schedule
        recorded, X-9, then the DEL-3 notice and DEL-5 banner; DEL-6 delete, CAN-8)."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=60))
        by_kind = {str(e.kind): e for e in tl.events}
        assert ("DEL-3",) == by_kind["deletion_scheduled"].rules
        assert ("deletion_scheduled",) == by_kind["deletion_scheduled"].codes
        assert ["schedule_deletion", "send_email", "show_banner"] == [
            x.kind for x in by_kind["deletion_scheduled"].effects
        ]
        assert "automatic" == by_kind["deletion_scheduled"].effects[0].deletion_kind
        assert ("DEL-4",) == by_kind["deletion_reminder"].rules
        assert ("CAN-6", "CAN-8") == by_kind["cancellation_effective"].rules
        assert ("cancellation_effective", "deactivated") == by_kind["cancellation_effective"].codes
        request = DELINQUENT.cancellation_request
        assert request is not None
        expected = _for(
            DELINQUENT, deactivation_effects(request, DEFAULT_POLICY.cancellation, account="acme")
        )
        assert expected == by_kind["cancellation_effective"].effects
        assert isinstance(expected[0], RevokeAccess)
        assert ["hide_banner", "delete_account"] == [
            x.kind for x in by_kind["account_deleted"].effects
        ]
        assert ("DEL-6", "DEL-7") == by_kind["account_deleted"].rules
        assert ("account_deleted", "still_eligible") == by_kind["account_deleted"].codes
        assert ("DEL-6",) == by_kind["data_purged"].rules
        assert ["purge_data"] == [x.kind for x in by_kind["data_purged"].effects]
        assert ("INV-2",) == by_kind["invoice_overdue"].rules
        assert ("invoice_due",) == by_kind["invoice_overdue"].codes
        assert ("SUB-1",) == by_kind["renewal"].rules
        assert ("renewal",) == by_kind["renewal"].codes

    def test_events_carry_details_and_sentences(self) -> None:
        """X-1, X-5: the reasons' details are the facts used; the description is their
        sentences, rendered from the codes' templates."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=60))
        blocked = tl.events[3]
        assert DunningKind.DUNNING_STAGE == blocked.kind
        assert (DunningCode.STAGE_BEGINS, DunningCode.SCHEDULE_ANCHOR) == tuple(
            r.code for r in blocked.reasons
        )
        details = blocked.reasons[0].details
        assert "blocked" == details["stage"]
        assert 10 == details["first_day"]
        assert 3 == details["severity"]
        assert {"owner": "blocked", "admin": "blocked", "staff": "blocked"} == dict(
            details["access"]
        )
        assert (
            "Dunning stage blocked (day 10): owner blocked, admin blocked, staff blocked. "
            "The schedule's days count from the month start."
        ) == blocked.description
        by_kind = {str(e.kind): e for e in tl.events}
        overdue = by_kind["invoice_overdue"]
        assert {
            "invoice_id": "inv-1",
            "due_at": datetime(2024, 5, 15, tzinfo=KYIV),
            "amount_due": Money("19.00", "USD"),
        } == dict(overdue.reasons[0].details)
        assert (
            "Invoice inv-1 is due; unpaid after this instant it is overdue (19.00 USD due)."
            == overdue.description
        )
        assert "Renewal 4 of the Pro plan." == by_kind["renewal"].description
        assert (
            "Deletion scheduled for 2024-05-30, 10 days ahead."
            == by_kind["deletion_scheduled"].description
        )
        assert (
            "The account is deleted; support may restore it until 2024-06-19T09:15:00+03:00. "
            "The account is still eligible for deletion at the deletion instant."
        ) == by_kind["account_deleted"].description
        effective = by_kind["cancellation_effective"]
        assert CancellationCode.CANCELLATION_EFFECTIVE is effective.reasons[0].code
        assert datetime(2024, 6, 1, tzinfo=KYIV) == effective.reasons[0].details["at"]
        assert (
            "The cancellation (too_expensive) takes effect. Access is revoked, the leads are "
            "reassigned and removed from the call queue."
        ) == effective.description

    def test_debt_paid_lifts_the_restriction(self) -> None:
        """DUN-2: a payment that clears the debt is a ``dunning_lifted`` transition."""
        ledger = Ledger(
            currency="USD",
            entries=(_charge(T0, "-19.00"), _payment(T0 + timedelta(days=5), "19.00")),
        )
        tl = timeline(
            _account(ledger=ledger), DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=31)
        )
        assert [
            ("05-01", "dunning_stage"),
            ("05-04", "dunning_stage"),
            ("05-06", "dunning_lifted"),
        ] == _kinds(tl)
        assert ("DUN-2",) == tl.events[-1].rules
        assert 0 == tl.events[-1].reasons[0].details["severity"]

    def test_plan_change_and_subscription_end(self) -> None:
        """SUB-3: the renewal where a pending change takes effect names it; SUB-2: the end of a
        cancelled subscription is a transition and nothing renews after it."""
        sub = Subscription(
            plan="Pro",
            anchor=date(2024, 1, 15),
            period="monthly",
            ends_at=datetime(2024, 8, 15, tzinfo=KYIV),
            pending_change=PlanChange(
                to_plan="Max",
                kind="upgrade",
                requested_at=datetime(2024, 5, 2, tzinfo=KYIV),
                takes_effect_on=date(2024, 5, 15),
            ),
        )
        tl = timeline(
            _account(subscription=sub), DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=365)
        )
        assert [
            ("05-15", "renewal"),
            ("06-15", "renewal"),
            ("07-15", "renewal"),
            ("08-15", "subscription_ends"),
        ] == _kinds(tl)
        assert ("SUB-1", "SUB-3") == tl.events[0].rules
        assert "Max" in tl.events[0].description
        assert ("SUB-2",) == tl.events[-1].rules

    def test_withdrawn_cancellation_has_no_event(self) -> None:
        """CAN-5, CAN-8: a withdrawn request deactivates nothing."""
        assert DELINQUENT.cancellation_request is not None
        request = attrs.evolve(DELINQUENT.cancellation_request, state=RequestState.WITHDRAWN)
        tl = timeline(
            _account(cancellation_request=request),
            DEFAULT_POLICY,
            start=T0,
            end=T0 + timedelta(days=60),
        )
        assert () == tl.events

    def test_paid_invoice_never_becomes_overdue(self) -> None:
        """INV-2: only submitted or failed invoices with money due become overdue."""
        paid = attrs.evolve(
            DELINQUENT.invoices[0],
            status=InvoiceStatus.PAID,
            amount_paid=Money("19.00", "USD"),
            paid_at=T0,
        )
        tl = timeline(
            _account(invoices=(paid,)), DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=60)
        )
        assert () == tl.events

    def test_manual_deletion_without_notice(self) -> None:
        """DEL-2: a manual deletion (no notice by default) is scheduled and deleted at once,
        without reminders."""
        schedule = DeletionSchedule(scheduled_at=T0 + timedelta(days=2), kind="manual")
        tl = timeline(
            _account(deletion_schedule=schedule),
            DEFAULT_POLICY,
            start=T0,
            end=T0 + timedelta(days=60),
        )
        assert ["deletion_scheduled", "account_deleted", "data_purged"] == [
            str(e.kind) for e in tl.events
        ]
        assert ("DEL-2", "DEL-6") == tl.events[1].rules

    def test_kept_deletion(self) -> None:
        """DEL-7: a login during the notice keeps the account: ``deletion_kept``."""
        users = (User(id="ann", role="owner", last_login_at=datetime(2024, 5, 25, tzinfo=KYIV)),)
        account = attrs.evolve(DELINQUENT, users=users, cancellation_request=None)
        tl = timeline(
            account,
            DEFAULT_POLICY,
            start=datetime(2024, 5, 20, tzinfo=KYIV),
            end=T0 + timedelta(days=60),
        )
        kinds = [str(e.kind) for e in tl.events]
        assert "deletion_kept" in kinds
        assert "account_deleted" not in kinds
        kept = next(e for e in tl.events if e.kind == "deletion_kept")
        assert "DEL-7" in kept.rules

    def test_empty_window(self) -> None:
        """X-5: ``[t, t)`` holds nothing."""
        assert () == timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0).events

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_events_in_order(self, account: Account, policy: Policy, data: st.DataObject) -> None:
        """X-5, X-9: transitions are in time order; at one instant areas keep the registry's
        order until a transition changes the account's facts (what follows it at that
        instant comes from the changed facts: the dunning stage a monthly charge starts
        follows the charge); every transition lies in [start, end), names a registered area,
        at least one rule and one code per reason, and its description renders."""
        start = _start(account, data)
        tl = timeline(account, policy, start=start, end=start + timedelta(days=800))
        stretches = _stretches(account, tl.events)
        keys = [
            (e.at, stretch, _AREA_NAMES.index(e.area))
            for e, stretch in zip(tl.events, stretches, strict=True)
        ]
        assert sorted(keys) == keys
        assert all(start <= e.at < tl.end and e.rules for e in tl.events)
        assert all(len(e.codes) == len(e.reasons) >= 1 for e in tl.events)
        assert all(e.description for e in tl.events)

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_split_property(self, account: Account, policy: Policy, data: st.DataObject) -> None:
        """X-5, X-9: timeline([a, c)) is timeline([a, b)) followed by timeline([b, c)) of the
        account with the effects of [a, b) applied, for any a ≤ b ≤ c. Over fixed facts it
        need not be: the effects of [a, b) (a monthly charge, a deletion scheduled) change
        what [b, c) holds."""
        a = _start(account, data, -3000, 9000)
        b = a + timedelta(minutes=data.draw(st.integers(0, 600_000)))
        c = b + timedelta(minutes=data.draw(st.integers(0, 600_000)))
        whole = timeline(account, policy, start=a, end=c).events
        first, second = _nightly(account, policy, [a, b, c])
        assert whole == first.events + second.events

    @given(
        account=accounts(),
        policy=policies(),
        data=st.data(),
        cuts=st.lists(st.integers(min_value=0, max_value=800 * 24 * 60), max_size=8),
    )
    def test_any_partition_gives_each_effect_once(
        self, account: Account, policy: Policy, data: st.DataObject, cuts: list[int]
    ) -> None:
        """X-2, X-5, X-9: over any partition of a window into consecutive windows, each
        window's effects applied to the account before the next is run, every effect is
        returned exactly once, in the window that holds its transition."""
        start = _start(account, data)
        end = start + timedelta(days=800)
        whole = timeline(account, policy, start=start, end=end).events
        bounds = [start, *sorted(start + timedelta(minutes=m) for m in cuts), end]
        windows = _nightly(account, policy, bounds)
        pieces = [effect for tl in windows for e in tl.events for effect in e.effects]
        effects = [effect for e in whole for effect in e.effects]
        assert effects == pieces
        assert len(set(effects)) == len(effects)
        for tl in windows:
            assert all(tl.start <= e.at < tl.end for e in tl.events)

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_ten_years_agree_with_one_month(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-5: a ten-year window holds the same transitions as a one-month one where they
        overlap."""
        start = _start(account, data)
        month = timeline(account, policy, start=start, end=start + timedelta(days=31)).events
        decade = timeline(account, policy, start=start, end=start + timedelta(days=3653)).events
        assert month == tuple(e for e in decade if e.at < start + timedelta(days=31))

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_agrees_with_each_area(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-5, X-9 against the areas' own answers: the merge neither loses nor invents a
        transition.

        Until the first transition that changes the account's facts (a monthly charge, a
        deletion scheduled…), the timeline is the merge of the areas' transitions over the
        account's facts (``Evaluation.merged``), and each area's part of it before that
        instant is the area's own answer: DUN-1 dunning.transitions, DEL-3 … DEL-7
        deletion.transitions and effects_due, SUB-1 renewals_between less what CAN-6 and DEL-6
        stop, CAN-8 deactivation_effects, INV-2 is_overdue. From there on it is the timeline
        of the account with that change made, less what was given at that instant already
        (X-9): so, stretch by stretch, every transition is an area's own."""
        start = _start(account, data)
        end = start + timedelta(days=data.draw(st.integers(0, 900)))
        tl = timeline(account, policy, start=start, end=end)
        zone = account.zone
        changing, changed = next(
            (
                (index, after)
                for index, event in enumerate(tl.events)
                if (after := apply(account, event.effects)) is not account
            ),
            (len(tl.events), account),
        )
        head = tl.events[: changing + 1]
        merged = Evaluation(account=account, policy=policy, at=start).merged(end)
        assert head == tuple(itertools.islice(merged, len(head)))
        if changing < len(tl.events):
            cut = tl.events[changing].at
            rest = timeline(changed, policy, start=cut, end=end).events
            assert tl.events[changing + 1 :] == tuple(
                e for e in rest if not (e.at == cut and e in head)
            )
            end = cut  # the first stretch: the account's own facts hold in [start, cut)

        def of(area: str) -> list[Transition]:
            return [e for e in tl.events if e.area == area and e.at < end]

        ledger = account.ledger or Ledger(currency=account.currency)
        expected_dunning = list(
            dunning.transitions(ledger, policy.dunning, start=start, end=end, zone=zone)
        )
        assert [_stamped(account, t) for t in expected_dunning] == of("dunning")
        if account.ledger is None:
            assert [] == of("dunning")
        expected_renewals = (
            []
            if account.subscription is None
            else [
                r.at
                for r in subscriptions.renewals_between(
                    account.subscription, start=start, end=end, zone=zone
                )
                if _renews(account, policy, r.at)
            ]
        )
        assert expected_renewals == [e.at for e in of("subscriptions") if e.kind == "renewal"]
        facts = _deletion_facts(account)
        expected_deletion = list(
            deletion.transitions(facts, policy.deletion, start=start, end=end, zone=zone)
        )
        assert [_stamped(account, t) for t in expected_deletion] == of("deletion")
        if account.deletion_schedule is None:
            assert [] == of("deletion")
        effects = deletion.effects_due(
            facts, policy.deletion, start=start, end=end, zone=zone, account="acme"
        )
        assert sorted(_for(account, effects), key=lambda x: x.at) == sorted(
            (x for e in of("deletion") for x in e.effects), key=lambda x: x.at
        )
        for event in of("invoices"):
            assert "invoice_overdue" == event.kind
            invoice = next(i for i in account.invoices if i.due_at == event.at)
            assert not is_overdue(invoice, at=event.at)
            assert is_overdue(invoice, at=event.at + timedelta(microseconds=1))
        request = account.cancellation_request
        deactivations = of("cancellation")
        if deactivations:
            assert request is not None
            assert request.deactivates_at == deactivations[0].at
            expected = _for(
                account, deactivation_effects(request, policy.cancellation, account="acme")
            )
            assert expected == deactivations[0].effects

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_nothing_renews_in_a_suspension(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """CAN-6, DEL-6 through the areas' suspensions: no renewal falls in a span in which
        the cancellation area (after the deactivation) or the deletion area (while deleted)
        stops billing, and those spans are what the areas' own states say."""
        start = _start(account, data)
        end = start + timedelta(days=900)
        zone = account.zone
        spans = cancellation.suspensions(
            account_state(account, at=start), policy.cancellation, zone=zone
        ) + deletion.suspensions(_deletion_facts(account), policy.deletion, zone=zone)
        for event in timeline(account, policy, start=start, end=end).events:
            if event.kind == "renewal":
                assert not any(span.covers(event.at) for span in spans)
                assert _renews(account, policy, event.at)
        if account.subscription is not None:
            for renewal in subscriptions.renewals_between(
                account.subscription, start=start, end=end, zone=zone
            ):
                covered = any(span.covers(renewal.at) for span in spans)
                assert covered is not _renews(account, policy, renewal.at)


class TestUpcoming:
    """X-5: the next transitions, computed lazily."""

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_upcoming_is_the_head_of_the_timeline(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-5: ``upcoming(count=5, days=400)`` is the first five transitions of the timeline
        of the 400 days from ``at``."""
        at = _start(account, data)
        expected = timeline(account, policy, start=at, end=at + timedelta(days=400)).events[:5]
        assert expected == upcoming(account, policy, at, count=5, days=400)

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_upcoming_over_three_thousand_years_is_lazy(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-5: three transitions of a 3,000-year window are those a one-year window starts
        with, and only a handful of transitions are built to find them."""
        at = _start(account, data)
        year = timeline(account, policy, start=at, end=at + timedelta(days=365)).events
        with pytest.MonkeyPatch.context() as patch:
            built = _count_transitions(patch)
            found = upcoming(account, policy, at, count=3, days=3000 * 366)
        assert len(found) <= 3
        if len(year) >= 3:
            assert year[:3] == found
        else:
            assert year == found[: len(year)]
            assert all(e.at >= at + timedelta(days=365) for e in found[len(year) :])
        # At most one transition ahead per area's stream beyond those returned, and a few
        # computed together (a debt's stages): never the thousands a monthly renewal gives.
        assert built[0] <= 3 + 8 * len(AREAS)

    def test_upcoming_of_a_monthly_subscription_over_three_thousand_years(self) -> None:
        """X-5, SUB-1: a monthly subscription renews 36,000 times in 3,000 years; the next
        three are built and returned, not the rest."""
        account = _account(
            subscription=Subscription(plan="Pro", anchor=date(2024, 1, 15), period="monthly")
        )
        with pytest.MonkeyPatch.context() as patch:
            built = _count_transitions(patch)
            found = upcoming(account, DEFAULT_POLICY, T0, count=3, days=3000 * 366)
        assert [("05-15", "renewal"), ("06-15", "renewal"), ("07-15", "renewal")] == [
            (e.at.astimezone(KYIV).strftime("%m-%d"), str(e.kind)) for e in found
        ]
        assert built[0] <= 3 + len(AREAS)

    def test_upcoming_of_the_delinquent_account(self) -> None:
        """X-5: the delinquent account's next five transitions from May 1st."""
        found = upcoming(DELINQUENT, DEFAULT_POLICY, T0, count=5, days=400)
        assert ["dunning_stage"] * 4 + ["invoice_overdue"] == [str(e.kind) for e in found]
        assert () == upcoming(DELINQUENT, DEFAULT_POLICY, T0, count=0, days=400)
        assert () == upcoming(DELINQUENT, DEFAULT_POLICY, T0, count=5, days=0)

    def test_upcoming_refuses_negative_counts_and_days(self) -> None:
        """X-3: ``count`` and ``days`` must not be negative."""
        with pytest.raises(InvalidInput) as excinfo:
            upcoming(DELINQUENT, DEFAULT_POLICY, T0, count=-1, days=400)
        assert "count" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            upcoming(DELINQUENT, DEFAULT_POLICY, T0, count=5, days=-1)
        assert "days" == excinfo.value.field


def _count_transitions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, counts the :class:`Transition` values built: ``built[0]``."""
    built = [0]
    original = Transition.__init__

    def counting(instance: Transition, *args: Any, **kwargs: Any) -> None:
        built[0] += 1
        original(instance, *args, **kwargs)

    monkeypatch.setattr(Transition, "__init__", counting)
    return built


class TestTimelineRendering:
    """X-5: the timeline reads as text, JSON, HTML and SVG."""

    def test_str_lists_local_times_rules_and_effects(self) -> None:
        """X-5, X-3: str shows each transition in the account's local time, its rules and
        effects."""
        text = str(timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=32)))
        assert text.startswith("Timeline of acme (Europe/Kyiv), 2024-05-01 00:00 to")
        assert "2024-05-10 00:00  dunning" in text
        assert "[DUN-1, DUN-3]" in text
        assert "-> send_email (DEL-3): deletion_notice" in text
        assert "14 events" in text
        assert (
            "  2024-05-15 00:00  subscriptions renewal                [SUB-1] "
            "Renewal 4 of the Pro plan."
        ) in text.splitlines()

    def test_to_dict_is_json(self) -> None:
        """X-5: to_dict is JSON-ready; effects are ``{"kind": ..., fields}``."""
        data = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=32)).to_dict()
        assert json.loads(json.dumps(data)) == data
        assert "Europe/Kyiv" == data["zone"]
        scheduled = next(e for e in data["events"] if e["kind"] == "deletion_scheduled")
        assert ["schedule_deletion", "send_email", "show_banner"] == [
            effect["kind"] for effect in scheduled["effects"]
        ]
        assert "automatic" == scheduled["effects"][0]["deletion_kind"]
        assert "2024-05-20T09:15:00+03:00" == scheduled["at"]
        assert ["DEL-3"] == scheduled["rules"]
        assert ["deletion_scheduled"] == scheduled["codes"]
        assert "deletion" == scheduled["area"]
        assert "Deletion scheduled for 2024-05-30, 10 days ahead." == scheduled["description"]

    def test_svg_and_html(self) -> None:
        """X-5: a plain SVG strip with a tick and label per transition, text escaped; HTML
        embeds it."""
        account = attrs.evolve(DELINQUENT, id="<acme & co>")
        tl = timeline(account, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=32))
        svg = tl._repr_svg_()
        assert svg.startswith("<svg ")
        assert svg.endswith("</svg>")
        assert "&lt;acme &amp; co&gt;" in svg
        assert "<acme" not in svg
        assert svg.count("<line ") == len(tl.events)
        assert "account_deleted" in svg
        assert "DUN-1" in svg
        page = tl._repr_html_()
        assert svg in page
        assert page.count("<li>") == len(tl.events)

    def test_svg_colours_dunning_bands_by_severity(self) -> None:
        """DUN-1, OVD-3, X-5: each dunning stage is a band coloured by the severity its
        transition states in its details, and so is each overdue stage; the
        blocked stage uses the last fill colour."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=32))
        stages = [e for e in tl.events if e.area == "dunning"]
        assert [0, 1, 2, 3] == [e.reasons[0].details["severity"] for e in stages]
        collections = [e for e in tl.events if e.area == "overdue"]
        assert [1, 1, 3] == [e.reasons[0].details["severity"] for e in collections]
        assert [
            _FILLS[0],
            _FILLS[1],
            _FILLS[2],
            _FILLS[-1],
            _FILLS[1],
            _FILLS[1],
            _FILLS[-1],
        ] == _band_fills(tl._repr_svg_())

    def test_svg_reads_the_severity_not_the_stage_name(self) -> None:
        """X-5: the band follows the ``severity`` detail alone (clamped to the fills); a
        dunning transition without one draws no band, and a lift (severity 0) a clear one."""

        def stage(day: int, severity: int | None) -> Transition:
            access = {"owner": "blocked", "admin": "full", "staff": "full"}
            details: dict[str, object] = {"stage": "custom", "first_day": day, "access": access}
            if severity is not None:
                details["severity"] = severity
            return Transition(
                at=T0 + timedelta(days=day),
                area="dunning",
                kind="dunning_stage",
                reasons=(Reason(code=DunningCode.STAGE_BEGINS, details=details),),
            )

        events = (stage(1, 3), stage(2, None), stage(3, 1), stage(4, 9), stage(5, 0))
        tl = Timeline(
            account_id="acme", zone=KYIV, start=T0, end=T0 + timedelta(days=8), events=events
        )
        svg = tl._repr_svg_()
        assert [_FILLS[-1], _FILLS[1], _FILLS[-1], _FILLS[0]] == _band_fills(svg)
        assert svg.count("<line ") == 5

    def test_svg_of_an_empty_window(self) -> None:
        """X-5: an empty window still draws the strip."""
        svg = timeline(_account(), DEFAULT_POLICY, start=T0, end=T0)._repr_svg_()
        assert "<line " not in svg
        assert [] == _band_fills(svg)
        assert svg.endswith("</svg>")

    def test_transition_data_plain_details(self) -> None:
        """X-2, X-6: effect details of any shape become JSON-ready data, with the effect's
        key; the transition's rules, codes, description and reasons come with it."""
        effect = SendEmail(
            at=T0, rule="DEL-4", template="t", to="owner", details={"s": (1,)}, account="acme"
        )
        reason = Reason(
            code=DeletionCode.DELETION_REMINDER,
            details={"days": 1, "deletion_date": date(2024, 5, 2)},
        )
        transition = Transition(
            at=T0, area="deletion", kind="deletion_reminder", reasons=(reason,), effects=(effect,)
        )
        data = transition_data(transition)
        assert {"s": [1]} == data["effects"][0]["details"]
        assert effect.key == data["effects"][0]["key"]
        assert {
            "at": "2024-05-01T00:00:00+03:00",
            "area": "deletion",
            "kind": "deletion_reminder",
            "rules": ["DEL-4"],
            "codes": ["deletion_reminder"],
            "description": "Reminder to the owner: the account is deleted in 1 day.",
        } == {k: v for k, v in data.items() if k not in ("effects", "reasons")}
        assert [("deletion_reminder", "DEL-4")] == [
            (reason["code"], reason["rule"]) for reason in data["reasons"]
        ]
        assert json.loads(json.dumps(data)) == data


#: The band fills, from full access to blocked.
_FILLS = ("#e8f5e9", "#fff8e1", "#ffe0b2", "#ffcdd2")


def _band_fills(svg: str) -> list[str]:
    """The fills of the stage bands (the rects with a title), left to right."""
    return re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"[^>]*><title>', svg)


class TestTimelineBadInput:
    """X-3: bad windows and arguments are refused with errors naming the parameter."""

    def test_naive_start(self) -> None:
        """X-3: a naive start is refused."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, start=datetime(2024, 5, 1), end=T0)  # noqa: DTZ001
        assert "start" == excinfo.value.field

    def test_naive_end(self) -> None:
        """X-3: a naive end is refused."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=datetime(2024, 6, 1))  # noqa: DTZ001
        assert "end" == excinfo.value.field

    def test_end_before_start(self) -> None:
        """X-5: the window must not run backwards."""
        with pytest.raises(InvalidInput) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 - timedelta(seconds=1))
        assert "end" == excinfo.value.field

    def test_wrong_account_and_policy(self) -> None:
        """X-1: the account and the policy must be what they claim."""
        with pytest.raises(InvalidType) as excinfo:
            timeline("acme", DEFAULT_POLICY, start=T0, end=T0)  # type: ignore[arg-type]
        assert "account" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY.dunning, start=T0, end=T0)  # type: ignore[arg-type]
        assert "policy" == excinfo.value.field


def _renews(account: Account, policy: Policy, at: datetime) -> bool:
    """CAN-6, DEL-6 as the areas' own states say: no rebill after the deactivation of a
    request that was not withdrawn, none while the account is deleted or purged."""
    request = account.cancellation_request
    if request is not None and str(request.state) != "withdrawn" and at >= request.deactivates_at:
        return False
    if account.deletion_schedule is None:
        return True
    state = deletion.state_at(_deletion_facts(account), policy.deletion, at=at, zone=account.zone)
    return str(state) not in ("deleted", "purged")


class TestAreasMeet:
    """CAN-6, DEL-6 across areas: what one area ends, another does not renew."""

    SUB = Subscription(plan="Pro", anchor=date(2024, 1, 15), period="monthly")

    def test_no_renewal_after_a_cancellations_deactivation(self) -> None:
        """CAN-6: the rebill stops at the deactivation; renewals before it still happen."""
        request = CancellationRequest(
            reason="too_expensive",
            requested_at=datetime(2024, 5, 2, tzinfo=KYIV),
            deactivates_at=datetime(2024, 6, 1, tzinfo=KYIV),
        )
        account = _account(subscription=self.SUB, cancellation_request=request)
        tl = timeline(
            account,
            DEFAULT_POLICY,
            start=datetime(2024, 5, 1, tzinfo=KYIV),
            end=datetime(2024, 9, 1, tzinfo=KYIV),
        )
        assert [("05-15", "renewal")] == [k for k in _kinds(tl) if k[1] == "renewal"]
        assert (
            Suspension(start=datetime(2024, 6, 1, tzinfo=KYIV), end=None, rule="CAN-6"),
        ) == cancellation.suspensions(
            account_state(account, at=T0), DEFAULT_POLICY.cancellation, zone=KYIV
        )

    def test_a_withdrawn_request_stops_nothing(self) -> None:
        """CAN-5, CAN-6: a withdrawn request leaves the renewals in place."""
        request = CancellationRequest(
            reason="too_expensive",
            requested_at=datetime(2024, 5, 2, tzinfo=KYIV),
            deactivates_at=datetime(2024, 6, 1, tzinfo=KYIV),
            state=RequestState.WITHDRAWN,
        )
        account = _account(subscription=self.SUB, cancellation_request=request)
        tl = timeline(
            account,
            DEFAULT_POLICY,
            start=datetime(2024, 5, 1, tzinfo=KYIV),
            end=datetime(2024, 8, 1, tzinfo=KYIV),
        )
        assert ["05-15", "06-15", "07-15"] == [k[0] for k in _kinds(tl) if k[1] == "renewal"]
        assert () == cancellation.suspensions(
            account_state(account, at=T0), DEFAULT_POLICY.cancellation, zone=KYIV
        )

    def test_no_renewal_while_the_account_is_deleted(self) -> None:
        """DEL-6: a deleted (then purged) account does not renew."""
        quiet = _account(
            subscription=self.SUB,
            ledger=Ledger(
                currency="USD", entries=(_charge(datetime(2024, 5, 1, tzinfo=KYIV), "-19.00"),)
            ),
            users=(User(id="ann", role="owner", last_login_at=datetime(2024, 1, 1, tzinfo=KYIV)),),
            deletion_schedule=DeletionSchedule(scheduled_at=datetime(2024, 5, 20, 9, tzinfo=KYIV)),
        )
        tl = timeline(
            quiet,
            DEFAULT_POLICY,
            start=datetime(2024, 5, 1, tzinfo=KYIV),
            end=datetime(2024, 9, 1, tzinfo=KYIV),
        )
        assert ["05-15"] == [k[0] for k in _kinds(tl) if k[1] == "renewal"]
        assert ("05-30", "account_deleted") in _kinds(tl)
        assert (
            Suspension(start=datetime(2024, 5, 30, 9, tzinfo=KYIV), end=None, rule="DEL-6"),
        ) == deletion.suspensions(_deletion_facts(quiet), DEFAULT_POLICY.deletion, zone=KYIV)
