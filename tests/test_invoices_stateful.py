"""INV-2 as a state machine: any sequence of transitions and payments keeps the table's promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from moneyed import Money

from billrules import PolicyViolation
from billrules.invoices import (
    FINAL_STATUSES,
    STATUS_CHANGES,
    Invoice,
    InvoiceStatus,
    apply_payment,
    can_change_status,
    change_status,
    is_overdue,
    outstanding,
)

START = datetime(2024, 1, 1, tzinfo=UTC)


class InvoiceLifecycle(RuleBasedStateMachine):
    """INV-2, INV-3: one invoice driven through arbitrary transitions and payments.

    Final statuses stay final; refused transitions raise with the question's decision and
    change nothing; the paid amount never exceeds the amount and never decreases; a submitted
    or failed invoice always has money due, and it is overdue exactly when that money is past
    its due date.
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.invoice = Invoice(
            id="inv-1",
            status=InvoiceStatus.SCHEDULED,
            amount=Money("49.00", "USD"),
            issued_at=START,
            due_at=START + timedelta(days=14),
        )
        self.history: list[InvoiceStatus] = [self.invoice.status]
        self.paid_so_far = self.invoice.amount_paid

    @initialize(cents=st.integers(min_value=1, max_value=10_000))
    def amount(self, cents: int) -> None:
        """Any amount from one cent: the smallest ones are settled by a single cent."""
        self.invoice = attrs.evolve(self.invoice, amount=Money(Decimal(cents).scaleb(-2), "USD"))
        self.paid_so_far = self.invoice.amount_paid

    @rule(hours=st.integers(min_value=0, max_value=24 * 40))
    def advance(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule(status=st.sampled_from(InvoiceStatus))
    def move(self, status: InvoiceStatus) -> None:
        before = self.invoice
        decision = can_change_status(before, to=status)
        if decision.allowed:
            self.invoice = change_status(before, to=status, at=self.now)
            assert status == self.invoice.status
            self.history.append(status)
        else:
            with pytest.raises(PolicyViolation) as excinfo:
                change_status(before, to=status, at=self.now)
            assert decision == excinfo.value.decision
            assert before == self.invoice

    @precondition(lambda self: self.invoice.amount_due.amount > 0)
    @rule(cents=st.integers(min_value=1, max_value=10_000))
    def pay(self, cents: int) -> None:
        result = apply_payment(
            [self.invoice], payment=Money(Decimal(cents).scaleb(-2), "USD"), at=self.now
        )
        (self.invoice,) = result.invoices
        if self.invoice.status is not self.history[-1]:
            self.history.append(self.invoice.status)

    @invariant()
    def every_step_follows_the_table(self) -> None:
        for before, after in zip(self.history, self.history[1:], strict=False):
            assert after in STATUS_CHANGES[before]

    @invariant()
    def final_statuses_stay_final(self) -> None:
        for index, status in enumerate(self.history):
            if status in FINAL_STATUSES:
                assert index == len(self.history) - 1

    @invariant()
    def money_is_due_while_submitted_or_failed(self) -> None:
        """INV-2: no step leaves a submitted or failed invoice with nothing to pay."""
        if self.invoice.status in (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED):
            assert self.invoice.amount_due.amount > 0
            assert self.invoice.paid_at is None
        if self.invoice.amount_paid == self.invoice.amount:
            assert self.invoice.status in FINAL_STATUSES

    @invariant()
    def overdue_means_money_still_due(self) -> None:
        """INV-2: overdue at the current instant exactly when money is due past the due date."""
        due = self.invoice.amount_due.amount > 0
        assert (due and self.now > self.invoice.due_at) == is_overdue(self.invoice, at=self.now)

    @invariant()
    def paid_amount_is_monotone_and_bounded(self) -> None:
        assert self.paid_so_far <= self.invoice.amount_paid <= self.invoice.amount
        self.paid_so_far = self.invoice.amount_paid
        assert outstanding([self.invoice], currency="USD") == self.invoice.amount_due


TestInvoiceLifecycle = InvoiceLifecycle.TestCase
