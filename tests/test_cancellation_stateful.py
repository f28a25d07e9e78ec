"""A stateful model of the cancellation request's states (CAN-5)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from billrules.cancellation import (
    REQUEST_STATE_CHANGES,
    CancellationRequest,
    RequestState,
    can_change_request_state,
    change_request_state,
)
from billrules.decisions import PolicyViolation

NOW = datetime(2024, 5, 10, tzinfo=UTC)

#: The model: the states reachable in one step, written out by hand from POLICIES.md CAN-5.
_MODEL = {
    "requested": {"confirmed", "withdrawn"},
    "confirmed": {"completed", "withdrawn"},
    "completed": set(),
    "withdrawn": set(),
}


class CancellationRequestMachine(RuleBasedStateMachine):
    """CAN-5: requested → confirmed (by staff) → completed; withdrawn before completion.

    Random moves against a hand-written model: allowed moves change the state, refused ones
    raise PolicyViolation carrying the question's decision and leave the request unchanged.
    """

    def __init__(self) -> None:
        super().__init__()
        self.request = CancellationRequest(reason="other", requested_at=NOW, deactivates_at=NOW)
        self.model = "requested"
        self.history = ["requested"]

    @rule(to=st.sampled_from(RequestState))
    def move(self, to: RequestState) -> None:
        """CAN-5: a move follows the table, or is refused with nothing changed."""
        before = self.request
        if to.value in _MODEL[self.model]:
            self.request = change_request_state(before, to=to)
            self.model = to.value
            self.history.append(to.value)
        else:
            with pytest.raises(PolicyViolation) as excinfo:
                change_request_state(before, to=to)
            assert can_change_request_state(before, to=to) == excinfo.value.decision
            assert before == self.request

    @invariant()
    def state_matches_model(self) -> None:
        """CAN-5: the request's state is the model's."""
        assert self.model == self.request.state.value

    @invariant()
    def table_matches_model(self) -> None:
        """CAN-5: the library's table is the model."""
        assert self.model in REQUEST_STATE_CHANGES
        assert _MODEL[self.model] == {s.value for s in REQUEST_STATE_CHANGES[self.request.state]}

    @invariant()
    def never_completed_after_withdrawal(self) -> None:
        """CAN-5: a withdrawn request never completes, and completion needs confirmation."""
        if "completed" in self.history:
            assert "withdrawn" not in self.history
            assert self.history.index("confirmed") < self.history.index("completed")


# Four states: ten steps reach every path of the table; the number of runs comes from the
# active profile.
CancellationRequestMachine.TestCase.settings = settings(stateful_step_count=10)
TestCancellationRequestStates = CancellationRequestMachine.TestCase
