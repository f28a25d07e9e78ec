"""Renewal dates (SUB-1, SUB-7), cancelling at period end (SUB-2), plan changes (SUB-3). Private."""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import attrs

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules.decisions import Decision, trusted_decision, trusted_reason
from billrules.errors import InvalidInput, InvalidType, OutOfCalendar
from billrules.subscriptions._codes import SubscriptionCode
from billrules.subscriptions._facts import (
    BillingPeriod,
    PlanChange,
    Renewal,
    Subscription,
)
from billrules.subscriptions._period import Period, PlanChangeKind, PlanChangeTiming
from billrules.subscriptions._policy import SubscriptionPolicy

# --------------------------------------------------------------------------------------------
# SUB-1: renewal dates


def _require_subscription(value: object) -> Subscription:
    if not isinstance(value, Subscription):
        raise InvalidType("subscription", f"must be Subscription, not {type(value).__name__}")
    return value


def _require_index(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidType("n", f"must be an int, not {type(n).__name__}")
    if n < 0:
        raise InvalidInput("n", "must be at least 0")
    return n


_LAST_DAY: Final = date(_time.LAST_YEAR, 12, 31)
_LAST_MONTH: Final = _time.LAST_YEAR * 12 + 11

#: Per period: whether it counts weeks, and how many weeks or months it lasts (read once).
_STEPS: Final[Mapping[Period, tuple[bool, int]]] = MappingProxyType(
    {period: (period.unit == "week", period.length) for period in Period}
)


def _boundary(sub: Subscription, n: int, field: str = "n") -> date:
    """``anchor + n`` periods (SUB-1, SUB-7); :class:`OutOfCalendar` past the year 8999.

    Months are added as :func:`billrules._time.add_months` does (the day clamped to the
    month's last), counted here directly: renewals are computed one boundary at a time.
    """
    weekly, length = _STEPS[sub.period]
    anchor = sub.anchor
    if weekly:
        days = 7 * length * n
        if days > (_LAST_DAY - anchor).days:
            raise OutOfCalendar(field, f"the boundary falls after the year {_time.LAST_YEAR}")
        return anchor + timedelta(days=days)
    month = anchor.year * 12 + anchor.month - 1 + length * n
    if month > _LAST_MONTH:
        raise OutOfCalendar(field, f"the boundary falls after the year {_time.LAST_YEAR}")
    year, month = divmod(month, 12)
    month += 1
    day = anchor.day
    if day > 28:
        day = min(day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@checked
def renewal_date(subscription: Subscription, *, n: int) -> date:
    """The ``n``-th period boundary: ``anchor + n periods``, clamped to month end. Decides SUB-1
    and SUB-7.

    ``n = 0`` is the start date itself; ``n = 1`` the first renewal. Every boundary is computed
    from the anchor, never from the previous boundary: a period of N months ends ``anchor +
    n × N`` months later, clamped to the month's last day, so a clamped February does not pull
    the following months back (Jan 31 → Feb 29 → Mar 31); a period of N weeks ends ``7 × N × n``
    days after the anchor, on the anchor's weekday. This is arithmetic only: a cancellation
    (SUB-2) is applied by :func:`next_renewal` and :func:`renewals_between`.

    >>> from datetime import date
    >>> from billrules.subscriptions import Subscription, renewal_date
    >>> half = Subscription(plan="Pro", anchor=date(2024, 8, 31), period="6 months")
    >>> [renewal_date(half, n=n).isoformat() for n in (1, 2, 3)]
    ['2025-02-28', '2025-08-31', '2026-02-28']
    >>> fortnight = Subscription(plan="Pro", anchor=date(2024, 2, 29), period="2 weeks")
    >>> [renewal_date(fortnight, n=n).isoformat() for n in (1, 2)]
    ['2024-03-14', '2024-03-28']

    Raises:
        InvalidInput: ``n`` is negative.
        OutOfCalendar: the boundary falls after the year 8999.
    """
    sub = _require_subscription(subscription)
    return _boundary(sub, _require_index(n))


def _index_on(sub: Subscription, day: date) -> int:
    """The index of the period containing the local date ``day`` (-1 before the anchor)."""
    if day < sub.anchor:
        return -1
    period = sub.period
    if period.unit == "week":
        return (day - sub.anchor).days // (7 * period.length)
    months = (day.year - sub.anchor.year) * 12 + day.month - sub.anchor.month
    n = months // period.length
    if _boundary(sub, n) > day:  # the day of month is before the (clamped) anchor day
        n -= 1
    return n


def _renews(sub: Subscription, at: datetime) -> bool:
    """Whether a renewal at the instant ``at`` still happens (SUB-2)."""
    return sub.ends_at is None or at < sub.ends_at


@checked
def current_period(
    subscription: Subscription, *, at: datetime, zone: ZoneInfo | str
) -> BillingPeriod | None:
    """The period containing the instant ``at`` in ``zone``. Decides SUB-1, SUB-2 and SUB-7.

    Returns ``None`` before the start date and from the cancellation's effective instant on.

    Raises:
        OutOfCalendar: the period ends after the year 8999.
    """
    sub = _require_subscription(subscription)
    tz = _time.to_zone(zone)
    _time.require_aware(at, "at")
    if sub.ends_at is not None and at >= sub.ends_at:
        return None
    n = _index_on(sub, _time.local_date(at, tz))
    if n < 0:
        return None
    return BillingPeriod(index=n, start=_boundary(sub, n, "at"), end=_boundary(sub, n + 1, "at"))


def _next_boundary(sub: Subscription, at: datetime, tz: ZoneInfo) -> date:
    """The first period boundary after the local date of ``at`` (the first renewal before it)."""
    return _boundary(sub, max(_index_on(sub, _time.local_date(at, tz)), 0) + 1, "at")


@checked
def next_renewal(subscription: Subscription, *, at: datetime, zone: ZoneInfo | str) -> date | None:
    """The date of the first renewal after the instant ``at``. Decides SUB-1, SUB-2, SUB-7.

    Before the start date this is the first renewal. ``None`` when the subscription is
    cancelled and no renewal is left before the effective instant.

    Raises:
        OutOfCalendar: the next renewal falls after the year 8999.
    """
    sub = _require_subscription(subscription)
    tz = _time.to_zone(zone)
    _time.require_aware(at, "at")
    on = _next_boundary(sub, at, tz)
    return on if _renews(sub, _time.start_of_day(on, tz)) else None


@checked
def renewals_between(
    subscription: Subscription, *, start: datetime, end: datetime, zone: ZoneInfo | str
) -> tuple[Renewal, ...]:
    """The renewals whose instant falls in ``[start, end)``, oldest first. Decides SUB-1, SUB-2
    and SUB-7.

    Computed from the anchor boundary by boundary (its cost is the number of renewals, not of
    days). No renewal on or after a cancellation's effective instant. A pending plan change
    (SUB-3) shows as the plan from its renewal on.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    return tuple(renewals(subscription, start, end, _time.to_zone(zone)))


def renewals(sub: Subscription, start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[Renewal]:
    """The renewals in ``[start, end)``, oldest first, one boundary at a time (lazily)."""
    for index, on, at in _renewal_instants(sub, start, end, tz):
        yield Renewal(index=index, on=on, at=at, plan=plan_on(sub, on))


def _renewal_instants(
    sub: Subscription, start: datetime, end: datetime, tz: ZoneInfo
) -> Iterator[tuple[int, date, datetime]]:
    """:func:`renewals` as ``(index, local date, instant)``, lazily."""
    index = max(_index_on(sub, start.astimezone(tz).date()), 1)
    ends_at = sub.ends_at
    while True:
        try:
            on = _boundary(sub, index)
        except OutOfCalendar:  # past the year 8999, hence past ``end``
            return
        at = _time.start_of_day(on, tz)
        if at >= end or (ends_at is not None and at >= ends_at):  # SUB-2: not renewed
            return
        if at >= start:
            yield index, on, at
        index += 1


# --------------------------------------------------------------------------------------------
# SUB-2: cancel at period end


@checked
def can_cancel(
    subscription: Subscription,
    policy: SubscriptionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether the subscription can be cancelled at ``at``. Decides SUB-2.

    Refused when it is already cancelled or has not started yet.
    """
    del policy  # no knob of SUB-2 decides whether a subscription may be cancelled
    sub = subscription
    tz = _time.to_zone(zone)
    details = {"plan": sub.plan, "anchor": sub.anchor, "ends_at": sub.ends_at}
    if sub.ends_at is not None:
        return trusted_decision(
            False, (trusted_reason(SubscriptionCode.ALREADY_CANCELLED, details),)
        )
    if current_period(sub, at=at, zone=tz) is None:
        return trusted_decision(False, (trusted_reason(SubscriptionCode.NOT_STARTED, details),))
    return trusted_decision(True, (trusted_reason(SubscriptionCode.RENEWING, details),))


@checked
def cancel(
    subscription: Subscription,
    policy: SubscriptionPolicy,
    *,
    at: datetime,
    zone: ZoneInfo | str,
    immediately: bool = False,
) -> Subscription:
    """The subscription cancelled at ``at``: no renewal from the effective instant on.

    Decides SUB-2 (and the timing of CAN-6). By default the cancellation takes effect at the
    end of the current period, so service and work on the plan's leads continue until then,
    and cancelling just before the renewal keeps the whole period; with ``immediately`` it
    takes effect at ``at``. A pending plan change is dropped.

    Raises:
        PolicyViolation: carrying :func:`can_cancel`'s refusal; nothing changes.
    """
    tz = _time.to_zone(zone)
    can_cancel(subscription, policy, at=at, zone=tz).require()
    if not isinstance(immediately, bool):
        raise InvalidType("immediately", f"must be a bool, not {type(immediately).__name__}")
    ends_at = at if immediately else _time.start_of_day(_next_boundary(subscription, at, tz), tz)
    return attrs.evolve(subscription, ends_at=ends_at, pending_change=None)


# --------------------------------------------------------------------------------------------
# SUB-3: plan changes


def plan_on(sub: Subscription, day: date) -> str:
    """The plan in force on the local date ``day`` (SUB-3)."""
    change = sub.pending_change
    if change is not None and day >= change.takes_effect_on:
        return change.to_plan
    return sub.plan


@checked
def plan_at(subscription: Subscription, *, at: datetime, zone: ZoneInfo | str) -> str:
    """The plan in force at ``at``: a pending change counts from its renewal on (SUB-3)."""
    sub = _require_subscription(subscription)
    _time.require_aware(at, "at")
    return plan_on(sub, _time.local_date(at, _time.to_zone(zone)))


@checked
def can_change_plan(
    subscription: Subscription,
    policy: SubscriptionPolicy,
    *,
    to_plan: str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether a change to ``to_plan`` can be requested at ``at``. Decides SUB-3.

    Refused for the plan already in force, and for a cancelled subscription (no renewal is
    left for the change to take effect at). The policy says when an allowed change takes
    effect (:func:`request_plan_change`), not whether it may be asked for.
    """
    del policy  # the timing knob does not decide whether a change may be asked for
    sub = subscription
    if not to_plan.strip():
        raise InvalidInput("to_plan", "must be a non-empty str")
    current = plan_at(sub, at=at, zone=zone)
    details = {"plan": current, "to_plan": to_plan}
    if to_plan == current:
        return trusted_decision(False, (trusted_reason(SubscriptionCode.SAME_PLAN, details),))
    if sub.ends_at is not None:
        return trusted_decision(
            False,
            (trusted_reason(SubscriptionCode.CANCELLED, {**details, "ends_at": sub.ends_at}),),
        )
    return trusted_decision(True, (trusted_reason(SubscriptionCode.PLAN_CHANGE_ALLOWED, details),))


@checked
def request_plan_change(
    subscription: Subscription,
    policy: SubscriptionPolicy,
    *,
    to_plan: str,
    kind: PlanChangeKind | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Subscription:
    """Record an upgrade or downgrade. Decides SUB-3.

    With the default policy the change is pending until the next renewal; with
    ``plan_changes="immediately"`` the plan changes at once. A new request replaces a pending
    one.

    Raises:
        PolicyViolation: carrying :func:`can_change_plan`'s refusal; nothing changes.
    """
    tz = _time.to_zone(zone)
    can_change_plan(subscription, policy, to_plan=to_plan, at=at, zone=tz).require()
    change_kind = v.enum_member(PlanChangeKind, "kind")(kind)
    if policy.plan_changes is PlanChangeTiming.IMMEDIATELY:
        return attrs.evolve(subscription, plan=to_plan, pending_change=None)
    on = _next_boundary(subscription, at, tz)
    base = subscription
    if base.pending_change is not None and on > base.pending_change.takes_effect_on:
        base = attrs.evolve(base, plan=base.pending_change.to_plan)  # already took effect
    change = PlanChange(to_plan=to_plan, kind=change_kind, requested_at=at, takes_effect_on=on)
    return attrs.evolve(base, pending_change=change)


@checked
def apply_pending_change(
    subscription: Subscription, *, at: datetime, zone: ZoneInfo | str
) -> Subscription:
    """The subscription with a pending change applied once its renewal has come (SUB-3).

    Unchanged when nothing is pending or the renewal is still ahead.
    """
    sub = _require_subscription(subscription)
    change = sub.pending_change
    if change is None or plan_at(sub, at=at, zone=zone) != change.to_plan:
        return sub
    return attrs.evolve(sub, plan=change.to_plan, pending_change=None)
