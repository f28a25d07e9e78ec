"""Seats: purchased seats, the users occupying them, and which seats may be removed.

Decides SEAT-1 … SEAT-5 (see ``docs/policies.md``):

- SEAT-1 deleting a user frees their seat; the seat count (and what is billed) stays;
- SEAT-2 the number of seats that can be removed is total − occupied; adding a user needs one
  of those free seats;
- SEAT-3 occupied seats are never removed: removing zero, a negative number or more than the
  unoccupied count is refused, and the decision says how many can be removed;
- SEAT-4 seat charges follow the seat count, occupied or not; mid-period changes are not
  prorated by default (:attr:`SeatPolicy.proration`), or prorated by the day;
- SEAT-5 back-office cancellation sets the count to 0 and deactivates the remaining users;
  its effects' occasion (X-6) is :func:`back_office_occasion`, which the cancellation area's
  back-office plan (CAN-7) shares.

Fact: :class:`SeatPool` (its invariant, occupied ≤ total, holds by construction). Policy:
:class:`SeatPolicy`. Every function takes the pool first, the policy second when it reads one,
and the rest by keyword (``can_remove_seats(pool, *, count)``). The area contract:
:func:`role_findings` (how many seats can be removed, SEAT-2, SEAT-3), :func:`findings` and
:func:`transitions` (none); reasons are :class:`SeatCode` members, questions
:class:`SeatQuestion` members.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from billrules import _lazy
from billrules.area import Area
from billrules.seats import _contract
from billrules.seats._codes import AREA as _AREA_NAME
from billrules.seats._codes import SeatCode, SeatQuestion
from billrules.seats._contract import findings, role_findings, transitions
from billrules.seats._facts import SeatPool
from billrules.seats._policy import SeatPolicy, SeatProration

if TYPE_CHECKING:
    from billrules.seats._back_office import back_office_cancel, back_office_occasion
    from billrules.seats._charge import SeatCharge, SeatChargeLine, SeatCountChange, seat_charge
    from billrules.seats._users import (
        add_seats,
        add_user,
        can_add_user,
        can_delete_user,
        can_remove_seats,
        delete_user,
        removable_seats,
        remove_seats,
    )

__all__ = [
    "AREA",
    "SeatCharge",
    "SeatChargeLine",
    "SeatCode",
    "SeatCountChange",
    "SeatPolicy",
    "SeatPool",
    "SeatProration",
    "SeatQuestion",
    "add_seats",
    "add_user",
    "back_office_cancel",
    "back_office_occasion",
    "can_add_user",
    "can_delete_user",
    "can_remove_seats",
    "delete_user",
    "findings",
    "removable_seats",
    "remove_seats",
    "role_findings",
    "seat_charge",
    "transitions",
]


#: The seats area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="SEAT",
    codes=SeatCode,
    questions=SeatQuestion,
    kinds=None,
    policy=SeatPolicy,
    contract=_contract,
)

# The names imported under ``TYPE_CHECKING`` are loaded on first use (PEP 562): they serve
# operations no question needs, so importing the area does not load their modules. Type
# checkers read the imports themselves, so they do not see the loader.
if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)
