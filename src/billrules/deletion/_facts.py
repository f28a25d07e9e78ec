"""Deletion: the facts, the policy and the state machine's table (DEL-1 … DEL-7).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs
from moneyed import Money

from billrules import _money, _time
from billrules import _validate as v
from billrules.errors import InvalidInput, InvalidType

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
