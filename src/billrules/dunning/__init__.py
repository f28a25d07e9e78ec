"""Dunning: what each role may still do while the prepaid balance is negative.

Decides DUN-1 … DUN-4 (see ``docs/policies.md``):

- DUN-1 the seed's schedule, by day of the month in the account's zone: days 1–3 nothing;
  4–6 the admin sees a payment reminder; 7–9 the admin gets the payment page only while the
  staff keep access; from day 10 everyone is blocked;
- DUN-2 only full payment (balance ≥ 0) lifts a restriction; a partial one changes nothing;
- DUN-3 the stages are policy data, and the anchor is a knob: ``month_start`` (days of the
  month the debt started in; **Reading:** a debt carried into a later month stays at the last
  stage until paid) or ``debt_start`` (day 1 is the day the balance turned negative);
- DUN-4 the grace period is derived: the first day of the blocking stage.

The question :func:`can_use_product` runs on every request a host serves, so everything that
depends only on the policy (the stage of each day, the decision for each stage and role, the
findings and the transitions' reasons) is built once, when the policy is constructed, and
each call does two time-zone conversions and a few lookups. The access level is a detail of
its decision; :func:`next_stage_on` says when the next stage starts.

The area contract, over a :class:`~billrules.balance.Ledger`: :class:`DunningCode`,
:class:`DunningQuestion`, :class:`DunningKind`, :func:`transitions` (the stage changes of
each debt, lazily), :func:`findings` (what lifts a debt) and :func:`role_findings` (whether
a role may use the product).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from billrules import _lazy
from billrules.area import Area
from billrules.dunning import _contract
from billrules.dunning._codes import AREA as _AREA_NAME
from billrules.dunning._codes import DunningCode, DunningKind, DunningQuestion
from billrules.dunning._contract import findings, role_findings, transitions
from billrules.dunning._policy import (
    DEFAULT_STAGES,
    AccessLevel,
    Anchor,
    DunningPolicy,
    Stage,
)

if TYPE_CHECKING:
    from billrules.dunning._access import can_use_product, next_stage_on

__all__ = [
    "AREA",
    "DEFAULT_STAGES",
    "AccessLevel",
    "Anchor",
    "DunningCode",
    "DunningKind",
    "DunningPolicy",
    "DunningQuestion",
    "Stage",
    "can_use_product",
    "findings",
    "next_stage_on",
    "role_findings",
    "transitions",
]


#: The dunning area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="DUN",
    codes=DunningCode,
    questions=DunningQuestion,
    kinds=DunningKind,
    policy=DunningPolicy,
    contract=_contract,
    terms=tuple(
        str(term) for term in (*AccessLevel, *Anchor, *(stage.name for stage in DEFAULT_STAGES))
    ),
    bands=True,
    colour="#e65100",
)

# The names imported under ``TYPE_CHECKING`` are loaded on first use (PEP 562): they serve
# operations no question needs, so importing the area does not load their modules. Type
# checkers read the imports themselves, so they do not see the loader.
if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)
