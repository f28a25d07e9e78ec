"""Who may cancel (CAN-1 … CAN-3), the request and its timing (CAN-4, CAN-6), its states
(CAN-5). Private."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import attrs

from billrules import _money
from billrules import _validate as v
from billrules._check import checked
from billrules.cancellation._facts import (
    REQUEST_TRANSITIONS,
    AccountState,
    AccountStatus,
    CancellationCode,
    CancellationPolicy,
    CancellationReason,
    CancellationRequest,
    CancellationTiming,
    RequestState,
)
from billrules.decisions import Decision, Reason
from billrules.errors import InvalidInput
from billrules.invoices import (
    Invoice,
    InvoiceStatus,
    outstanding,
    outstanding_invoices,
    settlement_order,
)
from billrules.roles import Role

# The reasons that never change, built once.
_SELF_SERVICE: Final = Reason(code=CancellationCode.SELF_SERVICE_AVAILABLE, rule="CAN-2")
_IS_OWNER: Final = Reason(code=CancellationCode.IS_OWNER, rule="CAN-1")
_ACTIVE: Final = Reason(code=CancellationCode.ACCOUNT_ACTIVE, rule="CAN-1")


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
    who = v.enum_member(Role, "role")(role)
    refusals: list[Reason] = []
    met: list[Reason] = []
    if policy.self_service:
        met.append(_SELF_SERVICE)
    else:
        refusals.append(
            Reason(
                code=CancellationCode.CANCEL_VIA_SUPPORT,
                rule="CAN-2",
                details={"contact": policy.support_contact},
            )
        )
    if who is Role.OWNER:
        met.append(_IS_OWNER)
    else:
        refusals.append(
            Reason(code=CancellationCode.OWNER_ONLY, rule="CAN-1", details={"role": str(who)})
        )
    if state.status is AccountStatus.ACTIVE:
        met.append(_ACTIVE)
    else:
        refusals.append(
            Reason(
                code=CancellationCode.ACCOUNT_NOT_ACTIVE,
                rule="CAN-1",
                details={"status": str(state.status)},
            )
        )
    due = outstanding_invoices(state.invoices)
    amount = outstanding(state.invoices, currency=state.currency)
    if due:
        refusals.append(
            Reason(
                code=CancellationCode.OUTSTANDING_BALANCE,
                rule="CAN-3",
                details={"amount": amount, "invoice_ids": tuple(inv.id for inv in due)},
            )
        )
    debt = state.prepaid_balance
    if debt is not None and debt.amount < 0:
        refusals.append(
            Reason(
                code=CancellationCode.PREPAID_DEBT,
                rule="CAN-3",
                details={"amount": _money.round_to_minor_unit(-debt)},
            )
        )
    if refusals:
        return Decision.refuse(*refusals)
    return Decision.allow(
        *met,
        Reason(code=CancellationCode.NOTHING_OUTSTANDING, rule="CAN-3", details={"amount": amount}),
    )


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
def can_transition_request(request: CancellationRequest, *, to: RequestState | str) -> Decision:
    """Whether ``request`` may move to the state ``to``. Decides CAN-5.

    >>> from datetime import datetime, UTC
    >>> from billrules.cancellation import CancellationRequest, can_transition_request
    >>> at = datetime(2024, 5, 1, tzinfo=UTC)
    >>> request = CancellationRequest(reason="unused", requested_at=at, deactivates_at=at)
    >>> can_transition_request(request, to="completed").codes
    ('request_transition_not_allowed',)
    """
    target = v.enum_member(RequestState, "to")(to)
    onward = REQUEST_TRANSITIONS[request.state]
    details = {"from": str(request.state), "to": str(target)}
    if target in onward:
        return Decision.allow(
            Reason(code=CancellationCode.REQUEST_TRANSITION_ALLOWED, rule="CAN-5", details=details)
        )
    if not onward:
        return Decision.refuse(
            Reason(code=CancellationCode.REQUEST_STATE_FINAL, rule="CAN-5", details=details)
        )
    return Decision.refuse(
        Reason(
            code=CancellationCode.REQUEST_TRANSITION_NOT_ALLOWED,
            rule="CAN-5",
            details={**details, "allowed": tuple(sorted(str(state) for state in onward))},
        )
    )


@checked
def transition_request(
    request: CancellationRequest, *, to: RequestState | str
) -> CancellationRequest:
    """``request`` moved to the state ``to``. Decides CAN-5.

    Raises:
        PolicyViolation: the move is not in :data:`REQUEST_TRANSITIONS`; nothing changes.
    """
    can_transition_request(request, to=to).require()
    return attrs.evolve(request, state=RequestState(to))  # ``to`` was checked just above
