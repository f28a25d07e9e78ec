"""Hypothesis strategies for billrules' facts and policies, for property-testing an integration.

Install with ``pip install billrules[testing]`` (it needs Hypothesis). Every strategy builds
valid values only; combine them with ``hypothesis.strategies`` to build invalid ones.

>>> from hypothesis import given
>>> from billrules.testing import invoices
>>> @given(invoices())
... def test_amount_due_never_negative(invoice):
...     assert invoice.amount_due.amount >= 0
>>> test_amount_due_never_negative()
"""

from __future__ import annotations

from billrules.testing._account import (
    accounts,
    lived_accounts,
    policies,
    users,
)
from billrules.testing._balance import (
    balance_facts,
    balance_policies,
    bonus_tiers,
    ledger_entries,
    ledgers,
    prepaid_facts,
    sources,
)
from billrules.testing._cancellation import (
    account_states,
    cancellation_policies,
    cancellation_requests,
)
from billrules.testing._contract import (
    decisions,
    effects,
    findings,
    questions,
    reason_codes,
    reasons,
    transitions,
)
from billrules.testing._core import (
    aware_datetimes,
    currencies,
    money,
    zones,
)
from billrules.testing._deletion import (
    account_activities,
    deletion_policies,
    inactive_accounts,
)
from billrules.testing._dunning import (
    access_levels,
    dunning_policies,
)
from billrules.testing._invoices import (
    HARD_DECLINES,
    SOFT_DECLINES,
    billing_details,
    billing_profiles,
    charge_attempts,
    invoice_facts,
    invoice_policies,
    invoices,
    payments,
)
from billrules.testing._overdue import (
    overdue_accounts,
    overdue_facts,
    overdue_policies,
)
from billrules.testing._payment_methods import (
    TEST_CARD_NUMBERS,
    card_brand_rules,
    card_brands,
    card_details,
    card_numbers,
    cvvs,
    payment_method_policies,
    payment_methods,
    wallets,
)
from billrules.testing._population import population, population_lines
from billrules.testing._seats import (
    seat_policies,
    seat_pools,
)
from billrules.testing._subscriptions import (
    lead_package_tiers,
    lead_packages,
    subscription_dates,
    subscription_facts,
    subscription_policies,
    subscriptions,
    suspensions,
)

__all__ = [
    "HARD_DECLINES",
    "SOFT_DECLINES",
    "TEST_CARD_NUMBERS",
    "access_levels",
    "account_activities",
    "account_states",
    "accounts",
    "aware_datetimes",
    "balance_facts",
    "balance_policies",
    "billing_details",
    "billing_profiles",
    "bonus_tiers",
    "cancellation_policies",
    "cancellation_requests",
    "card_brand_rules",
    "card_brands",
    "card_details",
    "card_numbers",
    "charge_attempts",
    "currencies",
    "cvvs",
    "decisions",
    "deletion_policies",
    "dunning_policies",
    "effects",
    "findings",
    "inactive_accounts",
    "invoice_facts",
    "invoice_policies",
    "invoices",
    "lead_package_tiers",
    "lead_packages",
    "ledger_entries",
    "ledgers",
    "lived_accounts",
    "money",
    "overdue_accounts",
    "overdue_facts",
    "overdue_policies",
    "payment_method_policies",
    "payment_methods",
    "payments",
    "policies",
    "population",
    "population_lines",
    "prepaid_facts",
    "questions",
    "reason_codes",
    "reasons",
    "seat_policies",
    "seat_pools",
    "sources",
    "subscription_dates",
    "subscription_facts",
    "subscription_policies",
    "subscriptions",
    "suspensions",
    "transitions",
    "users",
    "wallets",
    "zones",
]
