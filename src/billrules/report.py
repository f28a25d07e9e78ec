"""What one account looks like at one instant: :func:`explain` and its :class:`Report`.

``explain(account, policy, at)`` gathers, from every registered area
(:data:`billrules.evaluation.AREAS`), the account-wide findings and the answers for every role
present among the users, over one :class:`~billrules.evaluation.Evaluation` of the account at
that instant, with the next transitions of its timeline. It decides nothing itself (X-1, X-5):
each :class:`~billrules.contract.Finding` is its area's.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _time
from billrules._check import checked, unchecked
from billrules.account import Account
from billrules.balance import balance_at
from billrules.cancellation import AccountStatus
from billrules.contract import Finding, Transition
from billrules.errors import InvalidInput
from billrules.evaluation import AREAS, Evaluation, Registry
from billrules.invoices import outstanding
from billrules.policy import Policy
from billrules.roles import Role

if TYPE_CHECKING:
    from billrules import _render

# ``billrules.serialize`` and ``billrules._render`` are imported where a report is written out
# (``to_dict``, ``str``, HTML), not here: answering loads neither.

__all__ = [
    "NEXT_EVENTS_COUNT",
    "NEXT_EVENTS_DAYS",
    "Report",
    "RoleReport",
    "explain",
    "finding_data",
]


# What explain asks of the account it was handed, checked already: the bodies, not the guards.
_balance_at: Final = unchecked(balance_at)
_outstanding: Final = unchecked(outstanding)

NEXT_EVENTS_DAYS: Final = 400
NEXT_EVENTS_COUNT: Final = 5


@checked
def finding_data(finding: Finding) -> dict[str, Any]:
    """A finding as JSON-ready data, as :func:`billrules.serialize.to_dict` writes it.

    Its area, question, decision (the answer and its reasons, each with its details, area
    and message) and details, then its answer, summary and rules.
    """
    from billrules import serialize

    return serialize.to_dict(finding)


@attrs.frozen(kw_only=True)
class RoleReport:
    """What a user with ``role`` may do, one :class:`~billrules.contract.Finding` per question."""

    role: Role
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        """The role's findings as JSON-ready data (:func:`finding_data`)."""
        from billrules import serialize

        return serialize.to_dict(self)


@attrs.frozen(kw_only=True)
class Report:
    """The state of one account at one instant: every decision for every role, and what next.

    Attributes:
        account_id: The account's id.
        at: The instant explained.
        zone: The account's zone (``str`` shows local times in it).
        status: The account's status.
        outstanding: What is still due on invoices.
        balance: The prepaid balance at ``at``, ``None`` without a ledger.
        roles: One :class:`RoleReport` per role present among the users (owner, admin, staff).
        account: The account-wide findings of every area.
        next_events: The first transitions of the timeline from ``at`` (X-5).
    """

    account_id: str
    at: datetime = attrs.field(eq=_time.instant_key)
    zone: ZoneInfo
    status: AccountStatus
    outstanding: Money
    balance: Money | None
    roles: tuple[RoleReport, ...]
    account: tuple[Finding, ...]
    next_events: tuple[Transition, ...]

    def _head(self) -> tuple[str, str]:
        from billrules import _render

        zone = self.zone
        balance = "none (postpaid)" if self.balance is None else _render.amount(self.balance)
        return (
            f"Account {self.account_id} ({zone.key}) at {_time.wall_clock(self.at, zone)}: "
            f"status {self.status}",
            f"Balance: {balance}; outstanding: {_render.amount(self.outstanding)}",
        )

    def _sections(self) -> list[_render.Section]:
        sections: list[_render.Section] = [(str(r.role), r.findings) for r in self.roles]
        return [*sections, ("account", self.account)]

    def __str__(self) -> str:
        """A readable report: header, each role's answers with reasons, the account, what next."""
        from billrules import _render

        title, subtitle = self._head()
        return _render.report_text(
            f"{title}\n{subtitle}", self._sections(), self.next_events, self.zone
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, as :func:`billrules.serialize.to_dict` writes it.

        Amounts as in the account JSON (``"19.00 USD"``, every digit the amount has), instants
        ISO 8601 with their offset, findings as :func:`finding_data` and events as
        :func:`~billrules.timeline.transition_data` write them.
        """
        from billrules import serialize

        return serialize.to_dict(self)

    def _repr_html_(self) -> str:
        """The report as an HTML fragment for notebooks (all text escaped)."""
        from billrules import _render

        title, subtitle = self._head()
        return _render.report_html(title, subtitle, self._sections(), self.next_events, self.zone)


@checked
def explain(account: Account, policy: Policy, at: datetime, *, areas: Registry = AREAS) -> Report:
    """Every area's answers for ``account`` at ``at``, for every role, and what happens next.

    Decides nothing itself (X-1): it evaluates the account once at ``at``
    (:class:`~billrules.evaluation.Evaluation`) and gathers each registered area's
    ``role_findings`` for each role present among the users (owner, admin, staff, in that
    order) and its account-wide ``findings``. ``next_events`` are the first
    :data:`NEXT_EVENTS_COUNT` transitions of :func:`~billrules.timeline.timeline` in the
    :data:`NEXT_EVENTS_DAYS` days from ``at`` (X-5), computed lazily.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: ``at`` is before the account was created.
        InvalidType: ``account`` or ``policy`` is not what it should be.
    """
    if at < account.created_at:
        raise InvalidInput("at", "must not be before the account's creation (created_at)")
    evaluation = Evaluation(account=account, policy=policy, at=at, areas=areas)
    present = {user.role for user in account.users}
    ledger = account.ledger
    return Report(
        account_id=account.id,
        at=_time.normalized(at),
        zone=account.zone,
        status=account.status,
        outstanding=_outstanding(account.invoices, currency=account.currency),
        balance=None if ledger is None else _balance_at(ledger, at=at),
        roles=tuple(
            RoleReport(role=role, findings=evaluation.role_findings(role))
            for role in Role
            if role in present
        ),
        account=evaluation.findings(),
        next_events=evaluation.upcoming(NEXT_EVENTS_COUNT, NEXT_EVENTS_DAYS),
    )
