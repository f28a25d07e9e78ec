"""Every billrules value to and from plain data and JSON; account snapshots in particular.

:func:`to_dict` and :func:`from_dict` (and :func:`to_json`, :func:`from_json`) write and read
every value: accounts, policies and each area's policy, the areas' facts, decisions, reasons,
findings, transitions, suspensions, effects, reports and timelines, with money and instants
written the same way everywhere. ``from_dict(type(x), to_dict(x)) == x`` for every value
(``docs/json.md`` documents the forms, and :mod:`billrules.schema` publishes them as JSON
Schemas).

>>> from datetime import datetime, UTC
>>> from billrules.effects import CancelBilling, Effect
>>> effect = CancelBilling(at=datetime(2024, 5, 1, tzinfo=UTC), rule="CAN-7", invoice_id="inv-9")
>>> data = to_dict(effect)
>>> data["kind"], data["at"], data["invoice_id"]
('cancel_billing', '2024-05-01T00:00:00+00:00', 'inv-9')
>>> from_dict(Effect, data) == effect
True

Account snapshots are the format the ``billrules`` command reads.
An :class:`~billrules.account.Account` becomes a JSON object whose keys are its fields, and
back. The plain forms are those of policy files (``billrules._plain``): money is
``"19.00 USD"``, an instant is ISO 8601 with an offset (``"2024-05-08T09:00:00+03:00"``; a
naive one is refused, X-3), a date is ``"2024-05-01"``, a zone its IANA name, an enum its
value, a tuple a list. Optional fields may be left out; unknown keys are errors. Every error
names the path of the field at fault and what is wrong, such as
``users[1].last_login_at: must be timezone-aware (a naive datetime has no instant)``.
What no account file holds is refused too, naming its path: a key twice in one object,
nesting deeper than 32 levels, an integer of more than 40 digits, NaN or an infinity, a lone
surrogate in a string (``billrules._loads``); a leading byte-order mark is ignored.
``docs/account-json.md`` documents every field with a complete example.

>>> from billrules.serialize import account_from_json
>>> account = account_from_json('''{
...   "id": "acme", "zone": "Europe/Kyiv", "currency": "USD",
...   "created_at": "2024-01-10T10:00:00+02:00",
...   "users": [{"id": "olena", "role": "owner"}]
... }''')
>>> account.zone.key, account.owner.id, account.ledger is None
('Europe/Kyiv', 'olena', True)
>>> account_from_json('{"id": "acme", "zone": "Europe/Kyiv", "currency": "USD",'
...                   ' "created_at": "2024-01-10T10:00:00", "users": []}')
Traceback (most recent call last):
...
billrules.errors.NaiveDatetimeError: created_at: must be timezone-aware (a naive datetime has no instant)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, TypeVar

import attrs

from billrules import _loads, _plain, effects
from billrules._check import DOCUMENT, checked
from billrules._redact import shown
from billrules.account import Account
from billrules.contract import Finding, Transition
from billrules.decisions import Question, Reason, ReasonCode
from billrules.effects import Effect
from billrules.errors import InvalidType
from billrules.evaluation import AREAS, Registry

__all__ = [
    "account_from_json",
    "account_from_mapping",
    "account_to_json",
    "account_to_mapping",
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]

T = TypeVar("T")


#: Every effect class ``billrules.effects`` exports, by its ``kind``.
EFFECT_KINDS: Final[Mapping[str, type[Effect]]] = {
    kind.kind: kind
    for name in effects.__all__
    for kind in (getattr(effects, name),)
    if isinstance(kind, type) and issubclass(kind, Effect) and kind is not Effect
}


def _key_or_none(effect: Effect) -> str | None:
    """An effect's key as written: ``None`` for one without an account, which has none."""
    return None if effect.account is None else effect.key


_TEXT: Final = {"type": "string"}
_TEXTS: Final = {"type": "array", "items": _TEXT}

#: What billrules' values write beyond their fields (:func:`hooks` adds the readers): a
#: reason's area (the one its code's enum declares) and message; a finding's answer, summary and rules; a
#: transition's rules, codes and description; an effect's kind (the tag naming its class)
#: and key (``null`` without an account), written first.
WRITING: Final = _plain.Hooks(
    {
        Reason: _plain.Shape(
            derived={
                "area": lambda reason: reason.code.area or None,
                "message": lambda reason: reason.message,
            },
            details=frozenset({"details"}),
            schemas={
                "area": {"description": "The area whose reason codes hold the code."},
                "message": {**_TEXT, "description": "The sentence, rendered from the details."},
            },
        ),
        Finding: _plain.Shape(
            derived={
                "allowed": lambda finding: finding.allowed,
                "summary": lambda finding: finding.summary,
                "rules": lambda finding: finding.rules,
            },
            details=frozenset({"details"}),
            schemas={
                "allowed": {"type": "boolean", "description": "The decision's answer."},
                "summary": {**_TEXT, "description": "The answer as a sentence."},
                "rules": {**_TEXTS, "description": "The rule IDs behind it."},
            },
        ),
        Transition: _plain.Shape(
            derived={
                "rules": lambda transition: transition.rules,
                "codes": lambda transition: transition.codes,
                "description": lambda transition: transition.description,
            },
            schemas={
                "rules": {**_TEXTS, "description": "The rule IDs behind it."},
                "codes": {**_TEXTS, "description": "The reasons' codes."},
                "description": {**_TEXT, "description": "The reasons' sentences."},
            },
        ),
        Effect: _plain.Shape(
            derived={"kind": lambda effect: effect.kind, "key": _key_or_none},
            lead=True,
            details=frozenset({"details"}),
            schemas={
                "key": {
                    "description": "The effect's key (X-6), from its other fields; null for an"
                    " effect without an account, which has no key.",
                    "type": ["string", "null"],
                    "pattern": "^eff_[0-9a-f]{32}$",
                }
            },
            tag="kind",
            variants=EFFECT_KINDS,
        ),
    }
)


@attrs.frozen
class _Tables:
    """A registry's enums by value, for reading: codes and questions are not unique across
    areas (``owner_only`` is cancellation's and deletion's), so a reason names its area."""

    codes: dict[str, dict[str, Any]]
    questions: dict[str, dict[str, Any]]
    kinds: dict[tuple[str, str], Any]

    @classmethod
    def of(cls, areas: Registry) -> _Tables:
        codes: dict[str, dict[str, Any]] = {}
        questions: dict[str, dict[str, Any]] = {}
        kinds: dict[tuple[str, str], Any] = {}
        for area in areas.areas:
            for member in area.codes:
                codes.setdefault(member.value, {})[area.name] = member
            for asked in area.questions or ():
                questions.setdefault(asked.value, {})[area.name] = asked
            for kind in area.kinds or ():
                kinds[(area.name, kind.value)] = kind
        return cls(codes, questions, kinds)


def _area(whole: Mapping[str, object], path: str) -> str | None:
    """The ``area`` the object names, if any: a string (checked before any lookup by it)."""
    area = whole.get("area")
    if area is None:
        return None
    checked_area: str = _plain.structure(str, area, _plain.join(path, "area"))
    return checked_area


def _member(
    table: dict[str, dict[str, Any]], what: str, data: object, area: str | None, path: str
) -> Any:
    value = _plain.structure(str, data, path)
    found = table.get(value)
    if found is None:
        raise _plain.problem(path, f"unknown {what} {shown(value)}")
    if area is not None and area in found:
        return found[area]
    if len(found) == 1:
        return next(iter(found.values()))
    areas = ", ".join(sorted(found))
    raise _plain.problem(
        path, f"is a {what} of more than one area ({areas}): the area must be given"
    )


def _names(table: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(table)}


def hooks(areas: Registry = AREAS) -> _plain.Hooks:
    """How every value is read and written with the areas of ``areas``: the writers' hooks,
    and the readers of the fields an area's enum holds (a reason's code, a finding's
    question, a transition's kind), made once per registry and kept with it."""
    if not isinstance(areas, Registry):
        raise InvalidType("areas", f"must be a Registry, not {type(areas).__name__}")
    made: _plain.Hooks = areas.derive("serialize.hooks", _hooks)
    return made


def _hooks(areas: Registry) -> _plain.Hooks:
    tables = _Tables.of(areas)

    def read_code(data: object, whole: Mapping[str, object], path: str) -> ReasonCode:
        area = _area(whole, path)
        if area is not None:
            value = _plain.structure(str, data, _plain.join(path, "code"))
            if value in tables.codes and area not in tables.codes[value]:
                raise _plain.problem(
                    _plain.join(path, "area"), f"has no reason code {shown(value)}"
                )
        code: ReasonCode = _member(
            tables.codes, "reason code", data, area, _plain.join(path, "code")
        )
        return code

    def read_question(data: object, whole: Mapping[str, object], path: str) -> Question:
        area = _area(whole, path)
        if area is not None:
            value = _plain.structure(str, data, _plain.join(path, "question"))
            if value in tables.questions and area not in tables.questions[value]:
                raise _plain.problem(_plain.join(path, "area"), f"has no question {shown(value)}")
        question: Question = _member(
            tables.questions, "question", data, area, _plain.join(path, "question")
        )
        return question

    def read_kind(data: object, whole: Mapping[str, object], path: str) -> str:
        kind: str = _plain.structure(str, data, _plain.join(path, "kind"))
        area = _area(whole, path)
        return kind if area is None else tables.kinds.get((area, kind), kind)

    area_names = {"enum": list(areas.names)}
    return (
        WRITING.refine(
            Reason,
            readers={"code": read_code},
            schemas={
                "code": {**_names(tables.codes), "description": "A reason code of the area."},
                "area": {
                    "description": "The area whose reason codes hold the code.",
                    **area_names,
                },
            },
        )
        .refine(
            Finding,
            readers={"question": read_question},
            schemas={
                "question": {**_names(tables.questions), "description": "The area's question."},
                # The reader takes only a registered area's question: any other area is refused.
                "area": {"description": "The area asked, one of the registry's.", **area_names},
            },
        )
        .refine(
            Transition,
            readers={"kind": read_kind},
            schemas={
                "kind": {
                    "description": "The kind of transition, a snake_case name.",
                    "type": "string",
                    "pattern": "^[a-z]+(_[a-z]+)*$",
                },
            },
        )
    )


#: How every value is read and written with the registered areas (:data:`AREAS`).
HOOKS: Final = hooks(AREAS)

_SOURCE: Final = re.compile(r"billrules(\.[a-z_]+)*")


def _value_kind(kind: object) -> type[Any]:
    if (
        isinstance(kind, type)
        and attrs.has(kind)
        and _SOURCE.fullmatch(kind.__module__) is not None
    ):
        return kind
    name = getattr(kind, "__name__", type(kind).__name__)
    raise InvalidType(
        "kind", f"must be a billrules value class (such as Account), not {shown(name)}"
    )


def to_dict(value: object) -> dict[str, Any]:
    """The plain data of any billrules value: JSON-ready, and read back by :func:`from_dict`.

    Amounts are ``"19.00 USD"``, instants ISO 8601 with their offset, enums their values,
    tuples lists; an effect is tagged by its ``kind``; details values say what they are
    (``{"$money": "19.00 USD"}``). Values written for readers come with the fields: a
    reason's area and message, a finding's answer, summary and rules, a transition's rules,
    codes and description, an effect's key.

    Raises:
        InvalidType: ``value`` is not a billrules value, or its details hold a value with
            no plain form.
    """
    if not attrs.has(type(value)) or _SOURCE.fullmatch(type(value).__module__) is None:
        raise InvalidType("value", f"must be a billrules value, not {type(value).__name__}")
    data: dict[str, Any] = _plain.unstructure(value, HOOKS)
    return data


def from_dict(kind: type[T], data: Mapping[str, Any], *, areas: Registry = AREAS) -> T:
    """The value of class ``kind`` whose plain data is ``data``: the inverse of :func:`to_dict`.

    ``kind`` may be a base class that a tag resolves: ``from_dict(Effect, data)`` builds the
    effect class ``data["kind"]`` names. Values written for readers (``message``, ``key``…)
    may be left out; when present they must equal what the other fields give. Reason codes,
    questions and transition kinds are those of the areas of ``areas`` (the registry).

    Raises:
        InvalidInput: ``data`` cannot become such a value: a ``PlainDataError`` names the
            path and what is wrong (an unknown key, a missing one, an unknown kind or code, an
            edited key); the constructors' own errors (``NaiveDatetimeError``…) name the path
            too. Data no file holds (nesting deeper than 32 levels, an integer of more than
            40 digits, NaN, a lone surrogate) is refused first.
        InvalidType: ``kind`` is not a billrules value class, or ``data`` not a mapping.
    """
    checked_kind = _value_kind(kind)
    if not isinstance(data, Mapping):
        raise InvalidType("data", f"must be a mapping, not {type(data).__name__}")
    value: T = _from_plain(checked_kind, data, areas)
    return value


def _from_plain(kind: type[Any], data: object, areas: Registry, *, vetted: bool = False) -> Any:
    if not vetted:
        _loads.vet(data)
    if not isinstance(data, Mapping):
        raise _plain.problem("", f"a {kind.__name__} must be an object")
    return _plain.structure(kind, dict(data), "", HOOKS if areas is AREAS else hooks(areas))


def to_json(value: object) -> str:
    """``value`` as indented JSON text (UTF-8 friendly, ending with a newline): :func:`to_dict`."""
    return json.dumps(to_dict(value), indent=2, ensure_ascii=False) + "\n"


def from_json(kind: type[T], text: str, *, areas: Registry = AREAS) -> T:
    """The value of class ``kind`` from JSON text: :func:`from_dict` of the parsed text.

    A leading byte-order mark is ignored.

    Raises:
        InvalidInput: malformed JSON (a ``PlainDataError`` whose ``field`` is
            ``"(JSON text)"``; the message names the line and column), or any error of
            :func:`from_dict`.
        InvalidType: ``kind`` is not a billrules value class, or ``text`` not a string.
    """
    checked_kind = _value_kind(kind)
    if not isinstance(text, str):
        raise InvalidType("text", f"must be a str, not {type(text).__name__}")
    value: T = _from_plain(
        checked_kind, _loads.vetted_json(text, "(JSON text)"), areas, vetted=True
    )
    return value


@checked
def account_from_mapping(data: Mapping[str, Any]) -> Account:
    """An :class:`Account` from a plain mapping (as parsed from JSON).

    Args:
        data: The account's fields in their plain forms; optional fields may be left out.

    Returns:
        The validated account.

    Raises:
        InvalidInput: a key is unknown, a required one is missing, or a value has the wrong
            shape or breaks its area's rules; ``field`` is the path (``users[1].role``).
            Data no account file holds (nesting deeper than 32 levels, an integer of more
            than 40 digits, NaN, a lone surrogate) is a ``PlainDataError`` naming its path.
            Its subclasses say more: ``NaiveDatetimeError``, ``UnknownTimeZone``,
            ``CurrencyMismatch``.
        InvalidType: a value of the wrong type where the area checks it.
    """
    return _account_from_plain(data)


def _account_from_plain(data: object, *, vetted: bool = False) -> Account:
    if not vetted:
        _loads.vet(data)
    if not isinstance(data, Mapping):
        raise _plain.PlainDataError("(top level)", "an account must be an object")
    account: Account = _plain.structure(Account, dict(data), "", HOOKS)
    return account


@checked
def account_to_mapping(account: Account) -> dict[str, Any]:
    """The plain mapping of ``account``, every field written out; the inverse of loading.

    Raises:
        InvalidType: ``account`` is not an :class:`Account`.
    """
    mapping: dict[str, Any] = _plain.unstructure(account, HOOKS)
    return mapping


@checked
def account_from_json(text: Annotated[str, DOCUMENT]) -> Account:
    """An :class:`Account` from JSON text.

    A leading byte-order mark is ignored.

    Raises:
        InvalidInput: malformed JSON (a ``PlainDataError`` whose ``field`` is
            ``"(account file)"``; the message names the line and column); a key twice in one
            object (``field`` names the key's path, ``users[0].id``), or any error of
            :func:`account_from_mapping`.
        InvalidType: ``text`` is not a string.
    """
    return _account_from_plain(_loads.vetted_json(text, "(account file)"), vetted=True)


@checked
def account_to_json(account: Account) -> str:
    """``account`` as indented JSON text (UTF-8 friendly, ending with a newline)."""
    return json.dumps(account_to_mapping(account), indent=2, ensure_ascii=False) + "\n"
