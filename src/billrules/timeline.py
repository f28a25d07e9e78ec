"""The timeline of one account: what happens and when, across every area (X-5).

:func:`timeline` merges, in time order, the time-driven transitions of every area between two
instants: dunning stage changes (DUN-1 … DUN-3), the deletion notice, reminders, deletion,
restore and purge (DEL-2 … DEL-7), subscription renewals and their end (SUB-1 … SUB-3), the
cancellation's deactivation (CAN-6, CAN-8) and invoices becoming overdue (INV-2). Each
:class:`Event` carries its rule IDs and the effects the host is asked to carry out.

Every area computes its transitions from its rules' next boundaries, never by stepping through
days, so a ten-year window costs what its events cost. The window is half-open, ``[start,
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
>>> tl = timeline(account, DEFAULT_POLICY, start, start + timedelta(days=31))
>>> [(event.at.astimezone(account.zone).day, event.kind) for event in tl.events]
[(1, 'dunning_stage'), (4, 'dunning_stage'), (7, 'dunning_stage'), (10, 'dunning_stage')]
>>> tl.events[-1].rules
('DUN-1', 'DUN-3')
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from billrules import _plain, _time, deletion
from billrules._check import checked
from billrules.account import Account, activity
from billrules.cancellation import RequestState, deactivation_effects
from billrules.dunning import stage_transitions
from billrules.effects import Effect
from billrules.errors import InvalidInput
from billrules.invoices import InvoiceStatus
from billrules.policy import Policy
from billrules.subscriptions import renewals_between

__all__ = [
    "Event",
    "Timeline",
    "timeline",
]

#: The order of areas for events at the same instant (a fixed order, so windows split cleanly).
AREAS: Final = ("cancellation", "subscriptions", "invoices", "dunning", "deletion")
_RANK: Final[Mapping[str, int]] = {area: index for index, area in enumerate(AREAS)}


@attrs.frozen(kw_only=True)
class Event:
    """One thing that happens to the account at one instant (X-5).

    Attributes:
        at: When it happens.
        area: The area whose rules call for it (``"dunning"``, ``"deletion"``…).
        kind: A stable snake_case name (``"dunning_stage"``, ``"renewal"``, ``"account_deleted"``).
        rules: The rule IDs behind it, in order.
        description: A human sentence.
        effects: What the host is asked to do at ``at`` (X-2); often empty.
    """

    at: datetime
    area: str
    kind: str
    rules: tuple[str, ...]
    description: str
    effects: tuple[Effect, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data; effects as ``{"kind": ..., **fields}``."""
        return {
            "at": self.at.isoformat(),
            "area": self.area,
            "kind": self.kind,
            "rules": list(self.rules),
            "description": self.description,
            "effects": [_effect_data(effect) for effect in self.effects],
        }


def _effect_data(effect: Effect) -> dict[str, Any]:
    """An effect as JSON-ready data: ``{"kind": effect.kind, "at": ..., "rule": ..., ...}``."""
    fields: dict[str, Any] = {"kind": effect.kind}
    for field in attrs.fields(type(effect)):
        fields[field.name] = _plain.plain_data(getattr(effect, field.name))
    return fields


@attrs.frozen(kw_only=True)
class Timeline:
    """The events of one account in ``[start, end)``, in time order (X-5).

    Attributes:
        account_id: The account's id.
        zone: The account's zone; ``str`` shows local times in it.
        start: The first instant of the window (included).
        end: The end of the window (excluded).
        events: The events, oldest first.
    """

    account_id: str
    zone: ZoneInfo
    start: datetime
    end: datetime
    events: tuple[Event, ...]

    def __str__(self) -> str:
        """One line per event in local time, effects indented below it."""
        zone = self.zone
        lines = [
            f"Timeline of {self.account_id} ({zone.key}), "
            f"{_time.wall_clock(self.start, zone)} to {_time.wall_clock(self.end, zone)}: "
            f"{len(self.events)} event{'' if len(self.events) == 1 else 's'}"
        ]
        for event in self.events:
            lines.append(
                f"  {_time.wall_clock(event.at, zone)}  {event.area:<13} {event.kind:<22} "
                f"[{', '.join(event.rules)}] {event.description}"
            )
            lines.extend(
                f"      -> {effect.kind} ({effect.rule}){_effect_note(effect)}"
                for effect in event.effects
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON-ready data (instants ISO 8601 with their offset)."""
        return {
            "account_id": self.account_id,
            "zone": self.zone.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "events": [event.to_dict() for event in self.events],
        }

    def _repr_svg_(self) -> str:
        """A horizontal strip: dunning stages as bands, every event as a labelled tick."""
        return _svg(self)

    def _repr_html_(self) -> str:
        """The SVG strip followed by the events as a list, for notebooks."""
        items = "".join(
            f"<li><code>{html.escape(_time.wall_clock(event.at, self.zone))}</code> "
            f"<b>{html.escape(event.kind)}</b> [{html.escape(', '.join(event.rules))}] "
            f"{html.escape(event.description)}</li>"
            for event in self.events
        )
        return f"<div>{_svg(self)}<ul>{items}</ul></div>"


def _effect_note(effect: Effect) -> str:
    template = getattr(effect, "template", None)
    return "" if template is None else f": {template}"


# --------------------------------------------------------------------------------------------
# The areas' events


def _dunning(account: Account, policy: Policy, start: datetime, end: datetime) -> list[Event]:
    if account.ledger is None:
        return []
    events = []
    for change in stage_transitions(
        account.ledger, policy.dunning, start=start, end=end, zone=account.zone
    ):
        stage = change.stage
        if stage is None:
            events.append(
                Event(
                    at=change.at,
                    area="dunning",
                    kind="dunning_lifted",
                    rules=change.rules,
                    description="The debt is paid in full: every restriction is lifted.",
                )
            )
            continue
        levels = ", ".join(f"{role} {level}" for role, level in stage.access.items())
        events.append(
            Event(
                at=change.at,
                area="dunning",
                kind="dunning_stage",
                rules=change.rules,
                description=f"Dunning stage {stage.name} (day {stage.first_day}): {levels}.",
            )
        )
    return events


_DELETION_KINDS: Final[Mapping[str, tuple[str, str]]] = {
    "pending": ("deletion_scheduled", "Deletion scheduled for {date}; the owner is notified."),
    "cancelled": ("deletion_cancelled", "The owner cancelled the pending deletion."),
    "kept": ("deletion_kept", "No longer eligible at the deletion instant: the account is kept."),
    "deleted": ("account_deleted", "The account is deleted; support may restore it until {until}."),
    "restored": ("account_restored", "Support restored the deleted account."),
    "purged": ("data_purged", "The retention period is over: the account's data are purged."),
}


def _deletion(
    account: Account,
    policy: Policy,
    start: datetime,
    end: datetime,
    facts: deletion.AccountActivity | None = None,
) -> list[Event]:

    schedule = account.deletion_schedule
    if schedule is None:
        return []
    if facts is None:
        facts = activity(account)
    zone = account.zone
    changes = deletion.transitions(
        schedule, facts, policy.deletion, start=start, end=end, zone=zone
    )
    effects = deletion.effects_due(
        schedule, facts, policy.deletion, since=start, until=end, zone=zone
    )
    by_instant: dict[datetime, list[Effect]] = {}
    for effect in effects:
        by_instant.setdefault(effect.at, []).append(effect)
    events: list[Event] = []
    for change in changes:
        kind, text = _DELETION_KINDS[change.state]
        date_ = change.details.get("deletion_date", "")
        until = change.details.get("restorable_until")
        description = text.format(
            date=date_, until="" if until is None else _time.wall_clock(until, zone)
        )
        events.append(
            Event(
                at=change.at,
                area="deletion",
                kind=kind,
                rules=change.rules,
                description=description,
                effects=tuple(by_instant.pop(change.at, ())),
            )
        )
    for at, rest in by_instant.items():
        days = next((e.details.get("days_before") for e in rest if hasattr(e, "details")), None)
        events.append(
            Event(
                at=at,
                area="deletion",
                kind="deletion_reminder",
                rules=tuple(dict.fromkeys(e.rule for e in rest)),
                description=f"Reminder to the owner: the account is deleted in {days} "
                + ("day." if days == 1 else "days.")
                if days is not None
                else "Deletion notice effects.",
                effects=tuple(rest),
            )
        )
    events.sort(key=lambda event: event.at)
    return events


def _renewal_windows(
    account: Account,
    policy: Policy,
    start: datetime,
    end: datetime,
    facts: deletion.AccountActivity | None,
) -> list[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` in which the account still renews.

    Nothing renews from a cancellation's deactivation on (CAN-6 stops the rebill), nor while
    the account is deleted, from its deletion until a restore (DEL-6). Cutting the window,
    rather than filtering renewal by renewal, keeps the cost with the events.
    """
    stop = end
    request = account.cancellation_request
    if request is not None and request.state is not RequestState.WITHDRAWN:
        stop = min(stop, max(request.deactivates_at, start))
    windows = [(start, stop)]
    schedule = account.deletion_schedule
    if schedule is None or facts is None:
        return windows
    rules = policy.deletion
    horizon = max(schedule.scheduled_at, schedule.restored_at or schedule.scheduled_at) + timedelta(
        days=rules.notice_days + rules.manual_notice_days + rules.retention_days + 3
    )
    deleted_at = restored_at = None
    for change in deletion.transitions(
        schedule, facts, rules, start=schedule.scheduled_at, end=horizon, zone=account.zone
    ):
        if change.state is deletion.DeletionState.DELETED and deleted_at is None:
            deleted_at = change.at
        elif change.state is deletion.DeletionState.RESTORED:
            restored_at = change.at
    if deleted_at is None:
        return windows
    resumed = restored_at if restored_at is not None else stop
    return [
        (a, b) for a, b in ((start, min(stop, deleted_at)), (max(start, resumed), stop)) if a < b
    ]


def _subscriptions(
    account: Account,
    policy: Policy,
    start: datetime,
    end: datetime,
    facts: deletion.AccountActivity | None,
) -> list[Event]:
    sub = account.subscription
    if sub is None:
        return []
    events: list[Event] = []
    change = sub.pending_change
    renewals = [
        renewal
        for since, until in _renewal_windows(account, policy, start, end, facts)
        for renewal in renewals_between(sub, since, until, zone=account.zone)
    ]
    for renewal in renewals:
        changes = change is not None and renewal.on == change.takes_effect_on
        events.append(
            Event(
                at=renewal.at,
                area="subscriptions",
                kind="renewal",
                rules=("SUB-1", "SUB-3") if changes else ("SUB-1",),
                description=f"Renewal {renewal.index} of the {renewal.plan} plan"
                + (f" (the plan changes to {renewal.plan})." if changes else "."),
            )
        )
    if sub.ends_at is not None and start <= sub.ends_at < end:
        events.append(
            Event(
                at=sub.ends_at,
                area="subscriptions",
                kind="subscription_ends",
                rules=("SUB-2",),
                description=f"The {sub.plan} subscription ends; nothing renews from now on.",
            )
        )
    events.sort(key=lambda event: event.at)
    return events


def _cancellation(account: Account, policy: Policy, start: datetime, end: datetime) -> list[Event]:
    request = account.cancellation_request
    if request is None or request.state is RequestState.WITHDRAWN:
        return []
    if not start <= request.deactivates_at < end:
        return []
    return [
        Event(
            at=request.deactivates_at,
            area="cancellation",
            kind="cancellation_effective",
            rules=("CAN-6", "CAN-8"),
            description=f"The cancellation ({request.reason}) takes effect: access is revoked, "
            "the leads are reassigned and removed from the call queue.",
            effects=deactivation_effects(request, policy.cancellation),
        )
    ]


_DUE: Final = frozenset({InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED})


def _invoices(account: Account, policy: Policy, start: datetime, end: datetime) -> list[Event]:
    del policy
    due = sorted(
        (
            inv
            for inv in account.invoices
            if inv.status in _DUE and start <= inv.due_at < end and inv.amount_due.amount > 0
        ),
        key=lambda inv: (inv.due_at, inv.id),
    )
    return [
        Event(
            at=inv.due_at,
            area="invoices",
            kind="invoice_overdue",
            rules=("INV-2",),
            description=f"Invoice {inv.id} is due; unpaid after this instant it is overdue "
            f"({inv.amount_due.amount} {inv.amount_due.currency.code} due).",
        )
        for inv in due
    ]


@checked
def timeline(account: Account, policy: Policy, start: datetime, end: datetime) -> Timeline:
    """Every event of ``account`` in ``[start, end)``, in time order. Decides X-5.

    Merges dunning stage changes (DUN-1 … DUN-3, from the ledger's debts), the deletion
    schedule's notice, reminders, deletion, restore or purge (DEL-2 … DEL-7), renewals and the
    end of the subscription (SUB-1 … SUB-3), the cancellation's deactivation (CAN-6, CAN-8)
    and invoices falling due (INV-2). The areas meet where the rules say so: nothing renews
    after a cancellation's deactivation (CAN-6) or while the account is deleted (DEL-6).
    Events at one instant keep a fixed order of areas
    (:data:`AREAS`). Each area computes its events from its rules' next boundaries, so the
    cost follows the number of events, not the number of days.

    Raises:
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
        InvalidInput: ``end`` is before ``start``.
        InvalidType: ``account`` or ``policy`` is not what it should be.
    """
    if end < start:
        raise InvalidInput("end", "must not be before start")
    return Timeline(
        account_id=account.id,
        zone=account.zone,
        start=start,
        end=end,
        events=_events(account, policy, start, end, None),
    )


def _events(
    account: Account,
    policy: Policy,
    start: datetime,
    end: datetime,
    facts: deletion.AccountActivity | None,
) -> tuple[Event, ...]:
    """The merged events of checked arguments (``facts``: the activity, if already derived)."""
    if facts is None and account.deletion_schedule is not None:
        facts = activity(account)
    events = [
        *_cancellation(account, policy, start, end),
        *_subscriptions(account, policy, start, end, facts),
        *_invoices(account, policy, start, end),
        *_dunning(account, policy, start, end),
        *_deletion(account, policy, start, end, facts),
    ]
    events.sort(key=lambda event: (event.at, _RANK[event.area]))
    return tuple(events)


def _next_events(
    account: Account,
    policy: Policy,
    at: datetime,
    *,
    days: int,
    count: int,
    facts: deletion.AccountActivity | None = None,
) -> tuple[Event, ...]:
    """The first ``count`` events of ``[at, at + days)``, looking a month ahead first.

    By the split property the events of ``[at, at + 31 days)`` followed by those of the rest
    are those of the whole window, so the rest is computed only when the first month holds
    fewer than ``count`` events. ``at`` must be aware (checked by the caller).
    """
    end = max(at, min(at + timedelta(days=days), _time.LAST_INSTANT))  # the calendar ends
    near = min(at + timedelta(days=31), end)
    found = _events(account, policy, at, near, facts)
    if len(found) < count and near < end:
        found += _events(account, policy, near, end, facts)
    return found[:count]


# --------------------------------------------------------------------------------------------
# SVG


_WIDTH: Final = 960
_LEFT: Final = 20
_RIGHT: Final = 20
_BAND_Y: Final = 150
_BAND_H: Final = 22
_FILL: Final = ("#e8f5e9", "#fff8e1", "#ffe0b2", "#ffcdd2")
_AREA_COLOUR: Final[Mapping[str, str]] = {
    "cancellation": "#6a1b9a",
    "subscriptions": "#1565c0",
    "invoices": "#00838f",
    "dunning": "#e65100",
    "deletion": "#b71c1c",
}


def _svg(tl: Timeline) -> str:
    """The strip as SVG text: dunning bands coloured by severity, a labelled tick per event."""
    span = (tl.end - tl.start).total_seconds() or 1.0
    usable = _WIDTH - _LEFT - _RIGHT

    def x(at: datetime) -> float:
        return round(_LEFT + usable * (at - tl.start).total_seconds() / span, 1)

    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="230" '
        f'viewBox="0 0 {_WIDTH} 230" font-family="sans-serif" font-size="11">',
        f"<title>{esc(f'Timeline of {tl.account_id}')}</title>",
        f'<rect x="{_LEFT}" y="{_BAND_Y}" width="{usable}" height="{_BAND_H}" '
        'fill="#f5f5f5" stroke="#9e9e9e"/>',
    ]
    bands = [e for e in tl.events if e.area == "dunning"]
    for index, event in enumerate(bands):
        if event.kind != "dunning_stage":
            continue
        stop = bands[index + 1].at if index + 1 < len(bands) else tl.end
        level = min(index, len(_FILL) - 1) if "blocked" not in event.description else 3
        parts.append(
            f'<rect x="{x(event.at)}" y="{_BAND_Y}" width="{max(x(stop) - x(event.at), 1)}" '
            f'height="{_BAND_H}" fill="{_FILL[level]}" stroke="#bdbdbd">'
            f"<title>{esc(event.description)}</title></rect>"
        )
    for index, event in enumerate(tl.events):
        at = x(event.at)
        colour = _AREA_COLOUR.get(event.area, "#424242")
        label = f"{event.at.astimezone(tl.zone).strftime('%Y-%m-%d')} {event.kind}"
        parts.append(
            f'<line x1="{at}" y1="{_BAND_Y - 6}" x2="{at}" y2="{_BAND_Y + _BAND_H + 6}" '
            f'stroke="{colour}" stroke-width="2"><title>{esc(event.description)}</title></line>'
        )
        lift = 10 + 12 * (index % 4)
        parts.append(
            f'<text x="{at}" y="{_BAND_Y - lift}" fill="{colour}" '
            f'transform="rotate(-30 {at} {_BAND_Y - lift})">{esc(label)} '
            f"[{esc(', '.join(event.rules))}]</text>"
        )
    parts.append(
        f'<text x="{_LEFT}" y="{_BAND_Y + _BAND_H + 22}">{esc(_time.wall_clock(tl.start, tl.zone))}</text>'
    )
    parts.append(
        f'<text x="{_WIDTH - _RIGHT}" y="{_BAND_Y + _BAND_H + 22}" text-anchor="end">'
        f"{esc(_time.wall_clock(tl.end, tl.zone))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
