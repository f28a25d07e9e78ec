"""Monthly charges (BAL-4, BAL-5, BAL-7) and the balance view (BAL-6). Private."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules.balance._facts import (
    ChargeLine,
    EntryKind,
    Ledger,
    LedgerEntry,
    Source,
    _ledger,
)
from billrules.balance._ledger import balance_at
from billrules.balance._policy import BalancePolicy, _policy
from billrules.effects import DebitBalance
from billrules.errors import InvalidInput


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
    """A monthly charge to carry out (BAL-4, BAL-7): the ledger ``charge`` entry and the
    effects that record it.

    The charge is not on any ledger yet: ``effects`` holds one
    :class:`~billrules.effects.DebitBalance` (none for a zero charge) whose ``occasion`` is
    ``charge.id``. Executing it *is* adding the entry, ``ledger.add(result.charge)``, which
    refuses an id already in the ledger: one source of truth, so a host that stores the
    ledger and executes the effect draws the balance once, also on a retry.
    (:func:`billrules.apply` adds an entry of that id too, without the breakdown, and nothing
    when the id is there.)
    """

    charge: LedgerEntry
    effects: tuple[DebitBalance, ...]


@checked
def charge_month(
    ledger: Ledger,
    sources: Iterable[Source],
    policy: BalancePolicy,
    *,
    account: str,
    month: date,
    zone: ZoneInfo | str,
) -> ChargeResult:
    """The charge of the month containing ``month`` to the prepaid balance, to carry out.
    Decides BAL-4, BAL-5, BAL-7.

    The charge (see :func:`monthly_charge`) is returned with the only effect, a
    :class:`~billrules.effects.DebitBalance` of its total (none for a zero charge): prepaid
    mode never charges a card (BAL-7). The ledger is not changed: executing the effect is
    adding the charge to it (``ledger.add(result.charge)``), so the charge has one source of
    truth and is drawn once. The effect names ``account`` and its occasion is the charge's
    id (``charge-YYYY-MM``), the id of the ledger entry it records: charging the same month
    again gives the same key (X-6). With no sources, it is the very effect the area's
    :func:`~billrules.balance.transitions` carry on the 1st (the run charges the base tariff
    alone), so the two give one key; once either is recorded, the month is not charged again.

    Raises:
        InvalidInput: the month is already charged (its entry is in ``ledger``); ``account``
            is empty or holds a card number (PM-6).
        CurrencyMismatch: the policy is not in the ledger's currency.
    """
    v.account_id(account)
    charge = monthly_charge(month, sources, policy, zone=zone)
    _money.require_currency(policy.base_tariff, _ledger(ledger).currency, "policy.base_tariff")
    if any(entry.id == charge.id for entry in ledger.entries):
        raise InvalidInput("month", f"{charge.id} is already in the ledger")
    effects: tuple[DebitBalance, ...] = ()
    if charge.amount.amount < 0:
        effects = (
            DebitBalance(
                at=charge.at,
                rule="BAL-7",
                amount=-charge.amount,
                description=charge.description,
                occasion=charge.id,
                account=account,
            ),
        )
    return ChargeResult(charge=charge, effects=effects)


# --------------------------------------------------------------------------------------------
# BAL-6: the balance view


@attrs.frozen(kw_only=True)
class Usage:
    """Usage accrued in the current month so far, charged on the 1st of the next (BAL-6)."""

    month: date
    lines: tuple[ChargeLine, ...]
    total: Money
    charged_at: datetime = attrs.field(eq=_time.instant_key)


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

    at: datetime = attrs.field(eq=_time.instant_key)
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
    return BalanceView(at=at, balance=balance_at(ledger, at=at), usage=usage, history=history)
