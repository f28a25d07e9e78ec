"""Properties of the Stripe importer (IMP-1, IMP-3, IMP-4, PM-6) over generated Stripe objects:
each object is drawn from Stripe's published shapes (its fields present or missing, known and
unknown values), well typed as Stripe's API writes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from _stripe_fixtures import OWNER
from billrules.account import User
from billrules.importers.stripe import (
    STRIPE_INVOICE_STATUSES,
    THREE_DECIMAL,
    TWO_DECIMAL_SPECIAL,
    WHOLE_UNITS,
    ZERO_DECIMAL,
    StripeImport,
    UnmappedStripeData,
    account_from_stripe,
    from_stripe_amount,
    invoice_status,
    stripe_exponent,
    to_stripe_amount,
)
from billrules.invoices import InvoiceStatus

_TABLE = sorted(ZERO_DECIMAL | THREE_DECIMAL | TWO_DECIMAL_SPECIAL | {"USD", "EUR", "GBP", "CHF"})
_INT64 = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)


# --------------------------------------------------------------------------------------------
# IMP-1: amounts round-trip


@given(st.sampled_from(_TABLE), _INT64)
def test_stripe_amounts_round_trip_for_every_currency_in_the_table(code: str, amount: int) -> None:
    """IMP-1: minor units → Money → minor units is the identity, in Stripe's exponent (ISK's
    two decimals are always 00: whole krónur)."""
    if code in WHOLE_UNITS:  # whole krónur, truncated toward zero: still a signed 64-bit int
        amount = abs(amount) // 100 * 100 * (1 if amount >= 0 else -1)
    money = from_stripe_amount(amount, code.lower())
    assert money.amount == Decimal(amount).scaleb(-stripe_exponent(code))
    assert to_stripe_amount(money) == amount


@given(st.sampled_from(_TABLE), st.integers(-(10**15), 10**15))
def test_money_round_trips_through_stripes_minor_units(code: str, units: int) -> None:
    """IMP-1: Money (at Stripe's precision; whole krónur for ISK) → minor units → Money is
    the identity."""
    if code in WHOLE_UNITS:
        units = abs(units) // 100 * 100 * (1 if units >= 0 else -1)
    money = Money(Decimal(units).scaleb(-stripe_exponent(code)), code)
    assert from_stripe_amount(to_stripe_amount(money), code) == money


# --------------------------------------------------------------------------------------------
# IMP-3: the customer's balance sign


_CUSTOMER = {"id": "cus_1", "object": "customer", "created": 1704067200, "currency": "usd"}


@given(st.integers(-(10**12), 10**12))
def test_a_negative_customer_balance_is_a_prepaid_credit(balance: int) -> None:
    """IMP-3: Stripe's balance is what the customer owes (negative: a credit); the ledger's
    balance is what it has prepaid: the sign turns, and nothing else changes."""
    move = {
        "id": "cbtxn_1",
        "object": "customer_balance_transaction",
        "amount": balance,
        "currency": "usd",
        "created": 1704153600,
        "ending_balance": balance,
        "type": "adjustment",
    }
    result = account_from_stripe(
        customer={**_CUSTOMER, "balance": balance},
        balance_transactions=[move],
        zone="UTC",
        users=[OWNER],
        prepaid=True,
        mode="strict",
    )
    assert result.account.ledger is not None
    assert result.account.ledger.balance == -from_stripe_amount(balance, "usd")
    assert result.report == ()
    postpaid = account_from_stripe(
        customer={**_CUSTOMER, "balance": balance}, zone="UTC", users=[OWNER], mode="lenient"
    )
    assert [issue.code.value for issue in postpaid.report] == (
        ["customer_balance"] if balance else []
    )


# --------------------------------------------------------------------------------------------
# IMP-3: the invoice status mapping is total


@given(st.sampled_from(STRIPE_INVOICE_STATUSES), st.none() | st.integers(0, 10))
def test_every_stripe_invoice_status_maps(status: str, attempts: int | None) -> None:
    """IMP-3: each of Stripe's statuses has a billrules status; open is failed iff attempted."""
    found = invoice_status(status, attempts)
    assert isinstance(found, InvoiceStatus)
    if status == "open":
        assert found is (InvoiceStatus.FAILED if attempts else InvoiceStatus.SUBMITTED)


@given(st.text(max_size=12).filter(lambda s: s not in STRIPE_INVOICE_STATUSES))
def test_no_other_text_is_an_invoice_status(status: str) -> None:
    """IMP-3: an unknown status maps to nothing (and is reported), never to a guess."""
    assert invoice_status(status, 0) is None


# --------------------------------------------------------------------------------------------
# Generated Stripe objects

_TIMES = st.integers(946684800, 2000000000)
_AMOUNTS = st.integers(0, 10**7)
_CURRENCIES = st.sampled_from(["usd"] * 12 + ["eur", "jpy", "zzz"])


def _known(values: list[str]) -> st.SearchStrategy[str]:
    """Mostly one of Stripe's values, sometimes any other text (an unknown value)."""
    return st.one_of(
        st.sampled_from(values), st.sampled_from(values), st.sampled_from(values), _TEXT
    )


_TEXT = st.text(max_size=8)
_CARD = "4242424242424242"


def _optional(**fields: st.SearchStrategy[Any]) -> dict[str, st.SearchStrategy[Any]]:
    return fields


def _object(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional)


_ADDRESS = st.fixed_dictionaries(
    {},
    optional={
        "line1": st.none() | _TEXT,
        "city": st.none() | _TEXT,
        "postal_code": st.none() | _TEXT,
        "country": st.none() | st.sampled_from(["US", "DE"]),
    },
)
#: Whose an object is: mostly the imported customer's, sometimes another's.
_OWNER = st.sampled_from(["cus_1"] * 5 + ["cus_2"]) | st.none()
_LIST = st.lists(st.fixed_dictionaries({"id": _TEXT}), max_size=2)

customers = _object(
    {"id": st.just("cus_1"), "object": st.just("customer"), "created": _TIMES},
    _optional(
        currency=st.none() | _CURRENCIES,
        balance=st.none() | st.integers(-5000, 5000),
        delinquent=st.none() | st.booleans(),
        deleted=st.booleans(),
        discount=st.none() | st.just({"id": "di_1", "object": "discount"}),
        invoice_settings=st.fixed_dictionaries(
            {"default_payment_method": st.none() | st.sampled_from(["pm_1", "pm_2", "pm_x"])}
        ),
        default_source=st.none() | st.just("card_1"),
        name=st.none() | _TEXT,
    ),
)

_CARD_DETAILS = st.fixed_dictionaries(
    {},
    optional={
        "brand": _known(["visa", "mastercard", "amex", "unknown", "eftpos_au"]),
        "last4": st.sampled_from(["4242", "0005", "12"]),
        "exp_month": st.integers(0, 13),
        "exp_year": st.integers(1999, 2040),
        "wallet": st.none()
        | st.fixed_dictionaries(
            {"type": st.sampled_from(["apple_pay", "google_pay", "link", "samsung_pay"]) | _TEXT}
        ),
    },
)
payment_methods = _object(
    {
        "id": st.sampled_from(["pm_1", "pm_2", "pm_3"]),
        "object": st.just("payment_method"),
        "created": _TIMES,
        "type": _known(["card"] * 6 + ["sepa_debit", "link"]),
    },
    _optional(card=st.none() | _CARD_DETAILS, customer=_OWNER),
)

invoices = _object(
    {
        "id": st.sampled_from(["in_1", "in_2", "in_3"]),
        "object": st.just("invoice"),
        "created": _TIMES,
        "currency": _CURRENCIES,
    },
    _optional(
        status=st.none() | _known(list(STRIPE_INVOICE_STATUSES)),
        attempt_count=st.integers(0, 4),
        amount_due=_AMOUNTS,
        amount_paid=_AMOUNTS,
        due_date=st.none() | _TIMES,
        effective_at=st.none() | _TIMES,
        automatically_finalizes_at=st.none() | _TIMES,
        status_transitions=st.fixed_dictionaries(
            {}, optional={"finalized_at": st.none() | _TIMES, "paid_at": st.none() | _TIMES}
        ),
        customer_name=st.none() | _TEXT,
        customer_address=st.none() | _ADDRESS,
        customer=_OWNER,
        discounts=_LIST,
        total_taxes=_LIST,
        subscription=st.none() | st.sampled_from(["sub_1", "sub_2"]),
        parent=st.none()
        | st.fixed_dictionaries(
            {"subscription_details": st.fixed_dictionaries({"subscription": st.just("sub_1")})}
        ),
    ),
)

_PRICE = st.fixed_dictionaries(
    {"id": st.sampled_from(["price_seat", "price_other"])},
    optional={
        "product": st.none() | st.just("prod_1"),
        "recurring": st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "interval": _known(["day", "week", "month", "month", "year"]),
                "interval_count": st.integers(0, 60) | st.integers(1, 3),
            },
        ),
    },
)
_ITEM = _object(
    {"id": st.sampled_from(["si_1", "si_2"]), "object": st.just("subscription_item")},
    _optional(
        price=_PRICE,
        quantity=st.none() | st.integers(0, 4),
        current_period_end=st.none() | _TIMES,
    ),
)
subscriptions = _object(
    {
        "id": st.just("sub_1"),
        "object": st.just("subscription"),
        "created": _TIMES,
        "currency": _CURRENCIES,
    },
    _optional(
        status=st.none()
        | st.sampled_from(["active", "past_due", "unpaid", "canceled", "trialing", "paused"])
        | st.sampled_from(["incomplete", "incomplete_expired"])
        | _TEXT,
        items=st.fixed_dictionaries(
            {"object": st.just("list"), "data": st.lists(_ITEM, max_size=3)}
        ),
        billing_cycle_anchor=st.none() | _TIMES,
        start_date=_TIMES,
        cancel_at=st.none() | _TIMES,
        cancel_at_period_end=st.booleans(),
        canceled_at=st.none() | _TIMES,
        ended_at=st.none() | _TIMES,
        current_period_end=st.none() | _TIMES,
        schedule=st.none() | st.just("sub_sched_1"),
        pause_collection=st.none() | st.just({"behavior": "void", "resumes_at": None}),
        discounts=_LIST,
        default_tax_rates=_LIST,
        default_payment_method=st.none() | st.sampled_from(["pm_1", "pm_3"]),
    ),
)
#: Objects with what maps present, so that the properties also reach accounts that hold them.
_COMPLETE_ITEM = _object(
    {
        "id": st.sampled_from(["si_1", "si_2"]),
        "object": st.just("subscription_item"),
        "price": st.fixed_dictionaries(
            {
                "id": st.sampled_from(["price_seat", "price_other"]),
                "product": st.just("prod_1"),
                "recurring": st.fixed_dictionaries(
                    {
                        "interval": st.sampled_from(["week", "month", "year"]),
                        "interval_count": st.integers(1, 3),
                    }
                ),
            }
        ),
        "quantity": st.integers(0, 4),
    },
    _optional(current_period_end=_TIMES),
)
subscriptions = subscriptions | _object(
    {
        "id": st.just("sub_1"),
        "object": st.just("subscription"),
        "created": _TIMES,
        "currency": st.just("usd"),
        "status": st.sampled_from(["active", "past_due", "unpaid", "canceled", "trialing"]),
        "items": st.fixed_dictionaries(
            {"object": st.just("list"), "data": st.lists(_COMPLETE_ITEM, min_size=1, max_size=2)}
        ),
        "billing_cycle_anchor": _TIMES,
    },
    _optional(
        cancel_at=st.none() | _TIMES,
        cancel_at_period_end=st.booleans(),
        ended_at=st.none() | _TIMES,
        current_period_end=st.none() | _TIMES,
        default_payment_method=st.none() | st.sampled_from(["pm_1", "pm_3"]),
    ),
)
invoices = invoices | _object(
    {
        "id": st.sampled_from(["in_1", "in_2", "in_3"]),
        "object": st.just("invoice"),
        "created": _TIMES,
        "currency": st.just("usd"),
        "status": st.sampled_from(STRIPE_INVOICE_STATUSES),
        "attempt_count": st.integers(0, 2),
        "amount_due": _AMOUNTS,
        "amount_paid": st.just(0) | _AMOUNTS,
        "status_transitions": st.fixed_dictionaries(
            {"finalized_at": st.integers(946684800, 1400000000), "paid_at": _TIMES}
        ),
    },
    _optional(
        due_date=st.none() | _TIMES,
        automatically_finalizes_at=_TIMES,
        customer_name=_TEXT,
        customer_address=_ADDRESS,
    ),
)
payment_methods = payment_methods | _object(
    {
        "id": st.sampled_from(["pm_1", "pm_2", "pm_3"]),
        "object": st.just("payment_method"),
        "created": _TIMES,
        "type": st.just("card"),
        "card": st.fixed_dictionaries(
            {
                "brand": st.sampled_from(["visa", "mastercard", "amex"]),
                "last4": st.just("4242"),
                "exp_month": st.integers(1, 12),
                "exp_year": st.integers(2020, 2040),
                "wallet": st.none()
                | st.fixed_dictionaries({"type": st.sampled_from(["apple_pay", "google_pay"])}),
            }
        ),
    },
    {},
)

balance_transactions = _object(
    {
        "id": st.sampled_from(["cbtxn_1", "cbtxn_2", "txn_1"]),
        "object": st.sampled_from(["customer_balance_transaction", "balance_transaction"]),
        "created": _TIMES,
        "currency": _CURRENCIES,
        "amount": st.integers(-5000, 5000),
    },
    _optional(
        type=st.sampled_from(["adjustment", "applied_to_invoice", "charge"]),
        reporting_category=st.sampled_from(["charge", "dispute"]),
    ),
)

_INPUTS = st.fixed_dictionaries(
    {
        "customer": customers,
        "payment_methods": st.lists(payment_methods, max_size=3),
        "invoices": st.lists(invoices, max_size=4),
        "subscription": st.none() | subscriptions,
        "balance_transactions": st.lists(balance_transactions, max_size=3),
        "seat_price": st.none() | st.just("price_seat"),
        "prepaid": st.booleans(),
        "at": st.none() | st.just(datetime(2030, 1, 1, tzinfo=UTC)),
        "users": st.sampled_from([[OWNER], [OWNER, User(id="ann", role="staff")]]),
    }
)


def _run(inputs: dict[str, Any], mode: str) -> StripeImport:
    return account_from_stripe(zone="Europe/Kyiv", currency="usd", mode=mode, **inputs)


def _outcome(inputs: dict[str, Any], mode: str) -> StripeImport | UnmappedStripeData:
    """The import's result, or the error strict mode raised."""
    try:
        return _run(inputs, mode)
    except UnmappedStripeData as refused:
        return refused


@settings(max_examples=300)
@given(_INPUTS)
def test_lenient_never_raises_and_strict_refuses_exactly_what_it_reports(
    inputs: dict[str, Any],
) -> None:
    """IMP-4: lenient mode maps any Stripe-shaped objects; strict mode raises iff lenient's
    report leaves a concept out, at the first one, with its path and code; otherwise both
    return the same account and the same cross-checks (IMP-5)."""
    lenient = _run(inputs, "lenient")
    left_out = lenient.left_out
    strict = _outcome(inputs, "strict")
    if isinstance(strict, UnmappedStripeData):
        assert left_out, f"strict refused {strict.field} which lenient did not report"
        assert (strict.field, strict.code) == (left_out[0].path, left_out[0].code.value)
    else:
        assert not left_out, f"strict accepted {left_out[0]}"
        assert strict == lenient
    for issue in lenient.report:
        assert issue.path
        assert json.dumps(issue.as_json())


_PLANTED = st.sampled_from(
    [
        ("customer", "name"),
        ("customer", "description"),
        ("customer", "metadata"),
        ("invoice", "customer_name"),
        ("invoice", "id"),
        ("invoice", "description"),
        ("method", "id"),
        ("method", "billing_details"),
        ("subscription", "metadata"),
    ]
)


@settings(max_examples=100)
@given(_INPUTS, _PLANTED, st.sampled_from([_CARD, "4242 4242 4242 4242", "4242-4242-4242-4242"]))
def test_no_card_number_in_any_output(
    inputs: dict[str, Any], where: tuple[str, str], number: str
) -> None:
    """PM-6: a card number planted in a Stripe text field is never in the account, the
    report or an error."""
    obj, key = where
    value: Any = number
    if key == "metadata":
        value = {"note": number}
    elif key == "billing_details":
        value = {"name": number}
    if obj == "customer":
        inputs["customer"] = {**inputs["customer"], key: value}
    elif obj == "invoice":
        inputs["invoices"] = [
            {
                "id": "in_9",
                "object": "invoice",
                "created": 1704067200,
                "currency": "usd",
                "status": "open",
                "amount_due": 100,
                "amount_paid": 0,
                "customer_address": {"line1": "1 Main St"},
                key: value,
            }
        ]
    elif obj == "method":
        inputs["payment_methods"] = [
            {
                "id": "pm_9",
                "object": "payment_method",
                "created": 1704067200,
                "type": "card",
                "card": {"brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2030},
                key: value,
            }
        ]
    elif inputs["subscription"] is not None:
        inputs["subscription"] = {**inputs["subscription"], key: value}
    for mode in ("lenient", "strict"):
        result = _outcome(inputs, mode)
        if isinstance(result, UnmappedStripeData):
            shown = str(result) + repr(result.object_id)
        else:
            shown = repr(result.account) + json.dumps(result.report_json())
        # the planted number, with its separators or without (the dates' digits in a repr may
        # pass a Luhn check by chance: the planted number is what must not come out)
        assert _CARD not in shown.replace(" ", "").replace("-", ""), shown
