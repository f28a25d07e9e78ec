"""The check a host runs on every request: :func:`restriction_for` (DUN-1 … DUN-3). Private."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules._check import checked
from billrules._redact import shown
from billrules.dunning._facts import BalanceFacts
from billrules.dunning._policy import Access, DunningPolicy
from billrules.errors import InvalidInput
from billrules.roles import Role

#: ``timedelta(days=n)`` for n in 0–31, built once.
_DAYS: Final = tuple(timedelta(days=n) for n in range(32))
#: Builds an :class:`Access` from a tuple of its fields without the keyword-argument wrapper.
_new_access: Final = tuple.__new__


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

    A clock change can take the local date back across midnight after the debt started
    (St. John's, 2010-11-07 00:01 NDT became 23:01 NST on the 6th): that earlier date is a day
    like any other, so a debt that started on the 7th is on day 6 for that hour under
    ``month_start``, and on day 0 under ``debt_start``, which is the first stage's (X-3).

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: the instant ``at`` is before the debt started; unknown role.
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
    # "before the debt started" compares instants, and only local dates count days: a
    # clock change can take the local date back below the debt's own (a day like any other).
    # Comparing instants is needed only within _NEAR days of the debt's local date (see there).
    next_on: date | None = None
    if table.month_start:
        if today.month != debt_day.month or today.year != debt_day.year:
            if today > debt_day:
                # Within _NEAR (3) days, that is on the 1st or 2nd of the next month.
                if today.day < 3 and (today - debt_day).days < 3 and _time.before(at, started):
                    raise _before_the_debt()
                return _new_access(Access, (*row.carried, None, facts.amount_to_pay))
            if _time.before(at, started):
                raise _before_the_debt()
            # The local date went back into the month before the debt's: day 0 or earlier.
            offset = table.next_offset[0]
            if offset >= 0:
                first = debt_day - _DAYS[debt_day.day - 1]
                if offset < calendar.monthrange(first.year, first.month)[1]:
                    next_on = first + _DAYS[offset]
                else:
                    next_on = _time.add_months(first, 1)
            return _new_access(Access, (*row.heads[0], next_on, facts.amount_to_pay))
        day = today.day
        if day < debt_day.day + 3 and _time.before(at, started):  # 3: _NEAR
            raise _before_the_debt()
        index = table.stage_of_day[day]
        offset = table.next_offset[index]
        if offset >= 0:
            if offset < 28 or offset < calendar.monthrange(today.year, today.month)[1]:
                next_on = today + _DAYS[offset + 1 - day]
            else:
                next_on = _time.add_months(today - _DAYS[day - 1], 1)
    else:
        elapsed = (today - debt_day).days
        if elapsed < 3 and _time.before(at, started):  # 3: _NEAR
            raise _before_the_debt()
        if elapsed < 32:
            # A date gone back before the debt's own is day 0 or earlier: the first stage.
            index = table.stage_of_day[elapsed + 1 if elapsed >= 0 else 0]
        else:
            index = table.stage_of_day[32]
        offset = table.next_offset[index]
        if offset >= 0:
            next_on = debt_day + _DAYS[offset]
    return _new_access(Access, (*row.heads[index], next_on, facts.amount_to_pay))


#: How many days after the debt's local date the local date of an earlier instant can be: a
#: UTC offset is under 24 hours either way, so a clock change moves the wall clock back by
#: under 48 hours, and an instant before the debt shows a date at most 2 days after the
#: debt's. From 3 days on, ``at`` is after the debt started without comparing instants.
_NEAR: Final = 3


def _before_the_debt() -> InvalidInput:
    return InvalidInput("at", "must not be before the debt started")
