"""Deletion: the facts and the state machine's table (DEL-1 … DEL-7).

Part of :mod:`billrules.deletion`; import the public names from there.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _time
from billrules import _validate as v
from billrules.balance import Ledger, LedgerEntry, balance_at
from billrules.errors import InvalidInput, InvalidType

#: DEL-3: the email template of the notice sent to the owner when a deletion is scheduled.
NOTICE_TEMPLATE: Final = "deletion_notice"
#: DEL-4: the email template of the reminders.
REMINDER_TEMPLATE: Final = "deletion_reminder"
#: DEL-5: the banner every user sees while a deletion is pending.
BANNER: Final = "deletion_scheduled"


class DeletionScheduleKind(StrEnum):
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
STATE_CHANGES: Final[Mapping[DeletionState, Mapping[DeletionEvent, DeletionState]]] = (
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
    state for state, events in STATE_CHANGES.items() if not events
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


def _logins(value: Iterable[datetime]) -> tuple[datetime, ...]:
    field = "AccountActivity.logins"
    items = v.tuple_of(datetime, field)(value)
    for index, item in enumerate(items):
        _time.require_aware(item, f"{field}[{index}]")
    return tuple(sorted(items))


@attrs.frozen(kw_only=True)
class AccountActivity:
    """What the deletion rules need to know about an account, as a history (DEL-1, DEL-7).

    The history lets eligibility be evaluated at any instant, the deletion instant included
    (DEL-7): only the logins and ledger entries at or before that instant count. The balance
    is the prepaid ledger's (the one dunning reads): an account with logins only passes an
    empty ``Ledger(currency=...)``.

    Attributes:
        created_at: When the account was created.
        logins: The instants at which any user logged in (stored in order; at or after
            ``created_at``).
        ledger: The balance's history; the balance at an instant is
            :func:`billrules.balance.balance_at` (entries before the creation count in the
            balance at the creation).

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.balance import Ledger, LedgerEntry
    >>> from billrules.deletion import AccountActivity
    >>> jan = datetime(2024, 1, 1, tzinfo=UTC)
    >>> activity = AccountActivity(created_at=jan, ledger=Ledger(currency="USD"))
    >>> later = activity.with_entry(LedgerEntry(
    ...     id="p1", kind="payment", at=datetime(2024, 2, 1, tzinfo=UTC), amount=Money(19, "USD")))
    >>> later.balance_at(datetime(2024, 1, 31, tzinfo=UTC)).amount
    Decimal('0')
    >>> later.balance_at(datetime(2024, 2, 1, tzinfo=UTC)).amount
    Decimal('19')
    """

    created_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    logins: tuple[datetime, ...] = attrs.field(
        default=(),
        eq=_time.instants_key,
        converter=_logins,
    )
    ledger: Ledger = attrs.field(validator=v.instance_of(Ledger))

    def __attrs_post_init__(self) -> None:
        if self.logins and self.logins[0] < self.created_at:
            raise InvalidInput("AccountActivity.logins", "must not be before created_at")

    @property
    def currency(self) -> Currency:
        """The balance's currency: the ledger's."""
        return self.ledger.currency

    def last_login_at(self, at: datetime) -> datetime | None:
        """The latest login at or before ``at``, or ``None`` if nobody has logged in by then."""
        _time.require_aware(at, "at")
        index = bisect.bisect_right(self.logins, at)
        return self.logins[index - 1] if index else None

    def balance_at(self, at: datetime) -> Money:
        """The balance at the instant ``at``: the ledger's entries up to it (BAL-3)."""
        return balance_at(self.ledger, at=at)

    def with_login(self, at: datetime) -> AccountActivity:
        """The same history with one more login at ``at`` (DEL-7: a login saves the account).

        Raises:
            InvalidInput: ``at`` is before the account's creation.
        """
        _time.require_aware(at, "at")
        if at < self.created_at:
            raise InvalidInput("at", "a login cannot come before the account's creation")
        return attrs.evolve(self, logins=(*self.logins, at))

    def with_entry(self, entry: LedgerEntry) -> AccountActivity:
        """The same history with ``entry`` in the ledger (a top-up, a charge: DEL-7).

        Raises:
            InvalidType: ``entry`` is not a ``LedgerEntry``.
            InvalidInput: its id is already used.
            CurrencyMismatch: it is not in the ledger's currency.
        """
        if not isinstance(entry, LedgerEntry):
            raise InvalidType("entry", f"must be a LedgerEntry, not {type(entry).__name__}")
        return attrs.evolve(self, ledger=self.ledger.add(entry))


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    field = "DeletionSchedule.kept_because"
    codes = v.tuple_of(str, field)(value)
    for index, code in enumerate(codes):
        if not code.strip():
            raise InvalidInput(f"{field}[{index}]", "must not be empty")
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

    scheduled_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    kind: DeletionScheduleKind = attrs.field(
        default=DeletionScheduleKind.AUTOMATIC,
        converter=v.ToEnum[DeletionScheduleKind],
    )
    cancelled_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    restored_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    kept_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    kept_because: tuple[str, ...] = attrs.field(
        default=(),
        converter=_codes,
        metadata={"json_schema": {"items": v.TEXT_SCHEMA}},
    )

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
        if self.kept_at is not None and self.kind is DeletionScheduleKind.MANUAL:
            raise InvalidInput(
                "DeletionSchedule.kept_at", "a manual deletion is never kept by DEL-7"
            )


def _optional_schedule(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, DeletionSchedule):
        raise InvalidType(
            v.where(instance, attribute),
            f"must be a DeletionSchedule or None, not {type(value).__name__}",
        )


@attrs.frozen(kw_only=True)
class DeletionFacts:
    """The deletion area's facts: the account's activity and its deletion schedule, if any.

    Every question, operation and the area contract's functions (:func:`transitions`,
    :func:`findings`, :func:`role_findings`, :func:`suspensions`) read these.

    Attributes:
        activity: Creation, logins and the balance's ledger (DEL-1, DEL-7).
        schedule: The deletion scheduled on the account, with what was recorded on it since;
            ``None`` when none was (DEL-2, DEL-3, DEL-6, DEL-7).
    """

    activity: AccountActivity = attrs.field(validator=v.instance_of(AccountActivity))
    schedule: DeletionSchedule | None = attrs.field(default=None, validator=_optional_schedule)

    def __attrs_post_init__(self) -> None:
        if self.schedule is not None and self.schedule.scheduled_at < self.activity.created_at:
            raise InvalidInput(
                "DeletionSchedule.scheduled_at",
                "must not be before the account's creation (created_at)",
            )

    @functools.cached_property
    def _memo(self) -> dict[tuple[Callable[..., Any], int, ZoneInfo], tuple[object, Any]]:
        """What the questions share for one policy and zone, computed once (:func:`_recall`).

        Kept on the instance only: not a field, so equality, hashing, ``repr``, pickling and
        ``attrs.evolve`` ignore it (a copy starts empty).
        """
        return {}


_T = TypeVar("_T")
_P = TypeVar("_P")

#: How many values one facts value remembers before it forgets them all (a host that asks
#: the same facts under many policies or zones does not grow them without bound).
_MEMO_SIZE: Final = 16


def _recall(
    compute: Callable[[DeletionFacts, DeletionSchedule, _P, ZoneInfo], _T],
    facts: DeletionFacts,
    schedule: DeletionSchedule,
    policy: _P,
    zone: ZoneInfo,
) -> _T:
    """``compute(facts, schedule, policy, zone)``, computed once per facts, policy and zone
    and remembered (``schedule`` is the facts' own).

    Only what depends on nothing else (no instant) is remembered. The policy is matched by
    identity and kept with the value, so its id cannot be reused by another policy while the
    value is remembered. Errors are not remembered: they are raised again on every call.
    """
    memo = facts._memo
    key = (compute, id(policy), zone)
    hit = memo.get(key)
    if hit is not None and hit[0] is policy:
        return cast(_T, hit[1])
    value = compute(facts, schedule, policy, zone)
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = (policy, value)
    return value
