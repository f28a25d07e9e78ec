"""The back-office plan (CAN-7, SEAT-5), its check (CAN-9) and the consequences at
deactivation (CAN-8). Private."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

import attrs

from billrules import _validate as v
from billrules._check import checked, unchecked
from billrules._redact import shown
from billrules.cancellation._codes import CancellationCode
from billrules.cancellation._facts import (
    AccountState,
    AccountStatus,
    CancellationReason,
    CancellationRequest,
    RequestState,
)
from billrules.cancellation._policy import CancellationPolicy
from billrules.decisions import Decision, Reason, trusted_decision, trusted_reason
from billrules.effects import Effect, trusted_effect  # kinds are imported where built
from billrules.errors import InvalidInput
from billrules.invoices import Invoice, InvoiceStatus, change_status, settlement_order
from billrules.seats import back_office_occasion

# The other areas' public functions, their bodies: the account state was checked when it
# was built, and the arguments by this area's own public functions.
_settlement_order: Final = unchecked(settlement_order)
_back_office_occasion: Final = unchecked(back_office_occasion)

#: CAN-7: the billings the back office cancels.
_CANCELLED_BY_PLAN: Final = frozenset({InvoiceStatus.SCHEDULED, InvoiceStatus.SUBMITTED})

#: CAN-9: the allowance, the same every time.
_NOTHING_SCHEDULED: Final = Decision.allow(Reason(code=CancellationCode.NO_BILLING_SCHEDULED))


@checked
def back_office_plan(
    state: AccountState,
    *,
    account: str,
    at: datetime,
    reason: CancellationReason | str,
    feedback: str = "",
    email_opt_out: bool = False,
    occasion: str | None = None,
) -> tuple[Effect, ...]:
    """The back-office actions that cancel the account at ``at``. Decides CAN-7 and SEAT-5.

    From the account's state: set the licence count to 0 (SEAT-5) unless it is 0; cancel
    every scheduled and submitted billing; and, unless the status is already ``DELETE``, set
    it, record the cancellation's date and reason, and the email opt-out. The plan is
    idempotent: once applied (:func:`apply_plan`), planning again gives nothing, and for an
    account already cancelled it is empty.

    The effects' occasion (X-6) is ``occasion``, the host's own id of this cancellation, when
    given; else the cancellation request the account has
    (``"cancellation_request:2024-05-01T09:00:00+00:00"``: planning again on the same facts,
    at any instant, gives the same keys), or, without one (or with a withdrawn one),
    ``"back_office_cancellation:"``, the date of ``at`` in UTC and the licences cancelled
    (``"back_office_cancellation:2024-05-01:5"``, the occasion of
    :func:`billrules.seats.back_office_cancel` too): planned again the same day, the same
    keys; an account cancelled again another day, or with another licence count, new keys. Every effect names ``account``,
    the id of the account cancelled, so two accounts' plans never share a key (X-6).

    Raises:
        InvalidInput: an unknown ``reason``; an empty ``account`` or ``occasion``, or one
            holding a card number (PM-6).
    """
    from billrules.effects import (
        CancelBilling,
        RecordCancellation,
        SetAccountStatus,
        SetEmailOptOut,
        SetLicenceCount,
    )

    v.account_id(account)
    why = v.enum_member(CancellationReason, "reason")(reason)
    occasion = _plan_occasion(state, at, occasion)
    effects: list[Effect] = []
    if state.licence_count:
        effects.append(
            SetLicenceCount(at=at, rule="SEAT-5", count=0, occasion=occasion, account=account)
        )
    effects.extend(
        CancelBilling(at=at, rule="CAN-7", invoice_id=inv.id, occasion=occasion, account=account)
        for inv in settlement_order(state.invoices)
        if inv.status in _CANCELLED_BY_PLAN
    )
    if state.status is not AccountStatus.DELETE:
        effects.extend(
            (
                SetAccountStatus(
                    at=at,
                    rule="CAN-7",
                    status=AccountStatus.DELETE.value,
                    occasion=occasion,
                    account=account,
                ),
                RecordCancellation(
                    at=at,
                    rule="CAN-7",
                    reason=why.value,
                    feedback=feedback,
                    occasion=occasion,
                    account=account,
                ),
                SetEmailOptOut(
                    at=at, rule="CAN-7", opt_out=email_opt_out, occasion=occasion, account=account
                ),
            )
        )
    return tuple(effects)


def _plan_occasion(state: AccountState, at: datetime, occasion: str | None) -> str:
    """The occasion of a back-office plan's effects (X-6): the host's own, or the
    cancellation request the account has (``"cancellation_request:"`` and the instant it was
    made, in UTC), or, when it has none (or withdrew it), the back-office cancellation of the
    day of ``at`` and its licences (``"back_office_cancellation:2024-05-01:5"``), the occasion of SEAT-5's
    effects too. Never the instant the plan is computed at: the same plan computed again the
    same day gives the same keys."""
    request = state.request
    if occasion is not None or request is None or request.state is RequestState.WITHDRAWN:
        return _back_office_occasion(at=at, licences=state.licence_count, occasion=occasion)
    return f"cancellation_request:{request.requested_at.astimezone(UTC).isoformat()}"


@checked
def apply_plan(state: AccountState, *, effects: Iterable[Effect]) -> AccountState:
    """The account after the host carried out ``effects`` (a :func:`back_office_plan`).

    Licence count and status are set; billings are cancelled through
    :func:`billrules.invoices.change_status` (INV-2). Effects about records, email and access
    change nothing here. A helper for tests and simulations of CAN-7.

    Raises:
        InvalidInput: a ``CancelBilling`` names an invoice the account does not have.
        PolicyViolation: a billing cannot be cancelled from its status (INV-2).
    """
    from billrules.effects import CancelBilling, SetAccountStatus, SetLicenceCount

    invoices = {inv.id: inv for inv in state.invoices}
    status = state.status
    licences = state.licence_count
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
            invoices[effect.invoice_id] = change_status(
                invoices[effect.invoice_id], to=InvoiceStatus.CANCELLED, at=effect.at
            )
    return attrs.evolve(
        state, status=status, licence_count=licences, invoices=tuple(invoices.values())
    )


@checked
def still_scheduled(state: AccountState) -> tuple[Invoice, ...]:
    """The account's billings still ``scheduled``, oldest first (CAN-9)."""
    return _still_scheduled(state)


def _still_scheduled(state: AccountState) -> tuple[Invoice, ...]:
    return _settlement_order(inv for inv in state.invoices if inv.status is InvoiceStatus.SCHEDULED)


@checked
def can_complete_cancellation(state: AccountState) -> Decision:
    """Whether the cancellation is complete in the back office: nothing of the account is
    still scheduled. Decides CAN-9.

    A refusal lists the billings still scheduled (``details["invoice_ids"]``).
    """
    return _can_complete(state)


def _can_complete(state: AccountState) -> Decision:
    left = _still_scheduled(state)
    if left:
        ids = tuple([inv.id for inv in left])
        details: Mapping[str, Any] = {"invoice_ids": ids}
        if all(type(id_) is str and id_.isascii() for id_ in ids):
            # Ids as Invoice checked them (no card number, PM-6): frozen as the details'
            # check would keep them, without walking them again.
            details = v.FrozenMapping(details)
        return trusted_decision(
            False, (trusted_reason(CancellationCode.BILLING_STILL_SCHEDULED, details),)
        )
    return _NOTHING_SCHEDULED


# --------------------------------------------------------------------------------------------
# CAN-8: consequences at deactivation


@checked
def deactivation_effects(
    request: CancellationRequest, policy: CancellationPolicy, *, account: str
) -> tuple[Effect, ...]:
    """What happens at the request's deactivation instant. Decides CAN-8.

    Users lose access; the account's leads are reassigned to another agent
    (``policy.reassign_leads_to``, or the host's choice) and removed from the call queue.
    Nothing for a withdrawn request. The effects are scheduled (due at the request's
    ``deactivates_at``, a fact of the request), so they have no ``occasion``: their keys are
    those of the cancellation's transition in the account's timeline (X-6): they name
    ``account``, the id of the account deactivated.

    Raises:
        InvalidInput: ``account`` is empty or holds a card number (PM-6).
    """
    v.account_id(account)
    return _deactivation_effects(request, policy, account)


def _deactivation_effects(
    request: CancellationRequest, policy: CancellationPolicy, account: str | None = None
) -> tuple[Effect, ...]:
    """CAN-8's effects, naming ``account`` (``None`` in the area's account-free timeline)."""
    from billrules.effects import ReassignLeads, RemoveFromCallQueue, RevokeAccess

    if request.state is RequestState.WITHDRAWN:
        return ()
    at = request.deactivates_at
    return (
        trusted_effect(RevokeAccess, at=at, rule="CAN-8", account=account),
        trusted_effect(
            ReassignLeads, at=at, rule="CAN-8", to_agent=policy.reassign_leads_to, account=account
        ),
        trusted_effect(RemoveFromCallQueue, at=at, rule="CAN-8", account=account),
    )
