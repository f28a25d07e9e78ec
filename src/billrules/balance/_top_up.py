"""Top-ups (BAL-1 … BAL-3): who may top up, the bonus tiers, the operation. Private."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final

from moneyed import Money

from billrules import _money
from billrules._check import checked
from billrules._redact import shown
from billrules.balance._codes import BalanceCode
from billrules.balance._facts import EntryKind, Ledger, LedgerEntry
from billrules.balance._policy import BalancePolicy, _policy
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role


def _top_up_decision(role: Role) -> Decision:
    details = {"role": str(role)}
    if role.is_admin:
        return trusted_decision(True, (trusted_reason(BalanceCode.TOP_UP_BY_ADMIN, details),))
    return trusted_decision(False, (trusted_reason(BalanceCode.TOP_UP_ADMIN_ONLY, details),))


#: BAL-1 depends on the role alone: one decision per role, built once (looked up by the role
#: or its value).
TOP_UP_DECISIONS: Final[Mapping[str, Decision]] = MappingProxyType(
    {role: _top_up_decision(role) for role in Role}
)


def _role(value: object) -> Role:
    if not isinstance(value, str):
        raise InvalidType("role", f"must be a Role, not {type(value).__name__}")
    try:
        return Role(value)
    except ValueError:
        pass  # raised below, outside the handler: the enum's error holds the value (PM-6)
    raise InvalidInput("role", f"unknown role {shown(value)}")


@checked
def can_top_up(*, role: Role | str) -> Decision:
    """Whether a user with ``role`` may top up the balance. Decides BAL-1.

    It reads no facts and no policy: only an administrator (or the owner) may.

    >>> from billrules.balance import can_top_up
    >>> can_top_up(role="admin").allowed, can_top_up(role="staff").message
    (True, 'Only an administrator can top up the balance.')
    """
    return TOP_UP_DECISIONS[_role(role)]


@checked
def bonus_for(amount: Money, policy: BalancePolicy) -> Money:
    """The bonus a top-up of ``amount`` earns: the highest tier it reaches. Decides BAL-2.

    Zero when it reaches no tier (always, by default).

    Raises:
        CurrencyMismatch: ``amount`` is not in the policy's currency.
    """
    _money.require_currency(
        _money.require_money(amount, "amount"), _policy(policy).currency, "amount"
    )
    reached = [tier for tier in policy.bonus_tiers if amount >= tier.threshold]
    return reached[-1].bonus(amount) if reached else _money.zero(amount.currency)


@checked
def top_up(
    ledger: Ledger,
    policy: BalancePolicy,
    *,
    amount: Money,
    role: Role | str,
    at: datetime,
    reference: str,
) -> Ledger:
    """The ledger after a confirmed top-up of ``amount`` by a user with ``role``.

    Decides BAL-1 (admins only), BAL-2 (a bonus entry when a tier is reached, id
    ``reference + ":bonus"``) and BAL-3 (the payment is credited at ``at``, at once).

    Raises:
        PolicyViolation: carrying :func:`can_top_up`'s refusal; ``ledger`` is unchanged.
        InvalidInput: ``amount`` is not positive, or ``reference`` is already used.
        CurrencyMismatch: ``amount`` is not in the ledger's currency.
    """
    can_top_up(role=role).require()
    paid = _money.require_currency(amount, ledger.currency, "amount")
    if paid.amount <= 0:
        raise InvalidInput("amount", "must be more than zero")
    if not reference.strip():
        raise InvalidInput("reference", "must be a non-empty str")
    if any(entry.id in (reference, f"{reference}:bonus") for entry in ledger.entries):
        raise InvalidInput("reference", f"{shown(reference)} is already in the ledger")
    entries = [
        LedgerEntry(id=reference, kind=EntryKind.PAYMENT, at=at, amount=paid, description="Top-up")
    ]
    bonus = bonus_for(paid, policy)
    if bonus.amount > 0:
        entries.append(
            LedgerEntry(
                id=f"{reference}:bonus",
                kind=EntryKind.BONUS,
                at=at,
                amount=bonus,
                description="Top-up bonus",
            )
        )
    return ledger.add(*entries)
