"""Postpaid collections: what follows a failed card charge (OVD-1 … OVD-9).

Decides (see ``docs/policies.md`` and ``docs/overdue.md``):

- OVD-1 retries at gaps from the previous attempt (default 1, 8, 4, 7 days), at the same local
  wall time, until the invoice is paid, cancelled or written off; a manual attempt moves
  nothing;
- OVD-2 no retry after a hard decline or without a usable default method; a new default makes
  one due at once;
- OVD-3 the ladder by the age, in local days, of the oldest overdue invoice: ``past_due`` from
  day 0, ``warning`` from day 10 (plan changes and seat additions refused), ``blocked`` from
  day 14, ``final`` from day 21; stages, days, thresholds per currency and the clock are policy;
- OVD-4 the stage at an instant depends only on the facts and the instant; paying the oldest
  invoice counts the age from the next one;
- OVD-5 the final action (``cancel``, ``mark_unpaid`` or ``none``) with its notice before;
- OVD-6 ``uncollectible`` (written off): out of the outstanding total and the age, payable;
- OVD-7 notices for every failure, stage and final action, as keyed effects;
- OVD-8 a hold keeps the stage at ``past_due`` and defers retries and the final action;
- OVD-9 with a negative prepaid balance too, each role gets the stricter access.

The area contract over :class:`OverdueFacts`: :class:`OverdueCode`, :class:`OverdueQuestion`,
:class:`OverdueKind`, :func:`transitions`, :func:`findings` and :func:`role_findings`; the
questions :func:`can_use_product`, :func:`can_change_plan`, :func:`can_add_seats` and
:func:`can_record_attempt`, :func:`can_write_off`; the operations :func:`record_attempt` and :func:`write_off`.
"""

from __future__ import annotations

from typing import Final

from billrules.area import Area
from billrules.dunning import AccessLevel
from billrules.overdue import _contract
from billrules.overdue._access import can_add_seats, can_change_plan, can_use_product
from billrules.overdue._codes import AREA as _AREA_NAME
from billrules.overdue._codes import OverdueCode, OverdueKind, OverdueQuestion
from billrules.overdue._contract import findings, role_findings, transitions
from billrules.overdue._facts import OverdueFacts
from billrules.overdue._operations import (
    OverdueChange,
    can_record_attempt,
    can_write_off,
    record_attempt,
    write_off,
)
from billrules.overdue._policy import (
    DEFAULT_HARD_DECLINES,
    DEFAULT_OVERDUE_STAGES,
    Clock,
    FinalAction,
    OverduePolicy,
    OverdueStage,
)

__all__ = [
    "AREA",
    "DEFAULT_HARD_DECLINES",
    "DEFAULT_OVERDUE_STAGES",
    "Clock",
    "FinalAction",
    "OverdueChange",
    "OverdueCode",
    "OverdueFacts",
    "OverdueKind",
    "OverduePolicy",
    "OverdueQuestion",
    "OverdueStage",
    "can_add_seats",
    "can_change_plan",
    "can_record_attempt",
    "can_use_product",
    "can_write_off",
    "findings",
    "record_attempt",
    "role_findings",
    "transitions",
    "write_off",
]

#: The overdue area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="OVD",
    codes=OverdueCode,
    questions=OverdueQuestion,
    kinds=OverdueKind,
    policy=OverduePolicy,
    contract=_contract,
    terms=tuple(
        str(term)
        for term in (
            *AccessLevel,
            *Clock,
            *FinalAction,
            *(stage.name for stage in DEFAULT_OVERDUE_STAGES),
            "written_off",
            "stay_open",
            "hard",
            "soft",
            "submitted",
            "failed",
            "paid",
            "cancelled",
            "scheduled",
            "uncollectible",
        )
    ),
    bands=True,
    colour="#b71c1c",
)
