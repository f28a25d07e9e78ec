"""Cancellation: who may cancel, pay first, the request, its timing, the back-office plan.

Decides CAN-1 … CAN-9 (see ``docs/policies.md``) and SEAT-5:

- CAN-1 self-service cancellation is offered only to the owner of an active account;
- CAN-2 a knob says whether self-service exists; where it does not, the decision says to ask
  support;
- CAN-3 while a bill is outstanding a request is refused, naming the amount and the invoices;
- CAN-4 a request records a reason from a fixed list, free feedback, the final payments still
  to come, the deactivation instant and the email opt-out;
- CAN-5 request states ``requested → confirmed → completed``, or ``withdrawn`` before
  completion, as the data table :data:`REQUEST_TRANSITIONS`;
- CAN-6 a cancellation takes effect at the end of the current paid period (or immediately,
  a knob); no rebill is scheduled from then on;
- CAN-7 the back-office plan: licence count 0 (SEAT-5), cancel every scheduled and submitted
  billing, status ``DELETE``, record the date and reason, the email opt-out; empty once done;
- CAN-8 at deactivation: revoke access, reassign the leads, remove them from the call queue;
- CAN-9 after cancellation no billing of the account is ``scheduled``.

Facts: :class:`AccountState`, :class:`CancellationRequest`. Policy: :class:`CancellationPolicy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs
from moneyed import Currency, Money

from billrules import _money
from billrules import _validate as v
from billrules._check import checked
from billrules._redact import shown
from billrules.decisions import Decision, Reason
from billrules.effects import (
    CancelBilling,
    Effect,
    ReassignLeads,
    RecordCancellation,
    RemoveFromCallQueue,
    RevokeAccess,
    SetAccountStatus,
    SetEmailOptOut,
    SetLicenceCount,
)
from billrules.errors import InvalidInput
from billrules.invoices import (
    Invoice,
    InvoiceStatus,
    outstanding,
    outstanding_invoices,
    settlement_order,
    transition,
)
from billrules.roles import Role

__all__ = [
    "REQUEST_TRANSITIONS",
    "AccountState",
    "AccountStatus",
    "CancellationPolicy",
    "CancellationReason",
    "CancellationRequest",
    "CancellationTiming",
    "RequestState",
    "apply_plan",
    "back_office_plan",
    "can_request_cancellation",
    "can_transition_request",
    "cancellation_check",
    "deactivation_effects",
    "effective_at",
    "final_payments",
    "request_cancellation",
    "still_scheduled",
    "transition_request",
]


class AccountStatus(StrEnum):
    """The account's status as the back office stores it (CAN-1, CAN-7).

    ``DELETE`` is the seed's status for a cancelled account (PlanPlus: "Set Account Status =
    'DELETE'").
    """

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETE = "DELETE"


class CancellationTiming(StrEnum):
    """When a cancellation takes effect (CAN-6)."""

    PERIOD_END = "period_end"
    IMMEDIATELY = "immediately"


class CancellationReason(StrEnum):
    """Why the customer cancels: the fixed list of CAN-4."""

    TOO_EXPENSIVE = "too_expensive"
    MISSING_FEATURES = "missing_features"
    SWITCHED_SERVICE = "switched_service"
    UNUSED = "unused"
    CUSTOMER_SERVICE = "customer_service"
    TOO_COMPLEX = "too_complex"
    LOW_QUALITY = "low_quality"
    OTHER = "other"


class RequestState(StrEnum):
    """The states of a cancellation request (CAN-5)."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


_R = RequestState

#: CAN-5: the states each request state may move to. ``completed`` and ``withdrawn`` are final;
#: a request is withdrawn only before completion; staff confirm before it completes.
REQUEST_TRANSITIONS: Final[Mapping[RequestState, frozenset[RequestState]]] = MappingProxyType(
    {
        _R.REQUESTED: frozenset({_R.CONFIRMED, _R.WITHDRAWN}),
        _R.CONFIRMED: frozenset({_R.COMPLETED, _R.WITHDRAWN}),
        _R.COMPLETED: frozenset(),
        _R.WITHDRAWN: frozenset(),
    }
)

#: CAN-7: the billings the back office cancels.
_CANCELLED_BY_PLAN: Final = frozenset({InvoiceStatus.SCHEDULED, InvoiceStatus.SUBMITTED})


# --------------------------------------------------------------------------------------------
# Facts and policy


def _account_status(value: object) -> AccountStatus:
    return v.enum_member(AccountStatus, "AccountState.status")(value)


def _currency(value: object) -> Currency:
    return _money.to_currency(value, "AccountState.currency")


def _invoices(value: object) -> tuple[Invoice, ...]:
    items: tuple[Invoice, ...] = v.tuple_of(Invoice, "AccountState.invoices")(value)
    return items


@attrs.frozen(kw_only=True)
class AccountState:
    """What cancellation needs to know of an account (CAN-1, CAN-3, CAN-7, CAN-9, SEAT-5).

    Attributes:
        status: Active, suspended or ``DELETE`` (cancelled).
        currency: The account's currency; every invoice is in it.
        invoices: The account's billings (invoices in any status), ids unique.
        licence_count: The number of licences (seats) billed; the seats area's count.
        prepaid_balance: The prepaid balance, for an account that has one (BAL-*). A
            negative balance is a debt, and is outstanding like a bill (CAN-3).
    """

    status: AccountStatus = attrs.field(converter=_account_status)
    currency: Currency = attrs.field(converter=_currency)
    invoices: tuple[Invoice, ...] = attrs.field(default=(), converter=_invoices)
    licence_count: int = attrs.field(default=0, validator=v.integer(minimum=0))
    prepaid_balance: Money | None = attrs.field(default=None, validator=v.optional_money)

    def __attrs_post_init__(self) -> None:
        if self.prepaid_balance is not None:
            _money.require_currency(
                self.prepaid_balance, self.currency, "AccountState.prepaid_balance"
            )
        seen: set[str] = set()
        for index, invoice in enumerate(self.invoices):
            _money.require_currency(
                invoice.amount, self.currency, f"AccountState.invoices[{index}].amount"
            )
            if invoice.id in seen:
                raise InvalidInput(
                    f"AccountState.invoices[{index}].id",
                    f"duplicate invoice id {shown(invoice.id)}",
                )
            seen.add(invoice.id)


def _timing(value: object) -> CancellationTiming:
    return v.enum_member(CancellationTiming, "CancellationPolicy.effective")(value)


@attrs.frozen(kw_only=True)
class CancellationPolicy:
    """The knobs of the cancellation area.

    Attributes:
        self_service: CAN-2: whether owners can request cancellation themselves (default yes).
        support_contact: CAN-2: where to ask when self-service is off.
        effective: CAN-6: ``period_end`` (default) or ``immediately``.
        reassign_leads_to: CAN-8: the agent who takes the leads, or ``None`` (host's choice).
    """

    self_service: bool = attrs.field(default=True, validator=v.boolean)
    support_contact: str = attrs.field(default="support", validator=v.text)
    effective: CancellationTiming = attrs.field(
        default=CancellationTiming.PERIOD_END, converter=_timing
    )
    reassign_leads_to: str | None = attrs.field(default=None, validator=v.optional_text)


def _reason(value: object) -> CancellationReason:
    return v.enum_member(CancellationReason, "CancellationRequest.reason")(value)


def _request_state(value: object) -> RequestState:
    return v.enum_member(RequestState, "CancellationRequest.state")(value)


def _final_payments(value: object) -> tuple[Invoice, ...]:
    items: tuple[Invoice, ...] = v.tuple_of(Invoice, "CancellationRequest.final_payments")(value)
    return items


@attrs.frozen(kw_only=True)
class CancellationRequest:
    """A customer's request to cancel (CAN-4), in one of the states of CAN-5.

    Attributes:
        reason: From the fixed list :class:`CancellationReason`.
        feedback: Free text (may be empty).
        requested_at: When it was asked for.
        deactivates_at: When the account is deactivated (CAN-6); not before ``requested_at``.
        final_payments: The scheduled billings still to be charged before deactivation.
        email_opt_out: Whether the customer opts out of further email.
        state: ``requested`` on creation (CAN-5).
    """

    reason: CancellationReason = attrs.field(converter=_reason)
    feedback: str = attrs.field(default="", validator=v.instance_of(str))
    requested_at: datetime = attrs.field(validator=v.instant)
    deactivates_at: datetime = attrs.field(validator=v.instant)
    final_payments: tuple[Invoice, ...] = attrs.field(default=(), converter=_final_payments)
    email_opt_out: bool = attrs.field(default=False, validator=v.boolean)
    state: RequestState = attrs.field(default=RequestState.REQUESTED, converter=_request_state)

    def __attrs_post_init__(self) -> None:
        if self.deactivates_at < self.requested_at:
            raise InvalidInput(
                "CancellationRequest.deactivates_at", "must not be before requested_at"
            )


# --------------------------------------------------------------------------------------------
# CAN-1, CAN-2, CAN-3: may this user request cancellation?


def _role(value: object) -> Role:
    return v.enum_member(Role, "role")(value)


@checked
def can_request_cancellation(
    account: AccountState, role: Role | str, policy: CancellationPolicy
) -> Decision:
    """Whether a user with ``role`` may request cancellation. Decides CAN-1, CAN-2, CAN-3.

    Every unmet condition is a reason of the refusal: self-service off (ask support, CAN-2),
    not the owner or the account not active (CAN-1), a bill outstanding (CAN-3, naming the
    amount and the invoice ids, oldest due first) or a negative prepaid balance (CAN-3, naming
    the debt). An allowance lists the conditions met.

    >>> from billrules.cancellation import AccountState, CancellationPolicy
    >>> from billrules.cancellation import can_request_cancellation
    >>> account = AccountState(status="active", currency="USD")
    >>> can_request_cancellation(account, "staff", CancellationPolicy()).codes
    ('owner_only',)
    """
    who = _role(role)
    refusals: list[Reason] = []
    met: list[Reason] = []
    if policy.self_service:
        met.append(
            Reason(
                code="self_service_available",
                rule="CAN-2",
                message="Cancellation can be requested here.",
            )
        )
    else:
        refusals.append(
            Reason(
                code="cancel_via_support",
                rule="CAN-2",
                message=f"Cancellation is not available here; ask {policy.support_contact} "
                "to cancel the account.",
                details={"contact": policy.support_contact},
            )
        )
    if who is Role.OWNER:
        met.append(Reason(code="is_owner", rule="CAN-1", message="You are the account owner."))
    else:
        refusals.append(
            Reason(
                code="owner_only",
                rule="CAN-1",
                message="Only the account owner can request cancellation.",
                details={"role": str(who)},
            )
        )
    if account.status is AccountStatus.ACTIVE:
        met.append(Reason(code="account_active", rule="CAN-1", message="The account is active."))
    else:
        refusals.append(
            Reason(
                code="account_not_active",
                rule="CAN-1",
                message=f"The account is {account.status}; only an active account can be cancelled.",
                details={"status": str(account.status)},
            )
        )
    due = outstanding_invoices(account.invoices)
    amount = outstanding(account.invoices, currency=account.currency)
    if due:
        ids = tuple(inv.id for inv in due)
        refusals.append(
            Reason(
                code="outstanding_balance",
                rule="CAN-3",
                message=f"Pay the outstanding {_money.in_words(amount)} "
                f"(invoices {', '.join(ids)}) before requesting cancellation.",
                details={"amount": amount, "invoice_ids": ids},
            )
        )
    debt = account.prepaid_balance
    if debt is not None and debt.amount < 0:
        owed = _money.round_to_minor_unit(-debt)
        refusals.append(
            Reason(
                code="prepaid_debt",
                rule="CAN-3",
                message=f"Pay the negative balance of {_money.in_words(owed)} "
                "before requesting cancellation.",
                details={"amount": owed},
            )
        )
    if refusals:
        return Decision.refuse(*refusals)
    return Decision.allow(
        *met,
        Reason(
            code="nothing_outstanding",
            rule="CAN-3",
            message="Nothing is outstanding.",
            details={"amount": amount},
        ),
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
def final_payments(account: AccountState, *, until: datetime) -> tuple[Invoice, ...]:
    """The scheduled billings still to be charged before ``until``, oldest first (CAN-4, CAN-6).

    Scheduled billings at or after ``until`` are rebills that cancelling stops (CAN-6).
    """
    return settlement_order(
        inv
        for inv in account.invoices
        if inv.status is InvoiceStatus.SCHEDULED and inv.issued_at < until
    )


@checked
def request_cancellation(
    account: AccountState,
    role: Role | str,
    policy: CancellationPolicy,
    *,
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
    can_request_cancellation(account, role, policy).require()
    deactivates = effective_at(policy, at=at, period_end=period_end)
    return CancellationRequest(
        reason=v.enum_member(CancellationReason, "reason")(reason),
        feedback=feedback,
        requested_at=at,
        deactivates_at=deactivates,
        final_payments=final_payments(account, until=deactivates),
        email_opt_out=email_opt_out,
    )


# --------------------------------------------------------------------------------------------
# CAN-5: request states


@checked
def can_transition_request(request: CancellationRequest, to: RequestState | str) -> Decision:
    """Whether ``request`` may move to the state ``to``. Decides CAN-5.

    >>> from datetime import datetime, UTC
    >>> from billrules.cancellation import CancellationRequest, can_transition_request
    >>> at = datetime(2024, 5, 1, tzinfo=UTC)
    >>> request = CancellationRequest(reason="unused", requested_at=at, deactivates_at=at)
    >>> can_transition_request(request, "completed").codes
    ('request_transition_not_allowed',)
    """
    target = v.enum_member(RequestState, "to")(to)
    details = {"from": str(request.state), "to": str(target)}
    if target in REQUEST_TRANSITIONS[request.state]:
        return Decision.allow(
            Reason(
                code="request_transition_allowed",
                rule="CAN-5",
                message=f"A cancellation request may go from {request.state} to {target}.",
                details=details,
            )
        )
    if not REQUEST_TRANSITIONS[request.state]:
        return Decision.refuse(
            Reason(
                code="request_state_final",
                rule="CAN-5",
                message=f"The cancellation request is {request.state}, a final state.",
                details=details,
            )
        )
    allowed = ", ".join(sorted(REQUEST_TRANSITIONS[request.state]))
    return Decision.refuse(
        Reason(
            code="request_transition_not_allowed",
            rule="CAN-5",
            message=f"A {request.state} cancellation request cannot become {target}; "
            f"it may become {allowed}.",
            details=details,
        )
    )


@checked
def transition_request(request: CancellationRequest, to: RequestState | str) -> CancellationRequest:
    """``request`` moved to the state ``to``. Decides CAN-5.

    Raises:
        PolicyViolation: the move is not in :data:`REQUEST_TRANSITIONS`; nothing changes.
    """
    can_transition_request(request, to).require()
    return attrs.evolve(request, state=RequestState(to))  # ``to`` was checked just above


# --------------------------------------------------------------------------------------------
# CAN-7, CAN-9, SEAT-5: back office


@checked
def back_office_plan(
    account: AccountState,
    *,
    at: datetime,
    reason: CancellationReason | str,
    feedback: str = "",
    email_opt_out: bool = False,
) -> tuple[Effect, ...]:
    """The back-office actions that cancel the account at ``at``. Decides CAN-7 and SEAT-5.

    From the account's state: set the licence count to 0 (SEAT-5) unless it is 0; cancel
    every scheduled and submitted billing; and, unless the status is already ``DELETE``, set
    it, record the cancellation's date and reason, and the email opt-out. The plan is
    idempotent: once applied (:func:`apply_plan`), planning again gives nothing, and for an
    account already cancelled it is empty.

    Raises:
        InvalidInput: an unknown ``reason``.
    """
    why = v.enum_member(CancellationReason, "reason")(reason)
    effects: list[Effect] = []
    if account.licence_count:
        effects.append(SetLicenceCount(at=at, rule="SEAT-5", count=0))
    effects.extend(
        CancelBilling(at=at, rule="CAN-7", invoice_id=inv.id)
        for inv in settlement_order(account.invoices)
        if inv.status in _CANCELLED_BY_PLAN
    )
    if account.status is not AccountStatus.DELETE:
        effects.append(SetAccountStatus(at=at, rule="CAN-7", status=AccountStatus.DELETE.value))
        effects.append(RecordCancellation(at=at, rule="CAN-7", reason=why.value, feedback=feedback))
        effects.append(SetEmailOptOut(at=at, rule="CAN-7", opt_out=email_opt_out))
    return tuple(effects)


@checked
def apply_plan(account: AccountState, effects: Iterable[Effect]) -> AccountState:
    """The account after the host carried out ``effects`` (a :func:`back_office_plan`).

    Licence count and status are set; billings are cancelled through
    :func:`billrules.invoices.transition` (INV-2). Effects about records, email and access
    change nothing here. A helper for tests and simulations of CAN-7.

    Raises:
        InvalidInput: a ``CancelBilling`` names an invoice the account does not have.
        PolicyViolation: a billing cannot be cancelled from its status (INV-2).
    """
    invoices = {inv.id: inv for inv in account.invoices}
    status = account.status
    licences = account.licence_count
    for effect in effects:
        if isinstance(effect, SetLicenceCount):
            licences = effect.count
        elif isinstance(effect, SetAccountStatus):
            status = v.enum_member(AccountStatus, "SetAccountStatus.status")(effect.status)
        elif isinstance(effect, CancelBilling):
            if effect.invoice_id not in invoices:
                raise InvalidInput(
                    "CancelBilling.invoice_id", f"no invoice {shown(effect.invoice_id)}"
                )
            invoices[effect.invoice_id] = transition(
                invoices[effect.invoice_id], InvoiceStatus.CANCELLED, at=effect.at
            )
    return attrs.evolve(
        account, status=status, licence_count=licences, invoices=tuple(invoices.values())
    )


@checked
def still_scheduled(account: AccountState) -> tuple[Invoice, ...]:
    """The account's billings still ``scheduled``, oldest first (CAN-9)."""
    return settlement_order(
        inv for inv in account.invoices if inv.status is InvoiceStatus.SCHEDULED
    )


@checked
def cancellation_check(account: AccountState) -> Decision:
    """The back-office check after cancelling: nothing is still scheduled. Decides CAN-9.

    A refusal lists the billings still scheduled (``details["invoice_ids"]``).
    """
    left = still_scheduled(account)
    if left:
        ids = tuple(inv.id for inv in left)
        return Decision.refuse(
            Reason(
                code="billing_still_scheduled",
                rule="CAN-9",
                message=f"Billings still scheduled: {', '.join(ids)}.",
                details={"invoice_ids": ids},
            )
        )
    return Decision.allow(
        Reason(code="no_billing_scheduled", rule="CAN-9", message="No billing is scheduled.")
    )


# --------------------------------------------------------------------------------------------
# CAN-8: consequences at deactivation


@checked
def deactivation_effects(
    request: CancellationRequest, policy: CancellationPolicy
) -> tuple[Effect, ...]:
    """What happens at the request's deactivation instant. Decides CAN-8.

    Users lose access; the account's leads are reassigned to another agent
    (``policy.reassign_leads_to``, or the host's choice) and removed from the call queue.
    Nothing for a withdrawn request.
    """
    if request.state is RequestState.WITHDRAWN:
        return ()
    at = request.deactivates_at
    return (
        RevokeAccess(at=at, rule="CAN-8"),
        ReassignLeads(at=at, rule="CAN-8", to_agent=policy.reassign_leads_to),
        RemoveFromCallQueue(at=at, rule="CAN-8"),
    )
