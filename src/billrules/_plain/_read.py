"""Reading plain data into billrules values (see :mod:`billrules._plain`). Private."""

from __future__ import annotations

import enum
import math
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time, _validate
from billrules._plain._base import (
    NO_HOOKS,
    OBJECT_TAG,
    TAGS,
    Hooks,
    Shape,
    _hints,
    _problem,
    _relocate,
    index,
    join,
)
from billrules._plain._write import unstructure
from billrules._redact import shown
from billrules.errors import BillRulesError

_NONE = type(None)


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
