"""The payment-methods area's policy: :class:`PaymentMethodPolicy`, the accepted card brands
with their prefixes, lengths and CVV lengths (PM-8).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

import attrs

from billrules import _validate as v
from billrules.errors import InvalidInput, InvalidType
from billrules.payment_methods._codes import CardBrand

MIN_NUMBER_LENGTH: Final = 12
MAX_NUMBER_LENGTH: Final = 19
_PREFIX: Final = re.compile(r"([0-9]{1,8})(?:-([0-9]{1,8}))?")
#: The same in JSON Schema, which cannot compare lengths: a range's two bounds of one length,
#: spelled out for each length (the order of the bounds is written in the description).
_PREFIX_SCHEMA: Final = (
    "^(?:" + "|".join(f"[0-9]{{{n}}}(?:-[0-9]{{{n}}})?" for n in range(1, 9)) + ")$"
)


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

    brand: CardBrand = attrs.field(converter=v.ToEnum[CardBrand])
    prefixes: tuple[str, ...] = attrs.field(
        converter=v.ToTuple[str],
        metadata={"json_schema": {"minItems": 1, "items": {"pattern": _PREFIX_SCHEMA}}},
    )
    lengths: tuple[int, ...] = attrs.field(
        converter=v.ToTuple[int],
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
        converter=v.ToTuple[CardBrandRule],
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


def _require_policy(value: object, field: str = "policy") -> PaymentMethodPolicy:
    if not isinstance(value, PaymentMethodPolicy):
        raise InvalidType(field, f"must be PaymentMethodPolicy, not {type(value).__name__}")
    return value
