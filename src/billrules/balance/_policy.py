"""The balance policy: the base tariff (BAL-5) and the top-up bonus tiers (BAL-2). Private."""

from __future__ import annotations

import itertools
from decimal import Decimal

import attrs
from moneyed import Currency, Money

from billrules import _money
from billrules import _validate as v
from billrules.errors import InvalidInput, InvalidType

#: BAL-5: the seed's base tariff.
DEFAULT_BASE_TARIFF = Money("19.00", "USD")


#: BAL-2: the largest bonus percentage accepted (ten times the top-up).
_MAX_PERCENT = Decimal(1000)

#: BAL-2: a percentage as text, more than 0 and at most 1000 (what ``_percent`` accepts).
_PERCENT_PATTERN = (
    r"^\+?0*(?:1000(?:\.0{1,30})?|[1-9][0-9]{0,2}(?:\.[0-9]{1,30})?"
    r"|0\.(?=[0-9]{0,29}[1-9])[0-9]{1,30})$"
)


def _percent(value: Decimal | int | str | None) -> Decimal | None:
    field = "BonusTier.percent"
    if value is None:
        return None
    number = _money.to_decimal(value, field)
    if not 0 < number <= _MAX_PERCENT:
        raise InvalidInput(field, f"must be more than 0 and at most {_MAX_PERCENT}")
    return number


def _optional_positive_money(
    instance: object, attribute: attrs.Attribute[Money | None], value: object
) -> None:
    if value is not None:
        v.positive_money(instance, attribute, value)


v.described(_optional_positive_money, v.POSITIVE_MONEY_SCHEMA)


@attrs.frozen(kw_only=True)
class BonusTier:
    """A top-up of at least ``threshold`` earns ``percent`` of it, or a ``fixed`` bonus (BAL-2).

    Exactly one of ``percent`` and ``fixed`` is given.
    """

    threshold: Money = attrs.field(validator=v.positive_money)
    percent: Decimal | None = attrs.field(
        default=None,
        converter=_percent,
        metadata={
            "json_schema": {
                "anyOf": [
                    {"type": "string", "pattern": _PERCENT_PATTERN},
                    {"type": "integer", "minimum": 1, "maximum": int(_MAX_PERCENT)},
                ]
            }
        },
    )
    fixed: Money | None = attrs.field(default=None, validator=_optional_positive_money)

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.fixed is None):
            raise InvalidInput("BonusTier.percent", "give exactly one of percent and fixed")
        if self.fixed is not None:
            v.same_currency(self, self.threshold, self.fixed, "fixed")

    def bonus(self, amount: Money) -> Money:
        """The bonus this tier gives a top-up of ``amount`` (rounded half-up to the minor unit)."""
        if self.fixed is not None:
            return self.fixed
        percent = self.percent if self.percent is not None else Decimal(0)
        return _money.round_to_minor_unit(Money(amount.amount * percent / 100, amount.currency))


@attrs.frozen(kw_only=True)
class BalancePolicy:
    """The knobs of the prepaid balance.

    Attributes:
        base_tariff: BAL-5: charged every month, even with no use. Seed default 19.00 USD.
        bonus_tiers: BAL-2: top-up bonus tiers, thresholds strictly increasing, all in the
            base tariff's currency. The seed gives no numbers: no tiers by default. A larger
            top-up never earns a smaller bonus: at each threshold the new tier's bonus is at
            least the previous tier's.
    """

    base_tariff: Money = attrs.field(default=DEFAULT_BASE_TARIFF, validator=v.non_negative_money)
    bonus_tiers: tuple[BonusTier, ...] = attrs.field(default=(), converter=v.ToTuple[BonusTier])

    @bonus_tiers.validator
    def _check_tiers(
        self, attribute: attrs.Attribute[object], value: tuple[BonusTier, ...]
    ) -> None:
        for index, tier in enumerate(value):
            _money.require_currency(
                tier.threshold, self.base_tariff.currency, f"BalancePolicy.bonus_tiers[{index}]"
            )
        for index, (before, after) in enumerate(itertools.pairwise(value), start=1):
            where = f"BalancePolicy.bonus_tiers[{index}]"
            if after.threshold <= before.threshold:
                raise InvalidInput(
                    f"{where}.threshold", f"must be above bonus_tiers[{index - 1}].threshold"
                )
            try:
                smaller = after.bonus(after.threshold) < before.bonus(after.threshold)
            except (ArithmeticError, InvalidInput):
                raise InvalidInput(f"{where}.threshold", "is too large") from None
            if smaller:
                raise InvalidInput(
                    where, f"must not give less at its threshold than bonus_tiers[{index - 1}]"
                )

    @property
    def currency(self) -> Currency:
        """The policy's currency (the base tariff's)."""
        return self.base_tariff.currency


def _policy(value: object) -> BalancePolicy:
    if not isinstance(value, BalancePolicy):
        raise InvalidType("policy", f"must be a BalancePolicy, not {type(value).__name__}")
    return value
