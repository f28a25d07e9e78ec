"""Deletion: the check at the deletion instant (DEL-7), the state machine, scheduling (DEL-1,
DEL-2, DEL-3), cancel (DEL-3), restore (DEL-6) and the recorded outcome (DEL-7).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from billrules import _time
from billrules._check import checked
from billrules._validate import FrozenMapping
from billrules.decisions import Decision, Reason, trusted_decision, trusted_reason
from billrules.deletion._codes import DeletionCode
from billrules.deletion._eligibility import (
    DeletionDeadlines,
    _deadlines_of,
    _eligibility,
    _not_before_creation,
    _role,
    _scheduled,
    can_delete_manually,
    can_schedule,
)
from billrules.deletion._facts import (
    STATE_CHANGES,
    DeletionEvent,
    DeletionFacts,
    DeletionSchedule,
    DeletionScheduleKind,
    DeletionState,
    _recall,
)
from billrules.deletion._policy import DeletionPolicy
from billrules.errors import InvalidInput
from billrules.roles import Role

_St = DeletionState
_Ev = DeletionEvent
_Code = DeletionCode

#: What a deletion's ``status`` detail says before it is scheduled.
_NOT_SCHEDULED: Final = "not_scheduled_yet"

# --------------------------------------------------------------------------------------------
# DEL-7 and the state machine


def _go_ahead(
    facts: DeletionFacts,
    schedule: DeletionSchedule,
    policy: DeletionPolicy,
    when: DeletionDeadlines,
) -> Decision:
    if schedule.kept_at is not None and schedule.kept_at != when.deletion_at:
        raise InvalidInput("DeletionSchedule.kept_at", "must be the deletion instant")
    deletion_at = when.deletion_at
    if schedule.cancelled_at is not None and schedule.cancelled_at < deletion_at:
        return trusted_decision(
            False,
            (
                trusted_reason(
                    _Code.DELETION_CANCELLED,
                    FrozenMapping(
                        {"deletion_at": deletion_at, "cancelled_at": schedule.cancelled_at}
                    ),
                ),
            ),
        )
    if schedule.kind is DeletionScheduleKind.MANUAL:
        return trusted_decision(
            True,
            (trusted_reason(_Code.MANUAL_DELETION, FrozenMapping({"deletion_at": deletion_at})),),
        )
    if schedule.kept_at is not None:
        return trusted_decision(
            False,
            (
                trusted_reason(
                    _Code.NO_LONGER_ELIGIBLE,
                    FrozenMapping(
                        {"deletion_at": deletion_at, "kept_because": schedule.kept_because}
                    ),
                ),
            ),
        )
    still = _eligibility(facts.activity, policy, deletion_at, when.zone)
    if still.allowed:
        return trusted_decision(
            True,
            (
                trusted_reason(_Code.STILL_ELIGIBLE, FrozenMapping({"deletion_at": deletion_at})),
                *still.reasons,
            ),
        )
    unmet = tuple(r.code.value for r in still.reasons if r.code in _UNMET_CODES)
    return trusted_decision(
        False,
        (
            trusted_reason(
                _Code.NO_LONGER_ELIGIBLE,
                FrozenMapping({"deletion_at": deletion_at, "kept_because": unmet}),
            ),
            *still.reasons,
        ),
    )


_UNMET_CODES: Final = frozenset(
    {_Code.ACCOUNT_TOO_NEW, _Code.RECENT_LOGIN, _Code.BALANCE_REMAINING}
)


@checked
def can_go_ahead(facts: DeletionFacts, policy: DeletionPolicy, *, zone: ZoneInfo | str) -> Decision:
    """Whether the scheduled deletion goes ahead at its deletion instant. Decides DEL-7 (and
    DEL-2, DEL-3).

    An automatic deletion re-checks eligibility (DEL-1) with the facts as of the deletion
    instant: a login or a top-up during the notice keeps the account; the DEL-1 reasons follow
    the outcome's. A manual one goes ahead (DEL-2). A deletion cancelled before the deletion
    instant does not (DEL-3). A recorded outcome (:func:`record_outcome`) is final.

    Raises:
        InvalidInput: no deletion is scheduled, or the recorded ``kept_at`` is not the
            deletion instant.
    """
    return _outcome(facts, _scheduled(facts), policy, _time.to_zone(zone))[1]


def _outcome(
    facts: DeletionFacts, schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> tuple[DeletionDeadlines, Decision]:
    """The deadlines and :func:`can_go_ahead`'s answer, computed once per facts, policy, zone.

    Neither depends on the instant asked about: the outcome is DEL-7's re-check at the
    deletion instant.
    """

    return _recall(_compute_outcome, facts, schedule, policy, tz)


def _compute_outcome(
    facts: DeletionFacts, schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> tuple[DeletionDeadlines, Decision]:
    when = _deadlines_of(facts, schedule, policy, tz)
    return when, _go_ahead(facts, schedule, policy, when)


_Events = tuple[DeletionDeadlines, Decision, tuple[tuple[datetime, DeletionEvent], ...]]


def _events(facts: DeletionFacts, policy: DeletionPolicy, tz: ZoneInfo) -> _Events:
    """Every event of the schedule in time order; each is a move :data:`STATE_CHANGES` allows.

    Computed once per facts, policy and zone (the transitions, the suspension, the state at
    every instant and each role's answers read them).
    """
    return _recall(_compute_events, facts, _scheduled(facts), policy, tz)


def _compute_events(
    facts: DeletionFacts, schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> _Events:
    when, outcome = _outcome(facts, schedule, policy, tz)
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
    return when, outcome, tuple(events)


def _state(
    facts: DeletionFacts, policy: DeletionPolicy, at: datetime, tz: ZoneInfo
) -> DeletionState | None:
    schedule = _scheduled(facts)
    return _state_in(schedule, _events(facts, policy, tz)[2], at)


def _state_in(
    schedule: DeletionSchedule, events: tuple[tuple[datetime, DeletionEvent], ...], at: datetime
) -> DeletionState | None:
    """The state at ``at`` of ``schedule``, whose events are ``events`` (:func:`_events`)."""
    if at < schedule.scheduled_at:
        return None
    state = _St.PENDING
    for instant, event in events:
        if instant > at:
            break
        state = STATE_CHANGES[state][event]
    return state


@checked
def state_at(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> DeletionState | None:
    """The state of the schedule at ``at``, or ``None`` before it was scheduled (or without one).

    Decides DEL-3, DEL-6 and DEL-7 through :data:`STATE_CHANGES`: ``pending`` from the
    scheduling instant; then ``cancelled`` (the owner's cancel), ``kept`` (no longer eligible
    at the deletion instant) or ``deleted``; a deleted account becomes ``restored`` (support)
    or ``purged`` (at the end of retention). Each change takes effect at its own instant.

    Raises:
        InvalidInput: a recorded cancel or restore the table does not allow at its instant.
    """
    tz = _time.to_zone(zone)
    if facts.schedule is None:
        return None
    return _state(facts, policy, at, tz)


def _status(state: DeletionState | None) -> str:
    return _NOT_SCHEDULED if state is None else state.value


# --------------------------------------------------------------------------------------------
# Scheduling (DEL-1, DEL-2, DEL-3)

#: The states in which a schedule still runs: a new one cannot replace it.
_LIVE: Final = frozenset({None, _St.PENDING, _St.DELETED})


def _replaceable(facts: DeletionFacts, policy: DeletionPolicy, at: datetime, tz: ZoneInfo) -> None:
    """Refuse to replace a schedule that is still pending or deleted at ``at``."""
    if facts.schedule is not None and _state(facts, policy, at, tz) in _LIVE:
        raise InvalidInput(
            "DeletionFacts.schedule",
            "a deletion is already scheduled (pending or deleted at this instant)",
        )


@checked
def schedule(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> DeletionFacts:
    """Schedule an automatic deletion for inactivity at ``at``. Decides DEL-1 and DEL-3.

    Returns the facts with the new schedule; the notice, reminders, banner and the deletion
    itself follow as the effects of :func:`transitions`. A schedule already in the facts may
    be replaced once it is over (cancelled, kept, restored or purged). Without it, the run
    schedules the deletion itself when the account becomes eligible (:func:`transitions`,
    ``ScheduleDeletion``).

    Raises:
        PolicyViolation: carrying :func:`can_schedule`'s refusal; nothing is scheduled.
        InvalidInput: ``at`` is before the account's creation, or a deletion is already
            pending or deleted at ``at``.
    """
    tz = _time.to_zone(zone)
    can_schedule(facts, policy, at=at, zone=tz).require()
    _replaceable(facts, policy, at, tz)
    return attrs.evolve(facts, schedule=DeletionSchedule(scheduled_at=at))  # kind: automatic


@checked
def delete_manually(
    facts: DeletionFacts,
    policy: DeletionPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> DeletionFacts:
    """The owner deletes the account on purpose at ``at``. Decides DEL-2.

    Returns the facts with a manual schedule: the deletion comes after ``manual_notice_days``
    (0: at once); retention and restore are those of an automatic deletion (DEL-6).
    Eligibility (DEL-1, DEL-7) does not apply.

    Raises:
        PolicyViolation: carrying :func:`can_delete_manually`'s refusal.
        InvalidInput: ``at`` is before the account's creation, or a deletion is already
            pending or deleted at ``at``.
    """
    tz = _time.to_zone(zone)  # an unknown zone is refused, as by every function taking one
    _not_before_creation(facts.activity, at)
    can_delete_manually(role=role).require()
    _replaceable(facts, policy, at, tz)
    return attrs.evolve(
        facts, schedule=DeletionSchedule(scheduled_at=at, kind=DeletionScheduleKind.MANUAL)
    )


# --------------------------------------------------------------------------------------------
# Cancel (DEL-3) and restore (DEL-6)


@checked
def can_cancel(
    facts: DeletionFacts,
    policy: DeletionPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether the user with ``role`` may cancel the scheduled deletion at ``at``. Decides DEL-3.

    Only the owner may, and only while the deletion is pending.

    Raises:
        InvalidInput: no deletion is scheduled.
    """
    return _can_cancel(facts, policy, _role(role), at, _time.to_zone(zone))


def _can_cancel(
    facts: DeletionFacts, policy: DeletionPolicy, who: Role, at: datetime, tz: ZoneInfo
) -> Decision:
    """:func:`can_cancel` with its arguments already checked."""
    schedule = _scheduled(facts)
    when, _, events = _events(facts, policy, tz)  # one look-up for the state and the instant
    state = _state_in(schedule, events, at)
    details = FrozenMapping(  # frozen once: both reasons may share it
        {
            "role": who.value,
            "state": None if state is None else state.value,
            "deletion_at": when.deletion_at,
            "status": _status(state),
        }
    )
    if who is Role.OWNER:
        if state is _St.PENDING:
            return trusted_decision(True, (trusted_reason(_Code.DELETION_CANCELLABLE, details),))
        return trusted_decision(False, (_not_pending(details),))
    owner_only = trusted_reason(_Code.CANCEL_OWNER_ONLY, details)
    if state is _St.PENDING:
        return trusted_decision(False, (owner_only,))
    return trusted_decision(False, (owner_only, _not_pending(details)))


def _not_pending(details: FrozenMapping[str, Any]) -> Reason:
    return trusted_reason(_Code.DELETION_NOT_PENDING, details)


@checked
def cancel(
    facts: DeletionFacts,
    policy: DeletionPolicy,
    *,
    role: Role | str = Role.OWNER,
    at: datetime,
    zone: ZoneInfo | str,
) -> DeletionFacts:
    """The facts with the deletion cancelled by the owner at ``at``. Decides DEL-3.

    The banner is hidden at ``at`` and no reminder, deletion or purge follows.

    Raises:
        PolicyViolation: carrying :func:`can_cancel`'s refusal; nothing changes.
        InvalidInput: no deletion is scheduled.
    """
    can_cancel(facts, policy, role=role, at=at, zone=zone).require()
    return attrs.evolve(facts, schedule=attrs.evolve(_scheduled(facts), cancelled_at=at))


@checked
def can_restore(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether support may restore the account at ``at``. Decides DEL-6.

    Only a deleted account, inside the retention window ``[deletion_at, purge_at)``.

    Raises:
        InvalidInput: no deletion is scheduled.
    """
    tz = _time.to_zone(zone)
    state = _state(facts, policy, at, tz)
    when = _deadlines_of(facts, _scheduled(facts), policy, tz)
    details = {
        "state": None if state is None else state.value,
        "deletion_at": when.deletion_at,
        "restorable_until": when.purge_at,
    }
    if state is _St.DELETED:
        return trusted_decision(True, (trusted_reason(_Code.INSIDE_RETENTION, details),))
    if state is _St.PURGED:
        return trusted_decision(False, (trusted_reason(_Code.RETENTION_OVER, details),))
    return trusted_decision(
        False, (trusted_reason(_Code.NOT_DELETED, {**details, "status": _status(state)}),)
    )


@checked
def restore(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> DeletionFacts:
    """The facts with the account restored by support at ``at``. Decides DEL-6.

    Raises:
        PolicyViolation: carrying :func:`can_restore`'s refusal (for example after the
            retention window); nothing changes.
        InvalidInput: no deletion is scheduled.
    """
    can_restore(facts, policy, at=at, zone=zone).require()
    return attrs.evolve(facts, schedule=attrs.evolve(_scheduled(facts), restored_at=at))


@checked
def record_outcome(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> DeletionFacts:
    """The facts with DEL-7's outcome recorded, once the deletion instant has come.

    Decides DEL-7: when the account was no longer eligible at the deletion instant, the
    schedule records ``kept_at`` and the codes of the DEL-1 conditions no longer met
    (``kept_because``); from then on the outcome no longer depends on the facts. Otherwise
    (deleted, cancelled, manual, already recorded) the facts are returned as they are.

    Raises:
        InvalidInput: no deletion is scheduled, or ``at`` is before the deletion instant (the
            outcome is not known yet).
    """
    schedule = _scheduled(facts)
    when, outcome, events = _events(facts, policy, _time.to_zone(zone))
    if at < when.deletion_at:
        raise InvalidInput("at", "the deletion instant has not come yet")
    if schedule.kept_at is None and events[0][1] is _Ev.KEEP:
        return attrs.evolve(
            facts,
            schedule=attrs.evolve(
                schedule,
                kept_at=when.deletion_at,
                kept_because=outcome.reasons[0].details["kept_because"],
            ),
        )
    return facts
