"""The balance area's part of the area contract: findings, role findings, transitions. Private."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _time
from billrules._check import checked
from billrules._validate import FrozenMapping
from billrules.balance._codes import BalanceCode, BalanceQuestion
from billrules.balance._facts import Ledger, _state_at
from billrules.balance._policy import BalancePolicy
from billrules.balance._top_up import TOP_UP_DECISIONS, _role
from billrules.contract import Finding, Transition, trusted_finding
from billrules.decisions import trusted_decision, trusted_reason
from billrules.roles import Role

#: The area's name in findings and transitions.
AREA: Final = "balance"

#: BAL-1 per role, built once: the finding depends on the role alone.
_TOP_UP_FINDINGS: Final[Mapping[str, tuple[Finding, ...]]] = MappingProxyType(
    {
        role: (
            Finding(
                area=AREA,
                question=BalanceQuestion.TOP_UP,
                decision=decision,
                details={"role": str(role)},
            ),
        )
        for role, decision in TOP_UP_DECISIONS.items()
    }
)


@checked
def findings(
    ledger: Ledger, policy: BalancePolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answer of the balance area at ``at``: is it negative? Decides BAL-3.

    One finding, ``balance_not_negative``: allowed when the balance (every entry up to and
    including ``at``) is zero or more; otherwise refused, with the instant the debt started.
    What lifts the debt is dunning's answer (DUN-2), not this one.

    >>> from datetime import datetime, UTC
    >>> from billrules.balance import BalancePolicy, Ledger, findings
    >>> (finding,) = findings(Ledger(currency="USD"), BalancePolicy(),
    ...                       at=datetime(2024, 5, 1, tzinfo=UTC), zone="UTC")
    >>> finding.allowed, finding.summary, finding.rules
    (True, 'Balance 0.00 USD.', ('BAL-3',))
    """
    _time.to_zone(zone)
    amount, started = _state_at(ledger, at)
    # Frozen once: the reason and the finding share the same details.
    details = FrozenMapping({"balance": Money(amount, ledger.currency), "debt_started_at": started})
    if started is None:
        decision = trusted_decision(
            True, (trusted_reason(BalanceCode.BALANCE_NOT_NEGATIVE, details),)
        )
    else:
        decision = trusted_decision(False, (trusted_reason(BalanceCode.BALANCE_NEGATIVE, details),))
    return (trusted_finding(AREA, BalanceQuestion.BALANCE_NOT_NEGATIVE, decision, details),)


@checked
def role_findings(
    ledger: Ledger,
    policy: BalancePolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do with the balance: top it up or not. Decides BAL-1.

    The answer depends on the role alone (:func:`~billrules.balance.can_top_up`); the
    findings of each role are built once.
    """
    _time.to_zone(zone)
    return _TOP_UP_FINDINGS[_role(role)]


@checked
def transitions(
    ledger: Ledger,
    policy: BalancePolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """Nothing: the balance changes only with the host's entries, never with time alone.

    Decides no rule; there for the area contract. The window is still checked.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    _time.to_zone(zone)
    return iter(())
