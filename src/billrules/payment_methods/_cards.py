"""Payment methods: a wallet with exactly one default, and card details that leave no secret.

Decides PM-1 … PM-8 (see ``docs/policies.md``):

- PM-1 a non-empty wallet has exactly one default, one of its methods; the first method added
  becomes the default (:class:`Wallet` holds this by construction);
- PM-2 the default cannot be removed: add another method, make it the default, then remove it;
- PM-3 any other method can be removed at any time;
- PM-4 any stored method that has not expired can become the default; an expired card cannot;
- PM-5 new card details are validated (12–19 digits, Luhn, brand from the prefix, expiry not
  before the current month, CVV of 3 digits or 4 for American Express) and the new card becomes
  the default for all future charges; past invoices keep the masked label they were charged to;
- PM-6 the full number and the CVV live only in :class:`CardDetails`, the input object that
  carries them to validation; nothing returned or raised holds more than the last four digits,
  and no id or other text field takes a card number;
- PM-7 a payment method is a card, Google Pay or Apple Pay;
- PM-8 the accepted brands, with their prefixes, lengths and CVV lengths, are a
  :class:`PaymentMethodPolicy` (the seed's: Visa, Mastercard, American Express, Discover, JCB,
  Diners Club, UnionPay and Maestro); a number's brand is the one whose prefix matches the most
  leading digits, and a card of a brand the policy leaves out is refused.

The questions and operations that judge a card take the policy after the facts
(``validate_card(details, policy, *, method_id, at, zone)``); it defaults to the seed's.

Expiry is judged in the account's zone: a card expires after the last day of its expiry month,
local time.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, NoReturn, final
from zoneinfo import ZoneInfo

import attrs

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules._redact import luhn_valid, shown
from billrules.decisions import Decision, Reason
from billrules.errors import InvalidInput, InvalidType

__all__ = [
    "DEFAULT_CARD_BRANDS",
    "CardBrand",
    "CardBrandNotAccepted",
    "CardBrandRule",
    "CardCvvError",
    "CardDetails",
    "CardExpiredError",
    "CardExpiryMonthError",
    "CardExpiryYearError",
    "CardNumberChecksumError",
    "CardNumberFormatError",
    "CardNumberLengthError",
    "InvalidCardDetails",
    "PaymentMethod",
    "PaymentMethodKind",
    "PaymentMethodPolicy",
    "UnknownCardBrand",
    "Wallet",
    "add",
    "can_add",
    "can_remove",
    "can_set_default",
    "is_expired",
    "remove",
    "set_default",
    "update_card",
    "validate_card",
]


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


class CardNumberFormatError(InvalidCardDetails):
    """The card number holds something other than digits, spaces and dashes."""

    __module__ = "billrules.payment_methods"


class CardNumberLengthError(InvalidCardDetails):
    """The card number does not have 12 to 19 digits."""

    __module__ = "billrules.payment_methods"


class CardNumberChecksumError(InvalidCardDetails):
    """The card number's last digit is not its Luhn check digit."""

    __module__ = "billrules.payment_methods"


class UnknownCardBrand(InvalidCardDetails):
    """The card number's prefix belongs to no accepted brand (PM-5, PM-8)."""

    __module__ = "billrules.payment_methods"


class CardBrandNotAccepted(UnknownCardBrand):
    """The card is of a known brand that the :class:`PaymentMethodPolicy` leaves out (PM-8)."""

    __module__ = "billrules.payment_methods"


class CardExpiryMonthError(InvalidCardDetails):
    """The expiry month is not 1 to 12."""

    __module__ = "billrules.payment_methods"


class CardExpiryYearError(InvalidCardDetails):
    """The expiry year is not a four-digit year."""

    __module__ = "billrules.payment_methods"


class CardExpiredError(InvalidCardDetails):
    """The expiry is before the current month in the account's zone."""

    __module__ = "billrules.payment_methods"


class CardCvvError(InvalidCardDetails):
    """The CVV is not 3 digits (4 for American Express)."""

    __module__ = "billrules.payment_methods"


# --------------------------------------------------------------------------------------------
# Policy (PM-8): the accepted brands, their prefixes, lengths and CVV lengths


_to_rule_brand = v.enum_member(CardBrand, "CardBrandRule.brand")


def _rule_brand(value: object) -> CardBrand:
    return _to_rule_brand(value)


def _prefixes(value: object) -> tuple[str, ...]:
    return v.tuple_of(str, "CardBrandRule.prefixes")(value)


def _lengths(value: object) -> tuple[int, ...]:
    return v.tuple_of(int, "CardBrandRule.lengths")(value)


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

    brand: CardBrand = attrs.field(converter=_rule_brand)
    prefixes: tuple[str, ...] = attrs.field(converter=_prefixes)
    lengths: tuple[int, ...] = attrs.field(converter=_lengths)
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


def _rules(value: object) -> tuple[CardBrandRule, ...]:
    return v.tuple_of(CardBrandRule, "PaymentMethodPolicy.brands")(value)


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

    brands: tuple[CardBrandRule, ...] = attrs.field(default=DEFAULT_CARD_BRANDS, converter=_rules)
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


# --------------------------------------------------------------------------------------------
# Facts


def _kind(value: Any) -> PaymentMethodKind:
    try:
        return PaymentMethodKind(value)
    except (ValueError, TypeError):
        allowed = ", ".join(repr(k.value) for k in PaymentMethodKind)
        raise InvalidInput(
            "PaymentMethod.kind", f"unknown payment method kind; expected one of {allowed}"
        ) from None


def _brand(value: Any) -> CardBrand | None:
    if value is None:
        return None
    try:
        return CardBrand(value)
    except (ValueError, TypeError):
        allowed = ", ".join(repr(b.value) for b in CardBrand)
        raise InvalidInput(
            "PaymentMethod.brand", f"unknown card brand; expected one of {allowed}"
        ) from None


def _last4(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidType(
            v.where(instance, attribute), f"must be a str, not {type(value).__name__}"
        )
    if len(value) != 4 or not _DIGITS.fullmatch(value):
        raise InvalidInput(
            v.where(instance, attribute), "must be exactly the last four digits of the card"
        )


@attrs.frozen(kw_only=True)
class PaymentMethod:
    """A stored payment method: what may be kept of it, never a secret (PM-6, PM-7).

    Decides PM-7: the kind is a card, Google Pay or Apple Pay. A card has its brand, last four
    digits and expiry; for Google Pay and Apple Pay they are optional (the card behind the
    wallet, when known).

    Attributes:
        id: The host's identifier of the method.
        kind: :class:`PaymentMethodKind`.
        brand: :class:`CardBrand`, or ``None``.
        last4: The last four digits of the card, or ``None``.
        exp_month: The expiry month (1–12), or ``None`` for a method that does not expire.
        exp_year: The expiry year (four digits), or ``None``; given together with the month.
    """

    id: str = attrs.field(validator=v.text)
    kind: PaymentMethodKind = attrs.field(converter=_kind)
    brand: CardBrand | None = attrs.field(default=None, converter=_brand)
    last4: str | None = attrs.field(default=None, validator=_last4)
    exp_month: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(v.integer(minimum=1, maximum=12))
    )
    exp_year: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(v.integer(minimum=1000, maximum=9999))
    )

    def __attrs_post_init__(self) -> None:
        if (self.exp_month is None) != (self.exp_year is None):
            missing = "exp_year" if self.exp_year is None else "exp_month"
            raise InvalidInput(
                f"PaymentMethod.{missing}", "expiry month and year are given together"
            )
        if self.kind is PaymentMethodKind.CARD:
            for name in ("brand", "last4", "exp_month"):
                if getattr(self, name) is None:
                    raise InvalidInput(f"PaymentMethod.{name}", "is required for a card")

    @property
    def label(self) -> str:
        """The masked label shown to people and stored on invoices: ``"Visa •••• 4242"``."""
        card = None
        if self.brand is not None and self.last4 is not None:
            card = f"{self.brand.label} {_MASK} {self.last4}"
        elif self.last4 is not None:
            card = f"{_MASK} {self.last4}"
        elif self.brand is not None:
            card = self.brand.label
        if card is None:
            return self.kind.label
        if self.kind is PaymentMethodKind.CARD:
            return card
        return f"{self.kind.label} ({card})"

    @property
    def expiry(self) -> tuple[int, int] | None:
        """``(year, month)`` of the expiry, or ``None`` for a method that does not expire."""
        if self.exp_year is None or self.exp_month is None:
            return None
        return (self.exp_year, self.exp_month)


def _methods(value: object) -> tuple[PaymentMethod, ...]:
    return v.tuple_of(PaymentMethod, "Wallet.methods")(value)


@attrs.frozen(kw_only=True)
class Wallet:
    """An account's payment methods and which one is the default. Holds PM-1 by construction.

    Decides PM-1: a non-empty wallet has exactly one default, the id of one of its methods; an
    empty wallet has none (``default_id`` is ``None``). Method ids are unique. Future charges
    go to :attr:`default`.

    >>> from billrules.payment_methods import PaymentMethod, Wallet
    >>> visa = PaymentMethod(id="pm-1", kind="card", brand="visa", last4="4242",
    ...                      exp_month=12, exp_year=2030)
    >>> Wallet(methods=(visa,), default_id="pm-1").default.label
    'Visa •••• 4242'
    >>> Wallet(methods=(visa,))
    Traceback (most recent call last):
    ...
    billrules.errors.InvalidInput: Wallet.default_id: a wallet with payment methods needs a default
    """

    methods: tuple[PaymentMethod, ...] = attrs.field(default=(), converter=_methods)
    default_id: str | None = attrs.field(default=None, validator=v.optional_text)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for index, method in enumerate(self.methods):
            if method.id in seen:
                raise InvalidInput(f"Wallet.methods[{index}].id", "duplicate payment method id")
            seen.add(method.id)
        if not self.methods:
            if self.default_id is not None:
                raise InvalidInput("Wallet.default_id", "an empty wallet has no default")
        elif self.default_id is None:
            raise InvalidInput("Wallet.default_id", "a wallet with payment methods needs a default")
        elif self.default_id not in seen:
            raise InvalidInput("Wallet.default_id", "must be the id of one of the methods")

    @property
    def default(self) -> PaymentMethod | None:
        """The default method, charged for all future charges (PM-1), or ``None`` if empty."""
        return next((method for method in self.methods if method.id == self.default_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        """The methods' ids, in order."""
        return tuple(method.id for method in self.methods)

    def get(self, method_id: str) -> PaymentMethod | None:
        """The method with ``method_id``, or ``None``."""
        for method in self.methods:
            if method.id == method_id:
                return method
        return None


# --------------------------------------------------------------------------------------------
# Expiry


def _local_month(at: datetime, zone: ZoneInfo | str) -> tuple[int, int]:
    day = _time.local_date(at, _time.to_zone(zone))
    return (day.year, day.month)


@checked
def is_expired(method: PaymentMethod, *, at: datetime, zone: ZoneInfo | str) -> bool:
    """Whether ``method`` has expired at ``at``: after the last day of its expiry month, local time.

    Decides the expiry half of PM-4. A method without an expiry never expires.

    >>> from datetime import datetime, UTC
    >>> from billrules.payment_methods import PaymentMethod, is_expired
    >>> card = PaymentMethod(id="pm-1", kind="card", brand="visa", last4="4242",
    ...                      exp_month=3, exp_year=2024)
    >>> late_march_in_kyiv = datetime(2024, 3, 31, 20, 30, tzinfo=UTC)  # 23:30 in Kyiv
    >>> is_expired(card, at=late_march_in_kyiv, zone="Europe/Kyiv")
    False
    >>> is_expired(card, at=late_march_in_kyiv, zone="Asia/Tokyo")  # 05:30 on 1 April
    True
    """
    now = _local_month(at, zone)
    return method.expiry is not None and method.expiry < now


# --------------------------------------------------------------------------------------------
# Questions and operations


def _unknown(method_id: str, rule: str) -> Decision:
    return Decision.refuse(
        Reason(
            code="payment_method_unknown",
            rule=rule,
            message=f"There is no payment method {shown(method_id)} in the wallet.",
            details={"method_id": method_id},
        )
    )


def _expiry_details(method: PaymentMethod, now: tuple[int, int]) -> dict[str, Any]:
    return {
        "method_id": method.id,
        "label": method.label,
        "expiry": method.expiry,
        "current_month": now,
    }


@checked
def can_add(
    wallet: Wallet,
    method: PaymentMethod,
    policy: PaymentMethodPolicy = _SEED,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether ``method`` may be added to ``wallet`` at ``at``. Decides PM-1, PM-5 and PM-8.

    Refused when its id is already in the wallet (PM-1), its brand is known and ``policy``
    does not accept it (PM-8: a card, or the card behind Google Pay or Apple Pay), or it has
    expired (PM-5: new details are not before the current month). The first method added
    becomes the default (PM-1).
    """
    now = _local_month(at, zone)
    if wallet.get(method.id) is not None:
        return Decision.refuse(
            Reason(
                code="payment_method_id_taken",
                rule="PM-1",
                message=f"The wallet already has a payment method {shown(method.id)}.",
                details={"method_id": method.id},
            )
        )
    if method.brand is not None and policy.rule(method.brand) is None:
        return Decision.refuse(
            Reason(
                code="card_brand_not_accepted",
                rule="PM-8",
                message=f"{method.label} cannot be added: {method.brand.label} cards are not "
                "accepted.",
                details={
                    "method_id": method.id,
                    "brand": method.brand,
                    "accepted": policy.accepted,
                },
            )
        )
    if is_expired(method, at=at, zone=zone):
        return Decision.refuse(
            Reason(
                code="payment_method_expired",
                rule="PM-5",
                message=f"{method.label} has expired and cannot be added.",
                details=_expiry_details(method, now),
            )
        )
    if not wallet.methods:
        placed = Reason(
            code="first_method_becomes_default",
            rule="PM-1",
            message=f"{method.label} is the first payment method and becomes the default.",
            details={"method_id": method.id, "label": method.label},
        )
    else:
        placed = Reason(
            code="default_unchanged",
            rule="PM-1",
            message=f"{method.label} is added; the default stays as it is.",
            details={"method_id": method.id, "default_id": wallet.default_id},
        )
    return Decision.allow(
        placed,
        Reason(
            code="payment_method_unexpired",
            rule="PM-5",
            message=f"{method.label} has not expired.",
            details=_expiry_details(method, now),
        ),
    )


@checked
def add(
    wallet: Wallet,
    method: PaymentMethod,
    policy: PaymentMethodPolicy = _SEED,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> Wallet:
    """``wallet`` with ``method`` added; the first method becomes the default. Decides PM-1.

    Raises:
        PolicyViolation: :func:`can_add` refuses (under ``policy``); ``wallet`` is unchanged.
    """
    can_add(wallet, method, policy, at=at, zone=zone).require()
    default = wallet.default_id if wallet.default_id is not None else method.id
    return Wallet(methods=(*wallet.methods, method), default_id=default)


@checked
def can_set_default(
    wallet: Wallet, method_id: str, *, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether the stored method ``method_id`` may become the default at ``at``. Decides PM-4.

    Any stored method that has not expired may; an expired card may not, nor an unknown id.
    """
    now = _local_month(at, zone)
    method = wallet.get(method_id)
    if method is None:
        return _unknown(method_id, "PM-4")
    if is_expired(method, at=at, zone=zone):
        return Decision.refuse(
            Reason(
                code="payment_method_expired",
                rule="PM-4",
                message=f"{method.label} has expired and cannot become the default.",
                details=_expiry_details(method, now),
            )
        )
    return Decision.allow(
        Reason(
            code="payment_method_unexpired",
            rule="PM-4",
            message=f"{method.label} is stored and has not expired.",
            details=_expiry_details(method, now),
        )
    )


@checked
def set_default(wallet: Wallet, method_id: str, *, at: datetime, zone: ZoneInfo | str) -> Wallet:
    """``wallet`` with ``method_id`` as its default. Decides PM-4.

    Raises:
        PolicyViolation: :func:`can_set_default` refuses; ``wallet`` is unchanged.
    """
    can_set_default(wallet, method_id, at=at, zone=zone).require()
    return attrs.evolve(wallet, default_id=method_id)


@checked
def can_remove(wallet: Wallet, method_id: str) -> Decision:
    """Whether the method ``method_id`` may be removed. Decides PM-2 and PM-3.

    The default cannot be removed (PM-2): the reason tells the user to add another method and
    make it the default first. Any other stored method can, at any time (PM-3).

    >>> from billrules.payment_methods import PaymentMethod, Wallet, can_remove
    >>> visa = PaymentMethod(id="pm-1", kind="card", brand="visa", last4="4242",
    ...                      exp_month=12, exp_year=2030)
    >>> decision = can_remove(Wallet(methods=(visa,), default_id="pm-1"), "pm-1")
    >>> decision.allowed, decision.codes
    (False, ('default_payment_method',))
    >>> decision.message.startswith("Visa •••• 4242 is the default payment method")
    True
    >>> "Add another payment method and make it the default first" in decision.message
    True
    """
    method = wallet.get(method_id)
    if method is None:
        return _unknown(method_id, "PM-3")
    details = {"method_id": method.id, "label": method.label, "default_id": wallet.default_id}
    if method_id == wallet.default_id:
        return Decision.refuse(
            Reason(
                code="default_payment_method",
                rule="PM-2",
                message=f"{method.label} is the default payment method and cannot be removed. "
                "Add another payment method and make it the default first, "
                "then remove this one.",
                details=details,
            )
        )
    return Decision.allow(
        Reason(
            code="not_default",
            rule="PM-3",
            message=f"{method.label} is not the default and can be removed.",
            details=details,
        )
    )


@checked
def remove(wallet: Wallet, method_id: str) -> Wallet:
    """``wallet`` without the method ``method_id``. Decides PM-2 and PM-3.

    Raises:
        PolicyViolation: :func:`can_remove` refuses (the default, or an unknown id); ``wallet``
            is unchanged.
    """
    can_remove(wallet, method_id).require()
    return attrs.evolve(wallet, methods=tuple(m for m in wallet.methods if m.id != method_id))


@checked
def validate_card(
    details: CardDetails,
    policy: PaymentMethodPolicy = _SEED,
    *,
    method_id: str,
    at: datetime,
    zone: ZoneInfo | str,
) -> PaymentMethod:
    """The payment method to store for new card details, checked at ``at``. Decides PM-5, PM-6, PM-8.

    ``details`` were checked when built; this checks the number and CVV again under ``policy``
    (its accepted brands, prefixes, lengths and CVV lengths, PM-8) and adds the expiry: not
    before the current month in ``zone``. The result keeps the brand, the last four digits and
    the expiry, never the number or the CVV.

    >>> from datetime import datetime, UTC
    >>> from billrules.payment_methods import CardDetails, validate_card
    >>> card = CardDetails(number="5555-5555-5555-4444", exp_month=1, exp_year=2025, cvv="321")
    >>> method = validate_card(card, method_id="pm-2", at=datetime(2024, 6, 1, tzinfo=UTC),
    ...                        zone="UTC")
    >>> method.label, method.expiry
    ('Mastercard •••• 4444', (2025, 1))

    Raises:
        InvalidCardDetails: ``policy`` refuses the number or the CVV (a subclass naming the
            field: :class:`CardBrandNotAccepted` for a brand it leaves out).
        CardExpiredError: the expiry month has passed, naming ``CardDetails.exp_year`` when the
            year has, else ``CardDetails.exp_month``.
    """
    _, rule = _card_number(details._number, policy)
    _cvv(details._cvv, rule)
    now = _local_month(at, zone)
    if details.exp_year < now[0]:
        raise CardExpiredError("CardDetails.exp_year", "the card has expired")
    if (details.exp_year, details.exp_month) < now:
        raise CardExpiredError(
            "CardDetails.exp_month", "the card has expired: the month is before this month"
        )
    return PaymentMethod(
        id=method_id,
        kind=PaymentMethodKind.CARD,
        brand=rule.brand,
        last4=details.last4,
        exp_month=details.exp_month,
        exp_year=details.exp_year,
    )


@checked
def update_card(
    wallet: Wallet,
    details: CardDetails,
    policy: PaymentMethodPolicy = _SEED,
    *,
    at: datetime,
    zone: ZoneInfo | str,
    method_id: str,
    remove_previous: bool = False,
) -> Wallet:
    """``wallet`` with a new card from ``details`` as its default. Decides PM-5 and PM-8.

    The details are validated under ``policy`` (:func:`validate_card`), the card is added
    (:func:`can_add`) and made the default, so all future charges use it. The previous default stays in the wallet
    as an ordinary method unless ``remove_previous`` (then it is removed, as PM-3 allows once it
    is no longer the default). Past invoices are not touched: they keep the masked label of
    the method they were charged to.

    Raises:
        InvalidCardDetails: a subclass naming the field that is wrong.
        PolicyViolation: :func:`can_add` refuses (``method_id`` is taken); ``wallet`` is
            unchanged.
    """
    method = validate_card(details, policy, method_id=method_id, at=at, zone=zone)
    previous = wallet.default_id
    updated = add(wallet, method, policy, at=at, zone=zone)
    updated = set_default(updated, method_id, at=at, zone=zone)
    if remove_previous and previous is not None:
        updated = remove(updated, previous)
    return updated
