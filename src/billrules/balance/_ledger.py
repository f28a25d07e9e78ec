"""What a ledger reads at an instant (BAL-3): the balance, the debt in force and its stretches.

Private: the public names are re-exported by :mod:`billrules.balance`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _time
from billrules._check import checked
from billrules.balance._facts import Ledger, _state_at


@checked
def debt_periods(ledger: Ledger) -> tuple[tuple[datetime, datetime | None], ...]:
    """Each stretch of a negative balance on ``ledger``, oldest first. Serves BAL-3, and
    DUN-1 and DUN-3: the debts whose stages dunning schedules.

    Entries at one instant count together, as in :func:`balance_at`. Read from the history the
    ledger computed when it was built: no sum.

    Args:
        ledger: The prepaid ledger.

    Returns:
        One ``(started, ended)`` pair per debt: the instant the balance turned negative (what
        :func:`debt_started_at` answers while it lasts) and the instant of the entry that
        brought it back to zero or more, or ``None`` for a debt still running after the last
        entry. The periods do not overlap; ``ended`` is after ``started``.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.balance import Ledger, LedgerEntry, debt_periods
    >>> def entry(id, day, amount):
    ...     return LedgerEntry(id=id, kind="adjustment", at=datetime(2024, 5, day, tzinfo=UTC),
    ...                        amount=Money(amount, "USD"))
    >>> ledger = Ledger(currency="USD", entries=(entry("fee", 1, "-19.00"),
    ...                 entry("paid", 9, "19.00"), entry("fee2", 20, "-5.00")))
    >>> [(start.day, None if end is None else end.day) for start, end in debt_periods(ledger)]
    [(1, 9), (20, None)]
    """
    return ledger._history.periods


@checked
def balance_at(ledger: Ledger, *, at: datetime) -> Money:
    """The balance at the instant ``at``: every entry up to and including ``at``. Decides BAL-3.

    A confirmed payment counts from its own instant on, not from a later settlement.
    """
    return Money(_state_at(ledger, at)[0], ledger.currency)


@checked
def debt_started_at(ledger: Ledger, *, at: datetime) -> datetime | None:
    """The instant the balance last turned negative, if it is negative at ``at``, else ``None``.

    Entries at one instant count together. This is the start of the debt that dunning
    (DUN-1, DUN-3) counts its days from.
    """
    return _state_at(ledger, at)[1]


@checked
def debt_month(ledger: Ledger, *, at: datetime, zone: ZoneInfo | str) -> date | None:
    """The first day of the local month in which the current debt started, or ``None``.

    The anchor of the ``month_start`` dunning schedule (DUN-3).
    """
    tz = _time.to_zone(zone)
    started = _state_at(ledger, at)[1]
    if started is None:
        return None
    return _time.local_date(started, tz).replace(day=1)
