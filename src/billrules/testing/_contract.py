"""Strategies for the values every area shares: reasons, decisions, findings, transitions,
effects."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

import attrs
from hypothesis import strategies as st
from moneyed import Money

from billrules import effects as _effects
from billrules._check import checked
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Question, Reason, ReasonCode
from billrules.effects import Effect
from billrules.evaluation import AREAS
from billrules.testing._core import aware_datetimes, money


def _members(base: type[StrEnum]) -> list[Any]:
    found: list[Any] = []
    for area in AREAS.areas:
        for kind in area.enums():
            if issubclass(kind, base):
                found.extend(kind)
    return found


#: Detail values of every kind a sentence renders: text, numbers, money, instants, lists, none.
_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.decimals(min_value=-(10**6), max_value=10**6, places=2).map(Decimal),
    st.sampled_from(("owner", "inv-1", "Visa •••• 4242")),
    money(),
    aware_datetimes(),
    st.lists(st.sampled_from(("inv-1", "inv-2")), max_size=3).map(tuple),
    st.lists(st.sampled_from(("inv-1", "inv-2")), max_size=3),  # kept as a tuple
)


def _details(fields: frozenset[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Details holding every field a sentence needs (a field read by index gets a mapping)."""
    return st.fixed_dictionaries(
        {
            field: st.dictionaries(st.sampled_from(("owner", "admin", "staff")), _VALUES)
            if field == "access"
            else _VALUES
            for field in sorted(fields)
        },
        optional={"note": _VALUES},
    )


def _area_of(member: ReasonCode | Question) -> str:
    return member.area


@checked
def reason_codes() -> st.SearchStrategy[ReasonCode]:
    """Any reason code of any registered area."""
    return st.sampled_from(_members(ReasonCode))


@checked
def questions() -> st.SearchStrategy[Question]:
    """Any question of any registered area."""
    return st.sampled_from(_members(Question))


@checked
def reasons() -> st.SearchStrategy[Reason]:
    """Reasons of any area's code, under the rule the code declares, with details holding
    every field of the code's sentence (of every kind a sentence renders), so the message
    renders."""

    @st.composite
    def build(draw: st.DrawFn) -> Reason:
        code = draw(reason_codes())
        return Reason(code=code, details=draw(_details(code.fields)))

    return build()


@checked
def decisions() -> st.SearchStrategy[Decision]:
    """Allowances (with or without reasons) and refusals (with at least one reason)."""
    return st.one_of(
        st.lists(reasons(), max_size=3).map(lambda found: Decision.allow(*found)),
        st.lists(reasons(), min_size=1, max_size=3).map(lambda found: Decision.refuse(*found)),
    )


@checked
def findings() -> st.SearchStrategy[Finding]:
    """Findings of any area's question and decision, with details for its summary."""

    @st.composite
    def build(draw: st.DrawFn) -> Finding:
        question = draw(questions())
        return Finding(
            area=_area_of(question),
            question=question,
            decision=draw(decisions()),
            details=draw(_details(question.fields)),
        )

    return build()


@checked
def transitions() -> st.SearchStrategy[Transition]:
    """Transitions of any area with one to three reasons (their effects are left empty)."""
    return st.builds(
        Transition,
        at=aware_datetimes(),
        area=st.sampled_from(AREAS.names),
        kind=st.sampled_from(("renewal", "dunning_stage", "account_deleted")),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
    )


#: Every kind of effect: the subclasses of ``Effect`` that ``billrules.effects`` exports.
_EFFECT_KINDS: Final = tuple(
    kind
    for name in _effects.__all__
    for kind in (getattr(_effects, name),)
    if isinstance(kind, type) and issubclass(kind, Effect) and kind is not Effect
)

#: Text an effect's fields hold: ids, templates, roles, and non-ASCII text.
_EFFECT_TEXT = st.sampled_from(
    ("inv-1", "inv-2", "owner", "ann", "deletion_notice", "Usage of 2024-05", "Олена", "DELETE")
)

#: Text that reads like the other kinds of detail value: an amount, a date, an instant, a
#: number, a tag.
_LOOK_ALIKES = st.sampled_from(
    ("19.5 USD", "19.50 USD", "2024-05-02", "2024-05-01T00:00:00+00:00", "1", "1.5", "$money")
)

#: A detail value that holds no other: JSON's own, numbers equal across kinds (``1``,
#: ``1.0``, ``True``, ``Decimal("1.00")``, ``-0.0``), money, dates, instants, and text
#: looking like them.
_DETAIL_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(-1000, 1000, allow_nan=False, allow_infinity=False),
    st.sampled_from((0, 1, 1.0, -0.0, 1.5, True, False)),
    st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from((Decimal("1"), Decimal("1.00"), Decimal("1.5"), Decimal("-0"))),
    money(),
    st.sampled_from((Money("19.5", "USD"), Money("19.50", "USD"), Money("19.5", "EUR"))),
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    aware_datetimes(),
    _EFFECT_TEXT,
    _LOOK_ALIKES,
)

#: What an effect's ``details`` hold: the values above, and lists, tuples and mappings of
#: them (a mapping whose only key starts with ``$`` too).
_DETAIL_VALUES = st.recursive(
    _DETAIL_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from(("a", "b", "$money", "$object")), inner, max_size=2),
    ),
    max_leaves=6,
)

_EFFECT_DETAILS = st.dictionaries(
    st.sampled_from(("deletion_date", "days", "days_before", "note", "ids", "$money")),
    _DETAIL_VALUES,
    max_size=3,
)


def _effect_field(hint: Any) -> st.SearchStrategy[Any]:
    """Values of an effect's own field, from its type hint."""
    options = typing.get_args(hint)
    if type(None) in options:  # ``str | None``
        return st.none() | _effect_field(next(o for o in options if o is not type(None)))
    if hint is str:
        return _EFFECT_TEXT
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(min_value=0, max_value=1000)
    if hint is Money:
        return money(min_value=1)
    if hint is datetime:
        return aware_datetimes()
    if typing.get_origin(hint) is Mapping and typing.get_args(hint) == (str, str):
        return st.dictionaries(  # role names to access-level names (SetAccess.access)
            st.sampled_from(("owner", "admin", "staff")),
            st.sampled_from(("full", "full_with_reminder", "payment_page_only", "blocked")),
            min_size=1,
        )
    if typing.get_origin(hint) is Mapping:
        return _EFFECT_DETAILS
    raise TypeError(f"no strategy for an effect field of type {hint}")  # pragma: no cover


#: Effect fields whose values are names from a closed set, by field name.
_NAMED_FIELDS: Final[Mapping[str, st.SearchStrategy[Any]]] = {
    "deletion_kind": st.sampled_from(("automatic", "manual")),
    "index": st.integers(min_value=1, max_value=1000),  # a renewal's, from 1
    "attempt": st.integers(min_value=2, max_value=1000),  # a retry's (OVD-1), from 2
    "kept_because": st.lists(
        st.sampled_from(("account_too_new", "recent_login", "balance_remaining")),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(tuple),
}


@checked
def effects() -> st.SearchStrategy[Effect]:
    """Effects of every kind ``billrules.effects`` exports, with and without ``account`` and
    ``occasion``: due at any instant (in any zone), under a rule ID of any area, their own
    fields drawn from their types (ids and non-ASCII text, positive money, counts, flags,
    ``details`` holding numbers equal across kinds, money, dates, instants, text that looks
    like them, and lists, tuples and mappings of these)."""
    base: dict[str, st.SearchStrategy[Any]] = {
        "at": aware_datetimes(),
        "rule": st.sampled_from(("CAN-7", "CAN-8", "SEAT-5", "DEL-3", "DEL-6", "BAL-7", "SUB-5")),
        "account": st.none() | st.sampled_from(("acme", "acct-1", "kyiv-realty")),
        "occasion": st.none()
        | st.sampled_from(("back_office_cancellation:2024-05-01", "charge-2024-05")),
    }

    def build(kind: type[Effect]) -> st.SearchStrategy[Effect]:
        hints = typing.get_type_hints(kind)
        own = {
            field.name: _NAMED_FIELDS[field.name]
            if field.name in _NAMED_FIELDS
            else _effect_field(hints[field.name])
            for field in attrs.fields(kind)
            if field.name not in base
        }
        return st.builds(kind, **base, **own)

    return st.one_of([build(kind) for kind in _EFFECT_KINDS])
