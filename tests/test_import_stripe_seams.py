"""Stripe's objects as they really come (IMP-1, IMP-3, IMP-4): invoices paid in full whatever
``amount_paid`` says, list objects and their missing pages, a canceled subscription without
its end, whole krónur."""

from __future__ import annotations

import pytest
from moneyed import Money

from _stripe_fixtures import (
    METHOD_ID,
    card,
    codes,
    imported,
    open_invoice,
    quiet_subscription,
)
from billrules.errors import InvalidInput
from billrules.importers.stripe import (
    UnmappedStripeData,
    from_stripe_amount,
    to_stripe_amount,
)
from billrules.invoices import InvoiceStatus


@pytest.mark.parametrize("paid", [0, 400, 5000])
def test_a_paid_invoice_is_paid_in_full_whatever_amount_paid_says(paid: int) -> None:
    """IMP-3: Stripe's ``paid`` settles the invoice: paid out of band before 2025-03-31
    (``amount_paid`` 0), or overpaid since (``amount_overpaid``): paid in full, nothing left."""
    bill = open_invoice(status="paid", amount_paid=paid)
    bill["status_transitions"]["paid_at"] = 1721957654
    result = imported("strict", invoices=[bill])
    (invoice,) = result.account.invoices
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.amount_paid == invoice.amount
    assert result.left_out == ()


def test_lists_as_stripe_returns_them_and_their_missing_pages() -> None:
    """IMP-3, IMP-4: a Stripe list object is read as its data; one with more pages than given
    is reported (strict refuses: what was not fetched would be left out)."""
    listed = {"object": "list", "data": [card()], "has_more": False, "url": "/v1/x"}
    result = imported("strict", payment_methods=listed)
    assert [m.id for m in result.account.wallet.methods] == [METHOD_ID]
    more = {**listed, "has_more": True}
    assert codes(imported("lenient", payment_methods=more)) == [
        ("incomplete_list", "payment_methods.has_more")
    ]
    with pytest.raises(UnmappedStripeData) as refused:
        imported("strict", payment_methods=more)
    assert refused.value.code == "incomplete_list"


def test_a_canceled_subscription_without_its_end_is_left_out() -> None:
    """IMP-3, IMP-4: a canceled subscription whose end Stripe does not give is reported and
    left out, never guessed to renew."""
    sub = quiet_subscription(status="canceled", ended_at=None, canceled_at=None)
    result = imported("lenient", subscription=sub)
    assert result.account.subscription is None
    assert ("missing_field", "subscription.ended_at") in codes(result)


def test_a_fraction_of_a_krona_is_refused() -> None:
    """IMP-1: Stripe writes ISK with two decimals that are always 00."""
    assert from_stripe_amount(50000, "isk") == Money("500", "ISK")
    with pytest.raises(InvalidInput):
        from_stripe_amount(50050, "isk")
    with pytest.raises(InvalidInput):
        to_stripe_amount(Money("5.5", "ISK"))


def test_a_card_number_in_the_billing_name_is_reported_at_that_field() -> None:
    """IMP-4, PM-6, INV-4: a card number in ``customer_name`` is reported at
    ``invoices[0].customer_name`` (never echoed), and the details left out."""
    bill = open_invoice(customer_name="4242 4242 4242 4242")
    bill["customer_address"] = {"line1": "1 Main St", "city": "Springfield"}
    result = imported("lenient", invoices=[bill])
    assert ("refused_value", "invoices[0].customer_name") in codes(result)
    assert "4242 4242" not in repr(result.report)
    assert result.account.invoices[0].billing_details is None
