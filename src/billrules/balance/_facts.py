"""The balance area's facts (BAL-3, BAL-5): ledger entries, the ledger and its one history,
the sources billed by the day, and the facts for dunning.

Private: the public names are re-exported by :mod:`billrules.balance`.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._redact import shown
from billrules.contract import Suspension
from billrules.errors import InvalidInput, InvalidType


class EntryKind(StrEnum):
    """What a ledger entry records."""

    PAYMENT = "payment"
    BONUS = "bonus"
    CHARGE = "charge"
    ADJUSTMENT = "adjustment"


_DAYS = v.integer(0, 31)


def _optional_days(instance: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None:
        _DAYS(instance, attribute, value)


v.described(_optional_days, v.json_schema_of(_DAYS))


@attrs.frozen(kw_only=True)
class ChargeLine:
    """One line of a monthly charge's breakdown (BAL-5, BAL-6).

    Attributes:
        item: ``"base_tariff"`` or the id of the source charged.
        description: A human label.
        amount: What the line costs (zero or more).
        days_enabled: For a source, the local days it was enabled in the month.
        days_in_month: For a source, the days of the month (the proration's denominator).
    """

    item: str = attrs.field(validator=v.identifier)
    description: str = attrs.field(validator=v.text)
    amount: Money = attrs.field(validator=v.non_negative_money)
    days_enabled: int | None = attrs.field(default=None, validator=_optional_days)
    days_in_month: int | None = attrs.field(default=None, validator=_optional_days)


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One movement of the prepaid balance.

    ``amount`` is signed: what the entry adds to the balance. Payments and bonuses are
    positive, a charge is zero or negative and carries its breakdown in ``lines`` (their sum is
    the charge), an adjustment may go either way.

    Attributes:
        id: The host's identifier, unique within a ledger.
        kind: What the entry records.
        at: The instant it takes effect on the balance.
        amount: The signed change to the balance.
        description: A human label.
        lines: A charge's breakdown (empty for other kinds).
    """

    id: str = attrs.field(validator=v.identifier)
    kind: EntryKind = attrs.field(converter=v.ToEnum[EntryKind])
    at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    amount: Money = attrs.field(validator=v.money)
    description: str = attrs.field(default="", validator=v.instance_of(str))
    lines: tuple[ChargeLine, ...] = attrs.field(default=(), converter=v.ToTuple[ChargeLine])

    def __attrs_post_init__(self) -> None:
        amount = self.amount
        sign = amount.amount
        kind = self.kind
        if kind is EntryKind.CHARGE:
            if sign > 0:
                raise InvalidInput("LedgerEntry.amount", "must not be positive on a charge")
            lines = self.lines
            if lines:
                currency = amount.currency
                for index, line in enumerate(lines):
                    found = line.amount.currency  # one currency object per code: ``is`` first
                    if found is not currency and found != currency:  # the name: for the error
                        v.same_currency(self, amount, line.amount, f"lines[{index}].amount")
                if _lines_total(lines) != -sign:
                    raise InvalidInput("LedgerEntry.lines", "must add up to the charge")
        elif kind in (EntryKind.PAYMENT, EntryKind.BONUS) and sign <= 0:
            raise InvalidInput("LedgerEntry.amount", f"must be more than zero on a {kind}")
        elif self.lines:
            raise InvalidInput("LedgerEntry.lines", f"must be empty on a {kind}")


def _lines_total(lines: tuple[ChargeLine, ...]) -> Decimal:
    """The sum of the amounts of ``lines``, whose currency is checked to be the charge's."""
    result = Decimal(0)
    try:
        for line in lines:
            result += line.amount.amount
    except ArithmeticError:
        raise InvalidInput(
            "LedgerEntry.lines", "the amounts are too large to add up exactly"
        ) from None
    return result


@attrs.frozen
class _History:
    """The balance's one history, computed once per ledger in a single pass.

    ``times`` are the distinct instants of the entries in UTC, oldest first; after the entries at
    ``times[i]`` the balance is ``balances[i]`` and the debt in force (if any) started at
    ``debt_starts[i]``. ``periods`` are the stretches of negative balance: when each began and
    when it ended (``None``: still running).
    """

    times: tuple[datetime, ...]
    balances: tuple[Decimal, ...]
    debt_starts: tuple[datetime | None, ...]
    periods: tuple[tuple[datetime, datetime | None], ...]


def _history(entries: tuple[LedgerEntry, ...]) -> _History:
    times: list[datetime] = []
    balances: list[Decimal] = []
    debt_starts: list[datetime | None] = []
    periods: list[tuple[datetime, datetime | None]] = []
    running = Decimal(0)
    started: datetime | None = None
    at: datetime | None = None  # the first instant of the group of entries being added up
    last = len(entries) - 1
    try:
        # One group per instant (``==``: the same instant written with two offsets is one),
        # its state kept once its last entry is added.
        for number, entry in enumerate(entries):
            if at is None:
                at = entry.at
            running += entry.amount.amount
            if number < last and entries[number + 1].at == at:
                continue
            if running < 0:
                if started is None:
                    started = at
            elif started is not None:
                periods.append((started, at))
                started = None
            times.append(at if at.tzinfo is UTC else at.astimezone(UTC))
            balances.append(running)
            debt_starts.append(started)
            at = None
    except ArithmeticError:
        raise InvalidInput(
            "Ledger.entries", "the amounts are too large to add up exactly"
        ) from None
    if started is not None:
        periods.append((started, None))
    return _History(tuple(times), tuple(balances), tuple(debt_starts), tuple(periods))


def _currency(value: Currency | str) -> Currency:
    return _money.to_currency(value, "Ledger.currency")


@attrs.frozen(kw_only=True)
class Ledger:
    """A prepaid balance as the ordered history of its entries.

    ``entries`` are in chronological order (entries at one instant keep their order), all in
    ``currency``, with unique ids. The balance is their sum (BAL-3: a payment counts from its
    instant on). The running balance after each instant, and where each debt began, are
    computed once when the ledger is built, so reading the balance at an instant is a binary
    search, not a sum.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.balance import Ledger, LedgerEntry
    >>> paid = LedgerEntry(id="p1", kind="payment", at=datetime(2024, 5, 2, tzinfo=UTC),
    ...                    amount=Money("50.00", "USD"))
    >>> Ledger(currency="USD").add(paid).balance.amount
    Decimal('50.00')
    """

    currency: Currency = attrs.field(converter=_currency)
    entries: tuple[LedgerEntry, ...] = attrs.field(default=(), converter=v.ToTuple[LedgerEntry])
    _history: _History = attrs.field(init=False, eq=False, repr=False, hash=False)

    @entries.validator
    def _check_entries(
        self, attribute: attrs.Attribute[object], value: tuple[LedgerEntry, ...]
    ) -> None:
        seen: set[str] = set()
        currency = self.currency
        for index, entry in enumerate(value):
            found = entry.amount.currency  # one currency object per code: ``is`` first
            if found is not currency and found != currency:  # the name: only for the error
                _money.require_currency(entry.amount, currency, f"Ledger.entries[{index}].amount")
            if entry.id in seen:
                raise InvalidInput(f"Ledger.entries[{index}].id", f"duplicate id {shown(entry.id)}")
            seen.add(entry.id)
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            if after.at < before.at:
                raise InvalidInput(
                    f"Ledger.entries[{index}].at", f"must not be before entries[{index - 1}].at"
                )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_history", _history(self.entries))

    @functools.cached_property
    def _memo(self) -> dict[str, Any]:
        """What the areas that read this ledger share at one instant, by name (for example
        dunning's stage, asked for every role in turn), each kept until another instant is
        asked about.

        Not a field: equality, hashing, ``repr``, pickling and copies ignore it.
        """
        return {}

    @property
    def balance(self) -> Money:
        """The sum of every entry (BAL-3)."""
        balances = self._history.balances
        return Money(balances[-1] if balances else Decimal(0), self.currency)

    def add(self, *entries: LedgerEntry) -> Ledger:
        """A new ledger with ``entries`` added in chronological order (after any at one instant).

        Raises:
            InvalidInput: an id is already used.
            CurrencyMismatch: an entry is not in the ledger's currency.
        """
        added = v.tuple_of(LedgerEntry, "Ledger.entries")(entries)
        merged = sorted((*self.entries, *added), key=lambda entry: entry.at)
        return Ledger(currency=self.currency, entries=tuple(merged))


def _ledger(value: object, field: str = "ledger") -> Ledger:
    if not isinstance(value, Ledger):
        raise InvalidType(field, f"must be a Ledger, not {type(value).__name__}")
    return value


def _state_at(ledger: Ledger, at: datetime) -> tuple[Decimal, datetime | None]:
    """The balance and the start of the debt in force after every entry up to ``at``."""
    history = ledger._history
    # Compared in UTC: two times that share a zone compare by wall clock, and a clock change
    # that repeats an hour would put an instant after the debt's start "before" it.
    index = bisect.bisect_right(history.times, at if at.tzinfo is UTC else at.astimezone(UTC))
    if index == 0:
        return Decimal(0), None
    return history.balances[index - 1], history.debt_starts[index - 1]


@attrs.frozen(kw_only=True)
class BalanceFacts:
    """The two facts dunning needs: the balance and when the current debt started.

    Build them once per request (:meth:`from_ledger`) and ask as many questions as needed.

    Attributes:
        balance: The balance at the instant of interest.
        debt_started_at: When the balance last turned negative; set exactly when ``balance``
            is negative.
        amount_to_pay: Derived: what lifts the debt (DUN-2), ``None`` when there is none.
    """

    balance: Money = attrs.field(validator=v.money)
    debt_started_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    amount_to_pay: Money | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        negative = self.balance.amount < 0
        if negative and self.debt_started_at is None:
            raise InvalidInput(
                "BalanceFacts.debt_started_at", "is required when the balance is negative"
            )
        if not negative and self.debt_started_at is not None:
            raise InvalidInput(
                "BalanceFacts.debt_started_at", "must be None when the balance is not negative"
            )
        object.__setattr__(self, "amount_to_pay", -self.balance if negative else None)

    @classmethod
    def from_ledger(cls, ledger: Ledger, at: datetime) -> BalanceFacts:
        """The facts of ``ledger`` at the instant ``at`` (a binary search of its history)."""
        _ledger(ledger)
        _time.require_aware(at, "at")
        balance, started = _state_at(ledger, at)
        return cls(balance=Money(balance, ledger.currency), debt_started_at=started)


class SourceKind(StrEnum):
    """A billable item that can be switched on and off (BAL-5)."""

    INTEGRATION = "integration"
    COMMUNICATION = "communication"


@attrs.frozen(kw_only=True)
class EnabledPeriod:
    """A source was enabled from ``start`` until ``end`` (exclusive; ``None``: still enabled)."""

    start: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    end: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise InvalidInput("EnabledPeriod.end", "must be after start")


@attrs.frozen(kw_only=True)
class Source:
    """An integration or communication source, its monthly price and when it was enabled (BAL-5).

    ``enabled`` periods are in order and do not overlap; only the last may be open.
    """

    id: str = attrs.field(validator=v.identifier)
    name: str = attrs.field(validator=v.text)
    kind: SourceKind = attrs.field(converter=v.ToEnum[SourceKind])
    monthly_price: Money = attrs.field(validator=v.non_negative_money)
    enabled: tuple[EnabledPeriod, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[EnabledPeriod],
    )

    @enabled.validator
    def _check_periods(
        self, attribute: attrs.Attribute[object], value: tuple[EnabledPeriod, ...]
    ) -> None:
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            if before.end is None or after.start < before.end:
                raise InvalidInput(
                    f"Source.enabled[{index}].start", f"must not overlap enabled[{index - 1}]"
                )

    def days_enabled(self, first: date, last: date, zone: ZoneInfo) -> int:
        """The local days in ``[first, last]`` on which the source was enabled at any moment."""
        days: set[date] = set()
        for period in self.enabled:
            begin = max(_time.local_date(period.start, zone), first)
            if period.end is None:
                end = last
            else:
                end = _time.local_date(period.end, zone)
                if period.end <= _time.start_of_day(end, zone):
                    end -= timedelta(days=1)
                end = min(end, last)
            while begin <= end:
                days.add(begin)
                begin += timedelta(days=1)
        return len(days)


@attrs.frozen(kw_only=True)
class PrepaidFacts:
    """The balance area's facts: the prepaid ledger, when the account began, and the spans in
    which another area stops billing (a cancellation's deactivation, a deletion).

    The findings read the ledger; the transitions read all three: each month from the
    account's creation on is charged on the 1st of the next (BAL-4, BAL-5), unless that
    instant lies in a suspension.

    Attributes:
        ledger: The prepaid ledger.
        created_at: When the account was created: its first month is the one holding it.
        suspensions: Spans in which nothing is charged, each naming the rule that stops billing.
    """

    ledger: Ledger = attrs.field(validator=v.instance_of(Ledger))
    created_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    suspensions: tuple[Suspension, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[Suspension],
    )
