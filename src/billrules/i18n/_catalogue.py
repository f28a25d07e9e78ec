"""What the catalogues hold, as the code defines it, and the shipped catalogues. Private.

Every entry is keyed by a context and an id (X-7):

================================  ===========================================================
``reason|<area>``, the code       a reason's sentence template (the area's ``ReasonCode``)
``yes|<area>``, ``no|<area>``,    a finding's summary when the answer is a yes or a no (the
the question                      area's ``Question``)
``kind|<area>``, the kind         a transition's kind as the text shows it
``heading``, a name               the words of the report and the timeline around the values
``term``, a value                 a value a sentence names (a role, a stage, an access level, a
                                  status), written with ``{field:term}``
================================  ===========================================================

Codes repeat across areas (``owner_only``, ``nothing_outstanding``), hence the area in the
context. :func:`english_entries` lists every entry from the code, with its English text: the
``en`` catalogue is that list, and every other catalogue translates each entry with the same
named fields. :func:`catalogue` reads a shipped catalogue once (Babel's ``.po`` reader over
the package's own data); nothing else here reads anything.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Final, NamedTuple

from babel.messages.pofile import read_po

from billrules.decisions import Question, ReasonCode
from billrules.evaluation import AREAS, Registry
from billrules.roles import Role

#: The locales that ship, English first (the fallback).
LOCALES: Final = ("en", "uk")

#: The words around the values, by name, in English: the report's and the timeline's.
HEADINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "report_title": "Account {account_id} ({zone}) at {at}: status {status}",
        "report_money": "Balance: {balance}; outstanding: {outstanding}",
        "postpaid": "none (postpaid)",
        "account": "account",
        "yes": "yes",
        "no": "no ",
        "next": "next:",
        "nothing_next": "next: nothing in the next {days} days",
        "timeline_title": "Timeline of {account_id} ({zone}), {start} to {end}: "
        "{count} {count:event|events}",
        "none": "none",
    }
)


class Entry(NamedTuple):
    """One message of a catalogue: its context, id, English text and a note for translators."""

    context: str
    id: str
    english: str
    note: str


def reason_codes(areas: Registry = AREAS) -> Iterator[tuple[str, type[ReasonCode]]]:
    """Each area's name with its reason-code enum, in the registry's order."""
    for area in areas.areas:
        yield area.name, area.codes


def questions(areas: Registry = AREAS) -> Iterator[tuple[str, type[Question]]]:
    """Each area's name with its question enum, in the registry's order."""
    for area in areas.areas:
        if area.questions is not None:
            yield area.name, area.questions


def kinds(areas: Registry = AREAS) -> Iterator[tuple[str, type[StrEnum]]]:
    """Each area's name with the enum of its transitions' kinds, in the registry's order."""
    for area in areas.areas:
        if area.kinds is not None:
            yield area.name, area.kinds


def terms(areas: Registry = AREAS) -> tuple[str, ...]:
    """The values a sentence may write with ``{field:term}``, without repeats: the roles,
    then each area's terms."""
    values = [str(role) for role in Role]
    for area in areas.areas:
        values.extend(area.terms)
    return tuple(dict.fromkeys(values))


def english_entries(areas: Registry = AREAS) -> tuple[Entry, ...]:
    """Every entry a catalogue holds for the areas of ``areas``, with its English text, in a
    stable order."""
    entries: list[Entry] = []
    for area, codes in reason_codes(areas):
        entries.extend(
            Entry(f"reason|{area}", code.value, code.template, f"{codes.__name__}.{code.name}")
            for code in codes
        )
    for area, asked in questions(areas):
        for question in asked:
            note = f"{asked.__name__}.{question.name}"
            entries.append(Entry(f"yes|{area}", question.value, question.yes, note))
            entries.append(Entry(f"no|{area}", question.value, question.no, note))
    for area, kind_enum in kinds(areas):
        entries.extend(
            Entry(f"kind|{area}", kind.value, kind.value, f"{kind_enum.__name__}.{kind.name}")
            for kind in kind_enum
        )
    entries.extend(Entry("heading", key, text, "") for key, text in HEADINGS.items())
    entries.extend(Entry("term", value, value.replace("_", " "), "") for value in terms(areas))
    return tuple(entries)


@functools.cache
def catalogue(locale: str) -> Mapping[tuple[str, str], str]:
    """The translated messages of a shipped locale by ``(context, id)``, read once.

    Untranslated (empty) and fuzzy messages are left out: their entries fall back to English.
    """
    path = resources.files(__package__) / "locales" / locale / "LC_MESSAGES" / "billrules.po"
    with path.open("rb") as source:
        read = read_po(source, locale=locale)
    return MappingProxyType(
        {
            (message.context or "", str(message.id)): str(message.string)
            for message in read
            if message.id and message.string and not message.fuzzy
        }
    )


def missing(locale: str, areas: Registry = AREAS) -> tuple[tuple[str, str], ...]:
    """The ``(context, id)`` of every entry the areas of ``areas`` need that the shipped
    catalogue of ``locale`` does not translate (English is the code's own text: nothing is
    missing from it), in the order of :func:`english_entries`."""
    if locale == LOCALES[0]:
        return ()
    messages = catalogue(locale)
    return tuple(
        (entry.context, entry.id)
        for entry in english_entries(areas)
        if (entry.context, entry.id) not in messages
    )
