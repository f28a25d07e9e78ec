"""What a host reads of the dunning check, for the tests: :func:`can_use_product`'s decision
with the level and stage its first reason's details carry, and :func:`next_stage_on`."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from billrules.balance import BalanceFacts
from billrules.decisions import Decision, Reason
from billrules.dunning import AccessLevel, DunningPolicy, Stage, can_use_product, next_stage_on
from billrules.roles import Role


class Answer(NamedTuple):
    """The decision, and what its details say (DUN-1 … DUN-3)."""

    level: AccessLevel
    stage: Stage | None
    decision: Decision
    next_stage_on: date | None

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.decision.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return self.decision.codes

    @property
    def rules(self) -> tuple[str, ...]:
        return self.decision.rules

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def restricted(self) -> bool:
        """Anything but full access (a reminder included)."""
        return self.level is not AccessLevel.FULL


def answer(
    facts: BalanceFacts,
    policy: DunningPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Answer:
    """The dunning answer for ``role`` at ``at``, read only through the public API."""
    decision = can_use_product(facts, policy, role=role, at=at, zone=zone)
    details = decision.reasons[0].details
    name = details.get("stage")
    stage = None if name is None else next(s for s in policy.stages if s.name == name)
    level = AccessLevel(details["level"])
    return Answer(level, stage, decision, next_stage_on(facts, policy, at=at, zone=zone))
