"""Writing billrules values as plain data (see :mod:`billrules._plain`). Private."""

from __future__ import annotations

import enum
import math
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money
from billrules._plain._base import NO_HOOKS, OBJECT_TAG, Hooks
from billrules.errors import InvalidInput, InvalidType


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
            _details_data(item) if field.name in details else unstructure(item, hooks)
        )
        for field in attrs.fields(kind)
        if field.init
        for item in (getattr(value, field.name),)
    }
    if shape is None or not shape.derived:
        return fields
    derived = {key: unstructure(compute(value), hooks) for key, compute in shape.derived.items()}
    return {**derived, **fields} if shape.lead else {**fields, **derived}


def _details_data(value: object) -> Any:
    """A details field: an object of detail values. Never wrapped in ``$object``, even when
    its only key starts with ``$``: a details field is read as an object, never as a value."""
    if not isinstance(value, Mapping):
        return detail_data(value)
    for key in value:
        if not isinstance(key, str):
            raise InvalidType("details", "keys must be strings")
    return {key: detail_data(item) for key, item in value.items()}


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
    # A set has no plain form: details refuse one when they are built (_validate.frozen_mapping).
    raise InvalidType("details", f"cannot write a {type(value).__name__} as plain data")
