"""A stateful machine over one invoice under collections (INV-2, OVD-1, OVD-2, OVD-6): charge
attempts (succeeded or failed, soft or hard, automatic or not), write-off, payment and
cancellation, a new default card and time passing, as a host's jobs and support would do."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from moneyed import Money

from _overdue import card, stage_at
from billrules.decisions import PolicyViolation
from billrules.effects import SendEmail, SetAccess
from billrules.invoices import (
    STATUS_CHANGES,
    ChargeAttempt,
    Invoice,
    InvoiceStatus,
    can_change_status,
    change_status,
    outstanding,
)
from billrules.overdue import (
    OverdueFacts,
    OverduePolicy,
    can_record_attempt,
    can_write_off,
    record_attempt,
    transitions,
    write_off,
)
from billrules.payment_methods import Wallet, set_default
from billrules.testing import HARD_DECLINES, SOFT_DECLINES, zones

POLICY = OverduePolicy()
S = InvoiceStatus


class OneInvoice(RuleBasedStateMachine):
    """INV-2, OVD-6: the status follows the table; refused operations raise with their
    decision and change nothing; no retry is predicted for a settled, written-off or
    hard-declined invoice (unless a new default came since); what is written off is not
    outstanding."""

    @initialize(zone=zones(), days=st.integers(0, 2000), amount=st.integers(1, 100_000))
    def open_invoice(self, zone: ZoneInfo, days: int, amount: int) -> None:
        self.zone = zone
        issued = (datetime(2020, 1, 1, 9, tzinfo=zone) + timedelta(days=days)).astimezone(zone)
        self.facts = OverdueFacts(
            currency="USD",
            invoices=(
                Invoice(
                    id="inv-1",
                    status="submitted",
                    amount=Money(amount, "USD") / 100,
                    issued_at=issued,
                    due_at=issued + timedelta(days=7),
                ),
            ),
            wallet=Wallet(methods=(card("pm-1"), card("pm-2")), default_id="pm-1"),
        )
        self.now = issued + timedelta(days=7)
        self.expected = S.SUBMITTED

    @property
    def invoice(self) -> Invoice:
        return self.facts.invoices[0]

    def _check_effects(self, before: OverdueFacts, after: OverdueFacts, effects) -> None:
        """OVD-4: an operation's effects say the new access exactly when the stage at its
        instant changes (SetAccess with the new stage, keyed by the operation)."""
        old = stage_at(before, self.now, POLICY, self.zone)
        new = stage_at(after, self.now, POLICY, self.zone)
        if old == new:
            assert effects == ()
            return
        access = effects[0]
        assert isinstance(access, SetAccess)
        assert (access.stage, access.rule, access.account, access.at) == (
            new,
            "OVD-4",
            "a",
            self.now,
        )
        event(f"stage {old} -> {new}")

    def _set(self, invoice: Invoice) -> None:
        before = self.invoice.status
        if invoice.status is not before:
            assert invoice.status in STATUS_CHANGES[before]
        self.facts = OverdueFacts(currency="USD", invoices=(invoice,), wallet=self.facts.wallet)

    # Time ----------------------------------------------------------------------------------

    @rule(hours=st.integers(1, 15 * 24))
    def advance(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    # Operations ----------------------------------------------------------------------------

    @rule(
        succeeded=st.booleans(),
        code=st.sampled_from((*SOFT_DECLINES, *HARD_DECLINES)),
        automatic=st.booleans(),
    )
    def record(self, succeeded: bool, code: str, automatic: bool) -> None:
        """OVD-1: an attempt recorded; refused for a paid or cancelled invoice (can_record_attempt)."""
        attempt = ChargeAttempt(
            at=self.now,
            outcome="succeeded" if succeeded else "failed",
            decline_code=None if succeeded else code,
            method_id=self.facts.wallet.default_id,
            automatic=automatic,
        )
        before = self.facts
        if self.expected in (S.PAID, S.CANCELLED):
            with pytest.raises(PolicyViolation) as refused:
                record_attempt(
                    before, POLICY, invoice_id="inv-1", attempt=attempt, zone=self.zone, account="a"
                )
            assert refused.value.decision == can_record_attempt(before, invoice_id="inv-1")
            assert refused.value.decision.codes == ("nothing_to_charge",)
            assert self.facts == before
            event("charge refused")
            return
        change = record_attempt(
            before, POLICY, invoice_id="inv-1", attempt=attempt, zone=self.zone, account="a"
        )
        assert change.invoice.attempts[-1] == attempt
        assert change.invoice == change.facts.invoices[0]
        notices = [e for e in change.effects if isinstance(e, SendEmail)]
        # OVD-7: a failed automatic attempt on an invoice in collections returns its notices
        # to the owner and the admins (a written-off one is out of collections: none).
        if automatic and not succeeded and self.expected in (S.SUBMITTED, S.FAILED):
            assert [(e.template, e.to, e.at) for e in notices] == [
                ("overdue_charge_failed", "owner", self.now),
                ("overdue_charge_failed", "admin", self.now),
            ]
            made = [a for a in change.invoice.attempts if a.automatic]
            assert all(e.details["attempt"] == len(made) for e in notices)
        else:
            assert notices == []
        rest = tuple(e for e in change.effects if not isinstance(e, SendEmail))
        self._check_effects(before, change.facts, rest)
        if succeeded:
            self.expected = S.PAID
            assert change.invoice.paid_at == self.now
        elif self.expected is S.SUBMITTED:
            self.expected = S.FAILED
        self._set(change.invoice)

    @rule()
    def write_off_invoice(self) -> None:
        """OVD-6: submitted|failed → uncollectible; refused otherwise (can_write_off, as
        INV-2's table says)."""
        before = self.facts
        if self.expected not in (S.SUBMITTED, S.FAILED):
            with pytest.raises(PolicyViolation) as refused:
                write_off(
                    before, POLICY, invoice_id="inv-1", at=self.now, zone=self.zone, account="a"
                )
            assert refused.value.decision == can_write_off(before, invoice_id="inv-1")
            assert refused.value.decision.codes == ("not_writable_off",)
            assert not can_change_status(self.invoice, to="uncollectible").allowed
            assert self.facts == before
            event(f"write-off refused from {self.expected}")
            return
        change = write_off(
            before, POLICY, invoice_id="inv-1", at=self.now, zone=self.zone, account="a"
        )
        self._check_effects(before, change.facts, change.effects)
        self.expected = S.UNCOLLECTIBLE
        self._set(change.invoice)

    @rule(to=st.sampled_from((S.PAID, S.CANCELLED)))
    def pay_or_cancel(self, to: InvoiceStatus) -> None:
        """INV-2, OVD-6: paid or cancelled from submitted, failed or uncollectible; refused
        from paid or cancelled (status_final), the invoice unchanged."""
        invoice = self.invoice
        if self.expected in (S.PAID, S.CANCELLED):
            with pytest.raises(PolicyViolation) as refused:
                change_status(invoice, to=to, at=self.now)
            assert refused.value.decision == can_change_status(invoice, to=to)
            assert refused.value.decision.codes == ("invoice_status_final",)
            assert self.invoice == invoice
            return
        self.expected = to
        self._set(change_status(invoice, to=to, at=self.now))

    @precondition(lambda self: self.facts.wallet.default_id == "pm-1")
    @rule()
    def new_default(self) -> None:
        """PM-4, OVD-2: the customer makes pm-2 the default now."""
        wallet = set_default(self.facts.wallet, method_id="pm-2", at=self.now, zone=self.zone)
        self.facts = OverdueFacts(currency="USD", invoices=self.facts.invoices, wallet=wallet)

    # Invariants ----------------------------------------------------------------------------

    @invariant()
    def status_is_the_tables(self) -> None:
        """INV-2, OVD-6: the status is the one the table leads to."""
        if hasattr(self, "facts"):
            assert self.invoice.status is self.expected

    @invariant()
    def written_off_is_not_outstanding(self) -> None:
        """OVD-6, INV-3: an uncollectible invoice has nothing due nor outstanding, yet can
        still be charged."""
        if not hasattr(self, "facts"):
            return
        invoice = self.invoice
        if invoice.status is S.UNCOLLECTIBLE:
            assert invoice.amount_due == Money(0, "USD")
            assert outstanding([invoice], currency="USD") == Money(0, "USD")
            assert self.facts.due == ()
            assert can_record_attempt(self.facts, invoice_id="inv-1").allowed
        elif invoice.status in (S.SUBMITTED, S.FAILED):
            assert outstanding([invoice], currency="USD") == invoice.amount - invoice.amount_paid

    @invariant()
    def no_retry_predicted_when_none_may_come(self) -> None:
        """OVD-1, OVD-2, OVD-6: no charge_retry from now on for a paid, cancelled or written-off
        invoice, nor after a hard automatic decline unless the default changed since to
        another method."""
        if not hasattr(self, "facts"):
            return
        invoice = self.invoice
        found = list(
            transitions(
                self.facts,
                POLICY,
                start=self.now,
                end=self.now + timedelta(days=60),
                zone=self.zone,
            )
        )
        retries = [t for t in found if t.kind == "charge_retry"]
        automatic = [a for a in invoice.attempts if a.automatic]
        wallet = self.facts.wallet
        if invoice.status not in (S.SUBMITTED, S.FAILED):
            assert retries == []
            return
        if not automatic or not automatic[-1].failed:
            assert retries == []
            return
        last = automatic[-1]
        renewed = (
            wallet.default_since is not None
            and wallet.default_since > last.at
            and wallet.default_id != last.method_id
        )
        if last.decline_code in HARD_DECLINES and not renewed:
            assert retries == []
            event("hard decline: no retry")
        for retry in retries:
            assert retry.effects[0].method_id == wallet.default_id
            assert retry.at >= last.at


TestOneInvoice = OneInvoice.TestCase
TestOneInvoice.settings = settings(
    max_examples=min(settings().max_examples, 50), stateful_step_count=25, deadline=None
)
