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

from billrules.testing._core import aware_datetimes, currencies, money, zones
from billrules.testing._invoices import (
    billing_details,
    billing_profiles,
    invoice_policies,
    invoices,
    payments,
)

__all__ = [
    "aware_datetimes",
    "billing_details",
    "billing_profiles",
    "currencies",
    "invoice_policies",
    "invoices",
    "money",
    "payments",
    "zones",
]
