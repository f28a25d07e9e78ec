"""The cancellation area's part of the area contract: transitions, suspensions, findings.
Private."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules._check import checked
from billrules._validate import FrozenMapping
from billrules.cancellation._back_office import (
    _NOTHING_SCHEDULED,
    _can_complete,
    _deactivation_effects,
)
from billrules.cancellation._codes import (
    CancellationCode,
    CancellationKind,
    CancellationQuestion,
)
from billrules.cancellation._facts import (
    AccountState,
    CancellationRequest,
    RequestState,
)
from billrules.cancellation._policy import CancellationPolicy
from billrules.cancellation._request import _can_request, _to_role
from billrules.contract import Finding, Suspension, Transition, trusted_finding, trusted_transition
from billrules.decisions import Reason, trusted_reason
from billrules.roles import Role

_AREA: Final = "cancellation"

#: CAN-8: what deactivation does, the same sentence every time.
_DEACTIVATED: Final = Reason(code=CancellationCode.DEACTIVATED)


def _deactivating(state: AccountState) -> CancellationRequest | None:
    """The request whose deactivation stands: any but a withdrawn one (CAN-5, CAN-6)."""
    request = state.request
    if request is None or request.state is RequestState.WITHDRAWN:
        return None
    return request


@checked
def transitions(
    state: AccountState,
    policy: CancellationPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """The cancellation taking effect in ``[start, end)``. Decides CAN-6 and CAN-8.

    At the deactivation instant of a request that was not withdrawn, the cancellation takes
    effect (CAN-6): access is revoked, the leads are reassigned and removed from the call
    queue (CAN-8, :func:`~billrules.cancellation.deactivation_effects`).

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    _time.to_zone(zone)
    return _transitions(state, policy, start, end)


def _transitions(
    state: AccountState, policy: CancellationPolicy, start: datetime, end: datetime
) -> Iterator[Transition]:
    request = _deactivating(state)
    if request is None or not start <= request.deactivates_at < end:
        return
    yield trusted_transition(
        request.deactivates_at,
        _AREA,
        CancellationKind.CANCELLATION_EFFECTIVE,
        (
            trusted_reason(
                CancellationCode.CANCELLATION_EFFECTIVE,
                FrozenMapping({"reason": request.reason, "at": request.deactivates_at}),
            ),
            _DEACTIVATED,
        ),
        _deactivation_effects(request, policy),
    )


@checked
def suspensions(
    state: AccountState, policy: CancellationPolicy, *, zone: ZoneInfo | str
) -> tuple[Suspension, ...]:
    """When the account is not billed because of its cancellation. Decides CAN-6.

    From the deactivation of a request that was not withdrawn on, nothing renews: the
    rebill stops for good (``end`` is ``None``).
    """
    del policy
    _time.to_zone(zone)
    request = _deactivating(state)
    if request is None:
        return ()
    return (Suspension(start=request.deactivates_at, end=None, rule="CAN-6"),)


@checked
def findings(
    state: AccountState, policy: CancellationPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answer of the cancellation area: nothing is still scheduled. Decides
    CAN-9 (as :func:`~billrules.cancellation.can_complete_cancellation`)."""
    del policy, at
    _time.to_zone(zone)
    decision = _can_complete(state)
    if decision is _NOTHING_SCHEDULED:
        return _NOTHING_SCHEDULED_FINDINGS
    return (trusted_finding(_AREA, CancellationQuestion.NOTHING_SCHEDULED, decision),)


#: CAN-9: the answer when nothing is scheduled, the same every time.
_NOTHING_SCHEDULED_FINDINGS: Final = (
    Finding(
        area=_AREA, question=CancellationQuestion.NOTHING_SCHEDULED, decision=_NOTHING_SCHEDULED
    ),
)


@checked
def role_findings(
    state: AccountState,
    policy: CancellationPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """Whether a user with ``role`` may request cancellation. Decides CAN-1, CAN-2 and CAN-3
    (as :func:`~billrules.cancellation.can_request_cancellation`)."""
    del at
    _time.to_zone(zone)
    who = role if type(role) is Role else _to_role(role)
    if policy._own_refusals[who] and not state._standing[0]:
        # Refused by CAN-1 or CAN-2 alone: the finding depends on the policy and the role only.
        return policy._refused_findings[who]
    return (
        trusted_finding(
            _AREA, CancellationQuestion.REQUEST_CANCELLATION, _can_request(state, policy, who)
        ),
    )
