"""The subscriptions area's part of the area contract: transitions and findings. Private."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules.contract import Finding, Suspension, Transition, trusted_transition
from billrules.decisions import Reason, trusted_reason
from billrules.effects import trusted_effect
from billrules.roles import Role
from billrules.subscriptions._codes import SubscriptionCode, SubscriptionKind
from billrules.subscriptions._facts import SubscriptionFacts
from billrules.subscriptions._policy import SubscriptionPolicy
from billrules.subscriptions._renewals import _renewal_instants, plan_on

_AREA: Final = "subscriptions"


def _open_windows(
    start: datetime, end: datetime, suspensions: tuple[Suspension, ...]
) -> list[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` that no suspension covers, in time order.

    Cutting the window, rather than testing renewal by renewal, keeps the cost with the
    renewals that happen: a suspension without an end stops the search.
    """
    windows: list[tuple[datetime, datetime]] = []
    cursor = start
    for span in sorted(suspensions, key=lambda span: span.start):
        if cursor >= end or span.start >= end:
            break
        if span.end is not None and span.end <= cursor:
            continue
        if span.start > cursor:
            windows.append((cursor, span.start))
        cursor = end if span.end is None else max(cursor, span.end)
    if cursor < end:
        windows.append((cursor, end))
    return windows


@checked
def transitions(
    facts: SubscriptionFacts,
    policy: SubscriptionPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """The renewals and the end of the subscription in ``[start, end)``, in time order.
    Decides SUB-1, SUB-2, SUB-3 and SUB-7.

    A renewal (SUB-1) falls on each period boundary outside every suspension of ``facts``
    (the spans in which another area stops billing) and before a cancellation's effective
    instant (SUB-2); the renewal at which a pending plan change takes effect also names SUB-3.
    The end of a cancelled subscription (SUB-2) comes after its last renewal. Lazy: the
    renewals are computed one boundary at a time as they are taken. Each renewal carries a
    ``RenewSubscription`` (the next period to bill, its plan; SUB-3 at the one that changes the
    plan, which :func:`billrules.apply` records, X-9).

    >>> from datetime import date, datetime, UTC
    >>> from itertools import islice
    >>> from billrules.subscriptions import Subscription, SubscriptionFacts, SubscriptionPolicy
    >>> sub = Subscription(plan="Starter", anchor=date(2024, 1, 31), period="monthly")
    >>> start = datetime(2024, 1, 1, tzinfo=UTC)
    >>> ahead = transitions(SubscriptionFacts(subscription=sub), SubscriptionPolicy(),
    ...                     start=start, end=start.replace(year=2124), zone="UTC")
    >>> [(t.at.date().isoformat(), t.description) for t in islice(ahead, 2)]
    [('2024-02-29', 'Renewal 1 of the Starter plan.'), ('2024-03-31', 'Renewal 2 of the Starter plan.')]

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    del policy  # no knob changes when renewals fall
    _time.require_window(start, end)
    return _transitions(facts, start, end, _time.to_zone(zone))


def _transitions(
    facts: SubscriptionFacts, start: datetime, end: datetime, tz: ZoneInfo
) -> Iterator[Transition]:
    from billrules.effects import RenewSubscription

    sub = facts.subscription
    change = sub.pending_change
    changes_on = None if change is None else change.takes_effect_on
    for since, until in _open_windows(start, end, facts.suspensions):
        for index, on, at in _renewal_instants(sub, since, until, tz):
            renewal = trusted_reason(
                SubscriptionCode.RENEWAL,
                v.FrozenMapping({"index": index, "plan": plan_on(sub, on), "on": on}),
            )
            reasons: tuple[Reason, ...] = (renewal,)
            rule = "SUB-1"
            if change is not None and on == changes_on:
                rule = "SUB-3"  # the renewal at which the pending change takes effect
                reasons = (
                    renewal,
                    trusted_reason(
                        SubscriptionCode.PLAN_CHANGES,
                        {"from_plan": sub.plan, "to_plan": change.to_plan},
                    ),
                )
            bill = trusted_effect(
                RenewSubscription,
                at=at,
                rule=rule,
                plan=renewal.details["plan"],
                index=index,
            )
            yield trusted_transition(at, _AREA, SubscriptionKind.RENEWAL, reasons, (bill,))
    if sub.ends_at is not None and start <= sub.ends_at < end:
        yield trusted_transition(
            sub.ends_at,
            _AREA,
            SubscriptionKind.SUBSCRIPTION_ENDS,
            (
                trusted_reason(
                    SubscriptionCode.SUBSCRIPTION_ENDS,
                    {
                        "plan": plan_on(sub, _time.local_date(sub.ends_at, tz)),
                        "ends_at": sub.ends_at,
                    },
                ),
            ),
        )


@checked
def findings(
    facts: SubscriptionFacts, policy: SubscriptionPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answers of the subscriptions area: none (the report asks none yet).

    Decides nothing; part of the area contract.
    """
    del facts, policy, at
    _time.to_zone(zone)
    return ()


@checked
def role_findings(
    facts: SubscriptionFacts,
    policy: SubscriptionPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do in the subscriptions area: none asked yet.

    Decides nothing; part of the area contract.
    """
    del facts, policy, at
    if type(role) is not Role:
        v.enum_member(Role, "role")(role)
    _time.to_zone(zone)
    return ()
