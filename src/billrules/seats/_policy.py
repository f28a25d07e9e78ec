"""The seats area's policy and its proration knob (SEAT-4). Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from billrules import _validate as v


class SeatProration(StrEnum):
    """How a change of the seat count in the middle of a period is charged (SEAT-4)."""

    #: The period is charged for the count at its start; changes count from the next period.
    NONE = "none"
    #: Each local day of the period is charged for the count in force that day.
    DAILY = "daily"


@attrs.frozen(kw_only=True)
class SeatPolicy:
    """The knobs of the seats area.

    Attributes:
        proration: SEAT-4: ``"none"`` (the seed's default: a period is charged for the seat
            count at its start) or ``"daily"`` (each day at the count in force that day).
    """

    proration: SeatProration = attrs.field(
        default=SeatProration.NONE,
        converter=v.ToEnum[SeatProration],
    )
