"""Postpaid collections by example, the knobs and the other areas: thresholds and the clock
(OVD-3), re-anchoring (OVD-4), the final action and write-offs (OVD-5, OVD-6), the hold
(OVD-8), stricter wins (OVD-9) and CAN-3, on the issue's ``ny-overdue`` account."""

from __future__ import annotations

import itertools
from datetime import timedelta

import attrs
import pytest
from moneyed import Money

from _overdue import (
    ACCOUNT,
    DEFAULT,
    INVOICE,
    NY,
    USD49,
    WALLET,
    facts,
    failed,
    invoice,
    kinds,
    ny,
    stage_at,
    window,
)
from billrules import DEFAULT_POLICY, apply
from billrules.effects import (
    SendEmail,
    SetAccess,
    WriteOffInvoice,
)
from billrules.invoices import ChargeAttempt, outstanding
from billrules.overdue import (
    OverduePolicy,
    can_use_product,
    record_attempt,
)
from billrules.report import explain
from billrules.timeline import timeline

# --------------------------------------------------------------------------------------------
# OVD-3: thresholds, clock


class TestKnobs:
    def test_threshold_per_currency(self) -> None:
        """OVD-3: a USD threshold of 50.00 keeps 49.00 below it (below_threshold, full access,
        no stage); a EUR threshold does not touch the USD account; 49.00 reaches a 49.00 one."""
        above = OverduePolicy(thresholds={"USD": Money("50.00", "USD")})
        decision = can_use_product(facts(), above, role="staff", at=ny(5, 16), zone=NY)
        assert decision.allowed
        assert decision.codes == ("below_threshold",)
        assert dict(decision.reasons[0].details) == {
            "level": "full",
            "amount": USD49,
            "threshold": Money("50.00", "USD"),
        }
        assert kinds(window(facts(), above), "overdue_stage") == []
        euro = OverduePolicy(thresholds={"EUR": Money("500", "EUR")})
        assert stage_at(facts(), ny(5, 16), euro) == "blocked"
        exact = OverduePolicy(thresholds={"USD": USD49})
        assert stage_at(facts(), ny(5, 16), exact) == "blocked"

    def test_the_ladder_starts_when_a_second_invoice_reaches_the_threshold(self) -> None:
        """OVD-3, OVD-5: 20.00 overdue since 1 May stays below a 50.00 threshold (retries
        still run, OVD-1); with 40.00 more due on 20 May the ladder starts then, at the stage
        the oldest invoice's age says (day 19: blocked), the final notice at that start (it
        would fall before), the final action on 22 May."""
        first = invoice("inv-a", amount=Money("20.00", "USD"))
        second = invoice(
            "inv-b",
            issued=ny(5, 13),
            due=ny(5, 20),
            amount=Money("40.00", "USD"),
            attempts=(failed(ny(5, 20, 9)),),
        )
        policy = OverduePolicy(thresholds={"USD": Money("50.00", "USD")})
        found = window(facts(invoices=(first, second)), policy)
        stages = kinds(found, "overdue_stage")
        assert [(t.at, t.reasons[0].details["stage"]) for t in stages] == [
            (ny(5, 20), "blocked"),
            (ny(5, 22), "final"),
        ]
        assert stages[0].reasons[0].details["amount"] == Money("60.00", "USD")
        assert stages[0].reasons[0].details["since"] == ny(5, 1)
        assert [t.at for t in kinds(found, "final_notice")] == [ny(5, 20)]
        assert [t.at for t in kinds(found, "charge_retry")][:3] == [
            ny(5, 2, 9),
            ny(5, 10, 9),
            ny(5, 14, 9),
        ]

    def test_issue_date_clock(self) -> None:
        """OVD-3: counted from the issue date (24 April), warning starts on 4 May, blocked on
        8 May, final on 15 May; past_due still at the due instant."""
        policy = OverduePolicy(clock="issue_date")
        stages = kinds(window(facts(), policy), "overdue_stage")
        assert [(t.at, t.reasons[0].details["stage"]) for t in stages] == [
            (ny(5, 1), "past_due"),
            (ny(5, 4), "warning"),
            (ny(5, 8), "blocked"),
            (ny(5, 15), "final"),
        ]
        assert stages[0].reasons[1].details["clock"] == "issue_date"
        assert stages[0].reasons[0].details["since"] == ny(4, 24)


# --------------------------------------------------------------------------------------------
# OVD-4: re-anchored on payment


class TestReanchored:
    def two(self, **first_changes):
        older = invoice("inv-04", issued=ny(3, 24), due=ny(4, 1), attempts=(failed(ny(4, 1, 9)),))
        older = attrs.evolve(older, **first_changes) if first_changes else older
        return facts(invoices=(older, INVOICE))

    def test_paying_the_oldest_counts_the_age_from_the_next(self) -> None:
        """OVD-4: with April's invoice overdue too, 16 May is final (age 45); once April's is
        paid, the age is May's (15 days): blocked; record_attempt says so (SetAccess OVD-4)."""
        both = self.two()
        assert stage_at(both, ny(5, 16)) == "final"
        paid = ChargeAttempt(at=ny(5, 16), outcome="succeeded", method_id="pm-visa")
        change = record_attempt(
            both, DEFAULT, invoice_id="inv-04", attempt=paid, zone=NY, account="ny-overdue"
        )
        assert stage_at(change.facts, ny(5, 16)) == "blocked"
        decision = can_use_product(change.facts, DEFAULT, role="owner", at=ny(5, 16), zone=NY)
        assert decision.reasons[0].details["age"] == 15
        assert decision.reasons[0].details["invoice_ids"] == ("inv-2024-05",)
        (access,) = change.effects
        assert isinstance(access, SetAccess)
        assert (access.stage, access.rule, access.account) == ("blocked", "OVD-4", "ny-overdue")

    def test_a_partial_payment_counts_only_through_what_it_settles(self) -> None:
        """OVD-4, INV-3: 40.00 paid of April's 49.00 settles nothing: the age is still April's,
        the amount overdue 9.00 + 49.00."""
        partial = self.two(amount_paid=Money("40.00", "USD"))
        decision = can_use_product(partial, DEFAULT, role="owner", at=ny(5, 16), zone=NY)
        assert decision.reasons[0].details["stage"] == "final"
        assert decision.reasons[0].details["amount"] == Money("58.00", "USD")
        assert decision.reasons[0].details["since"] == ny(4, 1)

    def test_paying_everything_ends_collections_at_once(self) -> None:
        """OVD-4: both paid: nothing_overdue, full access, no transition after."""
        both = self.two()
        for invoice_id in ("inv-04", "inv-2024-05"):
            paid = ChargeAttempt(at=ny(5, 16), outcome="succeeded")
            both = record_attempt(
                both, DEFAULT, invoice_id=invoice_id, attempt=paid, zone=NY, account="a"
            ).facts
        decision = can_use_product(both, DEFAULT, role="staff", at=ny(5, 16), zone=NY)
        assert decision.allowed
        assert decision.codes == ("nothing_overdue",)
        assert window(both, start=ny(5, 16)) == []


# --------------------------------------------------------------------------------------------
# OVD-5, OVD-6: the final action


class TestFinalAction:
    def test_mark_unpaid_keeps_the_subscription(self) -> None:
        """OVD-5: mark_unpaid: a final_action on 22 May without CancelSubscription or CAN-8's
        consequences; the notice on 19 May names mark_unpaid."""
        policy = OverduePolicy(final_action="mark_unpaid")
        found = window(facts(), policy)
        (final,) = kinds(found, "final_action")
        assert final.at == ny(5, 22)
        assert final.reasons[0].details["action"] == "mark_unpaid"
        assert {type(e) for e in final.effects} == {SendEmail}
        (notice,) = kinds(found, "final_notice")
        assert (notice.at, notice.reasons[0].details["action"]) == (ny(5, 19), "mark_unpaid")

    def test_none_has_no_final_action_nor_notice(self) -> None:
        """OVD-5: none: the final stage still begins on 22 May, with no action and no notice."""
        found = window(facts(), OverduePolicy(final_action="none"))
        assert kinds(found, "final_action") == kinds(found, "final_notice") == []
        assert kinds(found, "overdue_stage")[-1].at == ny(5, 22)

    def test_write_off_writes_the_overdue_invoices_off(self) -> None:
        """OVD-5, OVD-6: with write_off, the final action holds a WriteOffInvoice (rule OVD-6)
        per overdue invoice and says the invoices are written_off; billrules.apply makes them
        uncollectible, out of the outstanding total, and collections end."""
        policy = attrs.evolve(DEFAULT_POLICY, overdue=OverduePolicy(write_off=True))
        events = timeline(ACCOUNT, policy, start=ny(4, 20), end=ny(6, 1)).events
        (final,) = [t for t in events if t.kind == "final_action"]
        assert final.reasons[0].details["unpaid"] == "written_off"
        (write,) = [e for e in final.effects if isinstance(e, WriteOffInvoice)]
        assert (write.invoice_id, write.rule, write.at, write.account) == (
            "inv-2024-05",
            "OVD-6",
            ny(5, 22),
            "ny-overdue",
        )
        after = apply(ACCOUNT, [e for t in events for e in t.effects])
        assert after.invoices[0].status == "uncollectible"
        assert outstanding(after.invoices, currency="USD") == Money(0, "USD")
        assert stage_at(facts(invoices=after.invoices), ny(5, 23)) is None
        assert apply(after, [write]) is after  # already recorded


# --------------------------------------------------------------------------------------------
# OVD-8: hold


class TestHold:
    def test_a_hold_keeps_past_due_and_defers_retries(self) -> None:
        """OVD-8: held until 20 May 00:00: past_due (with ``held``) until then, though the age
        is 15 on 16 May; at the hold's end the stage is what the clock says (blocked); the
        retries of 2, 10 and 14 May are deferred to the hold's end; final on 22 May."""
        held = facts(hold_until=ny(5, 20))
        decision = can_use_product(held, DEFAULT, role="owner", at=ny(5, 16), zone=NY)
        assert decision.codes == ("overdue_stage", "held", "payment_lifts")
        assert decision.rules == ("OVD-3", "OVD-8", "OVD-4")
        assert (decision.reasons[0].details["stage"], decision.reasons[0].details["age"]) == (
            "past_due",
            15,
        )
        assert dict(decision.reasons[1].details) == {"hold_until": ny(5, 20), "stage": "past_due"}
        found = window(held)
        stages = kinds(found, "overdue_stage")
        assert [(t.at, t.reasons[0].details["stage"]) for t in stages] == [
            (ny(5, 1), "past_due"),
            (ny(5, 20), "blocked"),
            (ny(5, 22), "final"),
        ]
        retries = kinds(found, "charge_retry")
        assert retries[0].at == ny(5, 20)
        assert all(t.at >= ny(5, 20) for t in retries)
        assert [t.at for t in kinds(found, "final_action")] == [ny(5, 22)]

    def test_a_hold_past_the_final_day_defers_the_final_action(self) -> None:
        """OVD-8, OVD-5: held until 25 May 12:00: the final action happens then, not on
        22 May; no stage but past_due before it, no retry before it."""
        found = window(facts(hold_until=ny(5, 25, 12)))
        (final,) = kinds(found, "final_action")
        assert final.at == ny(5, 25, 12)
        assert [(t.at, t.reasons[0].details["stage"]) for t in kinds(found, "overdue_stage")] == [
            (ny(5, 1), "past_due"),
            (ny(5, 25, 12), "final"),
        ]
        # Deferred: none before the hold's end (whether one is made at it is OVD-5's call).
        assert all(t.at >= ny(5, 25, 12) for t in kinds(found, "charge_retry"))


# --------------------------------------------------------------------------------------------
# OVD-9, CAN-3: with the other areas


class TestWithOtherAreas:
    def prepaid_debt(self):
        from billrules.balance import Ledger, LedgerEntry

        charge = LedgerEntry(
            id="c-1", kind="charge", at=ny(3, 1), amount=Money("-19.00", "USD"), description="x"
        )
        return Ledger(currency="USD", entries=(charge,))

    def test_stricter_wins_with_both_reasons(self) -> None:
        """OVD-9: a negative prepaid balance since March and the May invoice overdue: on 12 May
        (overdue warning: owner full_with_reminder) the owner gets the stricter of the two
        levels: first reason stricter_wins with it and dunning's stage and level, then the
        overdue reasons (dunning's own reasons stay in dunning's finding)."""
        from billrules.balance import BalanceFacts
        from billrules.dunning import DunningPolicy
        from billrules.dunning import can_use_product as dunning_use

        ledger = self.prepaid_debt()
        both = facts(ledger=ledger)
        debt = dunning_use(
            BalanceFacts.from_ledger(ledger, ny(5, 12)),
            DunningPolicy(),
            role="owner",
            at=ny(5, 12),
            zone=NY,
        )
        owed = debt.reasons[0].details["level"]
        assert owed != "full"
        decision = can_use_product(both, DEFAULT, role="owner", at=ny(5, 12), zone=NY)
        levels = ["full", "full_with_reminder", "payment_page_only", "blocked"]
        strict = max("full_with_reminder", owed, key=levels.index)
        assert decision.codes[:2] == ("stricter_wins", "overdue_stage")
        assert dict(decision.reasons[0].details) == {
            "level": strict,
            "role": "owner",
            "dunning_level": owed,
            "dunning_stage": debt.reasons[0].details["stage"],
        }
        assert decision.reasons[0].rule == "OVD-9"
        assert {r.rule.split("-")[0] for r in decision.reasons} == {"OVD"}
        assert decision.allowed is (strict in ("full", "full_with_reminder"))

    def test_explain_names_both_areas(self) -> None:
        """OVD-9: explain on 16 May of ny-overdue with the debt: the overdue use_product
        finding carries stricter_wins (naming dunning's stage) and its own reasons; the dunning
        finding beside it carries dunning's."""
        account = attrs.evolve(ACCOUNT, ledger=self.prepaid_debt())
        report = explain(account, DEFAULT_POLICY, at=ny(5, 16))
        (owner,) = [r for r in report.roles if r.role == "owner"]
        (overdue,) = [f for f in owner.findings if f.area == "overdue"]
        assert overdue.decision.codes[0] == "stricter_wins"
        assert "overdue_stage" in overdue.decision.codes
        assert overdue.decision.reasons[0].details["dunning_stage"] is not None
        (dunning,) = [f for f in owner.findings if f.area == "dunning"]
        assert any(r.rule.startswith("DUN-") for r in dunning.decision.reasons)
        assert overdue.details["stage"] == "blocked"

    def test_cancellation_is_refused_while_overdue(self) -> None:
        """CAN-3, OVD-5: in the blocked stage the owner may not request cancellation
        (outstanding_balance), though the final action cancels involuntarily."""
        report = explain(ACCOUNT, DEFAULT_POLICY, at=ny(5, 16))
        (owner,) = [r for r in report.roles if r.role == "owner"]
        (request,) = [f for f in owner.findings if f.area == "cancellation"]
        assert not request.decision.allowed
        assert request.decision.codes == ("outstanding_balance",)
        assert request.decision.rules == ("CAN-3",)
        assert USD49 == report.outstanding


def test_the_example_facts_are_the_accounts() -> None:
    """The helpers' facts are what the area reads of the account (the tests above rely on
    it): the same transitions either way."""
    from _overdue import of_account

    assert window(of_account(ACCOUNT)) == window(facts())
    assert INVOICE.attempts[0].at == ny(5, 1, 9)
    assert WALLET.default_id == "pm-visa"
    assert NY.key == "America/New_York"


# --------------------------------------------------------------------------------------------
# OVD-6: uncollectible, INV-2's new status


class TestUncollectible:
    def test_write_off_makes_it_uncollectible_out_of_the_age_and_the_total(self) -> None:
        """OVD-6, INV-2, INV-3: write_off on 16 May: the invoice is uncollectible, nothing is
        overdue (nothing_overdue), the outstanding total is zero, the SetAccess of OVD-4 lifts
        the blocked stage and hides the banner (keyed by the write-off), it is still payable
        (can_record_attempt: charge_allowed) and shown as uncollectible, not overdue (INV-5)."""
        from billrules.effects import HideBanner
        from billrules.invoices import display_status
        from billrules.overdue import can_record_attempt, write_off

        change = write_off(
            facts(), DEFAULT, invoice_id="inv-2024-05", at=ny(5, 16), zone=NY, account="ny-overdue"
        )
        assert change.invoice.status == "uncollectible"
        assert display_status(change.invoice, at=ny(5, 16)) == "uncollectible"
        assert outstanding(change.facts.invoices, currency="USD") == Money(0, "USD")
        assert change.invoice.amount_due == Money(0, "USD")
        decision = can_use_product(change.facts, DEFAULT, role="staff", at=ny(5, 16), zone=NY)
        assert decision.allowed
        assert decision.codes == ("nothing_overdue",)
        access, hide = change.effects
        assert isinstance(access, SetAccess)
        assert (access.stage, access.rule, access.occasion) == (
            None,
            "OVD-4",
            "write-off-inv-2024-05",
        )
        assert isinstance(hide, HideBanner)
        assert (hide.banner, hide.rule) == ("overdue", "OVD-4")
        allowed = can_record_attempt(change.facts, invoice_id="inv-2024-05")
        assert allowed.allowed
        assert allowed.codes == ("charge_allowed",)
        assert allowed.reasons[0].details["amount"] == USD49
        assert window(change.facts, start=ny(5, 16)) == []

    def test_a_paid_invoice_cannot_be_written_off(self) -> None:
        """OVD-6, INV-2: write_off of a paid invoice raises PolicyViolation carrying
        can_write_off's decision (not_writable_off, naming the invoice and its status; INV-2's
        table refuses paid → uncollectible); the facts are unchanged."""
        from billrules.decisions import PolicyViolation
        from billrules.invoices import can_change_status
        from billrules.overdue import can_write_off, write_off

        paid = invoice(status="paid", paid_at=ny(5, 2), attempts=())
        before = facts(invoices=(paid,))
        with pytest.raises(PolicyViolation) as refused:
            write_off(before, DEFAULT, invoice_id="inv-2024-05", at=ny(5, 16), zone=NY, account="a")
        assert refused.value.decision == can_write_off(before, invoice_id="inv-2024-05")
        assert refused.value.decision.codes == ("not_writable_off",)
        assert refused.value.decision.rules == ("OVD-6",)
        details = refused.value.decision.reasons[0].details
        assert (details["invoice_id"], details["status"]) == ("inv-2024-05", "paid")
        assert not can_change_status(paid, to="uncollectible").allowed
        assert before == facts(invoices=(paid,))

    def test_write_off_before_the_invoice_was_issued_is_refused(self) -> None:
        """OVD-6: a write-off at an instant before the invoice was issued is refused naming
        ``at``; the facts are unchanged."""
        from billrules.errors import InvalidInput
        from billrules.overdue import write_off

        before = facts()
        with pytest.raises(InvalidInput) as refused:
            write_off(before, DEFAULT, invoice_id="inv-2024-05", at=ny(4, 1), zone=NY, account="a")
        assert refused.value.field == "at"
        assert before == facts()

    def test_an_uncollectible_invoice_may_be_paid_or_cancelled_only(self) -> None:
        """OVD-6, INV-2: uncollectible → paid and → cancelled allowed; → failed or submitted
        refused (invoice_transition_not_allowed, naming cancelled and paid)."""
        from billrules.invoices import can_change_status

        written = invoice(status="uncollectible")
        assert can_change_status(written, to="paid").allowed
        assert can_change_status(written, to="cancelled").allowed
        for to in ("failed", "submitted"):
            decision = can_change_status(written, to=to)
            assert not decision.allowed
            assert decision.codes == ("invoice_transition_not_allowed",)
            assert decision.reasons[0].details["allowed"] == ("cancelled", "paid")


# --------------------------------------------------------------------------------------------
# the findings read back


def test_a_report_with_nothing_overdue_reads_back() -> None:
    """X-1, OVD-3: on 30 April (nothing overdue yet) the report of ny-overdue holds the
    overdue_paid finding (allowed: nothing_overdue); written with to_dict it reads back with
    from_dict, equal. The Finding's details must hold every field of the question's
    summaries (``amount``, ``since``, ``stage``)."""
    from billrules.report import Report
    from billrules.serialize import from_dict, to_dict

    report = explain(ACCOUNT, DEFAULT_POLICY, at=ny(4, 30))
    assert from_dict(Report, to_dict(report)) == report


# --------------------------------------------------------------------------------------------
# X-9 with the processor: the host records each retry's outcome


def _host_loop(delay: timedelta) -> tuple[list, list]:
    """ny-overdue run night by night from 30 April for 34 nights under the default policy,
    each night's effects applied; each RetryCharge's outcome, a soft decline, recorded
    ``delay`` after its instant with overdue.record_attempt. The overdue transitions seen and
    the effects record_attempt returned."""
    from _overdue import of_account
    from billrules.effects import RetryCharge
    from billrules.overdue import record_attempt

    account = ACCOUNT
    seen: list = []
    recorded: list = []
    bounds = [ny(4, 30) + timedelta(days=day) for day in range(35)]
    for start, end in itertools.pairwise(bounds):
        night = timeline(account, DEFAULT_POLICY, start=start, end=end)
        effects = [effect for transition in night.events for effect in transition.effects]
        seen.extend(t for t in night.events if t.area == "overdue")
        account = apply(account, effects)
        for effect in effects:
            if isinstance(effect, RetryCharge):
                outcome = ChargeAttempt(
                    at=effect.at + delay,
                    outcome="failed",
                    decline_code="insufficient_funds",
                    method_id=effect.method_id,
                )
                change = record_attempt(
                    of_account(account),
                    DEFAULT,
                    invoice_id=effect.invoice_id,
                    attempt=outcome,
                    zone=NY,
                    account=account.id,
                )
                recorded.extend(change.effects)
                account = attrs.evolve(account, invoices=change.facts.invoices)
    return seen, recorded


def test_nightly_runs_with_recorded_declines_keep_the_issues_dates() -> None:
    """X-9, OVD-1, OVD-3, OVD-5: a host running ny-overdue night by night and recording each
    retry's decline at its instant sees the retries on 2, 10, 14 and 21 May at 09:00, the
    stages on 1, 11, 15 and 22 May, the final notice on 19 May and the cancellation on
    22 May: the one-window prediction."""
    seen, _ = _host_loop(timedelta(0))
    assert [t.at for t in kinds(seen, "charge_retry")] == [
        ny(5, 2, 9),
        ny(5, 10, 9),
        ny(5, 14, 9),
        ny(5, 21, 9),
    ]
    assert [t.at for t in kinds(seen, "overdue_stage")] == [
        ny(5, 1),
        ny(5, 11),
        ny(5, 15),
        ny(5, 22),
    ]
    assert [t.at for t in kinds(seen, "final_notice")] == [ny(5, 19)]
    assert [t.at for t in kinds(seen, "final_action")] == [ny(5, 22)]


def test_each_recorded_failed_retry_is_notified() -> None:
    """OVD-7, X-9: the host records each retry's decline a minute after it (after the night
    that asked for it ran): the owner and the admins are told of each failed retry, attempts
    2 to 5, with the next attempt's date, either by record_attempt's effects or by a later
    night's charge_failed transition."""
    seen, recorded = _host_loop(timedelta(minutes=1))
    told = [t.reasons[0].details["attempt"] for t in kinds(seen, "charge_failed")]
    told += [
        e.details["attempt"]
        for e in recorded
        if isinstance(e, SendEmail) and e.template == "overdue_charge_failed" and e.to == "owner"
    ]
    assert sorted(told) == [1, 2, 3, 4, 5]
