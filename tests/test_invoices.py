"""Invoices: INV-1 … INV-6, from the seeds' own situations and as Hypothesis properties."""

from __future__ import annotations

import itertools
import pickle
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules import (
    CurrencyMismatch,
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    PolicyViolation,
    UnknownTimeZone,
)
from billrules._plain import structure
from billrules.contract import Finding, Transition
from billrules.decisions import Reason
from billrules.invoices import (
    DUE_STATUSES,
    FINAL_STATUSES,
    STATUS_CHANGES,
    BillingDetails,
    BillingDetailsChange,
    BillingProfile,
    Invoice,
    InvoiceCode,
    InvoiceDocument,
    InvoiceFacts,
    InvoiceKind,
    InvoicePolicy,
    InvoiceQuestion,
    InvoiceStatus,
    Payment,
    Statement,
    StatementLine,
    allocate_payment,
    apply_payment,
    can_change_status,
    can_download,
    can_view,
    change_status,
    display_status,
    download,
    findings,
    history,
    is_overdue,
    issue,
    outstanding,
    outstanding_invoices,
    payments_made,
    role_findings,
    statement,
    transitions,
)
from billrules.invoices._contract import _KEPT_COUNTS
from billrules.testing import (
    aware_datetimes,
    billing_details,
    billing_profiles,
    invoice_policies,
    invoices,
    payments,
    zones,
)

KYIV = ZoneInfo("Europe/Kyiv")
POLICY = InvoicePolicy()
APRIL = datetime(2024, 4, 1, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def make(
    id: str = "inv-1",
    status: str = "submitted",
    amount: str = "49.00",
    issued: datetime = APRIL,
    due: datetime | None = None,
    **kw: object,
) -> Invoice:
    return Invoice(
        id=id,
        status=status,
        amount=usd(amount),
        issued_at=issued,
        due_at=due if due is not None else issued + timedelta(days=14),
        **kw,  # type: ignore[arg-type]
    )


invoice_lists = st.lists(invoices(), max_size=8, unique_by=lambda inv: inv.id)


class TestHistoryCutoff:
    """INV-1: self-service history starts at 2021-01-01, inclusive; older invoices go to support."""

    def test_seed_cutoff_is_january_2021(self) -> None:
        """INV-1: the seed's default cutoff is 2021-01-01."""
        assert date(2021, 1, 1) == InvoicePolicy().history_cutoff

    def test_invoice_on_the_cutoff_is_listed(self) -> None:
        """INV-1: an invoice issued on 2021-01-01 is inside the window (inclusive)."""
        decision = can_view(make(issued=utc(2021, 1, 1)), POLICY, zone="UTC")
        assert (True, ("in_history_window",)) == (decision.allowed, decision.codes)

    def test_invoice_before_the_cutoff_points_to_support(self) -> None:
        """INV-1: a December 2020 invoice is refused, and the decision says to contact support."""
        policy = InvoicePolicy(support_contact="support@lofty.com")
        decision = can_view(make(issued=utc(2020, 12, 31, 12)), policy, zone="UTC")
        assert not decision.allowed
        assert ("before_history_cutoff",) == decision.codes
        assert ("INV-1",) == decision.rules
        assert "support@lofty.com" in decision.message
        assert date(2020, 12, 31) == decision.reasons[0].details["issued_on"]

    def test_cutoff_is_judged_in_the_accounts_zone(self) -> None:
        """INV-1, X-3: 2020-12-31 23:30 UTC is already 2021-01-01 in Kyiv."""
        invoice = make(issued=utc(2020, 12, 31, 23, 30))
        assert not can_view(invoice, POLICY, zone="UTC").allowed
        assert can_view(invoice, POLICY, zone=KYIV).allowed

    def test_history_leaves_out_invoices_before_the_cutoff(self) -> None:
        """INV-1, INV-5: the history lists only invoices from January 2021 on."""
        old = make("inv-old", "paid", issued=utc(2020, 11, 1), paid_at=utc(2020, 11, 2))
        new = make("inv-new", "paid", issued=utc(2021, 2, 1), paid_at=utc(2021, 2, 2))
        rows = history([old, new], POLICY, at=utc(2024, 1, 1), zone="UTC")
        assert ["inv-new"] == [row.invoice_id for row in rows]

    @given(invoice_lists, invoice_policies(), zones())
    def test_history_filter_is_exact(
        self, items: list[Invoice], policy: InvoicePolicy, zone: ZoneInfo
    ) -> None:
        """INV-1 property: never an invoice before the cutoff; never one on or after it dropped."""
        at = utc(2040, 1, 1)
        listed = {row.invoice_id for row in history(items, policy, at=at, zone=zone)}
        for invoice in items:
            on_or_after = invoice.issued_at.astimezone(zone).date() >= policy.history_cutoff
            issued = invoice.status is not InvoiceStatus.SCHEDULED
            assert (on_or_after and issued) == (invoice.id in listed)


class TestStatuses:
    """INV-2: the transition table, final statuses, and the derived `overdue`."""

    @pytest.mark.parametrize(
        ("source", "target"), list(itertools.product(InvoiceStatus, InvoiceStatus))
    )
    def test_table_decides_every_pair(self, source: InvoiceStatus, target: InvoiceStatus) -> None:
        """INV-2: exactly the pairs in the table are allowed; the rest are refused with INV-2."""
        invoice = _in_status(source)
        decision = can_change_status(invoice, to=target)
        assert (target in STATUS_CHANGES[source]) == decision.allowed
        assert ("INV-2",) == decision.rules

    def test_seed_table(self) -> None:
        """INV-2, OVD-6: the table as POLICIES.md states it (submitted|failed → uncollectible
        → paid|cancelled); paid and cancelled are final."""
        s = InvoiceStatus
        assert {
            s.SCHEDULED: {s.SUBMITTED, s.CANCELLED},
            s.SUBMITTED: {s.PAID, s.FAILED, s.CANCELLED, s.UNCOLLECTIBLE},
            s.FAILED: {s.PAID, s.CANCELLED, s.UNCOLLECTIBLE},
            s.PAID: set(),
            s.CANCELLED: set(),
            s.UNCOLLECTIBLE: {s.PAID, s.CANCELLED},
        } == {k: set(v) for k, v in STATUS_CHANGES.items()}
        assert {s.PAID, s.CANCELLED} == FINAL_STATUSES

    def test_refused_transition_raises_with_the_same_decision(self) -> None:
        """INV-2: a paid invoice cannot fail; the error carries can_change_status's decision."""
        paid = make(status="paid", paid_at=utc(2024, 4, 2))
        with pytest.raises(PolicyViolation) as excinfo:
            change_status(paid, to="failed", at=utc(2024, 4, 3))
        assert can_change_status(paid, to="failed") == excinfo.value.decision
        assert "final" in str(excinfo.value)

    def test_non_final_refusal_lists_what_is_allowed(self) -> None:
        """INV-2: scheduled → paid is refused, naming where a scheduled invoice may go."""
        decision = can_change_status(make(status="scheduled"), to="paid")
        assert ("invoice_transition_not_allowed",) == decision.codes
        assert "cancelled, submitted" in decision.message

    def test_paying_records_amount_instant_and_method(self) -> None:
        """INV-2: submitted → paid records the whole amount, the instant and the method."""
        paid = change_status(make(), to="paid", at=utc(2024, 4, 5), method="Visa •••• 4242")
        assert (InvoiceStatus.PAID, usd("49.00"), utc(2024, 4, 5), "Visa •••• 4242") == (
            paid.status,
            paid.amount_paid,
            paid.paid_at,
            paid.method,
        )

    def test_failed_invoice_can_still_be_paid(self) -> None:
        """INV-2: the seed's "pay an overdue bill": failed → paid."""
        failed = change_status(make(), to=InvoiceStatus.FAILED, at=utc(2024, 4, 2))
        assert InvoiceStatus.PAID == change_status(failed, to="paid", at=utc(2024, 4, 20)).status

    def test_overdue_is_derived_at_an_instant(self) -> None:
        """INV-2: a submitted invoice is overdue only after its due instant."""
        invoice = make(issued=utc(2024, 4, 1), due=utc(2024, 4, 15))
        assert not is_overdue(invoice, at=utc(2024, 4, 15))
        assert is_overdue(invoice, at=utc(2024, 4, 15, 0, 0, 1))
        assert "overdue" == display_status(invoice, at=utc(2024, 5, 1))
        assert "submitted" == display_status(invoice, at=utc(2024, 4, 2))

    def test_paid_and_cancelled_are_never_overdue(self) -> None:
        """INV-2: only submitted and failed invoices can be overdue."""
        late = utc(2030, 1, 1)
        paid = make(status="paid", paid_at=utc(2024, 4, 2))
        assert not is_overdue(paid, at=late)
        assert not is_overdue(make(status="cancelled"), at=late)
        assert "paid" == display_status(paid, at=late)

    @given(invoices(), st.sampled_from(InvoiceStatus), aware_datetimes())
    def test_refused_transitions_change_nothing(
        self, invoice: Invoice, target: InvoiceStatus, at: datetime
    ) -> None:
        """INV-2 property: a refused transition raises and leaves the invoice equal to before."""
        before = attrs.evolve(invoice)
        if can_change_status(invoice, to=target).allowed:
            assert target == change_status(invoice, to=target, at=at).status
        else:
            with pytest.raises(PolicyViolation):
                change_status(invoice, to=target, at=at)
        assert before == invoice

    def test_unknown_status_is_refused(self) -> None:
        """INV-2: an unknown status names the allowed ones."""
        with pytest.raises(InvalidInput, match="expected one of") as excinfo:
            make(status="overdue")
        assert "Invoice.status" == excinfo.value.field


class TestSomethingDue:
    """INV-2: a submitted or failed invoice has money still due; overdue means money still due."""

    @pytest.mark.parametrize("status", ["submitted", "failed"])
    def test_nothing_left_to_pay_is_refused(self, status: str) -> None:
        """INV-2: a submitted or failed invoice paid in full is a state no transition
        produces: refused at construction, naming Invoice.amount_paid."""
        with pytest.raises(InvalidInput) as excinfo:
            make(status=status, amount_paid=usd("49.00"))
        assert "Invoice.amount_paid" == excinfo.value.field
        assert (
            f"must be less than Invoice.amount on a {status} invoice "
            "(INV-2: one with nothing left to pay is paid)"
        ) == excinfo.value.problem

    @pytest.mark.parametrize("status", ["scheduled", "submitted", "failed"])
    def test_an_invoice_for_nothing_is_paid_not_due(self, status: str) -> None:
        """INV-2: a scheduled, submitted or failed invoice of zero has nothing to pay (issuing
        a scheduled one would make it submitted with nothing due): refused, naming
        Invoice.amount."""
        with pytest.raises(InvalidInput) as excinfo:
            make(status=status, amount="0")
        assert "Invoice.amount" == excinfo.value.field
        assert f"on a {status} invoice" in excinfo.value.problem

    def test_paid_and_cancelled_invoices_may_have_nothing_due(self) -> None:
        """INV-2: an invoice of zero is recorded as paid; a cancelled one may be fully paid."""
        free = make(status="paid", amount="0", paid_at=utc(2024, 4, 1))
        cancelled = make(status="cancelled", amount_paid=usd("49.00"))
        assert (usd("0"), usd("0")) == (free.amount_due, cancelled.amount_due)

    def test_the_smallest_amount_still_due_is_allowed(self) -> None:
        """INV-2 boundary: one cent still due keeps a submitted invoice submitted and overdue."""
        invoice = make(amount_paid=usd("48.99"), due=utc(2024, 4, 15))
        assert usd("0.01") == invoice.amount_due
        assert is_overdue(invoice, at=utc(2024, 4, 16))

    def test_plain_data_names_the_path(self) -> None:
        """INV-2: an account file with a submitted invoice paid in full is refused at the
        invoice's path."""
        data = {
            "id": "inv-1",
            "status": "failed",
            "amount": "49.00 USD",
            "issued_at": "2024-04-01T00:00:00+00:00",
            "due_at": "2024-04-15T00:00:00+00:00",
            "amount_paid": "49.00 USD",
        }
        with pytest.raises(InvalidInput) as excinfo:
            structure(Invoice, data, "invoices[3]")
        assert "invoices[3].amount_paid" == excinfo.value.field

    def test_a_payment_settling_the_rest_makes_the_invoice_paid(self) -> None:
        """INV-2, INV-3: paying exactly what is left of a partly paid failed invoice makes it
        paid at that instant with that method, never failed with nothing due."""
        failed = make(status="failed", amount_paid=usd("40.00"))
        at = utc(2024, 4, 20)
        result = apply_payment([failed], payment=usd("9.00"), at=at, method="Visa •••• 4242")
        (line,) = result.allocation.lines
        assert ("inv-1", usd("9.00"), True) == (line.invoice_id, line.amount, line.settles)
        (paid,) = result.invoices
        assert (InvoiceStatus.PAID, usd("49.00"), at, "Visa •••• 4242") == (
            paid.status,
            paid.amount_paid,
            paid.paid_at,
            paid.method,
        )
        assert usd("0") == result.allocation.credit

    def test_a_partial_payment_leaves_money_due(self) -> None:
        """INV-2, INV-3: a payment one cent short keeps the invoice submitted, one cent due."""
        result = apply_payment([make()], payment=usd("48.99"), at=utc(2024, 4, 20))
        (invoice,) = result.invoices
        assert (InvoiceStatus.SUBMITTED, usd("0.01"), None) == (
            invoice.status,
            invoice.amount_due,
            invoice.paid_at,
        )
        assert (False,) == tuple(line.settles for line in result.allocation.lines)

    @given(invoice_lists, st.integers(min_value=1, max_value=2_000_000), aware_datetimes())
    def test_no_payment_leaves_a_due_invoice_with_nothing_due(
        self, items: list[Invoice], cents: int, at: datetime
    ) -> None:
        """INV-2 property: after any payment, every submitted or failed invoice still has money
        due; exactly the invoices the allocation settles become paid."""
        result = apply_payment(items, payment=Money(Decimal(cents).scaleb(-2), "USD"), at=at)
        settled = {line.invoice_id for line in result.allocation.lines if line.settles}
        for before, after in zip(items, result.invoices, strict=True):
            if after.status in (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED):
                assert after.amount_due.amount > 0
            assert (before.id in settled) == (after.status is not before.status)
            if before.id in settled:
                assert InvoiceStatus.PAID == after.status

    @given(invoices(), aware_datetimes())
    def test_never_overdue_with_nothing_due(self, invoice: Invoice, at: datetime) -> None:
        """INV-2 property: overdue means money still due: no invoice with nothing due is
        overdue, and a due invoice past its due date always is."""
        if invoice.amount_due.amount == 0:
            assert not is_overdue(invoice, at=at)
            assert "overdue" != display_status(invoice, at=at)
        elif at > invoice.due_at:
            assert is_overdue(invoice, at=at)
            assert "overdue" == display_status(invoice, at=at)


def _in_status(status: InvoiceStatus) -> Invoice:
    if status is InvoiceStatus.PAID:
        return make(status=status, paid_at=utc(2024, 4, 2))
    return make(status=status)


class TestOutstanding:
    """INV-3: outstanding balance and oldest-first allocation with any excess as credit."""

    def test_outstanding_counts_submitted_and_failed_including_overdue(self) -> None:
        """INV-3: 49 failed + 30 partly paid of 49 submitted; paid/scheduled/cancelled count 0."""
        items = [
            make("a", "failed"),
            make("b", "submitted", amount_paid=usd("19.00")),
            make("c", "paid", paid_at=utc(2024, 4, 2)),
            make("d", "scheduled"),
            make("e", "cancelled"),
        ]
        assert usd("79.00") == outstanding(items, currency="USD")
        assert ["a", "b"] == sorted(inv.id for inv in outstanding_invoices(items))

    def test_nothing_outstanding_is_a_typed_zero(self) -> None:
        """INV-3, X-4: no invoices → zero in the named currency."""
        assert Money(0, "EUR") == outstanding([], currency="EUR")

    def test_currencies_never_mix(self) -> None:
        """INV-3, X-4: a EUR invoice in a USD total is refused, naming the invoice."""
        eur = Invoice(
            id="eur",
            status="submitted",
            amount=Money("5", "EUR"),
            issued_at=utc(2024, 1, 1),
            due_at=utc(2024, 1, 1),
        )
        with pytest.raises(CurrencyMismatch, match="expected USD"):
            outstanding([make(), eur], currency="USD")

    def test_pay_overdue_bill_settles_oldest_due_first(self) -> None:
        """INV-3: paying 60 over two overdue 49 invoices settles the older one, 11 to the newer."""
        march = make("inv-03", issued=utc(2024, 3, 1))
        april = make("inv-04", issued=utc(2024, 4, 1))
        result = apply_payment([april, march], payment=usd("60.00"), at=utc(2024, 5, 1))
        settled = {inv.id: inv for inv in result.invoices}
        assert InvoiceStatus.PAID == settled["inv-03"].status
        assert (InvoiceStatus.SUBMITTED, usd("11.00")) == (
            settled["inv-04"].status,
            settled["inv-04"].amount_paid,
        )
        assert usd("0") == result.allocation.credit
        assert ["inv-04", "inv-03"] == [inv.id for inv in result.invoices]

    def test_excess_becomes_credit(self) -> None:
        """INV-3: 100 against 49 due leaves 51 credit and no negative invoice."""
        allocation = allocate_payment([make()], payment=usd("100.00"))
        assert (usd("49.00"), usd("51.00")) == (allocation.applied, allocation.credit)

    def test_ties_break_on_issue_date_then_id(self) -> None:
        """INV-3: same due date → older issue first; same both → id order."""
        due = utc(2024, 5, 1)
        items = [
            make("b", issued=utc(2024, 4, 2), due=due),
            make("c", issued=utc(2024, 4, 1), due=due),
            make("a", issued=utc(2024, 4, 2), due=due),
        ]
        allocation = allocate_payment(items, payment=usd("500"))
        assert ["c", "a", "b"] == [line.invoice_id for line in allocation.lines]

    def test_payment_must_be_positive(self) -> None:
        """INV-3: a zero payment is refused, naming the parameter."""
        with pytest.raises(InvalidInput) as excinfo:
            allocate_payment([make()], payment=usd("0"))
        assert "payment" == excinfo.value.field

    def test_duplicate_invoice_ids_are_refused(self) -> None:
        """INV-3: two invoices with one id cannot be told apart when paying."""
        with pytest.raises(InvalidInput) as excinfo:
            allocate_payment([make("x"), make("x")], payment=usd("1"))
        assert ("invoices[1].id", "duplicate invoice id 'x'") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    def test_duplicate_id_is_echoed_masked(self) -> None:
        """INV-3, PM-6: an id's long digit runs are masked in the error, never repeated."""
        with pytest.raises(InvalidInput) as excinfo:
            allocate_payment([make("inv-20240501"), make("inv-20240501")], payment=usd("1"))
        assert ("invoices[1].id", "duplicate invoice id 'inv-•••'") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    def test_currency_of_payment_must_match(self) -> None:
        """INV-3, X-4: a EUR payment against USD invoices is refused."""
        with pytest.raises(CurrencyMismatch):
            allocate_payment([make()], payment=Money("10", "EUR"))

    @given(invoice_lists)
    def test_outstanding_is_the_sum_of_what_is_due(self, items: list[Invoice]) -> None:
        """INV-3 property: outstanding == Σ(amount − paid) over submitted and failed invoices."""
        due = sum(
            (
                inv.amount.amount - inv.amount_paid.amount
                for inv in items
                if inv.status in (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED)
            ),
            Decimal(0),
        )
        assert Money(due, "USD") == outstanding(items, currency="USD")

    @given(invoice_lists, st.integers(min_value=1, max_value=2_000_000))
    def test_allocation_conserves_money_and_never_overpays(
        self, items: list[Invoice], cents: int
    ) -> None:
        """INV-3 property: allocated + credit == payment; no invoice gets more than it owes."""
        payment = Money(Decimal(cents).scaleb(-2), "USD")
        allocation = allocate_payment(items, payment=payment)
        assert payment == allocation.applied + allocation.credit
        assert allocation.credit.amount >= 0
        due = {inv.id: inv.amount_due for inv in items}
        for line in allocation.lines:
            assert Money(0, "USD") < line.amount <= due[line.invoice_id]
        # Oldest due first: only the last line may settle partly, and credit only when all settle.
        assert all(line.settles for line in allocation.lines[:-1])
        if allocation.credit.amount > 0:
            assert usd("0") == outstanding(
                apply_payment(items, payment=payment, at=utc(2040, 1, 1)).invoices, currency="USD"
            )

    @given(invoice_lists, st.integers(min_value=1, max_value=2_000_000))
    def test_applying_lowers_outstanding_by_what_was_applied(
        self, items: list[Invoice], cents: int
    ) -> None:
        """INV-3 property: outstanding after == outstanding before − applied part."""
        payment = Money(Decimal(cents).scaleb(-2), "USD")
        result = apply_payment(items, payment=payment, at=utc(2040, 1, 1))
        before = outstanding(items, currency="USD")
        assert before - result.allocation.applied == outstanding(result.invoices, currency="USD")


class TestBillingDetails:
    """INV-4: a change of name or address applies to invoices issued at or after it."""

    def test_change_applies_moving_forward(self) -> None:
        """INV-4: the seed's "reflected on all invoices moving forward"."""
        old = BillingDetails(name="Jane Realty", address="1 Old Rd")
        new = BillingDetails(name="Jane Realty LLC", address="9 New Ave")
        profile = BillingProfile().change(old, at=utc(2023, 1, 1))
        march = issue(make("inv-03", "scheduled", issued=utc(2024, 3, 1)), profile=profile)
        profile = profile.change(new, at=utc(2024, 3, 15))
        april = issue(make("inv-04", "scheduled", issued=utc(2024, 4, 1)), profile=profile)
        on_the_instant = issue(make("inv-x", "scheduled", issued=utc(2024, 3, 15)), profile=profile)
        assert (old, new, new) == (
            march.billing_details,
            april.billing_details,
            on_the_instant.billing_details,
        )
        assert InvoiceStatus.SUBMITTED == april.status

    def test_changes_are_prospective(self) -> None:
        """INV-4: a change dated before the latest one is refused."""
        details = BillingDetails(name="A", address="B")
        profile = BillingProfile().change(details, at=utc(2024, 3, 1))
        with pytest.raises(InvalidInput, match="prospectively") as excinfo:
            profile.change(details, at=utc(2024, 2, 1))
        assert "at" == excinfo.value.field

    def test_profile_refuses_unordered_changes(self) -> None:
        """INV-4: a profile built by hand must list its changes in order, naming the index."""
        details = BillingDetails(name="A", address="B")
        changes = [
            BillingDetailsChange(effective_at=utc(2024, 3, 1), details=details),
            BillingDetailsChange(effective_at=utc(2024, 3, 1), details=details),
        ]
        with pytest.raises(InvalidInput) as excinfo:
            BillingProfile(changes=changes)
        assert "BillingProfile.changes[1].effective_at" == excinfo.value.field

    def test_change_needs_billing_details(self) -> None:
        """INV-4: a change of something other than BillingDetails is a type error."""
        with pytest.raises(InvalidType):
            BillingProfile().change("Acme", at=utc(2024, 1, 1))  # type: ignore[arg-type]

    def test_only_scheduled_invoices_are_issued(self) -> None:
        """INV-2, INV-4: issuing an invoice twice is refused."""
        with pytest.raises(PolicyViolation):
            issue(make(status="submitted"), profile=BillingProfile())

    @given(
        st.lists(
            st.tuples(st.booleans(), billing_details(), st.integers(min_value=1, max_value=10**6)),
            max_size=12,
        )
    )
    def test_every_invoice_carries_the_details_in_effect_at_issue(
        self, steps: list[tuple[bool, BillingDetails, int]]
    ) -> None:
        """INV-4 property: for any sequence of changes and issues, each invoice's details are
        those of the final profile at its issue instant."""
        profile = BillingProfile()
        at = utc(2024, 1, 1)
        issued: list[Invoice] = []
        for index, (is_change, details, gap) in enumerate(steps):
            at += timedelta(seconds=gap)
            if is_change:
                profile = profile.change(details, at=at)
            else:
                draft = make(f"inv-{index}", "scheduled", issued=at)
                issued.append(issue(draft, profile=profile))
        for invoice in issued:
            assert profile.details_at(invoice.issued_at) == invoice.billing_details

    @given(billing_profiles(), aware_datetimes())
    def test_details_at_is_the_latest_change_not_after(
        self, profile: BillingProfile, at: datetime
    ) -> None:
        """INV-4 property: details_at picks the last change at or before the instant."""
        earlier = [c for c in profile.changes if c.effective_at <= at]
        expected = earlier[-1].details if earlier else None
        assert expected == profile.details_at(at)


class TestHistoryAndStatement:
    """INV-5: history rows, payments made and a statement with running balances."""

    def test_history_rows_show_what_the_seed_lists(self) -> None:
        """INV-5: issue date, amount charged, payment date, masked method and paid/failed status."""
        paid = make(
            "inv-1",
            "paid",
            issued=utc(2024, 3, 1),
            paid_at=utc(2024, 3, 2, 22),
            method="Visa •••• 4242",
        )
        failed = make("inv-2", "failed", issued=utc(2024, 4, 1), due=utc(2024, 4, 30))
        rows = history([paid, failed], POLICY, at=utc(2024, 4, 10), zone=KYIV)
        assert [
            ("inv-2", date(2024, 4, 1), usd("49.00"), None, None, "failed"),
            ("inv-1", date(2024, 3, 1), usd("49.00"), date(2024, 3, 3), "Visa •••• 4242", "paid"),
        ] == [
            (r.invoice_id, r.issued_on, r.amount, r.payment_date, r.method, r.status) for r in rows
        ]

    def test_history_does_not_show_the_future(self) -> None:
        """INV-5: an invoice issued after the instant asked about is not listed yet."""
        rows = history([make(issued=utc(2024, 6, 1))], POLICY, at=utc(2024, 5, 1), zone="UTC")
        assert () == rows

    def test_unmasked_card_numbers_are_refused(self) -> None:
        """INV-5, PM-6: a method label with more than four digits is refused and not echoed."""
        with pytest.raises(InvalidInput) as excinfo:
            make(method="Visa 4242424242424242")
        assert "4242424242" not in str(excinfo.value)
        assert "Invoice.method" == excinfo.value.field

    def test_payments_made_in_a_period(self) -> None:
        """INV-5: the payment side of the statement, oldest first, half-open period."""
        pays = [
            Payment(id="p2", amount=usd("10"), paid_at=utc(2024, 2, 1)),
            Payment(id="p1", amount=usd("10"), paid_at=utc(2024, 1, 1)),
            Payment(id="p3", amount=usd("10"), paid_at=utc(2024, 3, 1)),
        ]
        made = payments_made(pays, start=utc(2024, 1, 1), end=utc(2024, 3, 1))
        assert ["p1", "p2"] == [p.id for p in made]

    def test_statement_opening_running_closing(self) -> None:
        """INV-5: opening = charged − paid before the period; each line's running balance."""
        items = [
            make("jan", "paid", issued=utc(2024, 1, 1), paid_at=utc(2024, 1, 3)),
            make("feb", "submitted", issued=utc(2024, 2, 1)),
            make("mar", "submitted", issued=utc(2024, 3, 1)),
            make("gone", "cancelled", issued=utc(2024, 2, 5)),
        ]
        pays = [
            Payment(id="p-jan", amount=usd("49.00"), paid_at=utc(2024, 1, 3)),
            Payment(id="p-feb", amount=usd("20.00"), paid_at=utc(2024, 2, 10)),
        ]
        result = statement(
            items, payments=pays, start=utc(2024, 2, 1), end=utc(2024, 4, 1), currency="USD"
        )
        assert usd("0") == result.opening_balance
        assert [
            ("charge", "feb", usd("49.00"), usd("49.00")),
            ("payment", "p-feb", usd("20.00"), usd("29.00")),
            ("charge", "mar", usd("49.00"), usd("78.00")),
        ] == [(ln.kind, ln.reference, ln.amount, ln.balance) for ln in result.lines]
        assert (usd("78.00"), usd("98.00"), usd("20.00")) == (
            result.closing_balance,
            result.total_charged,
            result.total_paid,
        )

    def test_statement_window_must_be_ordered(self) -> None:
        """INV-5: a statement whose end is before its start is refused, naming `end`."""
        with pytest.raises(InvalidInput) as excinfo:
            statement([], payments=[], start=utc(2024, 2, 1), end=utc(2024, 1, 1), currency="USD")
        assert "end" == excinfo.value.field

    def test_statement_refuses_foreign_payments(self) -> None:
        """INV-5, X-4: a EUR payment on a USD statement is a currency mismatch."""
        eur = Payment(id="p", amount=Money("1", "EUR"), paid_at=utc(2024, 1, 1))
        with pytest.raises(CurrencyMismatch):
            statement(
                [], payments=[eur], start=utc(2024, 1, 1), end=utc(2024, 2, 1), currency="USD"
            )

    @given(
        invoice_lists,
        st.lists(payments(), max_size=6),
        aware_datetimes(),
        st.integers(min_value=0, max_value=400 * 24),
    )
    def test_statement_balances_add_up(
        self, items: list[Invoice], pays: list[Payment], start: datetime, hours: int
    ) -> None:
        """INV-5 property: closing = opening + charged − paid; running balances step by line."""
        end = start + timedelta(hours=hours)
        result = statement(items, payments=pays, start=start, end=end, currency="USD")
        assert result.closing_balance == (
            result.opening_balance + result.total_charged - result.total_paid
        )
        running = result.opening_balance
        for line in result.lines:
            running = running + line.amount if line.kind == "charge" else running - line.amount
            assert running == line.balance
            assert start <= line.at < end
        made = payments_made(pays, start=start, end=end)
        assert [p.id for p in made] == [ln.reference for ln in result.lines if ln.kind == "payment"]


class TestDownload:
    """INV-6: issued invoices inside the history window can be downloaded."""

    def test_issued_invoice_downloads_with_its_details(self) -> None:
        """INV-6, INV-4: the document shows the details it was issued with and its status."""
        details = BillingDetails(name="Jane Realty", address="1 Old Rd")
        invoice = make(billing_details=details, issued=utc(2024, 4, 1), due=utc(2024, 4, 15))
        document = download(invoice, POLICY, at=utc(2024, 5, 1), zone=KYIV)
        assert (details, "overdue", date(2024, 4, 15), usd("49.00")) == (
            document.billing_details,
            document.status,
            document.due_on,
            document.amount_due,
        )

    def test_scheduled_invoice_cannot_be_downloaded(self) -> None:
        """INV-6: a scheduled invoice has not been issued."""
        decision = can_download(make(status="scheduled"), POLICY, zone="UTC")
        assert (False, ("invoice_not_issued",), ("INV-6",)) == (
            decision.allowed,
            decision.codes,
            decision.rules,
        )

    def test_old_invoice_download_is_refused_with_the_same_decision(self) -> None:
        """INV-6, INV-1: a 2020 invoice raises PolicyViolation carrying can_download's decision."""
        old = make(issued=utc(2020, 6, 1))
        with pytest.raises(PolicyViolation) as excinfo:
            download(old, POLICY, at=utc(2024, 1, 1), zone="UTC")
        assert can_download(old, POLICY, zone="UTC") == excinfo.value.decision
        assert ("before_history_cutoff",) == excinfo.value.decision.codes

    def test_old_scheduled_invoice_gives_both_reasons(self) -> None:
        """INV-6, INV-1: not issued and before the cutoff — both reasons are given."""
        decision = can_download(
            make(status="scheduled", issued=utc(2020, 6, 1)), POLICY, zone="UTC"
        )
        assert ("invoice_not_issued", "before_history_cutoff") == decision.codes

    def test_unknown_zone_is_refused(self) -> None:
        """INV-6, X-3: a zone name the database does not know names the `zone` parameter."""
        with pytest.raises(UnknownTimeZone) as excinfo:
            can_download(make(), POLICY, zone="Mars/Olympus")
        assert "zone" == excinfo.value.field

    @given(invoices(), invoice_policies(), zones())
    def test_download_allowed_iff_issued_and_in_window(
        self, invoice: Invoice, policy: InvoicePolicy, zone: ZoneInfo
    ) -> None:
        """INV-6 property: allowed exactly when issued and on or after the cutoff."""
        in_window = invoice.issued_at.astimezone(zone).date() >= policy.history_cutoff
        expected = in_window and invoice.status is not InvoiceStatus.SCHEDULED
        assert expected == can_download(invoice, policy, zone=zone).allowed


class TestBadInput:
    """INV-2, INV-3, X-3, X-4: each bad fact is refused at construction, naming the field."""

    def test_naive_datetime(self) -> None:
        """X-3: a naive issue instant is refused."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            make(issued=datetime(2024, 1, 1))  # noqa: DTZ001 - the naive datetime under test
        assert "Invoice.issued_at" == excinfo.value.field

    def test_naive_instant_in_a_question(self) -> None:
        """X-3: a naive `at` is refused by the question that takes it."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            is_overdue(make(), at=datetime(2024, 1, 1))  # noqa: DTZ001 - under test
        assert "at" == excinfo.value.field

    def test_float_amount(self) -> None:
        """X-4: a float amount is refused."""
        with pytest.raises(FloatAmountError) as excinfo:
            Invoice(
                id="x",
                status="submitted",
                amount=49.0,  # type: ignore[arg-type]
                issued_at=utc(2024, 1, 1),
                due_at=utc(2024, 1, 2),
            )
        assert "Invoice.amount" == excinfo.value.field
        assert isinstance(excinfo.value, TypeError)

    def test_negative_amount(self) -> None:
        """INV-3: a negative invoice amount is refused."""
        with pytest.raises(InvalidInput, match="must not be negative") as excinfo:
            make(amount="-1.00")
        assert "Invoice.amount" == excinfo.value.field

    def test_due_before_issue(self) -> None:
        """INV-2: a due date before the issue date is refused."""
        with pytest.raises(InvalidInput, match="must not be before issued_at") as excinfo:
            make(issued=utc(2024, 4, 2), due=utc(2024, 4, 1))
        assert "Invoice.due_at" == excinfo.value.field

    def test_mixed_currencies_in_one_invoice(self) -> None:
        """X-4: the paid part must be in the invoice's currency."""
        with pytest.raises(CurrencyMismatch) as excinfo:
            make(amount_paid=Money("1", "EUR"))
        assert "Invoice.amount_paid" == excinfo.value.field

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"amount_paid": usd("50.00")}, "Invoice.amount_paid"),
            (
                {"status": "paid", "amount_paid": usd("1.00"), "paid_at": utc(2024, 4, 2)},
                "Invoice.amount_paid",
            ),
            ({"status": "paid"}, "Invoice.paid_at"),
            ({"paid_at": utc(2024, 4, 2)}, "Invoice.paid_at"),
            ({"status": "paid", "paid_at": utc(2024, 3, 1)}, "Invoice.paid_at"),
            ({"status": "scheduled", "amount_paid": usd("1.00")}, "Invoice.amount_paid"),
        ],
    )
    def test_inconsistent_payment_facts(self, kwargs: dict[str, object], field: str) -> None:
        """INV-2, INV-3: paid amounts and instants must agree with the status."""
        with pytest.raises(InvalidInput) as excinfo:
            make(**kwargs)  # type: ignore[arg-type]
        assert field == excinfo.value.field

    def test_wrong_types_name_the_field(self) -> None:
        """X-4: a str amount on a payment is a type error naming the field."""
        with pytest.raises(InvalidType) as excinfo:
            Payment(id="p", amount="10", paid_at=utc(2024, 1, 1))  # type: ignore[arg-type]
        assert "Payment.amount" == excinfo.value.field

    @given(invoices(), aware_datetimes())
    def test_overdue_exactly_when_due_and_unpaid(self, invoice: Invoice, at: datetime) -> None:
        """INV-2 property: overdue ⇔ submitted or failed, past due, with money still due."""
        expected = (
            invoice.status in (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED)
            and at > invoice.due_at
            and invoice.amount_due.amount > 0
        )
        assert expected == is_overdue(invoice, at=at)


# --------------------------------------------------------------------------------------------
# What callers rely on: reason codes, rules and details; the fields of returned values;
# boundaries. The English sentence of each code is pinned once, in TestSentences.

SCHEDULED_APRIL = make(status="scheduled")
PAID_APRIL = make(status="paid", paid_at=utc(2024, 4, 2))
OLD = make(issued=utc(2020, 6, 1))


def _reasons_of(call: str) -> tuple[Reason, ...]:
    """The reasons of one of the decisions below, by name."""
    decisions = {
        "allowed": lambda: can_change_status(make(), to="paid"),
        "final": lambda: can_change_status(PAID_APRIL, to="failed"),
        "not_allowed": lambda: can_change_status(SCHEDULED_APRIL, to="paid"),
        "in_window": lambda: can_view(make(), POLICY, zone="UTC"),
        "before_cutoff": lambda: can_view(OLD, POLICY, zone="UTC"),
        "not_issued": lambda: can_download(SCHEDULED_APRIL, POLICY, zone="UTC"),
    }
    return decisions[call]().reasons


class TestSentences:
    """INV-1, INV-2, INV-6: one golden sentence per reason code (what a person reads)."""

    @pytest.mark.parametrize(
        ("call", "code", "rule", "message"),
        [
            (
                "allowed",
                "invoice_transition_allowed",
                "INV-2",
                "An invoice may go from submitted to paid.",
            ),
            ("final", "invoice_status_final", "INV-2", "Invoice inv-1 is paid, a final status."),
            (
                "not_allowed",
                "invoice_transition_not_allowed",
                "INV-2",
                "Invoice inv-1 cannot go from scheduled to paid; "
                "from scheduled it may go to cancelled, submitted.",
            ),
            (
                "in_window",
                "in_history_window",
                "INV-1",
                "Invoices from 2021-01-01 on are available here.",
            ),
            (
                "before_cutoff",
                "before_history_cutoff",
                "INV-1",
                "Invoices issued before 2021-01-01 are not available here; "
                "contact support for a copy.",
            ),
            (
                "not_issued",
                "invoice_not_issued",
                "INV-6",
                "Invoice inv-1 is scheduled and has not been issued yet.",
            ),
        ],
    )
    def test_each_code_has_its_sentence(
        self, call: str, code: str, rule: str, message: str
    ) -> None:
        """INV-1, INV-2, INV-6: each reason code comes with its rule ID and its exact sentence."""
        (reason,) = _reasons_of(call)
        assert (code, rule, message) == (reason.code, reason.rule, reason.message)


class TestReasonDetails:
    """INV-1, INV-2, INV-6: the facts each reason hands to programs, by name."""

    @pytest.mark.parametrize(
        ("call", "details"),
        [
            ("allowed", {"invoice_id": "inv-1", "from": "submitted", "to": "paid"}),
            ("final", {"invoice_id": "inv-1", "from": "paid", "to": "failed"}),
            (
                "not_allowed",
                {
                    "invoice_id": "inv-1",
                    "from": "scheduled",
                    "to": "paid",
                    "allowed": ("cancelled", "submitted"),
                },
            ),
            (
                "in_window",
                {
                    "invoice_id": "inv-1",
                    "issued_on": date(2024, 4, 1),
                    "history_cutoff": date(2021, 1, 1),
                },
            ),
            (
                "before_cutoff",
                {
                    "invoice_id": "inv-1",
                    "issued_on": date(2020, 6, 1),
                    "history_cutoff": date(2021, 1, 1),
                    "contact": "support",
                },
            ),
            ("not_issued", {"invoice_id": "inv-1"}),
        ],
    )
    def test_details_by_code(self, call: str, details: dict[str, object]) -> None:
        """INV-1, INV-2, INV-6: every reason's details dict, exactly."""
        (reason,) = _reasons_of(call)
        assert details == dict(reason.details)

    def test_transition_details_are_plain_strings(self) -> None:
        """INV-2: `from` and `to` are the statuses' text, whatever form `to` was given in."""
        details = can_change_status(make(), to=InvoiceStatus.FAILED).reasons[0].details
        assert ("submitted", "failed") == (details["from"], details["to"])
        assert (str, str) == (type(details["from"]), type(details["to"]))

    def test_cutoff_and_contact_come_from_the_policy(self) -> None:
        """INV-1: a host's cutoff and contact appear in the refusal's sentence and details."""
        policy = InvoicePolicy(history_cutoff=date(2024, 4, 2), support_contact="billing@acme")
        (reason,) = can_view(make(), policy, zone="UTC").reasons
        assert (
            "Invoices issued before 2024-04-02 are not available here; "
            "contact billing@acme for a copy."
        ) == reason.message
        assert (date(2024, 4, 2), "billing@acme") == (
            reason.details["history_cutoff"],
            reason.details["contact"],
        )

    def test_in_window_sentence_names_the_policy_cutoff(self) -> None:
        """INV-1: the allowing sentence names the host's cutoff, and the issue date is local."""
        policy = InvoicePolicy(history_cutoff=date(2024, 4, 1))
        late = make(issued=utc(2024, 3, 31, 22))  # 1 April, 01:00 in Kyiv
        decision = can_view(late, policy, zone=KYIV)
        assert (True, "Invoices from 2024-04-01 on are available here.") == (
            decision.allowed,
            decision.message,
        )
        assert date(2024, 4, 1) == decision.reasons[0].details["issued_on"]


class TestBoundaries:
    """INV-2, INV-3, INV-4, INV-5: the exact edges of each comparison."""

    def test_a_change_at_the_latest_instant_is_refused(self) -> None:
        """INV-4: a second change at the very instant of the latest one is not prospective."""
        details = BillingDetails(name="A", address="1 Main St")
        profile = BillingProfile().change(details, at=APRIL)
        with pytest.raises(InvalidInput) as excinfo:
            profile.change(details, at=APRIL)
        assert (
            "at",
            "billing details change prospectively: must be after the latest change",
        ) == (excinfo.value.field, excinfo.value.problem)
        later = profile.change(details, at=APRIL + timedelta(microseconds=1))
        assert 2 == len(later.changes)

    def test_a_profile_with_two_changes_at_one_instant_is_refused(self) -> None:
        """INV-4: changes must be strictly increasing; the later one is named."""
        first = BillingDetails(name="A", address="1 Main St")
        second = BillingDetails(name="B", address="2 Main St")
        with pytest.raises(InvalidInput) as excinfo:
            BillingProfile(
                changes=(
                    BillingDetailsChange(effective_at=APRIL, details=first),
                    BillingDetailsChange(effective_at=APRIL, details=second),
                )
            )
        assert (
            "BillingProfile.changes[1].effective_at",
            "must be after changes[0].effective_at",
        ) == (excinfo.value.field, excinfo.value.problem)

    def test_details_apply_from_the_exact_instant(self) -> None:
        """INV-4: a change effective at an instant applies at that very instant."""
        details = BillingDetails(name="A", address="1 Main St")
        profile = BillingProfile().change(details, at=APRIL)
        assert details == profile.details_at(APRIL)
        assert None is profile.details_at(APRIL - timedelta(microseconds=1))

    @pytest.mark.parametrize(
        ("kwargs", "field", "problem"),
        [
            (
                {"amount_paid": usd("50.00")},
                "Invoice.amount_paid",
                "must not exceed the invoice amount",
            ),
            (
                {"status": "paid", "amount_paid": usd("1.00"), "paid_at": utc(2024, 4, 2)},
                "Invoice.amount_paid",
                "must equal the amount on a paid invoice",
            ),
            ({"status": "paid"}, "Invoice.paid_at", "is required on a paid invoice"),
            (
                {"status": "paid", "paid_at": utc(2024, 3, 1)},
                "Invoice.paid_at",
                "must not be before issued_at",
            ),
            (
                {"paid_at": utc(2024, 4, 2)},
                "Invoice.paid_at",
                "must be None on a submitted invoice",
            ),
            (
                {"status": "scheduled", "amount_paid": usd("1.00")},
                "Invoice.amount_paid",
                "must be zero on a scheduled invoice",
            ),
            (
                {"status": "failed", "amount": "0"},
                "Invoice.amount",
                "must be more than zero on a failed invoice "
                "(INV-2: an invoice for nothing is recorded as paid)",
            ),
        ],
    )
    def test_inconsistent_facts_say_what_is_wrong(
        self, kwargs: dict[str, object], field: str, problem: str
    ) -> None:
        """INV-2, INV-3: each refusal of an invoice names the field and the rule it breaks."""
        with pytest.raises(InvalidInput) as excinfo:
            make(**kwargs)  # type: ignore[arg-type]
        assert (field, problem) == (excinfo.value.field, excinfo.value.problem)

    def test_a_paid_invoice_of_zero_has_nothing_due(self) -> None:
        """INV-2, INV-3: a paid invoice defaults to paid in full; other statuses to zero paid."""
        paid = make(status="paid", paid_at=utc(2024, 4, 2))
        assert (usd("49.00"), usd("0")) == (paid.amount_paid, make().amount_paid)

    @pytest.mark.parametrize("status", list(InvoiceStatus))
    def test_display_status_of_each_stored_status(self, status: InvoiceStatus) -> None:
        """INV-2: before its due date an invoice shows its stored status, as plain text."""
        invoice = _in_status(status)
        shown = display_status(invoice, at=utc(2024, 4, 2))
        assert (status.value, str) == (shown, type(shown))

    def test_paying_before_issue_is_recorded_at_the_issue(self) -> None:
        """INV-2: an invoice is never paid before it was issued: paid_at is the later of the two."""
        paid = change_status(make(), to="paid", at=utc(2024, 3, 1))
        assert APRIL == paid.paid_at

    def test_paying_without_a_method_keeps_the_invoices_own(self) -> None:
        """INV-2, INV-5: paid without a method, an invoice keeps the label it already had."""
        invoice = make(method="Visa •••• 4242")
        assert "Visa •••• 4242" == change_status(invoice, to="paid", at=utc(2024, 4, 5)).method
        paid = apply_payment([invoice], payment=usd("49.00"), at=utc(2024, 4, 5)).invoices[0]
        assert (InvoiceStatus.PAID, "Visa •••• 4242") == (paid.status, paid.method)

    def test_apply_payment_records_the_method_on_each_invoice_it_settles(self) -> None:
        """INV-3, INV-5: the payment's method replaces an invoice's label once it pays it."""
        items = [make("a", method="Visa •••• 4242"), make("b", issued=utc(2024, 4, 2))]
        result = apply_payment(
            items, payment=usd("98.00"), at=utc(2024, 5, 1), method="Amex •••• 1005"
        )
        assert [("a", "Amex •••• 1005"), ("b", "Amex •••• 1005")] == [
            (inv.id, inv.method) for inv in result.invoices
        ]

    def test_a_partial_payment_records_no_method_or_instant(self) -> None:
        """INV-3: a partly paid invoice records only the part paid, not the payment's method."""
        result = apply_payment(
            [make()], payment=usd("9.00"), at=utc(2024, 5, 1), method="Amex •••• 1005"
        )
        (invoice,) = result.invoices
        assert (usd("9.00"), None, None) == (invoice.amount_paid, invoice.method, invoice.paid_at)

    def test_a_payment_of_exactly_the_amount_due_stops_there(self) -> None:
        """INV-3: paying exactly the oldest invoice's due settles it, with no line of zero for
        the next one and no credit."""
        older = make("a", issued=utc(2024, 3, 1))
        newer = make("b", issued=utc(2024, 4, 1))
        allocation = allocate_payment([newer, older], payment=usd("49.00"))
        assert [("a", usd("49.00"), True)] == [
            (line.invoice_id, line.amount, line.settles) for line in allocation.lines
        ]
        assert (usd("49.00"), usd("49.00"), usd("0")) == (
            allocation.payment,
            allocation.applied,
            allocation.credit,
        )

    def test_payment_refusal_says_why(self) -> None:
        """INV-3: a zero or negative payment is refused with its reason."""
        for amount in ("0", "-1"):
            with pytest.raises(InvalidInput) as excinfo:
                allocate_payment([make()], payment=usd(amount))
            assert ("payment", "must be more than zero") == (
                excinfo.value.field,
                excinfo.value.problem,
            )

    def test_a_foreign_invoice_is_named_by_its_index(self) -> None:
        """INV-3, X-4: allocating a USD payment over a EUR invoice names that invoice's amount."""
        eur = Invoice(
            id="eur",
            status="submitted",
            amount=Money("5", "EUR"),
            issued_at=APRIL,
            due_at=APRIL,
        )
        with pytest.raises(CurrencyMismatch) as excinfo:
            allocate_payment([make(), eur], payment=usd("1"))
        assert ("invoices[1].amount", "is in EUR, expected USD") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    def test_outstanding_names_its_arguments(self) -> None:
        """INV-3, X-4: a foreign invoice names `invoices`; an unknown currency `currency`."""
        eur = Invoice(
            id="eur", status="submitted", amount=Money("5", "EUR"), issued_at=APRIL, due_at=APRIL
        )
        with pytest.raises(CurrencyMismatch) as excinfo:
            outstanding([eur], currency="USD")
        assert "invoices" == excinfo.value.field
        with pytest.raises(InvalidInput) as bad:
            outstanding([], currency="ZZZ")
        assert "currency" == bad.value.field
        with pytest.raises(InvalidInput) as bad_statement:
            statement([], payments=[], start=APRIL, end=APRIL, currency="ZZZ")
        assert "currency" == bad_statement.value.field

    def test_outstanding_invoices_leave_out_what_is_not_due(self) -> None:
        """INV-3: paid, cancelled and scheduled invoices are not outstanding, in settlement order."""
        items = [
            make("late", issued=utc(2024, 4, 2)),
            PAID_APRIL,
            make("gone", "cancelled"),
            SCHEDULED_APRIL,
            make("early", issued=utc(2024, 3, 1)),
        ]
        assert ["early", "late"] == [inv.id for inv in outstanding_invoices(items)]


class TestReturnedValues:
    """INV-5, INV-6: every field of a downloaded invoice, a history row and a statement."""

    def test_a_downloaded_invoice_holds_every_field(self) -> None:
        """INV-6, INV-4: the document's fields, dates in the account's zone, status at `at`."""
        details = BillingDetails(name="Jane Realty", address="1 Old Rd")
        invoice = make(
            "inv-7",
            amount_paid=usd("9.00"),
            issued=utc(2024, 3, 31, 22),  # 1 April, 01:00 in Kyiv
            due=utc(2024, 4, 14, 22),  # 15 April, 01:00 in Kyiv
            method="Visa •••• 4242",
            billing_details=details,
        )
        document = download(invoice, POLICY, at=utc(2024, 4, 20), zone="Europe/Kyiv")
        assert (
            InvoiceDocument(
                invoice_id="inv-7",
                issued_on=date(2024, 4, 1),
                due_on=date(2024, 4, 15),
                amount=usd("49.00"),
                amount_due=usd("40.00"),
                status="overdue",
                billing_details=details,
                method="Visa •••• 4242",
            )
            == document
        )
        assert "submitted" == download(invoice, POLICY, at=utc(2024, 4, 2), zone=KYIV).status

    def test_history_lists_an_invoice_issued_at_that_instant_newest_first(self) -> None:
        """INV-5: an invoice issued exactly at `at` is listed; at one instant, by id descending;
        payment dates are in the account's zone."""
        paid = make("a", "paid", issued=utc(2024, 4, 1), paid_at=utc(2024, 4, 1, 23))
        rows = history(
            [paid, make("b"), make("c", issued=utc(2024, 4, 2))], POLICY, at=APRIL, zone=KYIV
        )
        assert [("b", None, "submitted"), ("a", date(2024, 4, 2), "paid")] == [
            (row.invoice_id, row.payment_date, row.status) for row in rows
        ]

    def test_payments_made_include_the_start_and_break_ties_by_id(self) -> None:
        """INV-5: a payment at the start instant is in; one at the end is out; ties by id."""
        pays = [
            Payment(id="p2", amount=usd("10"), paid_at=APRIL),
            Payment(id="p1", amount=usd("10"), paid_at=APRIL),
            Payment(id="p3", amount=usd("10"), paid_at=utc(2024, 5, 1)),
        ]
        made = payments_made(pays, start=APRIL, end=utc(2024, 5, 1))
        assert ["p1", "p2"] == [p.id for p in made]

    def test_an_empty_window_is_allowed(self) -> None:
        """INV-5: a statement whose end equals its start is empty, its balances the opening."""
        charged = make("jan", issued=utc(2024, 1, 1))
        result = statement([charged], payments=[], start=APRIL, end=APRIL, currency="USD")
        assert ((), usd("49.00"), usd("49.00")) == (
            result.lines,
            result.opening_balance,
            result.closing_balance,
        )

    def test_a_backwards_window_says_why(self) -> None:
        """INV-5: an end before the start names `end` and says what is wrong."""
        with pytest.raises(InvalidInput) as excinfo:
            payments_made([], start=APRIL, end=utc(2024, 3, 1))
        assert ("end", "must not be before start") == (excinfo.value.field, excinfo.value.problem)

    def test_a_statement_holds_every_field(self) -> None:
        """INV-5: window, opening balance, each line (instant, kind, reference, amount, balance),
        closing balance and totals; at one instant a charge comes before a payment and payments
        go by id, and a line at the start instant is in the period, not in the opening balance."""
        before = make("old", "submitted", issued=utc(2024, 3, 1))
        feb_pay = Payment(id="p-old", amount=usd("40.00"), paid_at=utc(2024, 3, 1))
        at_start = make("apr", "failed", issued=APRIL)
        pay = Payment(id="p-apr", amount=usd("50.00"), paid_at=APRIL)
        inside = make("apr-2", issued=utc(2024, 4, 10))
        after = make("may", issued=utc(2024, 5, 1))
        later = APRIL + timedelta(hours=1)
        tied = [
            Payment(id="p-b", amount=usd("2.00"), paid_at=later),
            Payment(id="p-a", amount=usd("1.00"), paid_at=later),
        ]
        result = statement(
            [after, inside, at_start, before],
            payments=[*tied, pay, feb_pay],
            start=APRIL,
            end=utc(2024, 5, 1),
            currency="USD",
        )

        def line(
            at: datetime,
            kind: Literal["charge", "payment"],
            reference: str,
            amount: str,
            balance: str,
        ) -> StatementLine:
            return StatementLine(
                at=at, kind=kind, reference=reference, amount=usd(amount), balance=usd(balance)
            )

        expected = Statement(
            start=APRIL,
            end=utc(2024, 5, 1),
            opening_balance=usd("9.00"),
            lines=(
                line(APRIL, "charge", "apr", "49", "58"),
                line(APRIL, "payment", "p-apr", "50", "8"),
                line(later, "payment", "p-a", "1", "7"),
                line(later, "payment", "p-b", "2", "5"),
                line(utc(2024, 4, 10), "charge", "apr-2", "49", "54"),
            ),
            closing_balance=usd("54"),
            total_charged=usd("98"),
            total_paid=usd("53"),
        )
        assert expected == result

    def test_statement_currency_errors_name_the_entry(self) -> None:
        """INV-5, X-4: a foreign invoice or payment is named by its id."""
        eur = Invoice(
            id="eur", status="submitted", amount=Money("5", "EUR"), issued_at=APRIL, due_at=APRIL
        )
        pay = Payment(id="p-eur", amount=Money("5", "EUR"), paid_at=APRIL)
        window = {"start": APRIL, "end": utc(2024, 5, 1), "currency": "USD"}
        with pytest.raises(CurrencyMismatch) as invoice_error:
            statement([eur], payments=[], **window)  # type: ignore[arg-type]
        with pytest.raises(CurrencyMismatch) as payment_error:
            statement([], payments=[pay], **window)  # type: ignore[arg-type]
        assert ("invoice eur", "payment p-eur") == (
            invoice_error.value.field,
            payment_error.value.field,
        )


class TestFieldNames:
    """INV-2, INV-4, INV-5, PM-6: converters and validators name the field they check."""

    def test_a_profile_needs_a_sequence_of_changes(self) -> None:
        """INV-4: changes that are not a sequence name BillingProfile.changes."""
        with pytest.raises(InvalidType) as excinfo:
            BillingProfile(changes="2024-01-01")
        assert "BillingProfile.changes" == excinfo.value.field

    def test_an_unknown_target_status_names_to(self) -> None:
        """INV-2: asking about a status that does not exist names the `to` argument."""
        with pytest.raises(InvalidInput) as excinfo:
            can_change_status(make(), to="overdue")
        assert "to" == excinfo.value.field

    def test_a_payment_label_shows_four_digits_at_most(self) -> None:
        """INV-5, PM-6: a payment's method label holding a card number is refused, named."""
        with pytest.raises(InvalidInput) as excinfo:
            Payment(id="p", amount=usd("1"), paid_at=APRIL, method="Visa 4242 4242 4242 4242")
        assert "Payment.method" == excinfo.value.field
        assert "Visa •••• 4242" == (
            Payment(id="p", amount=usd("1"), paid_at=APRIL, method="Visa •••• 4242").method
        )

    def test_an_invoice_is_in_its_amounts_currency(self) -> None:
        """INV-3, X-4: an invoice's currency is its amount's; nothing due is zero in it."""
        eur = Invoice(
            id="eur",
            status="cancelled",
            amount=Money("5", "EUR"),
            issued_at=APRIL,
            due_at=APRIL,
        )
        assert ("EUR", Money(0, "EUR")) == (eur.currency.code, eur.amount_due)

    def test_profile_methods_check_their_arguments(self) -> None:
        """INV-4: a naive instant or details of another type name the argument."""
        profile = BillingProfile()
        naive = datetime(2024, 1, 1)  # noqa: DTZ001 - the naive datetime under test
        with pytest.raises(NaiveDatetimeError) as at_error:
            profile.details_at(naive)
        assert "at" == at_error.value.field
        details = BillingDetails(name="A", address="1 Main St")
        with pytest.raises(NaiveDatetimeError) as change_error:
            profile.change(details, at=naive)
        assert "at" == change_error.value.field
        with pytest.raises(InvalidType) as type_error:
            profile.change("Acme", at=APRIL)  # type: ignore[arg-type]
        assert ("details", "must be BillingDetails, not str") == (
            type_error.value.field,
            type_error.value.problem,
        )

    def test_history_issue_dates_are_local(self) -> None:
        """INV-5: a history row's issue date is the day in the account's zone."""
        late = make(issued=utc(2024, 3, 31, 22))  # 1 April, 01:00 in Kyiv
        (row,) = history([late], POLICY, at=utc(2024, 4, 2), zone=KYIV)
        assert date(2024, 4, 1) == row.issued_on

    def test_statement_puts_a_charge_before_a_payment_whatever_their_ids(self) -> None:
        """INV-5: at one instant a charge comes before a payment even when the payment's id
        sorts first; entries with one instant, kind and reference keep their given order."""
        charge = make("zz", issued=APRIL)
        pays = [
            Payment(id="aa", amount=usd("1.00"), paid_at=APRIL),
            Payment(id="aa", amount=usd("2.00"), paid_at=APRIL),
        ]
        result = statement(
            [charge], payments=pays, start=APRIL, end=utc(2024, 5, 1), currency="USD"
        )
        assert [("charge", usd("49.00")), ("payment", usd("1.00")), ("payment", usd("2.00"))] == [
            (line.kind, line.amount) for line in result.lines
        ]


def _facts(*items: Invoice) -> InvoiceFacts:
    return InvoiceFacts(currency="USD", invoices=items)


invoice_facts = st.builds(
    InvoiceFacts,
    currency=st.just("USD"),
    invoices=invoice_lists,
    payments=st.lists(payments(), max_size=3),
)


class TestInvoiceFacts:
    """X-4, INV-3: the facts of the area contract are checked when built, naming the field."""

    def test_an_invoice_in_another_currency_is_refused(self) -> None:
        """X-4: every invoice is in the facts' currency."""
        eur = Invoice(
            id="e", status="submitted", amount=Money("5", "EUR"), issued_at=APRIL, due_at=APRIL
        )
        with pytest.raises(CurrencyMismatch) as excinfo:
            _facts(make(), eur)
        assert "InvoiceFacts.invoices[1].amount" == excinfo.value.field

    def test_a_payment_in_another_currency_is_refused(self) -> None:
        """X-4: every payment is in the facts' currency."""
        pay = Payment(id="p", amount=Money("5", "EUR"), paid_at=APRIL)
        with pytest.raises(CurrencyMismatch) as excinfo:
            InvoiceFacts(currency="USD", payments=[pay])
        assert "InvoiceFacts.payments[0].amount" == excinfo.value.field

    def test_duplicate_invoice_ids_are_refused(self) -> None:
        """INV-3: invoice ids are unique."""
        with pytest.raises(InvalidInput) as excinfo:
            _facts(make("x"), make("x"))
        assert "InvoiceFacts.invoices[1].id" == excinfo.value.field

    def test_wrong_types_name_the_field(self) -> None:
        """The converters name ``InvoiceFacts.<field>``."""
        with pytest.raises(InvalidType) as excinfo:
            InvoiceFacts(currency="USD", invoices=[object()])  # type: ignore[list-item]
        assert "InvoiceFacts.invoices[0]" == excinfo.value.field
        with pytest.raises(InvalidInput) as unknown:
            InvoiceFacts(currency="ZZZ")
        assert "InvoiceFacts.currency" == unknown.value.field
        with pytest.raises(InvalidInput) as status:
            make(status="overdue")
        assert "Invoice.status" == status.value.field

    def test_the_currency_is_converted(self) -> None:
        """A code is read as its currency; the sequences become tuples."""
        facts = InvoiceFacts(currency="usd", invoices=[make()])
        assert ("USD", (make(),), ()) == (facts.currency.code, facts.invoices, facts.payments)


class TestFindings:
    """INV-3, INV-2, INV-1: the account-wide findings agree with the area's own questions."""

    def test_nothing_outstanding(self) -> None:
        """INV-3: with nothing due the finding is a yes, with a zero amount."""
        paid = make(status="paid", paid_at=APRIL)
        owed, _ = findings(_facts(paid), POLICY, at=utc(2024, 6, 1), zone="UTC")
        assert (True, ("nothing_outstanding",), ("INV-3",), "Nothing is outstanding.") == (
            owed.allowed,
            owed.decision.codes,
            owed.rules,
            owed.summary,
        )
        assert {"amount": usd("0"), "invoice_ids": (), "overdue_ids": ()} == dict(
            owed.reasons[0].details
        )
        assert "No invoice has money still due." == owed.decision.message

    def test_outstanding_with_overdue(self) -> None:
        """INV-3, INV-2: what is due, in settlement order, and which of it is overdue."""
        march = make("inv-03", issued=utc(2024, 3, 1))
        april = make("inv-04", status="failed", amount="10.00")
        owed, _ = findings(_facts(april, march), POLICY, at=utc(2024, 4, 2), zone="UTC")
        assert InvoiceQuestion.NOTHING_OUTSTANDING == owed.question
        assert "invoices" == owed.area
        assert (False, ("amount_outstanding", "invoices_overdue"), ("INV-3", "INV-2")) == (
            owed.allowed,
            owed.decision.codes,
            owed.rules,
        )
        assert {
            "amount": usd("59.00"),
            "invoice_ids": ("inv-03", "inv-04"),
            "overdue_ids": ("inv-03",),
        } == dict(owed.reasons[0].details)
        assert {"overdue_ids": ("inv-03",)} == dict(owed.reasons[1].details)
        assert "59.00 USD outstanding." == owed.summary
        assert (
            "59.00 USD is outstanding on invoices inv-03, inv-04. Overdue: inv-03."
            == owed.decision.message
        )

    def test_outstanding_without_overdue_has_one_reason(self) -> None:
        """INV-3: before any due date there is no overdue reason."""
        owed, _ = findings(_facts(make()), POLICY, at=APRIL, zone="UTC")
        assert ("amount_outstanding",) == owed.decision.codes
        assert "49.00 USD is outstanding on invoices inv-1." == owed.decision.message

    def test_all_in_history(self) -> None:
        """INV-1: every issued invoice is in the self-service history."""
        _, shown = findings(_facts(make()), POLICY, at=utc(2024, 5, 1), zone="UTC")
        assert InvoiceQuestion.ALL_IN_HISTORY == shown.question
        assert (True, ("history_window",), ("INV-1",)) == (
            shown.allowed,
            shown.decision.codes,
            shown.rules,
        )
        assert "1 of 1 issued invoices in the self-service history." == shown.summary
        assert (
            "1 of 1 issued invoices are in the self-service history (from 2021-01-01)."
            == shown.decision.message
        )
        assert {
            "listed": 1,
            "issued": 1,
            "before_cutoff": 0,
            "history_cutoff": date(2021, 1, 1),
            "contact": "support",
        } == dict(shown.reasons[0].details)

    def test_invoices_before_the_cutoff_point_to_support(self) -> None:
        """INV-1: older invoices are left to support; scheduled and future ones do not count."""
        policy = InvoicePolicy(support_contact="help@example.com")
        items = _facts(
            make("new"),
            make("old", status="paid", issued=utc(2020, 6, 1), paid_at=utc(2020, 6, 1)),
            make("later", issued=utc(2024, 9, 1)),
            make("draft", status="scheduled", issued=utc(2024, 4, 2)),
        )
        _, shown = findings(items, policy, at=utc(2024, 5, 1), zone="UTC")
        assert (False, ("before_history_cutoff",)) == (shown.allowed, shown.decision.codes)
        assert "1 of 2 issued invoices in the self-service history." == shown.summary
        assert (
            "Invoices issued before 2021-01-01 are not available here; "
            "contact help@example.com for a copy." == shown.decision.message
        )
        assert 1 == shown.reasons[0].details["before_cutoff"]

    @given(facts=invoice_facts, policy=invoice_policies(), at=aware_datetimes(), zone=zones())
    def test_findings_agree_with_the_questions(
        self, facts: InvoiceFacts, policy: InvoicePolicy, at: datetime, zone: ZoneInfo
    ) -> None:
        """INV-3, INV-2, INV-1: the findings say what outstanding, is_overdue and history say."""
        owed, shown = findings(facts, policy, at=at, zone=zone)
        due = outstanding_invoices(facts.invoices)
        amount = outstanding(facts.invoices, currency="USD")
        assert (amount.amount == 0) == owed.allowed
        assert amount == owed.reasons[0].details["amount"]
        assert tuple(inv.id for inv in due) == owed.reasons[0].details["invoice_ids"]
        assert (
            tuple(inv.id for inv in due if is_overdue(inv, at=at))
            == owed.reasons[0].details["overdue_ids"]
        )
        listed = len(history(facts.invoices, policy, at=at, zone=zone))
        issued = sum(
            1 for inv in facts.invoices if inv.status != "scheduled" and inv.issued_at <= at
        )
        assert (listed, issued, listed == issued) == (
            shown.details["listed"],
            shown.details["issued"],
            shown.allowed,
        )
        for finding in (owed, shown):
            assert isinstance(finding, Finding)
            assert all(isinstance(reason.code, InvoiceCode) for reason in finding.reasons)

    @given(facts=invoice_facts, at=aware_datetimes())
    def test_no_role_findings(self, facts: InvoiceFacts, at: datetime) -> None:
        """Nothing in the invoices area depends on the role."""
        for role in ("owner", "admin", "staff"):
            assert () == role_findings(facts, POLICY, role=role, at=at, zone="UTC")

    def test_an_unknown_role_is_refused(self) -> None:
        """The role is checked even though no finding depends on it."""
        with pytest.raises(InvalidInput) as excinfo:
            role_findings(_facts(), POLICY, role="guest", at=APRIL, zone="UTC")
        assert "role" == excinfo.value.field


class TestSharedWork:
    """INV-3: what is due is computed once, per invoice and per facts; caches are no fields."""

    @given(facts=invoice_facts, policy=invoice_policies(), at=aware_datetimes(), zone=zones())
    def test_a_filled_cache_changes_no_answer(
        self, facts: InvoiceFacts, policy: InvoicePolicy, at: datetime, zone: ZoneInfo
    ) -> None:
        """The findings and transitions of facts asked before equal those of fresh facts."""
        fresh = pickle.loads(pickle.dumps(facts))
        end = at + timedelta(days=400) if at.year < 9000 else at
        first = findings(facts, policy, at=at, zone=zone)
        falling = list(transitions(facts, policy, start=at, end=end, zone=zone))
        assert first == findings(facts, policy, at=at, zone=zone)
        assert first == findings(fresh, policy, at=at, zone=zone)
        assert falling == list(transitions(fresh, policy, start=at, end=end, zone=zone))
        assert outstanding_invoices(facts.invoices) == facts._outstanding

    @given(facts=invoice_facts, at=aware_datetimes())
    def test_the_cache_is_no_field(self, facts: InvoiceFacts, at: datetime) -> None:
        """Facts and invoices with their caches filled equal, hash and pickle as fresh ones."""
        fresh = pickle.loads(pickle.dumps(facts))
        findings(facts, POLICY, at=at, zone="UTC")
        copy = pickle.loads(pickle.dumps(facts))
        assert (fresh, hash(fresh)) == (facts, hash(facts))
        assert (facts, hash(facts)) == (copy, hash(copy))
        assert pickle.dumps(fresh) == pickle.dumps(facts)
        assert [inv.amount_due for inv in facts.invoices] == [
            inv.amount_due for inv in copy.invoices
        ]

    @given(
        many=st.lists(invoice_facts, min_size=1, max_size=4),
        policy=invoice_policies(),
        at=aware_datetimes(),
        zone=zones(),
    )
    def test_a_policy_that_answered_before_answers_as_a_fresh_one(
        self, many: list[InvoiceFacts], policy: InvoicePolicy, at: datetime, zone: ZoneInfo
    ) -> None:
        """INV-1, INV-3: the findings a policy keeps once built (per count of invoices listed
        and issued, per currency when nothing is due) equal those of a fresh copy of the
        policy, for every account asked in turn; the policy still equals, hashes and pickles
        as before."""
        before = (hash(policy), pickle.dumps(policy))
        for facts in [*many, *many]:
            fresh = pickle.loads(pickle.dumps(policy))
            assert findings(facts, fresh, at=at, zone=zone) == findings(
                facts, policy, at=at, zone=zone
            )
        assert before == (hash(policy), pickle.dumps(policy))
        again = pickle.loads(pickle.dumps(policy))
        assert (policy, {}) == (again, again._answers)

    def test_more_invoices_than_a_policy_keeps(self) -> None:
        """INV-1: past the counts a policy keeps, the history finding is built afresh, alike."""
        policy = InvoicePolicy()
        bills = tuple(
            make(
                id=f"inv-{n}",
                status="paid",
                issued=utc(2020, 12, 1) + timedelta(days=n),
                paid_at=utc(2021, 6, 1),
            )
            for n in range(_KEPT_COUNTS + 3)
        )
        facts = _facts(*bills)
        _, first = findings(facts, policy, at=utc(2022, 1, 1), zone="UTC")
        _, again = findings(facts, policy, at=utc(2022, 1, 1), zone="UTC")
        assert first == again
        assert (_KEPT_COUNTS + 3 - 31, _KEPT_COUNTS + 3, 31) == (
            first.details["listed"],
            first.details["issued"],
            first.reasons[0].details["before_cutoff"],
        )
        assert not any(key[1] > _KEPT_COUNTS for key in policy._answers if type(key[1]) is int)

    def test_a_changed_invoice_has_its_own_amount_due(self) -> None:
        """INV-3: an invoice's amount due is its own, never an older version's."""
        bill = make(amount="49.00")
        assert usd("49.00") == bill.amount_due
        part = attrs.evolve(bill, amount_paid=usd("9.00"))
        assert (usd("40.00"), usd("49.00")) == (part.amount_due, bill.amount_due)
        paid = change_status(part, to="paid", at=APRIL)
        assert usd("0") == paid.amount_due


_WINDOW_START = datetime(2000, 1, 1, tzinfo=UTC)


class TestTransitions:
    """INV-2: invoices falling due, lazily, in time order, over half-open windows."""

    def test_an_invoice_falling_due(self) -> None:
        """INV-2: one transition at the due instant, with its reason and details."""
        invoice = make(amount_paid=usd("9.00"))
        (due,) = transitions(_facts(invoice), POLICY, start=APRIL, end=utc(2024, 5, 1), zone="UTC")
        assert isinstance(due, Transition)
        assert (invoice.due_at, "invoices", InvoiceKind.INVOICE_OVERDUE, ("INV-2",)) == (
            due.at,
            due.area,
            due.kind,
            due.rules,
        )
        assert ("invoice_due",) == due.codes
        assert {"invoice_id": "inv-1", "due_at": invoice.due_at, "amount_due": usd("40.00")} == (
            dict(due.reasons[0].details)
        )
        assert (
            "Invoice inv-1 is due; unpaid after this instant it is overdue (40.00 USD due)."
            == due.description
        )

    def test_the_window_is_half_open(self) -> None:
        """INV-2: a due instant at ``start`` is in, one at ``end`` is out."""
        invoice = make()
        assert 1 == len(
            list(
                transitions(
                    _facts(invoice),
                    POLICY,
                    start=invoice.due_at,
                    end=invoice.due_at + timedelta(seconds=1),
                    zone="UTC",
                )
            )
        )
        assert [] == list(
            transitions(_facts(invoice), POLICY, start=APRIL, end=invoice.due_at, zone="UTC")
        )

    def test_only_invoices_with_money_due(self) -> None:
        """INV-2: paid, cancelled and scheduled invoices never fall due."""
        items = _facts(
            make("a", status="paid", paid_at=APRIL),
            make("b", status="cancelled"),
            make("c", status="scheduled"),
            make("d", status="failed"),
        )
        found = transitions(items, POLICY, start=APRIL, end=utc(2025, 1, 1), zone="UTC")
        assert [("d",)] == [(t.reasons[0].details["invoice_id"],) for t in found]
        assert frozenset({InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED}) == DUE_STATUSES

    def test_ties_are_ordered_by_id(self) -> None:
        """INV-2: invoices due at one instant come in the order of their ids."""
        items = _facts(make("b"), make("a"), make("c", issued=utc(2024, 3, 1)))
        found = transitions(items, POLICY, start=utc(2024, 3, 1), end=utc(2025, 1, 1), zone="UTC")
        assert ["c", "a", "b"] == [t.reasons[0].details["invoice_id"] for t in found]

    def test_a_backwards_window_is_refused(self) -> None:
        """The window's end must not come before its start, checked when called."""
        with pytest.raises(InvalidInput) as excinfo:
            transitions(_facts(), POLICY, start=APRIL, end=utc(2024, 3, 1), zone="UTC")
        assert "end" == excinfo.value.field

    def test_an_unknown_zone_is_refused(self) -> None:
        """The zone is checked when called."""
        with pytest.raises(UnknownTimeZone):
            transitions(_facts(), POLICY, start=APRIL, end=APRIL, zone="Mars/Base")

    def test_lazy(self) -> None:
        """INV-2: taking the first three over a century computes only what is taken."""
        items = _facts(*(make(f"inv-{n:03}", issued=APRIL + timedelta(days=n)) for n in range(200)))
        end = APRIL + timedelta(days=36500)
        first = list(
            itertools.islice(transitions(items, POLICY, start=APRIL, end=end, zone="UTC"), 3)
        )
        assert list(transitions(items, POLICY, start=APRIL, end=end, zone="UTC"))[:3] == first
        assert ["inv-000", "inv-001", "inv-002"] == [
            t.reasons[0].details["invoice_id"] for t in first
        ]

    @given(
        facts=invoice_facts,
        offsets=st.lists(
            st.integers(min_value=0, max_value=60 * 366 * 86400), min_size=3, max_size=3
        ),
    )
    def test_split_windows(self, facts: InvoiceFacts, offsets: list[int]) -> None:
        """INV-2: [a, c) is [a, b) then [b, c), each in time order (ties by id)."""
        a, b, c = (_WINDOW_START + timedelta(seconds=s) for s in sorted(offsets))
        whole = list(transitions(facts, POLICY, start=a, end=c, zone="UTC"))
        left = list(transitions(facts, POLICY, start=a, end=b, zone="UTC"))
        right = list(transitions(facts, POLICY, start=b, end=c, zone="UTC"))
        assert whole == left + right
        keys = [(t.at, t.reasons[0].details["invoice_id"]) for t in whole]
        assert sorted(keys) == keys
        assert all(a <= t.at < c for t in whole)


def _every_reason() -> list[Reason]:
    """One reason of each kind the invoices area gives, from its public functions."""
    reasons: list[Reason] = []
    for call in ("allowed", "final", "not_allowed", "in_window", "before_cutoff", "not_issued"):
        reasons.extend(_reasons_of(call))
    owed_items = _facts(make("inv-03", issued=utc(2024, 3, 1)), make("inv-04", status="failed"))
    for facts, at in ((owed_items, utc(2024, 4, 2)), (_facts(), APRIL)):
        for finding in findings(facts, POLICY, at=at, zone="UTC"):
            reasons.extend(finding.reasons)
    old = make("old", status="paid", issued=utc(2020, 1, 1), paid_at=utc(2020, 1, 1))
    for finding in findings(_facts(old), POLICY, at=APRIL, zone="UTC"):
        reasons.extend(finding.reasons)
    for change in transitions(owed_items, POLICY, start=APRIL, end=utc(2025, 1, 1), zone="UTC"):
        reasons.extend(change.reasons)
    return reasons


class TestReasonCodes:
    """Every reason of the area is an InvoiceCode member whose sentence renders."""

    def test_every_code_is_given_and_renders(self) -> None:
        """Each InvoiceCode member is used by a code path, and its template renders from the
        details the area gives it (no missing field, no leftover brace)."""
        reasons = _every_reason()
        assert set(InvoiceCode) == {reason.code for reason in reasons}
        for reason in reasons:
            assert isinstance(reason.code, InvoiceCode)
            message = reason.message
            assert message
            assert "{" not in message
            assert "}" not in message

    def test_questions_render(self) -> None:
        """Each InvoiceQuestion's summaries render from the finding's details."""
        for facts in (_facts(make()), _facts()):
            for finding in findings(facts, POLICY, at=utc(2024, 6, 1), zone="UTC"):
                assert finding.summary
                assert "{" not in finding.summary
