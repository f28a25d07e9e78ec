"""Reading plain data into billrules values (see :mod:`billrules._plain`). Private."""

from __future__ import annotations

import enum
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _details, _money, _time, _validate
from billrules._plain import _build
from billrules._plain._base import (
    NO_HOOKS,
    OBJECT_TAG,
    TAGS,
    Hooks,
    PlainDataError,
    Shape,
    _hints,
    _problem,
    _relocate,
    index,
    join,
)
from billrules._plain._build import MISSING
from billrules._plain._write import unstructure
from billrules._redact import shown

_NONE = type(None)

#: The one written form of an instant and of a date (``billrules._time``): what the JSON
#: Schemas publish, so the reader refuses the other spellings ``fromisoformat`` would take.
_INSTANT_FORM = _time.INSTANT_FORM.fullmatch
_COMMON_INSTANT_FORM = _time.COMMON_INSTANT_FORM.fullmatch
_DATE_FORM = _time.DATE_FORM.fullmatch
_NOT_AN_INSTANT = (
    'is not an ISO 8601 instant written as "2024-05-08T09:00:00+03:00" (an offset or Z): {}'
)
_NOT_A_DATE = 'is not an ISO 8601 date written as "2024-05-01": {}'


#: A compiled reader: plain data and its path in, the value out (or a billrules error).
_Plan = Callable[[object, str], Any]


def structure(kind: Any, data: object, path: str = "", hooks: Hooks = NO_HOOKS) -> Any:
    """A value of type ``kind`` built from plain ``data``; errors name ``path``.

    Each type is compiled once per set of hooks into a reader (:func:`_plan`) that tests the
    common case first — the exact JSON type, a known enum value, a key that is a field — and
    builds a path only for a field it reads.
    """
    return _plan(kind, hooks)(data, path)


def _plan(kind: Any, hooks: Hooks) -> _Plan:
    """The compiled reader of ``kind``, compiled on first use and kept with ``hooks``.

    Only finished readers are kept, so threads reading at once at most compile one twice.
    (No type holds itself, directly or not; one that did would not compile.)
    """
    plans = hooks.plans
    found = plans.get(kind)
    if found is None:
        found = plans[kind] = _compile(kind, hooks)
    return typing.cast(_Plan, found)


def _compile(kind: Any, hooks: Hooks) -> _Plan:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        rest = [option for option in options if option is not _NONE]
        if _NONE not in options or len(rest) != 1:  # pragma: no cover - no field is typed so
            raise TypeError(f"cannot read a value of type {kind}")
        inner = _plan(rest[0], hooks)
        return lambda data, path: None if data is None else inner(data, path)
    if kind is Any or kind is object:
        return detail
    if origin is tuple:
        return _tuple_plan(_plan(typing.get_args(kind)[0], hooks))
    if origin in (Mapping, dict, typing.Mapping) or kind is Mapping:
        key_kind, value_kind = typing.get_args(kind) or (str, Any)
        return _mapping_plan(_plan(key_kind, hooks), _plan(value_kind, hooks))
    if isinstance(kind, type) and attrs.has(kind):
        shape = hooks.shape(kind)
        if shape is not None and shape.tag is not None:
            return _variant_plan(kind, shape, hooks)
        return _fields_plan(kind, hooks)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum_plan(kind)
    found = _SCALARS.get(kind)
    if found is not None:
        return found
    return lambda data, path: _structure_scalar(kind, data, path)


def _tuple_plan(item: _Plan) -> _Plan:
    by_index = _build.indexed(item)
    if by_index is not None:  # an item's path is built only if it is needed

        def read_items(data: object, path: str) -> Any:
            if not isinstance(data, list):
                raise _problem(path, f"must be a list, not {_name(data)}")
            return tuple([by_index(value, path, n) for n, value in enumerate(data)])

        return read_items

    def read(data: object, path: str) -> Any:
        if not isinstance(data, list):
            raise _problem(path, f"must be a list, not {_name(data)}")
        return tuple([item(value, f"{path}[{n}]") for n, value in enumerate(data)])

    return read


def _mapping_plan(key: _Plan, value: _Plan) -> _Plan:
    def read(data: object, path: str) -> Any:
        if not isinstance(data, dict):
            raise _not_an_object(data, path)
        return {
            key(name, join(path, name)): value(item, join(path, name))
            for name, item in data.items()
        }

    return read


def _enum_plan(kind: type[enum.Enum]) -> _Plan:
    members = {member.value: member for member in kind if type(member.value) is str}

    def read(data: object, path: str) -> Any:
        if type(data) is str:
            member = members.get(data)
            if member is not None:
                return member
        return _structure_enum(kind, data, path)

    return read


def _variant_plan(kind: type[Any], shape: Shape, hooks: Hooks) -> _Plan:
    def read(data: object, path: str) -> Any:
        if not isinstance(data, dict):
            raise _not_an_object(data, path)
        return _fields_plan(_variant(kind, shape, data, path), hooks)(data, path)

    return read


def _fields_plan(kind: type[Any], hooks: Hooks) -> _Plan:
    """The reader of an attrs class's own fields (cached apart from the tag's dispatch)."""
    key = ("fields", kind)
    plans = hooks.plans
    found = plans.get(key)
    if found is not None:
        return typing.cast(_Plan, found)
    shape = hooks.shape(kind)
    derived = dict(shape.derived) if shape is not None else {}
    readers = shape.readers if shape is not None else {}
    hints = _hints(kind)
    fields: list[_build.Field] = []
    known: set[str] = set(derived)
    read_by_hint: set[str] = set()
    for field in attrs.fields(kind):
        if not field.init:
            continue
        name = field.alias or field.name
        known.add(name)
        required = field.default is attrs.NOTHING
        custom = readers.get(field.name)
        if custom is not None:
            fields.append(_build.Field(name, custom, custom=True, required=required))
            continue
        read_by_hint.add(field.name)
        fields.append(_field(name, hints[field.name], required, hooks))
    allowed = frozenset(known)
    build = _build.builder(kind, hints, frozenset(read_by_hint))
    if build is None:
        names = [field.name for field in fields]
        build = lambda *values: kind(  # noqa: E731 - the plain constructor
            **{n: value for n, value in zip(names, values, strict=True) if value is not MISSING}
        )

    def after(data: dict[str, Any], value: Any, path: str) -> None:
        for name, compute in derived.items():
            if name in data and not _same_json(data[name], unstructure(compute(value), hooks)):
                raise _problem(
                    join(path, name),
                    "does not match what the other fields give: the data was edited",
                )

    def unknown(data: dict[str, Any], path: str) -> PlainDataError:
        name = next(name for name in data if name not in allowed)
        return _unknown(kind, name, path)

    read: _Plan = _build.reader(
        kind,
        fields,
        {
            "_build": build,
            "_after": after if derived else None,
            "_allowed": allowed,
            "_kind": kind,
            "_not_an_object": _not_an_object,
            "_unknown": unknown,
            "_required": _required,
            "_relocate": _relocate,
        },
    )
    plans[key] = read
    return read


def _field(name: str, hint: Any, required: bool, hooks: Hooks) -> _build.Field:
    """How a field of type ``hint`` is read: ``null`` first where the hint allows it, a
    string, an integer, a boolean or an enum value tested inline first."""
    nullable = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        rest = [option for option in options if option is not _NONE]
        if _NONE in options and len(rest) == 1:
            nullable, hint = True, rest[0]
    plan = _plan(hint, hooks)
    if hint in (str, int, bool):
        return _build.Field(name, plan, required=required, nullable=nullable, exact=hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = {member.value: member for member in hint if type(member.value) is str}
        return _build.Field(name, plan, required=required, nullable=nullable, members=members)
    quick = _QUICK.get(hint)
    return _build.Field(name, plan, required=required, nullable=nullable, quick=quick)


def _required(path: str, name: str) -> PlainDataError:
    return _problem(join(path, name), "is required")


def _same_json(read: object, written: object) -> bool:
    """Whether two JSON values are the same JSON: as ``==``, but ``1``, ``1.0`` and ``true``
    differ (a value written for readers is compared as written)."""
    kind = type(read)
    if kind is not type(written):
        return (
            kind in (list, tuple) and type(written) in (list, tuple) and _same_items(read, written)
        )
    if kind is dict:
        one, other = cast("dict[str, object]", read), cast("dict[str, object]", written)
        return one.keys() == other.keys() and all(_same_json(one[k], other[k]) for k in one)
    if kind is list or kind is tuple:
        return _same_items(read, written)
    return read == written


def _same_items(read: object, written: object) -> bool:
    one, other = cast("list[object]", read), cast("list[object]", written)
    return len(one) == len(other) and all(map(_same_json, one, other))


def _read_str(data: object, path: str) -> Any:
    return data if type(data) is str else _structure_scalar(str, data, path)


def _read_int(data: object, path: str) -> Any:
    return data if type(data) is int else _structure_scalar(int, data, path)


def _read_bool(data: object, path: str) -> Any:
    return data if type(data) is bool else _structure_scalar(bool, data, path)


def _quick_instant(data: object) -> Any:
    """The instant ``data`` writes in the common form, or ``None``."""
    if type(data) is str and _COMMON_INSTANT_FORM(data) is not None:
        try:
            # The common form has an offset of whole minutes and a year of the calendar:
            # what it reads is an instant ``require_aware`` accepts (checked once).
            return datetime.fromisoformat(data)
        except ValueError:
            pass
    return None


def _read_instant(data: object, path: str) -> Any:
    if type(data) is str:
        if _COMMON_INSTANT_FORM(data) is not None:
            try:
                return datetime.fromisoformat(data)  # the common form (see _quick_instant)
            except ValueError:
                pass
        elif _INSTANT_FORM(data) is not None:
            try:
                parsed = datetime.fromisoformat(data)
            except ValueError:
                pass
            else:
                return _time.require_aware(parsed, path)
    return _structure_scalar(datetime, data, path)


def _quick_date(data: object) -> Any:
    """The date ``data`` writes, or ``None``."""
    if type(data) is str and _DATE_FORM(data) is not None:
        try:
            # The form holds a year of the calendar: a date ``require_date`` accepts.
            return date.fromisoformat(data)
        except ValueError:
            pass
    return None


def _read_date(data: object, path: str) -> Any:
    found = _quick_date(data)
    return _structure_scalar(date, data, path) if found is None else found


#: An amount and a currency code as nearly every amount is written: an amount that
#: ``_money.to_decimal`` reads as it is (of at most thirty digits before the point and after
#: it: finite, below ``10**30``, no finer than ``10**-30``), a space, three letters.
_COMMON_MONEY = re.compile(rf"({_money.AMOUNT_PATTERN}) ([A-Z]{{3}})", re.ASCII).fullmatch

_CURRENCY_OF = _money.CURRENCY_OF.get


def _quick_money(data: object) -> Any:
    """The amount ``data`` writes in the common form, or ``None``."""
    if type(data) is str and len(data) <= _money.LONGEST_AMOUNT_TEXT:
        found = _COMMON_MONEY(data)
        if found is not None:
            currency = _CURRENCY_OF(found[2])
            if currency is not None:
                return Money(Decimal(found[1]), currency)
    return None


def _read_money(data: object, path: str) -> Any:
    found = _quick_money(data)
    return _structure_money(data, path) if found is None else found


#: The readers of the common forms of scalars (:attr:`_build.Field.quick`).
_QUICK: dict[Any, Callable[[object], Any]] = {
    datetime: _quick_instant,
    date: _quick_date,
    Money: _quick_money,
}


_SCALARS: dict[Any, _Plan] = {
    str: _read_str,
    int: _read_int,
    bool: _read_bool,
    datetime: _read_instant,
    date: _read_date,
    Money: _read_money,
    Currency: _money.currency_code,
    ZoneInfo: _time.to_zone,
}


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
        return _money.currency_code(data, path)
    if kind is ZoneInfo:
        return _time.to_zone(data, path)
    if kind is datetime:
        if not isinstance(data, str):
            raise _problem(path, f"must be an ISO 8601 string, not {_name(data)}")
        if _INSTANT_FORM(data) is None:
            try:
                spelt_otherwise = datetime.fromisoformat(data)
            except ValueError:
                pass
            else:  # a naive time or a year out of the calendar is said as such
                _time.require_aware(spelt_otherwise, path)
            raise _problem(path, _NOT_AN_INSTANT.format(shown(data)))
        try:
            parsed = datetime.fromisoformat(data)
        except ValueError:  # pragma: no cover - the form was checked above
            pass  # raised below, outside the handler: Python's error holds the text (PM-6)
        else:
            return _time.require_aware(parsed, path)
        raise _problem(path, _NOT_AN_INSTANT.format(shown(data)))  # pragma: no cover
    if kind is date:
        if not isinstance(data, str):
            raise _problem(path, f"must be an ISO 8601 date string, not {_name(data)}")
        if _DATE_FORM(data) is None:
            try:
                other_day = date.fromisoformat(data)
            except ValueError:
                pass
            else:  # a year out of the calendar is said as such
                _time.require_date(other_day, path)
            raise _problem(path, _NOT_A_DATE.format(shown(data)))
        try:
            day = date.fromisoformat(data)
        except ValueError:  # pragma: no cover - the form was checked above
            pass  # raised below, outside the handler: Python's error holds the text (PM-6)
        else:
            return _time.require_date(day, path)
        raise _problem(path, _NOT_A_DATE.format(shown(data)))  # pragma: no cover
    raise _problem(path, f"cannot read a value of type {kind}")  # pragma: no cover


def _structure_money(data: object, path: str) -> Money:
    if not isinstance(data, str):
        raise _problem(path, f'must be a string such as "19.00 USD", not {_name(data)}')
    parts = data.split(" ")
    if len(parts) != 2:
        raise _problem(
            path,
            f'must be an amount, one space and a currency, such as "19.00 USD": {shown(data)}',
        )
    amount = _money.to_decimal(parts[0], path)
    currency = _money.CURRENCY_OF.get(parts[1])
    if currency is None:  # the field's name is built only for the error
        currency = _money.currency_code(parts[1], f"{path}.currency")
    return Money(amount, currency)


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


def _not_an_object(data: object, path: str) -> PlainDataError:
    return _problem(path, f"must be an object, not {_name(data)}")


def _unknown(kind: type[Any], key: object, path: str) -> PlainDataError:
    fields = attrs.fields(kind)
    known = ", ".join(sorted(field.alias or field.name for field in fields if field.init))
    return _problem(join(path, key), f"unknown field; known fields are {known}")


def detail(data: object, path: str, depth: int = 0) -> Any:
    """A details value from its plain form (see the module docstring).

    Read as deep as a details value may nest (``billrules._details.MOST_DEPTH`` levels of
    lists and objects, tags included, ``depth`` of them around ``data``) and no deeper, so
    that what is read is what a details value may be; the value built checks the rest.
    """
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        if not math.isfinite(data):
            raise _problem(path, "is NaN or an infinity")
        return data
    if not isinstance(data, (list, tuple, Mapping)):
        raise _problem(path, f"cannot read a {_name(data)} as a detail")
    if depth >= _details.MOST_DEPTH:
        raise _problem(path, _details.TOO_DEEP)
    if isinstance(data, (list, tuple)):
        return tuple(detail(item, index(path, i), depth + 1) for i, item in enumerate(data))
    if len(data) == 1:
        ((key, inner),) = data.items()
        if isinstance(key, str) and key.startswith("$"):
            return _tagged(key, inner, join(path, key), depth + 1)
    return _detail_mapping(data, path, depth + 1)


def _detail_mapping(data: Mapping[Any, Any], path: str, depth: int) -> Mapping[str, Any]:
    """The mapping of ``data``, whose values are ``depth`` levels deep."""
    for key in data:
        if not isinstance(key, str):
            raise _problem(join(path, key), "a key must be a string")
    return _validate.FrozenMapping(
        {key: detail(item, join(path, key), depth) for key, item in data.items()}
    )


def _tagged(tag: str, data: object, path: str, depth: int) -> Any:
    if tag == OBJECT_TAG:
        if not isinstance(data, Mapping):
            raise _problem(path, f"must be an object, not {_name(data)}")
        if depth >= _details.MOST_DEPTH:
            raise _problem(path, _details.TOO_DEEP)
        return _detail_mapping(data, path, depth + 1)
    kind = TAGS.get(tag)
    if kind is None:
        known = ", ".join(sorted([*TAGS, OBJECT_TAG]))
        raise _problem(path, f"unknown tag; known tags are {known}")
    return _structure_scalar(kind, data, path)
