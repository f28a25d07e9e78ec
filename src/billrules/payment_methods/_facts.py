"""The payment-methods area's facts: :class:`PaymentMethod` and :class:`Wallet` (PM-1, PM-6,
PM-7).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import attrs

from billrules import _time
from billrules import _validate as v
from billrules.contract import Finding, trusted_finding
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput, InvalidType
from billrules.payment_methods._cards import _DIGITS, _MASK
from billrules.payment_methods._codes import (
    CardBrand,
    PaymentMethodCode,
    PaymentMethodKind,
    PaymentMethodQuestion,
)


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


v.described(
    _last4,
    {"pattern": "^[0-9]{4}$", "description": "The last four digits of the card."},
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

    id: str = attrs.field(validator=v.identifier)
    kind: PaymentMethodKind = attrs.field(converter=v.ToEnum[PaymentMethodKind])
    brand: CardBrand | None = attrs.field(
        default=None, converter=attrs.converters.optional(v.ToEnum[CardBrand])
    )
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


@attrs.frozen(kw_only=True)
class Wallet:
    """An account's payment methods and which one is the default. Holds PM-1 by construction.

    Decides PM-1: a non-empty wallet has exactly one default, the id of one of its methods; an
    empty wallet has none (``default_id`` is ``None``). Method ids are unique. Future charges
    go to :attr:`default`. ``default_since`` is when the default became the default, if the
    host knows it: a new default after a hard decline makes a retry due at once (OVD-2).

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

    methods: tuple[PaymentMethod, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[PaymentMethod],
    )
    default_id: str | None = attrs.field(default=None, validator=v.optional_identifier)
    default_since: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )

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

    @functools.cached_property
    def _role_findings(self) -> tuple[Finding, ...]:
        """What every role may do with the wallet (PM-2, PM-3), built once when first read.

        The body of :func:`~billrules.payment_methods.role_findings`, whose answer depends on
        the wallet alone. The cache is no field: equality, hashing and pickling ignore it.
        """
        if self.default_id is None:
            return ()
        return (
            trusted_finding(
                "payment_methods",
                PaymentMethodQuestion.REMOVE_DEFAULT_METHOD,
                _can_remove(self, self.default_id),
                {"default_id": self.default_id},
            ),
        )


# --------------------------------------------------------------------------------------------
# PM-2, PM-3: whether a method may be removed, which a wallet's role findings cache


def _can_remove(wallet: Wallet, method_id: str) -> Decision:
    method = wallet.get(method_id)
    if method is None:
        return trusted_decision(
            False, (trusted_reason(PaymentMethodCode.UNKNOWN, {"method_id": method_id}),)
        )
    details = {"method_id": method.id, "label": method.label, "default_id": wallet.default_id}
    if method_id == wallet.default_id:
        return trusted_decision(False, (trusted_reason(PaymentMethodCode.DEFAULT_METHOD, details),))
    return trusted_decision(True, (trusted_reason(PaymentMethodCode.NOT_DEFAULT, details),))
