"""Deletion: days in the account's zone, deadlines (DEL-3, DEL-4, DEL-6), eligibility
(DEL-1) and scheduling (DEL-1, DEL-2, DEL-3).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _time
from billrules import _validate as v
from billrules._check import checked, unchecked
from billrules.balance import balance_at
from billrules.decisions import Decision, Reason, trusted_decision, trusted_reason
from billrules.deletion._codes import DeletionCode
from billrules.deletion._facts import (
    AccountActivity,
    DeletionFacts,
    DeletionSchedule,
    _recall,
)
from billrules.deletion._policy import DeletionPolicy
from billrules.errors import InvalidInput
from billrules.roles import Role

_Code = DeletionCode

#: The balance area's public function, its body: the ledger and the instant were checked when
#: they entered (DEL-1 reads the balance, BAL-3 decides it).
_balance_at: Final = unchecked(balance_at)

# --------------------------------------------------------------------------------------------
# Days in the account's zone


def _add_days(local: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``local`` (an instant as read in ``zone``) plus ``days`` calendar days in ``zone``, at
    the same local wall time."""
    # ``local`` lies in the years 1000-8999 and ``days`` is at most 2 x 3650, so the result
    # stays well inside what ``datetime`` can hold.
    day = local.date() + timedelta(days=days)
    # Built field by field, the wall time has fold=0 whatever the fold of ``local``.
    wall = datetime(
        day.year, day.month, day.day, local.hour, local.minute, local.second,
        local.microsecond, zone,
    )  # fmt: skip
    # In a DST gap, fold=0 reads the wall time with the offset in force before the change,
    # so the round trip through UTC moves it forward by the gap's length (02:30 -> 03:30
    # when clocks jump from 02:00 to 03:00). In an overlap, fold=0 is the first of the two.
    return wall.astimezone(UTC).astimezone(zone)


@attrs.frozen(kw_only=True)
class DeletionDeadlines:
    """The instants a deletion schedule runs on (DEL-3, DEL-4, DEL-6).

    Attributes:
        scheduled_at: When it was scheduled: the notice and the banner (DEL-3, DEL-5).
        reminders: ``(days_before, instant)`` of each reminder, earliest first (DEL-4).
        deletion_at: When the account is deleted, unless cancelled or kept (DEL-6, DEL-7).
        purge_at: When the data are purged unless restored: restorable until then (DEL-6).
        zone: The account's zone the days were counted in.
    """

    scheduled_at: datetime = attrs.field(eq=_time.instant_key)
    reminders: tuple[tuple[int, datetime], ...]
    deletion_at: datetime = attrs.field(eq=_time.instant_key)
    purge_at: datetime = attrs.field(eq=_time.instant_key)
    zone: ZoneInfo

    @property
    def deletion_date(self) -> date:
        """The local date of the deletion, as the notice, reminders and banner show it."""
        return _time.local_date(self.deletion_at, self.zone)

    @property
    def restorable_until(self) -> datetime:
        """The end (exclusive) of the window in which support may restore (DEL-6)."""
        return self.purge_at


def _deadlines(
    schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> DeletionDeadlines:
    notice = policy.notice_for(schedule.kind)
    start = schedule.scheduled_at
    local = start.astimezone(tz)  # once: every deadline counts days from this wall time
    return DeletionDeadlines(
        scheduled_at=start,
        reminders=tuple(
            (days, _add_days(local, notice - days, tz))
            for days in policy.reminder_days_before
            if days < notice
        ),
        deletion_at=_add_days(local, notice, tz),
        purge_at=_add_days(local, notice + policy.retention_days, tz),
        zone=tz,
    )


def _deadlines_of(
    facts: DeletionFacts, schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> DeletionDeadlines:
    """:func:`_deadlines` of the facts' schedule, computed once per facts, policy and zone."""
    return _recall(_compute_deadlines, facts, schedule, policy, tz)


def _compute_deadlines(
    facts: DeletionFacts, schedule: DeletionSchedule, policy: DeletionPolicy, tz: ZoneInfo
) -> DeletionDeadlines:
    del facts  # the schedule is the facts' own
    return _deadlines(schedule, policy, tz)


def _scheduled(facts: DeletionFacts) -> DeletionSchedule:
    """The facts' schedule; :class:`InvalidInput` when no deletion is scheduled."""
    if facts.schedule is None:
        raise InvalidInput("DeletionFacts.schedule", "no deletion is scheduled")
    return facts.schedule


@checked
def deadlines(
    facts: DeletionFacts, policy: DeletionPolicy, *, zone: ZoneInfo | str
) -> DeletionDeadlines:
    """The reminder, deletion and purge instants of the schedule. Decides DEL-3, DEL-4, DEL-6.

    Each is a whole number of calendar days after ``scheduled_at`` in ``zone``, at the same
    local wall time: deletion after the notice period (10 days, or the manual notice, DEL-2),
    reminders 3 and 1 days before it, purge 20 days after it. Reminders that would come
    before the scheduling instant (a short manual notice) are left out.

    Raises:
        InvalidInput: no deletion is scheduled (``facts.schedule`` is ``None``).

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from billrules.balance import Ledger
    >>> from billrules.deletion import (
    ...     AccountActivity, DeletionFacts, DeletionPolicy, DeletionSchedule, deadlines)
    >>> kyiv = ZoneInfo("Europe/Kyiv")
    >>> facts = DeletionFacts(
    ...     activity=AccountActivity(created_at=datetime(2024, 1, 1, tzinfo=kyiv),
    ...                              ledger=Ledger(currency="UAH")),
    ...     schedule=DeletionSchedule(scheduled_at=datetime(2024, 3, 1, 9, tzinfo=kyiv)))
    >>> when = deadlines(facts, DeletionPolicy(), zone=kyiv)
    >>> when.deletion_at.isoformat(), when.purge_at.date().isoformat()
    ('2024-03-11T09:00:00+02:00', '2024-03-31')
    """
    return _deadlines_of(facts, _scheduled(facts), policy, _time.to_zone(zone))


# --------------------------------------------------------------------------------------------
# DEL-1: eligibility


def _not_before_creation(activity: AccountActivity, at: datetime, field: str = "at") -> None:
    if at < activity.created_at:
        raise InvalidInput(field, "must not be before the account's creation (created_at)")


def _eligibility(
    activity: AccountActivity, policy: DeletionPolicy, at: datetime, tz: ZoneInfo
) -> Decision:
    """DEL-1 at ``at`` (checked by the callers): one reason per condition, met or not."""
    today = at.astimezone(tz).date()  # once: both day counts end on it
    created_on = activity.created_at.astimezone(tz).date()
    age = (today - created_on).days
    old_enough = age > policy.min_age_days
    age_details = v.FrozenMapping(
        {
            "created_on": created_on,
            "age_days": age,
            "min_age_days": policy.min_age_days,
        }
    )
    logins = activity.logins
    index = bisect.bisect_right(logins, at)
    last = logins[index - 1] if index else None  # AccountActivity.last_login_at, unchecked
    idle = None if last is None else (today - last.astimezone(tz).date()).days
    inactive = idle is None or idle > policy.inactivity_days
    login_details = v.FrozenMapping(
        {
            "last_login_at": last,
            "days_since_login": idle,
            "inactivity_days": policy.inactivity_days,
        }
    )
    balance = _balance_at(activity.ledger, at=at)
    empty = balance.amount <= policy.max_balance
    balance_details = v.FrozenMapping(
        {
            "balance": balance,
            "max_balance": policy.max_balance,
            "threshold": Money(policy.max_balance, balance.currency),
        }
    )
    # Decision.all_of's answer, built directly: every condition's reason, met or not.
    return trusted_decision(
        old_enough and inactive and empty,
        (
            trusted_reason(
                _Code.ACCOUNT_OLD_ENOUGH if old_enough else _Code.ACCOUNT_TOO_NEW, age_details
            ),
            trusted_reason(
                _Code.NO_RECENT_LOGIN if inactive else _Code.RECENT_LOGIN, login_details
            ),
            trusted_reason(
                _Code.BALANCE_EMPTY if empty else _Code.BALANCE_REMAINING, balance_details
            ),
        ),
    )


def _is_eligible(
    activity: AccountActivity, policy: DeletionPolicy, at: datetime, tz: ZoneInfo
) -> bool:
    """DEL-1 at ``at`` as a yes or no, without its reasons (what :func:`_eligibility` allows)."""
    today = at.astimezone(tz).date()
    if (today - activity.created_at.astimezone(tz).date()).days <= policy.min_age_days:
        return False
    logins = activity.logins
    index = bisect.bisect_right(logins, at)
    if index and (today - logins[index - 1].astimezone(tz).date()).days <= policy.inactivity_days:
        return False
    return _balance_at(activity.ledger, at=at).amount <= policy.max_balance


def first_eligible(
    activity: AccountActivity,
    policy: DeletionPolicy,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
) -> datetime | None:
    """The first instant of ``[start, end)`` at which the account becomes eligible (DEL-1),
    or ``None``: an instant at which it is eligible and was not the instant before.

    Eligibility only begins at the start of a local day (the account becomes old enough, or
    the last login long enough ago) or at a ledger entry (the balance falls to the
    threshold): those instants are the only ones tried, never every day. An account already
    eligible the microsecond before ``start`` became so before the window and is not
    scheduled by it: the instant depends on the facts alone, never on where a window begins.
    """
    tried = set()
    # The local dates the window touches: a day that starts in it lies between them.
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    days = (
        (activity.created_at, policy.min_age_days),
        *((login, policy.inactivity_days) for login in activity.logins),
    )
    # No local day starts further than this from the same count of days in UTC.
    near = timedelta(days=2)
    for since, count in days:
        # The day the condition first holds: the instant count + 1 days on has started.
        try:
            rough = since + timedelta(days=count + 1)
            if rough < start - near or rough > end + near:
                continue  # its day starts outside the window
            day = since.astimezone(tz).date() + timedelta(days=count + 1)
            if first <= day <= last:
                tried.add(_time.start_of_day(day, tz))
        except OverflowError:
            continue  # past the calendar: it never holds
    for entry in activity.ledger.entries:
        if start <= entry.at < end:
            tried.add(entry.at)
    moment = timedelta(microseconds=1)
    for instant in sorted(at for at in tried if start <= at < end):
        # The instant before, stepped in UTC: a wall-clock step from a day that starts after
        # a skipped midnight (01:00 on a DST date) would land an hour later, not before.
        before = instant.astimezone(UTC) - moment
        if _is_eligible(activity, policy, instant, tz) and not (
            before >= activity.created_at and _is_eligible(activity, policy, before, tz)
        ):
            return instant
    return None


@checked
def can_schedule(
    facts: DeletionFacts, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether the account is eligible for automatic deletion at ``at``. Decides DEL-1.

    One reason per condition, met or not, in this order: the account's age (more than
    ``min_age_days`` calendar days), the last login (none in the last ``inactivity_days``
    calendar days; one exactly that many days ago is recent), the balance (at or below
    ``max_balance``). Days are counted between local dates in ``zone``. A schedule already in
    ``facts`` plays no part: this is eligibility alone.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: ``at`` is before the account's creation.

    >>> from datetime import datetime, UTC
    >>> from billrules.balance import Ledger
    >>> from billrules.deletion import AccountActivity, DeletionFacts, DeletionPolicy, can_schedule
    >>> activity = AccountActivity(created_at=datetime(2024, 1, 1, tzinfo=UTC),
    ...                            ledger=Ledger(currency="USD"))
    >>> decision = can_schedule(DeletionFacts(activity=activity), DeletionPolicy(),
    ...                         at=datetime(2024, 2, 10, tzinfo=UTC), zone="UTC")
    >>> print(*decision.codes)
    account_too_new no_recent_login balance_empty
    """
    tz = _time.to_zone(zone)
    _not_before_creation(facts.activity, at)
    return _eligibility(facts.activity, policy, at, tz)


# --------------------------------------------------------------------------------------------
# DEL-2: who may delete on purpose


def _role(value: object) -> Role:
    if type(value) is Role:
        return value  # the common case, checked first
    return v.enum_member(Role, "role")(value)


#: DEL-2: the answer for each role, built once.
_MANUAL: Final[Mapping[Role, Decision]] = MappingProxyType(
    {
        role: Decision.allow(Reason(code=_Code.OWNER_MAY_DELETE, details={"role": str(role)}))
        if role is Role.OWNER
        else Decision.refuse(Reason(code=_Code.OWNER_ONLY, details={"role": str(role)}))
        for role in Role
    }
)


@checked
def can_delete_manually(*, role: Role | str) -> Decision:
    """Whether a user with ``role`` may delete the account on purpose. Decides DEL-2.

    Only the owner may.

    >>> from billrules.deletion import can_delete_manually
    >>> print(*can_delete_manually(role="staff").codes)
    owner_only
    """
    return _MANUAL[_role(role)]
