"""Deletion: the area contract — the state changes and reminders for the timeline
(:func:`transitions`), the effects due in a window (:func:`effects_due`), the span the account
is deleted (:func:`suspensions`) and the report's answers (:func:`findings`,
:func:`role_findings`), DEL-1 … DEL-7.

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import attrs

from billrules import _time
from billrules import _validate as v
from billrules._check import checked, trusted
from billrules._validate import FrozenMapping
from billrules.contract import Finding, Suspension, Transition, trusted_finding, trusted_transition
from billrules.decisions import Decision, Reason, trusted_reason
from billrules.deletion._codes import DeletionCode, DeletionKind, DeletionQuestion
from billrules.deletion._eligibility import (
    _MANUAL,
    DeletionDeadlines,
    _eligibility,
    _not_before_creation,
    _role,
    first_eligible,
)
from billrules.deletion._facts import (
    BANNER,
    NOTICE_TEMPLATE,
    REMINDER_TEMPLATE,
    AccountActivity,
    DeletionEvent,
    DeletionFacts,
    DeletionSchedule,
    DeletionScheduleKind,
    _recall,
)
from billrules.deletion._lifecycle import _can_cancel, _Events, _events, _outcome
from billrules.deletion._policy import DeletionPolicy
from billrules.effects import Effect, trusted_effect  # kinds are imported where built
from billrules.roles import Role

_Ev = DeletionEvent
_Code = DeletionCode
_Kind = DeletionKind
_AREA: Final = "deletion"
_OWNER: Final = Role.OWNER.value  # DEL-3, DEL-4: the emails go to the owner


def _window(start: datetime, end: datetime) -> None:
    _time.require_window(start, end)


def _all(
    schedule: DeletionSchedule,
    policy: DeletionPolicy,
    events: _Events,
    start: datetime,
    end: datetime,
) -> Iterator[Transition]:
    """The transitions of the schedule in ``[start, end)``, in time order (ties: the order
    they happen in), each built only when the iteration reaches it.

    A schedule has at most three state changes and one reminder per configured day, all
    known from the deadlines; no day is stepped through, and those outside the window are
    never built, nor any reason or effect of theirs.
    """
    from billrules.effects import SendEmail

    when, outcome, moves = events
    opened = schedule.scheduled_at
    if opened >= end or moves[-1][0] < start:
        return  # the window holds none of them (the last move is the last of all)
    automatic = schedule.kind is DeletionScheduleKind.AUTOMATIC
    # DEL-2, DEL-3: the notice of the schedule's kind (DeletionPolicy.notice_for, unchecked).
    notice = policy.notice_days if automatic else policy.manual_notice_days
    # DEL-2: a manual deletion says so when scheduled and when deleted; built once, if so.
    manual: tuple[Reason, ...] = (
        ()
        if automatic
        else (
            trusted_reason(_Code.MANUAL_DELETION, FrozenMapping({"deletion_at": when.deletion_at})),
        )
    )
    pending_until = moves[0][0]  # the cancel, keep or delete instant
    if opened >= start:
        yield _scheduled_transition(schedule, when, notice, manual)
    if notice > 0 and when.reminders and start < pending_until:
        date_ = when.deletion_date
        shown = date_.isoformat()
        for days, instant in when.reminders:
            if instant >= pending_until:
                continue
            if instant >= end:
                return
            if instant < start:
                continue
            yield trusted_transition(
                instant,
                _AREA,
                _Kind.DELETION_REMINDER,
                (
                    trusted_reason(
                        _Code.DELETION_REMINDER,
                        FrozenMapping({"days": days, "deletion_date": date_}),
                    ),
                ),
                (
                    trusted_effect(
                        SendEmail,
                        at=instant,
                        rule="DEL-4",
                        template=REMINDER_TEMPLATE,
                        to=_OWNER,
                        details=FrozenMapping({"deletion_date": shown, "days_before": days}),
                    ),
                ),
            )
    for at, event in moves:
        if at >= end:
            return
        if at < start:
            continue
        yield _move(schedule, when, outcome, at, event, notice, manual)


def _scheduled_transition(
    schedule: DeletionSchedule,
    when: DeletionDeadlines,
    notice: int,
    manual: tuple[Reason, ...],
) -> Transition:
    """DEL-1, DEL-2, DEL-3, DEL-5: the scheduling, recorded on the account
    (``ScheduleDeletion``), with the notice and the banner when it has one."""
    from billrules.effects import ScheduleDeletion, SendEmail, ShowBanner

    opened = schedule.scheduled_at
    date_ = when.deletion_date
    scheduled = trusted_reason(
        _Code.DELETION_SCHEDULED,
        FrozenMapping({"deletion_date": date_, "kind": schedule.kind.value, "notice_days": notice}),
    )
    automatic = schedule.kind is DeletionScheduleKind.AUTOMATIC
    opening: tuple[Effect, ...] = (
        trusted_effect(
            ScheduleDeletion,
            at=opened,
            rule="DEL-1" if automatic else "DEL-2",
            deletion_kind=schedule.kind.value,
        ),
    )
    if notice > 0:
        shown = date_.isoformat()
        opening += (
            trusted_effect(
                SendEmail,
                at=opened,
                rule="DEL-3",
                template=NOTICE_TEMPLATE,
                to=_OWNER,
                details=FrozenMapping({"deletion_date": shown, "days": notice}),
            ),
            trusted_effect(
                ShowBanner,
                at=opened,
                rule="DEL-5",
                banner=BANNER,
                details=FrozenMapping({"deletion_date": shown}),
            ),
        )
    return trusted_transition(
        opened, _AREA, _Kind.DELETION_SCHEDULED, (*manual, scheduled), opening
    )


def _move(
    schedule: DeletionSchedule,
    when: DeletionDeadlines,
    outcome: Decision,
    at: datetime,
    event: DeletionEvent,
    notice: int,
    manual: tuple[Reason, ...],
) -> Transition:
    """The state change ``event`` at ``at`` (DEL-3, DEL-6, DEL-7), with its effects: the
    banner is hidden when the deletion stops being pending (DEL-5)."""
    from billrules.effects import (
        DeleteAccount,
        HideBanner,
        PurgeData,
        RecordDeletionOutcome,
        RestoreAccount,
    )

    if event is _Ev.RESTORE:
        return trusted_transition(
            at,
            _AREA,
            _Kind.ACCOUNT_RESTORED,
            (
                trusted_reason(
                    _Code.ACCOUNT_RESTORED,
                    FrozenMapping({"restored_at": at, "deletion_at": when.deletion_at}),
                ),
            ),
            (trusted_effect(RestoreAccount, at=at, rule="DEL-6"),),
        )
    if event is _Ev.PURGE:
        return trusted_transition(
            at,
            _AREA,
            _Kind.DATA_PURGED,
            (
                trusted_reason(
                    _Code.DATA_PURGED,
                    FrozenMapping({"deletion_at": when.deletion_at, "purge_at": at}),
                ),
            ),
            (trusted_effect(PurgeData, at=at, rule="DEL-6"),),
        )
    # The cancel, keep or delete instant: the deletion stops being pending.
    hide: tuple[Effect, ...] = (
        (trusted_effect(HideBanner, at=at, rule="DEL-5", banner=BANNER),) if notice > 0 else ()
    )
    if event is _Ev.CANCEL:
        return trusted_transition(at, _AREA, _Kind.DELETION_CANCELLED, outcome.reasons[:1], hide)
    if event is _Ev.KEEP:
        kept = outcome.reasons[0]
        record = trusted_effect(
            RecordDeletionOutcome, at=at, rule="DEL-7", kept_because=kept.details["kept_because"]
        )
        return trusted_transition(at, _AREA, _Kind.DELETION_KEPT, (kept,), (*hide, record))
    automatic = not manual
    deleted = trusted_reason(
        _Code.ACCOUNT_DELETED, FrozenMapping({"deletion_at": at, "restorable_until": when.purge_at})
    )
    return trusted_transition(
        at,
        _AREA,
        _Kind.ACCOUNT_DELETED,
        (deleted, outcome.reasons[0]) if automatic else (*manual, deleted),
        (*hide, trusted_effect(DeleteAccount, at=at, rule="DEL-6" if automatic else "DEL-2")),
    )


@checked
def transitions(
    facts: DeletionFacts,
    policy: DeletionPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """What the deletion schedule makes happen in ``[start, end)``, in time order, lazily.

    Decides DEL-1 … DEL-7: the scheduling (``deletion_scheduled``: ``ScheduleDeletion``, the
    scheduling recorded on the account, DEL-1 or DEL-2 for a manual deletion; the notice to
    the owner, DEL-3, and the banner, DEL-5), each reminder while pending
    (``deletion_reminder``, DEL-4), then ``deletion_cancelled`` (DEL-3), ``deletion_kept``
    (DEL-7: its outcome recorded with ``RecordDeletionOutcome``, the DEL-1 conditions no
    longer met) or ``account_deleted`` (DEL-6, restorable until the purge instant), then
    ``account_restored`` or ``data_purged`` (DEL-6). Each carries the effects due at its
    instant (the banner is hidden when the deletion stops being pending; a manual deletion
    without notice has no email, banner or reminder, DEL-2). At one instant, the changes
    come in the order they happen.

    Without a schedule, the transitions schedule one (DEL-1): at the first instant of the
    window at which the account becomes eligible (eligible then and not the microsecond
    before), with ``ScheduleDeletion``, and what follows from it. An account already eligible
    before ``start`` is not scheduled: the instant depends on the facts alone.

    The transitions follow from the facts alone, so consecutive windows give each exactly
    once, each window's effects applied (:func:`billrules.apply`) before the next (see the
    note on facts and windows of :mod:`billrules.deletion`, and X-9).

    Raises:
        InvalidInput: ``end`` is before ``start``, or the schedule's record is inconsistent
            (a cancel after the deletion instant, a restore outside the retention window).
    """
    _window(start, end)
    return _transitions(facts, policy, start, end, _time.to_zone(zone))


def _transitions(
    facts: DeletionFacts, policy: DeletionPolicy, start: datetime, end: datetime, tz: ZoneInfo
) -> Iterator[Transition]:
    """:func:`transitions` with its arguments checked: an inconsistent schedule is refused at
    once, and the transitions are built as they are taken."""
    schedule = facts.schedule
    if schedule is None:
        return _anew(facts.activity, policy, start, end, tz)
    events = _events(facts, policy, tz)  # an inconsistent schedule is refused here, at once
    over_at, last = events[2][-1]
    if last not in _OVER or over_at >= end:
        return _all(schedule, policy, events, start, end)
    # The schedule is over (cancelled, kept or restored): the account may become eligible
    # again, and the run schedules it again then (DEL-1).
    # Strictly after the schedule's own instant: an onset there is the one it was made at.
    since = max(start, over_at, schedule.scheduled_at.astimezone(UTC) + _MOMENT)
    return itertools.chain(
        _all(schedule, policy, events, start, end),
        _anew(facts.activity, policy, since, end, tz),
    )


#: The least step between two instants.
_MOMENT: Final = timedelta(microseconds=1)


#: The events after which a schedule is over and the account lives on: a new deletion may be
#: scheduled once it becomes eligible again (a purged account is gone).
_OVER: Final = frozenset({_Ev.CANCEL, _Ev.KEEP, _Ev.RESTORE})


def _anew(
    activity: AccountActivity, policy: DeletionPolicy, start: datetime, end: datetime, tz: ZoneInfo
) -> Iterator[Transition]:
    """DEL-1: the transitions of the deletion the run schedules the first instant of
    ``[start, end)`` at which the account becomes eligible; none if it does not."""
    scheduled_at = first_eligible(activity, policy, start, end, tz)
    if scheduled_at is None:
        return iter(())
    schedule = trusted(
        DeletionSchedule,
        scheduled_at=scheduled_at,
        kind=DeletionScheduleKind.AUTOMATIC,
        cancelled_at=None,
        restored_at=None,
        kept_at=None,
        kept_because=(),
    )
    facts = trusted(DeletionFacts, activity=activity, schedule=schedule)
    return _all(schedule, policy, _events(facts, policy, tz), start, end)


@checked
def effects_due(
    facts: DeletionFacts,
    policy: DeletionPolicy,
    *,
    account: str,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> tuple[Effect, ...]:
    """The effects of the deletion schedule due in ``[start, end)``, in order.

    Decides DEL-1 (``ScheduleDeletion`` when scheduled, by the run when the account becomes
    eligible in the window and has no schedule), DEL-3 (notice email to the owner at
    scheduling), DEL-4 (reminders while pending), DEL-5 (banner shown at scheduling, hidden
    when the deletion stops being pending), DEL-6 (delete, then purge or restore), DEL-7 (no
    delete when no longer eligible; ``RecordDeletionOutcome`` says why) and DEL-2 (a manual
    deletion's ``ScheduleDeletion``; without notice it has no email, banner or reminder): the
    effects of
    :func:`transitions` in the same window, each naming ``account``, the id of the account
    (X-6: two accounts' effects never share a key).

    Raises:
        InvalidInput: ``account`` is empty or holds a card number (PM-6); ``end`` is before
            ``start``.
    """
    v.account_id(account)
    _window(start, end)
    return tuple(
        attrs.evolve(effect, account=account)
        for transition in _transitions(facts, policy, start, end, _time.to_zone(zone))
        for effect in transition.effects
    )


@checked
def suspensions(
    facts: DeletionFacts, policy: DeletionPolicy, *, zone: ZoneInfo | str
) -> tuple[Suspension, ...]:
    """The span in which the account is deleted: nothing renews in it. Decides DEL-6.

    From the deletion instant to a restore by support, or for good (``end=None``) when it is
    not restored (the data are purged at the end of retention). Empty when the deletion is
    cancelled or kept, or when none is scheduled.
    """
    tz = _time.to_zone(zone)
    if facts.schedule is None:
        return ()
    _, _, events = _events(facts, policy, tz)
    if events[0][1] is not _Ev.DELETE:
        return ()
    deleted_at = events[0][0]
    restored_at = events[1][0] if events[1][1] is _Ev.RESTORE else None
    return (Suspension(start=deleted_at, end=restored_at, rule="DEL-6"),)


@checked
def findings(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answers: eligibility for inactivity deletion (DEL-1) and, when a
    deletion is scheduled, whether it goes ahead (DEL-7). Decides DEL-1 and DEL-7.

    Raises:
        InvalidInput: ``at`` is before the account's creation.
    """
    tz = _time.to_zone(zone)
    activity = facts.activity
    _not_before_creation(activity, at)
    eligible = trusted_finding(
        _AREA, DeletionQuestion.ELIGIBLE_FOR_DELETION, _eligibility(activity, policy, at, tz)
    )
    schedule = facts.schedule
    if schedule is None:
        return (eligible,)
    return (
        eligible,
        _recall(_goes_ahead, facts, schedule, policy, tz),
    )


def _goes_ahead(
    facts: DeletionFacts, schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> Finding:
    """DEL-7's finding: it does not depend on the instant asked about."""
    return trusted_finding(
        _AREA, DeletionQuestion.DELETION_GOES_AHEAD, _outcome(facts, schedule, policy, tz)[1]
    )


#: DEL-2: the role findings of an account without a schedule, for each role, built once.
_MANUAL_FINDINGS: Final[Mapping[Role, tuple[Finding]]] = MappingProxyType(
    {
        role: (Finding(area=_AREA, question=DeletionQuestion.DELETE_MANUALLY, decision=decision),)
        for role, decision in _MANUAL.items()
    }
)


@checked
def role_findings(
    facts: DeletionFacts,
    policy: DeletionPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do: delete the account (DEL-2) and, when a deletion is
    scheduled, cancel it (DEL-3). Decides DEL-2 and DEL-3.
    """
    who = _role(role)
    manual = _MANUAL_FINDINGS[who]
    tz = _time.to_zone(zone)
    if facts.schedule is None:
        return manual
    cancelling = trusted_finding(
        _AREA, DeletionQuestion.CANCEL_DELETION, _can_cancel(facts, policy, who, at, tz)
    )
    return (*manual, cancelling)
