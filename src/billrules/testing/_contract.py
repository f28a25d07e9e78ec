"""Strategies for the values every area shares: reasons, decisions, findings, transitions."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from billrules._check import checked
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Question, Reason, ReasonCode
from billrules.evaluation import AREAS
from billrules.testing._core import aware_datetimes, money


def _members(base: type[StrEnum]) -> list[Any]:
    found: list[Any] = []
    for area in AREAS:
        for name in area.module.__all__:
            kind = getattr(area.module, name)
            if isinstance(kind, type) and issubclass(kind, base):
                found.extend(kind)
    return found


#: Detail values of every kind a sentence renders: text, numbers, money, instants, lists, none.
_DETAILS = st.dictionaries(
    st.sampled_from(("amount", "days", "ids", "at", "role", "note")),
    st.one_of(
        st.none(),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.decimals(min_value=-(10**6), max_value=10**6, places=2).map(Decimal),
        st.sampled_from(("owner", "inv-1", "Visa •••• 4242")),
        money(),
        aware_datetimes(),
        st.lists(st.sampled_from(("inv-1", "inv-2")), max_size=3).map(tuple),
    ),
    max_size=4,
)


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
    """Reasons with any area's code, a rule ID and details of every kind a sentence renders."""
    return st.builds(
        Reason,
        code=reason_codes(),
        rule=st.sampled_from(("INV-3", "DUN-1", "DEL-6", "CAN-9")),
        details=_DETAILS,
    )


@checked
def decisions() -> st.SearchStrategy[Decision]:
    """Allowances (with or without reasons) and refusals (with at least one reason)."""
    return st.one_of(
        st.lists(reasons(), max_size=3).map(lambda found: Decision.allow(*found)),
        st.lists(reasons(), min_size=1, max_size=3).map(lambda found: Decision.refuse(*found)),
    )


@checked
def findings() -> st.SearchStrategy[Finding]:
    """Findings of any area's question, decision and summary details."""
    return st.builds(
        Finding,
        area=st.sampled_from([area.name for area in AREAS]),
        question=questions(),
        decision=decisions(),
        details=_DETAILS,
    )


@checked
def transitions() -> st.SearchStrategy[Transition]:
    """Transitions of any area with one to three reasons (their effects are left empty)."""
    return st.builds(
        Transition,
        at=aware_datetimes(),
        area=st.sampled_from([area.name for area in AREAS]),
        kind=st.sampled_from(("renewal", "dunning_stage", "account_deleted")),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
    )
