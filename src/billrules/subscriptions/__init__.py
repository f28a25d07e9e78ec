"""Subscriptions and plans: renewal dates, cancelling at period end, plan changes, lead packages.

Decides SUB-1 … SUB-7 (see ``docs/policies.md``):

- SUB-1 renewal dates fall on each period boundary computed from the anchor (start) date,
  ``anchor + n periods`` clamped to the month's end, never chained (Jan 31 → Feb 29 → Mar 31);
- SUB-7 a period is N months (1–24) or N weeks (1–52); monthly, quarterly and yearly name 1, 3
  and 12 months; the n-th boundary of a period of weeks is ``anchor + 7 × N × n`` days;
- SUB-2 cancelling removes every renewal on or after the effective instant; service, and work
  on the plan's leads, continues until then (by default the end of the current period);
- SUB-3 upgrade and downgrade requests are pending until the next renewal (default) or applied
  at once (a knob);
- SUB-4 a lead package commits to a minimum of leads per period, paid in advance, with overage
  per lead beyond it; in a set of packages a larger one never has a higher price per lead;
- SUB-5 the customer-portal invitation is emailed on the first sign-up for a billing plan only;
- SUB-6 plan details: start date, renewal date, contact persons.

Facts: :class:`Subscription`, :class:`PlanChange`, :class:`LeadPackage`, :class:`LeadPackages`;
for the area contract, :class:`SubscriptionFacts` (the subscription and the spans in which
another area stops billing). Policy: :class:`SubscriptionPolicy`. Reasons use
:class:`SubscriptionCode`; transitions are of a :class:`SubscriptionKind`. Period boundaries
are calendar dates in the account's zone; a boundary's instant is the first instant of that
date there.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from billrules import _lazy
from billrules.area import Area
from billrules.subscriptions import _contract
from billrules.subscriptions._codes import AREA as _AREA_NAME
from billrules.subscriptions._codes import SubscriptionCode, SubscriptionKind
from billrules.subscriptions._contract import findings, role_findings, transitions
from billrules.subscriptions._facts import (
    BillingPeriod,
    PlanChange,
    PlanDetails,
    Renewal,
    Subscription,
    SubscriptionFacts,
)
from billrules.subscriptions._period import (
    PERIOD_MONTHS,
    PORTAL_INVITATION_TEMPLATE,
    Period,
    PlanChangeKind,
    PlanChangeTiming,
)
from billrules.subscriptions._policy import SubscriptionPolicy
from billrules.subscriptions._renewals import (
    apply_pending_change,
    can_cancel,
    can_change_plan,
    cancel,
    current_period,
    next_renewal,
    plan_at,
    renewal_date,
    renewals_between,
    request_plan_change,
)

if TYPE_CHECKING:
    from billrules.subscriptions._packages import (
        LeadPackage,
        LeadPackages,
        period_amount,
        plan_details,
        portal_invitation,
    )

__all__ = [
    "AREA",
    "PERIOD_MONTHS",
    "PORTAL_INVITATION_TEMPLATE",
    "BillingPeriod",
    "LeadPackage",
    "LeadPackages",
    "Period",
    "PlanChange",
    "PlanChangeKind",
    "PlanChangeTiming",
    "PlanDetails",
    "Renewal",
    "Subscription",
    "SubscriptionCode",
    "SubscriptionFacts",
    "SubscriptionKind",
    "SubscriptionPolicy",
    "apply_pending_change",
    "can_cancel",
    "can_change_plan",
    "cancel",
    "current_period",
    "findings",
    "next_renewal",
    "period_amount",
    "plan_at",
    "plan_details",
    "portal_invitation",
    "renewal_date",
    "renewals_between",
    "request_plan_change",
    "role_findings",
    "transitions",
]


#: The subscriptions area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="SUB",
    codes=SubscriptionCode,
    questions=None,
    kinds=SubscriptionKind,
    policy=SubscriptionPolicy,
    contract=_contract,
    colour="#1565c0",
)

# The names imported under ``TYPE_CHECKING`` are loaded on first use (PEP 562): they serve
# operations no question needs, so importing the area does not load their modules. Type
# checkers read the imports themselves, so they do not see the loader.
if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)
