"""Deletion: the state changes for the timeline (:func:`transitions`) and the effects due in a
window (:func:`effects_due`), DEL-2 … DEL-7.

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from billrules._check import checked
from billrules.deletion._facts import (
    _EVENT_RULES,
    BANNER,
    NOTICE_TEMPLATE,
    REMINDER_TEMPLATE,
    TRANSITIONS,
    AccountActivity,
    DeletionEvent,
    DeletionKind,
    DeletionPolicy,
    DeletionSchedule,
    DeletionState,
)
from billrules.deletion._lifecycle import _events
from billrules.effects import (
    DeleteAccount,
    Effect,
    HideBanner,
    PurgeData,
    RestoreAccount,
    SendEmail,
    ShowBanner,
)
from billrules.errors import InvalidInput
from billrules.roles import Role

_St = DeletionState
_Ev = DeletionEvent


# --------------------------------------------------------------------------------------------
# Transitions and effects


@attrs.frozen(kw_only=True)
class DeletionTransition:
    """A change of state of a deletion schedule, for the timeline.

    Attributes:
        at: When it happens.
        state: The new state.
        rules: The rule IDs that call for it.
        details: What the change is about (deletion date, restorable-until, kept-because).
    """

    at: datetime
    state: DeletionState
    rules: tuple[str, ...]
    details: Mapping[str, Any] = attrs.field(factory=dict, hash=False)


def _window(start: datetime, end: datetime, names: tuple[str, str]) -> None:
    if end < start:
        raise InvalidInput(names[1], f"must not be before {names[0]}")


@checked
def transitions(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> tuple[DeletionTransition, ...]:
    """The state changes of ``schedule`` in ``[start, end)``, in order, for the timeline.

    Decides DEL-3, DEL-6 and DEL-7 (through :func:`state_at`'s table): the scheduling
    (``pending``), then ``cancelled``, ``kept``, or ``deleted`` (restorable until the purge
    instant), then ``restored`` or ``purged``.
    """
    _window(start, end, ("start", "end"))
    when, outcome, events = _events(schedule, activity, policy, zone)
    date_ = when.deletion_date.isoformat()
    changes = [
        DeletionTransition(
            at=schedule.scheduled_at,
            state=_St.PENDING,
            rules=("DEL-3",) if schedule.kind is DeletionKind.AUTOMATIC else ("DEL-2", "DEL-3"),
            details={"deletion_date": date_, "kind": str(schedule.kind)},
        )
    ]
    state = _St.PENDING
    for at, event in events:
        state = TRANSITIONS[state][event]
        details: dict[str, Any] = {}
        rules: tuple[str, ...] = (_EVENT_RULES[event],)
        if event is _Ev.DELETE:
            details = {"restorable_until": when.purge_at}
            rules = (
                ("DEL-6", "DEL-7")
                if schedule.kind is DeletionKind.AUTOMATIC
                else (
                    "DEL-2",
                    "DEL-6",
                )
            )
        elif event is _Ev.KEEP:
            details = {"kept_because": outcome.reasons[0].details["kept_because"]}
        changes.append(DeletionTransition(at=at, state=state, rules=rules, details=details))
    return tuple(c for c in changes if start <= c.at < end)


def _all_effects(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    zone: ZoneInfo | str,
) -> list[Effect]:
    when, _, events = _events(schedule, activity, policy, zone)
    date_ = when.deletion_date.isoformat()
    notice = policy.notice_for(schedule.kind)
    pending_until = events[0][0]  # the cancel, keep or delete instant
    effects: list[Effect] = []
    if notice > 0:
        effects.append(
            SendEmail(
                at=schedule.scheduled_at,
                rule="DEL-3",
                template=NOTICE_TEMPLATE,
                to=str(Role.OWNER),
                details={"deletion_date": date_, "days": notice},
            )
        )
        effects.append(
            ShowBanner(
                at=schedule.scheduled_at,
                rule="DEL-5",
                banner=BANNER,
                details={"deletion_date": date_},
            )
        )
        effects.extend(
            SendEmail(
                at=instant,
                rule="DEL-4",
                template=REMINDER_TEMPLATE,
                to=str(Role.OWNER),
                details={"deletion_date": date_, "days_before": days},
            )
            for days, instant in when.reminders
            if instant < pending_until
        )
        effects.append(HideBanner(at=pending_until, rule="DEL-5", banner=BANNER))
    for at, event in events:
        if event is _Ev.DELETE:
            effects.append(
                DeleteAccount(
                    at=at, rule="DEL-6" if schedule.kind is DeletionKind.AUTOMATIC else "DEL-2"
                )
            )
        elif event is _Ev.RESTORE:
            effects.append(RestoreAccount(at=at, rule="DEL-6"))
        elif event is _Ev.PURGE:
            effects.append(PurgeData(at=at, rule="DEL-6"))
    return effects


@checked
def effects_due(
    schedule: DeletionSchedule,
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    since: datetime,
    until: datetime,
    zone: ZoneInfo | str,
) -> tuple[Effect, ...]:
    """The effects of ``schedule`` due in the half-open window ``[since, until)``, in order.

    Decides DEL-3 (notice email to the owner at scheduling), DEL-4 (reminders while pending),
    DEL-5 (banner shown at scheduling, hidden when the deletion stops being pending),
    DEL-6 (delete, then purge or restore), DEL-7 (no delete when no longer eligible) and
    DEL-2 (a manual deletion without notice has no email, banner or reminder).

    Every effect has one instant, computed from the facts alone, so consecutive windows give
    each effect exactly once (see the note on facts and windows of :mod:`billrules.deletion`).
    """
    _window(since, until, ("since", "until"))
    return tuple(
        effect
        for effect in _all_effects(schedule, activity, policy, zone)
        if since <= effect.at < until
    )
