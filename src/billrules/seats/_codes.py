"""The seats area's reason codes and questions (SEAT-1 … SEAT-3). Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "seats"


class SeatCode(ReasonCode, area=AREA):
    """Every reason the seats area gives, with its rule and its English sentence (SEAT-1 … SEAT-3)."""

    #: SEAT-2: a user occupies at most one seat.
    ALREADY_SEATED = "user_already_seated", "SEAT-2", "User '{user_id}' already occupies a seat."
    #: SEAT-2: adding a user needs a free seat.
    NO_FREE_SEAT = (
        "no_free_seat",
        "SEAT-2",
        "All {total} seats are occupied: add a seat before adding a user.",
    )
    #: SEAT-2: a seat is free for the user.
    FREE_SEAT = "free_seat", "SEAT-2", "{unoccupied} of {total} seats are free."
    #: SEAT-1: only a user who occupies a seat can be deleted from the pool.
    NOT_SEATED = "user_not_seated", "SEAT-1", "User '{user_id}' occupies no seat."
    #: SEAT-1: deleting a user frees the seat and keeps the count.
    SEAT_KEPT = (
        "seat_kept",
        "SEAT-1",
        "Deleting user '{user_id}' frees their seat; the {total} seats and what is billed for "
        "them stay the same.",
    )
    #: SEAT-3: at least one seat must be chosen.
    NOT_POSITIVE = (
        "seat_removal_not_positive",
        "SEAT-3",
        "Choose at least one seat to remove: {removable} of {total} seats "
        "{removable:is|are} unoccupied.",
    )
    #: SEAT-3: occupied seats are never removed.
    OCCUPIED_NOT_REMOVABLE = (
        "occupied_seats_not_removable",
        "SEAT-3",
        "Occupied seats are never removed: {removable} of {total} seats "
        "{removable:is|are} unoccupied, so at most {removable} can be removed.",
    )
    #: SEAT-2: the seats asked for are unoccupied.
    UNOCCUPIED = (
        "seats_unoccupied",
        "SEAT-2",
        "{requested} of the {unoccupied} unoccupied seats can be removed.",
    )


class SeatQuestion(Question, area=AREA):
    """The questions :func:`role_findings` answers (SEAT-2, SEAT-3)."""

    REMOVE_SEATS = "remove_seats", "{removable} of {total} seats can be removed."
