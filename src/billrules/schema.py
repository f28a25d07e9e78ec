"""JSON Schemas (draft 2020-12) of billrules' JSON: the documents a frontend or a gateway checks.

:func:`json_schema` builds the schema of one kind of document from the same attrs fields and
type hints :mod:`billrules.serialize` reads (:func:`billrules._plain.structure`), so the schema
and the reader cannot drift apart; the documents are also shipped in the package, as
``billrules/schemas/<name>.schema.json``, and printed by ``billrules schema NAME``.

>>> from billrules.schema import NAMES, json_schema
>>> NAMES
('account', 'decision', 'effect', 'policy', 'report', 'timeline', 'transition')
>>> schema = json_schema("account")
>>> schema["$schema"], schema["$ref"]
('https://json-schema.org/draft/2020-12/schema', '#/$defs/Account')
>>> schema["$defs"]["User"]["required"], schema["$defs"]["money"]["description"]
(['id', 'role'], 'An amount and its ISO 4217 currency code: "19.00 USD".')
>>> json_schema("acount")
Traceback (most recent call last):
...
billrules.errors.InvalidInput: name: unknown schema 'acount'; known are account, decision, effect, policy, report, timeline, transition

Only what a constructor checks across fields (an account has exactly one owner, a ledger's
currency is the account's) is left to the reader: a document the schema accepts may still be
refused by :func:`billrules.serialize.from_dict`, with an error naming the path.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _plain
from billrules._check import checked
from billrules._redact import shown
from billrules.account import Account
from billrules.contract import Transition
from billrules.decisions import Decision
from billrules.effects import Effect
from billrules.errors import InvalidInput
from billrules.policy import Policy
from billrules.report import Report
from billrules.serialize import HOOKS
from billrules.timeline import Timeline

__all__ = [
    "DRAFT",
    "NAMES",
    "json_schema",
    "schema_text",
]

#: The JSON Schema dialect of every document.
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

#: What each schema describes: the class read, and a title.
_DOCUMENTS: Final[Mapping[str, tuple[type[Any], str]]] = {
    "account": (Account, "billrules account snapshot (docs/account-json.md)"),
    "decision": (Decision, "billrules decision"),
    "effect": (Effect, "billrules effect, tagged by its kind"),
    "policy": (Policy, "billrules policy file (docs/policy-files.md)"),
    "report": (Report, "billrules report (explain)"),
    "timeline": (Timeline, "billrules timeline"),
    "transition": (Transition, "billrules transition"),
}

#: The names of the schemas, in order.
NAMES: Final = tuple(_DOCUMENTS)


@checked
def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the documents called ``name`` (one of :data:`NAMES`).

    Raises:
        InvalidInput: ``name`` is not one of :data:`NAMES` (``field`` is ``"name"``).
    """
    if name not in _DOCUMENTS:
        raise InvalidInput("name", f"unknown schema {shown(name)}; known are {', '.join(NAMES)}")
    kind, title = _DOCUMENTS[name]
    defs: dict[str, Any] = {}
    top = _describe(kind, HOOKS, defs)
    return {
        "$schema": DRAFT,
        "title": title,
        **top,
        "$defs": {key: defs[key] for key in sorted(defs)},
    }


@checked
def schema_text(name: str) -> str:
    """:func:`json_schema` as indented JSON text ending with a newline (what is shipped).

    Raises:
        InvalidInput: ``name`` is not one of :data:`NAMES`.
    """
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


#: An instant: ISO 8601 with an offset (``Z`` or ``±hh:mm``).
_INSTANT: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)$"
)
_AMOUNT: Final = r"[+-]?[0-9]+(\.[0-9]+)?"

#: The schemas of the scalar forms, by their name in ``$defs``.
SCALARS: Final[Mapping[str, Mapping[str, Any]]] = {
    "money": {
        "description": 'An amount and its ISO 4217 currency code: "19.00 USD".',
        "type": "string",
        "pattern": f"^{_AMOUNT} [A-Za-z]{{3}}$",
    },
    "decimal": {
        "description": 'An exact number: a string such as "2.5", or an integer.',
        "type": ["string", "integer"],
        "pattern": f"^{_AMOUNT}$",
    },
    "instant": {
        "description": 'ISO 8601 with an offset: "2024-05-08T09:00:00+03:00".',
        "type": "string",
        "format": "date-time",
        "pattern": _INSTANT,
    },
    "date": {
        "description": 'An ISO 8601 date: "2024-05-01".',
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    },
    "zone": {
        "description": 'An IANA time zone name: "Europe/Kyiv".',
        "type": "string",
        "pattern": "^[A-Za-z][A-Za-z0-9_+/-]*$",
    },
    "currency": {
        "description": 'An ISO 4217 currency code: "USD".',
        "type": "string",
        "pattern": "^[A-Za-z]{3}$",
    },
    "detail": {
        "description": (
            "A details value: text, a number, a boolean, null, a list of details values, an"
            ' object of one tag ({"$money": ...}, {"$instant": ...}, {"$date": ...},'
            ' {"$decimal": ...}, {"$object": {...}}), or an object of details values.'
        ),
        "anyOf": [
            {"type": ["string", "number", "boolean", "null"]},
            {"type": "array", "items": {"$ref": "#/$defs/detail"}},
            *(
                {
                    "type": "object",
                    "properties": {tag: {"$ref": f"#/$defs/{name}"}},
                    "required": [tag],
                    "additionalProperties": False,
                }
                for tag, name in (
                    ("$money", "money"),
                    ("$instant", "instant"),
                    ("$date", "date"),
                    ("$decimal", "decimal"),
                    (_plain.OBJECT_TAG, "details"),
                )
            ),
            {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/detail"},
                "not": {
                    "minProperties": 1,
                    "maxProperties": 1,
                    "propertyNames": {"pattern": "^[$]"},
                },
            },
        ],
    },
    "details": {
        "description": "Named facts of any kind (see detail).",
        "type": "object",
        "additionalProperties": {"$ref": "#/$defs/detail"},
    },
}

_SCALAR_NAMES: Final[Mapping[Any, str]] = {
    Money: "money",
    Decimal: "decimal",
    datetime: "instant",
    date: "date",
    ZoneInfo: "zone",
    Currency: "currency",
}
_JSON_TYPES: Final[Mapping[Any, str]] = {str: "string", int: "integer", bool: "boolean"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _scalar(name: str, defs: dict[str, Any]) -> dict[str, Any]:
    defs.setdefault(name, SCALARS[name])
    if name == "detail":
        defs.setdefault("details", SCALARS["details"])
    if name in ("detail", "details"):
        for other in ("money", "instant", "date", "decimal", "detail", "details"):
            defs.setdefault(other, SCALARS[other])
    return _ref(name)


def _describe(kind: Any, hooks: _plain.Hooks, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of the plain form of ``kind``; classes and forms go into ``defs``.

    It walks the hints :func:`structure` reads: what this accepts is what the reader reads
    (only the checks of the constructors, such as "exactly one owner", are left to them).
    """
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        rest = [_describe(option, hooks, defs) for option in options if option is not type(None)]
        if type(None) in options:
            rest.append({"type": "null"})
        return rest[0] if len(rest) == 1 else {"anyOf": rest}
    if kind is Any or kind is object:
        return _scalar("detail", defs)
    if origin is tuple:
        return {"type": "array", "items": _describe(typing.get_args(kind)[0], hooks, defs)}
    if origin in (Mapping, dict, typing.Mapping) or kind is Mapping:
        key_kind, value_kind = typing.get_args(kind) or (str, Any)
        if key_kind is str and value_kind is Any:
            return _scalar("details", defs)
        schema: dict[str, Any] = {"type": "object"}
        if key_kind is not str:
            schema["propertyNames"] = _describe(key_kind, hooks, defs)
        schema["additionalProperties"] = _describe(value_kind, hooks, defs)
        return schema
    if isinstance(kind, type) and attrs.has(kind):
        name = kind.__name__
        if name not in defs:
            defs[name] = {}  # a class that holds itself refers to its own name
            defs[name] = _describe_attrs(kind, hooks, defs)
        return _ref(name)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if kind in _JSON_TYPES:
        return {"type": _JSON_TYPES[kind]}
    return _scalar(_SCALAR_NAMES[kind], defs)


def _describe_attrs(kind: type[Any], hooks: _plain.Hooks, defs: dict[str, Any]) -> dict[str, Any]:
    shape = hooks.shape(kind) or _plain.Shape()
    doc = (kind.__doc__ or "").strip().split("\n\n")[0]
    head = {"title": kind.__name__, "description": " ".join(doc.split())}
    variants = [
        other for other in shape.variants.values() if issubclass(other, kind) and other is not kind
    ]
    if variants:
        return {**head, "oneOf": [_describe(other, hooks, defs) for other in variants]}
    hints = _plain._hints(kind)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(kind):
        if not field.init:
            continue
        key = field.alias or field.name
        if field.name in shape.schemas:
            properties[key] = dict(shape.schemas[field.name])
        elif field.name in shape.details:
            properties[key] = _scalar("details", defs)
        else:
            properties[key] = _describe(hints[field.name], hooks, defs)
        if field.default is attrs.NOTHING:
            required.append(key)
    derived = {key: dict(shape.schemas[key]) for key in shape.derived if key != shape.tag}
    if shape.tag is not None:
        tag_value = next(value for value, other in shape.variants.items() if other is kind)
        derived = {shape.tag: {"const": tag_value}, **derived}
        required.insert(0, shape.tag)
    properties = {**derived, **properties} if shape.lead else {**properties, **derived}
    return {
        **head,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
