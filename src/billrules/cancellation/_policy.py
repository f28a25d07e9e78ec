"""The cancellation area's policy, its timing knob and the reasons it builds once. Private.

Part of :mod:`billrules.cancellation`; import the public names from there.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs

from billrules import _validate as v
from billrules.cancellation._codes import CancellationCode, CancellationQuestion
from billrules.contract import Finding, trusted_finding
from billrules.decisions import Decision, Reason, trusted_reason
from billrules.roles import Role


class CancellationTiming(StrEnum):
    """When a cancellation takes effect (CAN-6)."""

    PERIOD_END = "period_end"
    IMMEDIATELY = "immediately"


#: CAN-2: self-service is on, the same reason every time.
_SELF_SERVICE: Final = Reason(code=CancellationCode.SELF_SERVICE_AVAILABLE)

#: CAN-1: any other role may not, one reason per role.
_NOT_OWNER: Final[Mapping[Role, Reason]] = MappingProxyType(
    {
        role: Reason(code=CancellationCode.OWNER_ONLY, details={"role": str(role)})
        for role in Role
        if role is not Role.OWNER
    }
)


@attrs.frozen(kw_only=True)
class CancellationPolicy:
    """The knobs of the cancellation area.

    Attributes:
        self_service: CAN-2: whether owners can request cancellation themselves (default yes).
        support_contact: CAN-2: where to ask when self-service is off.
        effective: CAN-6: ``period_end`` (default) or ``immediately``.
        reassign_leads_to: CAN-8: the agent who takes the leads, or ``None`` (host's choice).
    """

    self_service: bool = attrs.field(default=True, validator=v.boolean)
    support_contact: str = attrs.field(default="support", validator=v.text)
    effective: CancellationTiming = attrs.field(
        default=CancellationTiming.PERIOD_END,
        converter=v.ToEnum[CancellationTiming],
    )
    reassign_leads_to: str | None = attrs.field(default=None, validator=v.optional_identifier)

    @functools.cached_property
    def _self_service(self) -> Reason:
        """CAN-2's reason under this policy, built once: self-service is on, or ask support."""
        if self.self_service:
            return _SELF_SERVICE
        return trusted_reason(
            CancellationCode.CANCEL_VIA_SUPPORT, {"contact": self.support_contact}
        )

    @functools.cached_property
    def _own_refusals(self) -> Mapping[Role, tuple[Reason, ...]]:
        """CAN-1 and CAN-2 for each role under this policy, built once: the reasons the role
        is refused whatever the account (empty for the owner where self-service is on)."""
        service = () if self.self_service else (self._self_service,)
        return MappingProxyType(
            {role: service if role is Role.OWNER else (*service, _NOT_OWNER[role]) for role in Role}
        )

    @functools.cached_property
    def _refused_findings(self) -> Mapping[Role, tuple[Finding, ...]]:
        """The role findings of an account that CAN-1 and CAN-3 would let cancel, for each
        role refused by CAN-1 or CAN-2 alone under this policy: they depend on nothing else,
        so they are built once."""
        return MappingProxyType(
            {
                role: (
                    trusted_finding(
                        "cancellation",
                        CancellationQuestion.REQUEST_CANCELLATION,
                        Decision(allowed=False, reasons=own),
                    ),
                )
                for role, own in self._own_refusals.items()
                if own
            }
        )
