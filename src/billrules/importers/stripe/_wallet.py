"""Stripe PaymentMethods into a :class:`~billrules.payment_methods.Wallet` (IMP-3, PM-1,
PM-7). Private."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from billrules.errors import InvalidInput
from billrules.importers.stripe._issues import IssueCode, Issues, safe_id
from billrules.importers.stripe._read import (
    Obj,
    foreign,
    integer,
    mapping,
    optional_mapping,
    required_id,
    text,
)
from billrules.payment_methods import CardBrand, PaymentMethod, PaymentMethodKind, Wallet

#: PM-7: the card wallets billrules knows; Stripe's other ones (``link``, ``samsung_pay``,
#: ``masterpass``, ``visa_checkout``, ``amex_express_checkout``) are reported.
_WALLETS: Final = {
    "apple_pay": PaymentMethodKind.APPLE_PAY,
    "google_pay": PaymentMethodKind.GOOGLE_PAY,
}
_BRANDS: Final = {brand.value: brand for brand in CardBrand}


def payment_method(obj: Obj, path: str, issues: Issues) -> PaymentMethod | None:
    """One Stripe PaymentMethod as a billrules one, or ``None`` (reported) when it cannot map.

    A ``card`` maps; its ``card.wallet.type`` ``apple_pay`` or ``google_pay`` gives the PM-7
    kind; another wallet type is reported and the method kept as a card. Every other type
    (``sepa_debit``, ``us_bank_account``, ``link``…) is reported and left out.
    """
    method_id = required_id(obj, path)
    shown_id = safe_id(method_id)
    kind = text(obj, "type", path)
    if kind != "card":
        issues.add(
            IssueCode.UNSUPPORTED_PAYMENT_METHOD,
            f"{path}.type",
            shown_id,
            "billrules holds cards, Apple Pay and Google Pay only (PM-7)",
        )
        return None
    card = optional_mapping(obj, "card", path)
    if card is None:
        issues.add(IssueCode.MISSING_FIELD, f"{path}.card", shown_id, "a card has no card details")
        return None
    where = f"{path}.card"
    method_kind = PaymentMethodKind.CARD
    wallet = optional_mapping(card, "wallet", where)
    if wallet is not None:
        wallet_type = text(wallet, "type", f"{where}.wallet")
        found = _WALLETS.get(wallet_type or "")
        if found is None:
            issues.add(
                IssueCode.UNSUPPORTED_WALLET,
                f"{where}.wallet.type",
                shown_id,
                "only Apple Pay and Google Pay are wallets in billrules (PM-7); "
                "the method is kept as a card",
            )
        else:
            method_kind = found
    brand_text = text(card, "brand", where)
    brand = _BRANDS.get(brand_text or "")
    if brand is None:
        issues.add(
            IssueCode.UNSUPPORTED_CARD_BRAND,
            f"{where}.brand",
            shown_id,
            "the card's brand is not one billrules knows (PM-8)",
        )
        return None
    last4 = text(card, "last4", where)
    exp_month = integer(card, "exp_month", where)
    exp_year = integer(card, "exp_year", where)
    try:
        return PaymentMethod(
            id=method_id,
            kind=method_kind,
            brand=brand,
            last4=last4,
            exp_month=exp_month,
            exp_year=exp_year,
        )
    except InvalidInput as refused:
        issues.add(IssueCode.REFUSED_VALUE, where, shown_id, refused.problem)
        return None


def wallet(
    objects: Sequence[object],
    default_ids: Sequence[tuple[str | None, str]],
    customer_id: str,
    issues: Issues,
) -> Wallet:
    """The wallet of the mapped methods (PM-1).

    The default is the first of ``default_ids`` (the customer's
    ``invoice_settings.default_payment_method``, the subscription's
    ``default_payment_method``, the customer's ``default_source``: Stripe's own order) that
    names a mapped method. None does: the cross-check ``no_default_payment_method`` (IMP-5)
    is reported and the wallet is left empty, since billrules does not pick a default.
    """
    methods: list[PaymentMethod] = []
    seen: set[str] = set()
    for index, raw in enumerate(objects):
        path = f"payment_methods[{index}]"
        obj = mapping(raw, path)
        if foreign(obj, path, customer_id, issues):
            continue
        method = payment_method(obj, path, issues)
        if method is None:
            continue
        if method.id in seen:
            issues.add(IssueCode.DUPLICATE_ID, f"{path}.id", safe_id(method.id), "a second copy")
            continue
        seen.add(method.id)
        methods.append(method)
    if not methods:
        return Wallet()
    for default_id, _path in default_ids:
        if default_id is not None and default_id in seen:
            return Wallet(methods=tuple(methods), default_id=default_id)
    issues.add(
        IssueCode.NO_DEFAULT_PAYMENT_METHOD,
        "customer.invoice_settings.default_payment_method",
        None,
        f"{len(methods)} payment method(s) but none is the default (PM-1); "
        "the wallet is left empty rather than a default guessed",
    )
    return Wallet()
