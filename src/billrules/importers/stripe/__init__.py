"""Stripe's objects into a billrules :class:`~billrules.account.Account` (IMP-1 … IMP-5).

Pure functions from Stripe's JSON — plain mappings, as its API and webhooks send them (the
``stripe`` SDK's objects are mappings too, so no SDK is needed) — to an account, with a report
of what could not map instead of a guess.

- IMP-1: amounts are integers of Stripe's minor unit, by Stripe's own exponent table
  (:func:`stripe_exponent`, :func:`from_stripe_amount`, :func:`to_stripe_amount`); a float,
  boolean or text amount is refused, naming the field path.
- IMP-2: Unix seconds become aware UTC instants; the zone and the users are the host's.
- IMP-3: the customer, its card payment methods (Apple Pay, Google Pay: PM-7), invoices
  (``draft`` → scheduled, ``open`` → submitted or failed once attempted, ``paid``,
  ``uncollectible`` (OVD-6), ``void`` → cancelled), the subscription (SUB-7; seats from a
  host-named price's quantity) and, if the host asks, the customer's balance as a prepaid
  ledger (negative means credit). Both of Stripe's API shapes, before and after 2025-03-31.
- IMP-4: ``mode="strict"`` raises :class:`UnmappedStripeData` at the first concept that
  cannot map; ``mode="lenient"`` leaves it out and reports it (:class:`ImportIssue`).
- IMP-5: the cross-checks (``customer.delinquent``, the subscription's status, seats below
  the users, no default method) are in the report in both modes.

>>> from billrules.account import User
>>> from billrules.importers.stripe import account_from_stripe
>>> customer = {"id": "cus_1", "object": "customer", "created": 1704067200, "currency": "usd",
...             "balance": 0, "delinquent": False}
>>> invoice = {"id": "in_1", "object": "invoice", "currency": "usd", "status": "open",
...            "amount_due": 4900, "amount_paid": 0, "attempt_count": 1, "created": 1706745600,
...            "status_transitions": {"finalized_at": 1706745600}}
>>> result = account_from_stripe(customer=customer, invoices=[invoice], zone="Europe/Berlin",
...                              users=[User(id="ann", role="owner")], mode="lenient")
>>> result.account.invoices[0].status, result.account.invoices[0].amount
(<InvoiceStatus.FAILED: 'failed'>, Money('49.00', 'USD'))
>>> [(issue.code.value, issue.path) for issue in result.report]
[('delinquent_disagrees', 'customer.delinquent')]
"""

from __future__ import annotations

from billrules.importers.stripe._account import StripeImport, account_from_stripe
from billrules.importers.stripe._amounts import (
    THREE_DECIMAL,
    TWO_DECIMAL_SPECIAL,
    WHOLE_UNITS,
    ZERO_DECIMAL,
    from_stripe_amount,
    stripe_exponent,
    to_stripe_amount,
)
from billrules.importers.stripe._invoices import STRIPE_INVOICE_STATUSES, invoice_status
from billrules.importers.stripe._issues import (
    CROSS_CHECKS,
    ImportIssue,
    IssueCode,
    UnmappedStripeData,
)
from billrules.importers.stripe._subscription import STRIPE_SUBSCRIPTION_STATUSES

__all__ = [
    "CROSS_CHECKS",
    "STRIPE_INVOICE_STATUSES",
    "STRIPE_SUBSCRIPTION_STATUSES",
    "THREE_DECIMAL",
    "TWO_DECIMAL_SPECIAL",
    "WHOLE_UNITS",
    "ZERO_DECIMAL",
    "ImportIssue",
    "IssueCode",
    "StripeImport",
    "UnmappedStripeData",
    "account_from_stripe",
    "from_stripe_amount",
    "invoice_status",
    "stripe_exponent",
    "to_stripe_amount",
]
