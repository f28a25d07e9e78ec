"""Tests of billrules.cancellation: CAN-1 … CAN-9 and SEAT-5."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules import cancellation as can
from billrules._money import round_to_minor_unit
from billrules.cancellation import (
    REQUEST_STATE_CHANGES,
    AccountState,
    AccountStatus,
    CancellationCode,
    CancellationKind,
    CancellationPolicy,
    CancellationQuestion,
    CancellationReason,
    CancellationRequest,
    RequestState,
    apply_plan,
    back_office_plan,
    can_change_request_state,
    can_complete_cancellation,
    can_request_cancellation,
    change_request_state,
    deactivation_effects,
    effective_at,
    final_payments,
    findings,
    request_cancellation,
    role_findings,
    still_scheduled,
    suspensions,
    transitions,
)
from billrules.contract import Suspension
from billrules.decisions import Decision, PolicyViolation, Reason
from billrules.effects import (
    CancelBilling,
    ReassignLeads,
    RecordCancellation,
    RemoveFromCallQueue,
    RevokeAccess,
    SetAccountStatus,
    SetEmailOptOut,
    SetLicenceCount,
)
from billrules.errors import (
    BillRulesError,
    CurrencyMismatch,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
)
from billrules.invoices import Invoice, InvoiceStatus, outstanding, outstanding_invoices
from billrules.roles import Role
from billrules.testing._cancellation import (
    account_states,
    cancellation_policies,
    cancellation_requests,
)

NOW = datetime(2024, 5, 10, 15, 30, tzinfo=UTC)
#: The occasion of a back-office plan's effects at NOW for an account without a request (X-6):
#: the back-office cancellation of that day.
BACK_OFFICE = "back_office_cancellation:2024-05-10"
#: The occasion of that day's back-office cancellation of five licences, and of none.
BACK_OFFICE_5 = f"{BACK_OFFICE}:5"
BACK_OFFICE_0 = f"{BACK_OFFICE}:0"
PERIOD_END = datetime(2024, 6, 1, tzinfo=UTC)


class _TextId(str):
    """An id given as a subclass of ``str``."""


def _invoice(id_: str, status: str, amount: str, month: int, **kw: object) -> Invoice:
    at = datetime(2024, month, 1, tzinfo=UTC)
    return Invoice(
        id=id_, status=status, amount=Money(amount, "USD"), issued_at=at, due_at=at, **kw
    )


def _account(*invoices: Invoice, status: str = "active", licences: int = 12) -> AccountState:
    return AccountState(status=status, currency="USD", invoices=invoices, licence_count=licences)


class TestCanRequestCancellation:
    def test_negative_prepaid_balance_is_outstanding(self) -> None:
        """CAN-3: a prepaid account in debt must pay the debt first; the refusal names it."""
        state = AccountState(
            status="active", currency="USD", prepaid_balance=Money("-33.00", "USD")
        )
        decision = can_request_cancellation(state, CancellationPolicy(), role="owner")
        assert (False, ("prepaid_debt",), ("CAN-3",)) == (
            decision.allowed,
            decision.codes,
            decision.rules,
        )
        assert Money("33.00", "USD") == decision.reasons[0].details["amount"]
        assert "33.00 USD" in decision.message

    def test_non_negative_prepaid_balance_is_not_outstanding(self) -> None:
        """CAN-3: a prepaid balance of zero or more blocks nothing."""
        state = AccountState(status="active", currency="USD", prepaid_balance=Money("0", "USD"))
        assert can_request_cancellation(state, CancellationPolicy(), role="owner").allowed

    def test_prepaid_balance_in_another_currency_is_refused(self) -> None:
        """CAN-3, X-4: the prepaid balance must be in the account's currency."""
        with pytest.raises(CurrencyMismatch) as excinfo:
            AccountState(status="active", currency="USD", prepaid_balance=Money("1", "EUR"))
        assert "AccountState.prepaid_balance" == excinfo.value.field

    def test_owner_of_active_account_with_nothing_due_may_cancel(self):
        """CAN-1, CAN-2, CAN-3: the owner of an active account with nothing due may request."""
        decision = can_request_cancellation(
            _account(_invoice("inv-1", "paid", "49", 4, paid_at=NOW)),
            CancellationPolicy(),
            role=Role.OWNER,
        )
        assert decision.allowed
        assert ("self_service_available", "is_owner", "account_active", "nothing_outstanding") == (
            decision.codes
        )

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.STAFF, "admin"])
    def test_non_owner_is_refused(self, role):
        """CAN-1 (seed 000): the button is visible only to account owners; admins included."""
        decision = can_request_cancellation(_account(), CancellationPolicy(), role=role)
        assert not decision.allowed
        assert ("owner_only",) == decision.codes
        assert ("CAN-1",) == decision.rules

    def test_owner_with_overdue_invoice_is_refused_with_its_amount(self):
        """CAN-3 (seed 000): outstanding bills must be paid first; the refusal names them."""
        overdue = _invoice("inv-7", "submitted", "149.50", 4)
        failed = _invoice("inv-8", "failed", "20", 3, amount_paid=Money("5", "USD"))
        account = _account(overdue, failed, _invoice("inv-9", "scheduled", "149.50", 6))
        decision = can_request_cancellation(account, CancellationPolicy(), role="owner")
        assert not decision.allowed
        assert ("outstanding_balance",) == decision.codes
        (reason,) = decision.reasons
        assert "CAN-3" == reason.rule
        assert Money("164.50", "USD") == reason.details["amount"]
        assert ("inv-8", "inv-7") == reason.details["invoice_ids"]
        assert "164.50 USD" in reason.message

    @pytest.mark.parametrize("status", [AccountStatus.SUSPENDED, AccountStatus.DELETE])
    def test_account_not_active_is_refused(self, status):
        """CAN-1 (seed 000): only owners who have active accounts see the button."""
        decision = can_request_cancellation(
            _account(status=status), CancellationPolicy(), role="owner"
        )
        assert ("account_not_active",) == decision.codes
        assert str(status) == decision.reasons[0].details["status"]

    def test_self_service_off_points_to_support(self):
        """CAN-2 (seed 003): where self-service is not available, ask support to cancel."""
        policy = CancellationPolicy(self_service=False, support_contact="support@planplus")
        decision = can_request_cancellation(_account(), policy, role="owner")
        assert ("cancel_via_support",) == decision.codes
        assert "support@planplus" in decision.message

    def test_every_unmet_condition_is_a_reason(self):
        """CAN-1, CAN-2, CAN-3: a refusal lists every unmet condition, in rule order."""
        account = _account(_invoice("inv-1", "submitted", "10", 4), status="suspended")
        policy = CancellationPolicy(self_service=False)
        decision = can_request_cancellation(account, policy, role="staff")
        expected = ("cancel_via_support", "owner_only", "account_not_active", "outstanding_balance")
        assert expected == decision.codes

    @given(account_states(), st.sampled_from(Role), cancellation_policies())
    def test_allowed_exactly_when_every_condition_holds(self, account, role, policy):
        """CAN-1, CAN-2, CAN-3: allowed iff self-service, owner, active and nothing due."""
        decision = can_request_cancellation(account, policy, role=role)
        nothing_due = all(inv.amount_due.amount == 0 for inv in account.invoices)
        expected = (
            policy.self_service
            and role is Role.OWNER
            and account.status is AccountStatus.ACTIVE
            and nothing_due
        )
        assert expected == decision.allowed

    def test_bad_role_and_policy(self):
        """CAN-1: an unknown role or a wrong policy type is a clear error."""
        with pytest.raises(InvalidInput) as excinfo:
            can_request_cancellation(_account(), CancellationPolicy(), role="boss")
        assert "role" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo2:
            can_request_cancellation(_account(), object(), role="owner")  # type: ignore[arg-type]
        assert "policy" == excinfo2.value.field
        with pytest.raises(InvalidType) as excinfo3:
            can_request_cancellation(object(), CancellationPolicy(), role="owner")  # type: ignore[arg-type]
        assert "state" == excinfo3.value.field


class TestRequestCancellation:
    def test_request_records_reason_feedback_payments_deactivation_and_opt_out(self):
        """CAN-4, CAN-6 (seed 000): reason, feedback, final payments, deactivation, opt-out."""
        before_end = _invoice("inv-5", "scheduled", "12", 5)
        before_end = attrs.evolve(
            before_end,
            issued_at=datetime(2024, 5, 20, tzinfo=UTC),
            due_at=datetime(2024, 5, 20, tzinfo=UTC),
        )
        rebill = _invoice("inv-6", "scheduled", "149", 6)
        account = _account(before_end, rebill)
        request = request_cancellation(
            account,
            CancellationPolicy(),
            role=Role.OWNER,
            reason="too_expensive",
            feedback="We found a cheaper CRM.",
            at=NOW,
            period_end=PERIOD_END,
            email_opt_out=True,
        )
        assert CancellationReason.TOO_EXPENSIVE is request.reason
        assert "We found a cheaper CRM." == request.feedback
        assert NOW == request.requested_at
        assert PERIOD_END == request.deactivates_at
        assert (before_end,) == request.final_payments
        assert request.email_opt_out
        assert RequestState.REQUESTED is request.state

    def test_immediately_knob_deactivates_at_the_request(self):
        """CAN-6: with effective="immediately" the deactivation is the request's instant."""
        policy = CancellationPolicy(effective="immediately")
        request = request_cancellation(
            _account(_invoice("inv-6", "scheduled", "149", 6)),
            policy,
            role="owner",
            reason=CancellationReason.UNUSED,
            at=NOW,
            period_end=PERIOD_END,
        )
        assert NOW == request.deactivates_at
        assert () == request.final_payments

    def test_refused_request_raises_with_the_same_decision(self):
        """CAN-1, CAN-3: the operation refuses with the question's decision."""
        account = _account(_invoice("inv-1", "submitted", "10", 4))
        with pytest.raises(PolicyViolation) as excinfo:
            request_cancellation(
                account, CancellationPolicy(), role="owner", reason="other", at=NOW, period_end=NOW
            )
        assert can_request_cancellation(account, CancellationPolicy(), role="owner") == (
            excinfo.value.decision
        )

    def test_unknown_reason_is_refused(self):
        """CAN-4: a reason outside the fixed list is a clear error naming the field."""
        with pytest.raises(InvalidInput) as excinfo:
            request_cancellation(
                _account(),
                CancellationPolicy(),
                role="owner",
                reason="bored",
                at=NOW,
                period_end=NOW,
            )
        assert "reason" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo2:
            CancellationRequest(reason="bored", requested_at=NOW, deactivates_at=NOW)
        assert "CancellationRequest.reason" == excinfo2.value.field

    def test_every_listed_reason_exists(self):
        """CAN-4: the fixed list holds at least the eight reasons of the issue."""
        expected = {
            "too_expensive",
            "missing_features",
            "switched_service",
            "unused",
            "customer_service",
            "too_complex",
            "low_quality",
            "other",
        }
        assert expected <= {reason.value for reason in CancellationReason}

    def test_deactivation_before_request_is_refused(self):
        """CAN-4: the deactivation date must not be before the request."""
        with pytest.raises(InvalidInput) as excinfo:
            CancellationRequest(
                reason="other", requested_at=NOW, deactivates_at=NOW - timedelta(seconds=1)
            )
        assert "CancellationRequest.deactivates_at" == excinfo.value.field

    @pytest.mark.parametrize(
        ("field", "value", "error"),
        [
            ("feedback", 3, InvalidType),
            ("requested_at", datetime(2024, 5, 1), NaiveDatetimeError),  # noqa: DTZ001
            ("deactivates_at", "tomorrow", InvalidType),
            ("final_payments", ["inv"], InvalidType),
            ("email_opt_out", "yes", InvalidType),
            ("state", "cancelled", InvalidInput),
        ],
    )
    def test_bad_request_fields(self, field, value, error):
        """CAN-4: every field of the request is validated and named."""
        kwargs: dict[str, object] = {
            "reason": "other",
            "requested_at": NOW,
            "deactivates_at": NOW,
            field: value,
        }
        with pytest.raises(error) as excinfo:
            CancellationRequest(**kwargs)  # type: ignore[arg-type]
        assert excinfo.value.field.startswith(f"CancellationRequest.{field}")

    def test_period_end_before_request_is_refused(self):
        """CAN-6: the period end cannot come before the request."""
        with pytest.raises(InvalidInput) as excinfo:
            effective_at(CancellationPolicy(), at=NOW, period_end=NOW - timedelta(days=1))
        assert "period_end" == excinfo.value.field

    @given(cancellation_policies(), st.integers(min_value=0, max_value=10**7))
    def test_effective_never_before_request_nor_after_period_end(self, policy, seconds):
        """CAN-6: the effective instant lies between the request and the period end."""
        end = NOW + timedelta(seconds=seconds)
        effective = effective_at(policy, at=NOW, period_end=end)
        assert NOW <= effective <= end
        assert (effective == end) is (policy.effective == "period_end" or seconds == 0)

    @given(account_states(), st.integers(min_value=-400, max_value=400))
    def test_final_payments_are_the_scheduled_billings_before_deactivation(self, account, days):
        """CAN-4, CAN-6: final payments are scheduled billings before the effective date."""
        until = NOW + timedelta(days=days)
        payments = final_payments(account, end=until)
        assert all(inv.status is InvoiceStatus.SCHEDULED for inv in payments)
        assert all(inv.issued_at < until for inv in payments)
        expected = {
            inv.id
            for inv in account.invoices
            if inv.status is InvoiceStatus.SCHEDULED and inv.issued_at < until
        }
        assert expected == {inv.id for inv in payments}


class TestRequestStates:
    def test_table(self):
        """CAN-5: requested → confirmed → completed, withdrawn before completion."""
        assert {
            RequestState.REQUESTED: {RequestState.CONFIRMED, RequestState.WITHDRAWN},
            RequestState.CONFIRMED: {RequestState.COMPLETED, RequestState.WITHDRAWN},
            RequestState.COMPLETED: set(),
            RequestState.WITHDRAWN: set(),
        } == {state: set(targets) for state, targets in REQUEST_STATE_CHANGES.items()}

    def test_happy_path(self):
        """CAN-5: a request is confirmed by staff, then completed."""
        request = CancellationRequest(reason="unused", requested_at=NOW, deactivates_at=NOW)
        confirmed = change_request_state(request, to="confirmed")
        completed = change_request_state(confirmed, to=RequestState.COMPLETED)
        assert RequestState.COMPLETED is completed.state
        assert RequestState.REQUESTED is request.state

    def test_completed_cannot_be_withdrawn(self):
        """CAN-5: withdrawal is only before completion; a final state is named as such."""
        request = CancellationRequest(
            reason="unused", requested_at=NOW, deactivates_at=NOW, state="completed"
        )
        with pytest.raises(PolicyViolation) as excinfo:
            change_request_state(request, to="withdrawn")
        assert ("request_state_final",) == excinfo.value.decision.codes
        assert can_change_request_state(request, to="withdrawn") == excinfo.value.decision

    def test_skipping_confirmation_is_refused(self):
        """CAN-5: a request is not yet a cancellation: it cannot complete unconfirmed."""
        request = CancellationRequest(reason="unused", requested_at=NOW, deactivates_at=NOW)
        decision = can_change_request_state(request, to="completed")
        assert ("request_transition_not_allowed",) == decision.codes
        assert "confirmed, withdrawn" in decision.message

    def test_bad_arguments(self):
        """CAN-5: unknown target states and wrong request types are clear errors."""
        request = CancellationRequest(reason="unused", requested_at=NOW, deactivates_at=NOW)
        with pytest.raises(InvalidInput) as excinfo:
            can_change_request_state(request, to="paused")
        assert "to" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo2:
            can_change_request_state("request", to="confirmed")  # type: ignore[arg-type]
        assert "request" == excinfo2.value.field

    @given(st.sampled_from(RequestState), st.sampled_from(RequestState))
    def test_transitions_follow_the_table(self, state, target):
        """CAN-5: a move is allowed exactly when the table lists it."""
        request = CancellationRequest(
            reason="other", requested_at=NOW, deactivates_at=NOW, state=state
        )
        decision = can_change_request_state(request, to=target)
        assert (target in REQUEST_STATE_CHANGES[request.state]) == decision.allowed


class TestBackOfficePlan:
    def test_seed_plan_then_empty_on_second_run(self):
        """CAN-7, SEAT-5, CAN-9 (seed 003): licences 0, cancel scheduled and submitted
        billings, status DELETE, record date and reason, opt-out; empty on the second run."""
        paid = _invoice("ar-1", "paid", "99", 3, paid_at=datetime(2024, 3, 2, tzinfo=UTC))
        submitted = _invoice("ar-2", "submitted", "99", 4)
        scheduled = _invoice("ar-3", "scheduled", "99", 6)
        account = _account(paid, submitted, scheduled, licences=5)
        assert not can_complete_cancellation(account).allowed
        plan = back_office_plan(
            account,
            at=NOW,
            reason="switched_service",
            feedback="Moved",
            email_opt_out=True,
            account="acme",
        )
        assert (
            SetLicenceCount(at=NOW, rule="SEAT-5", count=0, occasion=BACK_OFFICE_5, account="acme"),
            CancelBilling(
                at=NOW, rule="CAN-7", invoice_id="ar-2", occasion=BACK_OFFICE_5, account="acme"
            ),
            CancelBilling(
                at=NOW, rule="CAN-7", invoice_id="ar-3", occasion=BACK_OFFICE_5, account="acme"
            ),
            SetAccountStatus(
                at=NOW, rule="CAN-7", status="DELETE", occasion=BACK_OFFICE_5, account="acme"
            ),
            RecordCancellation(
                at=NOW,
                rule="CAN-7",
                reason="switched_service",
                feedback="Moved",
                occasion=BACK_OFFICE_5,
                account="acme",
            ),
            SetEmailOptOut(
                at=NOW, rule="CAN-7", opt_out=True, occasion=BACK_OFFICE_5, account="acme"
            ),
        ) == plan
        done = apply_plan(account, effects=plan)
        assert AccountStatus.DELETE is done.status
        assert 0 == done.licence_count
        assert ["paid", "cancelled", "cancelled"] == [str(inv.status) for inv in done.invoices]
        assert () == back_office_plan(
            done, at=NOW + timedelta(days=1), reason="other", account="acme"
        )
        assert ("no_billing_scheduled",) == can_complete_cancellation(done).codes
        assert 5 == account.licence_count  # the input is unchanged

    def test_check_lists_what_is_still_scheduled(self):
        """CAN-9 (seed 003): the check names the billings still scheduled."""
        account = _account(
            _invoice("ar-4", "scheduled", "10", 7),
            _invoice("ar-3", "scheduled", "10", 6),
            status="DELETE",
        )
        decision = can_complete_cancellation(account)
        assert ("billing_still_scheduled",) == decision.codes
        assert ("ar-3", "ar-4") == decision.reasons[0].details["invoice_ids"]
        assert ("ar-3", "ar-4") == tuple(inv.id for inv in still_scheduled(account))

    @pytest.mark.parametrize(
        "ids", [("ar-3", "ar-4"), ("рахунок-1",), (_TextId("ar-5"), "ar-6")], ids=repr
    )
    def test_still_scheduled_reason_is_the_one_the_constructor_builds(self, ids):
        """CAN-9: the refusal's reason is the one ``Reason(code, details)`` builds from the
        ids, whatever text they were given as (plain text in the details)."""
        account = _account(
            *(_invoice(id_, "scheduled", "10", 6 + n) for n, id_ in enumerate(ids)),
            status="DELETE",
        )

        (reason,) = can_complete_cancellation(account).reasons

        expected = Reason(
            code=CancellationCode.BILLING_STILL_SCHEDULED,
            details={"invoice_ids": tuple(str(id_) for id_ in ids)},
        )
        assert (expected, repr(expected.details)) == (reason, repr(reason.details))
        assert all(type(id_) is str for id_ in reason.details["invoice_ids"])

    def test_deleted_account_with_leftover_billing_only_cancels_it(self):
        """CAN-7: a DELETE account with a leftover scheduled billing gets only that fixed."""
        account = _account(_invoice("ar-9", "scheduled", "10", 7), status="DELETE", licences=0)
        assert (
            CancelBilling(
                at=NOW, rule="CAN-7", invoice_id="ar-9", occasion=BACK_OFFICE_0, account="acme"
            ),
        ) == back_office_plan(account, at=NOW, reason="other", account="acme")

    @given(account_states(), st.sampled_from(CancellationReason), st.booleans())
    def test_plan_is_idempotent(self, account, reason, opt_out):
        """CAN-7, CAN-9, SEAT-5: applying the plan then planning again yields nothing, and
        nothing is left scheduled."""
        plan = back_office_plan(
            account, at=NOW, reason=reason, email_opt_out=opt_out, account="acme"
        )
        done = apply_plan(account, effects=plan)
        assert () == back_office_plan(
            done, at=NOW, reason=reason, email_opt_out=opt_out, account="acme"
        )
        assert can_complete_cancellation(done).allowed
        assert 0 == done.licence_count
        assert AccountStatus.DELETE is done.status
        cancelled = {e.invoice_id for e in plan if isinstance(e, CancelBilling)}
        expected = {
            inv.id
            for inv in account.invoices
            if inv.status in (InvoiceStatus.SCHEDULED, InvoiceStatus.SUBMITTED)
        }
        assert expected == cancelled

    @given(account_states(statuses=st.just(AccountStatus.DELETE)))
    def test_plan_empty_for_an_account_already_cancelled(self, account):
        """CAN-7: for a cancelled account (DELETE, no licences, nothing billable) it is empty."""
        done = attrs.evolve(
            account,
            licence_count=0,
            invoices=tuple(
                inv
                for inv in account.invoices
                if inv.status not in (InvoiceStatus.SCHEDULED, InvoiceStatus.SUBMITTED)
            ),
        )
        assert () == back_office_plan(done, at=NOW, reason="other", account="acme")

    def test_bad_plan_arguments(self):
        """CAN-7: unknown reason, wrong feedback or opt-out types and naive instants are refused."""
        account = _account()
        with pytest.raises(InvalidInput) as excinfo:
            back_office_plan(account, at=NOW, reason="bored", account="acme")
        assert "reason" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo2:
            back_office_plan(account, at=NOW, reason="other", feedback=None, account="acme")  # type: ignore[arg-type]
        assert "feedback" == excinfo2.value.field
        with pytest.raises(InvalidType) as excinfo3:
            back_office_plan(account, at=NOW, reason="other", email_opt_out=1, account="acme")  # type: ignore[arg-type]
        assert "email_opt_out" == excinfo3.value.field
        with pytest.raises(NaiveDatetimeError):
            back_office_plan(account, at=datetime(2024, 5, 1), reason="other", account="acme")  # noqa: DTZ001
        for bad in ("", " ", "4242-4242-4242-4242"):
            with pytest.raises(InvalidInput) as excinfo4:
                back_office_plan(account, at=NOW, reason="other", occasion=bad, account="acme")
            assert "occasion" == excinfo4.value.field
            assert "4242" not in str(excinfo4.value)

    def test_plan_occasion_is_the_day_the_request_or_the_host_s_own(self):
        """CAN-7, X-6: without a request, the plan's occasion is the UTC day it is planned
        on: planned again that day, the same keys; an account re-seated and cancelled a year
        later, new keys. A request names the occasion; the host's own occasion replaces
        either."""
        account = _account()
        first = back_office_plan(account, at=NOW, reason="other", account="acme")
        same_day = back_office_plan(
            account, at=NOW + timedelta(hours=8), reason="other", account="acme"
        )
        next_year = back_office_plan(
            account, at=NOW + timedelta(days=365), reason="other", account="acme"
        )
        assert [e.key for e in first] == [e.key for e in same_day]
        assert not {e.key for e in first} & {e.key for e in next_year}
        assert {"back_office_cancellation:2025-05-10:12"} == {e.occasion for e in next_year}
        own = back_office_plan(
            account, at=NOW, reason="other", occasion="ticket-4711", account="acme"
        )
        assert {"ticket-4711"} == {e.occasion for e in own}
        assert [e.key for e in own] == [
            e.key
            for e in back_office_plan(
                account,
                at=NOW + timedelta(days=40),
                reason="other",
                occasion="ticket-4711",
                account="acme",
            )
        ]

    def test_apply_plan_refuses_unknown_invoice_and_ignores_records(self):
        """CAN-7: a CancelBilling for an invoice the account lacks is an error."""
        with pytest.raises(InvalidInput) as excinfo:
            apply_plan(_account(), effects=[CancelBilling(at=NOW, rule="CAN-7", invoice_id="nope")])
        assert "CancelBilling.invoice_id" == excinfo.value.field
        assert "no invoice 'nope'" == excinfo.value.problem
        with pytest.raises(InvalidInput) as excinfo2:
            apply_plan(
                _account(), effects=[CancelBilling(at=NOW, rule="CAN-7", invoice_id="inv-20240501")]
            )
        assert "no invoice 'inv-•••'" == excinfo2.value.problem  # PM-6: digit runs masked
        account = _account()
        assert account == apply_plan(account, effects=[RevokeAccess(at=NOW, rule="CAN-8")])


class TestAccountState:
    @pytest.mark.parametrize(
        ("kwargs", "field", "error"),
        [
            ({"status": "closed"}, "AccountState.status", InvalidInput),
            ({"currency": "ZZZ"}, "AccountState.currency", InvalidInput),
            ({"currency": 3}, "AccountState.currency", InvalidType),
            ({"invoices": "inv-1"}, "AccountState.invoices", InvalidType),
            ({"invoices": [1]}, "AccountState.invoices[0]", InvalidType),
            ({"licence_count": -1}, "AccountState.licence_count", InvalidInput),
            ({"licence_count": 1.0}, "AccountState.licence_count", InvalidType),
        ],
    )
    def test_bad_fields(self, kwargs, field, error):
        """CAN-1, CAN-7: every field of the account state is validated and named."""
        base: dict[str, object] = {"status": "active", "currency": "USD"}
        with pytest.raises(error) as excinfo:
            AccountState(**{**base, **kwargs})  # type: ignore[arg-type]
        assert field == excinfo.value.field

    def test_duplicate_invoice_id_is_echoed_masked(self):
        """CAN-3, PM-6: a duplicate id is named by its position; its digit runs are masked."""
        inv = _invoice("inv-20240501", "scheduled", "1", 1)
        with pytest.raises(InvalidInput) as excinfo:
            _account(inv, inv)
        assert ("AccountState.invoices[1].id", "duplicate invoice id 'inv-•••'") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    def test_invoices_in_one_currency_with_unique_ids(self):
        """CAN-3: the outstanding amount never mixes currencies; invoice ids are unique."""
        eur = attrs.evolve(
            _invoice("a", "paid", "0", 1, paid_at=NOW),
            amount=Money(0, "EUR"),
            amount_paid=Money(0, "EUR"),
        )
        with pytest.raises(CurrencyMismatch) as excinfo:
            _account(eur)
        assert "AccountState.invoices[0].amount" == excinfo.value.field
        inv = _invoice("a", "scheduled", "1", 1)
        with pytest.raises(InvalidInput) as excinfo2:
            _account(inv, inv)
        assert "AccountState.invoices[1].id" == excinfo2.value.field

    def test_policy_fields(self):
        """CAN-2, CAN-6, CAN-8: the policy's knobs are validated and named."""
        for kwargs, field in [
            ({"self_service": "no"}, "CancellationPolicy.self_service"),
            ({"effective": "tomorrow"}, "CancellationPolicy.effective"),
            ({"support_contact": ""}, "CancellationPolicy.support_contact"),
            ({"reassign_leads_to": 5}, "CancellationPolicy.reassign_leads_to"),
        ]:
            with pytest.raises(BillRulesError) as excinfo:
                CancellationPolicy(**kwargs)  # type: ignore[arg-type]
            assert field == excinfo.value.field  # type: ignore[attr-defined]


class TestDeactivationEffects:
    def test_consequences_at_deactivation(self):
        """CAN-8 (seeds 001, 004): access revoked, leads reassigned and out of the call queue."""
        request = CancellationRequest(
            reason="unused", requested_at=NOW, deactivates_at=PERIOD_END, state="confirmed"
        )
        policy = CancellationPolicy(reassign_leads_to="agent-7")
        assert (
            RevokeAccess(at=PERIOD_END, rule="CAN-8", account="acme"),
            ReassignLeads(at=PERIOD_END, rule="CAN-8", to_agent="agent-7", account="acme"),
            RemoveFromCallQueue(at=PERIOD_END, rule="CAN-8", account="acme"),
        ) == deactivation_effects(request, policy, account="acme")

    def test_withdrawn_request_has_no_consequences(self):
        """CAN-8, CAN-5: a withdrawn request deactivates nothing."""
        request = CancellationRequest(
            reason="unused", requested_at=NOW, deactivates_at=NOW, state="withdrawn"
        )
        assert () == deactivation_effects(request, CancellationPolicy(), account="acme")
        with pytest.raises(InvalidType):
            deactivation_effects(None, CancellationPolicy(), account="acme")  # type: ignore[arg-type]

    @given(cancellation_requests(max_final_payments=0), cancellation_policies())
    def test_every_consequence_is_due_at_deactivation(self, request, policy):
        """CAN-8: every effect is due at the deactivation instant and names CAN-8."""
        effects = deactivation_effects(request, policy, account="acme")
        assert all(e.at == request.deactivates_at and e.rule == "CAN-8" for e in effects)


def test_module_surface():
    """X-1: the module's public names are unique and exist."""
    assert len(set(can.__all__)) == len(can.__all__)
    assert all(hasattr(can, name) for name in can.__all__)


def test_decimal_amount_details():
    """CAN-3: the refusal's amount is exact Money, never a float."""
    account = _account(_invoice("i", "submitted", "0.10", 4), _invoice("j", "submitted", "0.20", 4))
    reason = can_request_cancellation(account, CancellationPolicy(), role="owner").reasons[0]
    assert Decimal("0.30") == reason.details["amount"].amount


class TestMoneyInSentences:
    """X-4: every CAN-3 sentence writes amounts at the currency's minor unit ("10.00 USD")."""

    def test_outstanding_balance_sentence(self):
        """CAN-3 golden: 10 + 0.5 USD due reads "10.50 USD", never "10.5 USD"."""
        account = _account(
            _invoice("inv-1", "submitted", "10", 3), _invoice("inv-2", "failed", "0.5", 4)
        )
        (reason,) = can_request_cancellation(account, CancellationPolicy(), role="owner").reasons
        assert ("outstanding_balance", "CAN-3") == (reason.code, reason.rule)
        assert Money("10.5", "USD") == reason.details["amount"]
        assert (
            "Pay the outstanding 10.50 USD (invoices inv-1, inv-2) before requesting cancellation."
            == reason.message
        )

    def test_whole_amount_is_written_with_its_cents(self):
        """CAN-3 golden: a whole amount of 10 USD reads "10.00 USD", never "10 USD"."""
        account = _account(_invoice("inv-1", "submitted", "10", 3))
        (reason,) = can_request_cancellation(account, CancellationPolicy(), role="owner").reasons
        assert "Pay the outstanding 10.00 USD (invoices inv-1) before requesting cancellation." == (
            reason.message
        )

    @pytest.mark.parametrize(
        ("currency", "amount", "words"),
        [("USD", "-10", "10.00 USD"), ("JPY", "-1234.5", "1235 JPY"), ("BHD", "-1.2", "1.200 BHD")],
    )
    def test_prepaid_debt_sentence(self, currency, amount, words):
        """CAN-3 golden: the prepaid debt is written at the currency's minor unit (JPY none,
        BHD three decimals), rounded half-up like the amount in the details."""
        state = AccountState(
            status="active", currency=currency, prepaid_balance=Money(amount, currency)
        )
        (reason,) = can_request_cancellation(state, CancellationPolicy(), role="owner").reasons
        assert ("prepaid_debt", "CAN-3") == (reason.code, reason.rule)
        assert words == f"{reason.details['amount'].amount} {currency}"
        assert f"Pay the negative balance of {words} before requesting cancellation." == (
            reason.message
        )


# --------------------------------------------------------------------------------------------
# What callers rely on: every reason's code, rule, sentence and details; defaults; boundaries


def _reasons_by_code() -> dict[str, Reason]:
    """One reason of every code the module emits, from scenarios that reach each of them."""
    decisions = [
        can_request_cancellation(_account(), CancellationPolicy(), role="owner"),
        can_request_cancellation(
            AccountState(
                status="suspended",
                currency="USD",
                invoices=(_invoice("inv-1", "submitted", "10", 4),),
                prepaid_balance=Money("-5", "USD"),
            ),
            CancellationPolicy(self_service=False, support_contact="help@example.com"),
            role="staff",
        ),
    ]
    request = CancellationRequest(reason="unused", requested_at=NOW, deactivates_at=NOW)
    completed = attrs.evolve(request, state="completed")
    decisions += [
        can_change_request_state(request, to="confirmed"),
        can_change_request_state(completed, to="withdrawn"),
        can_change_request_state(request, to="completed"),
        can_complete_cancellation(
            _account(_invoice("ar-4", "scheduled", "1", 7), _invoice("ar-3", "scheduled", "1", 6))
        ),
        can_complete_cancellation(_account()),
    ]
    deactivating = attrs.evolve(
        _account(), request=attrs.evolve(request, deactivates_at=PERIOD_END)
    )
    changes = transitions(
        deactivating,
        CancellationPolicy(),
        start=NOW,
        end=PERIOD_END + timedelta(days=1),
        zone="UTC",
    )
    return {
        reason.code: reason
        for reasons in (*(d.reasons for d in decisions), *(t.reasons for t in changes))
        for reason in reasons
    }


_GOLDEN: list[tuple[str, str, str, dict[str, object]]] = [
    ("self_service_available", "CAN-2", "Cancellation can be requested here.", {}),
    (
        "cancel_via_support",
        "CAN-2",
        "Cancellation is not available here; ask help@example.com to cancel the account.",
        {"contact": "help@example.com"},
    ),
    ("is_owner", "CAN-1", "You are the account owner.", {}),
    (
        "owner_only",
        "CAN-1",
        "Only the account owner can request cancellation.",
        {"role": "staff"},
    ),
    ("account_active", "CAN-1", "The account is active.", {}),
    (
        "account_not_active",
        "CAN-1",
        "The account is suspended; only an active account can be cancelled.",
        {"status": "suspended"},
    ),
    (
        "outstanding_balance",
        "CAN-3",
        "Pay the outstanding 10.00 USD (invoices inv-1) before requesting cancellation.",
        {"amount": Money("10", "USD"), "invoice_ids": ("inv-1",)},
    ),
    (
        "prepaid_debt",
        "CAN-3",
        "Pay the negative balance of 5.00 USD before requesting cancellation.",
        {"amount": Money("5", "USD")},
    ),
    ("nothing_outstanding", "CAN-3", "Nothing is outstanding.", {"amount": Money(0, "USD")}),
    (
        "request_transition_allowed",
        "CAN-5",
        "A cancellation request may go from requested to confirmed.",
        {"from": "requested", "to": "confirmed"},
    ),
    (
        "request_state_final",
        "CAN-5",
        "The cancellation request is completed, a final state.",
        {"from": "completed", "to": "withdrawn"},
    ),
    (
        "request_transition_not_allowed",
        "CAN-5",
        "A requested cancellation request cannot become completed; "
        "it may become confirmed, withdrawn.",
        {"from": "requested", "to": "completed", "allowed": ("confirmed", "withdrawn")},
    ),
    (
        "cancellation_effective",
        "CAN-6",
        "The cancellation (unused) takes effect.",
        {"reason": CancellationReason.UNUSED, "at": PERIOD_END},
    ),
    (
        "deactivated",
        "CAN-8",
        "Access is revoked, the leads are reassigned and removed from the call queue.",
        {},
    ),
    (
        "billing_still_scheduled",
        "CAN-9",
        "Billings still scheduled: ar-3, ar-4.",
        {"invoice_ids": ("ar-3", "ar-4")},
    ),
    ("no_billing_scheduled", "CAN-9", "No billing is scheduled.", {}),
]


class TestGoldenReasons:
    @pytest.mark.parametrize(("code", "rule", "message", "details"), _GOLDEN)
    def test_reason(self, code, rule, message, details):
        """CAN-1, CAN-2, CAN-3, CAN-5, CAN-9 golden: each code's rule ID, exact sentence and
        details, as a caller shows or reads them."""
        reason = _reasons_by_code()[code]
        assert (rule, message, details) == (reason.rule, reason.message, dict(reason.details))

    def test_every_code_has_a_golden_row(self):
        """CAN-1 … CAN-9: the golden table holds every reason code the module can give."""
        assert {str(code) for code in CancellationCode} == {row[0] for row in _GOLDEN}
        reasons = _reasons_by_code()
        assert set(CancellationCode) == set(reasons)
        assert all(isinstance(reason.code, CancellationCode) for reason in reasons.values())


class TestBoundaries:
    def test_zero_prepaid_balance_is_nothing_outstanding(self):
        """CAN-3: a prepaid balance of exactly zero is no debt: the condition is met."""
        state = AccountState(status="active", currency="USD", prepaid_balance=Money(0, "USD"))
        decision = can_request_cancellation(state, CancellationPolicy(), role="owner")
        expected = ("self_service_available", "is_owner", "account_active", "nothing_outstanding")
        assert (True, expected) == (decision.allowed, decision.codes)
        cent = attrs.evolve(state, prepaid_balance=Money("-0.01", "USD"))
        debt = can_request_cancellation(cent, CancellationPolicy(), role="owner")
        assert (("prepaid_debt",), Money("0.01", "USD")) == (
            debt.codes,
            debt.reasons[0].details["amount"],
        )

    @pytest.mark.parametrize("timing", ["period_end", "immediately"])
    def test_period_end_at_the_request_is_allowed(self, timing):
        """CAN-6: a period ending at the very instant of the request takes effect then."""
        assert NOW == effective_at(CancellationPolicy(effective=timing), at=NOW, period_end=NOW)

    def test_billing_issued_at_deactivation_is_a_stopped_rebill(self):
        """CAN-4, CAN-6: a scheduled billing issued at ``until`` is not a final payment; one a
        second before is; submitted ones never are; oldest first."""
        at_until = attrs.evolve(_invoice("b", "scheduled", "1", 6), issued_at=PERIOD_END)
        second_before = PERIOD_END - timedelta(seconds=1)
        before = attrs.evolve(
            _invoice("a", "scheduled", "1", 5), issued_at=second_before, due_at=second_before
        )
        older = _invoice("c", "scheduled", "1", 4)
        account = _account(at_until, before, older, _invoice("d", "submitted", "1", 3))
        assert (older, before) == final_payments(account, end=PERIOD_END)


class TestDefaults:
    def test_request_defaults_keep_email_and_no_feedback(self):
        """CAN-4: without ``feedback`` or ``email_opt_out`` the request has none and keeps email."""
        request = request_cancellation(
            _account(), CancellationPolicy(), role="owner", reason="other", at=NOW, period_end=NOW
        )
        assert ("", False, ()) == (request.feedback, request.email_opt_out, request.final_payments)

    def test_plan_defaults_keep_email_and_no_feedback(self):
        """CAN-7: without ``feedback`` or ``email_opt_out`` the plan records none and keeps email."""
        plan = back_office_plan(_account(licences=0), at=NOW, reason="unused", account="acme")
        assert (
            SetAccountStatus(
                at=NOW, rule="CAN-7", status="DELETE", occasion=BACK_OFFICE_0, account="acme"
            ),
            RecordCancellation(
                at=NOW,
                rule="CAN-7",
                reason="unused",
                feedback="",
                occasion=BACK_OFFICE_0,
                account="acme",
            ),
            SetEmailOptOut(
                at=NOW, rule="CAN-7", opt_out=False, occasion=BACK_OFFICE_0, account="acme"
            ),
        ) == plan

    def test_leads_go_to_the_hosts_choice_by_default(self):
        """CAN-8: with no ``reassign_leads_to`` the effect names no agent."""
        request = CancellationRequest(reason="unused", requested_at=NOW, deactivates_at=NOW)
        effects = deactivation_effects(request, CancellationPolicy(), account="acme")
        assert ReassignLeads(at=NOW, rule="CAN-8", to_agent=None, account="acme") == effects[1]

    def test_apply_plan_sets_count_status_and_keeps_other_billings(self):
        """CAN-7, SEAT-5: ``apply_plan`` sets the count and status given and cancels only the
        billings named, keeping the others and their order."""
        first = _invoice("x", "scheduled", "1", 6)
        second = _invoice("y", "scheduled", "1", 7)
        account = _account(first, second, licences=12)
        effects = [
            SetLicenceCount(at=NOW, rule="SEAT-5", count=3),
            SetAccountStatus(at=NOW, rule="CAN-7", status="suspended"),
            CancelBilling(at=NOW, rule="CAN-7", invoice_id="y"),
        ]
        done = apply_plan(account, effects=effects)
        assert (3, AccountStatus.SUSPENDED) == (done.licence_count, done.status)
        assert (first, attrs.evolve(second, status="cancelled")) == done.invoices


_LATER = NOW + timedelta(seconds=1)
_ERRORS = [
    (
        lambda: effective_at(CancellationPolicy(), at=_LATER, period_end=NOW),
        "period_end",
        "must not be before at",
    ),
    (
        lambda: CancellationRequest(reason="other", requested_at=_LATER, deactivates_at=NOW),
        "CancellationRequest.deactivates_at",
        "must not be before requested_at",
    ),
    (
        lambda: apply_plan(
            _account(), effects=[SetAccountStatus(at=NOW, rule="CAN-7", status="closed")]
        ),
        "SetAccountStatus.status",
        "unknown value 'closed'; expected one of 'active', 'suspended', 'DELETE'",
    ),
    (
        lambda: change_request_state(
            CancellationRequest(reason="other", requested_at=NOW, deactivates_at=NOW), to="paused"
        ),
        "to",
        "unknown value 'paused'; expected one of 'requested', 'confirmed', 'completed', "
        "'withdrawn'",
    ),
]


@pytest.mark.parametrize(("call", "field", "problem"), _ERRORS)
def test_golden_errors(call, field, problem):
    """CAN-4, CAN-5, CAN-6, CAN-7 bad input golden: the field named and the exact problem."""
    with pytest.raises(InvalidInput) as excinfo:
        call()
    assert (field, problem) == (excinfo.value.field, excinfo.value.problem)


# --------------------------------------------------------------------------------------------
# The area contract


def _window() -> st.SearchStrategy[tuple[datetime, datetime, datetime]]:
    """Three instants a <= b <= c around the requests the strategies draw."""
    hours = st.integers(min_value=0, max_value=40 * 365 * 24)
    base = datetime(1995, 1, 1, tzinfo=UTC)
    return st.lists(hours, min_size=3, max_size=3).map(
        lambda xs: tuple(base + timedelta(hours=x) for x in sorted(xs))  # type: ignore[return-value]
    )


_WITH_REQUESTS = account_states(requests=st.none() | cancellation_requests(max_final_payments=0))


class TestContract:
    REQUEST = CancellationRequest(
        reason="unused", requested_at=NOW, deactivates_at=PERIOD_END, state="confirmed"
    )

    def test_transition_at_deactivation(self):
        """CAN-6, CAN-8: the cancellation takes effect at the deactivation, with its effects."""
        state = attrs.evolve(_account(), request=self.REQUEST)
        policy = CancellationPolicy(reassign_leads_to="agent-7")
        (change,) = transitions(
            state, policy, start=NOW, end=PERIOD_END + timedelta(seconds=1), zone="UTC"
        )
        assert (PERIOD_END, "cancellation", CancellationKind.CANCELLATION_EFFECTIVE) == (
            change.at,
            change.area,
            change.kind,
        )
        assert ("CAN-6", "CAN-8") == change.rules
        stamped = deactivation_effects(self.REQUEST, policy, account="acme")
        # the area's own transition is account-free: the evaluation stamps the account
        assert tuple(attrs.evolve(e, account=None) for e in stamped) == change.effects
        assert stamped == tuple(attrs.evolve(e, account="acme") for e in change.effects)
        assert (
            "The cancellation (unused) takes effect. Access is revoked, the leads are "
            "reassigned and removed from the call queue."
        ) == change.description
        assert [] == list(transitions(state, policy, start=NOW, end=PERIOD_END, zone="UTC"))

    def test_withdrawn_or_no_request_changes_nothing(self):
        """CAN-5, CAN-6: a withdrawn request neither takes effect nor stops billing."""
        withdrawn = attrs.evolve(_account(), request=attrs.evolve(self.REQUEST, state="withdrawn"))
        policy = CancellationPolicy()
        far = NOW.replace(year=2124)
        for state in (withdrawn, _account()):
            assert [] == list(transitions(state, policy, start=NOW, end=far, zone="UTC"))
            assert () == suspensions(state, policy, zone="UTC")

    def test_suspension_from_deactivation(self):
        """CAN-6: no rebill from the deactivation on, for good."""
        state = attrs.evolve(_account(), request=self.REQUEST)
        assert (Suspension(start=PERIOD_END, end=None, rule="CAN-6"),) == suspensions(
            state, CancellationPolicy(), zone="UTC"
        )

    def test_lazy_and_bad_window(self):
        """X-5: the first of a hundred years is cheap; the end must not precede the start."""
        state = attrs.evolve(_account(), request=self.REQUEST)
        far = NOW.replace(year=2124)
        first = next(transitions(state, CancellationPolicy(), start=NOW, end=far, zone="UTC"))
        assert PERIOD_END == first.at
        with pytest.raises(InvalidInput) as excinfo:
            transitions(state, CancellationPolicy(), start=PERIOD_END, end=NOW, zone="UTC")
        assert "end" == excinfo.value.field

    def test_request_is_validated(self):
        """CAN-4: the account's request is a CancellationRequest or None."""
        with pytest.raises(InvalidType) as excinfo:
            AccountState(status="active", currency="USD", request="cancel")
        assert "AccountState.request" == excinfo.value.field

    @given(_WITH_REQUESTS, cancellation_policies(), _window())
    def test_split_and_order(self, state, policy, window):
        """X-5: [a, c) is [a, b) followed by [b, c), in time order, inside the window."""
        a, b, c = window
        whole = list(transitions(state, policy, start=a, end=c, zone="UTC"))
        left = list(transitions(state, policy, start=a, end=b, zone="UTC"))
        right = list(transitions(state, policy, start=b, end=c, zone="UTC"))
        assert whole == left + right
        assert [t.at for t in whole] == sorted(t.at for t in whole)
        assert all(a <= t.at < c for t in whole)
        spans = suspensions(state, policy, zone="UTC")
        assert all(span.start == t.at for t in whole for span in spans)

    @given(_WITH_REQUESTS, cancellation_policies(), st.sampled_from(Role))
    def test_findings_agree_with_the_questions(self, state, policy, role):
        """CAN-1, CAN-2, CAN-3, CAN-9: the findings carry the area's own decisions."""
        (scheduled,) = findings(state, policy, at=NOW, zone="UTC")
        assert CancellationQuestion.NOTHING_SCHEDULED is scheduled.question
        assert can_complete_cancellation(state) == scheduled.decision
        assert (
            "No billing is scheduled." if scheduled.allowed else "Billings are still scheduled."
        ) == (scheduled.summary)
        (may,) = role_findings(state, policy, role=role, at=NOW, zone="UTC")
        assert CancellationQuestion.REQUEST_CANCELLATION is may.question
        assert can_request_cancellation(state, policy, role=role) == may.decision
        assert (
            "May request cancellation." if may.allowed else "May not request cancellation."
        ) == (may.summary)
        assert {"cancellation"} == {scheduled.area, may.area}

    @given(_WITH_REQUESTS, cancellation_policies(), st.sampled_from(Role), _window())
    def test_every_reason_uses_a_cancellation_code(self, state, policy, role, window):
        """X-1: every reason the area gives is a CancellationCode whose sentence renders."""
        a, _, c = window
        reasons = [
            *can_request_cancellation(state, policy, role=role).reasons,
            *can_complete_cancellation(state).reasons,
            *(r for t in transitions(state, policy, start=a, end=c, zone="UTC") for r in t.reasons),
        ]
        if state.request is not None:
            for to in RequestState:
                reasons += can_change_request_state(state.request, to=to).reasons
        assert all(isinstance(reason.code, CancellationCode) for reason in reasons)
        assert all(reason.message and "{" not in reason.message for reason in reasons)


def _asked_from_scratch(state: AccountState, policy: CancellationPolicy, role: Role) -> Decision:
    """CAN-1, CAN-2, CAN-3 asked condition by condition, in the rules' order, sharing nothing."""
    refusals: list[Reason] = []
    met: list[Reason] = []
    if policy.self_service:
        met.append(Reason(code=CancellationCode.SELF_SERVICE_AVAILABLE))
    else:
        details = {"contact": policy.support_contact}
        refusals.append(Reason(code=CancellationCode.CANCEL_VIA_SUPPORT, details=details))
    if role is Role.OWNER:
        met.append(Reason(code=CancellationCode.IS_OWNER))
    else:
        details = {"role": str(role)}
        refusals.append(Reason(code=CancellationCode.OWNER_ONLY, details=details))
    if state.status is AccountStatus.ACTIVE:
        met.append(Reason(code=CancellationCode.ACCOUNT_ACTIVE))
    else:
        details = {"status": str(state.status)}
        refusals.append(Reason(code=CancellationCode.ACCOUNT_NOT_ACTIVE, details=details))
    due = outstanding_invoices(state.invoices)
    amount = outstanding(state.invoices, currency=state.currency)
    if due:
        details = {"amount": amount, "invoice_ids": tuple(inv.id for inv in due)}
        refusals.append(Reason(code=CancellationCode.OUTSTANDING_BALANCE, details=details))
    debt = state.prepaid_balance
    if debt is not None and debt.amount < 0:
        details = {"amount": round_to_minor_unit(-debt)}
        refusals.append(Reason(code=CancellationCode.PREPAID_DEBT, details=details))
    if refusals:
        return Decision.refuse(*refusals)
    last = Reason(code=CancellationCode.NOTHING_OUTSTANDING, details={"amount": amount})
    return Decision.allow(*met, last)


class TestSharedWork:
    """CAN-1 … CAN-3: what every role shares is computed once per state and per policy."""

    @given(
        _WITH_REQUESTS,
        cancellation_policies(),
        st.permutations(list(Role)),
        st.none() | st.decimals(min_value=-1000, max_value=1000, places=3),
    )
    def test_every_role_gets_the_answer_asked_from_scratch(self, state, policy, roles, balance):
        """Asked for the roles in any order, each answer is the one asked from scratch."""
        if balance is not None:
            state = attrs.evolve(state, prepaid_balance=Money(balance, "USD"))
        for role in roles:
            expected = _asked_from_scratch(state, policy, role)
            assert expected == can_request_cancellation(state, policy, role=role)
            (may,) = role_findings(state, policy, role=role, at=NOW, zone="UTC")
            assert expected == may.decision
            assert expected.message == may.decision.message

    @given(_WITH_REQUESTS, cancellation_policies())
    def test_the_cache_is_no_field(self, state, policy):
        """A state and a policy with their caches filled equal, hash and pickle as fresh ones."""
        fresh_state = pickle.loads(pickle.dumps(state))
        fresh_policy = pickle.loads(pickle.dumps(policy))
        for role in Role:
            role_findings(state, policy, role=role, at=NOW, zone="UTC")
        findings(state, policy, at=NOW, zone="UTC")
        for value, fresh in ((state, fresh_state), (policy, fresh_policy)):
            copy = pickle.loads(pickle.dumps(value))
            assert (fresh, hash(fresh)) == (value, hash(value))
            assert (value, hash(value)) == (copy, hash(copy))
            assert pickle.dumps(fresh) == pickle.dumps(value)
        assert role_findings(state, policy, role="admin", at=NOW, zone="UTC") == role_findings(
            fresh_state, fresh_policy, role="admin", at=NOW, zone="UTC"
        )
        assert findings(state, policy, at=NOW, zone="UTC") == findings(
            fresh_state, fresh_policy, at=NOW, zone="UTC"
        )

    @given(_WITH_REQUESTS, cancellation_policies(), st.permutations(list(Role)))
    def test_a_role_refused_by_the_policy_alone_gets_the_policys_finding(
        self, state, policy, roles
    ):
        """CAN-1, CAN-2: where the account itself could cancel (active, nothing outstanding,
        no debt), a role refused by CAN-1 or CAN-2 gets one finding built once per policy:
        the same value for every such account, equal to the decision asked from scratch; the
        owner with self-service on is allowed with this account's own reasons."""
        clear = attrs.evolve(
            state,
            status=AccountStatus.ACTIVE,
            invoices=tuple(inv for inv in state.invoices if not inv.amount_due.amount),
            prepaid_balance=None,
        )
        other = AccountState(status="active", currency="USD")
        for role in roles:
            expected = _asked_from_scratch(clear, policy, role)
            (may,) = found = role_findings(clear, policy, role=role, at=NOW, zone="UTC")
            assert (CancellationQuestion.REQUEST_CANCELLATION, expected) == (
                may.question,
                may.decision,
            )
            again = role_findings(other, policy, role=role, at=NOW, zone="UTC")
            if role is Role.OWNER and policy.self_service:
                assert expected.allowed
                assert ("CAN-2", "CAN-1", "CAN-3") == may.rules
            else:
                assert not expected.allowed
                assert found is again  # built once for the policy and the role
            assert _asked_from_scratch(other, policy, role) == again[0].decision

    @given(_WITH_REQUESTS)
    def test_nothing_scheduled_is_one_finding(self, state):
        """CAN-9: an account with nothing scheduled gets the one finding built at import; an
        account with billings still scheduled gets its own, naming them."""
        policy = CancellationPolicy()
        (found,) = findings(state, policy, at=NOW, zone="UTC")
        assert CancellationQuestion.NOTHING_SCHEDULED == found.question
        assert can_complete_cancellation(state) == found.decision
        other = AccountState(status="active", currency="USD")
        if found.allowed:
            assert findings(state, policy, at=NOW, zone="UTC") is findings(
                other, policy, at=NOW, zone="UTC"
            )
        else:
            ids = tuple(inv.id for inv in still_scheduled(state))
            assert {"invoice_ids": ids} == dict(found.reasons[0].details)

    @given(_WITH_REQUESTS, cancellation_policies())
    def test_a_policys_filled_caches_change_nothing(self, state, policy):
        """The findings a policy builds once leave its equality, hash and pickle alone, and a
        pickled copy answers the same."""
        fresh = pickle.loads(pickle.dumps(policy))
        clear = AccountState(status="active", currency="USD")
        answers = [role_findings(clear, policy, role=role, at=NOW, zone="UTC") for role in Role]
        copy = pickle.loads(pickle.dumps(policy))
        assert (fresh, hash(fresh)) == (policy, hash(policy)) == (copy, hash(copy))
        assert pickle.dumps(fresh) == pickle.dumps(policy)
        assert answers == [
            role_findings(clear, copy, role=role, at=NOW, zone="UTC") for role in Role
        ]
        assert attrs.evolve(policy) == policy
