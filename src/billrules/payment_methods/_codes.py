"""The payment-methods area's reason codes and questions (PM-1 … PM-5, PM-8), and its kinds
and card brands (PM-5, PM-7).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "payment_methods"


class PaymentMethodCode(ReasonCode, area=AREA):
    """Every reason the payment-methods area gives, with its rule and its English sentence."""

    #: PM-3: the id names no method of the wallet, so there is nothing to remove.
    UNKNOWN = (
        "payment_method_unknown",
        "PM-3",
        "There is no payment method '{method_id}' in the wallet.",
    )
    #: PM-4: the id names no method of the wallet, so none can become the default.
    DEFAULT_UNKNOWN = (
        "default_method_unknown",
        "PM-4",
        "There is no payment method '{method_id}' in the wallet to make the default.",
    )
    #: PM-1: method ids are unique in a wallet.
    ID_TAKEN = (
        "payment_method_id_taken",
        "PM-1",
        "The wallet already has a payment method '{method_id}'.",
    )
    #: PM-8: the policy does not accept the card's brand.
    BRAND_NOT_ACCEPTED = (
        "card_brand_not_accepted",
        "PM-8",
        "{label} cannot be added: {brand_label} cards are not accepted.",
    )
    #: PM-5: new details must not be before the current month.
    EXPIRED = "payment_method_expired", "PM-5", "{label} has expired and cannot be added."
    #: PM-5: the new method has not expired.
    UNEXPIRED = "payment_method_unexpired", "PM-5", "{label} has not expired."
    #: PM-1: the first method of an empty wallet becomes its default.
    FIRST_BECOMES_DEFAULT = (
        "first_method_becomes_default",
        "PM-1",
        "{label} is the first payment method and becomes the default.",
    )
    #: PM-1: adding a method to a wallet that has a default keeps it.
    DEFAULT_UNCHANGED = "default_unchanged", "PM-1", "{label} is added; the default stays as it is."
    #: PM-4: an expired card cannot become the default.
    EXPIRED_NOT_DEFAULT = (
        "expired_cannot_become_default",
        "PM-4",
        "{label} has expired and cannot become the default.",
    )
    #: PM-4: a stored method that has not expired can become the default.
    CAN_BECOME_DEFAULT = "stored_and_unexpired", "PM-4", "{label} is stored and has not expired."
    #: PM-2: the default cannot be removed.
    DEFAULT_METHOD = (
        "default_payment_method",
        "PM-2",
        "{label} is the default payment method and cannot be removed. Add another payment "
        "method and make it the default first, then remove this one.",
    )
    #: PM-3: any other method can be removed at any time.
    NOT_DEFAULT = "not_default", "PM-3", "{label} is not the default and can be removed."


class PaymentMethodQuestion(Question, area=AREA):
    """The questions :func:`~billrules.payment_methods.role_findings` answers (PM-2)."""

    REMOVE_DEFAULT_METHOD = (
        "remove_default_method",
        "The default payment method can be removed.",
        "The default payment method cannot be removed.",
    )


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
