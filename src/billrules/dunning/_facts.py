"""The facts dunning reads (DUN-1 … DUN-3): the balance area's ledger and its facts. Private.

Dunning keeps no facts of its own: a debt is the balance area's :class:`~billrules.balance.Ledger`
(for the transitions and findings) or its :class:`~billrules.balance.BalanceFacts` at an instant
(for :func:`~billrules.dunning.can_use_product`), read only through the balance area's public
names.
"""

from __future__ import annotations

from typing import Final

from billrules._check import unchecked
from billrules.balance import BalanceFacts, Ledger, balance_at, debt_periods, debt_started_at

__all__ = ["BalanceFacts", "Ledger"]

# What dunning reads of the ledger, through the balance area's public functions: their bodies,
# since the ledger and the instants were checked when they entered.
_balance_at: Final = unchecked(balance_at)
_debt_started_at: Final = unchecked(debt_started_at)
_debt_periods: Final = unchecked(debt_periods)
