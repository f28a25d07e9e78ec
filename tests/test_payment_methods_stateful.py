"""Stateful tests for the wallet: PM-1 … PM-5 hold after any sequence of operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from billrules.decisions import Decision, PolicyViolation
from billrules.payment_methods import (
    CardDetails,
    CardExpiredError,
    PaymentMethod,
    PaymentMethodPolicy,
    Wallet,
    add,
    can_add,
    can_remove,
    can_set_default,
    is_expired,
    remove,
    set_default,
    update_card,
    validate_card,
)
from billrules.testing._payment_methods import card_details, payment_methods

#: The seed's accepted brands.
SEED = PaymentMethodPolicy()
IDS = ("pm-a", "pm-b", "pm-c", "pm-d", "pm-e")
YEARS = range(2023, 2030)


class WalletMachine(RuleBasedStateMachine):
    """A wallet driven through adds, default switches, removals, card updates and time.

    PM-1: a non-empty wallet always has exactly one default, one of its methods. PM-2: the
    default is never removed. PM-4: the default is only switched to an unexpired method.
    PM-5: an updated card becomes the default. Every refused operation raises PolicyViolation
    with the decision its question returns, and leaves the wallet unchanged.
    """

    def __init__(self) -> None:
        super().__init__()
        self.wallet = Wallet()
        self.at = datetime(2024, 1, 1, 9, tzinfo=UTC)
        self.zone = ZoneInfo("Europe/Kyiv")
        self.model: dict[str, PaymentMethod] = {}
        self.model_default: str | None = None

    def refused(self, operation, decision: Decision) -> None:
        before = self.wallet
        assert not decision.allowed
        with pytest.raises(PolicyViolation) as excinfo:
            operation()
        assert decision == excinfo.value.decision
        assert before == self.wallet

    @rule(method=payment_methods(ids=st.sampled_from(IDS), years=YEARS))
    def add_method(self, method: PaymentMethod) -> None:
        """PM-1, PM-5: a new id, unexpired, is added; the first becomes the default."""
        decision = can_add(self.wallet, SEED, method=method, at=self.at, zone=self.zone)
        expected = method.id not in self.model and not is_expired(
            method, at=self.at, zone=self.zone
        )
        assert expected == decision.allowed
        if decision.allowed:
            self.wallet = add(self.wallet, SEED, method=method, at=self.at, zone=self.zone)
            self.model[method.id] = method
            self.model_default = self.model_default or method.id
        else:
            self.refused(
                lambda: add(self.wallet, SEED, method=method, at=self.at, zone=self.zone), decision
            )

    @rule(method_id=st.sampled_from(IDS))
    def switch_default(self, method_id: str) -> None:
        """PM-4: only a stored, unexpired method becomes the default."""
        decision = can_set_default(self.wallet, method_id=method_id, at=self.at, zone=self.zone)
        method = self.model.get(method_id)
        assert (method is not None and not is_expired(method, at=self.at, zone=self.zone)) == (
            decision.allowed
        )
        if decision.allowed:
            self.wallet = set_default(self.wallet, method_id=method_id, at=self.at, zone=self.zone)
            self.model_default = method_id
        else:
            self.refused(
                lambda: set_default(self.wallet, method_id=method_id, at=self.at, zone=self.zone),
                decision,
            )

    @rule(method_id=st.sampled_from(IDS))
    def remove_method(self, method_id: str) -> None:
        """PM-2, PM-3: a stored method other than the default is removed."""
        decision = can_remove(self.wallet, method_id=method_id)
        assert (method_id in self.model and method_id != self.model_default) == decision.allowed
        if decision.allowed:
            self.wallet = remove(self.wallet, method_id=method_id)
            del self.model[method_id]
        else:
            self.refused(lambda: remove(self.wallet, method_id=method_id), decision)

    @rule(
        details=card_details(years=YEARS),
        method_id=st.sampled_from(IDS),
        remove_previous=st.booleans(),
    )
    def update(self, details: CardDetails, method_id: str, remove_previous: bool) -> None:
        """PM-5: valid new details become the default; invalid ones leave the wallet as it was."""
        before = self.wallet
        try:
            method = validate_card(details, method_id=method_id, at=self.at, zone=self.zone)
        except CardExpiredError:
            with pytest.raises(CardExpiredError):
                update_card(
                    self.wallet, details=details, at=self.at, zone=self.zone, method_id=method_id
                )
            assert before == self.wallet
            return
        decision = can_add(self.wallet, SEED, method=method, at=self.at, zone=self.zone)
        if not decision.allowed:
            self.refused(
                lambda: update_card(
                    self.wallet, details=details, at=self.at, zone=self.zone, method_id=method_id
                ),
                decision,
            )
            return
        self.wallet = update_card(
            self.wallet,
            details=details,
            at=self.at,
            zone=self.zone,
            method_id=method_id,
            remove_previous=remove_previous,
        )
        if remove_previous and self.model_default is not None:
            del self.model[self.model_default]
        self.model[method_id] = method
        self.model_default = method_id

    @rule(days=st.integers(min_value=0, max_value=400))
    def time_passes(self, days: int) -> None:
        """Cards expire as time passes; the wallet itself does not change."""
        self.at += timedelta(days=days)

    @invariant()
    def exactly_one_default(self) -> None:
        """PM-1: exactly one default when non-empty, none when empty; the model agrees."""
        assert set(self.model) == set(self.wallet.ids)
        assert self.model_default == self.wallet.default_id
        if self.wallet.methods:
            defaults = [m for m in self.wallet.methods if m.id == self.wallet.default_id]
            assert 1 == len(defaults)
        else:
            assert self.wallet.default is None


TestWallet = WalletMachine.TestCase
# Up to 20 steps per sequence keep the suite fast; the number of sequences comes from the
# active profile (200 in CI).
TestWallet.settings = settings(stateful_step_count=20)
