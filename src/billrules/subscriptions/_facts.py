"""The facts of the subscriptions area. Private."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from billrules import _time
from billrules import _validate as v
from billrules.contract import Suspension
from billrules.errors import InvalidInput
from billrules.subscriptions._period import (
    Period,
    PlanChangeKind,
    to_period,
)


@attrs.frozen(kw_only=True)
class PlanChange:
    """A pending upgrade or downgrade (SUB-3).

    Attributes:
        to_plan: The plan asked for.
        kind: Upgrade or downgrade.
        requested_at: When it was asked for.
        takes_effect_on: The renewal date (in the account's zone) it applies from.
    """

    to_plan: str = attrs.field(validator=v.identifier)
    kind: PlanChangeKind = attrs.field(converter=v.ToEnum[PlanChangeKind])
    requested_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    takes_effect_on: date = attrs.field(validator=v.calendar_date)


def _period(value: Period | str) -> Period:
    return to_period(value, "Subscription.period")


def _contacts(value: Iterable[str]) -> tuple[str, ...]:
    field = "Subscription.contacts"
    items: tuple[str, ...] = v.tuple_of(str, field)(value)
    for index, item in enumerate(items):
        if not item.strip():
            raise InvalidInput(f"{field}[{index}]", "must not be empty")
    return items


@attrs.frozen(kw_only=True)
class Subscription:
    """A subscription to a billing plan (SUB-1, SUB-2, SUB-3, SUB-6).

    Attributes:
        plan: The plan in force (its name).
        anchor: The start date, in the account's zone; every renewal is computed from it.
        period: N months (1–24) or N weeks (1–52): ``"monthly"``, ``"quarterly"``,
            ``"yearly"``, ``"6 months"``, ``"1 week"``, ``"2 weeks"`` … or a :class:`Period`
            (SUB-7).
        ends_at: When a cancellation takes effect (SUB-2), or ``None`` while it renews.
        pending_change: A plan change waiting for the next renewal (SUB-3).
        contacts: The contact persons shown in the plan details (SUB-6).

    >>> from datetime import date
    >>> from billrules.subscriptions import Subscription, renewal_date
    >>> sub = Subscription(plan="Starter", anchor=date(2024, 1, 31), period="monthly")
    >>> [renewal_date(sub, n=n).isoformat() for n in (1, 2, 3)]
    ['2024-02-29', '2024-03-31', '2024-04-30']
    """

    plan: str = attrs.field(validator=v.identifier)
    anchor: date = attrs.field(validator=v.calendar_date)
    period: Period = attrs.field(converter=_period)
    ends_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )
    pending_change: PlanChange | None = attrs.field(
        default=None, validator=v.instance_of((PlanChange, type(None)))
    )
    contacts: tuple[str, ...] = attrs.field(
        default=(),
        converter=_contacts,
        metadata={"json_schema": {"items": v.TEXT_SCHEMA}},
    )


@attrs.frozen(kw_only=True)
class SubscriptionFacts:
    """What the subscriptions area's :func:`transitions` reads: the subscription, and the spans
    in which another area stops billing (a cancellation's deactivation, a deletion).

    Attributes:
        subscription: The subscription.
        suspensions: Spans in which nothing renews, each naming the rule that stops billing.
    """

    subscription: Subscription = attrs.field(validator=v.instance_of(Subscription))
    suspensions: tuple[Suspension, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[Suspension],
    )


@attrs.frozen(kw_only=True)
class BillingPeriod:
    """One period of a subscription: ``[start, end)`` in local dates; ``index`` 0 is the first."""

    index: int
    start: date
    end: date


@attrs.frozen(kw_only=True)
class Renewal:
    """A renewal (SUB-1): the ``index``-th period boundary, its local date and its instant."""

    index: int
    on: date
    at: datetime = attrs.field(eq=_time.instant_key)
    plan: str


@attrs.frozen(kw_only=True)
class PlanDetails:
    """What the plan-details screen shows (SUB-6)."""

    plan: str
    period: Period
    start_date: date
    renewal_date: date | None
    ends_at: datetime | None = attrs.field(eq=_time.instant_key)
    pending_change: PlanChange | None
    contacts: tuple[str, ...]
