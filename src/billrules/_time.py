"""Time helpers shared by every area (X-3). Private.

Rules kept here:
- an instant is an aware ``datetime``; a naive one is refused (:class:`NaiveDatetimeError`);
- "today", "day of month" and "N days" are taken in the account's ``ZoneInfo``;
- a day starts at the first local instant that exists on its date (:func:`start_of_day`):
  local midnight, or where a DST gap swallows midnight, the end of the gap; a date a gap skips
  whole starts with the next date;
- a clock change can take the local date back across midnight: that earlier date is a day like
  any other, and "before" between two instants compares the instants (:func:`before`), never
  their local dates or wall clocks;
- month arithmetic is ``anchor + relativedelta(months=n)``, computed from the anchor each time
  (it clamps to the month's end), never chained;
- the supported calendar is the years 1000 to 8999 (an instant's year on its own clock): an
  instant or date outside it is refused at the boundary with :class:`OutOfCalendar`, so no
  rule's arithmetic (a notice period, a ten-year timeline, a policy knob of years) can leave the
  calendar and surface as ``OverflowError``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from billrules._redact import shown
from billrules.errors import (
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    OutOfCalendar,
    UnknownTimeZone,
)

#: The first and last years an instant or a date may have (see the module docstring).
FIRST_YEAR = 1000
LAST_YEAR = 8999

#: The last instant a computed window may reach: the supported calendar's end, a day early so
#: that it is inside the calendar on every clock (UTC-12 to UTC+14).
LAST_INSTANT = datetime(LAST_YEAR, 12, 30, tzinfo=UTC)

_MICROSECOND = timedelta(microseconds=1)

#: What an IANA time zone key can look like: ``Europe/Kyiv``, ``Etc/GMT+3``, ``UTC``. Which
#: keys exist is the tz database's to say (the reader asks it; the JSON Schema says so).
ZONE_PATTERN = r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}"
_ZONE_KEY = re.compile(ZONE_PATTERN, re.ASCII)

#: A leap year of the supported calendar (1000 to 8999): divisible by 4, and by 400 when
#: it ends a century.
_LEAP_YEAR = (
    r"(?:[1-8][0-9](?:0[48]|[2468][048]|[13579][26])"
    r"|(?:1[26]|2[048]|3[26]|4[048]|5[26]|6[048]|7[26]|8[048])00)"
)
#: The one written form of a date (X-3): ``YYYY-MM-DD``, a day that exists, in the years
#: 1000 to 8999. The reader and the JSON Schema share it: no basic ``20250603``, no week date.
DATE_PATTERN = (
    r"(?:[1-8][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    rf"|{_LEAP_YEAR}-02-29)"
)
#: The one written form of an instant (X-3), ISO 8601's extended form as billrules writes it:
#: the date, an upper-case ``T``, ``hh:mm`` or ``hh:mm:ss`` with at most six decimals, and the
#: offset ``Z`` or ``±hh:mm`` (with ``:ss`` when the offset has seconds, as a local mean time
#: has; an offset finer than a second is refused where an instant enters): ``"2024-05-08T09:00:00+03:00"``. No space or lower-case ``t`` or
#: ``z``, no ``+0200`` or ``+02``, no basic ``20240508T090000Z``; a naive time has no offset
#: and is refused.
INSTANT_PATTERN = (
    DATE_PATTERN
    + r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    + r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)"
)
#: The spelling nearly every instant has, as a quick test before :data:`INSTANT_FORM`: what
#: it matches and ``datetime.fromisoformat`` reads, in the supported years, also matches
#: :data:`INSTANT_PATTERN` (a property test checks it).
COMMON_INSTANT_FORM = re.compile(
    r"[1-8][0-9]{3}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-][0-2][0-9]:[0-5][0-9])",
    re.ASCII,
)
DATE_FORM = re.compile(DATE_PATTERN, re.ASCII)
INSTANT_FORM = re.compile(INSTANT_PATTERN, re.ASCII)


def require_aware(value: object, field: str) -> datetime:
    """Return ``value`` if it is a timezone-aware ``datetime``, else raise naming ``field`` (X-3)."""
    if not isinstance(value, datetime):
        raise InvalidType(field, f"must be a timezone-aware datetime, not {type(value).__name__}")
    zone = value.tzinfo
    if zone is None or (offset := value.utcoffset()) is None:
        raise NaiveDatetimeError(field, "must be timezone-aware (a naive datetime has no instant)")
    if offset.microseconds and zone is not UTC and type(zone) is not ZoneInfo:
        raise InvalidInput(
            field, "must have a UTC offset of whole seconds (ISO 8601 writes none finer)"
        )
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise OutOfCalendar(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def instant_key(value: datetime | None) -> datetime | None:
    """An instant as values compare it (X-3, X-6): its UTC instant, so a wall time in a fold
    (``fold=0`` and ``fold=1`` are an hour apart) or in a gap (the instant its ``utcoffset()``
    gives) compares as the instant it is, and ``==`` agrees with JSON and with effect keys.
    ``None`` is itself. Used as the ``eq`` key of every instant field.

    >>> from zoneinfo import ZoneInfo
    >>> first = datetime(2024, 11, 3, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    >>> first == first.replace(fold=1), instant_key(first) == instant_key(first.replace(fold=1))
    (True, False)
    """
    return None if value is None else value.astimezone(UTC)


def instants_key(values: tuple[datetime, ...]) -> tuple[datetime, ...]:
    """Instants as values compare them (:func:`instant_key`)."""
    return tuple(value.astimezone(UTC) for value in values)


def require_date(value: object, field: str) -> date:
    """Return ``value`` if it is a calendar ``date`` (and not a ``datetime``)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidType(field, f"must be a date, not {type(value).__name__}")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise OutOfCalendar(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def to_zone(value: object, field: str = "zone") -> ZoneInfo:
    """A ``ZoneInfo`` from itself or its IANA name (``"Europe/Kyiv"``)."""
    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str):
        raise InvalidType(
            field, f"must be a ZoneInfo or an IANA zone name, not {type(value).__name__}"
        )
    # An IANA key is short ASCII; anything else (a path, a NUL, 300 characters) is refused
    # before it reaches the file system, where it would raise OSError.
    if not _ZONE_KEY.fullmatch(value) or ".." in value:
        raise UnknownTimeZone(field, f"unknown time zone {shown(value)}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass  # raised below, outside the handler: the error it replaces holds the name (PM-6)
    raise UnknownTimeZone(field, f"unknown time zone {shown(value)}")


def normalized(at: datetime) -> datetime:
    """``at`` as a wall time that exists in its own zone: the same instant.

    A wall time a host computed by adding days in a zone can fall in a DST gap
    (2020-03-29 03:00 in Kyiv does not exist); Python compares such a value unequal to every
    value in another zone, even at the same instant. The round trip through UTC gives the
    wall time that instant has (04:00 +03:00), so what billrules returns compares and
    round-trips through JSON as expected; a fixed-offset or existing time is unchanged.
    """
    return at.astimezone(UTC).astimezone(at.tzinfo)


def require_window(start: datetime, end: datetime) -> None:
    """Refuse a half-open window ``[start, end)`` that ends before it starts, naming ``end``."""
    if end < start:
        raise InvalidInput("end", "must not be before start")


def before(earlier: datetime, later: datetime) -> bool:
    """Whether the instant ``earlier`` comes before the instant ``later`` (X-3).

    Python compares two times that share one ``tzinfo`` by their wall clocks, ignoring the
    fold: in St. John's, 23:30 on 2010-11-06 after the clocks went back (fold=1) would be
    "before" 00:00 on the 7th, half an hour earlier. Such a pair is compared through UTC.
    """
    zone = earlier.tzinfo
    if zone is not later.tzinfo or zone is UTC:
        return earlier < later
    return earlier.astimezone(UTC) < later.astimezone(UTC)


def local_date(at: datetime, zone: ZoneInfo) -> date:
    """The calendar date of the instant ``at`` in the account's ``zone`` (X-3)."""
    return at.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``: the first local time that exists on it (X-3).

    Usually local midnight (the first of the two when a clock change repeats it). Where a DST
    gap swallows midnight, the day starts where the gap ends: in Toronto on 1919-03-31 the
    clocks went from 23:30 EST straight to 00:30 EDT, so that day starts at 00:30 EDT. Where a
    gap swallows a whole date (Pacific/Apia skipped 2011-12-30), that date has no instant of its
    own: its start is the start of the next date that exists, a day of no length. In every case
    the instant one microsecond earlier has an earlier local date. The result is a wall time
    that exists in ``zone`` (see :func:`normalized`).
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    # fold=0 reads a repeated or skipped wall time with the offset in force before the change:
    # for a midnight that exists, the round trip gives it back (the earlier of two).
    start = midnight.astimezone(UTC).astimezone(zone)
    if start.hour or start.minute or start.second or start.microsecond:
        return _after_gap(midnight, zone)
    return start


def _after_gap(midnight: datetime, zone: ZoneInfo) -> datetime:
    """The first instant whose wall time is ``midnight`` or later, ``midnight`` being in a gap.

    In a gap, fold=1 reads the wall time with the offset in force after the change, so
    ``[after, before]`` holds the change; the search is for its instant, to the microsecond.
    """
    wall = midnight.replace(tzinfo=None)
    low = midnight.replace(fold=1).astimezone(UTC)  # shown before midnight
    high = midnight.astimezone(UTC)  # shown after midnight
    while high - low > _MICROSECOND:
        middle = low + (high - low) // 2
        if middle.astimezone(zone).replace(tzinfo=None) < wall:
            low = middle
        else:
            high = middle
    return high.astimezone(zone)


def add_months(anchor: date, months: int) -> date:
    """``anchor`` plus ``months`` calendar months, clamped to the month's last day."""
    return anchor + relativedelta(months=months)


def days_between(earlier: date, later: date) -> int:
    """Whole calendar days from ``earlier`` to ``later`` (negative if ``later`` is before)."""
    return (later - earlier).days


def wall_clock(at: datetime, zone: ZoneInfo) -> str:
    """The instant ``at`` as the account's clock shows it: ``2024-05-08 09:00`` (X-3)."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
