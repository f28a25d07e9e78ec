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
>>> import attrs
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

# The effect classes are shown and pickled as this module's (their ``__module__``), so the
# names their annotations use are here too, for ``typing.get_type_hints`` (marked ``F401``).
from collections.abc import Mapping  # noqa: F401
from datetime import datetime  # noqa: F401
from typing import TYPE_CHECKING, Any, ClassVar  # noqa: F401

from moneyed import Money  # noqa: F401

from billrules._effect import KEY_VERSION as KEY_VERSION
from billrules._effect import Effect as Effect
from billrules._effect import trusted_effect as trusted_effect  # for the areas, not in __all__

if TYPE_CHECKING:
    # isort: off
    from billrules._effect_kinds import (
        CancelBilling as CancelBilling,
        CancelSubscription as CancelSubscription,
        ChargePaymentMethod as ChargePaymentMethod,
        DeactivateUser as DeactivateUser,
        DebitBalance as DebitBalance,
        DeleteAccount as DeleteAccount,
        HideBanner as HideBanner,
        PurgeData as PurgeData,
        ReassignLeads as ReassignLeads,
        RecordCancellation as RecordCancellation,
        RecordDeletionOutcome as RecordDeletionOutcome,
        RemoveFromCallQueue as RemoveFromCallQueue,
        RenewSubscription as RenewSubscription,
        RestoreAccount as RestoreAccount,
        RetryCharge as RetryCharge,
        RevokeAccess as RevokeAccess,
        ScheduleDeletion as ScheduleDeletion,
        SendEmail as SendEmail,
        SetAccess as SetAccess,
        SetAccountStatus as SetAccountStatus,
        SetEmailOptOut as SetEmailOptOut,
        SetLicenceCount as SetLicenceCount,
        ShowBanner as ShowBanner,
        WriteOffInvoice as WriteOffInvoice,
    )
    # isort: on

__all__ = [
    "KEY_VERSION",
    "CancelBilling",
    "CancelSubscription",
    "ChargePaymentMethod",
    "DeactivateUser",
    "DebitBalance",
    "DeleteAccount",
    "Effect",
    "HideBanner",
    "PurgeData",
    "ReassignLeads",
    "RecordCancellation",
    "RecordDeletionOutcome",
    "RemoveFromCallQueue",
    "RenewSubscription",
    "RestoreAccount",
    "RetryCharge",
    "RevokeAccess",
    "ScheduleDeletion",
    "SendEmail",
    "SetAccess",
    "SetAccountStatus",
    "SetEmailOptOut",
    "SetLicenceCount",
    "ShowBanner",
    "WriteOffInvoice",
]

#: The kinds of effect, defined in ``billrules._effect_kinds`` and loaded on first use: an
#: area that builds none (dunning, invoices…) does not pay for their classes.
_KINDS = frozenset(__all__) - {"KEY_VERSION", "Effect"}


# Type checkers read the kinds' imports above, so they do not see the loader.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Load the kinds of effect when one is first named (PEP 562)."""
        if name not in _KINDS:
            raise AttributeError(f"module 'billrules.effects' has no attribute {name!r}")
        from billrules import _effect_kinds

        for kind in _KINDS:
            globals()[kind] = getattr(_effect_kinds, kind)
        return globals()[name]

    def __dir__() -> list[str]:
        return sorted(set(globals()) | _KINDS)
