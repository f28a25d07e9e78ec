"""Deletion: days in the account's zone, deadlines (DEL-3, DEL-4, DEL-6), eligibility
(DEL-1) and scheduling (DEL-1, DEL-2, DEL-3).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules.decisions import Decision, Reason
from billrules.deletion._facts import (
    AccountActivity,
    DeletionKind,
    DeletionPolicy,
    DeletionSchedule,
)
from billrules.errors import InvalidInput
from billrules.roles import Role

# --------------------------------------------------------------------------------------------
# Days in the account's zone


def _add_days(at: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``at`` plus ``days`` calendar days in ``zone``, at the same local wall time."""
    local = at.astimezone(zone)
    # ``at`` lies in the years 1000-8999 and ``days`` is at most 2 x 3650, so the result stays
    # well inside what ``datetime`` can hold.
    day = local.date() + timedelta(days=days)
    wall = datetime.combine(day, local.time().replace(fold=0), tzinfo=zone)
    # In a DST gap, fold=0 reads the wall time with the offset in force before the change,
    # so the round trip through UTC moves it forward by the gap's length (02:30 -> 03:30
    # when clocks jump from 02:00 to 03:00). In an overlap, fold=0 is the first of the two.
    return wall.astimezone(UTC).astimezone(zone)


def _age_days(earlier: datetime, later: datetime, zone: ZoneInfo) -> int:
    return _time.days_between(_time.local_date(earlier, zone), _time.local_date(later, zone))


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

    scheduled_at: datetime
    reminders: tuple[tuple[int, datetime], ...]
    deletion_at: datetime
    purge_at: datetime
    zone: ZoneInfo

    @property
    def deletion_date(self) -> date:
        """The local date of the deletion, as the notice, reminders and banner show it."""
        return _time.local_date(self.deletion_at, self.zone)

    @property
    def restorable_until(self) -> datetime:
        """The end (exclusive) of the window in which support may restore (DEL-6)."""
        return self.purge_at


@checked
def deadlines(
    schedule: DeletionSchedule, policy: DeletionPolicy, *, zone: ZoneInfo | str
) -> DeletionDeadlines:
    """The reminder, deletion and purge instants of ``schedule``. Decides DEL-3, DEL-4, DEL-6.

    Each is a whole number of calendar days after ``scheduled_at`` in ``zone``, at the same
    local wall time: deletion after the notice period (10 days, or the manual notice, DEL-2),
    reminders 3 and 1 days before it, purge 20 days after it. Reminders that would come
    before the scheduling instant (a short manual notice) are left out.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from billrules.deletion import DeletionPolicy, DeletionSchedule, deadlines
    >>> kyiv = ZoneInfo("Europe/Kyiv")
    >>> when = deadlines(DeletionSchedule(scheduled_at=datetime(2024, 3, 1, 9, tzinfo=kyiv)),
    ...                  DeletionPolicy(), zone=kyiv)
    >>> when.deletion_at.isoformat(), when.purge_at.date().isoformat()
    ('2024-03-11T09:00:00+02:00', '2024-03-31')
    """
    tz = _time.to_zone(zone)
    notice = policy.notice_for(schedule.kind)
    start = schedule.scheduled_at
    return DeletionDeadlines(
        scheduled_at=start,
        reminders=tuple(
            (days, _add_days(start, notice - days, tz))
            for days in policy.reminder_days_before
            if days < notice
        ),
        deletion_at=_add_days(start, notice, tz),
        purge_at=_add_days(start, notice + policy.retention_days, tz),
        zone=tz,
    )


# --------------------------------------------------------------------------------------------
# DEL-1: eligibility


def _not_before_creation(activity: AccountActivity, at: datetime, field: str = "at") -> None:
    if at < activity.created_at:
        raise InvalidInput(field, "must not be before the account's creation (created_at)")


@checked
def eligibility(
    activity: AccountActivity, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether the account is eligible for automatic deletion at ``at``. Decides DEL-1.

    One reason per condition, met or not, in this order: the account's age (more than
    ``min_age_days`` calendar days), the last login (none in the last ``inactivity_days``
    calendar days; one exactly that many days ago is recent), the balance (at or below
    ``max_balance``). Days are counted between local dates in ``zone``.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: ``at`` is before the account's creation.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.deletion import AccountActivity, DeletionPolicy, eligibility
    >>> activity = AccountActivity(created_at=datetime(2024, 1, 1, tzinfo=UTC),
    ...                            opening_balance=Money(0, "USD"))
    >>> eligibility(activity, DeletionPolicy(), at=datetime(2024, 2, 10, tzinfo=UTC),
    ...             zone="UTC").codes
    ('account_too_new', 'no_recent_login', 'balance_empty')
    """
    tz = _time.to_zone(zone)
    _not_before_creation(activity, at)
    reasons: list[Reason] = []
    met: list[bool] = []

    age = _age_days(activity.created_at, at, tz)
    old_enough = age > policy.min_age_days
    met.append(old_enough)
    age_details = {
        "created_on": _time.local_date(activity.created_at, tz),
        "age_days": age,
        "min_age_days": policy.min_age_days,
    }
    reasons.append(
        Reason(
            code="account_old_enough",
            rule="DEL-1",
            message=f"The account was created {age} days ago, more than "
            f"{policy.min_age_days} days.",
            details=age_details,
        )
        if old_enough
        else Reason(
            code="account_too_new",
            rule="DEL-1",
            message=f"The account was created {age} days ago; only accounts created more "
            f"than {policy.min_age_days} days ago are deleted for inactivity.",
            details=age_details,
        )
    )

    last = activity.last_login_at(at)
    idle = None if last is None else _age_days(last, at, tz)
    inactive = idle is None or idle > policy.inactivity_days
    met.append(inactive)
    login_details = {
        "last_login_at": last,
        "days_since_login": idle,
        "inactivity_days": policy.inactivity_days,
    }
    if last is None:
        login_reason = Reason(
            code="no_recent_login",
            rule="DEL-1",
            message="No user has ever logged in.",
            details=login_details,
        )
    elif inactive:
        login_reason = Reason(
            code="no_recent_login",
            rule="DEL-1",
            message=f"The last login was {idle} days ago; no user has logged in during the "
            f"last {policy.inactivity_days} days.",
            details=login_details,
        )
    else:
        login_reason = Reason(
            code="recent_login",
            rule="DEL-1",
            message=(
                "A user logged in today"
                if idle == 0
                else f"A user logged in {idle} day{'s' if idle != 1 else ''} ago"
            )
            + f", within the last {policy.inactivity_days} days.",
            details=login_details,
        )
    reasons.append(login_reason)

    balance = activity.balance_at(at)
    empty = balance.amount <= policy.max_balance
    met.append(empty)
    balance_details = {"balance": balance, "max_balance": policy.max_balance}
    threshold = _money.in_words(Money(policy.max_balance, balance.currency))
    reasons.append(
        Reason(
            code="balance_empty",
            rule="DEL-1",
            message=f"The balance ({_money.in_words(balance)}) is at or below {threshold}.",
            details=balance_details,
        )
        if empty
        else Reason(
            code="balance_remaining",
            rule="DEL-1",
            message=f"The balance ({_money.in_words(balance)}) is above {threshold}: "
            "money left on the balance avoids deletion.",
            details=balance_details,
        )
    )
    if all(met):
        return Decision.allow(*reasons)
    return Decision.refuse(*reasons)


# --------------------------------------------------------------------------------------------
# Scheduling (DEL-1, DEL-2, DEL-3)


@checked
def schedule(
    activity: AccountActivity, policy: DeletionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> DeletionSchedule:
    """Schedule an automatic deletion for inactivity at ``at``. Decides DEL-1 and DEL-3.

    The notice, reminders, banner and the deletion itself follow as effects
    (:func:`effects_due`).

    Raises:
        PolicyViolation: carrying :func:`eligibility`'s refusal; nothing is scheduled.
        InvalidInput: ``at`` is before the account's creation.
    """
    eligibility(activity, policy, at=at, zone=zone).require()
    return DeletionSchedule(scheduled_at=at)  # kind: automatic


def _role(value: object) -> Role:
    return v.enum_member(Role, "role")(value)


@checked
def can_delete_manually(role: Role | str) -> Decision:
    """Whether a user with ``role`` may delete the account on purpose. Decides DEL-2.

    Only the owner may.
    """
    who = _role(role)
    details = {"role": str(who)}
    if who is Role.OWNER:
        return Decision.allow(
            Reason(
                code="owner_may_delete",
                rule="DEL-2",
                message="The owner may delete the account.",
                details=details,
            )
        )
    return Decision.refuse(
        Reason(
            code="owner_only",
            rule="DEL-2",
            message=f"Only the account owner may delete the account, not an {who} user."
            if who is Role.ADMIN
            else f"Only the account owner may delete the account, not a {who} user.",
            details=details,
        )
    )


@checked
def schedule_manual(
    activity: AccountActivity,
    policy: DeletionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
    role: Role | str,
) -> DeletionSchedule:
    """The owner deletes the account on purpose at ``at``. Decides DEL-2.

    The deletion comes after ``manual_notice_days`` (0: at once); retention and restore are
    those of an automatic deletion (DEL-6). Eligibility (DEL-1, DEL-7) does not apply.

    Raises:
        PolicyViolation: carrying :func:`can_delete_manually`'s refusal.
        InvalidInput: ``at`` is before the account's creation.
    """
    _time.to_zone(zone)  # an unknown zone is refused, as by every function taking one
    _not_before_creation(activity, at)
    can_delete_manually(role).require()
    return DeletionSchedule(scheduled_at=at, kind=DeletionKind.MANUAL)
