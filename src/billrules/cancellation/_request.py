"""Who may cancel (CAN-1 … CAN-3), the request and its timing (CAN-4, CAN-6), its states
(CAN-5). Private."""

from __future__ import annotations

from datetime import datetime

import attrs

from billrules import _validate as v
from billrules._check import checked
from billrules.cancellation._codes import CancellationCode
from billrules.cancellation._facts import (
    _IS_OWNER,
    REQUEST_STATE_CHANGES,
    AccountState,
    CancellationReason,
    CancellationRequest,
    RequestState,
)
from billrules.cancellation._policy import CancellationPolicy, CancellationTiming
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput
from billrules.invoices import (
    Invoice,
    InvoiceStatus,
    settlement_order,
)
from billrules.roles import Role

_to_role = v.enum_member(Role, "role")


# --------------------------------------------------------------------------------------------
# CAN-1, CAN-2, CAN-3: may this user request cancellation?


@checked
def can_request_cancellation(
    state: AccountState, policy: CancellationPolicy, *, role: Role | str
) -> Decision:
    """Whether a user with ``role`` may request cancellation. Decides CAN-1, CAN-2, CAN-3.

    Every unmet condition is a reason of the refusal: self-service off (ask support, CAN-2),
    not the owner or the account not active (CAN-1), a bill outstanding (CAN-3, naming the
    amount and the invoice ids, oldest due first) or a negative prepaid balance (CAN-3, naming
    the debt). An allowance lists the conditions met.

    >>> from billrules.cancellation import AccountState, CancellationPolicy
    >>> from billrules.cancellation import can_request_cancellation
    >>> account = AccountState(status="active", currency="USD")
    >>> can_request_cancellation(account, CancellationPolicy(), role="staff").codes
    ('owner_only',)
    """
    return _can_request(state, policy, role if type(role) is Role else _to_role(role))


def _can_request(state: AccountState, policy: CancellationPolicy, who: Role) -> Decision:
    """The body of :func:`can_request_cancellation`, for a checked role.

    What depends on the policy and the role (CAN-1's owner, CAN-2) is built once per policy,
    what depends on the account (CAN-1's status, CAN-3) once per account state; only the
    decision joining them is built each time.
    """
    own = policy._own_refusals[who]
    refusals, allowance = state._standing
    if not own and not refusals:  # the owner, with self-service on
        return trusted_decision(True, (policy._self_service, _IS_OWNER, *allowance))
    return trusted_decision(False, (*own, *refusals))


# --------------------------------------------------------------------------------------------
# CAN-4, CAN-6: the request and when it takes effect


@checked
def effective_at(policy: CancellationPolicy, *, at: datetime, period_end: datetime) -> datetime:
    """When a cancellation asked for at ``at`` takes effect. Decides CAN-6.

    ``period_end`` is the end of the current paid period (for a subscription,
    ``billrules.subscriptions.current_period``'s end); the default policy uses it, so service
    continues until then; ``effective="immediately"`` uses ``at``.

    Raises:
        InvalidInput: ``period_end`` is before ``at``.
    """
    if period_end < at:
        raise InvalidInput("period_end", "must not be before at")
    return period_end if policy.effective is CancellationTiming.PERIOD_END else at


@checked
def final_payments(state: AccountState, *, end: datetime) -> tuple[Invoice, ...]:
    """The scheduled billings still to be charged before ``end``, oldest first (CAN-4, CAN-6).

    Scheduled billings at or after ``end`` (the deactivation) are rebills that cancelling
    stops (CAN-6).
    """
    return settlement_order(
        inv
        for inv in state.invoices
        if inv.status is InvoiceStatus.SCHEDULED and inv.issued_at < end
    )


@checked
def request_cancellation(
    state: AccountState,
    policy: CancellationPolicy,
    *,
    role: Role | str,
    reason: CancellationReason | str,
    at: datetime,
    period_end: datetime,
    feedback: str = "",
    email_opt_out: bool = False,
) -> CancellationRequest:
    """A new cancellation request. Decides CAN-4 (and CAN-1, CAN-2, CAN-3, CAN-6 through it).

    The deactivation instant is :func:`effective_at`; the final payments are the scheduled
    billings before it.

    Raises:
        PolicyViolation: carrying :func:`can_request_cancellation`'s refusal.
        InvalidInput: an unknown ``reason``; ``period_end`` before ``at``.
    """
    can_request_cancellation(state, policy, role=role).require()
    deactivates = effective_at(policy, at=at, period_end=period_end)
    return CancellationRequest(
        reason=v.enum_member(CancellationReason, "reason")(reason),
        feedback=feedback,
        requested_at=at,
        deactivates_at=deactivates,
        final_payments=final_payments(state, end=deactivates),
        email_opt_out=email_opt_out,
    )


# --------------------------------------------------------------------------------------------
# CAN-5: request states


@checked
def can_change_request_state(request: CancellationRequest, *, to: RequestState | str) -> Decision:
    """Whether ``request`` may move to the state ``to``. Decides CAN-5.

    >>> from datetime import datetime, UTC
    >>> from billrules.cancellation import CancellationRequest, can_change_request_state
    >>> at = datetime(2024, 5, 1, tzinfo=UTC)
    >>> request = CancellationRequest(reason="unused", requested_at=at, deactivates_at=at)
    >>> can_change_request_state(request, to="completed").codes
    ('request_transition_not_allowed',)
    """
    target = v.enum_member(RequestState, "to")(to)
    onward = REQUEST_STATE_CHANGES[request.state]
    details = {"from": str(request.state), "to": str(target)}
    if target in onward:
        return trusted_decision(
            True, (trusted_reason(CancellationCode.REQUEST_TRANSITION_ALLOWED, details),)
        )
    if not onward:
        return trusted_decision(
            False, (trusted_reason(CancellationCode.REQUEST_STATE_FINAL, details),)
        )
    return trusted_decision(
        False,
        (
            trusted_reason(
                CancellationCode.REQUEST_TRANSITION_NOT_ALLOWED,
                {**details, "allowed": tuple(sorted(str(state) for state in onward))},
            ),
        ),
    )


@checked
def change_request_state(
    request: CancellationRequest, *, to: RequestState | str
) -> CancellationRequest:
    """``request`` moved to the state ``to``. Decides CAN-5.

    Raises:
        PolicyViolation: the move is not in :data:`REQUEST_STATE_CHANGES`; nothing changes.
    """
    can_change_request_state(request, to=to).require()
    return attrs.evolve(request, state=RequestState(to))  # ``to`` was checked just above
