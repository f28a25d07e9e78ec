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
  is an object (whatever its keys) of values of any kind, so each value says what it is:
  text, integers, floats, booleans and ``null`` as they are (an enum member as its value), a
  tuple (or list) as a list, and the rest as an object of one ``$`` key:
  ``{"$money": "19.00 USD"}``, ``{"$instant": "2024-05-08T09:00:00+03:00"}``,
  ``{"$date": "2024-05-01"}``, ``{"$decimal": "1.50"}``. Any other object is a mapping of
  such values (one whose only key starts with ``$`` is written ``{"$object": {...}}``).
  Reading gives the same values back: tuples for lists, read-only mappings for objects;
  details keep lists as tuples and mappings read-only from the start, and refuse sets
  (``billrules._validate.frozen_mapping``), so a value read back is equal to the one written.

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

from billrules._plain._base import (
    NO_HOOKS,
    OBJECT_TAG,
    TAGS,
    Hooks,
    PlainDataError,
    Reader,
    Shape,
    _hints,
    index,
    join,
    problem,
)
from billrules._plain._read import detail, structure
from billrules._plain._write import detail_data, money_text, unstructure

__all__ = [
    "NO_HOOKS",
    "OBJECT_TAG",
    "TAGS",
    "Hooks",
    "PlainDataError",
    "Reader",
    "Shape",
    "_hints",
    "detail",
    "detail_data",
    "index",
    "join",
    "money_text",
    "problem",
    "structure",
    "unstructure",
]
