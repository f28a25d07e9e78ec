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

**Time windows.** Every effect has one instant. :func:`effects_due` returns the effects whose
instant lies in the half-open window ``[since, until)``, computed from the facts alone, so a
host that calls it with consecutive windows gets each effect exactly once, provided that the
facts it passes do not change before ``until`` after the call (logins and balance changes are
recorded as they happen, never back-dated into a window already run).

Facts: :class:`AccountActivity`, :class:`BalanceChange`, :class:`DeletionSchedule`.
Policy: :class:`DeletionPolicy`. The state machine is :data:`TRANSITIONS`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules.decisions import Decision, Reason
from billrules.effects import (
    DeleteAccount,
    Effect,
    HideBanner,
    PurgeData,
    RestoreAccount,
    SendEmail,
    ShowBanner,
)
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role

__all__ = [
    "BANNER",
    "FINAL_STATES",
    "NOTICE_TEMPLATE",
    "REMINDER_TEMPLATE",
    "TRANSITIONS",
    "AccountActivity",
    "BalanceChange",
    "DeletionDeadlines",
    "DeletionEvent",
    "DeletionKind",
    "DeletionPolicy",
    "DeletionSchedule",
    "DeletionState",
    "DeletionTransition",
    "can_cancel",
    "can_delete_manually",
    "can_restore",
    "cancel",
    "deadlines",
    "deletion_check",
    "effects_due",
    "eligibility",
    "record_outcome",
    "restore",
    "schedule",
    "schedule_manual",
    "state_at",
    "transitions",
]

#: DEL-3: the email template of the notice sent to the owner when a deletion is scheduled.
NOTICE_TEMPLATE: Final = "deletion_notice"
#: DEL-4: the email template of the reminders.
REMINDER_TEMPLATE: Final = "deletion_reminder"
#: DEL-5: the banner every user sees while a deletion is pending.
BANNER: Final = "deletion_scheduled"

_MAX_DAYS: Final = 3650


class DeletionKind(StrEnum):
    """Why a deletion was scheduled: inactivity (DEL-1) or the owner's choice (DEL-2)."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


class DeletionState(StrEnum):
    """The state of a deletion schedule at an instant (DEL-3, DEL-6, DEL-7)."""

    PENDING = "pending"
    CANCELLED = "cancelled"
    KEPT = "kept"
    DELETED = "deleted"
    RESTORED = "restored"
    PURGED = "purged"


class DeletionEvent(StrEnum):
    """What moves a deletion schedule from one state to the next."""

    CANCEL = "cancel"
    KEEP = "keep"
    DELETE = "delete"
    RESTORE = "restore"
    PURGE = "purge"


_St = DeletionState
_Ev = DeletionEvent

#: DEL-3, DEL-6, DEL-7: for each state, the events it accepts and the state each leads to.
#: A schedule starts ``pending`` at its scheduling instant.
TRANSITIONS: Final[Mapping[DeletionState, Mapping[DeletionEvent, DeletionState]]] = (
    MappingProxyType(
        {
            _St.PENDING: MappingProxyType(
                {_Ev.CANCEL: _St.CANCELLED, _Ev.KEEP: _St.KEPT, _Ev.DELETE: _St.DELETED}
            ),
            _St.DELETED: MappingProxyType({_Ev.RESTORE: _St.RESTORED, _Ev.PURGE: _St.PURGED}),
            _St.CANCELLED: MappingProxyType({}),
            _St.KEPT: MappingProxyType({}),
            _St.RESTORED: MappingProxyType({}),
            _St.PURGED: MappingProxyType({}),
        }
    )
)

#: The states no event leaves.
FINAL_STATES: Final[frozenset[DeletionState]] = frozenset(
    state for state, events in TRANSITIONS.items() if not events
)

_EVENT_RULES: Final[Mapping[DeletionEvent, str]] = MappingProxyType(
    {
        _Ev.CANCEL: "DEL-3",
        _Ev.KEEP: "DEL-7",
        _Ev.DELETE: "DEL-6",
        _Ev.RESTORE: "DEL-6",
        _Ev.PURGE: "DEL-6",
    }
)


# --------------------------------------------------------------------------------------------
# Facts


def _logins(value: object) -> tuple[datetime, ...]:
    field = "AccountActivity.logins"
    items = v.tuple_of(datetime, field)(value)
    for index, item in enumerate(items):
        _time.require_aware(item, f"{field}[{index}]")
    return tuple(sorted(items))


@attrs.frozen(kw_only=True)
class BalanceChange:
    """The account balance from ``at`` on, until the next change (DEL-1, DEL-7).

    A top-up, a charge or any other movement is recorded as the balance after it.
    """

    at: datetime = attrs.field(validator=v.instant)
    balance: Money = attrs.field(validator=v.money)


def _balance_changes(value: object) -> tuple[BalanceChange, ...]:
    return v.tuple_of(BalanceChange, "AccountActivity.balance_changes")(value)


@attrs.frozen(kw_only=True)
class AccountActivity:
    """What the deletion rules need to know about an account, as a history (DEL-1, DEL-7).

    The history lets eligibility be evaluated at any instant, the deletion instant included
    (DEL-7): only the logins and balance changes at or before that instant count.

    Attributes:
        created_at: When the account was created.
        opening_balance: The balance from creation until the first balance change.
        logins: The instants at which any user logged in (stored in order; at or after
            ``created_at``).
        balance_changes: The balance after each change, in strictly increasing order of
            ``at`` (at or after ``created_at``), in the currency of ``opening_balance``.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.deletion import AccountActivity
    >>> jan = datetime(2024, 1, 1, tzinfo=UTC)
    >>> activity = AccountActivity(created_at=jan, opening_balance=Money(0, "USD"))
    >>> later = activity.with_balance(Money(19, "USD"), at=datetime(2024, 2, 1, tzinfo=UTC))
    >>> later.balance_at(datetime(2024, 1, 31, tzinfo=UTC)).amount
    Decimal('0')
    >>> later.balance_at(datetime(2024, 2, 1, tzinfo=UTC)).amount
    Decimal('19')
    """

    created_at: datetime = attrs.field(validator=v.instant)
    opening_balance: Money = attrs.field(validator=v.money)
    logins: tuple[datetime, ...] = attrs.field(default=(), converter=_logins)
    balance_changes: tuple[BalanceChange, ...] = attrs.field(default=(), converter=_balance_changes)

    def __attrs_post_init__(self) -> None:
        if self.logins and self.logins[0] < self.created_at:
            raise InvalidInput("AccountActivity.logins", "must not be before created_at")
        for index, change in enumerate(self.balance_changes):
            field = f"AccountActivity.balance_changes[{index}]"
            if change.at < self.created_at:
                raise InvalidInput(f"{field}.at", "must not be before created_at")
            _money.require_currency(
                change.balance, self.opening_balance.currency, f"{field}.balance"
            )
        for index, (before, after) in enumerate(itertools.pairwise(self.balance_changes), start=1):
            if after.at <= before.at:
                raise InvalidInput(
                    f"AccountActivity.balance_changes[{index}].at",
                    f"must be after balance_changes[{index - 1}].at",
                )

    def last_login_at(self, at: datetime) -> datetime | None:
        """The latest login at or before ``at``, or ``None`` if nobody has logged in by then."""
        _time.require_aware(at, "at")
        latest: datetime | None = None
        for login in self.logins:
            if login > at:
                break
            latest = login
        return latest

    def balance_at(self, at: datetime) -> Money:
        """The balance at the instant ``at`` (the opening balance before the first change)."""
        _time.require_aware(at, "at")
        balance = self.opening_balance
        for change in self.balance_changes:
            if change.at > at:
                break
            balance = change.balance
        return balance

    def with_login(self, at: datetime) -> AccountActivity:
        """The same history with one more login at ``at`` (DEL-7: a login saves the account).

        Raises:
            InvalidInput: ``at`` is before the account's creation.
        """
        _time.require_aware(at, "at")
        if at < self.created_at:
            raise InvalidInput("at", "a login cannot come before the account's creation")
        return attrs.evolve(self, logins=(*self.logins, at))

    def with_balance(self, balance: Money, *, at: datetime) -> AccountActivity:
        """The same history with the balance ``balance`` from ``at`` on (a top-up, a charge).

        Raises:
            InvalidInput: ``at`` is not after the latest change, or before the creation.
            CurrencyMismatch: ``balance`` is not in the account's currency.
        """
        _time.require_aware(at, "at")
        _money.require_money(balance, "balance")
        latest = self.balance_changes[-1].at if self.balance_changes else None
        if latest is not None and at <= latest:
            raise InvalidInput(
                "at", "balance changes are recorded in order: must be after the latest"
            )
        if at < self.created_at:
            raise InvalidInput("at", "a balance change cannot come before the account's creation")
        _money.require_currency(balance, self.opening_balance.currency, "balance")
        return attrs.evolve(
            self, balance_changes=(*self.balance_changes, BalanceChange(at=at, balance=balance))
        )


def _kind(value: object) -> DeletionKind:
    return v.enum_member(DeletionKind, "DeletionSchedule.kind")(value)


def _codes(value: object) -> tuple[str, ...]:
    codes = v.tuple_of(str, "DeletionSchedule.kept_because")(value)
    for index, code in enumerate(codes):
        if not code.strip():
            raise InvalidInput(f"DeletionSchedule.kept_because[{index}]", "must not be empty")
    return codes


@attrs.frozen(kw_only=True)
class DeletionSchedule:
    """A deletion scheduled at ``scheduled_at``, and what has been recorded on it since.

    The deletion, reminder and purge instants follow from the policy and the account's zone
    (:func:`deadlines`); the state at any instant follows from this record, the account's
    activity and the transition table (:func:`state_at`). Decides DEL-3 and DEL-6 (recorded
    cancellation and restore) and DEL-7 (recorded outcome).

    Attributes:
        scheduled_at: When the deletion was scheduled (the notice is sent then, DEL-3).
        kind: ``automatic`` (inactivity, DEL-1) or ``manual`` (the owner's choice, DEL-2).
        cancelled_at: When the owner cancelled it (DEL-3), if they did.
        restored_at: When support restored the account (DEL-6), if it did.
        kept_at: DEL-7: the deletion instant at which the account was found no longer eligible
            and kept, once recorded by :func:`record_outcome`.
        kept_because: DEL-7: the codes of the DEL-1 conditions that were no longer met.
    """

    scheduled_at: datetime = attrs.field(validator=v.instant)
    kind: DeletionKind = attrs.field(default=DeletionKind.AUTOMATIC, converter=_kind)
    cancelled_at: datetime | None = attrs.field(default=None, validator=v.optional_instant)
    restored_at: datetime | None = attrs.field(default=None, validator=v.optional_instant)
    kept_at: datetime | None = attrs.field(default=None, validator=v.optional_instant)
    kept_because: tuple[str, ...] = attrs.field(default=(), converter=_codes)

    def __attrs_post_init__(self) -> None:
        for name in ("cancelled_at", "restored_at", "kept_at"):
            value = getattr(self, name)
            if value is not None:
                v.not_before(self, self.scheduled_at, value, name, "scheduled_at")
        recorded = [
            name for name in ("cancelled_at", "restored_at", "kept_at") if getattr(self, name)
        ]
        if len(recorded) > 1:
            raise InvalidInput(
                f"DeletionSchedule.{recorded[1]}",
                f"cannot be recorded together with {recorded[0]}",
            )
        if (self.kept_at is None) != (not self.kept_because):
            raise InvalidInput(
                "DeletionSchedule.kept_because", "is required exactly when kept_at is set"
            )
        if self.kept_at is not None and self.kind is DeletionKind.MANUAL:
            raise InvalidInput(
                "DeletionSchedule.kept_at", "a manual deletion is never kept by DEL-7"
            )


def _reminders(value: object) -> tuple[int, ...]:
    field = "DeletionPolicy.reminder_days_before"
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise InvalidType(field, f"must be a tuple of int, not {type(value).__name__}")
    items = tuple(value)
    for index, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int):
            raise InvalidType(f"{field}[{index}]", f"must be an int, not {type(item).__name__}")
        if not 1 <= item <= _MAX_DAYS:
            raise InvalidInput(f"{field}[{index}]", f"must be between 1 and {_MAX_DAYS}")
    for index, (before, after) in enumerate(itertools.pairwise(items), start=1):
        if after >= before:
            raise InvalidInput(
                f"{field}[{index}]", "reminders go from the earliest: must be strictly decreasing"
            )
    return items


def _max_balance(value: object) -> Decimal:
    return _money.to_decimal(value, "DeletionPolicy.max_balance")


@attrs.frozen(kw_only=True)
class DeletionPolicy:
    """The knobs of the deletion area; the defaults are the seed's (``002``).

    Attributes:
        min_age_days: DEL-1: an account must be *more* than this many days old (40).
        inactivity_days: DEL-1: no login during this many days (30); a login exactly this
            many days ago still counts as recent.
        max_balance: DEL-1: the balance must be at or below this amount, in the balance's own
            currency (0: "no money or a negative balance").
        notice_days: DEL-3: days from scheduling to the deletion of an automatic one (10).
        reminder_days_before: DEL-4: reminders this many days before the deletion (3, 1),
            strictly decreasing, each fewer than ``notice_days``.
        retention_days: DEL-6: days the data are kept after the deletion (20).
        manual_notice_days: DEL-2: the notice period of a manual deletion (0: deleted at once).
    """

    min_age_days: int = attrs.field(default=40, validator=v.integer(0, _MAX_DAYS))
    inactivity_days: int = attrs.field(default=30, validator=v.integer(0, _MAX_DAYS))
    max_balance: Decimal = attrs.field(default=Decimal(0), converter=_max_balance)
    notice_days: int = attrs.field(default=10, validator=v.integer(0, _MAX_DAYS))
    reminder_days_before: tuple[int, ...] = attrs.field(default=(3, 1), converter=_reminders)
    retention_days: int = attrs.field(default=20, validator=v.integer(0, _MAX_DAYS))
    manual_notice_days: int = attrs.field(default=0, validator=v.integer(0, _MAX_DAYS))

    def __attrs_post_init__(self) -> None:
        if self.reminder_days_before and self.reminder_days_before[0] >= self.notice_days:
            raise InvalidInput(
                "DeletionPolicy.reminder_days_before",
                "every reminder must come after the notice: fewer days than notice_days",
            )

    def notice_for(self, kind: DeletionKind | str) -> int:
        """The notice period in days of a deletion of ``kind`` (DEL-2, DEL-3)."""
        return (
            self.notice_days if _kind(kind) is DeletionKind.AUTOMATIC else self.manual_notice_days
        )


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
    each effect exactly once (see the module's note on facts and windows).
    """
    _window(since, until, ("since", "until"))
    return tuple(
        effect
        for effect in _all_effects(schedule, activity, policy, zone)
        if since <= effect.at < until
    )
