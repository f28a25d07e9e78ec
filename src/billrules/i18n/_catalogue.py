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
from types import MappingProxyType, ModuleType
from typing import Final, NamedTuple, TypeVar

from babel.messages.pofile import read_po

from billrules.cancellation import AccountStatus, CancellationKind, CancellationReason, RequestState
from billrules.decisions import Question, ReasonCode
from billrules.deletion import DeletionKind, DeletionState
from billrules.dunning import AccessLevel, Anchor, DunningKind, DunningPolicy
from billrules.evaluation import AREAS
from billrules.invoices import InvoiceKind, InvoiceStatus
from billrules.roles import Role
from billrules.subscriptions import SubscriptionKind

#: The locales that ship, English first (the fallback).
LOCALES: Final = ("en", "uk")

#: The transition kinds of each area that has transitions.
KINDS: Final[Mapping[str, type[StrEnum]]] = MappingProxyType(
    {
        "invoices": InvoiceKind,
        "cancellation": CancellationKind,
        "dunning": DunningKind,
        "deletion": DeletionKind,
        "subscriptions": SubscriptionKind,
    }
)

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

#: Values the sentences name that a reader's language writes in its own words.
_TERM_ENUMS: Final = (
    Role,
    AccessLevel,
    Anchor,
    AccountStatus,
    InvoiceStatus,
    DeletionState,
    RequestState,
    CancellationReason,
)
#: DEL-3, DEL-6: the status of a deletion not scheduled yet.
_MORE_TERMS: Final = ("not_scheduled_yet",)


class Entry(NamedTuple):
    """One message of a catalogue: its context, id, English text and a note for translators."""

    context: str
    id: str
    english: str
    note: str


_E = TypeVar("_E", bound=StrEnum)


def _members(module: ModuleType, base: type[_E]) -> Iterator[type[_E]]:
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name)
        if isinstance(value, type) and issubclass(value, base) and value is not base:
            yield value


def reason_codes() -> Iterator[tuple[str, type[ReasonCode]]]:
    """Each area's name with its reason-code enum, in the registry's order."""
    for area in AREAS:
        for enum in _members(area.module, ReasonCode):
            yield area.name, enum


def questions() -> Iterator[tuple[str, type[Question]]]:
    """Each area's name with its question enum, in the registry's order."""
    for area in AREAS:
        for enum in _members(area.module, Question):
            yield area.name, enum


def terms() -> tuple[str, ...]:
    """The values a sentence may write with ``{field:term}``, without repeats."""
    values = [str(member) for enum in _TERM_ENUMS for member in enum]
    values += [stage.name for stage in DunningPolicy().stages]
    return tuple(dict.fromkeys([*values, *_MORE_TERMS]))


def english_entries() -> tuple[Entry, ...]:
    """Every entry a catalogue holds, with its English text, in a stable order."""
    entries: list[Entry] = []
    for area, codes in reason_codes():
        entries.extend(
            Entry(f"reason|{area}", code.value, code.template, f"{codes.__name__}.{code.name}")
            for code in codes
        )
    for area, asked in questions():
        for question in asked:
            note = f"{asked.__name__}.{question.name}"
            entries.append(Entry(f"yes|{area}", question.value, question.yes, note))
            entries.append(Entry(f"no|{area}", question.value, question.no, note))
    for area, kinds in KINDS.items():
        entries.extend(
            Entry(f"kind|{area}", kind.value, kind.value, f"{kinds.__name__}.{kind.name}")
            for kind in kinds
        )
    entries.extend(Entry("heading", key, text, "") for key, text in HEADINGS.items())
    entries.extend(Entry("term", value, value.replace("_", " "), "") for value in terms())
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


@functools.cache
def areas_of_codes() -> Mapping[type[ReasonCode], str]:
    """The area whose enum each registered reason code belongs to."""
    return MappingProxyType({codes: area for area, codes in reason_codes()})
