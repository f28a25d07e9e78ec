"""Tests for :func:`billrules.apply` (X-9): the account after the host carried out effects.

Each kind of effect that changes a fact makes exactly its change (BAL-4/BAL-7, DEL-1/DEL-3,
DEL-7, CAN-7, SEAT-5, INV-2); every other kind changes nothing; the same effects applied twice
change nothing more; a refused list names the effect at fault and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules import apply
from billrules._redact import shown
from billrules.account import Account, User, account_state
from billrules.balance import EntryKind, Ledger, LedgerEntry
from billrules.cancellation import AccountStatus, CancellationReason, apply_plan, back_office_plan
from billrules.decisions import PolicyViolation
from billrules.deletion import DeletionSchedule, DeletionScheduleKind
from billrules.effects import (
    CancelBilling,
    ChargePaymentMethod,
    DeactivateUser,
    DebitBalance,
    DeleteAccount,
    Effect,
    HideBanner,
    PurgeData,
    ReassignLeads,
    RecordCancellation,
    RecordDeletionOutcome,
    RemoveFromCallQueue,
    RestoreAccount,
    RevokeAccess,
    ScheduleDeletion,
    SendEmail,
    SetAccess,
    SetAccountStatus,
    SetEmailOptOut,
    SetLicenceCount,
    ShowBanner,
)
from billrules.errors import CurrencyMismatch, InvalidInput, InvalidType
from billrules.invoices import Invoice, InvoiceStatus
from billrules.seats import SeatPool
from billrules.testing import accounts, effects

AT = datetime(2024, 5, 1, tzinfo=UTC)
USD = "USD"


def _usd(amount: str) -> Money:
    return Money(amount, USD)


def _invoice(ident: str, status: str) -> Invoice:
    return Invoice(
        id=ident,
        status=status,
        amount=_usd("19.00"),
        issued_at=datetime(2024, 4, 1, tzinfo=UTC),
        due_at=datetime(2024, 4, 15, tzinfo=UTC),
    )


#: An account with every fact an effect changes: a ledger, seats, billings, no schedule.
ACME = Account(
    id="acme",
    zone="Europe/Kyiv",
    currency=USD,
    created_at=datetime(2023, 1, 1, tzinfo=UTC),
    users=(User(id="ann", role="owner"), User(id="sam", role="staff")),
    ledger=Ledger(
        currency=USD,
        entries=(
            LedgerEntry(
                id="pay-1", kind="payment", at=datetime(2023, 1, 2, tzinfo=UTC), amount=_usd("50")
            ),
        ),
    ),
    seats=SeatPool(total=3, occupants=("ann", "sam")),
    invoices=(_invoice("inv-1", "scheduled"), _invoice("inv-2", "submitted")),
)


def _debit(**changes: Any) -> DebitBalance:
    fields: dict[str, Any] = {
        "at": AT,
        "rule": "BAL-7",
        "account": "acme",
        "occasion": "charge-2024-05",
        "amount": _usd("19.00"),
        "description": "Usage of 2024-05",
    }
    return DebitBalance(**{**fields, **changes})


def _schedule(at: datetime = AT, kind: str = "automatic") -> ScheduleDeletion:
    return ScheduleDeletion(at=at, rule="DEL-1", account="acme", deletion_kind=kind)


def _field_error(kind: type[Exception], call: Any) -> Any:
    with pytest.raises(kind) as raised:
        call()
    return raised.value


class TestReviewedRefusals:
    """Refusals that name the effect, and the owner's deletion that stands (DEL-2)."""

    def test_a_later_schedule_does_not_replace_the_owners_pending_deletion(self) -> None:
        """DEL-2, DEL-3: the owner's deletion, pending, is not replaced by a later automatic
        schedule (only a schedule that is over makes way); nothing changes."""
        manual = apply(ACME, [_schedule(kind="manual")])
        error = _field_error(
            InvalidInput, lambda: apply(manual, [_schedule(at=AT + timedelta(days=4))])
        )
        assert "effects[0]" == error.field
        cancelled = attrs.evolve(
            manual,
            deletion_schedule=attrs.evolve(
                manual.deletion_schedule, cancelled_at=AT + timedelta(days=1)
            ),
        )
        later = apply(cancelled, [_schedule(at=AT + timedelta(days=4))])
        assert later.deletion_schedule is not None
        assert AT + timedelta(days=4) == later.deletion_schedule.scheduled_at

    def test_a_debit_in_another_currency_names_the_effects_amount(self) -> None:
        """X-4: a debit in EUR on a USD ledger is refused naming ``effects[0].amount``."""
        error = _field_error(
            CurrencyMismatch, lambda: apply(ACME, [_debit(amount=Money("19.00", "EUR"))])
        )
        assert "effects[0].amount" == error.field

    def test_an_outcome_on_a_cancelled_schedule_names_the_effect(self) -> None:
        """DEL-3, DEL-7: a cancelled deletion is not kept: the outcome is refused naming
        ``effects[1]``."""
        scheduled = apply(ACME, [_schedule()])
        cancelled = attrs.evolve(
            scheduled,
            deletion_schedule=attrs.evolve(
                scheduled.deletion_schedule, cancelled_at=AT + timedelta(days=1)
            ),
        )
        outcome = RecordDeletionOutcome(
            at=AT + timedelta(days=10), rule="DEL-7", account="acme", kept_because=("recent_login",)
        )
        error = _field_error(InvalidInput, lambda: apply(cancelled, [_debit(), outcome]))
        assert "effects[1]" == error.field


class TestFactChangingEffects:
    """Each kind of effect that changes a fact makes its change, and only it (X-9)."""

    def test_debit_adds_the_charge_entry_its_occasion_names(self) -> None:
        """BAL-4, BAL-7: a debit adds the ledger entry ``id=occasion``, kind charge, amount
        the negated debit, at the effect's instant, with its description."""
        applied = apply(ACME, [_debit()])
        assert applied.ledger is not None
        assert ACME.ledger is not None
        assert applied.ledger.entries[:-1] == ACME.ledger.entries
        entry = applied.ledger.entries[-1]
        assert "charge-2024-05" == entry.id
        assert EntryKind.CHARGE is entry.kind
        assert _usd("-19.00") == entry.amount
        assert AT == entry.at
        assert "Usage of 2024-05" == entry.description
        assert attrs.evolve(applied, ledger=ACME.ledger) == ACME

    def test_debit_already_recorded_changes_nothing(self) -> None:
        """BAL-7: a ledger already holding the entry id is not drawn again."""
        once = apply(ACME, [_debit()])
        assert apply(once, [_debit()]) is once
        assert apply(once, [_debit(at=AT + timedelta(days=3), amount=_usd("5"))]) is once

    def test_schedule_deletion_sets_the_schedule(self) -> None:
        """DEL-1, DEL-3 (DEL-2 for a manual one): the schedule opened at the effect's instant."""
        for kind in DeletionScheduleKind:
            applied = apply(ACME, [_schedule(kind=kind.value)])
            assert DeletionSchedule(scheduled_at=AT, kind=kind) == applied.deletion_schedule
            assert attrs.evolve(applied, deletion_schedule=None) == ACME

    def test_the_same_schedule_on_another_clock_changes_nothing(self) -> None:
        """DEL-1: the schedule already there, the instant shown in another zone: no change."""
        scheduled = apply(ACME, [_schedule()])
        elsewhere = AT.astimezone(ACME.zone)
        assert apply(scheduled, [_schedule(at=elsewhere)]) is scheduled

    def test_record_deletion_outcome_records_kept(self) -> None:
        """DEL-7: the schedule records the instant the account was kept, and why."""
        scheduled = apply(ACME, [_schedule()])
        kept_at = AT + timedelta(days=10)
        outcome = RecordDeletionOutcome(
            at=kept_at, rule="DEL-7", account="acme", kept_because=("recent_login",)
        )
        applied = apply(scheduled, [outcome])
        assert applied.deletion_schedule == DeletionSchedule(
            scheduled_at=AT, kind="automatic", kept_at=kept_at, kept_because=("recent_login",)
        )
        assert apply(applied, [outcome]) is applied

    def test_set_account_status(self) -> None:
        """CAN-7: the status is set."""
        effect = SetAccountStatus(at=AT, rule="CAN-7", account="acme", status="DELETE")
        applied = apply(ACME, [effect])
        assert AccountStatus.DELETE is applied.status
        assert attrs.evolve(applied, status=ACME.status) == ACME

    def test_set_licence_count(self) -> None:
        """SEAT-5, CAN-7: the number of licences is set; the occupants stay."""
        effect = SetLicenceCount(at=AT, rule="SEAT-5", account="acme", count=2)
        applied = apply(ACME, [effect])
        assert SeatPool(total=2, occupants=("ann", "sam")) == applied.seats
        assert apply(applied, [effect]) is applied

    def test_deactivate_user_frees_the_seat(self) -> None:
        """SEAT-5: the user no longer occupies a seat; a user without a seat changes nothing."""
        effect = DeactivateUser(at=AT, rule="SEAT-5", account="acme", user_id="sam")
        applied = apply(ACME, [effect])
        assert SeatPool(total=3, occupants=("ann",)) == applied.seats
        assert applied.users == ACME.users
        assert apply(applied, [effect]) is applied

    def test_cancel_billing_moves_the_invoice_to_cancelled(self) -> None:
        """CAN-7, INV-2: the billing moves to cancelled through the INV-2 transition; the
        others stay as they were, in their order."""
        effect = CancelBilling(at=AT, rule="CAN-7", account="acme", invoice_id="inv-2")
        applied = apply(ACME, [effect])
        assert ("inv-1", "inv-2") == tuple(invoice.id for invoice in applied.invoices)
        assert applied.invoices[0] == ACME.invoices[0]
        assert InvoiceStatus.CANCELLED is applied.invoices[1].status
        assert apply(applied, [effect]) is applied


class TestNothingChanges:
    """Effects that only tell the outside world change nothing; the very account comes back."""

    def test_no_effects(self) -> None:
        """X-9: nothing to apply, the very account."""
        assert apply(ACME, []) is ACME
        assert apply(ACME, iter(())) is ACME

    def test_the_same_effects_twice_change_nothing(self) -> None:
        """X-9: every fact-changing kind, applied again on its result: the very same object
        (the status aside: see ``test_the_same_status_again_returns_the_very_account``)."""
        every = [
            _debit(),
            _schedule(),
            DeactivateUser(at=AT, rule="SEAT-5", account="acme", user_id="sam"),
            DeactivateUser(at=AT, rule="SEAT-5", account="acme", user_id="ann"),
            SetLicenceCount(at=AT, rule="SEAT-5", account="acme", count=0),
            CancelBilling(at=AT, rule="CAN-7", account="acme", invoice_id="inv-1"),
            RecordDeletionOutcome(
                at=AT + timedelta(days=10),
                rule="DEL-7",
                account="acme",
                kept_because=("balance_remaining",),
            ),
        ]
        once = apply(ACME, every)
        assert once != ACME
        assert apply(once, every) is once
        for effect in every:
            assert apply(once, [effect]) is once
        assert apply(ACME, every + every) == once
        status = SetAccountStatus(at=AT, rule="CAN-7", account="acme", status="DELETE")
        assert apply(apply(once, [status]), [status]) == apply(once, [status])

    def test_the_same_status_again_returns_the_very_account(self) -> None:
        """CAN-7, X-9: a status the account already has changes nothing: the very object."""
        effect = SetAccountStatus(at=AT, rule="CAN-7", account="acme", status="active")
        assert AccountStatus.ACTIVE is ACME.status
        assert apply(ACME, [effect]) is ACME

    @pytest.mark.parametrize(
        "effect",
        [
            SendEmail(at=AT, rule="DEL-3", template="deletion_notice", to="owner", account="acme"),
            ShowBanner(at=AT, rule="DEL-5", banner="deletion", account="acme"),
            HideBanner(at=AT, rule="DEL-5", banner="deletion", account="acme"),
            SetAccess(at=AT, rule="DUN-1", stage="s1", access={"owner": "blocked"}, account="acme"),
            DeleteAccount(at=AT, rule="DEL-6", account="acme"),
            PurgeData(at=AT, rule="DEL-6", account="acme"),
            RestoreAccount(at=AT, rule="DEL-6", account="acme"),
            RevokeAccess(at=AT, rule="CAN-8", account="acme"),
            ReassignLeads(at=AT, rule="CAN-8", account="acme"),
            RemoveFromCallQueue(at=AT, rule="CAN-8", account="acme"),
            RecordCancellation(at=AT, rule="CAN-7", reason="other", account="acme"),
            SetEmailOptOut(at=AT, rule="CAN-7", opt_out=True, account="acme"),
            ChargePaymentMethod(
                at=AT,
                rule="INV-3",
                amount=_usd("19"),
                method_id="pm-1",
                invoice_id="inv-1",
                account="acme",
            ),
        ],
        ids=lambda effect: effect.kind,
    )
    def test_other_kinds_change_nothing(self, effect: Effect) -> None:
        """X-9: emails, banners, access, a deletion or purge the host executes, records…
        change nothing in the account: the very same object."""
        assert apply(ACME, [effect]) is ACME

    @given(accounts(), st.lists(effects(), max_size=4))
    def test_any_effects_once_applied_change_nothing_more(
        self, account: Account, found: list[Effect]
    ) -> None:
        """X-9 property: generated effects naming the account, when they apply at all, applied
        again to the result give an equal account; the very same object without a status
        (see ``test_the_same_status_again_returns_the_very_account``) and without two
        licence counts."""
        named = [attrs.evolve(effect, account=account.id) for effect in found]
        try:
            once = apply(account, named)
        except InvalidInput:
            return  # a change that cannot be made (a debit without a ledger…): refused
        again = apply(once, named)
        assert again == once
        counts = [effect for effect in named if isinstance(effect, SetLicenceCount)]
        if not any(isinstance(effect, SetAccountStatus) for effect in named) and len(counts) < 2:
            # Two licence counts set the pool and set it back: an equal copy, not the object.
            assert again is once


class TestRefusals:
    """A refused list names the effect at fault, never echoes a card number, changes nothing."""

    def test_another_accounts_effect(self) -> None:
        """X-6, X-9: an effect naming another account: ``effects[1].account``."""
        error = _field_error(
            InvalidInput, lambda: apply(ACME, [_debit(), attrs.evolve(_debit(), account="globex")])
        )
        assert "effects[1].account" == error.field
        assert "another account" in str(error)

    def test_an_effect_without_account(self) -> None:
        """X-9: an effect naming no account is refused: ``effects[0].account``."""
        error = _field_error(InvalidInput, lambda: apply(ACME, [_debit(account=None)]))
        assert "effects[0].account" == error.field
        assert "no account" in str(error)

    @pytest.mark.parametrize("item", [None, "charge-2024-05", {"kind": "debit_balance"}, 1])
    def test_a_non_effect_item(self, item: object) -> None:
        """X-9: an item that is not an effect: InvalidType naming ``effects[0]``."""
        error = _field_error(InvalidType, lambda: apply(ACME, [item]))  # type: ignore[list-item]  # the refusal tested
        assert "effects[0]" == error.field

    @pytest.mark.parametrize("value", [None, "acme", {"id": "acme"}, account_state(ACME, at=AT)])
    def test_a_non_account(self, value: object) -> None:
        """X-9: ``account`` must be an Account: InvalidType naming ``account``."""
        error = _field_error(InvalidType, lambda: apply(value, []))  # type: ignore[arg-type]  # the refusal tested
        assert "account" == error.field

    @pytest.mark.parametrize("value", ["charge-2024-05", b"x", 3, None])
    def test_effects_not_a_collection(self, value: object) -> None:
        """X-9: ``effects`` must be effects, not text or a scalar: InvalidType naming it."""
        error = _field_error(InvalidType, lambda: apply(ACME, value))  # type: ignore[arg-type]  # the refusal tested
        assert "effects" == error.field

    def test_a_debit_without_a_ledger(self) -> None:
        """BAL-7: a postpaid account has no balance to draw: ``effects[0]``."""
        postpaid = attrs.evolve(ACME, ledger=None)
        error = _field_error(InvalidInput, lambda: apply(postpaid, [_debit()]))
        assert "effects[0]" == error.field

    def test_a_debit_without_occasion(self) -> None:
        """BAL-7: the entry id is the occasion; without one: ``effects[0].occasion``."""
        error = _field_error(InvalidInput, lambda: apply(ACME, [_debit(occasion=None)]))
        assert "effects[0].occasion" == error.field

    def test_a_second_different_schedule(self) -> None:
        """DEL-1: another schedule at the recorded instant (another kind) is refused; a later
        one replaces it (the run asks for one only once the recorded one is over); an earlier
        one belongs to a schedule since replaced and changes nothing."""
        scheduled = apply(ACME, [_schedule()])
        error = _field_error(InvalidInput, lambda: apply(scheduled, [_schedule(kind="manual")]))
        assert "effects[0]" == error.field
        error = _field_error(
            InvalidInput, lambda: apply(ACME, [_schedule(), _schedule(kind="manual")])
        )
        assert "effects[1]" == error.field
        later = apply(scheduled, [_schedule(at=AT + timedelta(days=1))])
        assert later.deletion_schedule is not None
        assert AT + timedelta(days=1) == later.deletion_schedule.scheduled_at
        assert later is apply(later, [_schedule()])

    def test_an_outcome_without_a_schedule(self) -> None:
        """DEL-7: an outcome needs the schedule it is recorded on."""
        outcome = RecordDeletionOutcome(
            at=AT, rule="DEL-7", account="acme", kept_because=("recent_login",)
        )
        error = _field_error(InvalidInput, lambda: apply(ACME, [outcome]))
        assert "effects[0]" == error.field

    def test_another_outcome_is_refused(self) -> None:
        """DEL-7: a schedule recording one outcome refuses another instant's: ``effects[0]``."""
        scheduled = apply(ACME, [_schedule()])
        kept = apply(
            scheduled,
            [
                RecordDeletionOutcome(
                    at=AT + timedelta(days=10), rule="DEL-7", account="acme", kept_because=("x",)
                )
            ],
        )
        other = RecordDeletionOutcome(
            at=AT + timedelta(days=11), rule="DEL-7", account="acme", kept_because=("x",)
        )
        error = _field_error(InvalidInput, lambda: apply(kept, [other]))
        assert "effects[0]" == error.field

    def test_licences_without_a_seat_pool(self) -> None:
        """SEAT-5: no seat pool, no licence count to set."""
        effect = SetLicenceCount(at=AT, rule="SEAT-5", account="acme", count=0)
        error = _field_error(InvalidInput, lambda: apply(attrs.evolve(ACME, seats=None), [effect]))
        assert "effects[0]" == error.field

    def test_an_unknown_status(self) -> None:
        """CAN-7: a status that is none of the account's statuses: ``effects[0].status``."""
        effect = SetAccountStatus(at=AT, rule="CAN-7", account="acme", status="gone")
        error = _field_error(InvalidInput, lambda: apply(ACME, [effect]))
        assert "effects[0].status" == error.field

    def test_cancel_billing_of_an_unknown_invoice_never_echoes_digits(self) -> None:
        """INV-2, PM-6: a billing the account does not have: ``effects[0].invoice_id``; the
        id is shown only as ``_redact.shown`` masks it (its long digit run never repeated)."""
        effect = CancelBilling(at=AT, rule="CAN-7", account="acme", invoice_id="inv-98765432")
        error = _field_error(InvalidInput, lambda: apply(ACME, [effect]))
        assert "effects[0].invoice_id" == error.field
        assert "98765432" not in str(error)
        assert shown("inv-98765432") in str(error)

    def test_cancel_billing_of_a_paid_invoice_is_refused_by_inv_2(self) -> None:
        """INV-2: a paid billing is final: the list is refused (PolicyViolation, rule INV-2)
        and nothing of it applies."""
        paid = Invoice(
            id="inv-3",
            status="paid",
            amount=_usd("19"),
            amount_paid=_usd("19"),
            paid_at=AT,
            issued_at=AT,
            due_at=AT,
        )
        account = attrs.evolve(ACME, invoices=(paid,))
        effect = CancelBilling(at=AT, rule="CAN-7", account="acme", invoice_id="inv-3")
        error = _field_error(PolicyViolation, lambda: apply(account, [_debit(), effect]))
        assert "INV-2" in error.decision.rules
        assert not error.decision.allowed

    def test_nothing_is_half_applied(self) -> None:
        """X-9: a list whose second effect is refused: the call raises, returns nothing, and
        the account (immutable) is as before; its first effect alone still applies."""
        before = attrs.evolve(ACME)
        refused = [_debit(), _debit(account="globex")]
        result: list[Account] = []
        with pytest.raises(InvalidInput):
            result.append(apply(ACME, refused))
        assert [] == result
        assert before == ACME
        assert ACME.ledger is not None
        assert 1 == len(ACME.ledger.entries)
        assert apply(ACME, refused[:1]) != ACME


class TestOperationsEffects:
    """The effects an operation returns, applied, give the state the operation's own helper
    gives (CAN-7, SEAT-5, INV-2)."""

    def test_back_office_plan_applied_as_apply_plan_gives(self) -> None:
        """CAN-7: the plan of an account with free seats: status DELETE, licences 0, both
        billings cancelled, as :func:`cancellation.apply_plan` gives."""
        account = attrs.evolve(ACME, seats=SeatPool(total=3))
        state = account_state(account, at=AT)
        plan = back_office_plan(state, account="acme", at=AT, reason="other")
        applied = apply(account, plan)
        expected = apply_plan(state, effects=plan)
        assert AccountStatus.DELETE is applied.status is expected.status
        assert applied.seats is not None
        assert 0 == applied.seats.total == expected.licence_count
        assert applied.invoices == expected.invoices
        assert {InvoiceStatus.CANCELLED} == {invoice.status for invoice in applied.invoices}
        again = back_office_plan(
            account_state(applied, at=AT), account="acme", at=AT, reason="other"
        )
        assert () == again

    def test_back_office_plan_of_occupied_seats_applies(self) -> None:
        """CAN-7, SEAT-5: the plan of an account whose seats are occupied applies: licences
        0, as :func:`cancellation.apply_plan` gives (SEAT-5's own cancellation deactivates
        the occupants first)."""
        state = account_state(ACME, at=AT)
        plan = back_office_plan(state, account="acme", at=AT, reason="other")
        applied = apply(ACME, plan)
        assert applied.seats is not None
        assert 0 == applied.seats.total == apply_plan(state, effects=plan).licence_count

    def test_licences_below_the_occupants_name_the_effect(self) -> None:
        """SEAT-5, X-9: fewer licences than occupants either applies or is refused naming the
        effect (``effects[0]`` or one of its fields), never a field the caller did not pass."""
        effect = SetLicenceCount(at=AT, rule="SEAT-5", account="acme", count=1)
        field = None
        try:
            applied = apply(ACME, [effect])
        except InvalidInput as error:
            field = error.field
        else:
            assert applied.seats is not None
            assert 1 == applied.seats.total
        assert field is None or field.startswith("effects[0]")

    @given(accounts(), st.sampled_from(CancellationReason), st.integers(0, 800 * 24))
    def test_any_back_office_plan_applied_as_apply_plan_gives(
        self, account: Account, reason: CancellationReason, hours: int
    ) -> None:
        """CAN-7, SEAT-5, INV-2 property: for generated accounts, the back-office plan applied
        to the account gives the status, licence count and billings ``apply_plan`` gives to
        the account's state; applied again, an equal account. The seats' occupants are left
        out (see ``test_back_office_plan_of_occupied_seats_applies``)."""
        if account.seats is not None:
            account = attrs.evolve(account, seats=SeatPool(total=account.seats.total))
        at = account.created_at + timedelta(hours=hours)
        state = account_state(account, at=at)
        plan = back_office_plan(state, account=account.id, at=at, reason=reason)
        applied = apply(account, plan)
        expected = apply_plan(state, effects=plan)
        assert expected.status is applied.status
        assert expected.licence_count == (applied.seats.total if applied.seats else 0)
        assert expected.invoices == applied.invoices
        # ``==``, not ``is``: see test_the_same_status_again_returns_the_very_account.
        assert apply(applied, plan) == applied
