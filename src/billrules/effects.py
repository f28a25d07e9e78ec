"""Effects: what the host application is asked to do (X-2), each with its key (X-6).

billrules never sends an email, deletes an account or cancels a billing. An operation that
calls for something to happen returns effect values; the host carries them out. Every effect
is a frozen value with the instant it is due (``at``) and the rule that called for it
(``rule``), so it can be logged, queued, compared and replayed.

Two optional fields say *which* effect it is: ``account``, the id of the account it acts on
(set on every effect gathered for an account: the timeline, ``upcoming``, ``explain``), and
``occasion``, for an operation's effect, a short text naming the facts it acts on (the
invoice, the charge, the cancellation request…); a scheduled effect has none, its occasion
is the instant it is due.

:attr:`Effect.key` is a short deterministic string (X-6) built from what makes an effect the
same effect: its account, kind, rule, target (the fields of its own class: the invoice, the
user, the template…) and occasion. Recomputing an effect from the same facts, in any later
run and from any window, gives the same key: two effects have the same key exactly when they
are equal (``==``), their ``at`` aside when they have an occasion. A host that records the
keys of what it executed carries out each effect exactly once (``docs/effects.md`` shows
how). The key is ``"eff_"`` followed by the 32 lowercase hex digits of the BLAKE2b digest
(16 bytes, no key, no salt) of the UTF-8 bytes of::

    json.dumps([KEY_VERSION, account, kind, rule, target, occasion],
               sort_keys=True, separators=(",", ":"), ensure_ascii=True)

where ``account`` is the id or ``null``; ``kind`` the effect's kind (``"send_email"``);
``target`` the object of the effect's own fields (every field but ``at``, ``rule``,
``account`` and ``occasion``) in canonical form; and ``occasion`` the pair
``["occasion", text]`` or, for a scheduled effect, ``["at", at in UTC as ISO 8601]``.
Canonical forms make equal values equal text, and values of different kinds different
text (a string never reads as an amount, a date or a number):

- text and ``null`` as they are; an enum member as its value;
- a number (an integer, a boolean, a float, a decimal) by its value: an integral one as a
  JSON integer (``True`` is ``1``; ``1.0``, ``Decimal("1.00")`` and ``-0.0`` are ``1``, ``1``
  and ``0``), any other as ``{"$decimal": "1.5"}``, its exact value in plain notation
  without trailing zeros (a float's binary value in full); a number of more than 4,000
  digits has none;
- money as ``{"$money": "19.5 USD"}`` (the amount so written, a space, the currency code);
- an instant as ``{"$instant": "2024-05-01T00:00:00+00:00"}``, in UTC (with ``.ffffff``
  only when the microseconds are not 0); a date as ``{"$date": "2024-05-01"}``;
- a mapping (string keys) as an object of canonical forms, written
  ``{"$object": {...}}`` when its only key starts with ``$``; a tuple or list as a list.

Details hold no set (refused when an effect is built). The JSON is compact, with sorted keys
and ``\\uXXXX`` escapes for every non-ASCII character, so any language can recompute a key.
:data:`KEY_VERSION` changes when the encoding does (``v2``: tagged values and occasions).

>>> from datetime import datetime, UTC
>>> from billrules.effects import CancelBilling
>>> effect = CancelBilling(at=datetime(2024, 5, 1, tzinfo=UTC), rule="CAN-7", invoice_id="inv-9")
>>> effect.kind, effect.invoice_id
('cancel_billing', 'inv-9')
>>> effect.key
'eff_cf13fc18e719cf4a6369c808e7f6f72f'
>>> attrs.evolve(effect, account="acme").key == effect.key
False
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import Any, ClassVar, Final, cast

import attrs
from moneyed import Money

from billrules import _validate as v
from billrules.errors import InvalidType

__all__ = [
    "KEY_VERSION",
    "CancelBilling",
    "ChargePaymentMethod",
    "DeactivateUser",
    "DebitBalance",
    "DeleteAccount",
    "Effect",
    "HideBanner",
    "PurgeData",
    "ReassignLeads",
    "RecordCancellation",
    "RemoveFromCallQueue",
    "RestoreAccount",
    "RevokeAccess",
    "SendEmail",
    "SetAccountStatus",
    "SetEmailOptOut",
    "SetLicenceCount",
    "ShowBanner",
]


#: The first item of every key's canonical encoding: it changes if the encoding ever does.
KEY_VERSION: Final = "billrules.effect.v2"

#: The canonical JSON of a key: compact, sorted keys, ASCII only (an encoder keeps no state).
_canonical: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
).encode

#: The fields of :class:`Effect` itself: every other field of an effect is its target.
_BASE_FIELDS: Final = frozenset({"at", "rule", "account", "occasion"})


#: The most digits a number written in a key may have (Python writes no longer integer).
_MOST_DIGITS: Final = 4000

#: Integers strictly between ``-_BIG`` and ``_BIG`` have at most ``_MOST_DIGITS`` digits.
_BIG: Final = 10**_MOST_DIGITS


class _NoCanonicalForm(Exception):
    """A value of a kind the key's encoding has no form for."""


def _number(value: Decimal) -> str:
    """A finite decimal in plain notation without trailing zeros: ``"19.5"``, ``"0"``."""
    if not value.is_finite():
        raise _NoCanonicalForm
    if not value:
        return "0"
    normal = value.normalize(_WIDE)
    if abs(normal.adjusted()) > _MOST_DIGITS or len(normal.as_tuple().digits) > _MOST_DIGITS:
        raise _NoCanonicalForm
    return format(normal, "f")


#: A context keeping every digit of the numbers a key writes (the default keeps 28).
_WIDE: Final = Context(prec=_MOST_DIGITS + 1, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _integer(value: int) -> int:
    if -_BIG < value < _BIG:
        return value
    raise _NoCanonicalForm


def _decimal(value: Decimal) -> Any:
    """A number by its value: an integral one as a JSON integer, any other tagged."""
    text = _number(value)
    if "." in text:
        return {"$decimal": text}
    return _integer(int(text))


def _canonical_form(value: object) -> Any:
    """``value`` as the key's encoding writes it (see the module's documentation)."""
    kind = type(value)
    if kind is str or value is None:  # the common cases, checked first
        return value
    if kind is int:
        return _integer(cast(int, value))
    if kind is v.FrozenMapping or isinstance(value, Mapping):
        items = cast("Mapping[object, Any]", value)
        if not all(isinstance(key, str) for key in items):
            raise _NoCanonicalForm
        mapping = {str.__str__(key): _canonical_form(item) for key, item in items.items()}
        if len(mapping) == 1 and next(iter(mapping)).startswith("$"):
            return {"$object": mapping}
        return mapping
    if isinstance(value, enum.Enum):
        return _canonical_form(value.value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):  # a bool is the integer it equals
        return _integer(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NoCanonicalForm
        return _decimal(Decimal(value))  # exact: 0.5 and Decimal("0.5") are equal
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, Money):
        return {"$money": f"{_number(value.amount)} {value.currency.code}"}
    if isinstance(value, datetime):
        return {"$instant": value.astimezone(UTC).isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [_canonical_form(item) for item in value]
    raise _NoCanonicalForm


@attrs.frozen(kw_only=True)
class Effect:
    """The base of every effect: when it is due, which rule called for it (X-2), and which
    effect it is (X-6).

    Attributes:
        at: When it is due.
        rule: The rule that called for it (``"CAN-7"``).
        account: The id of the account it acts on; set on the effects gathered for an
            account (timeline, ``upcoming``, ``explain``). An operation is given no account:
            the host sets it (``attrs.evolve(effect, account=account_id)``) before keying
            effects of several accounts in one place.
        occasion: For an operation's effect, a short text naming the facts it acts on (the
            charge, the cancellation request…), so the same operation on the same facts gives
            the same key whenever it runs; ``None`` for a scheduled effect, whose occasion is
            ``at``.
    """

    kind: ClassVar[str] = "effect"

    at: datetime = attrs.field(validator=v.instant)
    rule: str = attrs.field(validator=v.identifier)
    account: str | None = attrs.field(default=None, validator=v.optional_identifier)
    occasion: str | None = attrs.field(default=None, validator=v.optional_identifier)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @property
    def target(self) -> dict[str, Any]:
        """The canonical form of the effect's own fields (all but the base's): what it acts
        on, as its key encodes it.

        Raises:
            InvalidType: a field (such as an email's ``details``) holds a value that has no
                canonical form (see the module's documentation).
        """
        found: dict[str, Any] = {}
        for field in attrs.fields(type(self)):
            name = field.name
            if name in _BASE_FIELDS:
                continue
            value = getattr(self, name)
            try:
                found[name] = value if type(value) is str else _canonical_form(value)
            except _NoCanonicalForm:
                raise InvalidType(
                    f"{type(self).__name__}.{name}",
                    "holds a value that has no canonical form (an object, NaN, a number of"
                    f" more than {_MOST_DIGITS} digits), so the effect has no key",
                ) from None
        return found

    @property
    def key(self) -> str:
        """The effect's key (X-6): ``"eff_"`` and 32 hex digits, the same for the same effect
        in every run, process and machine, and different for different effects.

        See the module's documentation for the encoding.

        Raises:
            InvalidType: a field (such as an email's ``details``) holds a value that has no
                canonical form.
        """
        occasion = self.occasion
        when = (
            ["at", self.at.astimezone(UTC).isoformat()]
            if occasion is None
            else ["occasion", occasion]
        )
        canonical = _canonical([KEY_VERSION, self.account, self.kind, self.rule, self.target, when])
        return "eff_" + hashlib.blake2b(canonical.encode("ascii"), digest_size=16).hexdigest()


@attrs.frozen(kw_only=True)
class SendEmail(Effect):
    """Send the email ``template`` to ``to`` (a user id, or a role such as ``"owner"``)."""

    template: str = attrs.field(validator=v.text)
    to: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=v.to_frozen_mapping(),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        hash=False,
    )


@attrs.frozen(kw_only=True)
class ShowBanner(Effect):
    """Show the banner ``banner`` to every user of the account, with its ``details``."""

    banner: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=v.to_frozen_mapping(),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        hash=False,
    )


@attrs.frozen(kw_only=True)
class HideBanner(Effect):
    """Stop showing the banner ``banner``."""

    banner: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class CancelBilling(Effect):
    """Cancel the scheduled or submitted billing (invoice) ``invoice_id``."""

    invoice_id: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class ChargePaymentMethod(Effect):
    """Charge ``amount`` for ``invoice_id`` to the stored payment method ``method_id``."""

    amount: Money = attrs.field(validator=v.positive_money)
    method_id: str = attrs.field(validator=v.identifier)
    invoice_id: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class DebitBalance(Effect):
    """Draw ``amount`` from the prepaid balance for ``description``."""

    amount: Money = attrs.field(validator=v.positive_money)
    description: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class SetLicenceCount(Effect):
    """Set the number of licences (seats) to ``count``."""

    count: int = attrs.field(validator=v.integer(minimum=0))


@attrs.frozen(kw_only=True)
class SetAccountStatus(Effect):
    """Set the account's status to ``status`` (for example ``"DELETE"``)."""

    status: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class RecordCancellation(Effect):
    """Record the cancellation's date and reason (and free feedback) on the account."""

    reason: str = attrs.field(validator=v.text)
    feedback: str = attrs.field(default="", validator=v.instance_of(str))


@attrs.frozen(kw_only=True)
class SetEmailOptOut(Effect):
    """Record whether the customer opts out of further email."""

    opt_out: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class DeactivateUser(Effect):
    """Deactivate the user ``user_id``."""

    user_id: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class RevokeAccess(Effect):
    """Revoke every user's access to the account."""


@attrs.frozen(kw_only=True)
class ReassignLeads(Effect):
    """Reassign the account's leads to another agent (``to_agent``, or the host's choice)."""

    to_agent: str | None = attrs.field(default=None, validator=v.optional_identifier)


@attrs.frozen(kw_only=True)
class RemoveFromCallQueue(Effect):
    """Remove the account's leads from the call queue."""


@attrs.frozen(kw_only=True)
class DeleteAccount(Effect):
    """Delete the account: it becomes inaccessible; its data are retained until purged."""


@attrs.frozen(kw_only=True)
class PurgeData(Effect):
    """Purge the account's retained data for good."""


@attrs.frozen(kw_only=True)
class RestoreAccount(Effect):
    """Restore a deleted account from its retained data."""
