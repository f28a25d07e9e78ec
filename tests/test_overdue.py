"""Postpaid collections by example (OVD-1 … OVD-9): the issue's ``ny-overdue`` account, each
knob, and where collections meet INV-2, CAN-3 and dunning. Properties are in
``test_overdue_properties.py``, the stateful machine in ``test_overdue_stateful.py``, held-out
zones in ``test_overdue_zones.py``."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from moneyed import Money

from _overdue import (
    ACCOUNT,
    DEFAULT,
    NY,
    USD49,
    WALLET,
    card,
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
    CancelSubscription,
    ReassignLeads,
    RemoveFromCallQueue,
    RetryCharge,
    SendEmail,
    SetAccess,
    ShowBanner,
)
from billrules.invoices import ChargeAttempt
from billrules.overdue import (
    OverduePolicy,
    can_add_seats,
    can_change_plan,
    can_use_product,
    findings,
    record_attempt,
)
from billrules.payment_methods import Wallet
from billrules.timeline import timeline

# --------------------------------------------------------------------------------------------
# The issue's example, whole


class TestIssueExample:
    """OVD-1, OVD-3, OVD-5, OVD-7: ``ny-overdue`` under the default policy, exactly as the
    issue states it."""

    def test_retries_fall_on_2_10_14_21_may_at_nine_local(self) -> None:
        """OVD-1: attempts 2 to 5 on 2, 10, 14 and 21 May at 09:00 New York time, each a
        ``RetryCharge`` of the invoice's 49.00 to the default card, rule OVD-1."""
        retries = kinds(window(facts()), "charge_retry")
        assert [t.at for t in retries] == [ny(5, 2, 9), ny(5, 10, 9), ny(5, 14, 9), ny(5, 21, 9)]
        assert all(t.at.utcoffset() == timedelta(hours=-4) for t in retries)
        for number, transition in enumerate(retries, start=2):
            assert transition.codes == ("retry_due",)
            assert transition.rules == ("OVD-1",)
            assert dict(transition.reasons[0].details) == {
                "invoice_id": "inv-2024-05",
                "attempt": number,
                "amount": USD49,
            }
            (effect,) = transition.effects
            assert isinstance(effect, RetryCharge)
            assert (effect.invoice_id, effect.attempt, effect.method_id, effect.amount) == (
                "inv-2024-05",
                number,
                "pm-visa",
                USD49,
            )
            assert (effect.rule, effect.at) == ("OVD-1", transition.at)

    def test_stages_begin_on_1_11_15_22_may_at_local_midnight(self) -> None:
        """OVD-3: past_due at the due instant (1 May 00:00), warning on 11 May (day 10),
        blocked on 15 May (day 14), final on 22 May (day 21), each at New York midnight, each
        with SetAccess, the notice to the owner and the admins, and from blocked the banner."""
        stages = kinds(window(facts()), "overdue_stage")
        assert [(t.at, t.reasons[0].details["stage"]) for t in stages] == [
            (ny(5, 1), "past_due"),
            (ny(5, 11), "warning"),
            (ny(5, 15), "blocked"),
            (ny(5, 22), "final"),
        ]
        blocked = stages[2]
        assert blocked.codes == ("stage_begins", "clock")
        assert blocked.rules == ("OVD-3",)
        details = blocked.reasons[0].details
        assert details["first_day"] == 14
        assert dict(details["access"]) == {
            "owner": "payment_page_only",
            "admin": "payment_page_only",
            "staff": "blocked",
        }
        assert (details["severity"], details["amount"], details["since"]) == (3, USD49, ny(5, 1))
        assert details["invoice_ids"] == ("inv-2024-05",)
        assert blocked.reasons[1].details["clock"] == "due_date"
        access, *emails, banner = blocked.effects
        assert isinstance(access, SetAccess)
        assert access.stage == "blocked"
        assert access.rule == "OVD-3"
        assert [(e.to, e.template, e.rule) for e in emails if isinstance(e, SendEmail)] == [
            ("owner", "overdue_stage", "OVD-7"),
            ("admin", "overdue_stage", "OVD-7"),
        ]
        assert isinstance(banner, ShowBanner)
        assert banner.banner == "overdue"
        assert not any(isinstance(e, ShowBanner) for e in stages[1].effects)  # warning: none

    def test_final_notice_on_19_may_and_cancellation_on_22_may(self) -> None:
        """OVD-5: the final notice 3 days before (19 May 00:00, naming the action and its
        instant); on 22 May 00:00 the subscription is cancelled (reason payment_failed) with
        CAN-8's consequences, the invoices stay open, the owner and admins are told."""
        found = window(facts())
        (notice,) = kinds(found, "final_notice")
        assert notice.at == ny(5, 19)
        assert notice.codes == ("final_notice",)
        assert notice.rules == ("OVD-5",)
        assert dict(notice.reasons[0].details) == {
            "action": "cancel",
            "final_at": ny(5, 22),
            "amount": USD49,
        }
        assert [(e.to, e.template) for e in notice.effects if isinstance(e, SendEmail)] == [
            ("owner", "overdue_final_notice"),
            ("admin", "overdue_final_notice"),
        ]
        (final,) = kinds(found, "final_action")
        assert final.at == ny(5, 22)
        assert final.codes == ("final_action",)
        assert dict(final.reasons[0].details) == {
            "action": "cancel",
            "unpaid": "stay_open",
            "amount": USD49,
        }
        cancel, leads, queue, *emails = final.effects
        assert isinstance(cancel, CancelSubscription)
        assert (cancel.at, cancel.reason, cancel.rule) == (ny(5, 22), "payment_failed", "OVD-5")
        assert isinstance(leads, ReassignLeads)
        assert leads.rule == "CAN-8"
        assert isinstance(queue, RemoveFromCallQueue)
        assert queue.rule == "CAN-8"
        assert [e.template for e in emails if isinstance(e, SendEmail)] == [
            "overdue_final_action",
            "overdue_final_action",
        ]

    def test_first_failure_notice_names_the_soft_category_and_the_next_attempt(self) -> None:
        """OVD-7: the recorded decline of 1 May 09:00 is told to the owner and the admins with
        its category (soft: never the issuer's code) and the next attempt, 2 May 09:00."""
        (notice,) = kinds(window(facts()), "charge_failed")
        assert notice.at == ny(5, 1, 9)
        assert notice.codes == ("charge_failed",)
        assert notice.rules == ("OVD-7",)
        assert dict(notice.reasons[0].details) == {
            "invoice_id": "inv-2024-05",
            "attempt": 1,
            "amount": USD49,
            "category": "soft",
            "next_attempt": ny(5, 2, 9),
        }
        assert "insufficient_funds" not in repr(notice)
        assert [e.to for e in notice.effects] == ["owner", "admin"]

    def test_the_account_timeline_orders_them_and_applies_the_cancellation(self) -> None:
        """OVD-5, X-9: the account's timeline holds the same overdue transitions; applying
        them ends the subscription at 22 May 00:00 and leaves the invoice failed."""
        events = timeline(ACCOUNT, DEFAULT_POLICY, start=ny(4, 20), end=ny(6, 1)).events
        overdue = [t for t in events if t.area == "overdue"]
        assert [(t.at, t.kind) for t in overdue] == [(t.at, t.kind) for t in window(facts())]
        after = apply(ACCOUNT, [e for t in events for e in t.effects])
        assert after.subscription is not None
        assert after.subscription.ends_at == ny(5, 22)
        assert after.invoices[0].status == "failed"

    @pytest.mark.parametrize(
        ("at", "owner", "staff", "stage"),
        [
            (ny(4, 30, 23, 59), "full", "full", None),
            (ny(5, 1), "full", "full", None),  # INV-2: overdue only after the due instant
            (ny(5, 1) + timedelta(microseconds=1), "full_with_reminder", "full", "past_due"),
            (ny(5, 10, 23, 59), "full_with_reminder", "full", "past_due"),
            (ny(5, 11), "full_with_reminder", "full", "warning"),
            (ny(5, 14, 23, 59), "full_with_reminder", "full", "warning"),
            (ny(5, 15), "payment_page_only", "blocked", "blocked"),
            (ny(5, 22), "payment_page_only", "blocked", "final"),
        ],
    )
    def test_each_role_gets_its_stage_access(self, at, owner, staff, stage) -> None:
        """OVD-3: can_use_product per role on each side of each stage's local midnight (the
        invoice is overdue after its due instant, INV-2: past_due from just after 1 May
        00:00)."""
        found = facts()
        for role, level in (("owner", owner), ("admin", owner), ("staff", staff)):
            decision = can_use_product(found, DEFAULT, role=role, at=at, zone=NY)
            assert decision.reasons[0].details["level"] == level
            assert decision.allowed is (level in ("full", "full_with_reminder"))
            if stage is None:
                assert decision.codes == ("nothing_overdue",)
                continue
            assert decision.codes == ("overdue_stage", "payment_lifts")
            assert decision.rules == ("OVD-3", "OVD-4")
            details = decision.reasons[0].details
            assert (details["stage"], details["role"]) == (stage, role)
            assert details["age"] == (at.date() - ny(5, 1).date()).days
            assert (details["since"], details["amount"]) == (ny(5, 1), USD49)
            assert details["invoice_ids"] == ("inv-2024-05",)
        assert stage_at(found, at) == stage


class TestChanges:
    """OVD-3: plan changes and seat additions refused from ``warning``."""

    @pytest.mark.parametrize("question", [can_change_plan, can_add_seats])
    def test_refused_from_warning_on_11_may(self, question) -> None:
        """OVD-3: allowed on 10 May 23:59 (changes_allowed, past_due); refused from 11 May
        00:00 (changes_refused, naming the stage and the amount)."""
        before = question(facts(), DEFAULT, at=ny(5, 10, 23, 59), zone=NY)
        assert before.allowed
        assert before.codes == ("changes_allowed",)
        assert before.reasons[0].details["stage"] == "past_due"
        after = question(facts(), DEFAULT, at=ny(5, 11), zone=NY)
        assert not after.allowed
        assert after.codes == ("changes_refused",)
        assert after.rules == ("OVD-3",)
        assert dict(after.reasons[0].details) == {"stage": "warning", "amount": USD49}

    def test_findings_name_the_stage_and_what_is_overdue(self) -> None:
        """OVD-3, OVD-4: the overdue_paid finding is refused with the amount, since, stage and
        invoices; change_plan and add_seats carry the refusal."""
        paid, plan, seats = findings(facts(), DEFAULT, at=ny(5, 16), zone=NY)
        assert (paid.question, plan.question, seats.question) == (
            "overdue_paid",
            "change_plan",
            "add_seats",
        )
        assert not paid.decision.allowed
        assert paid.decision.codes == ("payment_lifts",)
        assert dict(paid.details) == {
            "amount": USD49,
            "since": ny(5, 1),
            "stage": "blocked",
            "invoice_ids": ("inv-2024-05",),
        }
        assert not plan.decision.allowed
        assert plan.details["stage"] == "blocked"


# --------------------------------------------------------------------------------------------
# OVD-1, OVD-2: retries


class TestRetries:
    def test_a_manual_attempt_does_not_move_the_schedule(self) -> None:
        """OVD-1: a failed attempt the customer starts (automatic=False) on 3 May 15:00 leaves
        the retries on 10, 14 and 21 May at 09:00 and their numbers."""
        manual = failed(ny(5, 3, 15), automatic=False)
        found = facts(invoices=(invoice(attempts=(failed(ny(5, 1, 9)), manual)),))
        assert [(t.at, t.effects[0].attempt) for t in kinds(window(found), "charge_retry")] == [
            (ny(5, 2, 9), 2),
            (ny(5, 10, 9), 3),
            (ny(5, 14, 9), 4),
            (ny(5, 21, 9), 5),
        ]

    def test_no_attempt_after_payment(self) -> None:
        """OVD-1, OVD-4: a succeeded retry on 10 May 09:00 pays the invoice: no retry after,
        no stage after, and SetAccess (rule OVD-4, occasion of the attempt) lifts the stage."""
        done = ChargeAttempt(at=ny(5, 10, 9), outcome="succeeded", method_id="pm-visa")
        change = record_attempt(
            facts(),
            DEFAULT,
            invoice_id="inv-2024-05",
            attempt=done,
            zone=NY,
            account="ny-overdue",
        )
        assert change.invoice.status == "paid"
        assert change.invoice.paid_at == ny(5, 10, 9)
        assert change.invoice.method == "Visa •••• 4242"
        assert window(change.facts, start=ny(5, 10, 9)) == []
        (access,) = change.effects
        assert isinstance(access, SetAccess)
        assert (access.rule, access.stage, access.occasion) == (
            "OVD-4",
            None,
            "attempt-inv-2024-05-2",
        )
        assert dict(access.access) == {"owner": "full", "admin": "full", "staff": "full"}

    def test_a_hard_decline_stops_retries_and_says_hard(self) -> None:
        """OVD-2, OVD-7: after lost_card no charge_retry; the failure notice is
        charge_failed_no_retry with category hard and no next attempt."""
        found = facts(invoices=(invoice(attempts=(failed(ny(5, 1, 9), "lost_card"),)),))
        transitions = window(found)
        assert kinds(transitions, "charge_retry") == []
        assert kinds(transitions, "retry_blocked") == []
        (notice,) = kinds(transitions, "charge_failed")
        assert notice.codes == ("charge_failed_no_retry",)
        assert notice.rules == ("OVD-7",)
        assert dict(notice.reasons[0].details) == {
            "invoice_id": "inv-2024-05",
            "attempt": 1,
            "amount": USD49,
            "category": "hard",
        }
        assert "lost_card" not in repr(notice)
        # The ladder is the clock's still.
        assert [t.at for t in kinds(transitions, "overdue_stage")][-1] == ny(5, 22)

    def test_hard_declines_are_policy_data(self) -> None:
        """OVD-2: with insufficient_funds declared hard, the example has no retry."""
        policy = OverduePolicy(hard_declines=("insufficient_funds",))
        assert kinds(window(facts(), policy), "charge_retry") == []

    def test_an_expired_default_blocks_the_retry(self) -> None:
        """OVD-2, PM-4: the default card expired at the end of April 2024: at 2 May 09:00 a
        retry_blocked (no_usable_method, OVD-2) asks the owner to update the card; nothing
        follows."""
        wallet = Wallet(methods=(card(exp_year=2024, exp_month=4),), default_id="pm-visa")
        found = window(facts(wallet=wallet))
        assert kinds(found, "charge_retry") == []
        (blocked,) = kinds(found, "retry_blocked")
        assert blocked.at == ny(5, 2, 9)
        assert blocked.codes == ("no_usable_method",)
        assert blocked.rules == ("OVD-2",)
        assert dict(blocked.reasons[0].details) == {
            "invoice_id": "inv-2024-05",
            "attempt": 2,
            "amount": USD49,
        }
        (email,) = blocked.effects
        assert isinstance(email, SendEmail)
        assert (email.to, email.template, email.rule) == ("owner", "overdue_update_card", "OVD-2")
        (notice,) = kinds(found, "charge_failed")
        assert notice.codes == ("charge_failed_no_retry",)

    def test_no_default_method_blocks_the_retry(self) -> None:
        """OVD-2: an empty wallet: retry_blocked at the first retry's instant."""
        (blocked,) = kinds(window(facts(wallet=Wallet())), "retry_blocked")
        assert (blocked.at, blocked.codes) == (ny(5, 2, 9), ("no_usable_method",))

    def test_a_new_default_makes_an_attempt_due_at_once(self) -> None:
        """OVD-2: a new default card (pm-new, default since 5 May 14:30, after the decline on
        pm-visa) makes attempt 2 due at 5 May 14:30 (new_method, rule OVD-2), charged to
        pm-new; the schedule then continues from it: attempt 4 four days later, at the first
        attempt's wall time (9 May 09:00)."""
        wallet = Wallet(
            methods=(card(), card("pm-new")), default_id="pm-new", default_since=ny(5, 5, 14, 30)
        )
        found = facts(invoices=(invoice(attempts=(failed(ny(5, 1, 9)), failed(ny(5, 2, 9)))),))
        retries = kinds(window(attrs.evolve(found, wallet=wallet)), "charge_retry")
        first = retries[0]
        assert first.at == ny(5, 5, 14, 30)
        assert first.codes == ("new_method",)
        assert first.rules == ("OVD-2",)
        assert (first.effects[0].method_id, first.effects[0].attempt) == ("pm-new", 3)
        assert retries[1].at == ny(5, 9, 9)
        assert retries[1].codes == ("retry_due",)

    def test_a_new_default_after_a_hard_decline_is_tried_at_once(self) -> None:
        """OVD-2: after lost_card on pm-visa, a new default since 3 May 10:00 is tried then."""
        wallet = Wallet(
            methods=(card(), card("pm-new")), default_id="pm-new", default_since=ny(5, 3, 10)
        )
        found = facts(
            invoices=(invoice(attempts=(failed(ny(5, 1, 9), "lost_card"),)),), wallet=wallet
        )
        first, *_ = kinds(window(found), "charge_retry")
        assert (first.at, first.codes, first.effects[0].method_id) == (
            ny(5, 3, 10),
            ("new_method",),
            "pm-new",
        )

    def test_the_same_default_again_does_not_count_as_new(self) -> None:
        """OVD-2: a default_since after a hard decline on that very method is no new method."""
        wallet = attrs.evolve(WALLET, default_since=ny(5, 3, 10))
        found = facts(
            invoices=(invoice(attempts=(failed(ny(5, 1, 9), "lost_card"),)),), wallet=wallet
        )
        assert kinds(window(found), "charge_retry") == []

    def test_each_failed_retry_is_told_with_the_next_attempt(self) -> None:
        """OVD-7: attempts of 1 and 2 May failed: the notice of the second (attempt 2) names
        the next attempt, 10 May 09:00; the first's names the recorded second."""
        found = facts(invoices=(invoice(attempts=(failed(ny(5, 1, 9)), failed(ny(5, 2, 9)))),))
        first, second = kinds(window(found), "charge_failed")
        assert (first.at, first.reasons[0].details["next_attempt"]) == (ny(5, 1, 9), ny(5, 2, 9))
        assert (second.at, second.reasons[0].details["attempt"]) == (ny(5, 2, 9), 2)
        assert second.reasons[0].details["next_attempt"] == ny(5, 10, 9)
        assert next(t.at for t in kinds(window(found), "charge_retry")) == ny(5, 10, 9)

    @pytest.mark.parametrize("code", ["insufficient_funds", "lost_card"])
    def test_a_new_default_after_the_retries_ran_out_is_tried_at_once(self, code) -> None:
        """OVD-2: all five attempts made (the fifth on 21 May 09:00, soft or hard), a new
        default card pm-new since 21 May 12:00, before the final action: attempt 6 is due at
        once (new_method, OVD-2) on pm-new, at 21 May 12:00."""
        made = [failed(at) for at in (ny(5, 1, 9), ny(5, 2, 9), ny(5, 10, 9), ny(5, 14, 9))]
        made.append(failed(ny(5, 21, 9), code))
        wallet = Wallet(
            methods=(card(), card("pm-new")), default_id="pm-new", default_since=ny(5, 21, 12)
        )
        found = facts(invoices=(invoice(attempts=made),), wallet=wallet)
        (retry,) = kinds(window(found, start=ny(5, 20)), "charge_retry")
        assert (retry.at, retry.codes) == (ny(5, 21, 12), ("new_method",))
        assert (retry.effects[0].method_id, retry.effects[0].attempt) == ("pm-new", 6)


class TestRefusals:
    """X-1: bad calls name the field; refused operations carry the decision."""

    def test_record_attempt_refuses_an_attempt_before_the_last(self) -> None:
        """OVD-1: an attempt before the invoice's last one: InvalidInput naming attempt.at."""
        from billrules.errors import InvalidInput

        early = ChargeAttempt(at=ny(5, 1, 8), outcome="failed", method_id="pm-visa")
        with pytest.raises(InvalidInput) as refused:
            record_attempt(
                facts(), DEFAULT, invoice_id="inv-2024-05", attempt=early, zone=NY, account="a"
            )
        assert refused.value.field == "attempt.at"

    def test_record_attempt_names_an_unknown_invoice(self) -> None:
        """OVD-1: no such invoice: InvalidInput naming invoice_id."""
        from billrules.errors import InvalidInput

        later = ChargeAttempt(at=ny(5, 3), outcome="failed")
        with pytest.raises(InvalidInput) as refused:
            record_attempt(
                facts(), DEFAULT, invoice_id="inv-x", attempt=later, zone=NY, account="a"
            )
        assert refused.value.field == "invoice_id"

    def test_record_attempt_on_a_paid_invoice_carries_can_record_attempt(self) -> None:
        """OVD-1: a paid invoice cannot be charged: PolicyViolation with can_record_attempt's decision
        (nothing_to_charge, status paid)."""
        from billrules.decisions import PolicyViolation
        from billrules.overdue import can_record_attempt

        paid = facts(invoices=(invoice(status="paid", paid_at=ny(5, 2), attempts=()),))
        later = ChargeAttempt(at=ny(5, 3), outcome="failed")
        with pytest.raises(PolicyViolation) as refused:
            record_attempt(
                paid, DEFAULT, invoice_id="inv-2024-05", attempt=later, zone=NY, account="a"
            )
        decision = refused.value.decision
        assert decision == can_record_attempt(paid, invoice_id="inv-2024-05")
        assert decision.codes == ("nothing_to_charge",)
        assert dict(decision.reasons[0].details) == {"invoice_id": "inv-2024-05", "status": "paid"}

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"retry_gaps": (1, 0)}, "OverduePolicy.retry_gaps[1]"),
            ({"hard_declines": ("Lost Card",)}, "OverduePolicy.hard_declines[0]"),
            ({"thresholds": {"USD": Money("0", "USD")}}, "OverduePolicy.thresholds[USD]"),
            ({"thresholds": {"USD": Money("1", "EUR")}}, "OverduePolicy.thresholds[USD]"),
            ({"final_notice_days": -1}, "OverduePolicy.final_notice_days"),
        ],
    )
    def test_a_bad_policy_names_the_knob(self, changes, field) -> None:
        """OVD-1 … OVD-5: a bad knob is refused naming it."""
        from billrules.errors import BillRulesError

        with pytest.raises(BillRulesError) as refused:
            OverduePolicy(**changes)
        assert refused.value.field == field

    def test_stages_must_start_on_day_0_and_never_ease(self) -> None:
        """OVD-3: the first stage starts on day 0; a later stage never gives a role less
        restriction: InvalidInput naming the stage."""
        from billrules.errors import InvalidInput
        from billrules.overdue import DEFAULT_OVERDUE_STAGES

        past_due, warning, blocked, final = DEFAULT_OVERDUE_STAGES
        with pytest.raises(InvalidInput) as late:
            OverduePolicy(stages=(warning, blocked))
        assert late.value.field == "OverduePolicy.stages[0].first_day"
        eased = attrs.evolve(final, access={**final.access, "staff": "full"})
        with pytest.raises(InvalidInput) as easing:
            OverduePolicy(stages=(past_due, warning, blocked, eased))
        assert easing.value.field == "OverduePolicy.stages[3].access[staff]"
