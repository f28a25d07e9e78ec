"""Deletion: the check at the deletion instant (DEL-7), the state machine, cancel (DEL-3),
restore (DEL-6) and the recorded outcome (DEL-7).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from billrules._check import checked
from billrules.decisions import Decision, Reason
from billrules.deletion._eligibility import (
    DeletionDeadlines,
    _not_before_creation,
    _role,
    deadlines,
    eligibility,
)
from billrules.deletion._facts import (
    TRANSITIONS,
    AccountActivity,
    DeletionEvent,
    DeletionKind,
    DeletionPolicy,
    DeletionSchedule,
    DeletionState,
)
from billrules.errors import InvalidInput
from billrules.roles import Role

_St = DeletionState
_Ev = DeletionEvent


# --------------------------------------------------------------------------------------------
# DEL-7 and the state machine


def _kept_record(schedule: DeletionSchedule, when: DeletionDeadlines) -> None:
    if schedule.kept_at is not None and schedule.kept_at != when.deletion_at:
        raise InvalidInput("DeletionSchedule.kept_at", "must be the deletion instant")


@checked
def deletion_check(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether the deletion goes ahead at its deletion instant. Decides DEL-7 (and DEL-2, DEL-3).

    An automatic deletion re-checks eligibility (DEL-1) with the facts as of the deletion
    instant: a login or a top-up during the notice keeps the account. A manual one goes ahead
    (DEL-2). A deletion cancelled before the deletion instant does not (DEL-3). A recorded
    outcome (:func:`record_outcome`) is final.
    """
    when = deadlines(schedule, policy, zone=zone)
    _kept_record(schedule, when)
    _not_before_creation(activity, schedule.scheduled_at, "DeletionSchedule.scheduled_at")
    details: dict[str, Any] = {"deletion_at": when.deletion_at}
    if schedule.cancelled_at is not None and schedule.cancelled_at < when.deletion_at:
        return Decision.refuse(
            Reason(
                code="deletion_cancelled",
                rule="DEL-3",
                message="The owner cancelled the deletion while it was pending.",
                details={**details, "cancelled_at": schedule.cancelled_at},
            )
        )
    if schedule.kind is DeletionKind.MANUAL:
        return Decision.allow(
            Reason(
                code="manual_deletion",
                rule="DEL-2",
                message="The owner asked for the deletion.",
                details=details,
            )
        )
    if schedule.kept_at is not None:
        return Decision.refuse(
            Reason(
                code="no_longer_eligible",
                rule="DEL-7",
                message="The account was no longer eligible at the deletion instant and was kept.",
                details={**details, "kept_because": schedule.kept_because},
            )
        )
    still = eligibility(activity, policy, at=when.deletion_at, zone=when.zone)
    if still.allowed:
        return Decision.allow(
            Reason(
                code="still_eligible",
                rule="DEL-7",
                message="The account is still eligible for deletion at the deletion instant.",
                details=details,
            ),
            *still.reasons,
        )
    unmet = tuple(r.code for r in still.reasons if r.code in _UNMET_CODES)
    return Decision.refuse(
        Reason(
            code="no_longer_eligible",
            rule="DEL-7",
            message="The account is no longer eligible at the deletion instant and is kept.",
            details={**details, "kept_because": unmet},
        ),
        *still.reasons,
    )


_UNMET_CODES: Final = frozenset({"account_too_new", "recent_login", "balance_remaining"})


def _events(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    zone: ZoneInfo | str,
) -> tuple[DeletionDeadlines, Decision, list[tuple[datetime, DeletionEvent]]]:
    """Every event of ``schedule`` in time order; each is a move :data:`TRANSITIONS` allows."""
    when = deadlines(schedule, policy, zone=zone)
    outcome = deletion_check(schedule, activity, policy, zone=when.zone)
    events: list[tuple[datetime, DeletionEvent]] = []
    if schedule.cancelled_at is not None and schedule.cancelled_at < when.deletion_at:
        events.append((schedule.cancelled_at, _Ev.CANCEL))
    elif not outcome.allowed:
        events.append((when.deletion_at, _Ev.KEEP))
    else:
        events.append((when.deletion_at, _Ev.DELETE))
        restored = schedule.restored_at
        if restored is not None and when.deletion_at <= restored < when.purge_at:
            events.append((restored, _Ev.RESTORE))
        else:
            events.append((when.purge_at, _Ev.PURGE))
    if schedule.cancelled_at is not None and events[0][1] is not _Ev.CANCEL:
        raise InvalidInput("DeletionSchedule.cancelled_at", "must come before the deletion instant")
    if schedule.restored_at is not None and events[-1][1] is not _Ev.RESTORE:
        raise InvalidInput(
            "DeletionSchedule.restored_at",
            "must lie in the retention window of a deleted account",
        )
    return when, outcome, events


@checked
def state_at(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> DeletionState | None:
    """The state of ``schedule`` at ``at``, or ``None`` before it was scheduled.

    Decides DEL-3, DEL-6 and DEL-7 through :data:`TRANSITIONS`: ``pending`` from the
    scheduling instant; then ``cancelled`` (the owner's cancel), ``kept`` (no longer eligible
    at the deletion instant) or ``deleted``; a deleted account becomes ``restored`` (support)
    or ``purged`` (at the end of retention). Each change takes effect at its own instant.

    Raises:
        InvalidInput: a recorded cancel or restore the table does not allow at its instant.
    """
    _, _, events = _events(schedule, activity, policy, zone)
    if at < schedule.scheduled_at:
        return None
    state = _St.PENDING
    for instant, event in events:
        if instant > at:
            break
        state = TRANSITIONS[state][event]
    return state


# --------------------------------------------------------------------------------------------
# Cancel (DEL-3) and restore (DEL-6)


@checked
def can_cancel(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
    role: Role | str,
) -> Decision:
    """Whether the user with ``role`` may cancel ``schedule`` at ``at``. Decides DEL-3.

    Only the owner may, and only while the deletion is pending.
    """
    who = _role(role)
    state = state_at(schedule, activity, policy, at=at, zone=zone)
    when = deadlines(schedule, policy, zone=zone)
    details = {
        "role": str(who),
        "state": None if state is None else str(state),
        "deletion_at": when.deletion_at,
    }
    reasons: list[Reason] = []
    if who is not Role.OWNER:
        reasons.append(
            Reason(
                code="owner_only",
                rule="DEL-3",
                message="Only the account owner may cancel a scheduled deletion.",
                details=details,
            )
        )
    if state is not _St.PENDING:
        reasons.append(
            Reason(
                code="deletion_not_pending",
                rule="DEL-3",
                message="A deletion can be cancelled only while it is pending, before "
                f"{when.deletion_at.isoformat()}; it is "
                f"{'not scheduled yet' if state is None else state}.",
                details=details,
            )
        )
    if reasons:
        return Decision.refuse(*reasons)
    return Decision.allow(
        Reason(
            code="deletion_cancellable",
            rule="DEL-3",
            message="The owner may cancel the pending deletion.",
            details=details,
        )
    )


@checked
def cancel(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
    role: Role | str = Role.OWNER,
) -> DeletionSchedule:
    """``schedule`` cancelled by the owner at ``at``. Decides DEL-3.

    The banner is hidden at ``at`` and no reminder, deletion or purge follows.

    Raises:
        PolicyViolation: carrying :func:`can_cancel`'s refusal; ``schedule`` is unchanged.
    """
    can_cancel(schedule, activity, policy, at=at, zone=zone, role=role).require()
    return attrs.evolve(schedule, cancelled_at=at)


@checked
def can_restore(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether support may restore the account at ``at``. Decides DEL-6.

    Only a deleted account, inside the retention window ``[deletion_at, purge_at)``.
    """
    state = state_at(schedule, activity, policy, at=at, zone=zone)
    when = deadlines(schedule, policy, zone=zone)
    details = {
        "state": None if state is None else str(state),
        "deletion_at": when.deletion_at,
        "restorable_until": when.purge_at,
    }
    if state is _St.DELETED:
        return Decision.allow(
            Reason(
                code="inside_retention",
                rule="DEL-6",
                message="The account is deleted and its data are retained until "
                f"{when.purge_at.isoformat()}: it can be restored.",
                details=details,
            )
        )
    if state is _St.PURGED:
        return Decision.refuse(
            Reason(
                code="retention_over",
                rule="DEL-6",
                message="The retention window ended at "
                f"{when.purge_at.isoformat()}; the data were purged and cannot be restored.",
                details=details,
            )
        )
    return Decision.refuse(
        Reason(
            code="not_deleted",
            rule="DEL-6",
            message="Only a deleted account can be restored; this one is "
            f"{'not scheduled for deletion yet' if state is None else state}.",
            details=details,
        )
    )


@checked
def restore(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> DeletionSchedule:
    """``schedule`` with the account restored by support at ``at``. Decides DEL-6.

    Raises:
        PolicyViolation: carrying :func:`can_restore`'s refusal (for example after the
            retention window); ``schedule`` is unchanged.
    """
    can_restore(schedule, activity, policy, at=at, zone=zone).require()
    return attrs.evolve(schedule, restored_at=at)


@checked
def record_outcome(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> DeletionSchedule:
    """``schedule`` with DEL-7's outcome recorded, once the deletion instant has come.

    Decides DEL-7: when the account was no longer eligible at the deletion instant, the
    schedule records ``kept_at`` and the codes of the DEL-1 conditions no longer met
    (``kept_because``); from then on the outcome no longer depends on the facts. Otherwise
    (deleted, cancelled, manual, already recorded) the schedule is returned as it is.

    Raises:
        InvalidInput: ``at`` is before the deletion instant (the outcome is not known yet).
    """
    when, outcome, events = _events(schedule, activity, policy, zone)
    if at < when.deletion_at:
        raise InvalidInput("at", "the deletion instant has not come yet")
    if schedule.kept_at is None and events[0][1] is _Ev.KEEP:
        return attrs.evolve(
            schedule,
            kept_at=when.deletion_at,
            kept_because=outcome.reasons[0].details["kept_because"],
        )
    return schedule
