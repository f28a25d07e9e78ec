"""The check a host runs on every request: :func:`restriction_for` (DUN-1 … DUN-3). Private."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from billrules import _time
from billrules._check import checked
from billrules._redact import shown
from billrules.balance import BalanceFacts
from billrules.dunning._schedule import _DAYS, Access, DunningPolicy, _new_access
from billrules.errors import InvalidInput
from billrules.roles import Role


@checked
def restriction_for(
    facts: BalanceFacts,
    policy: DunningPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Access:
    """What a user with ``role`` gets at the instant ``at``. Decides DUN-1, DUN-2, DUN-3.

    ``facts`` are the balance and the start of the current debt at ``at``
    (:meth:`BalanceFacts.from_ledger <billrules.balance.BalanceFacts.from_ledger>`, built once
    per request). A non-negative balance means full access for everyone (DUN-2: paying the
    whole debt lifts everything at once; a partial payment leaves the balance negative and so
    changes nothing). Otherwise the day of the schedule is the local day of the month
    (``month_start``; a debt from an earlier month is at the last stage, DUN-3) or the days
    since the debt's local start day plus one (``debt_start``), and the stage of that day gives
    the role's level.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: ``at`` falls on a local day before the debt started; unknown role.
    """
    table = policy._table
    try:
        row = table.rows.get(role)
    except TypeError:  # unhashable
        row = None
    if row is None:  # a KeyError would hold the value (PM-6)
        raise InvalidInput("role", f"unknown role {shown(role)}")
    started = facts.debt_started_at
    if type(zone) is not ZoneInfo:
        zone = _time.to_zone(zone)
    if started is None:
        return row.clear
    today = at.astimezone(zone).date()
    debt_day = started.astimezone(zone).date()
    next_on: date | None = None
    if table.month_start:
        if today.month != debt_day.month or today.year != debt_day.year:
            if today < debt_day:
                raise InvalidInput("at", "must not be before the debt started")
            return _new_access(Access, (*row.carried, None, facts.amount_to_pay))
        day = today.day
        if day < debt_day.day:
            raise InvalidInput("at", "must not be before the debt started")
        index = table.stage_of_day[day]
        offset = table.next_offset[index]
        if offset >= 0:
            if offset < 28 or offset < calendar.monthrange(today.year, today.month)[1]:
                next_on = today + _DAYS[offset + 1 - day]
            else:
                next_on = _time.add_months(today - _DAYS[day - 1], 1)
    else:
        elapsed = (today - debt_day).days
        if elapsed < 0:
            raise InvalidInput("at", "must not be before the debt started")
        index = table.stage_of_day[elapsed + 1 if elapsed < 32 else 32]
        offset = table.next_offset[index]
        if offset >= 0:
            next_on = debt_day + _DAYS[offset]
    return _new_access(Access, (*row.heads[index], next_on, facts.amount_to_pay))
