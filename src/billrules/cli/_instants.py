"""The instants the command's options name (``--at``, ``--start``, ``--end``). Private."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from billrules._redact import masked, shown
from billrules.cli._out import InputError

__all__ = ["instant"]

#: How an option's value is echoed: short values as typed, longer ones cut.
_LONGEST_ECHO: Final = 40


def instant(value: str | None, option: str, default: datetime) -> datetime:
    """The aware instant ``value`` names, or ``default`` when the option was not given."""
    if value is None:
        return default
    try:
        parsed: datetime | None = datetime.fromisoformat(value)
    except ValueError:
        parsed = None  # raised below, outside the handler: Python's error holds the text (PM-6)
    if parsed is None:
        raise InputError(
            f"{option}: is not an ISO 8601 instant: {_echo(value)} "
            "(for example 2024-05-08T09:00:00+03:00)"
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InputError(
            f"{option}: must be timezone-aware (a naive datetime has no instant): "
            f"{_echo(value)}; add an offset, for example 2024-05-08T09:00:00+03:00 or "
            "2024-05-08T06:00:00Z"
        )
    return parsed


def _echo(value: str) -> str:
    """An option's value as an error repeats it: as typed if short, else cut (PM-6).

    A card number in it is masked before ``repr`` escapes its separators (``\\xa0``), which
    would hide it from the mask of the line written.
    """
    return repr(masked(value, fewest=12)) if len(value) <= _LONGEST_ECHO else shown(value)
