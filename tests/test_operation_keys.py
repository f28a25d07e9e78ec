"""Operations carry their account (X-6), ``at`` is required where the answer depends on it
(CAN-3), and a monthly charge has one source of truth (BAL-7)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from _accounts import DELINQUENT, KYIV
from billrules import cli
from billrules.account import account_state, activity
from billrules.balance import BalancePolicy, Ledger, LedgerEntry, charge_month
from billrules.cancellation import (
    AccountState,
    CancellationCode,
    CancellationPolicy,
    CancellationRequest,
    back_office_plan,
    can_request_cancellation,
    deactivation_effects,
)
from billrules.deletion import DeletionFacts, DeletionPolicy, DeletionSchedule, effects_due
from billrules.effects import CancelBilling, DebitBalance, Effect
from billrules.errors import InvalidInput, InvalidType, NaiveDatetimeError
from billrules.policy import DEFAULT_POLICY
from billrules.seats import SeatPool, back_office_cancel
from billrules.serialize import account_from_json, from_json, to_dict, to_json
from billrules.subscriptions import SubscriptionPolicy, portal_invitation
from billrules.testing import effects

AT = datetime(2024, 5, 1, 9, tzinfo=UTC)
CARD = "4242 4242 4242 4242"

#: An account's id: any non-empty text without a card number (PM-6).
ACCOUNT_IDS = st.text(min_size=1, max_size=12).filter(
    lambda text: bool(text.strip()) and not any(c.isdigit() for c in text)
) | st.sampled_from(("acme", "globex", "kyiv-realty", "acct-1"))


def _keys(found: Sequence[Effect]) -> list[str]:
    return [effect.key for effect in found]


def _plan(account: str) -> tuple[Effect, ...]:
    state = AccountState(
        status="active",
        currency="USD",
        licence_count=3,
        invoices=DELINQUENT.invoices,
    )
    return back_office_plan(state, account=account, at=AT, reason="other")


def _seats(account: str) -> tuple[Effect, ...]:
    return back_office_cancel(SeatPool(total=3, occupants=("ann", "bob")), account=account, at=AT)[
        1
    ]


def _charge(account: str) -> tuple[Effect, ...]:
    return charge_month(
        Ledger(currency="USD"),
        (),
        BalancePolicy(),
        account=account,
        month=date(2024, 4, 1),
        zone=KYIV,
    ).effects


def _invitation(account: str) -> tuple[Effect, ...]:
    return portal_invitation(0, SubscriptionPolicy(), account=account, to="owner", at=AT)


def _deactivation(account: str) -> tuple[Effect, ...]:
    request = CancellationRequest(
        reason="other", requested_at=AT, deactivates_at=AT + timedelta(days=30)
    )
    return deactivation_effects(request, CancellationPolicy(), account=account)


def _deletion(account: str) -> tuple[Effect, ...]:
    facts = DeletionFacts(
        activity=activity(DELINQUENT),
        schedule=DeletionSchedule(scheduled_at=AT, kind="automatic"),
    )
    return effects_due(
        facts, DeletionPolicy(), account=account, start=AT, end=AT + timedelta(days=60), zone=KYIV
    )


#: Every public operation that returns effects, by name, with the effects it gives for an
#: account id (each gives at least one).
OPERATIONS: dict[str, Callable[[str], tuple[Effect, ...]]] = {
    "cancellation.back_office_plan": _plan,
    "cancellation.deactivation_effects": _deactivation,
    "seats.back_office_cancel": _seats,
    "balance.charge_month": _charge,
    "subscriptions.portal_invitation": _invitation,
    "deletion.effects_due": _deletion,
}


class TestOperationsCarryTheirAccount:
    """X-6: effects keyed for two accounts never share a key."""

    def test_two_accounts_back_office_plans_at_one_instant_have_disjoint_keys(self) -> None:
        acme, globex = _plan("acme"), _plan("globex")
        assert len(acme) == len(globex) >= 4
        assert {"acme"} == {e.account for e in acme}
        assert {"globex"} == {e.account for e in globex}
        assert not set(_keys(acme)) & set(_keys(globex))

    def test_two_accounts_seats_back_office_cancel_the_same_day_have_disjoint_keys(self) -> None:
        pool = SeatPool(total=2, occupants=("ann",))
        _, acme = back_office_cancel(pool, account="acme", at=AT)
        _, globex = back_office_cancel(pool, account="globex", at=AT + timedelta(hours=3))
        assert [e.occasion for e in acme] == [e.occasion for e in globex]
        assert not set(_keys(acme)) & set(_keys(globex))

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_every_operation_stamps_its_account_on_every_effect(self, name: str) -> None:
        found = OPERATIONS[name]("acme")
        assert found
        assert {"acme"} == {e.account for e in found}

    @given(
        name=st.sampled_from(sorted(OPERATIONS)),
        ids=st.lists(ACCOUNT_IDS, min_size=2, max_size=2, unique=True),
    )
    def test_property_any_operation_for_two_accounts_gives_disjoint_keys(
        self, name: str, ids: list[str]
    ) -> None:
        first, second = (OPERATIONS[name](account) for account in ids)
        assert len(first) == len(set(_keys(first)))
        assert not set(_keys(first)) & set(_keys(second))
        # the same account again: the same keys (the operations stay idempotent, X-6)
        assert _keys(first) == _keys(OPERATIONS[name](ids[0]))

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    @pytest.mark.parametrize("bad", ["", "   ", CARD])
    def test_an_operation_refuses_an_empty_account_or_one_holding_a_card_number(
        self, name: str, bad: str
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            OPERATIONS[name](bad)
        assert "account" == refused.value.field
        assert "4242" not in str(refused.value)

    @pytest.mark.parametrize("name", sorted(OPERATIONS))
    def test_an_operation_refuses_an_account_that_is_not_text(self, name: str) -> None:
        with pytest.raises(InvalidType) as refused:
            OPERATIONS[name](42)  # type: ignore[arg-type]  # the wrong type on purpose
        assert "account" == refused.value.field

    def test_an_operation_without_its_account_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="account"):
            back_office_plan(  # type: ignore[call-arg]  # the account left out on purpose
                AccountState(status="active", currency="USD"), at=AT, reason="other"
            )
        with pytest.raises(TypeError, match="account"):
            back_office_cancel(SeatPool(total=1), at=AT)  # type: ignore[call-arg]  # as above

    def test_keying_an_effect_without_its_account_is_refused_naming_account(self) -> None:
        effect = CancelBilling(at=AT, rule="CAN-7", invoice_id="inv-9", occasion="ticket-1")
        with pytest.raises(InvalidInput) as refused:
            _ = effect.key
        assert "account" == refused.value.field
        assert refused.value.problem.startswith("an effect is keyed with its account")
        assert attrs.evolve(effect, account="acme").key.startswith("eff_")

    @given(effect=effects())
    def test_property_an_effect_has_a_key_exactly_when_it_has_an_account(
        self, effect: Effect
    ) -> None:
        data = to_dict(effect)
        if effect.account is None:
            with pytest.raises(InvalidInput, match="account"):
                _ = effect.key
            assert data["key"] is None
        else:
            assert data["key"] == effect.key
        assert from_json(Effect, to_json(effect)) == effect

    def test_exactly_once_recipe_carries_out_both_accounts_back_office_plans(self) -> None:
        """The recipe of docs/effects.md: a table keyed by the effect's key. Two accounts
        cancelled at one instant are both carried out; a retry carries out nothing."""
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE effects (key TEXT PRIMARY KEY, account TEXT NOT NULL)")
        carried_out: list[tuple[str | None, str]] = []

        def run(found: Sequence[Effect]) -> int:
            done = 0
            for effect in found:
                with db:
                    new = db.execute(
                        "INSERT OR IGNORE INTO effects (key, account) VALUES (?, ?)",
                        (effect.key, effect.account),
                    ).rowcount
                if new:
                    carried_out.append((effect.account, effect.kind))
                    done += 1
            return done

        acme, globex = _plan("acme"), _plan("globex")
        assert (len(acme), len(globex)) == (run(acme), run(globex))
        assert 0 == run(_plan("acme")) + run(_plan("globex"))
        assert sorted(carried_out) == sorted(
            [(e.account, e.kind) for e in acme] + [(e.account, e.kind) for e in globex]
        )
        _, seats_acme = back_office_cancel(SeatPool(total=3), account="acme", at=AT)
        _, seats_globex = back_office_cancel(SeatPool(total=3), account="globex", at=AT)
        # the count set to 0 is the plan's own effect (same account, same day): done already
        assert (0, 0) == (run(seats_acme), run(seats_globex))


class TestAtIsRequired:
    """CAN-3: whether the owner may cancel depends on the instant (the prepaid debt)."""

    def _bundled(self) -> Any:
        text = resources.files("billrules").joinpath(cli.EXAMPLE_FILE).read_text(encoding="utf-8")
        return account_from_json(text)

    def test_bundled_delinquent_owner_is_refused_cancellation_at_its_instant(self) -> None:
        account = self._bundled()
        state = account_state(account, at=cli.EXAMPLE_AT)
        assert state.prepaid_balance is not None
        assert state.prepaid_balance < Money(0, "USD")
        decision = can_request_cancellation(state, DEFAULT_POLICY.cancellation, role="owner")
        assert not decision.allowed
        assert "CAN-3" in decision.rules
        assert CancellationCode.PREPAID_DEBT in decision.codes

    def test_account_state_without_at_is_a_type_error(self) -> None:
        account = self._bundled()
        with pytest.raises(TypeError):
            account_state(account)  # type: ignore[call-arg]  # at left out on purpose
        with pytest.raises(TypeError):
            account_state(account, cli.EXAMPLE_AT)  # type: ignore[misc]  # at is keyword-only

    def test_account_state_refuses_a_naive_at(self) -> None:
        with pytest.raises(NaiveDatetimeError) as refused:
            account_state(self._bundled(), at=datetime(2024, 5, 8, 9))  # noqa: DTZ001  # naive on purpose
        assert "at" == refused.value.field


class TestOneSourceOfTruthForACharge:
    """BAL-7: the charge is an effect to carry out; carrying it out is adding its entry."""

    def _result(self, ledger: Ledger) -> Any:
        return charge_month(
            ledger, (), BalancePolicy(), account="acme", month=date(2024, 4, 1), zone=KYIV
        )

    def test_charge_month_leaves_the_ledger_as_it_is(self) -> None:
        ledger = Ledger(currency="USD")
        result = self._result(ledger)
        assert not hasattr(result, "ledger")
        assert () == ledger.entries
        (debit,) = result.effects
        assert isinstance(debit, DebitBalance)
        assert debit.occasion == result.charge.id == "charge-2024-04"
        assert debit.amount == -result.charge.amount
        assert debit.at == result.charge.at

    def test_ledger_add_refuses_an_entry_already_present(self) -> None:
        result = self._result(Ledger(currency="USD"))
        charged = Ledger(currency="USD").add(result.charge)
        with pytest.raises(InvalidInput, match="duplicate id"):
            charged.add(result.charge)
        with pytest.raises(InvalidInput) as refused:
            self._result(charged)
        assert "month" == refused.value.field

    @given(retries=st.integers(min_value=1, max_value=4), stale=st.booleans())
    def test_doing_what_the_docs_say_debits_once_also_on_retry(
        self, retries: int, stale: bool
    ) -> None:
        """docs/balance.md: carry out each new key by adding the charge's entry. However
        often the job runs (on the ledger it read first, or on the stored one), the balance
        is drawn once."""
        stored = Ledger(currency="USD").add(
            LedgerEntry(
                id="pay-1",
                kind="payment",
                at=datetime(2024, 3, 1, tzinfo=KYIV),
                amount=Money(50, "USD"),
            )
        )
        read = stored
        done: set[str] = set()
        for _ in range(1 + retries):
            try:
                result = self._result(read if stale else stored)
            except InvalidInput:  # the month is on the stored ledger: charged already
                continue
            for effect in result.effects:
                if effect.key not in done:
                    stored = stored.add(result.charge)
                    done.add(effect.key)
        assert Money("31.00", "USD") == stored.balance
        assert 1 == sum(entry.id == "charge-2024-04" for entry in stored.entries)
