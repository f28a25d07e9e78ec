"""Payment methods: kinds and card brands (PM-7, PM-8), the errors about card details (PM-5),
the policy of accepted brands (PM-8) and :class:`CardDetails`, the only holder of a full
card number and CVV (PM-5, PM-6).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

import itertools
import re
from enum import StrEnum
from typing import Any, Final, NoReturn, final

import attrs

from billrules import _validate as v
from billrules._redact import luhn_valid
from billrules.errors import InvalidInput, InvalidType

# --------------------------------------------------------------------------------------------
# Kinds and brands


class PaymentMethodKind(StrEnum):
    """The kinds of payment method (PM-7)."""

    CARD = "card"
    GOOGLE_PAY = "google_pay"
    APPLE_PAY = "apple_pay"

    @property
    def label(self) -> str:
        """The name shown to people (``"Apple Pay"``)."""
        return _KIND_LABELS[self]


_KIND_LABELS: Final = {
    PaymentMethodKind.CARD: "Card",
    PaymentMethodKind.GOOGLE_PAY: "Google Pay",
    PaymentMethodKind.APPLE_PAY: "Apple Pay",
}


class CardBrand(StrEnum):
    """The card brands recognised from a number's prefix (PM-5)."""

    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"
    JCB = "jcb"
    DINERS = "diners"
    UNIONPAY = "unionpay"
    MAESTRO = "maestro"

    @property
    def label(self) -> str:
        """The brand's name as printed (``"American Express"``)."""
        return _BRAND_LABELS[self]

    @property
    def cvv_length(self) -> int:
        """The seed's CVV length: 4 for American Express, else 3 (PM-5; a policy may differ)."""
        return 4 if self is CardBrand.AMEX else 3


_BRAND_LABELS: Final = {
    CardBrand.VISA: "Visa",
    CardBrand.MASTERCARD: "Mastercard",
    CardBrand.AMEX: "American Express",
    CardBrand.DISCOVER: "Discover",
    CardBrand.JCB: "JCB",
    CardBrand.DINERS: "Diners Club",
    CardBrand.UNIONPAY: "UnionPay",
    CardBrand.MAESTRO: "Maestro",
}

MIN_NUMBER_LENGTH: Final = 12
MAX_NUMBER_LENGTH: Final = 19
_DIGITS: Final = re.compile(r"[0-9]+")
_SEPARATORS: Final = re.compile(r"[ \-]")
_PREFIX: Final = re.compile(r"([0-9]{1,8})(?:-([0-9]{1,8}))?")
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


# --------------------------------------------------------------------------------------------
# Policy (PM-8): the accepted brands, their prefixes, lengths and CVV lengths


def _bounds(prefix: str) -> tuple[str, str]:
    first, _, last = prefix.partition("-")
    return first, last or first


@attrs.frozen(kw_only=True)
class CardBrandRule:
    """An accepted card brand: the prefixes its numbers start with, their lengths, its CVV (PM-8).

    Attributes:
        brand: The :class:`CardBrand`.
        prefixes: Leading digits (``"4"``) or a range of them with bounds of one length
            (``"2221-2720"``: every four-digit prefix from 2221 to 2720), 1–8 digits each.
        lengths: The digit counts its numbers may have, each 12–19, without repeats.
        cvv_length: The digits of its CVV, 3 (default) or 4.
    """

    brand: CardBrand = attrs.field(converter=v.to_enum(CardBrand))  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
    prefixes: tuple[str, ...] = attrs.field(
        converter=v.to_tuple(str),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        metadata={"json_schema": {"minItems": 1, "items": {"pattern": f"^{_PREFIX.pattern}$"}}},
    )
    lengths: tuple[int, ...] = attrs.field(
        converter=v.to_tuple(int),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        metadata={
            "json_schema": {
                "minItems": 1,
                "uniqueItems": True,
                "items": {"minimum": MIN_NUMBER_LENGTH, "maximum": MAX_NUMBER_LENGTH},
            }
        },
    )
    cvv_length: int = attrs.field(default=3, validator=v.integer(3, 4))

    @prefixes.validator
    def _check_prefixes(self, attribute: attrs.Attribute[object], value: tuple[str, ...]) -> None:
        if not value:
            raise InvalidInput("CardBrandRule.prefixes", "must hold at least one prefix")
        for index, prefix in enumerate(value):
            match = _PREFIX.fullmatch(prefix)
            if match is None or (match[2] is not None and len(match[2]) != len(match[1])):
                raise InvalidInput(
                    f"CardBrandRule.prefixes[{index}]",
                    'must be 1–8 digits, or a range of two bounds of one length ("2221-2720")',
                )
            if match[2] is not None and match[2] < match[1]:
                raise InvalidInput(
                    f"CardBrandRule.prefixes[{index}]", "the range must not end before it starts"
                )

    @lengths.validator
    def _check_lengths(self, attribute: attrs.Attribute[object], value: tuple[int, ...]) -> None:
        if not value:
            raise InvalidInput("CardBrandRule.lengths", "must hold at least one length")
        for index, length in enumerate(value):
            field = f"CardBrandRule.lengths[{index}]"
            if isinstance(length, bool):
                raise InvalidType(field, "must be an int, not bool")
            if not MIN_NUMBER_LENGTH <= length <= MAX_NUMBER_LENGTH:
                raise InvalidInput(
                    field, f"must be {MIN_NUMBER_LENGTH} to {MAX_NUMBER_LENGTH} digits"
                )
            if length in value[:index]:
                raise InvalidInput(field, "repeats an earlier length")

    @property
    def ranges(self) -> tuple[tuple[str, str], ...]:
        """The prefixes as ``(first, last)`` bounds of one length (``("4", "4")``)."""
        return tuple(_bounds(prefix) for prefix in self.prefixes)


#: PM-8: the seed's accepted brands. Visa, Mastercard (51–55 and 2221–2720), American Express,
#: Discover, JCB, Diners Club, UnionPay and Maestro, with the lengths their issuers use.
DEFAULT_CARD_BRANDS: Final[tuple[CardBrandRule, ...]] = (
    CardBrandRule(brand=CardBrand.VISA, prefixes=("4",), lengths=(13, 16, 19)),
    CardBrandRule(brand=CardBrand.MASTERCARD, prefixes=("51-55", "2221-2720"), lengths=(16,)),
    CardBrandRule(brand=CardBrand.AMEX, prefixes=("34", "37"), lengths=(15,), cvv_length=4),
    CardBrandRule(
        brand=CardBrand.DISCOVER, prefixes=("6011", "644-649", "65"), lengths=(16, 17, 18, 19)
    ),
    CardBrandRule(brand=CardBrand.JCB, prefixes=("3528-3589",), lengths=(16, 17, 18, 19)),
    CardBrandRule(
        brand=CardBrand.DINERS,
        prefixes=("300-305", "3095", "36", "38-39"),
        lengths=(14, 15, 16, 17, 18, 19),
    ),
    CardBrandRule(brand=CardBrand.UNIONPAY, prefixes=("62",), lengths=(16, 17, 18, 19)),
    CardBrandRule(
        brand=CardBrand.MAESTRO,
        prefixes=("50", "56-58", "6304", "6759", "6761-6763"),
        lengths=tuple(range(12, 20)),
    ),
)

#: Per prefix range, longest first: ``(length, first, last, rule)``.
_PrefixTable = tuple[tuple[int, str, str, CardBrandRule], ...]


@attrs.frozen(kw_only=True)
class PaymentMethodPolicy:
    """Which card brands are accepted, with their prefixes, lengths and CVV lengths (PM-8).

    Decides PM-8. ``PaymentMethodPolicy()`` is the seed's: :data:`DEFAULT_CARD_BRANDS`. A
    number's brand is the one whose prefix matches the most leading digits (Maestro's 6759
    before a shorter prefix of another brand); a card of a brand left out is refused. Each
    brand appears once, and no two prefix ranges of one length overlap.

    >>> from billrules.payment_methods import CardBrand, PaymentMethodPolicy, DEFAULT_CARD_BRANDS
    >>> no_maestro = PaymentMethodPolicy(
    ...     brands=[rule for rule in DEFAULT_CARD_BRANDS if rule.brand is not CardBrand.MAESTRO])
    >>> CardBrand.MAESTRO in PaymentMethodPolicy().accepted, CardBrand.MAESTRO in no_maestro.accepted
    (True, False)

    Attributes:
        brands: One :class:`CardBrandRule` per accepted brand, at least one.
    """

    brands: tuple[CardBrandRule, ...] = attrs.field(
        default=DEFAULT_CARD_BRANDS,
        converter=v.to_tuple(CardBrandRule),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        metadata={"json_schema": {"minItems": 1}},
    )
    _table: _PrefixTable = attrs.field(init=False, eq=False, hash=False, repr=False)

    @brands.validator
    def _check_brands(
        self, attribute: attrs.Attribute[object], value: tuple[CardBrandRule, ...]
    ) -> None:
        if not value:
            raise InvalidInput("PaymentMethodPolicy.brands", "must accept at least one brand")
        seen: dict[CardBrand, int] = {}
        ranges: list[tuple[int, str, str, str]] = []
        for index, rule in enumerate(value):
            if rule.brand in seen:
                raise InvalidInput(
                    f"PaymentMethodPolicy.brands[{index}].brand",
                    f"repeats brands[{seen[rule.brand]}].brand ({rule.brand.label})",
                )
            seen[rule.brand] = index
            for number, (first, last) in enumerate(rule.ranges):
                ranges.append((len(first), first, last, f"brands[{index}].prefixes[{number}]"))
        ranges.sort()
        for before, after in itertools.pairwise(ranges):
            if before[0] == after[0] and after[1] <= before[2]:
                raise InvalidInput(
                    f"PaymentMethodPolicy.{after[3]}",
                    f"overlaps {before[3]}: ranges of one length must not overlap",
                )

    def __attrs_post_init__(self) -> None:
        table = [
            (len(first), first, last, rule) for rule in self.brands for first, last in rule.ranges
        ]
        table.sort(key=lambda row: -row[0])
        object.__setattr__(self, "_table", tuple(table))

    @property
    def accepted(self) -> tuple[CardBrand, ...]:
        """The accepted brands, in the policy's order."""
        return tuple(rule.brand for rule in self.brands)

    def rule(self, brand: CardBrand) -> CardBrandRule | None:
        """The rule of ``brand``, or ``None`` when the policy does not accept it (PM-8)."""
        for rule in self.brands:
            if rule.brand == brand:
                return rule
        return None

    def _match(self, digits: str) -> CardBrandRule | None:
        for length, first, last, rule in self._table:
            if first <= digits[:length] <= last:
                return rule
        return None


_SEED: Final = PaymentMethodPolicy()


def _require_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(field, f"must be an int, not {type(value).__name__}")
    return value


def _require_policy(value: object, field: str = "policy") -> PaymentMethodPolicy:
    if not isinstance(value, PaymentMethodPolicy):
        raise InvalidType(field, f"must be PaymentMethodPolicy, not {type(value).__name__}")
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
