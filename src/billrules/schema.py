"""JSON Schemas (draft 2020-12) of billrules' JSON: the documents a frontend or a gateway checks.

:func:`json_schema` builds the schema of one kind of document from the same attrs fields and
type hints :mod:`billrules.serialize` reads (:func:`billrules._plain.structure`), each field's
rule from the validator that checks it (``billrules._validate.described``: bounds, patterns, at
least one item, at most 256 characters for an id), and the scalar forms from the very pattern or
list the reader matches (``billrules._time.INSTANT_PATTERN``, ``DATE_PATTERN``,
``billrules._money.AMOUNT_PATTERN``, ``CURRENCY_CODES``), so the schema and the reader cannot
drift apart; the documents are also shipped in the package, as
``billrules/schemas/<name>.schema.json``, and printed by ``billrules schema NAME``.

>>> from billrules.schema import NAMES, json_schema
>>> NAMES
('account', 'decision', 'effect', 'import_report', 'policy', 'report', 'timeline', 'transition')
>>> schema = json_schema("account")
>>> schema["$schema"], schema["$ref"]
('https://json-schema.org/draft/2020-12/schema', '#/$defs/Account')
>>> schema["$defs"]["User"]["required"], schema["$defs"]["User"]["properties"]["id"]["maxLength"]
(['id', 'role'], 256)
>>> json_schema("acount")
Traceback (most recent call last):
...
billrules.errors.InvalidInput: name: unknown schema 'acount'; known are account, decision, effect, import_report, policy, report, timeline, transition

A document the schema accepts is one the reader accepts, and the other way round, but for what
no keyword can say, which is left to the reader (an error naming the path) and written in the
schema's ``description``: what a constructor checks across fields (an account has exactly one
owner, a ledger's currency is the account's: ``_ACROSS_FIELDS``), a value written for readers
that must equal what the other fields give (an effect's key), a card number in text (PM-6, a
Luhn test), a zone name the tz database lacks, and the limits on a whole file (nesting, digits).
"""

from __future__ import annotations

import copy
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

from billrules import _loads, _money, _plain, _time, _validate
from billrules._check import checked
from billrules._redact import shown
from billrules.account import Account
from billrules.contract import Transition
from billrules.decisions import Decision
from billrules.effects import Effect
from billrules.errors import InvalidInput
from billrules.evaluation import AREAS, Registry
from billrules.importers.stripe import ImportIssue
from billrules.policy import Policy
from billrules.report import Report
from billrules.serialize import hooks
from billrules.timeline import Timeline

__all__ = [
    "DRAFT",
    "NAMES",
    "json_schema",
    "schema_text",
]

#: The JSON Schema dialect of every document.
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

#: What each schema describes: the class read (or the list of them), and a title.
_DOCUMENTS: Final[Mapping[str, tuple[Any, str]]] = {
    "account": (Account, "billrules account snapshot (docs/account-json.md)"),
    "decision": (Decision, "billrules decision"),
    "effect": (Effect, "billrules effect, tagged by its kind"),
    "import_report": (
        tuple[ImportIssue, ...],
        "billrules import report (billrules import stripe --format json; docs/import-stripe.md)",
    ),
    "policy": (Policy, "billrules policy file (docs/policy-files.md)"),
    "report": (Report, "billrules report (explain)"),
    "timeline": (Timeline, "billrules timeline"),
    "transition": (Transition, "billrules transition"),
}

#: The names of the schemas, in order.
NAMES: Final = tuple(_DOCUMENTS)


@checked
def json_schema(name: str, *, areas: Registry = AREAS) -> dict[str, Any]:
    """The JSON Schema of the documents called ``name`` (one of :data:`NAMES`), whose reason
    codes, questions and areas are those of ``areas`` (the registry).

    Raises:
        InvalidInput: ``name`` is not one of :data:`NAMES` (``field`` is ``"name"``).
    """
    if name not in _DOCUMENTS:
        raise InvalidInput("name", f"unknown schema {shown(name)}; known are {', '.join(NAMES)}")
    kind, title = _DOCUMENTS[name]
    defs: dict[str, Any] = {}
    top = _describe(kind, hooks(areas), defs)
    # A copy: the hooks' own schema pieces stay as they are whatever a caller does with it.
    return copy.deepcopy(
        {
            "$schema": DRAFT,
            "title": title,
            **top,
            "$defs": {key: defs[key] for key in sorted(defs)},
        }
    )


@checked
def schema_text(name: str, *, areas: Registry = AREAS) -> str:
    """:func:`json_schema` as indented JSON text ending with a newline (what is shipped).

    Raises:
        InvalidInput: ``name`` is not one of :data:`NAMES`.
    """
    return json.dumps(json_schema(name, areas=areas), indent=2, ensure_ascii=False) + "\n"


#: The widest integer a plain document holds (``billrules._loads``: at most 40 digits).
_WIDEST_INTEGER: Final = 10**_loads.MAX_DIGITS - 1
#: The widest integer an amount may be (below ``10**30`` in magnitude).
_WIDEST_AMOUNT: Final = 10**_money.LARGEST_EXPONENT - 1
_CODES: Final = "|".join(_money.CURRENCY_CODES)

#: The schemas of the scalar forms, by their name in ``$defs``: each one built from the
#: pattern or the list its reader uses (``billrules._time``, ``billrules._money``).
SCALARS: Final[Mapping[str, Mapping[str, Any]]] = {
    "money": {
        "description": (
            'An amount and its ISO 4217 currency code: "19.00 USD". The amount is plain'
            " decimal notation (at most thirty digits before the point and thirty after it),"
            " one space, the code in upper case."
        ),
        "type": "string",
        "maxLength": _money.LONGEST_AMOUNT_TEXT + 4,
        "pattern": f"^{_money.AMOUNT_PATTERN} (?:{_CODES})$",
    },
    "decimal": {
        "description": (
            'An exact number: a string such as "2.5" (at most thirty digits before the point'
            " and thirty after it), or an integer below 10**30 in magnitude."
        ),
        "anyOf": [
            {
                "type": "string",
                "maxLength": _money.LONGEST_AMOUNT_TEXT,
                "pattern": f"^{_money.AMOUNT_PATTERN}$",
            },
            {"type": "integer", "minimum": -_WIDEST_AMOUNT, "maximum": _WIDEST_AMOUNT},
        ],
    },
    "instant": {
        "description": (
            'An instant, ISO 8601 as billrules writes it: "2024-05-08T09:00:00+03:00" or'
            ' "2024-05-08T06:00:00Z"; upper-case T and Z, hh:mm or hh:mm:ss with at most six'
            " decimals, an offset of ±hh:mm (with :ss when a local mean time has them), in the"
            " years 1000 to 8999."
        ),
        "type": "string",
        "pattern": f"^{_time.INSTANT_PATTERN}$",
    },
    "date": {
        "description": 'A date, "2024-05-01" (a day that exists, in the years 1000 to 8999).',
        "type": "string",
        "format": "date",
        "pattern": f"^{_time.DATE_PATTERN}$",
    },
    "zone": {
        "description": (
            'An IANA time zone name: "Europe/Kyiv". Which names exist is the tz database\'s'
            " to say: a name of this form that it lacks is refused by the reader."
        ),
        "type": "string",
        "pattern": f"^{_time.ZONE_PATTERN}$",
    },
    "currency": {
        "description": 'An ISO 4217 currency code, in upper case: "USD".',
        "enum": list(_money.CURRENCY_CODES),
    },
    "detail": {
        "description": (
            "A details value: text, a number, a boolean, null, a list of details values, an"
            ' object of one tag ({"$money": ...}, {"$instant": ...}, {"$date": ...},'
            ' {"$decimal": ...}, {"$object": {...}}), or an object of details values.'
        ),
        "anyOf": [
            {"type": ["string", "boolean", "null"]},
            {"type": "number", "minimum": -_WIDEST_INTEGER, "maximum": _WIDEST_INTEGER},
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
        "description": (
            "Named facts of any kind (see detail). Left to the reader: details nest at most 16"
            " JSON levels (each list and object, tags included) and hold at most 100,000 values"
            " in all; text holds no card number and no lone surrogate; an integral number of 12"
            " to 19 digits passing the Luhn check is a card number (PM-6)."
        ),
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
    across = _ACROSS_FIELDS.get(kind.__name__)
    if across:
        head["description"] += f" Left to the reader (rules across fields): {across}"
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
            properties[key] = _constrained(
                _describe(hints[field.name], hooks, defs), _field_rules(field)
            )
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


def _field_rules(field: attrs.Attribute[Any]) -> dict[str, Any]:
    """The JSON Schema keywords of what ``field``'s validator accepts (``_validate.described``),
    an ``attrs.validators.optional`` or ``and_`` looked into, and those of its metadata
    (``json_schema``: a rule a class checks of the field alone, such as "at least one")."""
    rules: dict[str, Any] = {}
    pending: list[object] = [field.validator]
    while pending:
        check = pending.pop()
        if check is None:
            continue
        inner = getattr(check, "validator", None)  # attrs.validators.optional
        if inner is not None:
            pending.append(inner)
        pending.extend(getattr(check, "_validators", ()))  # attrs.validators.and_
        rules.update(_validate.json_schema_of(check))
    rules.update(field.metadata.get("json_schema", {}))
    return rules


def _constrained(schema: dict[str, Any], rules: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with ``rules`` added to what it says of a value that is not ``null``."""
    if not rules:
        return schema
    options = schema.get("anyOf")
    if options is not None and {"type": "null"} in options:
        return {
            **schema,
            "anyOf": [
                option if option == {"type": "null"} else _constrained(option, rules)
                for option in options
            ],
        }
    if "description" in schema and "description" in rules:
        rules = {key: rules[key] for key in rules if key != "description"}
    merged = {**schema, **rules}
    if isinstance(schema.get("items"), dict) and "items" in rules:
        merged["items"] = _constrained(schema["items"], rules["items"])
    return merged


#: What a class checks across its fields, which no keyword of a field can say: written into
#: the class's ``description``. Besides these, every text field's "no card number" (PM-6, a
#: Luhn test) and a zone name the tz database lacks are left to the reader.
_ACROSS_FIELDS: Final[Mapping[str, str]] = {
    "Account": (
        "exactly one user is the owner; user ids and invoice ids are unique; the ledger is in"
        " the account's currency."
    ),
    "Wallet": (
        "method ids are unique; default_id is the id of one of the methods, given exactly"
        " when there are methods."
    ),
    "PaymentMethod": "a card gives its expiry month and year, together.",
    "Invoice": (
        "due_at is not before issued_at; amount_paid is at most amount, equals it on a paid"
        " invoice and is zero on a scheduled one; paid_at is given exactly on a paid invoice;"
        " attempts are in time order, none before issued_at."
    ),
    "BonusTier": "exactly one of percent and fixed is given.",
    "EnabledPeriod": "end is after start.",
    "LedgerEntry": (
        "the sign of amount follows the kind; the lines of a charge add up to it, and only a"
        " charge has lines."
    ),
    "SeatPool": "there are no more occupants than total.",
    "CancellationRequest": "deactivates_at is not before requested_at.",
    "Suspension": "end is not before start.",
    "DeletionSchedule": (
        "cancelled_at, restored_at and kept_at are not recorded together; kept_because is"
        " given exactly when kept_at is; a manual deletion is never kept."
    ),
    "DeletionPolicy": (
        "every reminder comes after the notice (fewer days than notice_days), and the reminders"
        " are strictly decreasing."
    ),
    "DunningPolicy": (
        "the first stage starts on day 1, the next ones on later days; stage names are"
        " unique; no role's access improves from one stage to the next."
    ),
    "OverduePolicy": (
        "the first stage starts on day 0, the next ones on later days; stage names are"
        " unique; no role's access improves from one stage to the next; each threshold is in"
        " the currency it is named by and more than zero."
    ),
    "ChargeAttempt": "a succeeded attempt has no decline code.",
    "PaymentMethodPolicy": "each brand appears once; no two prefix ranges of one length overlap.",
    "CardBrandRule": "a prefix range does not end before it starts.",
    "Reason": (
        "code is a code of the area (the area given beside it, or the one area it names);"
        " rule is the rule the code declares (docs/reasons.md); details hold the fields the"
        " code's sentence needs; message, when given, is the sentence the code and details"
        " give."
    ),
    "Finding": (
        "the question is one of the area's; details hold the fields the question's summary"
        " needs; the values written for readers, when given, are what the other fields give."
    ),
    "Transition": (
        "kind is one of the area's kinds; the values written for readers (rules, codes,"
        " description), when given, are what the reasons give."
    ),
    "Effect": "key, when given, is the key the other fields give (X-6).",
    "Decision": "a refusal (allowed false) has at least one reason.",
}
