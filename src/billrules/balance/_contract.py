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
from billrules.balance._codes import BalanceCode, BalanceKind, BalanceQuestion
from billrules.balance._facts import EntryKind, PrepaidFacts, _state_at
from billrules.balance._policy import BalancePolicy
from billrules.balance._top_up import TOP_UP_DECISIONS, _role
from billrules.contract import Finding, Transition, trusted_finding, trusted_transition
from billrules.decisions import trusted_decision, trusted_reason
from billrules.effects import trusted_effect
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
    facts: PrepaidFacts, policy: BalancePolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answer of the balance area at ``at``: is it negative? Decides BAL-3.

    One finding, ``balance_not_negative``: allowed when the balance (every entry up to and
    including ``at``) is zero or more; otherwise refused, with the instant the debt started.
    What lifts the debt is dunning's answer (DUN-2), not this one.

    >>> from datetime import datetime, UTC
    >>> from billrules.balance import BalancePolicy, Ledger, PrepaidFacts, findings
    >>> facts = PrepaidFacts(ledger=Ledger(currency="USD"), created_at=datetime(2024, 1, 1, tzinfo=UTC))
    >>> (finding,) = findings(facts, BalancePolicy(),
    ...                       at=datetime(2024, 5, 1, tzinfo=UTC), zone="UTC")
    >>> finding.allowed, finding.summary, finding.rules
    (True, 'Balance 0.00 USD.', ('BAL-3',))
    """
    _time.to_zone(zone)
    ledger = facts.ledger
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
    facts: PrepaidFacts,
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
    facts: PrepaidFacts,
    policy: BalancePolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """The monthly charges in ``[start, end)``, in time order, lazily. Decides BAL-4, BAL-5
    and BAL-7.

    On the first instant of each local 1st, the month just ended is charged to the balance:
    a ``monthly_charge`` transition whose :class:`~billrules.effects.DebitBalance` (BAL-7: from
    the balance, never a card) draws the base tariff, its occasion the id of the ledger entry
    that records it, ``charge-YYYY-MM`` (:func:`billrules.apply` adds that entry). Every month
    from the one holding the account's creation is charged, once: not when the ledger already
    holds the month's charge (an entry of that id, or a charge at that instant holding the
    base tariff or no breakdown), not when the instant lies in a suspension (the account is
    deleted or deactivated), not when the base tariff is zero or in another currency than the ledger (the host's policy names its
    tariff in the ledger's currency: currencies never mix, X-4). Months before the window are
    never charged late. The charge is a fact the run makes happen (X-9): applied, the entry is
    on the ledger and the month is not charged again.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    return _charges(facts, policy, start, end, _time.to_zone(zone))


#: The item of the base tariff's line in a charge (BAL-5).
_BASE_TARIFF: Final = "base_tariff"


def _charges(
    facts: PrepaidFacts, policy: BalancePolicy, start: datetime, end: datetime, tz: ZoneInfo
) -> Iterator[Transition]:
    from billrules.effects import DebitBalance

    ledger = facts.ledger
    tariff = policy.base_tariff
    if tariff.amount <= 0 or tariff.currency != ledger.currency:
        return
    begins = max(start, facts.created_at)
    if begins >= end:
        return
    # The first 1st whose first instant is at or after ``begins``.
    local = begins.astimezone(tz).date()
    first = local.replace(day=1)
    at = _time.start_of_day(first, tz)
    if at < begins:
        first = _time.add_months(first, 1)
        at = _time.start_of_day(first, tz)
    charged = {entry.id for entry in ledger.entries}
    # A monthly charge the host recorded under its own id: a charge at the 1st's first
    # instant holding the base tariff (or no breakdown). Another charge there (an
    # integration's own entry) is not the month's.
    charged_at = {
        entry.at
        for entry in ledger.entries
        if entry.kind is EntryKind.CHARGE
        and (not entry.lines or any(line.item == _BASE_TARIFF for line in entry.lines))
    }
    while at < end:
        month = _time.add_months(first, -1)
        ident = f"charge-{month:%Y-%m}"
        if (
            at > facts.created_at
            and ident not in charged
            and at not in charged_at
            and not any(stop.covers(at) for stop in facts.suspensions)
        ):
            shown = f"{month:%Y-%m}"
            yield trusted_transition(
                at,
                AREA,
                BalanceKind.MONTHLY_CHARGE,
                (
                    trusted_reason(
                        BalanceCode.MONTHLY_CHARGE,
                        FrozenMapping({"month": shown, "amount": tariff, "charge_id": ident}),
                    ),
                ),
                (
                    trusted_effect(
                        DebitBalance,
                        at=at,
                        rule="BAL-7",
                        amount=tariff,
                        description=f"Usage of {shown}",
                        occasion=ident,
                    ),
                ),
            )
        first = _time.add_months(first, 1)
        try:
            at = _time.start_of_day(first, tz)
        except OverflowError:
            return
