"""The timeline of one account: what happens and when, across every area (X-5).

:func:`timeline` merges, in time order, the transitions of every registered area
(:data:`billrules.evaluation.AREAS`) between two instants: dunning stage changes, the monthly
charge, the deletion scheduled, its notice, reminders, deletion, restore and purge,
subscription renewals and their end, the cancellation's deactivation and invoices falling due.
Each :class:`~billrules.contract.Transition` carries its rule IDs, the reasons that describe it
and the effects the host is asked to carry out. The timeline is the one the account lives
(X-9): the facts a transition's effects change (the charge on the 1st, a deletion scheduled)
are changed before what follows is computed.

Every area computes its transitions from its rules' next boundaries, never by stepping through
days, and the merge is lazy, so a ten-year window costs what its transitions cost. The window
is half-open, ``[start, end)``: the timeline of ``[a, c)`` is that of ``[a, b)`` followed by
that of ``[b, c)`` for the account with the effects of ``[a, b)`` applied
(:func:`billrules.apply`), as a host that runs the windows one after the other and carries out
each one's effects sees it (X-9).

>>> from datetime import datetime, timedelta, UTC
>>> from moneyed import Money
>>> from billrules import DEFAULT_POLICY
>>> from billrules.account import Account, User
>>> from billrules.balance import Ledger, LedgerEntry
>>> kyiv = "Europe/Kyiv"
>>> charge = LedgerEntry(id="charge-2024-04", kind="charge", at=datetime(2024, 5, 1, tzinfo=UTC),
...                      amount=Money("-19.00", "USD"), description="Usage of 2024-04")
>>> account = Account(id="acme", zone=kyiv, currency="USD",
...                   created_at=datetime(2023, 1, 1, tzinfo=UTC),
...                   users=(User(id="ann", role="owner"),),
...                   ledger=Ledger(currency="USD", entries=(charge,)))
>>> start = datetime(2024, 5, 1, tzinfo=UTC)
>>> tl = timeline(account, DEFAULT_POLICY, start=start, end=start + timedelta(days=31))
>>> [(event.at.astimezone(account.zone).strftime("%m-%d"), str(event.kind))
...  for event in tl.events]  # doctest: +NORMALIZE_WHITESPACE
[('05-01', 'dunning_stage'), ('05-04', 'dunning_stage'), ('05-07', 'dunning_stage'),
 ('05-10', 'dunning_stage'), ('06-01', 'monthly_charge')]
>>> blocked = tl.events[3]
>>> blocked.area, blocked.rules, blocked.codes
('dunning', ('DUN-1', 'DUN-3'), ('stage_begins', 'schedule_anchor'))
>>> blocked.reasons[0].details["severity"]
3
>>> [(effect.kind, effect.occasion) for effect in tl.events[-1].effects]
[('debit_balance', 'charge-2024-05')]
>>> [str(event.kind) for event in upcoming(account, DEFAULT_POLICY, start, count=2, days=400)]
['dunning_stage', 'dunning_stage']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from billrules import _render, _time, serialize
from billrules._check import checked
from billrules.account import Account
from billrules.contract import Transition
from billrules.errors import InvalidInput
from billrules.evaluation import AREAS, Evaluation, Registry
from billrules.policy import Policy

__all__ = [
    "Timeline",
    "timeline",
    "transition_data",
    "upcoming",
]


#: How the picture draws the registered areas.
def _style(areas: Registry) -> _render.Style:
    """How the picture draws the areas of ``areas``: their colours and bands."""
    return _render.Style(
        colours={area.name: area.colour for area in areas.areas},
        bands=frozenset(area.name for area in areas.areas if area.bands),
    )


_STYLE: Final = _style(AREAS)


@checked
def transition_data(transition: Transition) -> dict[str, Any]:
    """A transition as JSON-ready data, as :func:`billrules.serialize.to_dict` writes it.

    Its fields (reasons with their details, effects as ``{"kind": ..., "key": ..., fields}``),
    then its rules, codes and description.
    """
    return serialize.to_dict(transition)


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
    #: How the picture draws the areas: those of the registry the timeline was made with (not
    #: data: it is neither compared nor written).
    style: _render.Style = attrs.field(init=False, default=_STYLE, eq=False, repr=False, hash=False)

    def __str__(self) -> str:
        """One line per transition in local time, effects indented below it."""
        return _render.timeline_text(self.account_id, self.zone, self.start, self.end, self.events)

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON-ready data, as :func:`billrules.serialize.to_dict` writes it
        (instants ISO 8601 with their offset, events as :func:`transition_data` writes them)."""
        return serialize.to_dict(self)

    def _repr_svg_(self) -> str:
        """A horizontal strip: dunning stages as bands, every transition as a labelled tick."""
        return _render.timeline_svg(
            self.account_id, self.zone, self.start, self.end, self.events, self.style
        )

    def _repr_html_(self) -> str:
        """The SVG strip followed by the transitions as a list, for notebooks."""
        return _render.timeline_html(
            self.account_id, self.zone, self.start, self.end, self.events, self.style
        )


@checked
def timeline(
    account: Account,
    policy: Policy,
    *,
    start: datetime,
    end: datetime,
    areas: Registry = AREAS,
) -> Timeline:
    """Every transition of ``account`` in ``[start, end)``, in time order. Decides X-5.

    Merges the transitions of every area of ``areas`` (the registry,
    :data:`billrules.evaluation.AREAS` unless a host passes its own):
    each area computes its own from its rules' next boundaries, and the areas meet only
    through the data they publish (the spans in which cancellation and deletion stop billing
    are handed to the subscription area). Transitions at one instant keep the registry's
    order of areas. The cost follows the number of transitions, not the number of days.

    It is the account as it lives the window (X-9): a transition that changes a fact (the
    month's charge, a deletion scheduled) is applied before what follows is computed, so the
    charge on the 1st starts the dunning stages. It equals what a host sees running the
    window night by night and applying each night's effects (:func:`billrules.apply`).

    Raises:
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
        InvalidInput: ``end`` is before ``start``.
        InvalidType: ``account`` or ``policy`` is not what it should be.
    """
    _time.require_window(start, end)
    made = Timeline(
        account_id=account.id,
        zone=account.zone,
        start=_time.normalized(start),
        end=_time.normalized(end),
        events=tuple(
            Evaluation(account=account, policy=policy, at=start, areas=areas).transitions(end)
        ),
    )
    if areas is not AREAS:
        object.__setattr__(made, "style", areas.derive("timeline.style", _style))
    return made


@checked
def upcoming(
    account: Account,
    policy: Policy,
    at: datetime,
    *,
    count: int,
    days: int,
    areas: Registry = AREAS,
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
    return Evaluation(account=account, policy=policy, at=at, areas=areas).upcoming(count, days)
