"""attrs validators and converters that raise billrules errors naming ``Class.field``. Private.

Facts and policies validate at construction, so a bad value fails at the boundary with a
specific error, never deep inside a rule. Converters run before validators: the type checks
that a converter needs live in the converter itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Final, Generic, TypeVar

import attrs
from moneyed import Money

from billrules import _money, _time
from billrules._details import FrozenMapping as FrozenMapping
from billrules._details import details
from billrules._redact import (
    PORTABLE_SEPARATOR_CHARACTERS,
    holds_card_number,
    longest_digit_run,
    shown,
)
from billrules.errors import InvalidInput, InvalidType

T = TypeVar("T")

E = TypeVar("E", bound=Enum)
K = TypeVar("K")
V = TypeVar("V")

#: A lone surrogate: a code point no UTF-8 or JSON text can carry.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """The field's name as errors print it: ``Class.field``."""
    return f"{type(instance).__name__}.{attribute.name}"


def require(value: T, kind: type[Any] | tuple[type[Any], ...], field: str) -> T:
    """``value`` if it is an instance of ``kind``, else :class:`InvalidType` naming ``field``.

    >>> require(3, int, "count")
    3
    >>> require("3", int, "count")
    Traceback (most recent call last):
    ...
    billrules.errors.InvalidType: count: must be int, not str
    """
    if isinstance(value, kind):
        return value
    names = " or ".join(k.__name__ for k in kind) if isinstance(kind, tuple) else kind.__name__
    raise InvalidType(field, f"must be {names}, not {type(value).__name__}")


def free_text(value: str, field: str) -> str:
    """``value`` if it holds no card number; else :class:`InvalidInput` naming ``field`` (PM-6).

    A card number is a 12–19 digit run passing the Luhn check once its separators are removed
    (any whitespace, invisible format character or punctuation :mod:`billrules._redact` reads:
    :func:`billrules._redact.holds_card_number`). The message never repeats it. A lone
    surrogate is refused too: no UTF-8 or JSON text holds one, so what is written could not
    be read back.
    """
    if holds_card_number(value):
        raise InvalidInput(field, "must not hold a card number (PM-6: no card number is ever kept)")
    if not value.isascii() and _SURROGATE.search(value):
        raise InvalidInput(field, "must not hold a lone surrogate (UTF-8 and JSON text have none)")
    return value


def account_id(value: str, field: str = "account") -> str:
    """``value``, the id of the account an operation's effects act on (X-6), if it is a
    non-empty ``str`` of at most :data:`MAX_ID_LENGTH` characters holding no card number
    (PM-6); else a billrules error naming ``field``, never repeating the value.

    >>> account_id("acme")
    'acme'
    >>> account_id(" ")
    Traceback (most recent call last):
    ...
    billrules.errors.InvalidInput: account: must not be empty (an effect is keyed with its account)
    """
    if type(value) is not str:
        require(value, str, field)
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInput(field, f"must be at most {MAX_ID_LENGTH} characters long")
    if not value.strip():
        raise InvalidInput(field, "must not be empty (an effect is keyed with its account)")
    return free_text(value, field)


def described(check: T, schema: Mapping[str, Any]) -> T:
    """``check`` (a validator) carrying ``schema``: the JSON Schema keywords of what it accepts.

    :mod:`billrules.schema` publishes a field's schema from its validator's description, so
    the two cannot drift apart; a rule that no keyword can say (the Luhn test of PM-6) is
    left to the validator and written in the ``description``.
    """
    setattr(check, "json_schema", MappingProxyType(dict(schema)))  # noqa: B010 - a function's attribute
    return check


def settled_by_reading(check: T, hint: object, rest: Validator | None = None) -> T:
    """``check`` (a validator, or a converter's function) marked as settled by reading.

    A reader of plain data (:mod:`billrules._plain`) checks a field of the type hint ``hint``
    as ``check`` would (an aware instant, a sane amount, a member of the enum, an instance of
    the class it builds): a value it read has passed ``check`` already, so the value is built
    without running ``check`` again, only ``rest`` (if any) — DESIGN "Checked once". The
    mark is read by ``billrules._plain._build``.
    """
    setattr(check, "settled_by_reading", (hint, rest))  # noqa: B010 - a function's attribute
    return check


def json_schema_of(check: object) -> Mapping[str, Any]:
    """The JSON Schema keywords a validator carries (:func:`described`), or none."""
    found: Mapping[str, Any] = getattr(check, "json_schema", MappingProxyType({}))
    return found


#: The text rule as JSON Schema keywords: a non-whitespace character somewhere (``\S``: a
#: Unicode whitespace character as Python's ``str.isspace`` reads it).
TEXT_SCHEMA: Final = {
    "minLength": 1,
    "pattern": r"\S",
    "description": "Text with a character other than whitespace, holding no card number (PM-6).",
}

#: The longest identifier (an account, user, invoice, payment, charge or method id, a rule,
#: a plan): a 10 MB id would be copied into every effect line.
MAX_ID_LENGTH: Final = 256


def text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A non-empty ``str`` that holds no card number (PM-6)."""
    if (
        type(value) is str
        and value
        and value.isascii()
        and not value.isspace()
        and (len(value) < 12 or not holds_card_number(value))
    ):
        return  # the common case: ASCII text holding no card number
    if not isinstance(value, str):
        raise InvalidType(where(instance, attribute), f"must be a str, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInput(where(instance, attribute), "must not be empty")
    if not value.isascii() or holds_card_number(value):  # the name is built only for the error
        free_text(value, where(instance, attribute))


def identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An id: a non-empty ``str`` of at most :data:`MAX_ID_LENGTH` characters that holds no
    card number (PM-6). An over-long id is refused without being repeated."""
    if (
        type(value) is str
        and 0 < len(value) <= MAX_ID_LENGTH
        and value.isascii()
        and not value.isspace()
        and (len(value) < 12 or not holds_card_number(value))
    ):
        return  # the common case: an ASCII id holding no card number
    if not isinstance(value, str):
        raise InvalidType(where(instance, attribute), f"must be a str, not {type(value).__name__}")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInput(
            where(instance, attribute), f"must be at most {MAX_ID_LENGTH} characters long"
        )
    if not value.strip():
        raise InvalidInput(where(instance, attribute), "must not be empty")
    if not value.isascii() or holds_card_number(value):  # the name is built only for the error
        free_text(value, where(instance, attribute))


def optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or a non-empty ``str``."""
    if value is not None:
        text(instance, attribute, value)


def optional_identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or an id (:func:`identifier`)."""
    if value is not None:
        identifier(instance, attribute, value)


ID_SCHEMA: Final = {
    **TEXT_SCHEMA,
    "maxLength": MAX_ID_LENGTH,
    "description": (
        f"An id: text of at most {MAX_ID_LENGTH} characters with a character other than"
        " whitespace, holding no card number (PM-6)."
    ),
}
described(text, TEXT_SCHEMA)
described(optional_text, TEXT_SCHEMA)
described(identifier, ID_SCHEMA)
described(optional_identifier, ID_SCHEMA)


#: The most digits in one run a payment-method label may show: the last four of a card.
LABEL_DIGITS = 4


def label(value: str, field: str) -> str:
    """``value`` if it is a masked payment-method label; else :class:`InvalidInput` (PM-6).

    A label shows at most the last four digits of a card: any run of more than four digits,
    one separator character apart at most (:func:`billrules._redact.longest_digit_run`), is
    refused, so ``"Visa 4242 4242 4242 4242"`` and ``"Visa 4242_4242"`` are refused like
    ``"Visa 4242424242424242"`` while ``"Visa •••• 4242"`` is accepted. The message never
    repeats the value.
    """
    if longest_digit_run(value) > LABEL_DIGITS:
        raise InvalidInput(
            field, "must be a masked label showing at most the last four digits of a card (PM-6)"
        )
    return value


def masked_label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or a non-empty masked payment-method label (:func:`label`, PM-6)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidType(where(instance, attribute), f"must be a str, not {type(value).__name__}")
    label(value, where(instance, attribute))
    text(instance, attribute, value)


described(
    masked_label,
    {
        **TEXT_SCHEMA,
        # a run of more than LABEL_DIGITS digits, one separator allowed between two (as
        # billrules._redact.longest_digit_run reads a run; the format characters beyond the
        # Basic Multilingual Plane are left to the reader: ECMA-262 has no escape for them
        # that Python's re reads alike)
        "not": {"pattern": rf"\d(?:[{PORTABLE_SEPARATOR_CHARACTERS}]?\d){{{LABEL_DIGITS}}}"},
        "description": "A masked label showing at most the last four digits of a card (PM-6).",
    },
)


def instant(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A timezone-aware ``datetime``."""
    _time.require_aware(value, where(instance, attribute))


def optional_instant(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or a timezone-aware ``datetime``."""
    if value is not None:
        instant(instance, attribute, value)


def calendar_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A ``date`` that is not a ``datetime``."""
    _time.require_date(value, where(instance, attribute))


def money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A ``moneyed.Money`` (floats refused)."""
    _money.require_money(value, where(instance, attribute))


def optional_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` or a ``moneyed.Money`` (floats refused)."""
    if value is not None:
        money(instance, attribute, value)


def _not_negative(instance: object, attribute: attrs.Attribute[Any], value: Money) -> None:
    # What non_negative_money checks beyond what reading an amount checks (its sign).
    if value.amount < 0:
        raise InvalidInput(where(instance, attribute), "must not be negative")


def _more_than_zero(instance: object, attribute: attrs.Attribute[Any], value: Money) -> None:
    if value.amount <= 0:
        raise InvalidInput(where(instance, attribute), "must be more than zero")


def non_negative_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A ``Money`` of zero or more."""
    amount = _money.require_money(value, where(instance, attribute))
    if amount.amount < 0:
        raise InvalidInput(where(instance, attribute), "must not be negative")


def positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A ``Money`` of more than zero."""
    amount = _money.require_money(value, where(instance, attribute))
    if amount.amount <= 0:
        raise InvalidInput(where(instance, attribute), "must be more than zero")


def boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A ``bool``."""
    if not isinstance(value, bool):
        raise InvalidType(where(instance, attribute), f"must be a bool, not {type(value).__name__}")


# What a reader of plain data checks as these do (billrules._plain): an instant read is aware
# and in the calendar, a date is one, an amount is sane, a bool is one; the sign of an amount
# is left to check.
settled_by_reading(instant, datetime)
settled_by_reading(optional_instant, datetime | None)
settled_by_reading(calendar_date, date)
settled_by_reading(money, Money)
settled_by_reading(optional_money, Money | None)
settled_by_reading(non_negative_money, Money, _not_negative)
settled_by_reading(positive_money, Money, _more_than_zero)
settled_by_reading(boolean, bool)


#: The amount rules as JSON Schema keywords on ``"19.00 USD"``: no minus before a digit
#: other than zero; no minus and not zero.
NON_NEGATIVE_MONEY_SCHEMA: Final = {
    "not": {"pattern": "^-[0-9.]*[1-9]"},
    "description": 'An amount of zero or more and its currency: "19.00 USD".',
}
POSITIVE_MONEY_SCHEMA: Final = {
    "not": {"pattern": "^(?:-|[+]?[0.]+ )"},
    "description": 'An amount of more than zero and its currency: "19.00 USD".',
}
described(non_negative_money, NON_NEGATIVE_MONEY_SCHEMA)
described(positive_money, POSITIVE_MONEY_SCHEMA)


#: The widest integer any field holds: a signed 64-bit integer, as a database column would.
LARGEST_INT: Final = 2**63 - 1


def integer(minimum: int | None = None, maximum: int | None = None) -> Validator:
    """An ``int`` (not a ``bool``) within ``[minimum, maximum]``.

    Without a bound of its own, a field still holds a signed 64-bit integer at most, so a
    5,000-digit integer is refused (it could not even be printed in an error message).
    """
    low = -LARGEST_INT - 1 if minimum is None else minimum
    high = LARGEST_INT if maximum is None else maximum

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is int and low <= value <= high:
            return  # the common case: the name is built only for an error
        name = where(instance, attribute)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidType(name, f"must be an int, not {type(value).__name__}")
        if value < low:
            raise InvalidInput(name, f"must be at least {low}")
        if value > high:
            raise InvalidInput(name, f"must be at most {high}")

    return described(check, {"minimum": low, "maximum": high})


def instance_of(kind: type[Any] | tuple[type[Any], ...]) -> Validator:
    """An instance of ``kind``; a ``str`` must hold no card number (:func:`free_text`, PM-6)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            names = (
                " or ".join(k.__name__ for k in kind) if isinstance(kind, tuple) else kind.__name__
            )
            raise InvalidType(
                where(instance, attribute), f"must be {names}, not {type(value).__name__}"
            )
        if isinstance(value, str) and (not value.isascii() or holds_card_number(value)):
            free_text(value, where(instance, attribute))  # free text (PM-6): the name for errors

    # A reader builds an instance of the class a field's hint names (or ``None`` where the
    # hint allows it): the check is settled, but for a ``str``, which may hold a card number.
    kinds = kind if isinstance(kind, tuple) else (kind,)
    classes = [k for k in kinds if k is not type(None)]
    if len(classes) == 1 and attrs.has(classes[0]):
        settled_by_reading(check, classes[0] | None if len(kinds) == 2 else classes[0])
    return check


def allowed_values(kind: type[Enum]) -> str:
    """The values of ``kind`` as an error lists them: the first eight, then how many in all.

    >>> from billrules.roles import Role
    >>> allowed_values(Role)
    "'owner', 'admin', 'staff'"
    """
    values = [repr(member.value) for member in kind]
    if len(values) <= 8:
        return ", ".join(values)
    return ", ".join(values[:8]) + f", … ({len(values)} in all)"


def enum_member(kind: type[E], field: str) -> Callable[[object], E]:
    """A converter to the enum ``kind`` from a member or its value; unknown values are refused.

    The error names ``field`` (``Class.field`` or the parameter), repeats the value only as
    :func:`billrules._redact.shown` allows (PM-6), and lists the allowed values.
    """

    def convert(value: object) -> E:
        try:
            return kind(value)
        except (ValueError, TypeError):
            pass  # raised below, outside the handler: the enum's error holds the value (PM-6)
        allowed = allowed_values(kind)
        raise InvalidInput(field, f"unknown value {shown(value)}; expected one of {allowed}")

    return convert


def tuple_of(kind: type[Any], field: str) -> Callable[[object], tuple[Any, ...]]:
    """A converter to a tuple whose items are all ``kind``; ``field`` names it in errors.

    A ``str`` item must hold no card number (:func:`free_text`, PM-6).
    """

    def convert(value: object) -> tuple[Any, ...]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InvalidType(
                field, f"must be a sequence of {kind.__name__}, not {type(value).__name__}"
            )
        items = tuple(value)
        for index, item in enumerate(items):
            if not isinstance(item, kind):
                raise InvalidType(
                    f"{field}[{index}]", f"must be {kind.__name__}, not {type(item).__name__}"
                )
            if isinstance(item, str):  # each str is free text (PM-6)
                free_text(item, f"{field}[{index}]")
        return items

    return convert


def same_currency(instance: object, first: Money, second: Money, field: str) -> None:
    """Raise :class:`CurrencyMismatch` naming ``Class.field`` if the currencies differ."""
    _money.require_currency(second, first.currency, f"{type(instance).__name__}.{field}")


def not_before(instance: object, earlier: date, later: date, field: str, other: str) -> None:
    """Raise naming ``Class.field`` if ``later`` comes before ``earlier`` (the field ``other``)."""
    if later < earlier:
        raise InvalidInput(f"{type(instance).__name__}.{field}", f"must not be before {other}")


def frozen_mapping(field: str) -> Callable[[object], Mapping[str, Any]]:
    """A converter of details to a :class:`FrozenMapping` (``str`` keys); ``field`` names it
    in errors, as :func:`details_of` does (inlined: reasons are built on the hot path)."""

    def convert(value: object) -> Mapping[str, Any]:
        if type(value) is dict or isinstance(value, Mapping):
            return details(value, field)
        raise InvalidType(field, f"must be a mapping, not {type(value).__name__}")

    return convert


def details_of(value: object, field: str) -> Mapping[str, Any]:
    """``value``, a mapping of details, as a :class:`FrozenMapping` (``str`` keys); errors name
    ``field``. What a details value may be is decided in one place,
    :func:`billrules._details.details`: lists become tuples and mappings read-only at every
    depth; sets, naive instants, card numbers, NaN and numbers out of bounds are refused."""
    if type(value) is dict or isinstance(value, Mapping):
        return details(value, field)
    raise InvalidType(field, f"must be a mapping, not {type(value).__name__}")


def named(convert: Callable[[object, str], Any]) -> attrs.Converter[Any, Any]:
    """An attrs converter calling ``convert(value, "Class.field")``: the field names itself.

    attrs hands the converter its instance and field (``takes_self``, ``takes_field``), so a
    converter needs no wrapper per field to name the field in its errors.
    """

    def convert_field(value: object, instance: object, field: attrs.Attribute[Any]) -> Any:
        return convert(value, f"{type(instance).__name__}.{field.name}")

    return attrs.Converter(convert_field, takes_self=True, takes_field=True)


def to_enum(kind: type[E]) -> attrs.Converter[Any, Any]:
    """A converter to a member of ``kind`` (its value or the member), naming the field."""

    def convert(value: object, instance: object, field: attrs.Attribute[Any]) -> E:
        if type(value) is kind:
            return value  # the common case, checked first
        try:
            return kind(value)  # its value
        except (ValueError, TypeError):
            pass  # refused below, outside the handler: the enum's error holds the value (PM-6)
        return enum_member(kind, f"{type(instance).__name__}.{field.name}")(value)  # raises

    settled_by_reading(convert, kind)  # a reader gives the member
    return attrs.Converter(convert, takes_self=True, takes_field=True)


def to_tuple(kind: type[Any]) -> attrs.Converter[Any, Any]:
    """A converter of any iterable of ``kind`` values to a tuple, naming the field."""

    def convert(value: object, instance: object, field: attrs.Attribute[Any]) -> tuple[Any, ...]:
        return tuple_of(kind, f"{type(instance).__name__}.{field.name}")(value)

    if attrs.has(kind):  # a reader gives a tuple of such values; a str would need its check
        settled_by_reading(convert, tuple.__class_getitem__((kind, ...)))
    return attrs.Converter(convert, takes_self=True, takes_field=True)


def to_exact_tuple(kind: type[T]) -> attrs.Converter[Any, Any]:
    """:func:`to_tuple` for facts built on every evaluation: a tuple of exactly ``kind`` (as
    an account holds, its items checked when they were built) is kept as it is; anything else
    is checked item by item, the error naming the field, which the converter learns from attrs.

    ``kind`` is a class of checked values (an ``Invoice``, a ``Payment``), not ``str``: a text
    item is checked by :func:`to_tuple`.
    """

    def convert(value: object, instance: object, field: attrs.Attribute[Any]) -> tuple[T, ...]:
        if type(value) is tuple and all(type(item) is kind for item in value):
            return value
        return tuple_of(kind, f"{type(instance).__name__}.{field.name}")(value)

    return attrs.Converter(convert, takes_self=True, takes_field=True)


# The converters of fields, spelled ``converter=v.ToEnum[Kind]``: mypy's attrs plugin reads a
# converter's signature only from a function, a class or a subscripted generic class, never
# from an ``attrs.Converter`` (the shape that hands the converter its field, to name it in
# errors). Each class below is such a subscripted generic class: subscripting it builds the
# ``attrs.Converter`` that runs, and its ``__init__`` signature is what mypy reads as the
# field's parameter in the class's ``__init__``. None of them is ever instantiated. A
# converter of one field only is a plain function that names its field itself, typed with
# what it accepts: ``def _zone(value: ZoneInfo | str) -> ZoneInfo``. tests/test_typing.py
# checks that every converter's error names its field.


def _not_a_value(kind: type[Any]) -> TypeError:
    return TypeError(f"{kind.__name__}[...] is a field's converter, not a value")


class ToEnum(Generic[E]):
    """``converter=v.ToEnum[Kind]``: a member of ``Kind`` or its value (:func:`to_enum`).

    >>> from billrules.roles import Role
    >>> @attrs.frozen
    ... class Grant:
    ...     role: Role = attrs.field(converter=ToEnum[Role])
    >>> Grant("owner")
    Grant(role=<Role.OWNER: 'owner'>)
    >>> Grant("root")
    Traceback (most recent call last):
    ...
    billrules.errors.InvalidInput: Grant.role: unknown value 'root'; expected one of 'owner', 'admin', 'staff'
    """

    def __init__(self, value: E | str) -> None:
        raise _not_a_value(ToEnum)

    def __class_getitem__(cls, kind: type[E]) -> attrs.Converter[Any, E]:
        return to_enum(kind)


class ToTuple(Generic[T]):
    """``converter=v.ToTuple[Item]``: any iterable of ``Item`` values, kept as a tuple
    (:func:`to_tuple`). A ``str`` is not taken for a sequence of ``str``, though mypy
    cannot refuse it (a ``str`` is an ``Iterable[str]``)."""

    def __init__(self, value: Iterable[T]) -> None:
        raise _not_a_value(ToTuple)

    def __class_getitem__(cls, kind: type[T]) -> attrs.Converter[Any, tuple[T, ...]]:
        return to_tuple(kind)


class ToExactTuple(Generic[T]):
    """``converter=v.ToExactTuple[Item]``: :class:`ToTuple` for facts built on every
    evaluation (:func:`to_exact_tuple`)."""

    def __init__(self, value: Iterable[T]) -> None:
        raise _not_a_value(ToExactTuple)

    def __class_getitem__(cls, kind: type[T]) -> attrs.Converter[Any, tuple[T, ...]]:
        return to_exact_tuple(kind)
