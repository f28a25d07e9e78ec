"""Strategies for the payment-methods area: card numbers of every brand, cards, wallets.

The card numbers are made up (random digits after a real prefix, with a correct Luhn check
digit): valid in form, belonging to nobody.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from billrules._check import checked
from billrules.payment_methods import (
    CardBrand,
    CardDetails,
    PaymentMethod,
    PaymentMethodKind,
    Wallet,
)

#: Per brand: the prefixes a number may start with, and the lengths it may have.
BRAND_FORMATS: dict[CardBrand, tuple[tuple[str, ...], tuple[int, ...]]] = {
    CardBrand.VISA: (("4",), (13, 16, 19)),
    CardBrand.MASTERCARD: (
        tuple(str(n) for n in range(51, 56)) + tuple(str(n) for n in range(2221, 2721)),
        (16,),
    ),
    CardBrand.AMEX: (("34", "37"), (15,)),
    CardBrand.DISCOVER: (("6011", "65", *(str(n) for n in range(644, 650))), (16, 19)),
    CardBrand.JCB: (tuple(str(n) for n in range(3528, 3590)), (16, 19)),
    CardBrand.DINERS: (("36", "38", "39", "3095", *(str(n) for n in range(300, 306))), (14, 16)),
    CardBrand.UNIONPAY: (("62",), (16, 19)),
}

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


@checked
def card_brands() -> st.SearchStrategy[CardBrand]:
    """Every supported card brand."""
    return st.sampled_from(CardBrand)


@checked
def card_numbers(brand: CardBrand | None = None) -> st.SearchStrategy[str]:
    """Valid card numbers (digits only) of ``brand``, or of any brand."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        chosen = brand if brand is not None else draw(card_brands())
        prefixes, lengths = BRAND_FORMATS[chosen]
        prefix = draw(st.sampled_from(prefixes))
        length = draw(st.sampled_from(lengths))
        rest = draw(
            st.text(
                alphabet="0123456789",
                min_size=length - len(prefix) - 1,
                max_size=length - len(prefix) - 1,
            )
        )
        body = prefix + rest
        return body + luhn_check_digit(body)

    return build()


@checked
def cvvs(brand: CardBrand) -> st.SearchStrategy[str]:
    """Well-formed CVVs for ``brand`` (4 digits for American Express, else 3)."""
    return st.text(alphabet="0123456789", min_size=brand.cvv_length, max_size=brand.cvv_length)


@checked
def card_details(
    brand: CardBrand | None = None, *, years: Sequence[int] = range(2019, 2041)
) -> st.SearchStrategy[CardDetails]:
    """Well-formed :class:`CardDetails` with an expiry in ``years``.

    Whether the expiry has passed depends on the instant the card is validated at; choose
    ``years`` accordingly.
    """

    @st.composite
    def build(draw: st.DrawFn) -> CardDetails:
        chosen = brand if brand is not None else draw(card_brands())
        return CardDetails(
            number=draw(card_numbers(chosen)),
            exp_month=draw(st.integers(min_value=1, max_value=12)),
            exp_year=draw(st.sampled_from(years)),
            cvv=draw(cvvs(chosen)),
        )

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
