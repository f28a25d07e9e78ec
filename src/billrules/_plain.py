"""Plain data ⇄ billrules values: the one converter behind policy files and account JSON. Private.

``structure(kind, data, path)`` builds a value of type ``kind`` from JSON/TOML-shaped data
(dicts, lists, strings, numbers, booleans), guided by the attrs fields and their type hints;
``unstructure(value)`` is its inverse. Every error names the path of the offending field,
``dunning.stages[2].first_day``, and unknown keys are errors, never ignored.

Plain forms:
- ``Money`` is ``"19.00 USD"`` (amount, a space, the ISO code); a ``Decimal`` is a string or an
  integer (never a float); a ``date`` is ``"2021-01-01"``; a ``datetime`` is ISO 8601 with an
  offset (``"2024-05-08T09:00:00+03:00"``; a naive one is refused); a ``ZoneInfo`` is its IANA
  name; a ``Currency`` its code; an enum its value; tuples are lists; mappings are objects.

Messages never repeat a caller's value as it is: values go through
:func:`billrules._redact.shown`, and a key in a path is written as it is only when it looks
like a field name (``users[0].role``); any other key is shown redacted (``['•••']``), so a key
named after a card number is not repeated either (PM-6).
"""

from __future__ import annotations

import enum
import re
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
from billrules._redact import shown
from billrules.errors import BillRulesError, InvalidInput, InvalidType, _FieldError

_NONE = type(None)

#: A key written in a path as it is: it looks like a field name.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,39}", re.ASCII)


class PlainDataError(InvalidInput):
    """Plain data (a policy file, an account JSON) that cannot become a billrules value."""


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


def _problem(path: str, problem: str) -> PlainDataError:
    return PlainDataError(path or "(top level)", problem)


def _relocate(error: BillRulesError, kind: type[Any], path: str) -> BillRulesError:
    """Re-address a constructor's error (``Stage.first_day``) to the data path (``...first_day``).

    The error keeps its class (a ``NaiveDatetimeError`` stays one); only the field changes.
    """
    field = getattr(error, "field", "")
    problem = getattr(error, "problem", str(error))
    prefix = f"{kind.__name__}."
    if field.startswith(prefix):
        rest = field[len(prefix) :]
        where = f"{path}.{rest}" if path else rest
    else:
        where = path or "(top level)"
        problem = f"{field}: {problem}" if field else problem
    if isinstance(error, _FieldError):
        return type(error)(where, problem)
    return _problem(where, problem)  # pragma: no cover - constructors raise field errors


def structure(kind: Any, data: object, path: str = "") -> Any:
    """A value of type ``kind`` built from plain ``data``; errors name ``path``."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and _NONE in options:
            return None
        rest = [option for option in options if option is not _NONE]
        if len(rest) == 1:
            return structure(rest[0], data, path)
        raise _problem(path, f"cannot read a value of type {kind}")  # pragma: no cover
    if kind is Any or kind is object:
        return data
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(data, list):
            raise _problem(path, f"must be a list, not {_name(data)}")
        item = args[0]
        return tuple(structure(item, value, index(path, i)) for i, value in enumerate(data))
    if origin in (Mapping, dict, typing.Mapping) or kind is Mapping:
        key_kind, value_kind = typing.get_args(kind) or (str, Any)
        if not isinstance(data, dict):
            raise _problem(path, f"must be an object, not {_name(data)}")
        return {
            structure(key_kind, key, join(path, key)): structure(value_kind, value, join(path, key))
            for key, value in data.items()
        }
    if isinstance(kind, type) and attrs.has(kind):
        return _structure_attrs(kind, data, path)
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


def _structure_attrs(kind: Any, data: object, path: str) -> Any:
    if not isinstance(data, dict):
        raise _problem(path, f"must be an object, not {_name(data)}")
    hints = _hints(kind)
    fields = {field.alias or field.name: field for field in attrs.fields(kind) if field.init}
    for key in data:
        if not isinstance(key, str) or key not in fields:
            known = ", ".join(sorted(fields))
            raise _problem(join(path, key), f"unknown field; known fields are {known}")
    arguments = {}
    for key, field in fields.items():
        if key not in data:
            if field.default is attrs.NOTHING:
                raise _problem(join(path, key), "is required")
            continue
        arguments[key] = structure(hints[field.name], data[key], join(path, key))
    try:
        return kind(**arguments)
    except BillRulesError as error:
        raise _relocate(error, kind, path) from None


def unstructure(value: object) -> Any:
    """The plain (JSON- and TOML-shaped) form of ``value``; the inverse of :func:`structure`."""
    if isinstance(value, enum.Enum):  # before str: a StrEnum member is a str too
        return value.value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Money):
        return f"{value.amount} {value.currency.code}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, Currency):
        return value.code
    if attrs.has(type(value)):
        kind: Any = type(value)
        return {
            (field.alias or field.name): unstructure(getattr(value, field.name))
            for field in attrs.fields(kind)
            if field.init
        }
    if isinstance(value, Mapping):
        return {unstructure(key): unstructure(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [unstructure(item) for item in value]
    raise InvalidType("value", f"cannot write a {type(value).__name__} as plain data")


def plain_data(value: object) -> Any:
    """The JSON-ready form of ``value``: :func:`unstructure`, or ``str`` for what it cannot write."""
    try:
        return unstructure(value)
    except InvalidType:
        if isinstance(value, Mapping):
            return {str(key): plain_data(item) for key, item in value.items()}
        if isinstance(value, (tuple, list, frozenset, set)):
            return [plain_data(item) for item in value]
        return str(value)
