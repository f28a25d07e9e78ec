"""Cancellation: who may cancel, pay first, the request, its timing, the back-office plan.

Decides CAN-1 … CAN-9 (see ``docs/policies.md``) and SEAT-5:

- CAN-1 self-service cancellation is offered only to the owner of an active account;
- CAN-2 a knob says whether self-service exists; where it does not, the decision says to ask
  support;
- CAN-3 while a bill is outstanding a request is refused, naming the amount and the invoices;
- CAN-4 a request records a reason from a fixed list, free feedback, the final payments still
  to come, the deactivation instant and the email opt-out;
- CAN-5 request states ``requested → confirmed → completed``, or ``withdrawn`` before
  completion, as the data table :data:`REQUEST_STATE_CHANGES`;
- CAN-6 a cancellation takes effect at the end of the current paid period (or immediately,
  a knob); no rebill is scheduled from then on (:func:`suspensions`);
- CAN-7 the back-office plan: licence count 0 (SEAT-5), cancel every scheduled and submitted
  billing, status ``DELETE``, record the date and reason, the email opt-out; empty once done;
- CAN-8 at deactivation: revoke access, reassign the leads, remove them from the call queue;
- CAN-9 after cancellation no billing of the account is ``scheduled``.

Facts: :class:`AccountState` (with its :class:`CancellationRequest`, if any). Policy:
:class:`CancellationPolicy`. Reasons use :class:`CancellationCode`; the report's questions
are :class:`CancellationQuestion`; transitions are of a :class:`CancellationKind`.
"""

from __future__ import annotations

from typing import Final

from billrules.area import Area
from billrules.cancellation import _contract
from billrules.cancellation._back_office import (
    apply_plan,
    back_office_plan,
    can_complete_cancellation,
    deactivation_effects,
    still_scheduled,
)
from billrules.cancellation._codes import AREA as _AREA_NAME
from billrules.cancellation._codes import (
    CancellationCode,
    CancellationKind,
    CancellationQuestion,
)
from billrules.cancellation._contract import findings, role_findings, suspensions, transitions
from billrules.cancellation._facts import (
    REQUEST_STATE_CHANGES,
    AccountState,
    AccountStatus,
    CancellationReason,
    CancellationRequest,
    RequestState,
)
from billrules.cancellation._policy import CancellationPolicy, CancellationTiming
from billrules.cancellation._request import (
    can_change_request_state,
    can_request_cancellation,
    change_request_state,
    effective_at,
    final_payments,
    request_cancellation,
)

__all__ = [
    "AREA",
    "REQUEST_STATE_CHANGES",
    "AccountState",
    "AccountStatus",
    "CancellationCode",
    "CancellationKind",
    "CancellationPolicy",
    "CancellationQuestion",
    "CancellationReason",
    "CancellationRequest",
    "CancellationTiming",
    "RequestState",
    "apply_plan",
    "back_office_plan",
    "can_change_request_state",
    "can_complete_cancellation",
    "can_request_cancellation",
    "change_request_state",
    "deactivation_effects",
    "effective_at",
    "final_payments",
    "findings",
    "request_cancellation",
    "role_findings",
    "still_scheduled",
    "suspensions",
    "transitions",
]


#: The cancellation area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="CAN",
    codes=CancellationCode,
    questions=CancellationQuestion,
    kinds=CancellationKind,
    policy=CancellationPolicy,
    contract=_contract,
    suspensions=suspensions,
    terms=tuple(str(term) for term in (*AccountStatus, *RequestState, *CancellationReason)),
    colour="#6a1b9a",
)
