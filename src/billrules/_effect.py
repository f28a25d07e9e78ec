"""The base of every effect, its key and canonical encoding. Private: exported by
:mod:`billrules.effects`, whose documentation describes the encoding.

The kinds of effect (``SendEmail``…) live in ``billrules._effect_kinds``, loaded when one is
first named, so that importing an area that builds none of them costs none of their classes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar

import attrs

from billrules import _details, _time
from billrules import _validate as v
from billrules.errors import InvalidInput, InvalidType

if TYPE_CHECKING:
    import hashlib

__all__ = ["KEY_VERSION", "Effect"]


#: The first item of every key's canonical encoding: it changes if the encoding ever does.
KEY_VERSION: Final = "billrules.effect.v2"


@functools.cache
def _key_tools() -> tuple[Callable[[object], str], type[hashlib.blake2b]]:
    """The canonical JSON of a key (compact, sorted keys, ASCII only: an encoder keeps no
    state) and BLAKE2b: loaded when the first key is, not with the module."""
    import hashlib
    import json

    encode = json.JSONEncoder(
        sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode
    return encode, hashlib.blake2b


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

    __module__ = "billrules.effects"  # where it is imported from and shown

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
        canonical, blake2b = _key_tools()
        text = canonical([KEY_VERSION, account, self.kind, self.rule, self.target, when])
        return "eff_" + blake2b(text.encode("ascii"), digest_size=16).hexdigest()


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
