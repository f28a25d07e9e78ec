"""Effects: what the host application is asked to do (X-2), each with its key (X-6).

billrules never sends an email, deletes an account or cancels a billing. An operation that
calls for something to happen returns effect values; the host carries them out. Every effect
is a frozen value with the instant it is due (``at``) and the rule that called for it
(``rule``), so it can be logged, queued, compared and replayed.

Two optional fields say *which* effect it is: ``account``, the id of the account it acts on
(set on every effect gathered for an account — the timeline, ``upcoming``, ``explain`` — and
by every operation returning effects, which takes the account's id as ``account=``), and
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

where ``account`` is the account's id (an effect without one has no key: two accounts'
effects would share it); ``kind`` the effect's kind (``"send_email"``);
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
- an instant as ``{"$instant": "2024-05-01T00:00:00+00:00"}``, its UTC instant (with
  ``.ffffff`` only when the microseconds are not 0): a wall time in a fold is the instant its
  ``fold`` picks, one in a gap the instant its ``utcoffset()`` gives (``fold=0``: the offset
  before the change); a date as ``{"$date": "2024-05-01"}``;
- a mapping (string keys) as an object of canonical forms, written
  ``{"$object": {...}}`` when its only key starts with ``$``; a tuple or list as a list.

The forms are ``billrules._details.canonical_form``, which details' equality is computed from
too, and an effect's ``at`` compares as its UTC instant, so ``==`` never disagrees with the
key. Details hold only values that have a form (no set, no naive instant, no card number, no
number out of bounds, nothing whose JSON nests more than 16 levels): anything else is refused
when the effect is built, so ``key`` never fails on a built effect. The JSON is compact, with
sorted keys and ``\\uXXXX`` escapes for every non-ASCII character, so any language can
recompute a key.
:data:`KEY_VERSION` changes when the encoding does (``v2``: tagged values and occasions).

>>> from datetime import datetime, UTC
>>> from billrules.effects import CancelBilling
>>> effect = CancelBilling(at=datetime(2024, 5, 1, tzinfo=UTC), rule="CAN-7", invoice_id="inv-9",
...                        account="acme")
>>> effect.kind, effect.invoice_id
('cancel_billing', 'inv-9')
>>> effect.key
'eff_...'
>>> attrs.evolve(effect, account="globex").key == effect.key
False
>>> attrs.evolve(effect, account=None).key
Traceback (most recent call last):
...
billrules.errors.InvalidInput: account: an effect is keyed with its account: ...
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, TypeVar

import attrs
from moneyed import Money

from billrules import _details, _time
from billrules import _validate as v
from billrules.errors import InvalidInput, InvalidType

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
_MOST_DIGITS: Final = _details.MOST_DIGITS

#: A value of a kind the key's encoding has no form for.
_NoCanonicalForm: Final = _details.NoCanonicalForm

#: ``value`` as the key's encoding writes it (see the module's documentation): the same
#: canonical form that details' equality is computed from (``billrules._details``).
_canonical_form: Final = _details.canonical_form


@attrs.frozen(kw_only=True)
class Effect:
    """The base of every effect: when it is due, which rule called for it (X-2), and which
    effect it is (X-6).

    Attributes:
        at: When it is due.
        rule: The rule that called for it (``"CAN-7"``).
        account: The id of the account it acts on: set on the effects gathered for an
            account (timeline, ``upcoming``, ``explain``) and on those an operation returns
            (every operation returning effects takes ``account=``). ``None`` only on the
            account-free effects of an area's own ``transitions()``; such an effect has no
            :attr:`key` until its account is set (``attrs.evolve(effect, account=...)``).
        occasion: For an operation's effect, a short text naming the facts it acts on (the
            charge, the cancellation request…), so the same operation on the same facts gives
            the same key whenever it runs; ``None`` for a scheduled effect, whose occasion is
            ``at``.
    """

    kind: ClassVar[str] = "effect"

    at: datetime = attrs.field(validator=v.instant, eq=_time.instant_key)
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
            InvalidInput: the effect has no ``account`` (two accounts' effects would share
                the key: X-6).
            InvalidType: a field (such as an email's ``details``) holds a value that has no
                canonical form.
        """
        account = self.account
        if account is None:
            raise InvalidInput(
                "account",
                "an effect is keyed with its account: pass account= to the operation, or set"
                " it (attrs.evolve(effect, account=...)) before keying",
            )
        occasion = self.occasion
        when = (
            ["at", self.at.astimezone(UTC).isoformat()]
            if occasion is None
            else ["occasion", occasion]
        )
        canonical = _canonical([KEY_VERSION, account, self.kind, self.rule, self.target, when])
        return "eff_" + hashlib.blake2b(canonical.encode("ascii"), digest_size=16).hexdigest()


E = TypeVar("E", bound=Effect)

_new = object.__new__
_set = object.__setattr__


def trusted_effect(kind: type[E], /, **fields: Any) -> E:
    """The effect ``kind`` with ``fields``, built by an area from checked values (details as a
    :class:`~billrules._validate.FrozenMapping`): nothing is checked again (DESIGN.md,
    "Checked once"). Private to the areas.

    ``account`` and ``occasion`` left out are ``None``; an effect leaving out another field
    that has a default, or given details in any other mapping, is built by its constructor.
    """
    details = fields.get("details")
    if details is not None and type(details) is not v.FrozenMapping:
        return kind(**fields)
    effect = _new(kind)
    for field in kind.__attrs_attrs__:  # attrs.fields(kind), without its checks
        name = field.name
        if name in fields:
            _set(effect, name, fields[name])
        elif name == "account" or name == "occasion":
            _set(effect, name, None)
        else:
            return kind(**fields)
    return effect


def _email_details(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return v.details_of(value, "SendEmail.details")


def _banner_details(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return v.details_of(value, "ShowBanner.details")


@attrs.frozen(kw_only=True)
class SendEmail(Effect):
    """Send the email ``template`` to ``to`` (a user id, or a role such as ``"owner"``)."""

    template: str = attrs.field(validator=v.text)
    to: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=_email_details,
        hash=False,
    )


@attrs.frozen(kw_only=True)
class ShowBanner(Effect):
    """Show the banner ``banner`` to every user of the account, with its ``details``."""

    banner: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=_banner_details,
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
    """Draw ``amount`` from the prepaid balance for ``description`` (BAL-7).

    Its ``occasion`` is the id of the ledger entry that records the draw (a monthly charge's
    ``charge-YYYY-MM``, :func:`billrules.balance.charge_month`): the host carries it out by
    adding that entry to the account's ledger (``ledger.add(result.charge)``), which refuses
    an id already there, so the balance is drawn once.
    """

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
