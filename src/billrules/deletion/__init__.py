"""Inactivity deletion: eligibility, notice, reminders, banner, retention, restore and purge.

Decides DEL-1 … DEL-7 (see ``docs/policies.md``):

- DEL-1 an account is eligible for automatic deletion when it was created more than 40 days
  ago, no user has logged in during the last 30 days, and its balance is zero or negative;
- DEL-2 the owner may also delete the account on purpose (no notice period by default);
- DEL-3 scheduling emails the owner that the account will be deleted in 10 days; the owner
  may cancel while the deletion is pending;
- DEL-4 reminders 3 days and 1 day before the deletion;
- DEL-5 a banner with the deletion date for every user while the deletion is pending;
- DEL-6 at the deletion instant the account is deleted; its data are kept 20 more days, during
  which support may restore it; then they are purged;
- DEL-7 an automatic deletion re-checks eligibility at the deletion instant: an account that
  logged in or was topped up during the notice is kept, and the reason is recorded.

**Days.** Every "N days" is N calendar days in the account's zone, at the same local wall
time: a deletion scheduled at 09:15 on 1 March (local) happens at 09:15 on 11 March (local),
whatever DST changes lie between (so the elapsed time may be 239 or 241 hours). Every instant
is computed from the scheduling instant, never chained. When that wall time does not exist on
the target day (a DST gap), it moves forward by the gap's length: 02:30 on a spring-forward
night (America/New_York, 10 March 2024, clocks jump from 02:00 to 03:00) becomes 03:30, and
09:00 on a day a zone skips entirely (Pacific/Apia, 30 December 2011) becomes 09:00 the next
day. When the wall time exists twice (a DST overlap), the first of the two is used.

DEL-1 counts days the same way: an account is older than 40 days when the local date of the
instant asked about is more than 40 days after the local date of its creation; a login is in
the last 30 days when its local date is 30 days or fewer before the local date asked about.

**The run schedules.** Without a schedule, :func:`transitions` schedule the deletion
themselves (DEL-1): at the first instant of the window at which the account *becomes*
eligible (eligible then, and not the microsecond before), a ``deletion_scheduled``
transition carries a ``ScheduleDeletion`` effect, then the notice and the banner, and the
reminders, deletion and purge follow as for a stored schedule. An account already eligible
before the window starts is not scheduled by that window: the instant depends on the facts
alone, never on where a window begins. Every ``deletion_scheduled`` transition carries
``ScheduleDeletion`` (DEL-1, or DEL-2 for a manual deletion), and ``deletion_kept`` carries
``RecordDeletionOutcome`` (DEL-7): :func:`billrules.apply` records them on the account.

**Time windows.** Every transition and effect has one instant. :func:`transitions` (and
:func:`effects_due`, their effects) give those whose instant lies in the half-open window
``[start, end)``, computed from the facts alone, so a host that calls it with consecutive
windows gets each exactly once, provided that the facts it passes do not change before
``end`` after the call (logins and ledger entries are recorded as they happen, never
back-dated into a window already run) and that it applies each window's effects before
the next (X-9): a deletion the run scheduled is the account's own schedule from then on.

Facts: :class:`DeletionFacts` (an :class:`AccountActivity` — creation, logins and the prepaid
ledger — and the :class:`DeletionSchedule`, if any). Policy: :class:`DeletionPolicy`. The
state machine is :data:`STATE_CHANGES`. Every reason's code is a :class:`DeletionCode`; the
report's questions are :class:`DeletionQuestion`; the timeline's kinds :class:`DeletionKind`.
The span in which the account is deleted is :func:`suspensions` (no renewal inside it).
"""

from __future__ import annotations

from typing import Final

from billrules.area import Area
from billrules.deletion import _contract
from billrules.deletion._codes import AREA as _AREA_NAME
from billrules.deletion._codes import DeletionCode, DeletionKind, DeletionQuestion
from billrules.deletion._contract import (
    effects_due,
    findings,
    role_findings,
    suspensions,
    transitions,
)
from billrules.deletion._eligibility import (
    DeletionDeadlines,
    can_delete_manually,
    can_schedule,
    deadlines,
)
from billrules.deletion._facts import (
    BANNER,
    FINAL_STATES,
    NOTICE_TEMPLATE,
    REMINDER_TEMPLATE,
    STATE_CHANGES,
    AccountActivity,
    DeletionEvent,
    DeletionFacts,
    DeletionSchedule,
    DeletionScheduleKind,
    DeletionState,
)
from billrules.deletion._lifecycle import (
    can_cancel,
    can_go_ahead,
    can_restore,
    cancel,
    delete_manually,
    record_outcome,
    restore,
    schedule,
    state_at,
)
from billrules.deletion._policy import DeletionPolicy

__all__ = [
    "AREA",
    "BANNER",
    "FINAL_STATES",
    "NOTICE_TEMPLATE",
    "REMINDER_TEMPLATE",
    "STATE_CHANGES",
    "AccountActivity",
    "DeletionCode",
    "DeletionDeadlines",
    "DeletionEvent",
    "DeletionFacts",
    "DeletionKind",
    "DeletionPolicy",
    "DeletionQuestion",
    "DeletionSchedule",
    "DeletionScheduleKind",
    "DeletionState",
    "can_cancel",
    "can_delete_manually",
    "can_go_ahead",
    "can_restore",
    "can_schedule",
    "cancel",
    "deadlines",
    "delete_manually",
    "effects_due",
    "findings",
    "record_outcome",
    "restore",
    "role_findings",
    "schedule",
    "state_at",
    "suspensions",
    "transitions",
]


#: The deletion area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="DEL",
    codes=DeletionCode,
    questions=DeletionQuestion,
    kinds=DeletionKind,
    policy=DeletionPolicy,
    contract=_contract,
    suspensions=suspensions,
    terms=tuple(str(term) for term in (*DeletionState, "not_scheduled_yet")),
    colour="#b71c1c",
)
