"""Payment methods: the errors about card details (PM-5) and :class:`CardDetails`, the only
holder of a full card number and CVV (PM-5, PM-6).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

import re
from typing import Any, Final, NoReturn, final

from billrules._redact import luhn_valid
from billrules.errors import InvalidInput, InvalidType
from billrules.payment_methods._codes import CardBrand
from billrules.payment_methods._policy import (
    _SEED,
    MAX_NUMBER_LENGTH,
    MIN_NUMBER_LENGTH,
    CardBrandRule,
    PaymentMethodPolicy,
    _require_policy,
)

_DIGITS: Final = re.compile(r"[0-9]+")
_SEPARATORS: Final = re.compile(r"[ \-]")
_MASK: Final = "••••"


# --------------------------------------------------------------------------------------------
# Errors about card details (PM-5). None of them ever holds the number or the CVV (PM-6).
# Callers catch them, and tracebacks print them, as ``billrules.payment_methods.<Name>``:
# each error's ``__module__`` names the package that exports it, not this private module.


class InvalidCardDetails(InvalidInput):
    """New card details break a rule of PM-5. The message never repeats the input (PM-6)."""

    __module__ = "billrules.payment_methods"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__module__ = "billrules.payment_methods"  # every card error, as it is exported


class CardNumberFormatError(InvalidCardDetails):
    """The card number holds something other than digits, spaces and dashes."""


class CardNumberLengthError(InvalidCardDetails):
    """The card number does not have 12 to 19 digits."""


class CardNumberChecksumError(InvalidCardDetails):
    """The card number's last digit is not its Luhn check digit."""


class UnknownCardBrand(InvalidCardDetails):
    """The card number's prefix belongs to no accepted brand (PM-5, PM-8)."""


class CardBrandNotAccepted(UnknownCardBrand):
    """The card is of a known brand that the :class:`PaymentMethodPolicy` leaves out (PM-8)."""


class CardExpiryMonthError(InvalidCardDetails):
    """The expiry month is not 1 to 12."""


class CardExpiryYearError(InvalidCardDetails):
    """The expiry year is not a four-digit year."""


class CardExpiredError(InvalidCardDetails):
    """The expiry is before the current month in the account's zone."""


class CardCvvError(InvalidCardDetails):
    """The CVV is not 3 digits (4 for American Express)."""


def _require_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(field, f"must be an int, not {type(value).__name__}")
    return value


def _counts(lengths: tuple[int, ...]) -> str:
    ordered = sorted(lengths)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]} to {ordered[-1]}"
    words = [str(length) for length in ordered]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _card_number(value: object, policy: PaymentMethodPolicy) -> tuple[str, CardBrandRule]:
    """The digits of ``value`` and the rule of its brand (PM-5, PM-8); errors never echo it."""
    field = "CardDetails.number"
    if not isinstance(value, str):
        raise InvalidType(field, f"must be a str, not {type(value).__name__}")
    digits = _SEPARATORS.sub("", value)
    if not _DIGITS.fullmatch(digits):
        raise CardNumberFormatError(field, "must hold only digits, spaces and dashes")
    if not MIN_NUMBER_LENGTH <= len(digits) <= MAX_NUMBER_LENGTH:
        raise CardNumberLengthError(
            field, f"must have {MIN_NUMBER_LENGTH} to {MAX_NUMBER_LENGTH} digits"
        )
    if not luhn_valid(digits):
        raise CardNumberChecksumError(field, "fails the Luhn check: a digit is mistyped")
    rule = policy._match(digits)
    if rule is None:
        names = ", ".join(brand.label for brand in policy.accepted)
        known = _SEED._match(digits)
        if known is not None:
            raise CardBrandNotAccepted(
                field, f"{known.brand.label} cards are not accepted; accepted brands: {names}"
            )
        raise UnknownCardBrand(field, f"is not a card of an accepted brand ({names})")
    if len(digits) not in rule.lengths:
        raise CardNumberLengthError(
            field, f"must have {_counts(rule.lengths)} digits for {rule.brand.label}"
        )
    return digits, rule


def _cvv(value: object, rule: CardBrandRule) -> str:
    field = "CardDetails.cvv"
    if not isinstance(value, str):
        raise InvalidType(field, f"must be a str, not {type(value).__name__}")
    if not _DIGITS.fullmatch(value) or len(value) != rule.cvv_length:
        raise CardCvvError(field, f"must be {rule.cvv_length} digits for {rule.brand.label}")
    return value


@final
class CardDetails:
    """New card details on their way to validation: the only holder of the number and CVV (PM-6).

    The number is normalised (spaces and dashes dropped) and checked at construction: 12–19
    digits, the Luhn check digit, a brand ``policy`` accepts from its prefix and a length that
    brand has; the expiry month is 1–12, the year four digits, the CVV as long as the brand's
    (3 digits, 4 for American Express by default). Whether the expiry has passed depends on
    the instant, so :func:`validate_card` checks it, again under its own policy. Decides PM-5,
    PM-6 and PM-8.

    ``repr`` and ``str`` are masked; the object is not an attrs class (``attrs.asdict`` refuses
    it), cannot be pickled, and copies are the object itself. Keep it no longer than the call
    to :func:`validate_card` or :func:`update_card`.

    >>> from billrules.payment_methods import CardDetails
    >>> card = CardDetails(number="4242 4242 4242 4242", exp_month=12, exp_year=2030, cvv="123")
    >>> card
    CardDetails(brand='visa', number='•••• 4242', exp_month=12, exp_year=2030, cvv='•••')

    Raises:
        InvalidCardDetails: one of its subclasses, naming the field; the message never holds
            the number or the CVV. :class:`CardBrandNotAccepted` for a card of a known brand
            that ``policy`` leaves out (PM-8).
        InvalidType: a field of the wrong type.
    """

    __slots__ = ("_cvv", "_number", "brand", "exp_month", "exp_year")

    _number: str
    _cvv: str
    brand: CardBrand
    exp_month: int
    exp_year: int

    def __init__(
        self,
        *,
        number: str,
        exp_month: int,
        exp_year: int,
        cvv: str,
        policy: PaymentMethodPolicy = _SEED,
    ) -> None:
        digits, rule = _card_number(number, _require_policy(policy))
        month = _require_int(exp_month, "CardDetails.exp_month")
        if not 1 <= month <= 12:
            raise CardExpiryMonthError("CardDetails.exp_month", "must be 1 to 12")
        year = _require_int(exp_year, "CardDetails.exp_year")
        if not 1000 <= year <= 9999:
            raise CardExpiryYearError("CardDetails.exp_year", "must be a four-digit year")
        secret = _cvv(cvv, rule)
        object.__setattr__(self, "_number", digits)
        object.__setattr__(self, "_cvv", secret)
        object.__setattr__(self, "brand", rule.brand)
        object.__setattr__(self, "exp_month", month)
        object.__setattr__(self, "exp_year", year)

    @property
    def last4(self) -> str:
        """The last four digits of the number: all of it that may be kept (PM-6)."""
        return self._number[-4:]

    @property
    def masked_number(self) -> str:
        """The number as shown: ``"•••• 4242"``."""
        return f"{_MASK} {self.last4}"

    def __repr__(self) -> str:
        return (
            f"CardDetails(brand={str(self.brand)!r}, number={self.masked_number!r}, "
            f"exp_month={self.exp_month}, exp_year={self.exp_year}, cvv='•••')"
        )

    __str__ = __repr__

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("CardDetails is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("CardDetails is immutable")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise InvalidType("CardDetails", "holds card secrets and cannot be pickled (PM-6)")

    def __reduce__(self) -> NoReturn:
        raise InvalidType("CardDetails", "holds card secrets and cannot be pickled (PM-6)")

    def __getstate__(self) -> NoReturn:
        raise InvalidType("CardDetails", "holds card secrets and cannot be pickled (PM-6)")

    def __copy__(self) -> CardDetails:
        return self

    def __deepcopy__(self, memo: object) -> CardDetails:
        return self
