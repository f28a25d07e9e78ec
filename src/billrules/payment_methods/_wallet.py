"""Payment methods: expiry (PM-4), and the questions and operations on a wallet
(PM-1 … PM-5).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from billrules import _time
from billrules._check import checked
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.payment_methods._cards import (
    CardDetails,
    CardExpiredError,
    _card_number,
    _cvv,
)
from billrules.payment_methods._codes import PaymentMethodCode, PaymentMethodKind
from billrules.payment_methods._facts import PaymentMethod, Wallet, _can_remove
from billrules.payment_methods._policy import _SEED, PaymentMethodPolicy

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


_C = PaymentMethodCode


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
    policy: PaymentMethodPolicy,
    *,
    method: PaymentMethod,
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
        return trusted_decision(False, (trusted_reason(_C.ID_TAKEN, {"method_id": method.id}),))
    if method.brand is not None and policy.rule(method.brand) is None:
        return trusted_decision(
            False,
            (
                trusted_reason(
                    _C.BRAND_NOT_ACCEPTED,
                    {
                        "method_id": method.id,
                        "label": method.label,
                        "brand": method.brand,
                        "brand_label": method.brand.label,
                        "accepted": policy.accepted,
                    },
                ),
            ),
        )
    if is_expired(method, at=at, zone=zone):
        return trusted_decision(False, (trusted_reason(_C.EXPIRED, _expiry_details(method, now)),))
    if not wallet.methods:
        placed = trusted_reason(
            _C.FIRST_BECOMES_DEFAULT, {"method_id": method.id, "label": method.label}
        )
    else:
        placed = trusted_reason(
            _C.DEFAULT_UNCHANGED,
            {
                "method_id": method.id,
                "label": method.label,
                "default_id": wallet.default_id,
            },
        )
    return trusted_decision(
        True, (placed, trusted_reason(_C.UNEXPIRED, _expiry_details(method, now)))
    )


@checked
def add(
    wallet: Wallet,
    policy: PaymentMethodPolicy,
    *,
    method: PaymentMethod,
    at: datetime,
    zone: ZoneInfo | str,
) -> Wallet:
    """``wallet`` with ``method`` added; the first method becomes the default. Decides PM-1.

    Raises:
        PolicyViolation: :func:`can_add` refuses (under ``policy``); ``wallet`` is unchanged.
    """
    can_add(wallet, policy, method=method, at=at, zone=zone).require()
    if wallet.default_id is not None:
        return attrs.evolve(wallet, methods=(*wallet.methods, method))
    return Wallet(methods=(method,), default_id=method.id, default_since=at)


@checked
def can_set_default(
    wallet: Wallet, *, method_id: str, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether the stored method ``method_id`` may become the default at ``at``. Decides PM-4.

    Any stored method that has not expired may; an expired card may not, nor an unknown id.
    """
    now = _local_month(at, zone)
    method = wallet.get(method_id)
    if method is None:
        return trusted_decision(
            False, (trusted_reason(_C.DEFAULT_UNKNOWN, {"method_id": method_id}),)
        )
    details = _expiry_details(method, now)
    if is_expired(method, at=at, zone=zone):
        return trusted_decision(False, (trusted_reason(_C.EXPIRED_NOT_DEFAULT, details),))
    return trusted_decision(True, (trusted_reason(_C.CAN_BECOME_DEFAULT, details),))


@checked
def set_default(wallet: Wallet, *, method_id: str, at: datetime, zone: ZoneInfo | str) -> Wallet:
    """``wallet`` with ``method_id`` as its default since ``at``. Decides PM-4.

    ``default_since`` records ``at`` when the default changes (OVD-2: a new default makes a
    retry due at once); making the default the default again changes nothing.

    Raises:
        PolicyViolation: :func:`can_set_default` refuses; ``wallet`` is unchanged.
    """
    can_set_default(wallet, method_id=method_id, at=at, zone=zone).require()
    if method_id == wallet.default_id:
        return wallet
    return attrs.evolve(wallet, default_id=method_id, default_since=at)


@checked
def can_remove(wallet: Wallet, *, method_id: str) -> Decision:
    """Whether the method ``method_id`` may be removed. Decides PM-2 and PM-3.

    The default cannot be removed (PM-2): the reason tells the user to add another method and
    make it the default first. Any other stored method can, at any time (PM-3).

    >>> from billrules.payment_methods import PaymentMethod, Wallet, can_remove
    >>> visa = PaymentMethod(id="pm-1", kind="card", brand="visa", last4="4242",
    ...                      exp_month=12, exp_year=2030)
    >>> decision = can_remove(Wallet(methods=(visa,), default_id="pm-1"), method_id="pm-1")
    >>> decision.allowed, [str(code) for code in decision.codes]
    (False, ['default_payment_method'])
    >>> decision.message.startswith("Visa •••• 4242 is the default payment method")
    True
    >>> "Add another payment method and make it the default first" in decision.message
    True
    """
    return _can_remove(wallet, method_id)


@checked
def remove(wallet: Wallet, *, method_id: str) -> Wallet:
    """``wallet`` without the method ``method_id``. Decides PM-2 and PM-3.

    Raises:
        PolicyViolation: :func:`can_remove` refuses (the default, or an unknown id); ``wallet``
            is unchanged.
    """
    can_remove(wallet, method_id=method_id).require()
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
    policy: PaymentMethodPolicy = _SEED,
    *,
    details: CardDetails,
    method_id: str,
    at: datetime,
    zone: ZoneInfo | str,
    remove_previous: bool = False,
) -> Wallet:
    """``wallet`` with a new card from ``details`` as its default. Decides PM-5 and PM-8.

    The details are validated under ``policy`` (:func:`validate_card`), the card is added
    (:func:`can_add`) and made the default, so all future charges use it. The previous default
    stays in the wallet as an ordinary method unless ``remove_previous`` (then it is removed,
    as PM-3 allows once it is no longer the default). Past invoices are not touched: they keep
    the masked label of the method they were charged to.

    Raises:
        InvalidCardDetails: a subclass naming the field that is wrong.
        PolicyViolation: :func:`can_add` refuses (``method_id`` is taken); ``wallet`` is
            unchanged.
    """
    method = validate_card(details, policy, method_id=method_id, at=at, zone=zone)
    previous = wallet.default_id
    updated = add(wallet, policy, method=method, at=at, zone=zone)
    updated = set_default(updated, method_id=method_id, at=at, zone=zone)
    if remove_previous and previous is not None:
        updated = remove(updated, method_id=previous)
    return updated
