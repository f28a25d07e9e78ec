"""Stripe's amounts in minor units (IMP-1), from Stripe's own exponent table. Private.

Part of :mod:`billrules.importers.stripe`; import the public names from there.

Stripe writes every amount as an integer count of the currency's minor unit, with its own
table of exponents (its "Supported currencies" page):

- zero-decimal: BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, UGX, VND, VUV, XAF, XOF, XPF;
- three-decimal: BHD, JOD, KWD, OMR, TND;
- every other currency: two decimals. Stripe's special cases stay there: ISK is two-decimal
  in the API though its ISO exponent is 0 (``100`` is one króna; Stripe accepts only
  multiples of 100 since 2023), HUF and TWD are two-decimal for charges (only their payouts
  are whole units, multiples of 100), and UGX is zero-decimal (only its payouts are written
  with two decimals).

Where Stripe's exponent is the ISO one (most currencies), the shared helper of
:mod:`billrules.amounts` does the conversion; MGA (ISO 2, Stripe 0) and ISK (ISO 0, Stripe 2)
are the ones where the two tables part.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from moneyed import Currency, Money

from billrules import _money
from billrules._check import checked, unchecked
from billrules.amounts import from_minor_units, to_minor_units
from billrules.errors import InvalidInput, InvalidType

#: IMP-1: Stripe's zero-decimal currencies.
ZERO_DECIMAL: Final = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
#: IMP-1: Stripe's three-decimal currencies.
THREE_DECIMAL: Final = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
#: IMP-1: Stripe's special cases that stay two-decimal in its API (ISK, HUF, TWD).
TWO_DECIMAL_SPECIAL: Final = frozenset(["HUF", "ISK", "TWD"])

_from_minor_units = unchecked(from_minor_units)
_to_minor_units = unchecked(to_minor_units)


def _exponent(currency: Currency) -> int:
    code = currency.code
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def stripe_currency(value: object, field: str) -> Currency:
    """The currency of a Stripe currency code: lower case as Stripe writes it (``"usd"``);
    upper case is read too."""
    if isinstance(value, str) and len(value) == 3 and value.isascii() and value.isalpha():
        found = _money.CURRENCY_OF.get(value.upper())
        if found is not None:
            return found
    if not isinstance(value, str):
        raise InvalidType(field, f"must be a currency code, not {type(value).__name__}")
    raise InvalidInput(field, "is not a currency code Stripe or ISO 4217 knows")


@checked
def stripe_exponent(currency: Currency | str) -> int:
    """How many decimals Stripe's minor unit of ``currency`` has (IMP-1): JPY 0, USD 2, KWD 3,
    ISK 2 (Stripe's special case).

    >>> stripe_exponent("jpy"), stripe_exponent("usd"), stripe_exponent("KWD"), stripe_exponent("isk")
    (0, 2, 3, 2)
    """
    return _exponent(_currency(currency))


def _currency(currency: Currency | str) -> Currency:
    if isinstance(currency, Currency):
        return _money.currency_code(currency.code, "currency")
    return stripe_currency(currency, "currency")


#: Stripe's two-decimal currencies whose decimals are always 00 (ISK: "100 = 1 króna").
WHOLE_UNITS: Final = frozenset({"ISK"})


def money_of(amount: int, currency: Currency) -> Money:
    """``amount`` of Stripe's minor units of ``currency`` (checked: an int of 64 bits).

    Raises:
        InvalidInput: a fraction of a currency Stripe takes in whole units only (ISK).
    """
    exponent = _exponent(currency)
    if currency.code in WHOLE_UNITS and amount % 100:
        raise InvalidInput(
            "amount", f"holds a fraction of {currency.code}, whose decimals are always 00"
        )
    if exponent == _money.minor_unit_exponent(currency):
        return _from_minor_units(amount, currency.code)
    return Money(Decimal(amount).scaleb(-exponent), currency.code)


@checked
def from_stripe_amount(amount: int, currency: Currency | str) -> Money:
    """A Stripe amount (an integer of minor units) as ``Money`` (IMP-1).

    >>> from_stripe_amount(4900, "usd"), from_stripe_amount(500, "jpy")
    (Money('49.00', 'USD'), Money('500', 'JPY'))
    >>> from_stripe_amount(1230, "kwd"), from_stripe_amount(50000, "isk")
    (Money('1.230', 'KWD'), Money('500.00', 'ISK'))

    Raises:
        InvalidType: ``amount`` is not an int (a float or a bool is refused).
        InvalidInput: the currency is unknown; ``amount`` does not fit in 64 bits.
    """
    return money_of(amount, _currency(currency))


@checked
def to_stripe_amount(money: Money) -> int:
    """``money`` as Stripe's integer of minor units (IMP-1): 49.00 USD is ``4900``, 500 JPY
    is ``500``, 5 ISK is ``500``.

    >>> from moneyed import Money
    >>> to_stripe_amount(Money("49.00", "USD")), to_stripe_amount(Money("5", "ISK"))
    (4900, 500)

    Raises:
        InvalidInput: the amount is finer than Stripe's minor unit (it is refused, not rounded).
    """
    currency = _money.currency_code(money.currency.code, "money.currency")
    exponent = _exponent(currency)
    if currency.code in WHOLE_UNITS and money.amount != money.amount.to_integral_value():
        raise InvalidInput("money", f"holds a fraction of {currency.code}: Stripe takes none")
    if exponent == _money.minor_unit_exponent(currency):
        return _to_minor_units(money)
    scaled = money.amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            "money", f"is finer than Stripe's minor unit of {currency.code} ({exponent} decimals)"
        )
    return int(scaled)
