"""Tests for billrules.timeline: every area's events merged in time order (X-5)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from _accounts import DELINQUENT, KYIV, T0, _account, _charge, _payment
from billrules import deletion, dunning, subscriptions
from billrules.account import Account, User, activity
from billrules.balance import Ledger
from billrules.cancellation import CancellationRequest, RequestState, deactivation_effects
from billrules.deletion import DeletionSchedule
from billrules.effects import RevokeAccess
from billrules.errors import InvalidInput, InvalidType, NaiveDatetimeError
from billrules.invoices import InvoiceStatus, is_overdue
from billrules.policy import DEFAULT_POLICY, Policy
from billrules.subscriptions import PlanChange, Subscription
from billrules.testing._account import accounts, policies
from billrules.timeline import AREAS, Event, Timeline, timeline


def _kinds(tl: Timeline) -> list[tuple[str, str]]:
    return [(e.at.astimezone(KYIV).strftime("%m-%d"), e.kind) for e in tl.events]


class TestTimeline:
    """X-5: the merged events of every area."""

    def test_seed_month_of_the_delinquent_account(self) -> None:
        """X-5: DUN-1 stages on the 1st, 4th, 7th and 10th; SUB-1 renewal on the 15th; INV-2
        due on the 15th; DEL-3 notice on the 20th with DEL-4 reminders and DEL-6 deletion on
        the 30th; CAN-6/CAN-8 deactivation on June 1st — in time order."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, T0, T0 + timedelta(days=32))
        expected = [
            ("05-01", "dunning_stage"),
            ("05-04", "dunning_stage"),
            ("05-07", "dunning_stage"),
            ("05-10", "dunning_stage"),
            ("05-15", "renewal"),
            ("05-15", "invoice_overdue"),
            ("05-20", "deletion_scheduled"),
            ("05-27", "deletion_reminder"),
            ("05-29", "deletion_reminder"),
            ("05-30", "account_deleted"),
            ("06-01", "cancellation_effective"),
        ]
        assert expected == _kinds(tl)

    def test_events_carry_rules_and_effects(self) -> None:
        """X-2, X-5: each event has its rule IDs; deletion and cancellation events carry the
        effects their areas return (DEL-3 notice, DEL-5 banner, DEL-6 delete, CAN-8)."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, T0, T0 + timedelta(days=60))
        by_kind = {e.kind: e for e in tl.events}
        assert ("DEL-3",) == by_kind["deletion_scheduled"].rules
        assert ["send_email", "show_banner"] == [
            x.kind for x in by_kind["deletion_scheduled"].effects
        ]
        assert ("DEL-4",) == by_kind["deletion_reminder"].rules
        assert ("CAN-6", "CAN-8") == by_kind["cancellation_effective"].rules
        request = DELINQUENT.cancellation_request
        assert request is not None
        expected = deactivation_effects(request, DEFAULT_POLICY.cancellation)
        assert expected == by_kind["cancellation_effective"].effects
        assert isinstance(expected[0], RevokeAccess)
        assert ["hide_banner", "delete_account"] == [
            x.kind for x in by_kind["account_deleted"].effects
        ]
        assert ("DEL-6",) == by_kind["data_purged"].rules
        assert ("INV-2",) == by_kind["invoice_overdue"].rules
        assert ("SUB-1",) == by_kind["renewal"].rules

    def test_debt_paid_lifts_the_restriction(self) -> None:
        """DUN-2: a payment that clears the debt is a ``dunning_lifted`` event."""
        ledger = Ledger(
            currency="USD",
            entries=(_charge(T0, "-19.00"), _payment(T0 + timedelta(days=5), "19.00")),
        )
        tl = timeline(_account(ledger=ledger), DEFAULT_POLICY, T0, T0 + timedelta(days=31))
        assert [
            ("05-01", "dunning_stage"),
            ("05-04", "dunning_stage"),
            ("05-06", "dunning_lifted"),
        ] == _kinds(tl)
        assert ("DUN-2",) == tl.events[-1].rules

    def test_plan_change_and_subscription_end(self) -> None:
        """SUB-3: the renewal where a pending change takes effect names it; SUB-2: the end of a
        cancelled subscription is an event and nothing renews after it."""
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
        tl = timeline(_account(subscription=sub), DEFAULT_POLICY, T0, T0 + timedelta(days=365))
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
            _account(cancellation_request=request), DEFAULT_POLICY, T0, T0 + timedelta(days=60)
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
        tl = timeline(_account(invoices=(paid,)), DEFAULT_POLICY, T0, T0 + timedelta(days=60))
        assert () == tl.events

    def test_manual_deletion_without_notice(self) -> None:
        """DEL-2: a manual deletion (no notice by default) is scheduled and deleted at once,
        without reminders."""
        schedule = DeletionSchedule(scheduled_at=T0 + timedelta(days=2), kind="manual")
        tl = timeline(
            _account(deletion_schedule=schedule), DEFAULT_POLICY, T0, T0 + timedelta(days=60)
        )
        assert ["deletion_scheduled", "account_deleted", "data_purged"] == [
            e.kind for e in tl.events
        ]
        assert ("DEL-2", "DEL-6") == tl.events[1].rules

    def test_kept_deletion(self) -> None:
        """DEL-7: a login during the notice keeps the account: ``deletion_kept``."""
        users = (User(id="ann", role="owner", last_login_at=datetime(2024, 5, 25, tzinfo=KYIV)),)
        account = attrs.evolve(DELINQUENT, users=users, cancellation_request=None)
        tl = timeline(
            account, DEFAULT_POLICY, datetime(2024, 5, 20, tzinfo=KYIV), T0 + timedelta(days=60)
        )
        assert "deletion_kept" in [e.kind for e in tl.events]
        assert "account_deleted" not in [e.kind for e in tl.events]

    def test_empty_window(self) -> None:
        """X-5: ``[t, t)`` holds nothing."""
        assert () == timeline(DELINQUENT, DEFAULT_POLICY, T0, T0).events

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_events_in_order(self, account: Account, policy: Policy, data: st.DataObject) -> None:
        """X-5: events are in time order; at one instant areas keep the fixed AREAS order;
        every event lies in [start, end) and names at least one rule."""
        start = account.created_at + timedelta(hours=data.draw(st.integers(-2000, 9000)))
        tl = timeline(account, policy, start, start + timedelta(days=800))
        keys = [(e.at, AREAS.index(e.area)) for e in tl.events]
        assert sorted(keys) == keys
        assert all(start <= e.at < tl.end and e.rules for e in tl.events)

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_split_property(self, account: Account, policy: Policy, data: st.DataObject) -> None:
        """X-5: timeline([a, c)) == timeline([a, b)) + timeline([b, c)) for any a ≤ b ≤ c."""
        a = account.created_at + timedelta(hours=data.draw(st.integers(-3000, 9000)))
        b = a + timedelta(minutes=data.draw(st.integers(0, 600_000)))
        c = b + timedelta(minutes=data.draw(st.integers(0, 600_000)))
        whole = timeline(account, policy, a, c).events
        parts = timeline(account, policy, a, b).events + timeline(account, policy, b, c).events
        assert whole == parts

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_ten_years_agree_with_one_month(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-5: a ten-year window holds the same events as a one-month one where they overlap."""
        start = account.created_at + timedelta(hours=data.draw(st.integers(-2000, 9000)))
        month = timeline(account, policy, start, start + timedelta(days=31)).events
        decade = timeline(account, policy, start, start + timedelta(days=3653)).events
        assert month == tuple(e for e in decade if e.at < start + timedelta(days=31))

    @given(account=accounts(), policy=policies(), data=st.data())
    def test_agrees_with_each_area(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-5 against the areas' own answers: DUN-1 stage_transitions, DEL-3…DEL-7 transitions
        and effects_due, SUB-1 renewals_between, CAN-8 deactivation_effects, INV-2 is_overdue."""
        start = account.created_at + timedelta(hours=data.draw(st.integers(-2000, 9000)))
        end = start + timedelta(days=data.draw(st.integers(0, 900)))
        tl = timeline(account, policy, start, end)
        zone = account.zone

        def at_of(area: str, *kinds: str) -> list[datetime]:
            return [e.at for e in tl.events if e.area == area and (not kinds or e.kind in kinds)]

        expected_dunning = (
            []
            if account.ledger is None
            else [
                t.at
                for t in dunning.stage_transitions(
                    account.ledger, policy.dunning, start=start, end=end, zone=zone
                )
            ]
        )
        assert expected_dunning == at_of("dunning")
        expected_renewals = (
            []
            if account.subscription is None
            else [
                r.at
                for r in subscriptions.renewals_between(account.subscription, start, end, zone=zone)
                if _renews(account, policy, r.at)
            ]
        )
        assert expected_renewals == at_of("subscriptions", "renewal")
        schedule = account.deletion_schedule
        if schedule is None:
            assert [] == at_of("deletion")
        else:
            facts = activity(account)
            changes = deletion.transitions(
                schedule, facts, policy.deletion, start=start, end=end, zone=zone
            )
            effects = deletion.effects_due(
                schedule, facts, policy.deletion, since=start, until=end, zone=zone
            )
            events = [e for e in tl.events if e.area == "deletion"]
            assert [c.at for c in changes] == [
                e.at for e in events if e.kind != "deletion_reminder"
            ]
            assert sorted(effects, key=lambda x: x.at) == sorted(
                (x for e in events for x in e.effects), key=lambda x: x.at
            )
        for event in tl.events:
            if event.kind == "invoice_overdue":
                invoice = next(i for i in account.invoices if i.due_at == event.at)
                assert not is_overdue(invoice, event.at)
                assert is_overdue(invoice, event.at + timedelta(microseconds=1))
        request = account.cancellation_request
        cancellation = [e for e in tl.events if e.area == "cancellation"]
        if cancellation:
            assert request is not None
            assert deactivation_effects(request, policy.cancellation) == cancellation[0].effects


class TestTimelineRendering:
    """X-5: the timeline reads as text, JSON, HTML and SVG."""

    def test_str_lists_local_times_rules_and_effects(self) -> None:
        """X-5, X-3: str shows each event in the account's local time, its rules and effects."""
        text = str(timeline(DELINQUENT, DEFAULT_POLICY, T0, T0 + timedelta(days=32)))
        assert text.startswith("Timeline of acme (Europe/Kyiv), 2024-05-01 00:00 to")
        assert "2024-05-10 00:00  dunning" in text
        assert "[DUN-1, DUN-3]" in text
        assert "-> send_email (DEL-3): deletion_notice" in text
        assert "11 events" in text

    def test_to_dict_is_json(self) -> None:
        """X-5: to_dict is JSON-ready; effects are ``{"kind": ..., fields}``."""
        data = timeline(DELINQUENT, DEFAULT_POLICY, T0, T0 + timedelta(days=32)).to_dict()
        assert json.loads(json.dumps(data)) == data
        assert "Europe/Kyiv" == data["zone"]
        scheduled = next(e for e in data["events"] if e["kind"] == "deletion_scheduled")
        assert "send_email" == scheduled["effects"][0]["kind"]
        assert "2024-05-20T09:15:00+03:00" == scheduled["at"]
        assert ["DEL-3"] == scheduled["rules"]

    def test_svg_and_html(self) -> None:
        """X-5: a plain SVG strip with a tick and label per event, text escaped; HTML embeds it."""
        account = attrs.evolve(DELINQUENT, id="<acme & co>")
        tl = timeline(account, DEFAULT_POLICY, T0, T0 + timedelta(days=32))
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

    def test_svg_of_an_empty_window(self) -> None:
        """X-5: an empty window still draws the strip."""
        svg = timeline(_account(), DEFAULT_POLICY, T0, T0)._repr_svg_()
        assert "<line " not in svg
        assert svg.endswith("</svg>")

    def test_event_to_dict_plain_details(self) -> None:
        """X-2: effect details of any shape become JSON-ready data."""
        from billrules.effects import SendEmail

        effect = SendEmail(
            at=T0, rule="DEL-4", template="t", to="owner", details={"s": frozenset({1})}
        )
        event = Event(
            at=T0, area="deletion", kind="k", rules=("DEL-4",), description="d", effects=(effect,)
        )
        assert {"s": [1]} == event.to_dict()["effects"][0]["details"]


class TestTimelineBadInput:
    """X-3: bad windows and arguments are refused with errors naming the parameter."""

    def test_naive_start(self) -> None:
        """X-3: a naive start is refused."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, datetime(2024, 5, 1), T0)  # noqa: DTZ001
        assert "start" == excinfo.value.field

    def test_naive_end(self) -> None:
        """X-3: a naive end is refused."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, T0, datetime(2024, 6, 1))  # noqa: DTZ001
        assert "end" == excinfo.value.field

    def test_end_before_start(self) -> None:
        """X-5: the window must not run backwards."""
        with pytest.raises(InvalidInput) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, T0, T0 - timedelta(seconds=1))
        assert "end" == excinfo.value.field

    def test_wrong_account_and_policy(self) -> None:
        """X-1: the account and the policy must be what they claim."""
        with pytest.raises(InvalidType) as excinfo:
            timeline("acme", DEFAULT_POLICY, T0, T0)  # type: ignore[arg-type]
        assert "account" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY.dunning, T0, T0)  # type: ignore[arg-type]
        assert "policy" == excinfo.value.field


def _renews(account: Account, policy: Policy, at: datetime) -> bool:
    """CAN-6, DEL-6 as the areas state them: no rebill after the deactivation, none while the
    account is deleted or purged."""
    request = account.cancellation_request
    if request is not None and str(request.state) != "withdrawn" and at >= request.deactivates_at:
        return False
    schedule = account.deletion_schedule
    if schedule is None:
        return True
    state = deletion.state_at(
        schedule, activity(account), policy.deletion, at=at, zone=account.zone
    )
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
            datetime(2024, 5, 1, tzinfo=KYIV),
            datetime(2024, 9, 1, tzinfo=KYIV),
        )
        assert [("05-15", "renewal")] == [k for k in _kinds(tl) if k[1] == "renewal"]

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
            datetime(2024, 5, 1, tzinfo=KYIV),
            datetime(2024, 8, 1, tzinfo=KYIV),
        )
        assert ["05-15", "06-15", "07-15"] == [k[0] for k in _kinds(tl) if k[1] == "renewal"]

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
            datetime(2024, 5, 1, tzinfo=KYIV),
            datetime(2024, 9, 1, tzinfo=KYIV),
        )
        assert ["05-15"] == [k[0] for k in _kinds(tl) if k[1] == "renewal"]
        assert ("05-30", "account_deleted") in _kinds(tl)
