"""The policy of the subscriptions area: its knobs (SUB-3, SUB-5). Private."""

from __future__ import annotations

import attrs

from billrules import _validate as v
from billrules.subscriptions._period import PORTAL_INVITATION_TEMPLATE, PlanChangeTiming


@attrs.frozen(kw_only=True)
class SubscriptionPolicy:
    """The knobs of the subscriptions area.

    Attributes:
        plan_changes: SUB-3: ``next_renewal`` (default) or ``immediately``.
        portal_invitation_template: SUB-5: the email template of the portal invitation.
    """

    plan_changes: PlanChangeTiming = attrs.field(
        default=PlanChangeTiming.NEXT_RENEWAL,
        converter=v.ToEnum[PlanChangeTiming],
    )
    portal_invitation_template: str = attrs.field(
        default=PORTAL_INVITATION_TEMPLATE, validator=v.text
    )
