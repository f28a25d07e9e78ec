"""Money helpers shared by every area (X-4). Private: the public type is ``moneyed.Money``.

Rules kept here:
- an amount is ``moneyed.Money``; a float is refused (:class:`FloatAmountError`), because
  ``Money(0.1 * 3, "USD")`` keeps float noise;
- a sum names its currency, so the sum of nothing is still a typed zero;
- two currencies never meet silently (:class:`CurrencyMismatch`);
- rounding goes to the currency's own minor unit (2 for USD, 0 for JPY, 3 for BHD) with a
  stated rounding mode, half-up by default (py-moneyed's ``round`` is half-even and ignores the
  minor unit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final

from moneyed import CURRENCIES, Currency, Money, get_currency
from moneyed.classes import CurrencyDoesNotExist

from billrules._redact import shown
from billrules.errors import CurrencyMismatch, FloatAmountError, InvalidInput, InvalidType

DEFAULT_ROUNDING = ROUND_HALF_UP

_CODE = re.compile(r"[A-Z]{3}", re.ASCII)


def to_currency(value: object, field: str) -> Currency:
    """A ``Currency`` from itself or its ISO 4217 code."""
    if isinstance(value, Currency):
        return value
    if isinstance(value, str):
        try:
            return get_currency(value.upper())
        except CurrencyDoesNotExist:
            pass  # raised below, outside the handler: the error it replaces holds the code (PM-6)
        raise InvalidInput(field, f"unknown currency code {shown(value)}")
    raise InvalidType(field, f"must be a Currency or an ISO 4217 code, not {type(value).__name__}")


#: An amount written as text: ASCII digits, an optional sign and decimal point, nothing else
#: (no underscores, no exponent, no other script's digits).
_AMOUNT_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?", re.ASCII)

#: The largest magnitude (as a power of ten) and the finest fraction an amount may have.
LARGEST_EXPONENT = 30
FINEST_EXPONENT = -30
#: The longest amount text read (:func:`to_decimal`).
LONGEST_AMOUNT_TEXT = 80

#: An amount that :func:`to_decimal` reads, as one pattern (the JSON Schema's): at most
#: thirty digits before the point once leading zeros are dropped, at most thirty after it.
AMOUNT_PATTERN = rf"[+-]?0*[0-9]{{1,{LARGEST_EXPONENT}}}(?:\.[0-9]{{1,{-FINEST_EXPONENT}}})?"

#: The ISO 4217 codes a plain document may name, exactly as py-moneyed lists them (upper
#: case): the reader of JSON and TOML and the JSON Schema's enum.
CURRENCY_CODES = tuple(sorted(code for code in CURRENCIES if _CODE.fullmatch(code)))
_CURRENCY_CODES = frozenset(CURRENCY_CODES)
#: The currency of each of :data:`CURRENCY_CODES`.
CURRENCY_OF: Final = {code: get_currency(code) for code in CURRENCY_CODES}


def currency_code(value: object, field: str) -> Currency:
    """The ``Currency`` of an ISO 4217 code as a document writes it: one of
    :data:`CURRENCY_CODES`, exactly (``"USD"``, never ``"usd"``)."""
    if type(value) is str:
        found = CURRENCY_OF.get(value)
        if found is not None:
            return found
    if not isinstance(value, str):
        raise InvalidType(field, f"must be an ISO 4217 code, not {type(value).__name__}")
    raise InvalidInput(field, f"unknown currency code {shown(value)}; codes are upper case")


def to_decimal(value: object, field: str) -> Decimal:
    """An exact ``Decimal`` from a ``Decimal``, ``int`` or numeric ``str``; floats are refused.

    Text is plain ASCII decimal notation (``"19.00"``, ``"-5"``). Every amount is finite, below
    ``10**30`` in magnitude and no finer than ``10**-30``.
    """
    if isinstance(value, float):
        raise FloatAmountError(field, "floats are not exact; pass a Decimal, an int or a str")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidType(field, f"must be a Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, str):
        if len(value) > 80 or not _AMOUNT_TEXT.fullmatch(value):
            raise InvalidInput(
                field,
                'is not an amount: write ASCII digits with an optional point, such as "19.00"',
            )
    elif isinstance(value, int) and value.bit_length() > 128:
        raise InvalidInput(field, f"must be less than 10**{LARGEST_EXPONENT} in magnitude")
    try:
        number = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the text was checked above
        raise InvalidInput(field, "is not a number") from None
    return require_sane(number, field)


def require_sane(number: Decimal, field: str) -> Decimal:
    """Return ``number`` if it is finite, below ``10**30`` and no finer than ``10**-30``."""
    if not number.is_finite():
        raise InvalidInput(field, "must be a finite number")
    if number and number.adjusted() >= LARGEST_EXPONENT:
        raise InvalidInput(field, f"must be less than 10**{LARGEST_EXPONENT} in magnitude")
    exponent = number.as_tuple().exponent  # an int: the number is finite
    if isinstance(exponent, int) and exponent < FINEST_EXPONENT:
        raise InvalidInput(field, f"must not be finer than 10**{FINEST_EXPONENT}")
    return number


def money(amount: object, currency: object, field: str = "amount") -> Money:
    """Build a ``Money`` from an exact amount and a currency, refusing floats."""
    return Money(to_decimal(amount, field), to_currency(currency, f"{field}.currency"))


def require_money(value: object, field: str) -> Money:
    """Return ``value`` if it is a ``Money`` with a finite amount, else raise naming ``field`` (X-4)."""
    if isinstance(value, float):
        raise FloatAmountError(field, "floats are not exact; pass moneyed.Money")
    if not isinstance(value, Money):
        raise InvalidType(field, f"must be moneyed.Money, not {type(value).__name__}")
    require_sane(value.amount, field)
    return value


def require_currency(value: Money, currency: Currency, field: str) -> Money:
    """Return ``value`` if it is in ``currency``, else raise :class:`CurrencyMismatch`."""
    if value.currency != currency:
        raise CurrencyMismatch(field, f"is in {value.currency.code}, expected {currency.code}")
    return value


def total(amounts: Iterable[Money], currency: Currency, field: str = "amounts") -> Money:
    """The sum of ``amounts`` in ``currency`` (zero when empty); a foreign amount is refused (X-4)."""
    result = Decimal(0)
    try:
        for amount in amounts:
            result += require_currency(amount, currency, field).amount
    except ArithmeticError:
        raise InvalidInput(field, "the amounts are too large to add up exactly") from None
    return Money(result, currency)


def zero(currency: Currency) -> Money:
    """Zero in ``currency``."""
    return Money(0, currency)


def minor_unit_exponent(currency: Currency) -> int:
    """How many decimals the currency's minor unit has (USD 2, JPY 0, BHD 3)."""
    sub_unit = currency.sub_unit
    digits = 0
    while sub_unit > 1:
        sub_unit //= 10
        digits += 1
    return digits


def round_to_minor_unit(value: Money, rounding: str = DEFAULT_ROUNDING) -> Money:
    """Round to the currency's minor unit with ``rounding`` (a ``decimal`` mode; half-up; X-4).

    >>> from moneyed import Money
    >>> round_to_minor_unit(Money("2.675", "USD")).amount
    Decimal('2.68')
    >>> round_to_minor_unit(Money("1234.5", "JPY")).amount
    Decimal('1235')
    """
    quantum = Decimal(1).scaleb(-minor_unit_exponent(value.currency))
    try:
        rounded = value.amount.quantize(quantum, rounding=rounding)
    except ArithmeticError:
        raise InvalidInput("amount", "is too large to round to the minor unit") from None
    return Money(rounded, value.currency)


def in_words(value: Money, rounding: str = DEFAULT_ROUNDING) -> str:
    """``value`` as a sentence writes it: the amount at the currency's minor unit, then its code.

    Every human sentence that states an amount uses this form (X-4), never ``str(money)``
    (which follows the process locale) nor the raw amount (``10`` or ``10.5``). Rounding is
    half-up by default; a zero is never written with a minus sign.

    >>> from moneyed import Money
    >>> in_words(Money("10", "USD")), in_words(Money("10.5", "USD")), in_words(Money("2.675", "USD"))
    ('10.00 USD', '10.50 USD', '2.68 USD')
    >>> in_words(Money("1234.5", "JPY")), in_words(Money("1.2", "BHD"))
    ('1235 JPY', '1.200 BHD')
    >>> in_words(Money("-0.001", "USD")), in_words(Money("-19.999", "EUR"))
    ('0.00 USD', '-20.00 EUR')
    >>> in_words(Money("12345678901234567890123456789.99", "USD"))
    '12345678901234567890123456789.99 USD'

    Raises:
        InvalidInput: the amount is not a finite number.
    """
    amount = value.amount
    if not amount.is_finite():
        raise InvalidInput("amount", "must be a finite number")
    digits = minor_unit_exponent(value.currency)
    # Enough precision for every digit kept, whatever the amount's size (the default context's
    # 28 digits would refuse a large one).
    context = Context(prec=max(amount.adjusted(), 0) + digits + 2)
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=rounding, context=context)
    if not rounded:
        rounded = abs(rounded)
    return f"{rounded:f} {value.currency.code}"
