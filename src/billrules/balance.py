"""The prepaid balance: a ledger of payments, bonuses, monthly charges and adjustments.

Decides BAL-1 … BAL-7 (see ``docs/policies.md``):

- BAL-1 only an admin (or the owner) may top up the balance;
- BAL-2 a top-up may earn a bonus by configurable tiers (none by default);
- BAL-3 a confirmed payment is credited to the balance at once;
- BAL-4 a month's usage is charged on the 1st of the next month, in the account's zone;
- BAL-5 the base tariff (19.00 USD) is charged every month; integrations and communication
  sources add a daily-prorated charge for the days they were enabled;
- BAL-6 the balance view: current balance, usage accrued this month, history;
- BAL-7 prepaid mode never charges a card: charges are drawn from the balance only.

Facts: :class:`LedgerEntry`, :class:`Ledger`, :class:`Source`, :class:`BalanceFacts`.
Policy: :class:`BalancePolicy`. Every instant is timezone-aware; days and months are local to
the account's zone.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules._redact import shown
from billrules.decisions import Decision, Reason
from billrules.effects import DebitBalance
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role

__all__ = [
    "BalanceFacts",
    "BalancePolicy",
    "BalanceView",
    "BonusTier",
    "ChargeLine",
    "ChargeResult",
    "EnabledPeriod",
    "EntryKind",
    "Ledger",
    "LedgerEntry",
    "Source",
    "SourceKind",
    "Usage",
    "balance_at",
    "balance_view",
    "bonus_for",
    "can_top_up",
    "charge_month",
    "debt_month",
    "debt_started_at",
    "monthly_charge",
    "top_up",
    "usage_to_date",
]

#: BAL-5: the seed's base tariff.
DEFAULT_BASE_TARIFF = Money("19.00", "USD")


class EntryKind(StrEnum):
    """What a ledger entry records."""

    PAYMENT = "payment"
    BONUS = "bonus"
    CHARGE = "charge"
    ADJUSTMENT = "adjustment"


class SourceKind(StrEnum):
    """A billable item that can be switched on and off (BAL-5)."""

    INTEGRATION = "integration"
    COMMUNICATION = "communication"


def _optional_days(instance: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None:
        v.integer(0, 31)(instance, attribute, value)


# --------------------------------------------------------------------------------------------
# Facts: the ledger


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

    item: str = attrs.field(validator=v.text)
    description: str = attrs.field(validator=v.text)
    amount: Money = attrs.field(validator=v.non_negative_money)
    days_enabled: int | None = attrs.field(default=None, validator=_optional_days)
    days_in_month: int | None = attrs.field(default=None, validator=_optional_days)


def _kind(value: object) -> EntryKind:
    return v.enum_member(EntryKind, "LedgerEntry.kind")(value)


def _lines(value: object) -> tuple[ChargeLine, ...]:
    return v.tuple_of(ChargeLine, "LedgerEntry.lines")(value)


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

    id: str = attrs.field(validator=v.text)
    kind: EntryKind = attrs.field(converter=_kind)
    at: datetime = attrs.field(validator=v.instant)
    amount: Money = attrs.field(validator=v.money)
    description: str = attrs.field(default="", validator=v.instance_of(str))
    lines: tuple[ChargeLine, ...] = attrs.field(default=(), converter=_lines)

    def __attrs_post_init__(self) -> None:
        sign = self.amount.amount
        if self.kind in (EntryKind.PAYMENT, EntryKind.BONUS) and sign <= 0:
            raise InvalidInput("LedgerEntry.amount", f"must be more than zero on a {self.kind}")
        if self.kind is EntryKind.CHARGE:
            if sign > 0:
                raise InvalidInput("LedgerEntry.amount", "must not be positive on a charge")
            for index, line in enumerate(self.lines):
                v.same_currency(self, self.amount, line.amount, f"lines[{index}].amount")
            if self.lines and _lines_total(self.lines, self.amount.currency) != -self.amount:
                raise InvalidInput("LedgerEntry.lines", "must add up to the charge")
        elif self.lines:
            raise InvalidInput("LedgerEntry.lines", f"must be empty on a {self.kind}")


def _lines_total(lines: tuple[ChargeLine, ...], currency: Currency) -> Money:
    return _money.total((line.amount for line in lines), currency, "LedgerEntry.lines")


def _currency(value: object) -> Currency:
    return _money.to_currency(value, "Ledger.currency")


def _entries(value: object) -> tuple[LedgerEntry, ...]:
    return v.tuple_of(LedgerEntry, "Ledger.entries")(value)


@attrs.frozen(kw_only=True)
class Ledger:
    """A prepaid balance as the ordered history of its entries.

    ``entries`` are in chronological order (entries at one instant keep their order), all in
    ``currency``, with unique ids. The balance is their sum (BAL-3: a payment counts from its
    instant on).

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.balance import Ledger, LedgerEntry
    >>> paid = LedgerEntry(id="p1", kind="payment", at=datetime(2024, 5, 2, tzinfo=UTC),
    ...                    amount=Money("50.00", "USD"))
    >>> Ledger(currency="USD").add(paid).balance.amount
    Decimal('50.00')
    """

    currency: Currency = attrs.field(converter=_currency)
    entries: tuple[LedgerEntry, ...] = attrs.field(default=(), converter=_entries)

    @entries.validator
    def _check_entries(
        self, attribute: attrs.Attribute[object], value: tuple[LedgerEntry, ...]
    ) -> None:
        seen: set[str] = set()
        for index, entry in enumerate(value):
            _money.require_currency(entry.amount, self.currency, f"Ledger.entries[{index}].amount")
            if entry.id in seen:
                raise InvalidInput(f"Ledger.entries[{index}].id", f"duplicate id {shown(entry.id)}")
            seen.add(entry.id)
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            if after.at < before.at:
                raise InvalidInput(
                    f"Ledger.entries[{index}].at", f"must not be before entries[{index - 1}].at"
                )

    @property
    def balance(self) -> Money:
        """The sum of every entry (BAL-3)."""
        return _money.total((entry.amount for entry in self.entries), self.currency)

    def add(self, *entries: LedgerEntry) -> Ledger:
        """A new ledger with ``entries`` added in chronological order (after any at one instant).

        Raises:
            InvalidInput: an id is already used.
            CurrencyMismatch: an entry is not in the ledger's currency.
        """
        merged = sorted((*self.entries, *_entries(entries)), key=lambda entry: entry.at)
        return Ledger(currency=self.currency, entries=tuple(merged))


def _ledger(value: object, field: str = "ledger") -> Ledger:
    if not isinstance(value, Ledger):
        raise InvalidType(field, f"must be a Ledger, not {type(value).__name__}")
    return value


@checked
def balance_at(ledger: Ledger, at: datetime) -> Money:
    """The balance at the instant ``at``: every entry up to and including ``at``. Decides BAL-3.

    A confirmed payment counts from its own instant on, not from a later settlement.
    """
    _time.require_aware(at, "at")
    entries = _ledger(ledger).entries
    return _money.total((entry.amount for entry in entries if entry.at <= at), ledger.currency)


def _debt_periods(ledger: Ledger) -> list[tuple[datetime, datetime | None]]:
    """Each stretch of a negative balance: the instant it turned negative and when it ended."""
    periods: list[tuple[datetime, datetime | None]] = []
    running = Decimal(0)
    started: datetime | None = None
    for at, group in itertools.groupby(ledger.entries, key=lambda entry: entry.at):
        running += sum((entry.amount.amount for entry in group), Decimal(0))
        if running < 0 and started is None:
            started = at
        elif running >= 0 and started is not None:
            periods.append((started, at))
            started = None
    if started is not None:
        periods.append((started, None))
    return periods


@checked
def debt_started_at(ledger: Ledger, at: datetime) -> datetime | None:
    """The instant the balance last turned negative, if it is negative at ``at``, else ``None``.

    Entries at one instant count together. This is the start of the debt that dunning
    (DUN-1, DUN-3) counts its days from.
    """
    _time.require_aware(at, "at")
    for started, ended in reversed(_debt_periods(_ledger(ledger))):
        if started <= at:
            return started if ended is None or at < ended else None
    return None


@checked
def debt_month(ledger: Ledger, at: datetime, zone: ZoneInfo | str) -> date | None:
    """The first day of the local month in which the current debt started, or ``None``.

    The anchor of the ``month_start`` dunning schedule (DUN-3).
    """
    tz = _time.to_zone(zone)
    started = debt_started_at(ledger, at)
    if started is None:
        return None
    return _time.local_date(started, tz).replace(day=1)


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
    debt_started_at: datetime | None = attrs.field(default=None, validator=v.optional_instant)
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
        """The facts of ``ledger`` at the instant ``at``."""
        return cls(balance=balance_at(ledger, at), debt_started_at=debt_started_at(ledger, at))


# --------------------------------------------------------------------------------------------
# Policy


#: BAL-2: the largest bonus percentage accepted (ten times the top-up).
_MAX_PERCENT = Decimal(1000)


def _optional_percent(value: object) -> Decimal | None:
    if value is None:
        return None
    number = _money.to_decimal(value, "BonusTier.percent")
    if not 0 < number <= _MAX_PERCENT:
        raise InvalidInput("BonusTier.percent", f"must be more than 0 and at most {_MAX_PERCENT}")
    return number


def _optional_positive_money(
    instance: object, attribute: attrs.Attribute[Money | None], value: object
) -> None:
    if value is not None:
        v.positive_money(instance, attribute, value)


@attrs.frozen(kw_only=True)
class BonusTier:
    """A top-up of at least ``threshold`` earns ``percent`` of it, or a ``fixed`` bonus (BAL-2).

    Exactly one of ``percent`` and ``fixed`` is given.
    """

    threshold: Money = attrs.field(validator=v.positive_money)
    percent: Decimal | None = attrs.field(default=None, converter=_optional_percent)
    fixed: Money | None = attrs.field(default=None, validator=_optional_positive_money)

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.fixed is None):
            raise InvalidInput("BonusTier.percent", "give exactly one of percent and fixed")
        if self.fixed is not None:
            v.same_currency(self, self.threshold, self.fixed, "fixed")

    def bonus(self, amount: Money) -> Money:
        """The bonus this tier gives a top-up of ``amount`` (rounded half-up to the minor unit)."""
        if self.fixed is not None:
            return self.fixed
        percent = self.percent if self.percent is not None else Decimal(0)
        return _money.round_to_minor_unit(Money(amount.amount * percent / 100, amount.currency))


def _tiers(value: object) -> tuple[BonusTier, ...]:
    return v.tuple_of(BonusTier, "BalancePolicy.bonus_tiers")(value)


@attrs.frozen(kw_only=True)
class BalancePolicy:
    """The knobs of the prepaid balance.

    Attributes:
        base_tariff: BAL-5: charged every month, even with no use. Seed default 19.00 USD.
        bonus_tiers: BAL-2: top-up bonus tiers, thresholds strictly increasing, all in the
            base tariff's currency. The seed gives no numbers: no tiers by default. A larger
            top-up never earns a smaller bonus: at each threshold the new tier's bonus is at
            least the previous tier's.
    """

    base_tariff: Money = attrs.field(default=DEFAULT_BASE_TARIFF, validator=v.non_negative_money)
    bonus_tiers: tuple[BonusTier, ...] = attrs.field(default=(), converter=_tiers)

    @bonus_tiers.validator
    def _check_tiers(
        self, attribute: attrs.Attribute[object], value: tuple[BonusTier, ...]
    ) -> None:
        for index, tier in enumerate(value):
            _money.require_currency(
                tier.threshold, self.base_tariff.currency, f"BalancePolicy.bonus_tiers[{index}]"
            )
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            where = f"BalancePolicy.bonus_tiers[{index}]"
            if after.threshold <= before.threshold:
                raise InvalidInput(
                    f"{where}.threshold", f"must be above bonus_tiers[{index - 1}].threshold"
                )
            try:
                smaller = after.bonus(after.threshold) < before.bonus(after.threshold)
            except (ArithmeticError, InvalidInput):
                raise InvalidInput(f"{where}.threshold", "is too large") from None
            if smaller:
                raise InvalidInput(
                    where, f"must not give less at its threshold than bonus_tiers[{index - 1}]"
                )

    @property
    def currency(self) -> Currency:
        """The policy's currency (the base tariff's)."""
        return self.base_tariff.currency


def _policy(value: object) -> BalancePolicy:
    if not isinstance(value, BalancePolicy):
        raise InvalidType("policy", f"must be a BalancePolicy, not {type(value).__name__}")
    return value


# --------------------------------------------------------------------------------------------
# BAL-1 … BAL-3: top-ups


@checked
def can_top_up(role: Role | str) -> Decision:
    """Whether a user with ``role`` may top up the balance. Decides BAL-1.

    >>> from billrules.balance import can_top_up
    >>> can_top_up("admin").allowed, can_top_up("staff").codes
    (True, ('top_up_admin_only',))
    """
    who = _role(role)
    details = {"role": str(who)}
    if who.is_admin:
        return Decision.allow(
            Reason(
                code="top_up_by_admin",
                rule="BAL-1",
                message=f"A user with the {who} role may top up the balance.",
                details=details,
            )
        )
    return Decision.refuse(
        Reason(
            code="top_up_admin_only",
            rule="BAL-1",
            message="Only an administrator can top up the balance.",
            details=details,
        )
    )


def _role(value: object) -> Role:
    if not isinstance(value, str):
        raise InvalidType("role", f"must be a Role, not {type(value).__name__}")
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("role", f"unknown role {shown(value)}") from None


@checked
def bonus_for(amount: Money, policy: BalancePolicy) -> Money:
    """The bonus a top-up of ``amount`` earns: the highest tier it reaches. Decides BAL-2.

    Zero when it reaches no tier (always, by default).

    Raises:
        CurrencyMismatch: ``amount`` is not in the policy's currency.
    """
    _money.require_currency(
        _money.require_money(amount, "amount"), _policy(policy).currency, "amount"
    )
    reached = [tier for tier in policy.bonus_tiers if amount >= tier.threshold]
    return reached[-1].bonus(amount) if reached else _money.zero(amount.currency)


@checked
def top_up(
    ledger: Ledger,
    amount: Money,
    *,
    role: Role | str,
    at: datetime,
    reference: str,
    policy: BalancePolicy | None = None,
) -> Ledger:
    """The ledger after a confirmed top-up of ``amount`` by a user with ``role``.

    Decides BAL-1 (admins only), BAL-2 (a bonus entry when a tier is reached, id
    ``reference + ":bonus"``) and BAL-3 (the payment is credited at ``at``, at once).

    Raises:
        PolicyViolation: carrying :func:`can_top_up`'s refusal; ``ledger`` is unchanged.
        InvalidInput: ``amount`` is not positive, or ``reference`` is already used.
        CurrencyMismatch: ``amount`` is not in the ledger's currency.
    """
    rules = BalancePolicy() if policy is None else _policy(policy)
    _ledger(ledger)
    _time.require_aware(at, "at")
    can_top_up(role).require()
    paid = _money.require_currency(
        _money.require_money(amount, "amount"), ledger.currency, "amount"
    )
    if paid.amount <= 0:
        raise InvalidInput("amount", "must be more than zero")
    if not isinstance(reference, str) or not reference.strip():
        raise InvalidInput("reference", "must be a non-empty str")
    if any(entry.id in (reference, f"{reference}:bonus") for entry in ledger.entries):
        raise InvalidInput("reference", f"{shown(reference)} is already in the ledger")
    entries = [
        LedgerEntry(id=reference, kind=EntryKind.PAYMENT, at=at, amount=paid, description="Top-up")
    ]
    bonus = bonus_for(paid, rules)
    if bonus.amount > 0:
        entries.append(
            LedgerEntry(
                id=f"{reference}:bonus",
                kind=EntryKind.BONUS,
                at=at,
                amount=bonus,
                description="Top-up bonus",
            )
        )
    return ledger.add(*entries)


# --------------------------------------------------------------------------------------------
# BAL-4, BAL-5: monthly charges


@attrs.frozen(kw_only=True)
class EnabledPeriod:
    """A source was enabled from ``start`` until ``end`` (exclusive; ``None``: still enabled)."""

    start: datetime = attrs.field(validator=v.instant)
    end: datetime | None = attrs.field(default=None, validator=v.optional_instant)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise InvalidInput("EnabledPeriod.end", "must be after start")


def _source_kind(value: object) -> SourceKind:
    return v.enum_member(SourceKind, "Source.kind")(value)


def _periods(value: object) -> tuple[EnabledPeriod, ...]:
    return v.tuple_of(EnabledPeriod, "Source.enabled")(value)


@attrs.frozen(kw_only=True)
class Source:
    """An integration or communication source, its monthly price and when it was enabled (BAL-5).

    ``enabled`` periods are in order and do not overlap; only the last may be open.
    """

    id: str = attrs.field(validator=v.text)
    name: str = attrs.field(validator=v.text)
    kind: SourceKind = attrs.field(converter=_source_kind)
    monthly_price: Money = attrs.field(validator=v.non_negative_money)
    enabled: tuple[EnabledPeriod, ...] = attrs.field(default=(), converter=_periods)

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


def _sources(value: object, currency: Currency) -> tuple[Source, ...]:
    items = v.tuple_of(Source, "sources")(value)
    for index, source in enumerate(items):
        _money.require_currency(source.monthly_price, currency, f"sources[{index}].monthly_price")
    return items


def _month_lines(
    month: date, sources: tuple[Source, ...], policy: BalancePolicy, zone: ZoneInfo, last: date
) -> tuple[ChargeLine, ...]:
    first = month.replace(day=1)
    length = calendar.monthrange(first.year, first.month)[1]
    lines = [ChargeLine(item="base_tariff", description="Base tariff", amount=policy.base_tariff)]
    for source in sources:
        days = source.days_enabled(first, last, zone)
        if days:
            cost = Money(source.monthly_price.amount * days / length, policy.currency)
            lines.append(
                ChargeLine(
                    item=source.id,
                    description=source.name,
                    amount=_money.round_to_minor_unit(cost),
                    days_enabled=days,
                    days_in_month=length,
                )
            )
    return tuple(lines)


def _month(value: object) -> date:
    return _time.require_date(value, "month").replace(day=1)


@checked
def monthly_charge(
    month: date, sources: Iterable[Source], policy: BalancePolicy, *, zone: ZoneInfo | str
) -> LedgerEntry:
    """The charge for the local month containing ``month``. Decides BAL-4 and BAL-5.

    The charge is dated at the first instant of the 1st of the next month in ``zone`` (BAL-4).
    It is the base tariff (always, BAL-5) plus, for each source enabled on at least one local
    day of the month, ``monthly_price × days enabled / days in the month`` rounded half-up to
    the minor unit: one line per item. Its id is ``charge-YYYY-MM``.

    Raises:
        CurrencyMismatch: a source's price is not in the policy's currency.
    """
    tz = _time.to_zone(zone)
    first = _month(month)
    rules = _policy(policy)
    items = _sources(sources, rules.currency)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    lines = _month_lines(first, items, rules, tz, last)
    total = _money.total((line.amount for line in lines), rules.currency)
    return LedgerEntry(
        id=f"charge-{first:%Y-%m}",
        kind=EntryKind.CHARGE,
        at=_time.start_of_day(_time.add_months(first, 1), tz),
        amount=-total,
        description=f"Usage of {first:%Y-%m}",
        lines=lines,
    )


@attrs.frozen(kw_only=True)
class ChargeResult:
    """The ledger after a monthly charge, and the effects for the host (BAL-7: balance only)."""

    ledger: Ledger
    charge: LedgerEntry
    effects: tuple[DebitBalance, ...]


@checked
def charge_month(
    ledger: Ledger,
    sources: Iterable[Source],
    policy: BalancePolicy,
    *,
    month: date,
    zone: ZoneInfo | str,
) -> ChargeResult:
    """Charge the month containing ``month`` to the prepaid balance. Decides BAL-4, BAL-5, BAL-7.

    The charge (see :func:`monthly_charge`) is added to the ledger, and the only effect is a
    :class:`~billrules.effects.DebitBalance` of its total (none for a zero charge): prepaid
    mode never charges a card (BAL-7).

    Raises:
        InvalidInput: the month is already charged.
        CurrencyMismatch: the policy is not in the ledger's currency.
    """
    charge = monthly_charge(month, sources, policy, zone=zone)
    _money.require_currency(policy.base_tariff, _ledger(ledger).currency, "policy.base_tariff")
    if any(entry.id == charge.id for entry in ledger.entries):
        raise InvalidInput("month", f"{charge.id} is already in the ledger")
    effects: tuple[DebitBalance, ...] = ()
    if charge.amount.amount < 0:
        effects = (
            DebitBalance(
                at=charge.at, rule="BAL-7", amount=-charge.amount, description=charge.description
            ),
        )
    return ChargeResult(ledger=ledger.add(charge), charge=charge, effects=effects)


# --------------------------------------------------------------------------------------------
# BAL-6: the balance view


@attrs.frozen(kw_only=True)
class Usage:
    """Usage accrued in the current month so far, charged on the 1st of the next (BAL-6)."""

    month: date
    lines: tuple[ChargeLine, ...]
    total: Money
    charged_at: datetime


@checked
def usage_to_date(
    sources: Iterable[Source], policy: BalancePolicy, *, at: datetime, zone: ZoneInfo | str
) -> Usage:
    """What the current local month has accrued up to and including today. Decides BAL-6.

    The base tariff counts in full (it is charged every month, BAL-5); sources count for the
    days they were enabled from the 1st to today.
    """
    tz = _time.to_zone(zone)
    _time.require_aware(at, "at")
    rules = _policy(policy)
    items = _sources(sources, rules.currency)
    today = _time.local_date(at, tz)
    first = today.replace(day=1)
    lines = _month_lines(first, items, rules, tz, today)
    return Usage(
        month=first,
        lines=lines,
        total=_money.total((line.amount for line in lines), rules.currency),
        charged_at=_time.start_of_day(_time.add_months(first, 1), tz),
    )


@attrs.frozen(kw_only=True)
class BalanceView:
    """What the wallet shows (BAL-6): the balance now, this month's usage, and the history.

    ``history`` lists the entries up to ``at``, newest first; each charge carries its lines.
    """

    at: datetime
    balance: Money
    usage: Usage
    history: tuple[LedgerEntry, ...]


@checked
def balance_view(
    ledger: Ledger,
    sources: Iterable[Source],
    policy: BalancePolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> BalanceView:
    """The balance view at ``at``. Decides BAL-6."""
    usage = usage_to_date(sources, policy, at=at, zone=zone)
    history = tuple(reversed([entry for entry in _ledger(ledger).entries if entry.at <= at]))
    return BalanceView(at=at, balance=balance_at(ledger, at), usage=usage, history=history)
