"""Tests for billrules.account and billrules.report: the Account snapshot, its derived facts
and explain (X-1, X-5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from _accounts import DELINQUENT, KYIV, T0
from billrules import deletion, payment_methods, seats
from billrules.account import (
    Account,
    User,
    account_state,
    activity,
    balance_facts,
)
from billrules.balance import Ledger, balance_at, can_top_up
from billrules.cancellation import (
    can_request_cancellation,
    cancellation_check,
)
from billrules.dunning import AccessLevel, restriction_for
from billrules.errors import InvalidInput, InvalidType, NaiveDatetimeError, OutOfCalendar
from billrules.invoices import outstanding
from billrules.payment_methods import PaymentMethod, Wallet
from billrules.policy import DEFAULT_POLICY, Policy
from billrules.report import NEXT_EVENTS_COUNT, NEXT_EVENTS_DAYS, Finding, Report, explain
from billrules.roles import Role
from billrules.seats import SeatPool
from billrules.testing._account import accounts, policies
from billrules.timeline import timeline

AT = datetime(2024, 5, 8, 12, tzinfo=KYIV)
VISA = PaymentMethod(
    id="pm-1", kind="card", brand="visa", last4="4242", exp_month=12, exp_year=2030
)
FULL = attrs.evolve(
    DELINQUENT,
    users=(*DELINQUENT.users, User(id="ada", role="admin")),
    wallet=Wallet(methods=(VISA,), default_id="pm-1"),
    seats=SeatPool(total=10, occupants=("ann", "sam", "ada")),
)


def _finding(findings: tuple[Finding, ...], question: str) -> Finding:
    return next(f for f in findings if f.question == question)


class TestDerivedFacts:
    """The facts each area reads from the snapshot (BAL-3, DEL-1, CAN-7)."""

    def test_balance_facts(self) -> None:
        """BAL-3, DUN-1: the balance and the start of the debt at an instant."""
        facts = balance_facts(DELINQUENT, AT)
        assert Money("-19.00", "USD") == facts.balance
        assert T0 == facts.debt_started_at
        assert Money(0, "USD") == balance_facts(attrs.evolve(DELINQUENT, ledger=None), AT).balance

    def test_activity_leaves_out_logins_before_creation(self) -> None:
        """DEL-1: a login recorded before the account existed is not its activity."""
        users = (
            User(id="ann", role="owner", last_login_at=datetime(2020, 1, 1, tzinfo=UTC)),
            User(id="sam", role="staff", last_login_at=datetime(2024, 5, 2, tzinfo=UTC)),
        )
        facts = activity(attrs.evolve(DELINQUENT, users=users))
        assert (datetime(2024, 5, 2, tzinfo=UTC),) == facts.logins

    @given(account=accounts())
    def test_activity_is_the_ledgers_running_balance(self, account: Account) -> None:
        """DEL-1, BAL-3: the deletion rules see the ledger's balance at creation and after each
        later instant with entries, one change per instant, exactly as ``balance_at`` gives."""
        facts = activity(account)
        zero = Money(0, account.currency)
        if account.ledger is None:
            assert (zero, ()) == (facts.opening_balance, facts.balance_changes)
            return
        later = sorted({e.at for e in account.ledger.entries if e.at > account.created_at})
        assert balance_at(account.ledger, account.created_at) == facts.opening_balance
        assert later == [change.at for change in facts.balance_changes]
        for change in facts.balance_changes:
            assert balance_at(account.ledger, change.at) == change.balance

    def test_account_state(self) -> None:
        """CAN-7: the licence count is the seat total."""
        assert 10 == account_state(FULL).licence_count
        assert 0 == account_state(DELINQUENT).licence_count

    def test_account_state_carries_the_prepaid_balance_at_an_instant(self) -> None:
        """CAN-3: with an instant, a prepaid account's balance is part of the state."""
        assert account_state(DELINQUENT).prepaid_balance is None
        balance = account_state(DELINQUENT, datetime(2024, 5, 8, tzinfo=UTC)).prepaid_balance
        assert balance is not None
        assert balance.amount < 0


class TestExplain:
    """X-1, X-5: every decision for every role of one account, and what happens next."""

    def test_seed_delinquent_account_on_the_8th(self) -> None:
        """DUN-1: on the 8th the owner and admin get the payment page only while staff keep
        access; BAL-1 only admins top up; CAN-1 only the owner may request cancellation (CAN-3
        refuses: inv-1 is unpaid); DEL-2 only the owner deletes; PM-2 the default stays;
        SEAT-2 seven seats can be removed."""
        report = explain(FULL, DEFAULT_POLICY, AT)
        assert [Role.OWNER, Role.ADMIN, Role.STAFF] == [r.role for r in report.roles]
        owner, admin, staff = report.roles
        assert (
            "Access: payment page only (dunning stage payment_page_only)."
            == _finding(owner.findings, "use_product").summary
        )
        assert not _finding(admin.findings, "use_product").allowed
        assert _finding(staff.findings, "use_product").allowed
        assert [True, True, False] == [_finding(r.findings, "top_up").allowed for r in report.roles]
        request = _finding(owner.findings, "request_cancellation")
        assert not request.allowed
        assert "CAN-3" in request.rules
        assert ("owner_only", "outstanding_balance", "prepaid_debt") == tuple(
            r.code
            for r in _finding(staff.findings, "request_cancellation").reasons
            if not r.code.startswith(("self_service", "account_active"))
        )
        assert [True, False, False] == [
            _finding(r.findings, "delete_manually").allowed for r in report.roles
        ]
        pm = _finding(staff.findings, "remove_default_method")
        assert (False, ("PM-2",)) == (pm.allowed, pm.rules)
        seat = _finding(owner.findings, "remove_seats")
        assert "7 of 10 seats can be removed." == seat.summary
        assert Money("19.00", "USD") == report.outstanding
        assert Money("-19.00", "USD") == report.balance

    def test_account_findings(self) -> None:
        """INV-3 outstanding with INV-2 overdue ids, INV-1 history count, BAL-3 balance with
        DUN-2, DEL-1 eligibility, CAN-9 nothing scheduled."""
        at = datetime(2024, 5, 16, tzinfo=KYIV)
        report = explain(DELINQUENT, DEFAULT_POLICY, at)
        owed = _finding(report.account, "nothing_outstanding")
        assert (False, ("INV-3", "INV-2")) == (owed.allowed, owed.rules)
        assert ("inv-1",) == owed.reasons[0].details["overdue_ids"]
        history = _finding(report.account, "all_in_history")
        assert (True, 1) == (history.allowed, history.reasons[0].details["listed"])
        balance = _finding(report.account, "balance_not_negative")
        assert ("BAL-3", "DUN-2") == balance.rules
        eligible = _finding(report.account, "eligible_for_deletion")
        assert ("DEL-1",) == eligible.rules
        assert (
            cancellation_check(account_state(DELINQUENT)).allowed
            == _finding(report.account, "nothing_scheduled").allowed
        )

    def test_history_cutoff_and_scheduled_deletion(self) -> None:
        """INV-1: an invoice issued before the cutoff is left out; DEL-3 the owner may cancel a
        pending deletion, staff may not; DEL-7 the deletion goes ahead."""
        old = attrs.evolve(
            DELINQUENT.invoices[0],
            id="inv-0",
            issued_at=datetime(2020, 6, 1, tzinfo=UTC),
            due_at=datetime(2020, 6, 15, tzinfo=UTC),
            status="paid",
            amount_paid=Money("19.00", "USD"),
            paid_at=datetime(2020, 6, 2, tzinfo=UTC),
        )
        account = attrs.evolve(
            DELINQUENT,
            invoices=(*DELINQUENT.invoices, old),
            created_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
        at = datetime(2024, 5, 22, tzinfo=KYIV)
        report = explain(account, DEFAULT_POLICY, at)
        history = _finding(report.account, "all_in_history")
        assert (False, 1) == (history.allowed, history.reasons[0].details["before_cutoff"])
        owner, staff = report.roles
        assert _finding(owner.findings, "cancel_deletion").allowed
        assert not _finding(staff.findings, "cancel_deletion").allowed
        assert _finding(report.account, "deletion_goes_ahead").allowed

    def test_postpaid_account_without_debt(self) -> None:
        """DUN-2: no ledger means full access and no balance; nothing outstanding (INV-3)."""
        account = attrs.evolve(DELINQUENT, ledger=None, invoices=())
        report = explain(account, DEFAULT_POLICY, AT)
        assert report.balance is None
        assert _finding(report.roles[0].findings, "use_product").allowed
        assert _finding(report.account, "nothing_outstanding").allowed
        assert "Balance: none (postpaid)" in str(report)

    def test_next_events_come_from_the_timeline(self) -> None:
        """X-5: the next events are the first events of the timeline from ``at``."""
        report = explain(DELINQUENT, DEFAULT_POLICY, AT)
        ahead = timeline(DELINQUENT, DEFAULT_POLICY, AT, AT + timedelta(days=NEXT_EVENTS_DAYS))
        assert ahead.events[:NEXT_EVENTS_COUNT] == report.next_events
        assert "dunning_stage" == report.next_events[0].kind

    @given(account=accounts(), policy=policies(), hours=st.integers(0, 9000))
    def test_agrees_with_each_area(self, account: Account, policy: Policy, hours: int) -> None:
        """X-1 for generated accounts: each finding is the area's own decision — DUN-1
        restriction_for, BAL-1 can_top_up, CAN-1…CAN-3 can_request_cancellation, DEL-2
        can_delete_manually, DEL-3 can_cancel, PM-2 can_remove, SEAT-2 removable_seats, DEL-1
        eligibility, CAN-9 cancellation_check, INV-3 outstanding — and the roles present."""
        at = account.created_at + timedelta(hours=hours)
        report = explain(account, policy, at)
        zone = account.zone
        facts = balance_facts(account, at)
        state = account_state(account, at)
        deeds = activity(account)
        assert [r for r in Role if r in {u.role for u in account.users}] == [
            r.role for r in report.roles
        ]
        for role_report in report.roles:
            role = role_report.role
            found = role_report.findings
            access = restriction_for(facts, role, policy.dunning, at, zone)
            use = _finding(found, "use_product")
            assert access.reasons == use.reasons
            assert use.allowed == (
                access.level in (AccessLevel.FULL, AccessLevel.FULL_WITH_REMINDER)
            )
            assert can_top_up(role).allowed == _finding(found, "top_up").allowed
            assert (
                can_request_cancellation(state, role, policy.cancellation).reasons
                == _finding(found, "request_cancellation").reasons
            )
            assert (
                deletion.can_delete_manually(role).allowed
                == _finding(found, "delete_manually").allowed
            )
            if account.deletion_schedule is not None:
                assert (
                    deletion.can_cancel(
                        account.deletion_schedule,
                        deeds,
                        policy.deletion,
                        at=at,
                        zone=zone,
                        role=role,
                    ).allowed
                    == _finding(found, "cancel_deletion").allowed
                )
            if account.wallet.default_id is not None:
                assert not _finding(found, "remove_default_method").allowed
                assert (
                    payment_methods.can_remove(account.wallet, account.wallet.default_id).reasons
                    == _finding(found, "remove_default_method").reasons
                )
            if account.seats is not None:
                removable = seats.removable_seats(account.seats)
                assert (removable > 0) == _finding(found, "remove_seats").allowed
        assert outstanding(account.invoices, currency=account.currency) == report.outstanding
        assert (
            deletion.eligibility(deeds, policy.deletion, at=at, zone=zone).allowed
            == _finding(report.account, "eligible_for_deletion").allowed
        )
        assert (
            cancellation_check(state).allowed
            == _finding(report.account, "nothing_scheduled").allowed
        )
        assert (facts.balance if account.ledger is not None else None) == report.balance
        assert len(report.next_events) <= NEXT_EVENTS_COUNT
        assert all(at <= e.at for e in report.next_events)
        assert json.loads(json.dumps(report.to_dict())) == report.to_dict()


class TestReportRendering:
    """X-1: the report reads as text, JSON and HTML."""

    def test_str_holds_the_key_facts(self) -> None:
        """X-1: header, balance and outstanding, each role's answers with rule IDs and reasons,
        the account findings and what happens next (local time)."""
        text = str(explain(FULL, DEFAULT_POLICY, AT))
        assert text.startswith("Account acme (Europe/Kyiv) at 2024-05-08 12:00: status active")
        assert "Balance: -19.00 USD; outstanding: 19.00 USD" in text
        assert "owner:\n  [no ] dunning.use_product: Access: payment page only" in text
        assert "[yes] balance.top_up: May top up the balance. [BAL-1]" in text
        assert "staff:" in text
        assert "admin:" in text
        assert "Pay the outstanding 19.00 USD (invoices inv-1)" in text
        assert "next:\n  2024-05-10 00:00  dunning_stage [DUN-1, DUN-3]" in text

    def test_nothing_next(self) -> None:
        """X-5: a quiet account says nothing happens."""
        account = Account(
            id="quiet",
            zone="UTC",
            currency="USD",
            created_at=T0,
            users=(User(id="ann", role="owner", last_login_at=T0),),
        )
        text = str(explain(account, DEFAULT_POLICY, T0))
        assert "next: nothing in the next 400 days" in text

    def test_to_dict_is_json(self) -> None:
        """X-1: to_dict is JSON-ready: amounts "19.00 USD", instants ISO 8601, reasons with
        code, rule, message and details."""
        data = explain(FULL, DEFAULT_POLICY, AT).to_dict()
        assert json.loads(json.dumps(data)) == data
        assert ("19.00 USD", "-19.00 USD") == (data["outstanding"], data["balance"])
        assert "2024-05-08T12:00:00+03:00" == data["at"]
        owner = data["roles"][0]
        assert "owner" == owner["role"]
        first = owner["findings"][0]
        assert ("dunning", "use_product", False) == (
            first["area"],
            first["question"],
            first["allowed"],
        )
        assert {"code", "rule", "message", "details"} == set(first["reasons"][0])
        assert "dunning_stage" == data["next_events"][0]["kind"]

    def test_html_escapes_text(self) -> None:
        """X-1: the notebook view escapes every text."""
        account = attrs.evolve(FULL, id="<b>acme</b>")
        page = explain(account, DEFAULT_POLICY, AT)._repr_html_()
        assert "&lt;b&gt;acme&lt;/b&gt;" in page
        assert "<b>acme" not in page
        assert "payment_page_only" in page
        assert "BAL-1" in page
        assert "<table>" in page
        assert isinstance(explain(account, DEFAULT_POLICY, AT), Report)


class TestExplainBadInput:
    """X-3: bad arguments are refused with errors naming the parameter."""

    def test_naive_at(self) -> None:
        """X-3: a naive instant is refused."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            explain(DELINQUENT, DEFAULT_POLICY, datetime(2024, 5, 8))  # noqa: DTZ001
        assert "at" == excinfo.value.field

    def test_before_creation(self) -> None:
        """DEL-1: an account cannot be explained before it existed."""
        with pytest.raises(InvalidInput) as excinfo:
            explain(DELINQUENT, DEFAULT_POLICY, datetime(2022, 1, 1, tzinfo=UTC))
        assert "at" == excinfo.value.field

    def test_wrong_account_and_policy(self) -> None:
        """X-1: the account and the policy must be what they claim."""
        with pytest.raises(InvalidType) as excinfo:
            explain(Ledger(currency="USD"), DEFAULT_POLICY, AT)  # type: ignore[arg-type]
        assert "account" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            explain(DELINQUENT, None, AT)  # type: ignore[arg-type]
        assert "policy" == excinfo.value.field


class TestCalendarEnds:
    """X-3: the supported calendar is the years 1000 to 8999; its ends are refused or handled
    with a billrules error naming the field, never OverflowError."""

    LAST = datetime(8999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12)))
    FIRST = datetime(1000, 1, 1, tzinfo=timezone(timedelta(hours=14)))

    def test_explain_on_the_last_day_of_the_calendar(self) -> None:
        """X-5: explain's look-ahead stops where the calendar does, with nothing after it."""
        report = explain(DELINQUENT, DEFAULT_POLICY, self.LAST)

        assert self.LAST == report.at
        assert all(event.at <= self.LAST for event in report.next_events)

    def test_an_account_created_in_the_first_year(self) -> None:
        """X-3: created on 1 January 1000 at +14:00 (before the calendar in UTC), explained and
        timed without leaving the calendar."""
        account = attrs.evolve(DELINQUENT, created_at=self.FIRST)

        report = explain(account, DEFAULT_POLICY, self.FIRST)
        events = timeline(account, DEFAULT_POLICY, self.FIRST, self.FIRST + timedelta(days=400))

        assert self.FIRST == report.at
        assert all(self.FIRST <= event.at for event in events.events)

    @pytest.mark.parametrize(
        ("field", "instant"),
        [
            ("at", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
            ("at", datetime.max.replace(tzinfo=UTC)),
            ("at", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))),
            ("at", datetime(999, 12, 31, 23, tzinfo=UTC)),
        ],
    )
    def test_instants_outside_the_calendar_are_refused(self, field: str, instant: datetime) -> None:
        """X-3: an instant outside the years 1000 to 8999 is OutOfCalendar, naming the field."""
        with pytest.raises(OutOfCalendar) as excinfo:
            explain(DELINQUENT, DEFAULT_POLICY, instant)
        assert field == excinfo.value.field
        assert isinstance(excinfo.value, ValueError)

    def test_a_timeline_until_the_year_9999_names_end(self) -> None:
        """X-5: a timeline whose end leaves the calendar is refused, naming ``end``."""
        with pytest.raises(OutOfCalendar) as excinfo:
            timeline(DELINQUENT, DEFAULT_POLICY, AT, datetime(9999, 1, 1, tzinfo=UTC))
        assert "end" == excinfo.value.field

    def test_created_at_outside_the_calendar_names_the_field(self) -> None:
        """X-3: a fact's instant outside the calendar is refused at construction."""
        with pytest.raises(OutOfCalendar) as excinfo:
            attrs.evolve(DELINQUENT, created_at=datetime(1, 1, 1, tzinfo=UTC))
        assert "Account.created_at" == excinfo.value.field
