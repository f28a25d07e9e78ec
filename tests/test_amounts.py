"""Amounts in minor units (X-4): a host's cents become ``Money`` with the currency's ISO 4217
exponent, and back, for every currency billrules knows; nothing is rounded on the way."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules._money import CURRENCY_CODES
from billrules.amounts import from_minor_units, minor_unit_exponent, to_minor_units
from billrules.errors import BillRulesError, InvalidInput, InvalidType

_INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@pytest.mark.parametrize(
    ("cents", "currency", "amount", "exponent"),
    [
        (4900, "USD", "49.00", 2),  # the seeds' 49.00 USD invoice
        (1900, "USD", "19.00", 2),  # the base tariff
        (-3300, "USD", "-33.00", 2),  # the delinquent balance
        (500, "JPY", "500", 0),
        (1234, "BHD", "1.234", 3),
        (1234, "KWD", "1.234", 3),
        (12345, "CLF", "1.2345", 4),
        (0, "EUR", "0.00", 2),
    ],
)
def test_minor_units_follow_the_currency_s_exponent(
    cents: int, currency: str, amount: str, exponent: int
) -> None:
    """X-4: 4900 USD cents are 49.00 USD; JPY has no minor unit, BHD three decimals."""
    money = from_minor_units(cents, currency)
    assert Money(amount, currency) == money
    assert Decimal(amount).as_tuple().exponent == money.amount.as_tuple().exponent
    assert exponent == minor_unit_exponent(currency)
    assert cents == to_minor_units(money)


@given(cents=_INT64, currency=st.sampled_from(CURRENCY_CODES))
def test_property_minor_units_round_trip_for_every_currency(cents: int, currency: str) -> None:
    """X-4: for every ISO currency, minor units → Money → minor units is the identity, and the
    Money holds exactly the currency's number of decimals."""
    money = from_minor_units(cents, currency)
    assert cents == to_minor_units(money)
    assert -minor_unit_exponent(currency) == money.amount.as_tuple().exponent
    assert from_minor_units(to_minor_units(money), currency) == money


@given(
    cents=_INT64,
    currency=st.sampled_from(CURRENCY_CODES),
    extra=st.integers(min_value=1, max_value=9),
)
def test_property_an_amount_finer_than_the_minor_unit_is_refused(
    cents: int, currency: str, extra: int
) -> None:
    """X-4: a tenth of the minor unit more is refused, never rounded, naming ``money``."""
    exponent = minor_unit_exponent(currency)
    finer = Money(Decimal(cents).scaleb(-exponent) + Decimal(extra).scaleb(-exponent - 1), currency)
    with pytest.raises(InvalidInput) as refused:
        to_minor_units(finer)
    assert "money" == refused.value.field
    assert f"minor unit of {currency} ({exponent} decimals)" in str(refused.value)


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda: from_minor_units(49.0, "USD"), InvalidType, "amount"),
        (lambda: from_minor_units(True, "USD"), InvalidType, "amount"),
        (lambda: from_minor_units("4900", "USD"), InvalidType, "amount"),
        (lambda: from_minor_units(2**63, "USD"), InvalidInput, "amount"),
        (lambda: from_minor_units(4900, "usd"), InvalidInput, "currency"),
        (lambda: from_minor_units(4900, "XYZ"), InvalidInput, "currency"),
        (lambda: to_minor_units(4900), InvalidType, "money"),
        (lambda: minor_unit_exponent("dollars"), InvalidInput, "currency"),
    ],
)
def test_bad_input_names_the_field(
    call: Callable[[], object], error: type[BillRulesError], field: str
) -> None:
    """A float, a bool, a text, an unknown or lower-case code: a billrules error naming the
    field, which also is the builtin a caller catches (TypeError, ValueError)."""
    with pytest.raises(error) as refused:
        call()
    assert field == refused.value.field


def test_a_card_number_given_as_cents_is_not_echoed() -> None:
    """PM-6: the refusal of an amount names the field, never the value."""
    with pytest.raises(InvalidInput) as refused:
        to_minor_units(Money("4242424242424242.001", "USD"))
    assert "4242" not in str(refused.value)
