"""The overdue area's operations: :func:`record_attempt` (OVD-1, OVD-4) and :func:`write_off`
(OVD-6), each asking its question first. Private."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from billrules import _time
from billrules._check import checked
from billrules._redact import shown
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.effects import Effect, trusted_effect
from billrules.errors import InvalidInput, InvalidType
from billrules.invoices import (
    DUE_STATUSES,
    ChargeAttempt,
    Invoice,
    InvoiceStatus,
    can_change_status,
    change_status,
)
from billrules.overdue import _contract
from billrules.overdue._access import access_at
from billrules.overdue._codes import OverdueCode, OverdueKind
from billrules.overdue._facts import OverdueFacts
from billrules.overdue._ladder import State, state_at
from billrules.overdue._policy import OverduePolicy


@attrs.frozen(kw_only=True)
class OverdueChange:
    """What an operation of the overdue area returns: the new facts, the invoice it changed,
    and the effects for the host (each naming the account)."""

    facts: OverdueFacts
    invoice: Invoice
    effects: tuple[Effect, ...]


def _find(facts: OverdueFacts, invoice_id: object) -> int:
    if not isinstance(invoice_id, str):
        raise InvalidType("invoice_id", f"must be a str, not {type(invoice_id).__name__}")
    for index, invoice in enumerate(facts.invoices):
        if invoice.id == invoice_id:
            return index
    raise InvalidInput("invoice_id", f"no invoice {shown(invoice_id)}")


#: OVD-1, OVD-6: the statuses an invoice can be charged in (a written-off one stays payable).
_CHARGEABLE = frozenset({*DUE_STATUSES, InvoiceStatus.UNCOLLECTIBLE})


@checked
def can_record_attempt(facts: OverdueFacts, *, invoice_id: str) -> Decision:
    """Whether a charge of the invoice ``invoice_id`` can be recorded: whether it can be
    charged at all. Decides OVD-1 and OVD-6.

    Allowed for a submitted, failed or written-off invoice (``charge_allowed``, with the amount
    left); refused for a scheduled, paid or cancelled one (``nothing_to_charge``).

    Raises:
        InvalidInput: no invoice has that id.
    """
    invoice = facts.invoices[_find(facts, invoice_id)]
    if invoice.status in _CHARGEABLE:
        left = invoice.amount - invoice.amount_paid
        reason = trusted_reason(
            OverdueCode.CHARGE_ALLOWED, {"invoice_id": invoice.id, "amount": left}
        )
        return trusted_decision(True, (reason,))
    reason = trusted_reason(
        OverdueCode.NOTHING_TO_CHARGE, {"invoice_id": invoice.id, "status": str(invoice.status)}
    )
    return trusted_decision(False, (reason,))


@checked
def can_write_off(facts: OverdueFacts, *, invoice_id: str) -> Decision:
    """Whether the invoice ``invoice_id`` can be written off. Decides OVD-6 (INV-2's table:
    submitted or failed → uncollectible).

    Raises:
        InvalidInput: no invoice has that id.
    """
    invoice = facts.invoices[_find(facts, invoice_id)]
    if can_change_status(invoice, to=InvoiceStatus.UNCOLLECTIBLE).allowed:
        reason = trusted_reason(
            OverdueCode.WRITE_OFF_ALLOWED, {"invoice_id": invoice.id, "amount": invoice.amount_due}
        )
        return trusted_decision(True, (reason,))
    reason = trusted_reason(
        OverdueCode.NOT_WRITABLE_OFF, {"invoice_id": invoice.id, "status": str(invoice.status)}
    )
    return trusted_decision(False, (reason,))


def _moved(
    before: OverdueFacts,
    after: OverdueFacts,
    policy: OverduePolicy,
    at: datetime,
    zone: ZoneInfo,
    account: str,
    occasion: str,
) -> tuple[Effect, ...]:
    """OVD-4: when the stage at ``at`` changes, the access each role gets from then on (the
    stricter of it and dunning's, OVD-9), and the banner hidden when it goes."""
    from billrules.effects import HideBanner, SetAccess

    old = state_at(before, policy, at, zone)
    new = state_at(after, policy, at, zone)
    if _index(old) == _index(new):
        return ()
    index = _index(new)
    stage = None if index is None else policy.stages[index]
    access, _ = access_at(after, policy, index, at, zone)
    effects: list[Effect] = [
        trusted_effect(
            SetAccess,
            at=at,
            rule="OVD-4",
            account=account,
            occasion=occasion,
            stage=None if stage is None else stage.name,
            access=access,
        )
    ]
    old_index = _index(old)
    shown_before = old_index is not None and policy.stages[old_index].banner
    if shown_before and (stage is None or not stage.banner):
        effects.append(
            trusted_effect(
                HideBanner,
                at=at,
                rule="OVD-4",
                account=account,
                occasion=occasion,
                banner="overdue",
            )
        )
    return tuple(effects)


def _notices(
    facts: OverdueFacts,
    policy: OverduePolicy,
    invoice: Invoice,
    attempt: ChargeAttempt,
    zone: ZoneInfo,
    account: str,
) -> tuple[Effect, ...]:
    """OVD-7: the failure notices of a failed automatic attempt, as the timeline gives them
    at the attempt's instant (the same effects, so the same keys, X-6): a host that records
    the attempt after the window holding it has run still sends them, once."""
    if not attempt.automatic or not attempt.failed:
        return ()
    window_end = attempt.at + timedelta(microseconds=1)
    found = _contract._transitions(facts, policy, attempt.at, window_end, zone)
    number = sum(1 for made in invoice.attempts if made.automatic)  # this attempt's number
    return tuple(
        attrs.evolve(effect, account=account)
        for transition in found
        if transition.kind == OverdueKind.CHARGE_FAILED
        and transition.reasons[0].details.get("invoice_id") == invoice.id
        and transition.reasons[0].details.get("attempt") == number
        for effect in transition.effects
    )


def _index(state: State | None) -> int | None:
    return None if state is None else state.index


def _replace(facts: OverdueFacts, index: int, invoice: Invoice) -> OverdueFacts:
    invoices = (*facts.invoices[:index], invoice, *facts.invoices[index + 1 :])
    return attrs.evolve(facts, invoices=invoices)


@checked
def record_attempt(
    facts: OverdueFacts,
    policy: OverduePolicy,
    *,
    invoice_id: str,
    attempt: ChargeAttempt,
    zone: ZoneInfo | str,
    account: str,
) -> OverdueChange:
    """The facts with ``attempt`` recorded on the invoice ``invoice_id``. Decides OVD-1, OVD-4.

    A succeeded attempt pays what is left (the invoice becomes ``paid`` at its instant); a
    failed one leaves a submitted invoice ``failed`` (a failed or written-off one keeps its
    status). The retry schedule follows from the recorded attempts (OVD-1). When the stage at
    the attempt's instant changes (a payment that settles the oldest overdue invoice, OVD-4),
    the effects say what each role gets from then on (``SetAccess``, and ``HideBanner`` when
    the banner goes), keyed by the attempt (``occasion``). A failed automatic attempt also
    returns its notices to the owner and the admins with the next attempt (OVD-7): the very
    effects the timeline gives at the attempt's instant, with the same keys, so a host whose
    window holding that instant has already run still sends them, and one whose window has
    not yet run sends them once.

    Raises:
        PolicyViolation: :func:`can_record_attempt` refuses (the invoice is paid, cancelled or
            scheduled); nothing is changed.
        InvalidInput: no such invoice, or the attempt is before the invoice's last one.
    """
    if not isinstance(attempt, ChargeAttempt):
        raise InvalidType("attempt", f"must be a ChargeAttempt, not {type(attempt).__name__}")
    can_record_attempt(facts, invoice_id=invoice_id).require()
    index = _find(facts, invoice_id)
    invoice = facts.invoices[index]
    if invoice.attempts and _time.before(attempt.at, invoice.attempts[-1].at):
        raise InvalidInput("attempt.at", "must not be before the invoice's last attempt")
    if _time.before(attempt.at, invoice.issued_at):
        raise InvalidInput("attempt.at", "must not be before the invoice was issued")
    updated = attrs.evolve(invoice, attempts=(*invoice.attempts, attempt))
    if not attempt.failed:
        method = facts.wallet.get(attempt.method_id) if attempt.method_id else None
        updated = change_status(
            updated,
            to=InvoiceStatus.PAID,
            at=attempt.at,
            method=None if method is None else method.label,
        )
    elif invoice.status is InvoiceStatus.SUBMITTED:
        updated = change_status(updated, to=InvoiceStatus.FAILED, at=attempt.at)
    after = _replace(facts, index, updated)
    tz = _time.to_zone(zone)
    occasion = f"attempt-{invoice.id}-{len(updated.attempts)}"
    effects = _moved(facts, after, policy, attempt.at, tz, account, occasion)
    notices = _notices(after, policy, updated, attempt, tz, account)
    return OverdueChange(facts=after, invoice=updated, effects=(*notices, *effects))


@checked
def write_off(
    facts: OverdueFacts,
    policy: OverduePolicy,
    *,
    invoice_id: str,
    at: datetime,
    zone: ZoneInfo | str,
    account: str,
) -> OverdueChange:
    """The facts with the invoice ``invoice_id`` written off at ``at``. Decides OVD-6.

    It becomes ``uncollectible``: no longer part of the outstanding total (INV-3) nor of the
    overdue age (OVD-3), never retried, still payable. When the stage at ``at`` changes, the
    effects say what each role gets from then on (OVD-4).

    Raises:
        PolicyViolation: :func:`can_write_off` refuses (only a submitted or failed invoice
            may become ``uncollectible``, INV-2); nothing is changed.
        InvalidInput: no such invoice, or ``at`` is before it was issued.
    """
    can_write_off(facts, invoice_id=invoice_id).require()
    index = _find(facts, invoice_id)
    invoice = facts.invoices[index]
    if _time.before(at, invoice.issued_at):
        raise InvalidInput("at", "must not be before the invoice was issued")
    updated = change_status(invoice, to=InvoiceStatus.UNCOLLECTIBLE, at=at)
    after = _replace(facts, index, updated)
    effects = _moved(
        facts, after, policy, at, _time.to_zone(zone), account, f"write-off-{invoice.id}"
    )
    return OverdueChange(facts=after, invoice=updated, effects=effects)
