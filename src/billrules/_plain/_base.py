"""Shared by reading and writing plain data: errors, paths, hooks. Private."""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs
from moneyed import Money

from billrules._redact import shown
from billrules.errors import BillRulesError, InvalidInput, _FieldError

_NONE = type(None)

#: A key written in a path as it is: it looks like a field name.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,39}", re.ASCII)

#: The tags of a detail value that JSON has no form of, and the kind each one holds.
TAGS: Final = {"$money": Money, "$instant": datetime, "$date": date, "$decimal": Decimal}

#: The tag of a mapping that would otherwise read as a tagged value.
OBJECT_TAG: Final = "$object"


class PlainDataError(InvalidInput):
    """Plain data (a policy file, an account JSON) that cannot become a billrules value."""

    __module__ = "billrules._plain"  # where it is imported from and shown in tracebacks


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
    #: The compiled readers of these hooks, by type (see ``_read.structure``): a memo of
    #: what the types and shapes, which never change, say; no field of the hooks.
    plans: dict[Any, Any] = attrs.field(factory=dict, init=False, repr=False, eq=False)

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
