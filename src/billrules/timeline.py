"""The timeline of one account: what happens and when, across every area (X-5).

:func:`timeline` merges, in time order, the transitions of every registered area
(:data:`billrules.evaluation.AREAS`) between two instants: dunning stage changes, the deletion
notice, reminders, deletion, restore and purge, subscription renewals and their end, the
cancellation's deactivation and invoices falling due. Each
:class:`~billrules.contract.Transition` carries its rule IDs, the reasons that describe it and
the effects the host is asked to carry out.

Every area computes its transitions from its rules' next boundaries, never by stepping through
days, and the merge is lazy, so a ten-year window costs what its transitions cost. The window is half-open, ``[start,
end)``: the timeline of ``[a, c)`` is that of ``[a, b)`` followed by that of ``[b, c)``.

>>> from datetime import datetime, timedelta, UTC
>>> from moneyed import Money
>>> from billrules import DEFAULT_POLICY
>>> from billrules.account import Account, User
>>> from billrules.balance import Ledger, LedgerEntry
>>> kyiv = "Europe/Kyiv"
>>> charge = LedgerEntry(id="c-1", kind="charge", at=datetime(2024, 5, 1, tzinfo=UTC),
...                      amount=Money("-19.00", "USD"), description="May")
>>> account = Account(id="acme", zone=kyiv, currency="USD",
...                   created_at=datetime(2023, 1, 1, tzinfo=UTC),
...                   users=(User(id="ann", role="owner"),),
...                   ledger=Ledger(currency="USD", entries=(charge,)))
>>> start = datetime(2024, 5, 1, tzinfo=UTC)
>>> tl = timeline(account, DEFAULT_POLICY, start=start, end=start + timedelta(days=31))
>>> [(event.at.astimezone(account.zone).day, str(event.kind)) for event in tl.events]
[(1, 'dunning_stage'), (4, 'dunning_stage'), (7, 'dunning_stage'), (10, 'dunning_stage')]
>>> tl.events[-1].area, tl.events[-1].rules, tl.events[-1].codes
('dunning', ('DUN-1', 'DUN-3'), ('stage_begins', 'schedule_anchor'))
>>> tl.events[-1].reasons[0].details["severity"]
3
>>> [str(event.kind) for event in upcoming(account, DEFAULT_POLICY, start, count=2, days=400)]
['dunning_stage', 'dunning_stage']
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from billrules import _plain, _render, _time, effects
from billrules._check import checked
from billrules.account import Account
from billrules.contract import Finding, Transition
from billrules.decisions import Question, Reason, ReasonCode
from billrules.effects import Effect
from billrules.errors import InvalidInput
from billrules.evaluation import AREAS, Evaluation
from billrules.policy import Policy

__all__ = [
    "Timeline",
    "timeline",
    "transition_data",
    "upcoming",
]


def _enum_areas() -> dict[type[Any], str]:
    """Each area's reason-code, question and kind enums, and the area's name."""
    found: dict[type[Any], str] = {}
    for area in AREAS:
        for name in area.module.__all__:
            kind = getattr(area.module, name)
            if (
                isinstance(kind, type)
                and issubclass(kind, enum.Enum)
                and kind not in (ReasonCode, Question)
            ):
                found[kind] = area.name
    return found


#: The area whose module defines each enum (a reason's code names its area by it).
ENUM_AREAS: Final[Mapping[type[Any], str]] = _enum_areas()

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

#: What billrules' values write beyond their fields, for ``_plain`` (``serialize`` adds the
#: readers): a reason's area and message; a finding's answer, summary and rules; a
#: transition's rules, codes and description; an effect's kind (the tag naming its class)
#: and key (``null`` without an account), written first.
WRITING: Final = _plain.Hooks(
    {
        Reason: _plain.Shape(
            derived={
                "area": lambda reason: ENUM_AREAS.get(type(reason.code)),
                "message": lambda reason: reason.message,
            },
            details=frozenset({"details"}),
            schemas={
                "area": {
                    "description": "The area whose reason codes hold the code.",
                    "enum": [area.name for area in AREAS],
                },
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


@checked
def transition_data(transition: Transition) -> dict[str, Any]:
    """A transition as JSON-ready data, as :func:`billrules.serialize.to_dict` writes it.

    Its fields (reasons with their details, effects as ``{"kind": ..., "key": ..., fields}``),
    then its rules, codes and description.
    """
    data: dict[str, Any] = _plain.unstructure(transition, WRITING)
    return data


@attrs.frozen(kw_only=True)
class Timeline:
    """The transitions of one account in ``[start, end)``, in time order (X-5).

    Attributes:
        account_id: The account's id.
        zone: The account's zone; ``str`` shows local times in it.
        start: The first instant of the window (included).
        end: The end of the window (excluded).
        events: The transitions, oldest first.
    """

    account_id: str
    zone: ZoneInfo
    start: datetime = attrs.field(eq=_time.instant_key)
    end: datetime = attrs.field(eq=_time.instant_key)
    events: tuple[Transition, ...]

    def __str__(self) -> str:
        """One line per transition in local time, effects indented below it."""
        return _render.timeline_text(self.account_id, self.zone, self.start, self.end, self.events)

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON-ready data, as :func:`billrules.serialize.to_dict` writes it
        (instants ISO 8601 with their offset, events as :func:`transition_data` writes them)."""
        data: dict[str, Any] = _plain.unstructure(self, WRITING)
        return data

    def _repr_svg_(self) -> str:
        """A horizontal strip: dunning stages as bands, every transition as a labelled tick."""
        return _render.timeline_svg(self.account_id, self.zone, self.start, self.end, self.events)

    def _repr_html_(self) -> str:
        """The SVG strip followed by the transitions as a list, for notebooks."""
        return _render.timeline_html(self.account_id, self.zone, self.start, self.end, self.events)


@checked
def timeline(account: Account, policy: Policy, *, start: datetime, end: datetime) -> Timeline:
    """Every transition of ``account`` in ``[start, end)``, in time order. Decides X-5.

    Merges the transitions of every registered area (:data:`billrules.evaluation.AREAS`):
    each area computes its own from its rules' next boundaries, and the areas meet only
    through the data they publish (the spans in which cancellation and deletion stop billing
    are handed to the subscription area). Transitions at one instant keep the registry's
    order of areas. The cost follows the number of transitions, not the number of days.

    Raises:
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
        InvalidInput: ``end`` is before ``start``.
        InvalidType: ``account`` or ``policy`` is not what it should be.
    """
    _time.require_window(start, end)
    return Timeline(
        account_id=account.id,
        zone=account.zone,
        start=_time.normalized(start),
        end=_time.normalized(end),
        events=tuple(Evaluation(account=account, policy=policy, at=start).transitions(end)),
    )


@checked
def upcoming(
    account: Account, policy: Policy, at: datetime, *, count: int, days: int
) -> tuple[Transition, ...]:
    """The first ``count`` transitions of ``account`` in the ``days`` days from ``at`` (X-5).

    Lazy: only as many transitions as asked are computed, however long the window; the window
    ends where the calendar does.

    Raises:
        InvalidInput: ``count`` or ``days`` is negative.
    """
    if count < 0:
        raise InvalidInput("count", "must not be negative")
    if days < 0:
        raise InvalidInput("days", "must not be negative")
    return Evaluation(account=account, policy=policy, at=at).upcoming(count, days)
