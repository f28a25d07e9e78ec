"""Plain data ⇄ billrules values: the one converter behind every JSON and TOML form. Private.

``structure(kind, data, path)`` builds a value of type ``kind`` from JSON/TOML-shaped data
(dicts, lists, strings, numbers, booleans), guided by the attrs fields and their type hints;
``unstructure(value)`` is its inverse (and :mod:`billrules.schema` describes the same forms as
JSON Schemas, walking the same fields and hints). Every error names the path of the offending field,
``dunning.stages[2].first_day``, and unknown keys are errors, never ignored.

Plain forms:
- ``Money`` is ``"19.00 USD"``: the amount in plain decimal notation (never an exponent) to
  the currency's minor unit at least and with every further digit it has, one space, the ISO
  code (:func:`money_text`); a ``Decimal`` is such a string or an
  integer (never a float); a ``date`` is ``"2021-01-01"``; a ``datetime`` is ISO 8601 with an
  offset (``"2024-05-08T09:00:00+03:00"``; a naive one is refused); a ``ZoneInfo`` is its IANA
  name; a ``Currency`` its code; an enum its value; tuples are lists; mappings are objects.
- A field typed ``Mapping[str, Any]`` (a reason's, a finding's or an effect's ``details``)
  holds values of any kind, so each value says what it is: text, integers, floats, booleans
  and ``null`` as they are (an enum member as its value), a tuple (or list, or set) as a list,
  and the rest as an object of one ``$`` key: ``{"$money": "19.00 USD"}``,
  ``{"$instant": "2024-05-08T09:00:00+03:00"}``, ``{"$date": "2024-05-01"}``,
  ``{"$decimal": "1.50"}``. Any other object is a mapping of such values (one whose only key
  starts with ``$`` is written ``{"$object": {...}}``). Reading gives the same values back:
  tuples for lists, read-only mappings for objects.

What a class needs beyond its fields comes from :class:`Hooks`, handed in by the layer that
knows the class: the values written for readers (a reason's ``message``, an effect's ``kind``
and ``key``), which may be left out on input and must equal what is recomputed when present;
a tag naming the subclass to build (an effect's ``kind``); readers of fields whose type hint
alone does not say which enum holds the value (a reason's ``code``).

Messages never repeat a caller's value as it is: values go through
:func:`billrules._redact.shown`, and a key in a path is written as it is only when it looks
like a field name (``users[0].role``); any other key is shown redacted (``['•••']``), so a key
named after a card number is not repeated either (PM-6).
"""

from __future__ import annotations

import enum
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time, _validate
from billrules._redact import shown
from billrules.errors import BillRulesError, InvalidInput, InvalidType, _FieldError

_NONE = type(None)

#: A key written in a path as it is: it looks like a field name.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,39}", re.ASCII)

#: The tags of a detail value that JSON has no form of, and the kind each one holds.
TAGS: Final = {"$money": Money, "$instant": datetime, "$date": date, "$decimal": Decimal}

#: The tag of a mapping that would otherwise read as a tagged value.
OBJECT_TAG: Final = "$object"


class PlainDataError(InvalidInput):
    """Plain data (a policy file, an account JSON) that cannot become a billrules value."""


#: A field's reader: the field's data, the whole object's data and the object's path.
Reader = Callable[[object, Mapping[str, object], str], Any]


@attrs.frozen(kw_only=True)
class Shape:
    """What a class (and its subclasses) needs beyond its attrs fields.

    Attributes:
        derived: The values written for readers, by key, each computed from the value (a
            reason's ``message``). On input they may be left out; when present they must
            equal what is recomputed (else the data was edited).
        lead: Whether the derived values are written before the fields.
        details: The fields holding a details mapping (values of any kind, tagged).
        readers: The readers of fields whose type hint does not say how to read them.
        schemas: The JSON Schemas of the derived values and of the fields ``readers`` read.
        tag: The derived key naming the class to build; ``variants`` maps its values to the
            classes.
    """

    derived: Mapping[str, Callable[[Any], Any]] = attrs.field(factory=dict)
    lead: bool = False
    details: frozenset[str] = frozenset()
    readers: Mapping[str, Reader] = attrs.field(factory=dict)
    schemas: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    tag: str | None = None
    variants: Mapping[str, type[Any]] = attrs.field(factory=dict)


@attrs.frozen
class Hooks:
    """The :class:`Shape` of each class that needs one; a subclass uses its base's."""

    shapes: Mapping[type[Any], Shape] = attrs.field(factory=dict)

    def shape(self, kind: type[Any]) -> Shape | None:
        """The shape of ``kind`` or of its nearest base that has one."""
        shapes = self.shapes
        if not shapes:
            return None
        for klass in kind.__mro__:
            found = shapes.get(klass)
            if found is not None:
                return found
        return None

    def refine(self, kind: type[Any], **changes: Any) -> Hooks:
        """These hooks with the shape of ``kind`` changed (readers and schemas added to)."""
        shape = self.shapes.get(kind, Shape())
        for name in ("readers", "schemas"):
            if name in changes:
                changes[name] = {**getattr(shape, name), **changes[name]}
        return Hooks({**self.shapes, kind: attrs.evolve(shape, **changes)})


#: No hooks: every class is read and written through its fields alone.
NO_HOOKS: Final = Hooks()


def _hints(kind: Any) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def join(path: str, key: object) -> str:
    """The path of ``key`` in the object at ``path``: ``users[0].role``, or ``…['•••']``.

    A key that does not look like a field name (digits, spaces, a card number, 300
    characters, a lone surrogate) is written redacted, between brackets (PM-6).
    """
    if isinstance(key, str) and _FIELD_NAME.fullmatch(key) and shown(key) == repr(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{shown(key)}]"


def index(path: str, position: int) -> str:
    """The path of the item at ``position`` in the list at ``path``: ``users[1]``."""
    return f"{path}[{position}]"


def problem(path: str, text: str) -> PlainDataError:
    """The error for ``path`` (the top level when empty)."""
    return PlainDataError(path or "(top level)", text)


_problem = problem


def _relocate(error: BillRulesError, kind: type[Any], path: str) -> BillRulesError:
    """Re-address a constructor's error (``Stage.first_day``) to the data path (``...first_day``).

    The error keeps its class (a ``NaiveDatetimeError`` stays one); only the field changes.
    """
    field = getattr(error, "field", "")
    text = getattr(error, "problem", str(error))
    prefix = f"{kind.__name__}."
    if field.startswith(prefix):
        rest = field[len(prefix) :]
        where = f"{path}.{rest}" if path else rest
    else:
        where = path or "(top level)"
        text = f"{field}: {text}" if field else text
    if isinstance(error, _FieldError):
        return type(error)(where, text)
    return _problem(where, text)  # pragma: no cover - constructors raise field errors


# --------------------------------------------------------------------------------------------
# Reading


def structure(kind: Any, data: object, path: str = "", hooks: Hooks = NO_HOOKS) -> Any:
    """A value of type ``kind`` built from plain ``data``; errors name ``path``."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and _NONE in options:
            return None
        rest = [option for option in options if option is not _NONE]
        if len(rest) == 1:
            return structure(rest[0], data, path, hooks)
        raise _problem(path, f"cannot read a value of type {kind}")  # pragma: no cover
    if kind is Any or kind is object:
        return detail(data, path)
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(data, list):
            raise _problem(path, f"must be a list, not {_name(data)}")
        item = args[0]
        return tuple(structure(item, value, index(path, i), hooks) for i, value in enumerate(data))
    if origin in (Mapping, dict, typing.Mapping) or kind is Mapping:
        key_kind, value_kind = typing.get_args(kind) or (str, Any)
        if not isinstance(data, dict):
            raise _problem(path, f"must be an object, not {_name(data)}")
        return {
            structure(key_kind, key, join(path, key), hooks): structure(
                value_kind, value, join(path, key), hooks
            )
            for key, value in data.items()
        }
    if isinstance(kind, type) and attrs.has(kind):
        return _structure_attrs(kind, data, path, hooks)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _structure_enum(kind, data, path)
    return _structure_scalar(kind, data, path)


def _structure_enum(kind: type[enum.Enum], data: object, path: str) -> enum.Enum:
    # Looked up by comparison, never by hashing or converting the value: a list is not
    # hashable, and an integer of 5,000 digits cannot even be printed.
    if isinstance(data, kind):
        return data
    for member in kind:
        if type(member.value) is type(data) and member.value == data:
            return member
    allowed = _validate.allowed_values(kind)
    if not isinstance(data, str):
        raise _problem(path, f"expected one of {allowed}, not {_name(data)}")
    raise _problem(path, f"unknown value {shown(data)}; expected one of {allowed}")


def _name(data: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(data), type(data).__name__
    )


def _structure_scalar(kind: Any, data: object, path: str) -> Any:
    # The kernel's helpers raise billrules errors already named by ``path``.
    if kind is bool:
        if not isinstance(data, bool):
            raise _problem(path, f"must be true or false, not {_name(data)}")
        return data
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _problem(path, f"must be an integer, not {_name(data)}")
        return data
    if kind is str:
        if not isinstance(data, str):
            raise _problem(path, f"must be a string, not {_name(data)}")
        return data
    if kind is Decimal:
        if isinstance(data, float):
            raise _problem(path, "must be a string or an integer: floats are not exact")
        return _money.to_decimal(data, path)
    if kind is Money:
        return _structure_money(data, path)
    if kind is Currency:
        return _money.to_currency(data, path)
    if kind is ZoneInfo:
        return _time.to_zone(data, path)
    if kind is datetime:
        if not isinstance(data, str):
            raise _problem(path, f"must be an ISO 8601 string, not {_name(data)}")
        try:
            parsed = datetime.fromisoformat(data)
        except ValueError:
            raise _problem(path, f"is not an ISO 8601 instant: {shown(data)}") from None
        return _time.require_aware(parsed, path)
    if kind is date:
        if not isinstance(data, str):
            raise _problem(path, f"must be an ISO 8601 date string, not {_name(data)}")
        try:
            day = date.fromisoformat(data)
        except ValueError:
            raise _problem(path, f"is not an ISO 8601 date: {shown(data)}") from None
        return _time.require_date(day, path)
    raise _problem(path, f"cannot read a value of type {kind}")  # pragma: no cover


def _structure_money(data: object, path: str) -> Money:
    if not isinstance(data, str):
        raise _problem(path, f'must be a string such as "19.00 USD", not {_name(data)}')
    parts = data.split()
    if len(parts) != 2:
        raise _problem(
            path, f'must be an amount and a currency, such as "19.00 USD": {shown(data)}'
        )
    return _money.money(parts[0], parts[1], path)


def _variant(kind: type[Any], shape: Shape, data: dict[str, Any], path: str) -> type[Any]:
    """The class the tag of ``data`` names (``kind`` itself when it has no other variant)."""
    tag = typing.cast(str, shape.tag)
    if tag not in data:
        if any(issubclass(other, kind) and other is not kind for other in shape.variants.values()):
            raise _problem(join(path, tag), "is required: it names the kind of value")
        return kind
    value = data[tag]
    known = ", ".join(sorted(shape.variants))
    if not isinstance(value, str) or value not in shape.variants:
        raise _problem(join(path, tag), f"unknown {tag} {shown(value)}; known are {known}")
    found = shape.variants[value]
    if not issubclass(found, kind):
        raise _problem(join(path, tag), f"must name a {kind.__name__}, not {shown(value)}")
    return found


def _structure_attrs(kind: Any, data: object, path: str, hooks: Hooks) -> Any:
    if not isinstance(data, dict):
        raise _problem(path, f"must be an object, not {_name(data)}")
    shape = hooks.shape(kind)
    if shape is not None and shape.tag is not None:
        kind = _variant(kind, shape, data, path)
    hints = _hints(kind)
    fields = {field.alias or field.name: field for field in attrs.fields(kind) if field.init}
    derived = shape.derived if shape is not None else {}
    for key in data:
        if not isinstance(key, str) or (key not in fields and key not in derived):
            known = ", ".join(sorted(fields))
            raise _problem(join(path, key), f"unknown field; known fields are {known}")
    readers = shape.readers if shape is not None else {}
    arguments = {}
    for key, field in fields.items():
        if key not in data:
            if field.default is attrs.NOTHING:
                raise _problem(join(path, key), "is required")
            continue
        reader = readers.get(field.name)
        if reader is not None:
            arguments[key] = reader(data[key], data, path)
        else:
            arguments[key] = structure(hints[field.name], data[key], join(path, key), hooks)
    try:
        value = kind(**arguments)
    except BillRulesError as error:
        raise _relocate(error, kind, path) from None
    for key, compute in derived.items():
        if key in data and data[key] != unstructure(compute(value), hooks):
            raise _problem(
                join(path, key),
                "does not match what the other fields give: the data was edited",
            )
    return value


def detail(data: object, path: str) -> Any:
    """A details value from its plain form (see the module docstring)."""
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        if not math.isfinite(data):
            raise _problem(path, "is NaN or an infinity")
        return data
    if isinstance(data, (list, tuple)):
        return tuple(detail(item, index(path, i)) for i, item in enumerate(data))
    if isinstance(data, Mapping):
        if len(data) == 1:
            ((key, inner),) = data.items()
            if isinstance(key, str) and key.startswith("$"):
                return _tagged(key, inner, join(path, key))
        return _detail_mapping(data, path)
    raise _problem(path, f"cannot read a {_name(data)} as a detail")


def _detail_mapping(data: Mapping[Any, Any], path: str) -> Mapping[str, Any]:
    for key in data:
        if not isinstance(key, str):
            raise _problem(join(path, key), "a key must be a string")
    return _validate.FrozenMapping(
        {key: detail(item, join(path, key)) for key, item in data.items()}
    )


def _tagged(tag: str, data: object, path: str) -> Any:
    if tag == OBJECT_TAG:
        if not isinstance(data, Mapping):
            raise _problem(path, f"must be an object, not {_name(data)}")
        return _detail_mapping(data, path)
    kind = TAGS.get(tag)
    if kind is None:
        known = ", ".join(sorted([*TAGS, OBJECT_TAG]))
        raise _problem(path, f"unknown tag; known tags are {known}")
    return _structure_scalar(kind, data, path)


# --------------------------------------------------------------------------------------------
# Writing


def money_text(value: Money) -> str:
    """The one plain form of an amount: ``"19.00 USD"``.

    Canonical and exact: equal amounts are written alike, in plain decimal notation (never
    an exponent), with the currency's minor unit at least (``"0.00 USD"``, ``"1235 JPY"``) and
    every further digit the amount has (``"2.675 USD"``); a zero has no sign.

    >>> money_text(Money("19", "USD")), money_text(Money("2.6750", "USD"))
    ('19.00 USD', '2.675 USD')
    >>> money_text(Money("-0.0", "EUR")), money_text(Money("1E+3", "JPY"))
    ('0.00 EUR', '1000 JPY')
    """
    wide = Context(prec=100)  # every amount's digits (below 10**30, to 10**-30) and more
    amount = value.amount.normalize(wide) if value.amount else Decimal(0)
    digits = _money.minor_unit_exponent(value.currency)
    if typing.cast(int, amount.as_tuple().exponent) > -digits:
        amount = amount.quantize(Decimal(1).scaleb(-digits), context=wide)
    return f"{amount:f} {value.currency.code}"


def unstructure(value: object, hooks: Hooks = NO_HOOKS) -> Any:
    """The plain (JSON- and TOML-shaped) form of ``value``; the inverse of :func:`structure`."""
    if isinstance(value, enum.Enum):  # before str: a StrEnum member is a str too
        return value.value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Money):
        return money_text(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, Currency):
        return value.code
    if attrs.has(type(value)):
        return _unstructure_attrs(value, hooks)
    if isinstance(value, Mapping):
        return {unstructure(key, hooks): unstructure(item, hooks) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [unstructure(item, hooks) for item in value]
    raise InvalidType("value", f"cannot write a {type(value).__name__} as plain data")


def _unstructure_attrs(value: object, hooks: Hooks) -> dict[str, Any]:
    kind: Any = type(value)
    shape = hooks.shape(kind)
    details = shape.details if shape is not None else frozenset()
    fields = {
        (field.alias or field.name): (
            detail_data(item) if field.name in details else unstructure(item, hooks)
        )
        for field in attrs.fields(kind)
        if field.init
        for item in (getattr(value, field.name),)
    }
    if shape is None or not shape.derived:
        return fields
    derived = {key: unstructure(compute(value), hooks) for key, compute in shape.derived.items()}
    return {**derived, **fields} if shape.lead else {**fields, **derived}


def detail_data(value: object) -> Any:
    """The plain form of a details value (see the module docstring)."""
    if isinstance(value, enum.Enum):
        return detail_data(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput("details", "holds NaN or an infinity, which JSON has no form of")
        return value
    if isinstance(value, Money):
        return {"$money": money_text(value)}
    if isinstance(value, datetime):
        return {"$instant": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": f"{value:f}"}
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise InvalidType("details", "keys must be strings")
        data = {key: detail_data(item) for key, item in value.items()}
        if len(data) == 1 and next(iter(data)).startswith("$"):
            return {OBJECT_TAG: data}
        return data
    if isinstance(value, (tuple, list)):
        return [detail_data(item) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [detail_data(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    raise InvalidType("details", f"cannot write a {type(value).__name__} as plain data")
