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
from _dunning import answer
from billrules import deletion, invoices, overdue, payment_methods, seats
from billrules.account import (
    Account,
    User,
    account_state,
    activity,
    balance_facts,
)
from billrules.balance import (
    BalanceCode,
    BalanceFacts,
    BalanceQuestion,
    Ledger,
    LedgerEntry,
    balance_at,
    can_top_up,
)
from billrules.cancellation import (
    CancellationQuestion,
    can_complete_cancellation,
    can_request_cancellation,
)
from billrules.contract import Finding, Transition
from billrules.decisions import Question
from billrules.deletion import DeletionFacts, DeletionQuestion
from billrules.dunning import AccessLevel, DunningCode, DunningQuestion
from billrules.errors import InvalidInput, InvalidType, NaiveDatetimeError, OutOfCalendar
from billrules.invoices import InvoiceQuestion, outstanding
from billrules.overdue import OverdueFacts, OverdueQuestion
from billrules.payment_methods import PaymentMethod, PaymentMethodQuestion, Wallet
from billrules.policy import DEFAULT_POLICY, Policy
from billrules.report import NEXT_EVENTS_COUNT, NEXT_EVENTS_DAYS, Report, explain
from billrules.roles import Role
from billrules.seats import SeatPool, SeatQuestion
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


def _finding(findings: tuple[Finding, ...], question: Question) -> Finding:
    """The one finding answering ``question`` (the area's own enum member)."""
    (found,) = (f for f in findings if f.question is question)
    return found


def _questions(findings: tuple[Finding, ...]) -> list[tuple[str, Question]]:
    return [(f.area, f.question) for f in findings]


class TestDerivedFacts:
    """The facts each area reads from the snapshot (BAL-3, DEL-1, CAN-7)."""

    def test_balance_facts(self) -> None:
        """BAL-3, DUN-1: the balance and the start of the debt at an instant."""
        facts = balance_facts(DELINQUENT, AT)
        assert Money("-19.00", "USD") == facts.balance
        assert T0 == facts.debt_started_at
        assert Money("19.00", "USD") == facts.amount_to_pay
        assert BalanceFacts(balance=Money(0, "USD")) == balance_facts(
            attrs.evolve(DELINQUENT, ledger=None), AT
        )

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
        """DEL-1, BAL-3: the deletion rules see the account's own prepaid ledger (an empty one
        in the account's currency when it is postpaid), so their balance at creation and at
        each later instant with entries is exactly what ``balance_at`` gives."""
        facts = activity(account)
        assert account.created_at == facts.created_at
        if account.ledger is None:
            assert Ledger(currency=account.currency) == facts.ledger
            assert Money(0, account.currency) == facts.balance_at(account.created_at)
            return
        assert account.ledger == facts.ledger
        later = sorted({e.at for e in account.ledger.entries if e.at > account.created_at})
        for instant in (account.created_at, *later):
            assert balance_at(account.ledger, at=instant) == facts.balance_at(instant)

    def test_account_state(self) -> None:
        """CAN-7: the licence count is the seat total."""
        assert 10 == account_state(FULL, at=AT).licence_count
        assert 0 == account_state(DELINQUENT, at=AT).licence_count

    def test_account_state_carries_the_prepaid_balance_at_an_instant(self) -> None:
        """CAN-3: a prepaid account's balance at the instant is part of the state."""
        balance = account_state(DELINQUENT, at=datetime(2024, 5, 8, tzinfo=UTC)).prepaid_balance
        assert balance is not None
        assert balance.amount < 0
        before = account_state(DELINQUENT, at=T0 - timedelta(seconds=1)).prepaid_balance
        assert before is not None
        assert before.amount >= 0


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
        use = _finding(owner.findings, DunningQuestion.USE_PRODUCT)
        assert "Access: payment page only (dunning stage payment_page_only)." == use.summary
        assert (("DUN-1", "DUN-2"), ("dunning_stage", "full_payment_lifts")) == (
            use.rules,
            use.decision.codes,
        )
        assert not _finding(admin.findings, DunningQuestion.USE_PRODUCT).allowed
        assert _finding(staff.findings, DunningQuestion.USE_PRODUCT).allowed
        assert [True, True, False] == [
            _finding(r.findings, BalanceQuestion.TOP_UP).allowed for r in report.roles
        ]
        request = _finding(owner.findings, CancellationQuestion.REQUEST_CANCELLATION)
        assert (False, ("CAN-3",)) == (request.allowed, request.rules)
        assert ("owner_only", "outstanding_balance", "prepaid_debt") == _finding(
            staff.findings, CancellationQuestion.REQUEST_CANCELLATION
        ).decision.codes
        assert [True, False, False] == [
            _finding(r.findings, DeletionQuestion.DELETE_MANUALLY).allowed for r in report.roles
        ]
        pm = _finding(staff.findings, PaymentMethodQuestion.REMOVE_DEFAULT_METHOD)
        assert (False, ("PM-2",)) == (pm.allowed, pm.rules)
        seat = _finding(owner.findings, SeatQuestion.REMOVE_SEATS)
        assert (True, ("SEAT-2",)) == (seat.allowed, seat.rules)
        assert "7 of 10 seats can be removed." == seat.summary
        assert Money("19.00", "USD") == report.outstanding
        assert Money("-19.00", "USD") == report.balance

    def test_each_role_is_asked_every_areas_questions_in_the_registrys_order(self) -> None:
        """X-1: each role's findings follow the registry (dunning, balance, overdue,
        cancellation, deletion, payment methods, seats); invoices and subscriptions ask no role
        anything."""
        report = explain(FULL, DEFAULT_POLICY, AT)
        expected = [
            ("dunning", DunningQuestion.USE_PRODUCT),
            ("balance", BalanceQuestion.TOP_UP),
            ("overdue", OverdueQuestion.USE_PRODUCT),
            ("cancellation", CancellationQuestion.REQUEST_CANCELLATION),
            ("deletion", DeletionQuestion.DELETE_MANUALLY),
            ("deletion", DeletionQuestion.CANCEL_DELETION),
            ("payment_methods", PaymentMethodQuestion.REMOVE_DEFAULT_METHOD),
            ("seats", SeatQuestion.REMOVE_SEATS),
        ]
        for role_report in report.roles:
            assert expected == _questions(role_report.findings)

    def test_account_findings(self) -> None:
        """DUN-2 what lifts the debt, BAL-3 the balance, INV-3 outstanding with INV-2 overdue
        ids, INV-1 history count, OVD-3 what is overdue and what it refuses, CAN-9 nothing
        scheduled, DEL-1 eligibility and DEL-7 the scheduled deletion, in the registry's order."""
        at = datetime(2024, 5, 16, tzinfo=KYIV)
        report = explain(DELINQUENT, DEFAULT_POLICY, at)
        assert [
            ("dunning", DunningQuestion.DEBT_PAID),
            ("balance", BalanceQuestion.BALANCE_NOT_NEGATIVE),
            ("invoices", InvoiceQuestion.NOTHING_OUTSTANDING),
            ("invoices", InvoiceQuestion.ALL_IN_HISTORY),
            ("overdue", OverdueQuestion.OVERDUE_PAID),
            ("overdue", OverdueQuestion.CHANGE_PLAN),
            ("overdue", OverdueQuestion.ADD_SEATS),
            ("cancellation", CancellationQuestion.NOTHING_SCHEDULED),
            ("deletion", DeletionQuestion.ELIGIBLE_FOR_DELETION),
            ("deletion", DeletionQuestion.DELETION_GOES_AHEAD),
        ] == _questions(report.account)
        owed = _finding(report.account, InvoiceQuestion.NOTHING_OUTSTANDING)
        assert (False, ("INV-3", "INV-2")) == (owed.allowed, owed.rules)
        assert ("inv-1",) == owed.reasons[0].details["overdue_ids"]
        assert "19.00 USD outstanding." == owed.summary
        history = _finding(report.account, InvoiceQuestion.ALL_IN_HISTORY)
        assert (True, 1) == (history.allowed, history.reasons[0].details["listed"])
        balance = _finding(report.account, BalanceQuestion.BALANCE_NOT_NEGATIVE)
        assert (False, ("BAL-3",), ("balance_negative",)) == (
            balance.allowed,
            balance.rules,
            balance.decision.codes,
        )
        assert (Money("-19.00", "USD"), T0) == (
            balance.reasons[0].details["balance"],
            balance.reasons[0].details["debt_started_at"],
        )
        assert "Balance -19.00 USD: in debt since 2024-05-01T00:00:00+03:00." == balance.summary
        debt = _finding(report.account, DunningQuestion.DEBT_PAID)
        assert (False, ("DUN-2",), ("full_payment_lifts",)) == (
            debt.allowed,
            debt.rules,
            debt.decision.codes,
        )
        assert Money("19.00", "USD") == debt.reasons[0].details["amount_to_pay"]
        assert (
            "In debt since 2024-05-01T00:00:00+03:00: paying 19.00 USD in full lifts every "
            "restriction." == debt.summary
        )
        assert (
            "Only paying the debt in full lifts the restriction; a partial payment does not."
            == debt.decision.message
        )
        eligible = _finding(report.account, DeletionQuestion.ELIGIBLE_FOR_DELETION)
        assert ("DEL-1",) == eligible.rules
        assert ("DEL-7", "DEL-1") == _finding(
            report.account, DeletionQuestion.DELETION_GOES_AHEAD
        ).rules
        assert (
            can_complete_cancellation(account_state(DELINQUENT, at=AT)).allowed
            == _finding(report.account, CancellationQuestion.NOTHING_SCHEDULED).allowed
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
        history = _finding(report.account, InvoiceQuestion.ALL_IN_HISTORY)
        assert (False, 1) == (history.allowed, history.reasons[0].details["before_cutoff"])
        owner, staff = report.roles
        assert _finding(owner.findings, DeletionQuestion.CANCEL_DELETION).allowed
        assert not _finding(staff.findings, DeletionQuestion.CANCEL_DELETION).allowed
        assert _finding(report.account, DeletionQuestion.DELETION_GOES_AHEAD).allowed

    def test_postpaid_account_without_debt(self) -> None:
        """DUN-2: no ledger means full access and no balance; nothing outstanding (INV-3).
        BAL-1, BAL-3: a postpaid account has no balance findings at all (nobody tops up, no
        balance to be negative), and no debt to pay (DUN-2)."""
        account = attrs.evolve(
            DELINQUENT, ledger=None, invoices=(), users=(*DELINQUENT.users, *FULL.users[2:])
        )
        report = explain(account, DEFAULT_POLICY, AT)
        assert report.balance is None
        assert [Role.OWNER, Role.ADMIN, Role.STAFF] == [r.role for r in report.roles]
        for role_report in report.roles:
            use = _finding(role_report.findings, DunningQuestion.USE_PRODUCT)
            assert (True, ("DUN-2",)) == (use.allowed, use.rules)
            assert "balance" not in {f.area for f in role_report.findings}
        assert "balance" not in {f.area for f in report.account}
        assert DunningQuestion.DEBT_PAID not in {f.question for f in report.account}
        assert _finding(report.account, InvoiceQuestion.NOTHING_OUTSTANDING).allowed
        text = str(report)
        assert "Balance: none (postpaid)" in text
        assert "balance." not in text
        assert "debt_paid" not in text

    def test_debt_paid_is_there_only_while_the_balance_is_negative(self) -> None:
        """DUN-2: the debt of May 1st is there until the payment of May 9th clears it; then the
        dunning area has nothing left to say account-wide, and the balance is not negative."""
        paid = LedgerEntry(
            id="p-1",
            kind="payment",
            at=datetime(2024, 5, 9, 10, tzinfo=KYIV),
            amount=Money("19.00", "USD"),
            description="x",
        )
        assert DELINQUENT.ledger is not None
        ledger = Ledger(currency="USD", entries=(*DELINQUENT.ledger.entries, paid))
        account = attrs.evolve(DELINQUENT, ledger=ledger)
        before = explain(account, DEFAULT_POLICY, paid.at - timedelta(seconds=1))
        after = explain(account, DEFAULT_POLICY, paid.at)
        assert not _finding(before.account, DunningQuestion.DEBT_PAID).allowed
        assert DunningQuestion.DEBT_PAID not in {f.question for f in after.account}
        balance = _finding(after.account, BalanceQuestion.BALANCE_NOT_NEGATIVE)
        assert (True, ("BAL-3",), ("balance_not_negative",)) == (
            balance.allowed,
            balance.rules,
            balance.decision.codes,
        )
        assert "Balance 0.00 USD." == balance.summary

    def test_next_events_come_from_the_timeline(self) -> None:
        """X-5: the next events are the first events of the timeline from ``at``."""
        report = explain(DELINQUENT, DEFAULT_POLICY, AT)
        ahead = timeline(
            DELINQUENT, DEFAULT_POLICY, start=AT, end=AT + timedelta(days=NEXT_EVENTS_DAYS)
        )
        assert ahead.events[:NEXT_EVENTS_COUNT] == report.next_events
        first = report.next_events[0]
        assert isinstance(first, Transition)
        assert ("dunning", "dunning_stage", ("DUN-1", "DUN-3")) == (
            first.area,
            first.kind,
            first.rules,
        )

    @given(account=accounts(), policy=policies(), hours=st.integers(0, 9000))
    def test_agrees_with_each_area(self, account: Account, policy: Policy, hours: int) -> None:
        """X-1 for generated accounts: each finding is the area's own decision, asked directly
        — DUN-1 can_use_product, BAL-1 can_top_up, CAN-1…CAN-3 can_request_cancellation, DEL-2
        can_delete_manually, DEL-3 can_cancel, PM-2 can_remove, SEAT-2 removable_seats and
        can_remove_seats, DEL-1 can_schedule, DEL-7 can_go_ahead, CAN-9
        can_complete_cancellation, INV-3 outstanding, BAL-3 the balance — and the roles
        present, each asked exactly the questions its account has facts for."""
        at = account.created_at + timedelta(hours=hours)
        report = explain(account, policy, at)
        zone = account.zone
        ledger = account.ledger if account.ledger is not None else Ledger(currency=account.currency)
        facts = BalanceFacts.from_ledger(ledger, at)
        assert balance_facts(account, at) == facts
        state = account_state(account, at=at)
        deleting = DeletionFacts(activity=activity(account), schedule=account.deletion_schedule)
        assert [r for r in Role if r in {u.role for u in account.users}] == [
            r.role for r in report.roles
        ]
        for role_report in report.roles:
            role = role_report.role
            found = role_report.findings
            asked: list[Question] = [DunningQuestion.USE_PRODUCT]
            access = answer(facts, policy.dunning, role=role, at=at, zone=zone)
            use = _finding(found, DunningQuestion.USE_PRODUCT)
            assert access.reasons == use.reasons
            assert use.allowed == (
                access.level in (AccessLevel.FULL, AccessLevel.FULL_WITH_REMINDER)
            )
            if account.ledger is not None:
                asked.append(BalanceQuestion.TOP_UP)
                assert can_top_up(role=role) == _finding(found, BalanceQuestion.TOP_UP).decision
            if any(invoice.amount_due.amount > 0 for invoice in account.invoices):
                # OVD-3, OVD-9: the overdue area's decision, asked directly.
                asked.append(OverdueQuestion.USE_PRODUCT)
                collections = OverdueFacts(
                    currency=account.currency,
                    invoices=account.invoices,
                    wallet=account.wallet,
                    hold_until=account.hold_until,
                    subscription=account.subscription,
                    ledger=account.ledger,
                    dunning=policy.dunning,
                )
                assert (
                    overdue.can_use_product(
                        collections, policy.overdue, role=role, at=at, zone=zone
                    )
                    == _finding(found, OverdueQuestion.USE_PRODUCT).decision
                )
            asked.append(CancellationQuestion.REQUEST_CANCELLATION)
            assert (
                can_request_cancellation(state, policy.cancellation, role=role)
                == _finding(found, CancellationQuestion.REQUEST_CANCELLATION).decision
            )
            asked.append(DeletionQuestion.DELETE_MANUALLY)
            assert (
                deletion.can_delete_manually(role=role)
                == _finding(found, DeletionQuestion.DELETE_MANUALLY).decision
            )
            if account.deletion_schedule is not None:
                asked.append(DeletionQuestion.CANCEL_DELETION)
                assert (
                    deletion.can_cancel(deleting, policy.deletion, role=role, at=at, zone=zone)
                    == _finding(found, DeletionQuestion.CANCEL_DELETION).decision
                )
            default_id = account.wallet.default_id
            if default_id is not None:
                asked.append(PaymentMethodQuestion.REMOVE_DEFAULT_METHOD)
                remove = _finding(found, PaymentMethodQuestion.REMOVE_DEFAULT_METHOD)
                assert not remove.allowed
                assert (
                    payment_methods.can_remove(account.wallet, method_id=default_id)
                    == remove.decision
                )
            if account.seats is not None:
                asked.append(SeatQuestion.REMOVE_SEATS)
                removable = seats.removable_seats(account.seats)
                seat = _finding(found, SeatQuestion.REMOVE_SEATS)
                assert (removable > 0) == seat.allowed
                assert (
                    seats.can_remove_seats(account.seats, count=max(removable, 1)) == seat.decision
                )
            assert asked == [f.question for f in found]
        assert outstanding(account.invoices, currency=account.currency) == report.outstanding
        owed = _finding(report.account, InvoiceQuestion.NOTHING_OUTSTANDING)
        assert report.outstanding == owed.details["amount"]
        assert (report.outstanding.amount == 0) == owed.allowed
        overdue_ids = {i.id for i in account.invoices if invoices.is_overdue(i, at=at)}
        assert overdue_ids == set(owed.reasons[0].details["overdue_ids"])
        assert (
            deletion.can_schedule(deleting, policy.deletion, at=at, zone=zone)
            == _finding(report.account, DeletionQuestion.ELIGIBLE_FOR_DELETION).decision
        )
        if account.deletion_schedule is not None:
            assert (
                deletion.can_go_ahead(deleting, policy.deletion, zone=zone)
                == _finding(report.account, DeletionQuestion.DELETION_GOES_AHEAD).decision
            )
        assert (
            can_complete_cancellation(state)
            == _finding(report.account, CancellationQuestion.NOTHING_SCHEDULED).decision
        )
        if account.ledger is not None:
            balance = _finding(report.account, BalanceQuestion.BALANCE_NOT_NEGATIVE)
            assert (facts.balance.amount >= 0) == balance.allowed
            assert facts.balance == balance.reasons[0].details["balance"]
        assert (facts.balance if account.ledger is not None else None) == report.balance
        assert len(report.next_events) <= NEXT_EVENTS_COUNT
        assert all(at <= e.at for e in report.next_events)
        assert json.loads(json.dumps(report.to_dict())) == report.to_dict()

    @given(account=accounts(), policy=policies(), hours=st.integers(0, 9000))
    def test_balance_findings_only_with_a_ledger(
        self, account: Account, policy: Policy, hours: int
    ) -> None:
        """BAL-1, BAL-3, DUN-2: a postpaid account's report has no balance finding, for the
        account or any role; dunning's ``debt_paid`` is there exactly when the prepaid balance
        is negative, refused, asking for the whole debt (DUN-2)."""
        at = account.created_at + timedelta(hours=hours)
        report = explain(account, policy, at)
        every = (*report.account, *(f for r in report.roles for f in r.findings))
        has_balance = any(f.area == "balance" for f in every)
        debts = [f for f in report.account if f.question is DunningQuestion.DEBT_PAID]
        if account.ledger is None:
            assert (False, []) == (has_balance, debts)
            return
        assert has_balance
        facts = BalanceFacts.from_ledger(account.ledger, at)
        assert (facts.balance.amount < 0) == bool(debts)
        assert (facts.balance.amount < 0) == (
            BalanceCode.BALANCE_NEGATIVE
            in _finding(report.account, BalanceQuestion.BALANCE_NOT_NEGATIVE).decision.codes
        )
        for debt in debts:
            assert ("dunning", False, ("DUN-2",)) == (debt.area, debt.allowed, debt.rules)
            assert (DunningCode.FULL_PAYMENT_LIFTS,) == tuple(r.code for r in debt.reasons)
            assert facts.amount_to_pay == debt.reasons[0].details["amount_to_pay"]
            assert (facts.amount_to_pay, facts.debt_started_at) == (
                debt.details["amount_to_pay"],
                debt.details["debt_started_at"],
            )


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
        assert (
            "account:\n  [no ] dunning.debt_paid: In debt since 2024-05-01T00:00:00+03:00: "
            "paying 19.00 USD in full lifts every restriction. [DUN-2]\n"
            "        - Only paying the debt in full lifts the restriction; a partial payment "
            "does not.\n"
            "  [no ] balance.balance_not_negative: Balance -19.00 USD: in debt since "
            "2024-05-01T00:00:00+03:00. [BAL-3]\n"
        ) in text
        assert "next:\n  2024-05-10 00:00  dunning_stage [DUN-1, DUN-3]" in text

    def test_nothing_next(self) -> None:
        """X-5: a quiet account says nothing happens. Quiet by the rules: postpaid (no
        monthly charge, no dunning), nothing billed, and not inactive long enough in the
        window to become eligible for deletion (DEL-1), which the run would schedule (X-9)."""
        account = Account(
            id="quiet",
            zone="UTC",
            currency="USD",
            created_at=T0,
            users=(User(id="ann", role="owner", last_login_at=T0),),
        )
        patient = attrs.evolve(
            DEFAULT_POLICY,
            deletion=attrs.evolve(DEFAULT_POLICY.deletion, inactivity_days=NEXT_EVENTS_DAYS),
        )
        text = str(explain(account, patient, T0))
        assert f"next: nothing in the next {NEXT_EVENTS_DAYS} days" in text
        # Under the default policy it is eligible once 40 days old (DEL-1): June 10th.
        assert "next:\n  2024-06-10 00:00  deletion_scheduled [DEL-3]" in str(
            explain(account, DEFAULT_POLICY, T0)
        )

    def test_to_dict_is_json(self) -> None:
        """X-1: to_dict is JSON-ready: amounts "19.00 USD" as in the account JSON, instants
        ISO 8601, each finding's decision with its reasons (code, rule, details, area and
        message), details values tagged by what they are."""
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
        assert {"code", "rule", "details", "area", "message"} == set(
            first["decision"]["reasons"][0]
        )
        debt = data["account"][0]
        assert ("dunning", "debt_paid", False, ["DUN-2"]) == (
            debt["area"],
            debt["question"],
            debt["allowed"],
            debt["rules"],
        )
        reasons = debt["decision"]["reasons"]
        assert {"amount_to_pay": {"$money": "19.00 USD"}} == reasons[0]["details"]
        assert ["full_payment_lifts"] == [reason["code"] for reason in reasons]
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
        events = timeline(
            account, DEFAULT_POLICY, start=self.FIRST, end=self.FIRST + timedelta(days=400)
        )

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
            timeline(DELINQUENT, DEFAULT_POLICY, start=AT, end=datetime(9999, 1, 1, tzinfo=UTC))
        assert "end" == excinfo.value.field

    def test_created_at_outside_the_calendar_names_the_field(self) -> None:
        """X-3: a fact's instant outside the calendar is refused at construction."""
        with pytest.raises(OutOfCalendar) as excinfo:
            attrs.evolve(DELINQUENT, created_at=datetime(1, 1, 1, tzinfo=UTC))
        assert "Account.created_at" == excinfo.value.field
