"""Strategies for the payment-methods area: card numbers of every brand, cards, wallets, policies.

The card numbers are made up (random digits after a prefix of the brand's rule in a
:class:`~billrules.payment_methods.PaymentMethodPolicy`, with a correct Luhn check digit): valid
in form, belonging to nobody.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import assume
from hypothesis import strategies as st

from billrules._check import checked
from billrules.errors import InvalidInput
from billrules.payment_methods import (
    DEFAULT_CARD_BRANDS,
    CardBrand,
    CardBrandRule,
    CardDetails,
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodPolicy,
    Wallet,
)

_SEED = PaymentMethodPolicy()
_SEED_RULES = {rule.brand: rule for rule in DEFAULT_CARD_BRANDS}

#: Publicly documented test card numbers, one or two per brand.
TEST_CARD_NUMBERS: dict[str, CardBrand] = {
    "4242424242424242": CardBrand.VISA,
    "5555555555554444": CardBrand.MASTERCARD,
    "2223003122003222": CardBrand.MASTERCARD,
    "378282246310005": CardBrand.AMEX,
    "6011111111111117": CardBrand.DISCOVER,
    "3566002020360505": CardBrand.JCB,
    "36227206271667": CardBrand.DINERS,
    "6200000000000005": CardBrand.UNIONPAY,
    "6759649826438453": CardBrand.MAESTRO,
    "6304000000000000": CardBrand.MAESTRO,
}

_method_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=10)


def luhn_check_digit(body: str) -> str:
    """The digit that completes ``body`` (a string of digits) into a Luhn-valid number."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def _policy(policy: PaymentMethodPolicy | None) -> PaymentMethodPolicy:
    return _SEED if policy is None else policy


@checked
def card_brands(*, policy: PaymentMethodPolicy | None = None) -> st.SearchStrategy[CardBrand]:
    """Every card brand ``policy`` accepts (the seed's: every :class:`CardBrand`)."""
    return st.sampled_from(_policy(policy).accepted)


def _prefix(draw: st.DrawFn, rule: CardBrandRule) -> str:
    first, last = draw(st.sampled_from(rule.ranges))
    value = draw(st.integers(min_value=int(first), max_value=int(last)))
    return str(value).zfill(len(first))


@checked
def card_numbers(
    brand: CardBrand | None = None, *, policy: PaymentMethodPolicy | None = None
) -> st.SearchStrategy[str]:
    """Valid card numbers (digits only) of ``brand``, or of any brand ``policy`` accepts (PM-8).

    Each starts with one of the brand's prefixes and has one of its lengths; a number that a
    longer prefix of another brand would claim is not drawn.
    """
    chosen_policy = _policy(policy)
    rules = {rule.brand: rule for rule in chosen_policy.brands}
    if brand is not None and brand not in rules:
        raise InvalidInput("brand", f"is not accepted by the policy: {brand.label}")

    @st.composite
    def build(draw: st.DrawFn) -> str:
        chosen = brand if brand is not None else draw(card_brands(policy=chosen_policy))
        rule = rules[chosen]
        prefix = _prefix(draw, rule)
        length = draw(st.sampled_from(rule.lengths))
        rest = draw(
            st.text(
                alphabet="0123456789",
                min_size=length - len(prefix) - 1,
                max_size=length - len(prefix) - 1,
            )
        )
        body = prefix + rest
        number = body + luhn_check_digit(body)
        found = chosen_policy._match(number)
        assume(found is not None and found.brand is chosen)
        return number

    return build()


@checked
def cvvs(brand: CardBrand, *, policy: PaymentMethodPolicy | None = None) -> st.SearchStrategy[str]:
    """Well-formed CVVs for ``brand`` under ``policy`` (seed: 4 digits for American Express, else 3)."""
    rule = _policy(policy).rule(brand)
    length = brand.cvv_length if rule is None else rule.cvv_length
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


@checked
def card_details(
    brand: CardBrand | None = None,
    *,
    years: Sequence[int] = range(2019, 2041),
    policy: PaymentMethodPolicy | None = None,
) -> st.SearchStrategy[CardDetails]:
    """Well-formed :class:`CardDetails` with an expiry in ``years``, of a brand ``policy`` accepts.

    Whether the expiry has passed depends on the instant the card is validated at; choose
    ``years`` accordingly.
    """
    chosen_policy = _policy(policy)

    @st.composite
    def build(draw: st.DrawFn) -> CardDetails:
        chosen = brand if brand is not None else draw(card_brands(policy=chosen_policy))
        return CardDetails(
            number=draw(card_numbers(chosen, policy=chosen_policy)),
            exp_month=draw(st.integers(min_value=1, max_value=12)),
            exp_year=draw(st.sampled_from(years)),
            cvv=draw(cvvs(chosen, policy=chosen_policy)),
            policy=chosen_policy,
        )

    return build()


@checked
def card_brand_rules(brand: CardBrand | None = None) -> st.SearchStrategy[CardBrandRule]:
    """Rules for ``brand`` (or any brand): some of the seed's prefixes and lengths, a CVV of 3 or 4."""

    @st.composite
    def build(draw: st.DrawFn) -> CardBrandRule:
        chosen = brand if brand is not None else draw(st.sampled_from(CardBrand))
        seed = _SEED_RULES[chosen]
        return CardBrandRule(
            brand=chosen,
            prefixes=tuple(draw(st.lists(st.sampled_from(seed.prefixes), min_size=1, unique=True))),
            lengths=tuple(draw(st.lists(st.sampled_from(seed.lengths), min_size=1, unique=True))),
            cvv_length=draw(st.sampled_from((3, 4))),
        )

    return build()


@checked
def payment_method_policies() -> st.SearchStrategy[PaymentMethodPolicy]:
    """Valid :class:`PaymentMethodPolicy` values: some of the seed's brands, in any order (PM-8)."""

    @st.composite
    def build(draw: st.DrawFn) -> PaymentMethodPolicy:
        brands = draw(
            st.lists(
                st.sampled_from([rule.brand for rule in DEFAULT_CARD_BRANDS]),
                min_size=1,
                unique=True,
            )
        )
        return PaymentMethodPolicy(brands=tuple(draw(card_brand_rules(brand)) for brand in brands))

    return build()


@checked
def payment_methods(
    *,
    kinds: st.SearchStrategy[PaymentMethodKind] | None = None,
    ids: st.SearchStrategy[str] | None = None,
    years: Sequence[int] = range(2019, 2041),
) -> st.SearchStrategy[PaymentMethod]:
    """Stored payment methods of every kind (PM-7); cards expire in one of ``years``."""

    @st.composite
    def build(draw: st.DrawFn) -> PaymentMethod:
        kind = draw(kinds if kinds is not None else st.sampled_from(PaymentMethodKind))
        is_card = kind is PaymentMethodKind.CARD
        has_card = is_card or draw(st.booleans())
        expires = is_card or draw(st.booleans())
        return PaymentMethod(
            id=draw(ids if ids is not None else _method_ids),
            kind=kind,
            brand=draw(card_brands()) if has_card else None,
            last4=draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
            if has_card
            else None,
            exp_month=draw(st.integers(min_value=1, max_value=12)) if expires else None,
            exp_year=draw(st.sampled_from(years)) if expires else None,
        )

    return build()


@checked
def wallets(*, max_size: int = 5) -> st.SearchStrategy[Wallet]:
    """Wallets of up to ``max_size`` methods with distinct ids and one default (PM-1)."""

    @st.composite
    def build(draw: st.DrawFn) -> Wallet:
        methods = draw(st.lists(payment_methods(), max_size=max_size, unique_by=lambda m: m.id))
        if not methods:
            return Wallet()
        default = draw(st.sampled_from(methods))
        return Wallet(methods=tuple(methods), default_id=default.id)

    return build()
