"""The overdue area's part of the area contract: transitions, findings, role findings. Private."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked, unchecked
from billrules.contract import Finding, Transition, trusted_finding, trusted_transition
from billrules.decisions import Reason, trusted_decision, trusted_reason
from billrules.effects import Effect, trusted_effect
from billrules.invoices import Invoice
from billrules.overdue._access import access_at, change, use_product
from billrules.overdue._codes import AREA, OverdueCode, OverdueKind, OverdueQuestion
from billrules.overdue._facts import OverdueFacts
from billrules.overdue._ladder import (
    BLOCKED,
    NEW_METHOD,
    Attempt,
    State,
    automatic,
    final_instant,
    retries,
    same_wall_time,
    stage_changes,
    state_at,
)
from billrules.overdue._policy import FinalAction, OverduePolicy
from billrules.roles import Role

_OWNER: Final = str(Role.OWNER)
_ADMIN: Final = str(Role.ADMIN)
#: The order of the area's transitions at one instant.
_RANK: Final = {
    OverdueKind.OVERDUE_STAGE: 0,
    OverdueKind.FINAL_ACTION: 1,
    OverdueKind.FINAL_NOTICE: 2,
    OverdueKind.CHARGE_FAILED: 3,
    OverdueKind.CHARGE_RETRY: 4,
    OverdueKind.RETRY_BLOCKED: 5,
    OverdueKind.ACCESS_COMBINED: 6,
}


def _emails(at: datetime, rule: str, template: str, details: dict[str, Any]) -> list[Effect]:
    """The notice ``template`` to the owner and the admins (OVD-7)."""
    from billrules.effects import SendEmail  # loaded on use, as every kind of effect

    frozen = v.FrozenMapping(details)
    return [
        trusted_effect(SendEmail, at=at, rule=rule, template=template, to=to, details=frozen)
        for to in (_OWNER, _ADMIN)
    ]


def _ids(state: State) -> tuple[str, ...]:
    return tuple(invoice.id for invoice in state.overdue)


def _stage(
    at: datetime, state: State, facts: OverdueFacts, policy: OverduePolicy, zone: ZoneInfo
) -> Transition:
    """OVD-3, OVD-7: a stage entered: each role's access (the stricter of it and dunning's,
    OVD-9), the notice, the banner."""
    from billrules.effects import SetAccess, ShowBanner

    index = state.index if state.index is not None else 0
    stage = policy.stages[index]
    access = v.FrozenMapping({str(role): str(level) for role, level in stage.access.items()})
    enforced = access if facts.ledger is None else access_at(facts, policy, index, at, zone)[0]
    details = {
        "stage": stage.name,
        "first_day": stage.first_day,
        "access": access,
        "severity": max(level.severity for level in stage.access.values()),
        "amount": state.amount,
        "since": state.since,
        "invoice_ids": _ids(state),
    }
    reasons = (
        trusted_reason(OverdueCode.STAGE_BEGINS, v.FrozenMapping(details)),
        trusted_reason(OverdueCode.CLOCK, {"clock": str(policy.clock)}),
    )
    effects: list[Effect] = [
        trusted_effect(SetAccess, at=at, rule="OVD-3", stage=stage.name, access=enforced)
    ]
    notice = {"stage": stage.name, "amount": state.amount, "invoice_ids": _ids(state)}
    effects.extend(_emails(at, "OVD-7", "overdue_stage", notice))
    if stage.banner:
        effects.append(
            trusted_effect(
                ShowBanner,
                at=at,
                rule="OVD-7",
                banner="overdue",
                details=v.FrozenMapping(notice),
            )
        )
    return trusted_transition(at, AREA, OverdueKind.OVERDUE_STAGE, reasons, tuple(effects))


def _final(
    at: datetime, state: State, facts: OverdueFacts, policy: OverduePolicy, zone: ZoneInfo
) -> Transition:
    """OVD-5: the final action, with CAN-8's consequences and, by the knob, write-offs."""
    from billrules.effects import (
        CancelSubscription,
        HideBanner,
        ReassignLeads,
        RemoveFromCallQueue,
        SetAccess,
        WriteOffInvoice,
    )

    action = policy.final_action
    effects: list[Effect] = []
    if action is FinalAction.CANCEL:
        sub = facts.subscription
        if sub is not None and (sub.ends_at is None or not _time.before(sub.ends_at, at)):
            effects.append(
                trusted_effect(CancelSubscription, at=at, rule="OVD-5", reason="payment_failed")
            )
        effects.append(trusted_effect(ReassignLeads, at=at, rule="CAN-8", to_agent=None))
        effects.append(trusted_effect(RemoveFromCallQueue, at=at, rule="CAN-8"))
    unpaid = "written_off" if policy.write_off else "stay_open"
    details = {"action": str(action), "unpaid": unpaid, "amount": state.amount}
    reasons = [trusted_reason(OverdueCode.FINAL_ACTION, v.FrozenMapping(details))]
    if policy.write_off:
        effects.extend(
            trusted_effect(WriteOffInvoice, at=at, rule="OVD-6", invoice_id=invoice.id)
            for invoice in state.overdue
        )
        # OVD-6: nothing is overdue once they are written off: collections end at once.
        access, _ = access_at(facts, policy, None, at, zone)
        effects.append(trusted_effect(SetAccess, at=at, rule="OVD-6", stage=None, access=access))
        if policy.stages[-1].banner:
            effects.append(trusted_effect(HideBanner, at=at, rule="OVD-6", banner="overdue"))
        reasons.append(trusted_reason(OverdueCode.ACCESS_RESTORED, {"access": access}))
    effects.extend(_emails(at, "OVD-5", "overdue_final_action", details))
    return trusted_transition(at, AREA, OverdueKind.FINAL_ACTION, tuple(reasons), tuple(effects))


def _combined(
    at: datetime,
    state: State,
    dunning_stage: str | None,
    access: v.FrozenMapping[str, str],
    policy: OverduePolicy,
) -> Transition:
    """OVD-9: dunning's stage changed while collections restrict: the stricter access."""
    from billrules.effects import SetAccess

    index = state.index if state.index is not None else 0
    stage = policy.stages[index].name
    details = {"stage": stage, "dunning_stage": dunning_stage, "access": access}
    reason = trusted_reason(OverdueCode.ACCESS_COMBINED, v.FrozenMapping(details))
    effect = trusted_effect(SetAccess, at=at, rule="OVD-9", stage=stage, access=access)
    return trusted_transition(at, AREA, OverdueKind.ACCESS_COMBINED, (reason,), (effect,))


def _notice_at(final: datetime, policy: OverduePolicy, zone: ZoneInfo) -> datetime:
    return same_wall_time(final, -policy.final_notice_days, zone)


def _final_notice(at: datetime, final: datetime, state: State, policy: OverduePolicy) -> Transition:
    """OVD-5, OVD-7: the notice before the final action."""
    details = {"action": str(policy.final_action), "final_at": final, "amount": state.amount}
    reason = trusted_reason(OverdueCode.FINAL_NOTICE, v.FrozenMapping(details))
    effects = tuple(
        _emails(at, "OVD-7", "overdue_final_notice", {**details, "invoice_ids": _ids(state)})
    )
    return trusted_transition(at, AREA, OverdueKind.FINAL_NOTICE, (reason,), effects)


def _category(code: str | None, policy: OverduePolicy) -> str:
    """OVD-7: the decline's category, never the issuer's text."""
    return "hard" if code is not None and code in policy.hard_declines else "soft"


def _failed(
    invoice: Invoice,
    number: int,
    at: datetime,
    code: str | None,
    after: datetime | None,
    policy: OverduePolicy,
) -> Transition:
    """OVD-7: a recorded automatic attempt failed: the notice, with the next attempt."""
    details: dict[str, Any] = {
        "invoice_id": invoice.id,
        "attempt": number,
        "amount": invoice.amount_due,
        "category": _category(code, policy),
    }
    if after is None:
        reason = trusted_reason(OverdueCode.CHARGE_FAILED_NO_RETRY, v.FrozenMapping(details))
    else:
        details["next_attempt"] = after
        reason = trusted_reason(OverdueCode.CHARGE_FAILED, v.FrozenMapping(details))
    effects = tuple(_emails(at, "OVD-7", "overdue_charge_failed", details))
    return trusted_transition(at, AREA, OverdueKind.CHARGE_FAILED, (reason,), effects)


def _retry(invoice: Invoice, attempt: Attempt) -> Transition:
    """OVD-1, OVD-2: an automatic attempt due, or none possible (no usable default)."""
    from billrules.effects import RetryCharge

    at = attempt.at
    details = {"invoice_id": invoice.id, "attempt": attempt.number, "amount": invoice.amount_due}
    method = attempt.method
    if attempt.why == BLOCKED or method is None:
        reason = trusted_reason(OverdueCode.NO_USABLE_METHOD, v.FrozenMapping(details))
        effects = tuple(_emails(at, "OVD-2", "overdue_update_card", details)[:1])
        return trusted_transition(at, AREA, OverdueKind.RETRY_BLOCKED, (reason,), effects)
    code = OverdueCode.NEW_METHOD if attempt.why == NEW_METHOD else OverdueCode.RETRY_DUE
    reason = trusted_reason(code, v.FrozenMapping(details))
    effect = trusted_effect(
        RetryCharge,
        at=at,
        rule=reason.rule,
        invoice_id=invoice.id,
        attempt=attempt.number,
        method_id=method.id,
        amount=invoice.amount_due,
    )
    return trusted_transition(at, AREA, OverdueKind.CHARGE_RETRY, (reason,), (effect,))


def _invoice_transitions(
    invoice: Invoice,
    facts: OverdueFacts,
    policy: OverduePolicy,
    zone: ZoneInfo,
    final: datetime | None,
    start: datetime,
    end: datetime,
) -> Iterator[Transition]:
    """The failure notices of the invoice's recorded attempts and its retries to come."""
    tried = automatic(invoice)
    if not tried:
        return
    coming = list(retries(invoice, facts, policy, zone, final))
    for index, made in enumerate(tried):
        if not made.failed or not (_time.before(made.at, end) and not _time.before(made.at, start)):
            continue
        if index + 1 < len(tried):
            after: datetime | None = tried[index + 1].at
        else:
            after = next((a.at for a in coming if a.why != BLOCKED), None)
        yield _failed(invoice, index + 1, made.at, made.decline_code, after, policy)
    for attempt in coming:
        if not _time.before(attempt.at, end):
            break
        if not _time.before(attempt.at, start):
            yield _retry(invoice, attempt)


def _key(transition: Transition) -> tuple[datetime, int]:
    return transition.at.astimezone(UTC), _RANK[OverdueKind(transition.kind)]


def _transitions(
    facts: OverdueFacts, policy: OverduePolicy, start: datetime, end: datetime, zone: ZoneInfo
) -> Iterator[Transition]:
    due = facts.due
    if not due:
        return iter(())
    changes = stage_changes(facts, policy, zone)
    final = final_instant(changes, policy)
    found: list[Transition] = []

    def inside(at: datetime) -> bool:
        return not _time.before(at, start) and _time.before(at, end)

    last = len(policy.stages) - 1
    for at, state in changes:
        if inside(at):
            found.append(_stage(at, state, facts, policy, zone))
            if state.index == last and last > 0 and policy.final_action is not FinalAction.NONE:
                found.append(_final(at, state, facts, policy, zone))
    if facts.ledger is not None and changes:
        found.extend(_with_dunning(facts, policy, changes, start, end, zone))
    if final is not None and policy.final_action is not FinalAction.NONE:
        notice = _notice_at(final, policy, zone)
        begun = changes[0][0]
        if _time.before(notice, begun):
            notice = begun
        if _time.before(notice, final) and inside(notice):
            noticed = state_at(facts, policy, notice, zone, falling_due=True)
            if noticed is not None:
                found.append(_final_notice(notice, final, noticed, policy))
    for invoice in due:
        found.extend(_invoice_transitions(invoice, facts, policy, zone, final, start, end))
    found.sort(key=_key)
    return iter(found)


def _with_dunning(
    facts: OverdueFacts,
    policy: OverduePolicy,
    changes: list[tuple[datetime, State]],
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> Iterator[Transition]:
    """OVD-9: at each of dunning's stage changes while collections restrict (other than at a
    stage change of collections, whose access is already the stricter), the stricter access:
    it comes after dunning's own at that instant (the registry's order), so the host ends on it.
    """
    from billrules import dunning

    ledger = facts.ledger
    if ledger is None:
        return
    own = {moment.astimezone(UTC) for moment, _ in changes}
    began = changes[0][0]
    for moved in unchecked(dunning.transitions)(
        ledger, facts.dunning, start=start, end=end, zone=zone
    ):
        at = moved.at
        if _time.before(at, began) or at.astimezone(UTC) in own:
            continue
        state = state_at(facts, policy, at, zone, falling_due=True)
        if state is None or state.index is None:
            continue
        access, dunning_stage = access_at(facts, policy, state.index, at, zone)
        yield _combined(at, state, dunning_stage, access, policy)


@checked
def transitions(
    facts: OverdueFacts,
    policy: OverduePolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """What collections make happen in ``[start, end)``, oldest first. Decides OVD-1 … OVD-8.

    - ``overdue_stage``: a stage of the ladder entered (OVD-3): the first at the due instant
      of the invoice that starts it (unpaid after it, it is overdue), the others at the local
      midnight of their day, or when a hold ends (OVD-8). Its details give the stage, its
      first day, every role's level and the most severe one's ``severity``; its effects a
      :class:`~billrules.effects.SetAccess`, the notice to the owner and the admins, and from
      a stage with a banner (default ``blocked``) the ``overdue`` banner (OVD-7).
    - ``final_action``: on entering the last stage, by the policy (OVD-5): ``cancel`` ends the
      subscription (:class:`~billrules.effects.CancelSubscription`, reason ``payment_failed``)
      and asks for CAN-8's consequences (leads reassigned, removed from the call queue);
      ``write_off`` adds a :class:`~billrules.effects.WriteOffInvoice` per overdue invoice.
    - ``final_notice``: the notice ``final_notice_days`` before it (OVD-5, OVD-7).
    - ``charge_failed``: a recorded automatic attempt that failed, with the decline's category
      and the next attempt (OVD-7).
    - ``access_combined``: where the prepaid balance is negative too, at each of dunning's
      stage changes while collections restrict, the stricter access (OVD-9); every
      ``SetAccess`` of the area gives the stricter of the two levels.
    - ``charge_retry``: an automatic attempt due (:class:`~billrules.effects.RetryCharge`,
      OVD-1, OVD-2); ``retry_blocked`` where no usable default method allows one (OVD-2).

    Computed from the boundaries, never by stepping days; the same facts give the same
    transitions whatever window asks (OVD-4).

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    return _transitions(facts, policy, start, end, _time.to_zone(zone))


def _use_finding(
    facts: OverdueFacts, policy: OverduePolicy, role: Role, at: datetime, zone: ZoneInfo
) -> Finding:
    decision, state = use_product(facts, policy, role, at, zone)
    stage = None if state is None or state.index is None else policy.stages[state.index].name
    level = decision.reasons[0].details.get("level")
    return trusted_finding(
        AREA, OverdueQuestion.USE_PRODUCT, decision, {"level": level, "stage": stage}
    )


@checked
def role_findings(
    facts: OverdueFacts,
    policy: OverduePolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """Whether a user with ``role`` may use the product at ``at`` (OVD-3, OVD-8, OVD-9): one
    ``use_product`` finding carrying :func:`~billrules.overdue.can_use_product`'s decision."""
    from billrules.overdue._access import _role

    return (_use_finding(facts, policy, _role(role), at, _time.to_zone(zone)),)


@checked
def findings(
    facts: OverdueFacts, policy: OverduePolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """What is overdue at ``at`` and what it refuses (OVD-3, OVD-4).

    ``overdue_paid``: allowed when nothing is overdue; refused otherwise, with the amount, the
    oldest invoice's clock instant (``since``), the stage and the invoices. ``change_plan`` and
    ``add_seats``: :func:`~billrules.overdue.can_change_plan`'s decision.
    """
    tz = _time.to_zone(zone)
    decision, state = change(facts, policy, at, tz)
    stage = None if state is None or state.index is None else policy.stages[state.index].name
    if state is None:
        paid = trusted_decision(True, (trusted_reason(OverdueCode.NOTHING_OVERDUE, {}),))
        details: dict[str, Any] = {
            "amount": _money.zero(facts.currency),
            "since": None,
            "stage": None,
            "invoice_ids": (),
        }
    else:
        lifts: Reason = trusted_reason(OverdueCode.PAYMENT_LIFTS, {"amount": state.amount})
        paid = trusted_decision(False, (lifts,))
        details = {
            "amount": state.amount,
            "since": state.since,
            "stage": stage,
            "invoice_ids": _ids(state),
        }
    return (
        trusted_finding(AREA, OverdueQuestion.OVERDUE_PAID, paid, details),
        trusted_finding(AREA, OverdueQuestion.CHANGE_PLAN, decision, {"stage": stage}),
        trusted_finding(AREA, OverdueQuestion.ADD_SEATS, decision, {"stage": stage}),
    )
