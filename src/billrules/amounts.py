"""Amounts in minor units (cents), as databases and payment processors store them (X-4).

A host's rows hold ``4900`` and ``"USD"``; billrules holds ``Money("49.00", "USD")``. The
number of decimals is the currency's ISO 4217 minor unit: two for USD and EUR, none for JPY,
three for BHD and KWD, four for CLF.

>>> from moneyed import Money
>>> from_minor_units(4900, "USD"), from_minor_units(500, "JPY"), from_minor_units(1234, "BHD")
(Money('49.00', 'USD'), Money('500', 'JPY'), Money('1.234', 'BHD'))
>>> to_minor_units(Money("49.00", "USD")), to_minor_units(Money("-0.5", "EUR"))
(4900, -50)
>>> minor_unit_exponent("KWD")
3

Nothing is rounded silently: an amount finer than the minor unit is refused.

>>> to_minor_units(Money("0.005", "USD"))
Traceback (most recent call last):
...
billrules.errors.InvalidInput: money: is finer than the minor unit of USD (2 decimals)
"""

from __future__ import annotations

from decimal import Decimal

from moneyed import Currency, Money

from billrules import _money
from billrules._check import checked
from billrules.errors import InvalidInput

__all__ = ["from_minor_units", "minor_unit_exponent", "to_minor_units"]


@checked
def minor_unit_exponent(currency: Currency | str) -> int:
    """How many decimals ``currency``'s minor unit has (ISO 4217: USD 2, JPY 0, BHD 3).

    Raises:
        InvalidInput: ``currency`` is not an ISO 4217 code (``field`` is ``"currency"``).
    """
    return _money.minor_unit_exponent(_money.currency_code(currency, "currency"))


@checked
def from_minor_units(amount: int, currency: Currency | str) -> Money:
    """``amount`` minor units of ``currency`` as ``Money``: ``4900`` USD is 49.00 USD.

    Raises:
        InvalidType: ``amount`` is not an int (a bool or a float is refused: a float is not
            exact, and a count of cents is a whole number).
        InvalidInput: ``currency`` is not an ISO 4217 code; ``amount`` does not fit in a
            signed 64-bit integer, as no database column of cents holds more.
    """
    code = _money.currency_code(currency, "currency")
    exponent = _money.minor_unit_exponent(code)
    return Money(Decimal(amount).scaleb(-exponent), code)


@checked
def to_minor_units(money: Money) -> int:
    """``money`` as a whole number of its currency's minor units: 49.00 USD is ``4900``.

    Raises:
        InvalidType: ``money`` is not ``Money``.
        InvalidInput: the amount is finer than the minor unit (0.005 USD): it is refused, not
            rounded, so that no cent is lost or made up on the way to a database.
    """
    checked_money = _money.require_money(money, "money")
    exponent = _money.minor_unit_exponent(checked_money.currency)
    scaled = checked_money.amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            "money",
            f"is finer than the minor unit of {checked_money.currency.code} ({exponent} decimals)",
        )
    return int(scaled)
