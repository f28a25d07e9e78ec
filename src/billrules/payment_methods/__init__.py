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

Every function takes the facts first (the :class:`Wallet`, or the :class:`CardDetails` to
check), the policy second when it reads one (required by the question :func:`can_add` and its
operation :func:`add`; the card checks :func:`validate_card` and :func:`update_card` default to
the seed's), and the rest by keyword: ``can_add(wallet, policy, *, method, at, zone)``,
``can_remove(wallet, *, method_id)``. The area contract: :func:`role_findings` (whether the default can be removed,
PM-2), :func:`findings` and :func:`transitions` (none); reasons are
:class:`PaymentMethodCode` members, questions :class:`PaymentMethodQuestion` members.

Expiry is judged in the account's zone: a card expires after the last day of its expiry month,
local time.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from billrules import _lazy
from billrules.area import Area
from billrules.payment_methods import _contract
from billrules.payment_methods._cards import (
    CardBrandNotAccepted,
    CardCvvError,
    CardDetails,
    CardExpiredError,
    CardExpiryMonthError,
    CardExpiryYearError,
    CardNumberChecksumError,
    CardNumberFormatError,
    CardNumberLengthError,
    InvalidCardDetails,
    UnknownCardBrand,
)
from billrules.payment_methods._codes import AREA as _AREA_NAME
from billrules.payment_methods._codes import (
    CardBrand,
    PaymentMethodCode,
    PaymentMethodKind,
    PaymentMethodQuestion,
)
from billrules.payment_methods._contract import findings, role_findings, transitions
from billrules.payment_methods._facts import PaymentMethod, Wallet
from billrules.payment_methods._policy import (
    DEFAULT_CARD_BRANDS,
    CardBrandRule,
    PaymentMethodPolicy,
)

if TYPE_CHECKING:
    from billrules.payment_methods._wallet import (
        add,
        can_add,
        can_remove,
        can_set_default,
        is_expired,
        remove,
        set_default,
        update_card,
        validate_card,
    )

__all__ = [
    "AREA",
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
    "PaymentMethodCode",
    "PaymentMethodKind",
    "PaymentMethodPolicy",
    "PaymentMethodQuestion",
    "UnknownCardBrand",
    "Wallet",
    "add",
    "can_add",
    "can_remove",
    "can_set_default",
    "findings",
    "is_expired",
    "remove",
    "role_findings",
    "set_default",
    "transitions",
    "update_card",
    "validate_card",
]


#: The payment methods area, as the registry (:data:`billrules.evaluation.AREAS`) reads it.
AREA: Final = Area(
    name=_AREA_NAME,
    prefix="PM",
    codes=PaymentMethodCode,
    questions=PaymentMethodQuestion,
    kinds=None,
    policy=PaymentMethodPolicy,
    contract=_contract,
)

# The names imported under ``TYPE_CHECKING`` are loaded on first use (PEP 562): they serve
# operations no question needs, so importing the area does not load their modules. Type
# checkers read the imports themselves, so they do not see the loader.
if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)
