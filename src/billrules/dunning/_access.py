"""The check a host runs on every request: :func:`can_use_product` (DUN-1 … DUN-3), and
:func:`next_stage_on`. Private."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules._check import checked
from billrules._redact import shown
from billrules.decisions import Decision
from billrules.dunning._facts import BalanceFacts
from billrules.dunning._policy import DunningPolicy, _Table
from billrules.errors import InvalidInput
from billrules.roles import Role

#: ``timedelta(days=n)`` for n in 0–31, built once.
_DAYS: Final = tuple(timedelta(days=n) for n in range(32))


@checked
def _arguments(
    facts: BalanceFacts,
    policy: DunningPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[BalanceFacts, DunningPolicy, Role | str, datetime, ZoneInfo | str]:
    """:func:`can_use_product`'s arguments, checked as ``@checked`` checks them (in order)."""
    return facts, policy, role, at, zone


#: The exact types of a role the common case passes, and the years of an instant it passes
#: (strictly inside the calendar's, as @checked's own inline test).
_ROLE_TYPES: Final = frozenset((Role, str))
_FIRST_YEAR: Final = _time.FIRST_YEAR
_LAST_YEAR: Final = _time.LAST_YEAR


def can_use_product(
    facts: BalanceFacts,
    policy: DunningPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether a user with ``role`` may use the product at the instant ``at``, and at which
    access level. Decides DUN-1, DUN-2, DUN-3.

    ``facts`` are the balance and the start of the current debt at ``at``
    (:meth:`BalanceFacts.from_ledger <billrules.balance.BalanceFacts.from_ledger>`, built once
    per request). A non-negative balance means full access for everyone: allowed, with the
    single reason ``balance_not_negative`` (DUN-2: paying the whole debt lifts everything at
    once; a partial payment leaves the balance negative and so changes nothing). Otherwise the
    day of the schedule is the local day of the month (``month_start``; a debt from an earlier
    month is at the last stage, with the reason ``debt_carried_over``, DUN-3) or the days since
    the debt's local start day plus one (``debt_start``), and the stage of that day gives the
    role's level: the reason ``dunning_stage`` (DUN-1) carries ``stage``, ``first_day``,
    ``role``, ``level`` and ``anchor`` in its details, followed by ``full_payment_lifts``
    (DUN-2). Every decision's first reason carries the ``level``.

    **Reading:** a user *may use the product* at ``full`` access or ``full_with_reminder``
    (a reminder restricts nothing); ``payment_page_only`` (only the page to pay the debt) and
    ``blocked`` are refusals. The decision is the one the dunning ``use_product`` finding of
    :func:`~billrules.report.explain` carries, built once per policy: each call does two
    time-zone conversions and a few lookups. What is left to pay is ``facts.amount_to_pay``;
    the date of the next stage, :func:`next_stage_on`.

    A clock change can take the local date back across midnight after the debt started
    (St. John's, 2010-11-07 00:01 NDT became 23:01 NST on the 6th): that earlier date is a day
    like any other, so a debt that started on the 7th is on day 6 for that hour under
    ``month_start``, and on day 0 under ``debt_start``, which is the first stage's (X-3).

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: the instant ``at`` is before the debt started; unknown role.
    """
    # The arguments are checked as @checked checks them, written inline (this question runs
    # on every request a host serves): the common types are tested here, anything else goes
    # through _arguments, which refuses it naming the parameter, in the parameters' order.
    if (
        type(facts) is not BalanceFacts
        or type(policy) is not DunningPolicy
        or type(role) not in _ROLE_TYPES
        or type(at) is not datetime
        or type(at.tzinfo) is not ZoneInfo
        or not _FIRST_YEAR < at.year < _LAST_YEAR
        or type(zone) is not ZoneInfo
    ):
        facts, policy, role, at, zone = _arguments(facts, policy, role=role, at=at, zone=zone)
        zone = _time.to_zone(zone)
    table = policy._table
    try:
        row = table.rows.get(role)
    except TypeError:  # a str subclass that is unhashable
        row = None
    if row is None:  # a KeyError would hold the value (PM-6)
        raise InvalidInput("role", f"unknown role {shown(role)}")
    started = facts.debt_started_at
    if started is None:
        return row.clear
    if table.month_start:
        # The common cases of _stage_at, inline (this check runs on every request): a debt
        # from this month, or from an earlier one (DUN-3) more than _NEAR days ago.
        today = at.astimezone(zone).date()
        debt_day = started.astimezone(zone).date()
        if today.month == debt_day.month and today.year == debt_day.year:
            day = today.day
            if day >= debt_day.day + 3 or not _time.before(at, started):  # 3: _NEAR
                return row.decisions[table.stage_of_day[day]]
            raise _before_the_debt()
        if today > debt_day and (today.day >= 3 or (today - debt_day).days >= 3):
            return row.carried
    index = _stage_at(table, started, at, zone)
    return row.carried if index < 0 else row.decisions[index]


@checked
def next_stage_on(
    facts: BalanceFacts, policy: DunningPolicy, *, at: datetime, zone: ZoneInfo | str
) -> date | None:
    """The local date the next dunning stage starts, as of ``at``. Decides DUN-1 and DUN-3.

    ``None`` without debt, at the last stage already, or for a debt carried into a later
    month (``month_start``: it is at the last stage until paid). Under ``month_start`` a stage
    whose first day the debt's month lacks (day 31 of April) starts on the 1st of the next
    month, with the carried debt.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: the instant ``at`` is before the debt started.
    """
    table = policy._table
    tz = _time.to_zone(zone)
    started = facts.debt_started_at
    if started is None:
        return None
    index = _stage_at(table, started, at, tz)
    offset = -1 if index < 0 else table.next_offset[index]
    if offset < 0:
        return None
    debt_day = started.astimezone(tz).date()
    if not table.month_start:
        return debt_day + _DAYS[offset]
    first = debt_day - _DAYS[debt_day.day - 1]
    if offset < calendar.monthrange(first.year, first.month)[1]:
        return first + _DAYS[offset]
    return _time.add_months(first, 1)


def _stage_at(table: _Table, started: datetime, at: datetime, zone: ZoneInfo) -> int:
    """The index of the stage in force at ``at`` of a debt that started at ``started``, or -1
    for a debt carried into a later month (DUN-1, DUN-3).

    Raises:
        InvalidInput: ``at`` is before ``started``.
    """
    today = at.astimezone(zone).date()
    debt_day = started.astimezone(zone).date()
    # "before the debt started" compares instants, and only local dates count days: a
    # clock change can take the local date back below the debt's own (a day like any other).
    # Comparing instants is needed only within _NEAR days of the debt's local date (see there).
    if table.month_start:
        if today.month != debt_day.month or today.year != debt_day.year:
            if today > debt_day:
                # Within _NEAR (3) days, that is on the 1st or 2nd of the next month.
                if today.day < 3 and (today - debt_day).days < 3 and _time.before(at, started):
                    raise _before_the_debt()
                return -1
            if _time.before(at, started):
                raise _before_the_debt()
            return 0  # the local date went back into the month before the debt's: day 0
        day = today.day
        if day < debt_day.day + 3 and _time.before(at, started):  # 3: _NEAR
            raise _before_the_debt()
        return table.stage_of_day[day]
    elapsed = (today - debt_day).days
    if elapsed < 3 and _time.before(at, started):  # 3: _NEAR
        raise _before_the_debt()
    if elapsed < 32:
        # A date gone back before the debt's own is day 0 or earlier: the first stage.
        return table.stage_of_day[elapsed + 1 if elapsed >= 0 else 0]
    return table.stage_of_day[32]


#: How many days after the debt's local date the local date of an earlier instant can be: a
#: UTC offset is under 24 hours either way, so a clock change moves the wall clock back by
#: under 48 hours, and an instant before the debt shows a date at most 2 days after the
#: debt's. From 3 days on, ``at`` is after the debt started without comparing instants.
_NEAR: Final = 3


def _before_the_debt() -> InvalidInput:
    return InvalidInput("at", "must not be before the debt started")
