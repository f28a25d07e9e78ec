"""Subscriptions and plans: renewal dates, cancelling at period end, plan changes, lead packages.

Decides SUB-1 … SUB-7 (see ``docs/policies.md``):

- SUB-1 renewal dates fall on each period boundary computed from the anchor (start) date,
  ``anchor + n periods`` clamped to the month's end, never chained (Jan 31 → Feb 29 → Mar 31);
- SUB-7 a period is N months (1–24) or N weeks (1–52); monthly, quarterly and yearly name 1, 3
  and 12 months; the n-th boundary of a period of weeks is ``anchor + 7 × N × n`` days;
- SUB-2 cancelling removes every renewal on or after the effective instant; service, and work
  on the plan's leads, continues until then (by default the end of the current period);
- SUB-3 upgrade and downgrade requests are pending until the next renewal (default) or applied
  at once (a knob);
- SUB-4 a lead package commits to a minimum of leads per period, paid in advance, with overage
  per lead beyond it; in a set of packages a larger one never has a higher price per lead;
- SUB-5 the customer-portal invitation is emailed on the first sign-up for a billing plan only;
- SUB-6 plan details: start date, renewal date, contact persons.

Facts: :class:`Subscription`, :class:`PlanChange`, :class:`LeadPackage`, :class:`LeadPackages`.
Policy: :class:`SubscriptionPolicy`. Period boundaries are calendar dates in the account's zone;
a boundary's instant is the first instant of that date there.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules._redact import shown
from billrules.decisions import Decision, Reason
from billrules.effects import SendEmail
from billrules.errors import InvalidInput, InvalidType, OutOfCalendar

__all__ = [
    "PERIOD_MONTHS",
    "PORTAL_INVITATION_TEMPLATE",
    "BillingPeriod",
    "LeadPackage",
    "LeadPackages",
    "Period",
    "PlanChange",
    "PlanChangeKind",
    "PlanChangeTiming",
    "PlanDetails",
    "Renewal",
    "Subscription",
    "SubscriptionPolicy",
    "apply_pending_change",
    "can_cancel",
    "can_change_plan",
    "cancel",
    "current_period",
    "next_renewal",
    "period_amount",
    "plan_at",
    "plan_details",
    "portal_invitation",
    "renewal_date",
    "renewals_between",
    "request_plan_change",
]


#: SUB-7: the periods of months that have names.
_MONTH_NAMES: Final = MappingProxyType({1: "monthly", 3: "quarterly", 12: "yearly"})
#: SUB-7: the longest periods, in months and in weeks.
_MOST_MONTHS: Final = 24
_MOST_WEEKS: Final = 52

#: SUB-7: how a period is written: ``"6 months"``, ``"1 week"``, ``"2 weeks"`` (and ``"1 month"``,
#: ``"3 months"``, ``"12 months"`` for the named ones).
_PERIOD_TEXT: Final = re.compile(r"([1-9][0-9]?) (month|week)s?", re.ASCII)


class Period(StrEnum):
    """How long a subscription's billing period is: N months (1–24) or N weeks (1–52) (SUB-7).

    ``monthly``, ``quarterly`` and ``yearly`` name 1, 3 and 12 months; every other length is
    written ``"N months"`` or ``"N weeks"`` (``"1 week"`` for one week): that text is the
    member's value, so account files hold it as it is. Build one from its text, from
    ``"1 month"``, ``"3 months"`` or ``"12 months"`` (which are the named ones), or with
    :meth:`of`. Members other than the three named ones are called ``MONTHS_6``,
    ``WEEKS_1``, ``WEEKS_2`` … ``WEEKS_52``.

    >>> from billrules.subscriptions import Period
    >>> Period("6 months"), Period("3 months"), Period.of(weeks=2)
    (<Period.MONTHS_6: '6 months'>, <Period.QUARTERLY: 'quarterly'>, <Period.WEEKS_2: '2 weeks'>)
    >>> Period.YEARLY.months, Period("2 weeks").weeks, Period("2 weeks").months
    (12, 2, None)
    """

    _ignore_ = "_members _name _value"

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    # Every other length, generated: MONTHS_2, MONTHS_4 … MONTHS_24, WEEKS_1 … WEEKS_52.
    _members = vars()
    for _name, _value in [
        *((f"MONTHS_{n}", f"{n} months") for n in range(2, _MOST_MONTHS + 1) if n not in (3, 12)),
        ("WEEKS_1", "1 week"),
        *((f"WEEKS_{n}", f"{n} weeks") for n in range(2, _MOST_WEEKS + 1)),
    ]:
        _members[_name] = _value

    @classmethod
    def _missing_(cls, value: object) -> Period | None:
        """``"1 month"``, ``"3 months"``, ``"12 months"`` and ``"N week"`` spellings."""
        if isinstance(value, str) and len(value) <= 10:
            match = _PERIOD_TEXT.fullmatch(value)
            if match:
                count, unit = int(match.group(1)), match.group(2)
                if unit == "month" and count <= _MOST_MONTHS:
                    return cls.of(months=count)
                if unit == "week" and count <= _MOST_WEEKS:
                    return cls.of(weeks=count)
        return None

    @classmethod
    def of(cls, *, months: int | None = None, weeks: int | None = None) -> Period:
        """The period of ``months`` months (1–24) or ``weeks`` weeks (1–52): give exactly one.

        Raises:
            InvalidType: a count is not an int.
            InvalidInput: both or neither are given, or a count is out of range.
        """
        if (months is None) == (weeks is None):
            raise InvalidInput("months", "give exactly one of months and weeks")
        field, count, most = (
            ("months", months, _MOST_MONTHS)
            if months is not None
            else ("weeks", weeks, _MOST_WEEKS)
        )
        if isinstance(count, bool) or not isinstance(count, int):
            raise InvalidType(field, f"must be an int, not {type(count).__name__}")
        if not 1 <= count <= most:
            raise InvalidInput(field, f"must be from 1 to {most}")
        if field == "months":
            return cls(_MONTH_NAMES.get(count, f"{count} months"))
        return cls("1 week" if count == 1 else f"{count} weeks")

    @property
    def unit(self) -> Literal["month", "week"]:
        """Whether the period counts calendar months or weeks."""
        return "week" if self.value.endswith(("week", "weeks")) else "month"

    @property
    def length(self) -> int:
        """How many months or weeks the period lasts."""
        if self.unit == "week":
            return int(self.value.split()[0])
        return PERIOD_MONTHS[self]

    @property
    def months(self) -> int | None:
        """The period's length in calendar months; ``None`` for a period of weeks."""
        return PERIOD_MONTHS.get(self)

    @property
    def weeks(self) -> int | None:
        """The period's length in weeks; ``None`` for a period of months."""
        return self.length if self.unit == "week" else None


#: SUB-1, SUB-7: the length in calendar months of each period of months.
PERIOD_MONTHS: Final[Mapping[Period, int]] = MappingProxyType(
    {
        Period.MONTHLY: 1,
        Period.QUARTERLY: 3,
        Period.YEARLY: 12,
        **{
            member: int(member.value.split()[0])
            for member in Period
            if member.value.endswith(" months")
        },
    }
)


class PlanChangeKind(StrEnum):
    """Whether a plan change moves up or down (SUB-3)."""

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


class PlanChangeTiming(StrEnum):
    """When a requested plan change takes effect (SUB-3)."""

    NEXT_RENEWAL = "next_renewal"
    IMMEDIATELY = "immediately"


#: SUB-5: the email template of the customer-portal invitation.
PORTAL_INVITATION_TEMPLATE: Final = "customer_portal_invitation"


# --------------------------------------------------------------------------------------------
# Facts


def _change_kind(value: object) -> PlanChangeKind:
    return v.enum_member(PlanChangeKind, "PlanChange.kind")(value)


def _period(value: object) -> Period:
    if isinstance(value, Period):
        return value
    if not isinstance(value, str):
        raise InvalidType(
            "Subscription.period", f"must be a Period or its text, not {type(value).__name__}"
        )
    with contextlib.suppress(ValueError):
        return Period(value)
    raise InvalidInput(
        "Subscription.period",
        f"unknown period {shown(value)}; write monthly, quarterly, yearly, "
        f'"N months" (N from 1 to {_MOST_MONTHS}) or "N weeks" (N from 1 to {_MOST_WEEKS})',
    )


def _timing(value: object) -> PlanChangeTiming:
    return v.enum_member(PlanChangeTiming, "SubscriptionPolicy.plan_changes")(value)


@attrs.frozen(kw_only=True)
class PlanChange:
    """A pending upgrade or downgrade (SUB-3).

    Attributes:
        to_plan: The plan asked for.
        kind: Upgrade or downgrade.
        requested_at: When it was asked for.
        takes_effect_on: The renewal date (in the account's zone) it applies from.
    """

    to_plan: str = attrs.field(validator=v.text)
    kind: PlanChangeKind = attrs.field(converter=_change_kind)
    requested_at: datetime = attrs.field(validator=v.instant)
    takes_effect_on: date = attrs.field(validator=v.calendar_date)


def _contacts(value: object) -> tuple[str, ...]:
    items: tuple[str, ...] = v.tuple_of(str, "Subscription.contacts")(value)
    for index, item in enumerate(items):
        if not item.strip():
            raise InvalidInput(f"Subscription.contacts[{index}]", "must not be empty")
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
    >>> [renewal_date(sub, n).isoformat() for n in (1, 2, 3)]
    ['2024-02-29', '2024-03-31', '2024-04-30']
    """

    plan: str = attrs.field(validator=v.text)
    anchor: date = attrs.field(validator=v.calendar_date)
    period: Period = attrs.field(converter=_period)
    ends_at: datetime | None = attrs.field(default=None, validator=v.optional_instant)
    pending_change: PlanChange | None = attrs.field(
        default=None, validator=v.instance_of((PlanChange, type(None)))
    )
    contacts: tuple[str, ...] = attrs.field(default=(), converter=_contacts)


@attrs.frozen(kw_only=True)
class SubscriptionPolicy:
    """The knobs of the subscriptions area.

    Attributes:
        plan_changes: SUB-3: ``next_renewal`` (default) or ``immediately``.
        portal_invitation_template: SUB-5: the email template of the portal invitation.
    """

    plan_changes: PlanChangeTiming = attrs.field(
        default=PlanChangeTiming.NEXT_RENEWAL,
        converter=_timing,
    )
    portal_invitation_template: str = attrs.field(
        default=PORTAL_INVITATION_TEMPLATE, validator=v.text
    )


_DEFAULT_POLICY: Final = SubscriptionPolicy()


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
    at: datetime
    plan: str


@attrs.frozen(kw_only=True)
class PlanDetails:
    """What the plan-details screen shows (SUB-6)."""

    plan: str
    period: Period
    start_date: date
    renewal_date: date | None
    ends_at: datetime | None
    pending_change: PlanChange | None
    contacts: tuple[str, ...]


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


def _boundary(sub: Subscription, n: int, field: str = "n") -> date:
    """``anchor + n`` periods (SUB-1, SUB-7); :class:`OutOfCalendar` past the year 8999."""
    period = sub.period
    if period.unit == "week":
        days = 7 * period.length * n
        if days > (_LAST_DAY - sub.anchor).days:
            raise OutOfCalendar(field, f"the boundary falls after the year {_time.LAST_YEAR}")
        return sub.anchor + timedelta(days=days)
    months = period.length * n
    if sub.anchor.year * 12 + sub.anchor.month - 1 + months > _time.LAST_YEAR * 12 + 11:
        raise OutOfCalendar(field, f"the boundary falls after the year {_time.LAST_YEAR}")
    return _time.add_months(sub.anchor, months)


@checked
def renewal_date(subscription: Subscription, n: int) -> date:
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
    >>> [renewal_date(half, n).isoformat() for n in (1, 2, 3)]
    ['2025-02-28', '2025-08-31', '2026-02-28']
    >>> fortnight = Subscription(plan="Pro", anchor=date(2024, 2, 29), period="2 weeks")
    >>> [renewal_date(fortnight, n).isoformat() for n in (1, 2)]
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
    subscription: Subscription, at: datetime, *, zone: ZoneInfo | str
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
def next_renewal(subscription: Subscription, at: datetime, *, zone: ZoneInfo | str) -> date | None:
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
    subscription: Subscription, start: datetime, end: datetime, *, zone: ZoneInfo | str
) -> tuple[Renewal, ...]:
    """The renewals whose instant falls in ``[start, end)``, oldest first. Decides SUB-1, SUB-2
    and SUB-7.

    Computed from the anchor boundary by boundary (its cost is the number of renewals, not of
    days). No renewal on or after a cancellation's effective instant. A pending plan change
    (SUB-3) shows as the plan from its renewal on.

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    sub = _require_subscription(subscription)
    tz = _time.to_zone(zone)
    _time.require_aware(start, "start")
    _time.require_aware(end, "end")
    if end < start:
        raise InvalidInput("end", "must not be before start")
    renewals: list[Renewal] = []
    index = max(_index_on(sub, _time.local_date(start, tz)), 1)
    while True:
        try:
            on = _boundary(sub, index)
        except OutOfCalendar:  # past the year 8999, hence past ``end``
            return tuple(renewals)
        at = _time.start_of_day(on, tz)
        if at >= end or not _renews(sub, at):
            return tuple(renewals)
        if at >= start:
            renewals.append(Renewal(index=index, on=on, at=at, plan=_plan_on(sub, on)))
        index += 1


# --------------------------------------------------------------------------------------------
# SUB-2: cancel at period end


@checked
def can_cancel(subscription: Subscription, at: datetime, *, zone: ZoneInfo | str) -> Decision:
    """Whether the subscription can be cancelled at ``at``. Decides SUB-2.

    Refused when it is already cancelled or has not started yet.
    """
    sub = _require_subscription(subscription)
    tz = _time.to_zone(zone)
    _time.require_aware(at, "at")
    details = {"plan": sub.plan, "anchor": sub.anchor, "ends_at": sub.ends_at}
    if sub.ends_at is not None:
        return Decision.refuse(
            Reason(
                code="subscription_already_cancelled",
                rule="SUB-2",
                message=f"The subscription is already cancelled from {sub.ends_at.isoformat()}.",
                details=details,
            )
        )
    if current_period(sub, at, zone=tz) is None:
        return Decision.refuse(
            Reason(
                code="subscription_not_started",
                rule="SUB-2",
                message=f"The subscription starts on {sub.anchor.isoformat()}.",
                details=details,
            )
        )
    return Decision.allow(
        Reason(
            code="subscription_renewing",
            rule="SUB-2",
            message="The subscription renews and can be cancelled.",
            details=details,
        )
    )


@checked
def cancel(
    subscription: Subscription,
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
    can_cancel(subscription, at, zone=tz).require()
    if not isinstance(immediately, bool):
        raise InvalidType("immediately", f"must be a bool, not {type(immediately).__name__}")
    ends_at = at if immediately else _time.start_of_day(_next_boundary(subscription, at, tz), tz)
    return attrs.evolve(subscription, ends_at=ends_at, pending_change=None)


# --------------------------------------------------------------------------------------------
# SUB-3: plan changes


def _plan_on(sub: Subscription, day: date) -> str:
    change = sub.pending_change
    if change is not None and day >= change.takes_effect_on:
        return change.to_plan
    return sub.plan


@checked
def plan_at(subscription: Subscription, at: datetime, *, zone: ZoneInfo | str) -> str:
    """The plan in force at ``at``: a pending change counts from its renewal on (SUB-3)."""
    sub = _require_subscription(subscription)
    _time.require_aware(at, "at")
    return _plan_on(sub, _time.local_date(at, _time.to_zone(zone)))


@checked
def can_change_plan(
    subscription: Subscription, to_plan: str, at: datetime, *, zone: ZoneInfo | str
) -> Decision:
    """Whether a change to ``to_plan`` can be requested at ``at``. Decides SUB-3.

    Refused for the plan already in force, and for a cancelled subscription (no renewal is
    left for the change to take effect at).
    """
    sub = _require_subscription(subscription)
    if not isinstance(to_plan, str) or not to_plan.strip():
        raise InvalidInput("to_plan", "must be a non-empty str")
    tz = _time.to_zone(zone)
    _time.require_aware(at, "at")
    current = plan_at(sub, at, zone=tz)
    details = {"plan": current, "to_plan": to_plan}
    if to_plan == current:
        return Decision.refuse(
            Reason(
                code="same_plan",
                rule="SUB-3",
                message=f"The subscription is already on {current}.",
                details=details,
            )
        )
    if sub.ends_at is not None:
        return Decision.refuse(
            Reason(
                code="subscription_cancelled",
                rule="SUB-3",
                message="A cancelled subscription cannot change plan.",
                details={**details, "ends_at": sub.ends_at},
            )
        )
    return Decision.allow(
        Reason(
            code="plan_change_allowed",
            rule="SUB-3",
            message=f"The plan can change from {current} to {to_plan}.",
            details=details,
        )
    )


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
    can_change_plan(subscription, to_plan, at, zone=tz).require()
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
    if change is None or plan_at(sub, at, zone=zone) != change.to_plan:
        return sub
    return attrs.evolve(sub, plan=change.to_plan, pending_change=None)


# --------------------------------------------------------------------------------------------
# SUB-4: lead packages


@attrs.frozen(kw_only=True)
class LeadPackage:
    """A lead package (SUB-4): a minimum of leads per period paid in advance, then overage.

    Attributes:
        name: The package's name.
        minimum_leads: The leads committed per period (at least 1).
        price: What the committed leads cost per period, paid in advance.
        overage_rate: The price of each lead beyond the minimum.
    """

    name: str = attrs.field(validator=v.text)
    minimum_leads: int = attrs.field(validator=v.integer(minimum=1))
    price: Money = attrs.field(validator=v.non_negative_money)
    overage_rate: Money = attrs.field(validator=v.non_negative_money)

    def __attrs_post_init__(self) -> None:
        v.same_currency(self, self.price, self.overage_rate, "overage_rate")

    @property
    def currency(self) -> Currency:
        """The package's currency."""
        return self.price.currency

    @property
    def price_per_lead(self) -> Decimal:
        """The package price divided by its minimum, unrounded (SUB-4)."""
        return self.price.amount / Decimal(self.minimum_leads)


def _packages(value: object) -> tuple[LeadPackage, ...]:
    items: tuple[LeadPackage, ...] = v.tuple_of(LeadPackage, "LeadPackages.packages")(value)
    return items


@attrs.frozen(kw_only=True)
class LeadPackages:
    """The lead packages on offer, smallest first, priced by volume (SUB-4).

    Validated: minimums strictly increase, one currency, and a larger package never has a
    higher price per lead than a smaller one.

    Raises:
        InvalidInput: the packages are out of order or break volume pricing.
        CurrencyMismatch: two packages are in different currencies.
    """

    packages: tuple[LeadPackage, ...] = attrs.field(converter=_packages)

    @packages.validator
    def _check_volume_pricing(
        self, attribute: attrs.Attribute[object], value: tuple[LeadPackage, ...]
    ) -> None:
        if not value:
            raise InvalidInput("LeadPackages.packages", "must hold at least one package")
        for index, (smaller, larger) in enumerate(itertools.pairwise(value), start=1):
            field = f"LeadPackages.packages[{index}]"
            _money.require_currency(larger.price, smaller.currency, f"{field}.price")
            if larger.minimum_leads <= smaller.minimum_leads:
                raise InvalidInput(
                    f"{field}.minimum_leads", f"must be more than packages[{index - 1}]'s"
                )
            # Compare price per lead exactly: p2 / m2 <= p1 / m1  <=>  p2 * m1 <= p1 * m2.
            if larger.price.amount * smaller.minimum_leads > (
                smaller.price.amount * larger.minimum_leads
            ):
                raise InvalidInput(
                    f"{field}.price",
                    f"price per lead must not exceed that of packages[{index - 1}] "
                    "(a larger package has a lower price per lead)",
                )

    def package(self, name: str) -> LeadPackage:
        """The package called ``name``.

        Raises:
            InvalidInput: no package has that name.
        """
        for item in self.packages:
            if item.name == name:
                return item
        raise InvalidInput("name", f"no lead package is called {shown(name)}")


@checked
def period_amount(package: LeadPackage, leads: int) -> Money:
    """What a period with ``leads`` leads worked costs. Decides SUB-4.

    The package price (paid in advance, whatever the count) plus each lead beyond the minimum
    at the overage rate, rounded half-up to the currency's minor unit.

    >>> from moneyed import Money
    >>> from billrules.subscriptions import LeadPackage, period_amount
    >>> pack = LeadPackage(name="100", minimum_leads=100, price=Money("500", "USD"),
    ...                    overage_rate=Money("6", "USD"))
    >>> period_amount(pack, 80).amount, period_amount(pack, 112).amount
    (Decimal('500.00'), Decimal('572.00'))

    Raises:
        InvalidInput: ``leads`` is negative.
    """
    if not isinstance(package, LeadPackage):
        raise InvalidType("package", f"must be LeadPackage, not {type(package).__name__}")
    if isinstance(leads, bool) or not isinstance(leads, int):
        raise InvalidType("leads", f"must be an int, not {type(leads).__name__}")
    if leads < 0:
        raise InvalidInput("leads", "must not be negative")
    overage = max(leads - package.minimum_leads, 0)
    return _money.round_to_minor_unit(package.price + package.overage_rate * overage)


# --------------------------------------------------------------------------------------------
# SUB-5, SUB-6


@checked
def portal_invitation(
    *,
    previous_sign_ups: int,
    to: str,
    at: datetime,
    policy: SubscriptionPolicy = _DEFAULT_POLICY,
) -> tuple[SendEmail, ...]:
    """The portal invitation for a sign-up to a billing plan. Decides SUB-5.

    Emitted only on the customer's first sign-up (``previous_sign_ups == 0``), never on later
    onboardings.

    Raises:
        InvalidInput: ``previous_sign_ups`` is negative.
    """
    if isinstance(previous_sign_ups, bool) or not isinstance(previous_sign_ups, int):
        raise InvalidType(
            "previous_sign_ups", f"must be an int, not {type(previous_sign_ups).__name__}"
        )
    if previous_sign_ups < 0:
        raise InvalidInput("previous_sign_ups", "must not be negative")
    _time.require_aware(at, "at")
    if previous_sign_ups:
        return ()
    return (SendEmail(at=at, rule="SUB-5", template=policy.portal_invitation_template, to=to),)


@checked
def plan_details(subscription: Subscription, at: datetime, *, zone: ZoneInfo | str) -> PlanDetails:
    """The plan details at ``at``: start date, renewal date, contact persons. Decides SUB-6.

    The renewal date is ``None`` when a cancellation leaves no renewal.
    """
    sub = _require_subscription(subscription)
    tz = _time.to_zone(zone)
    return PlanDetails(
        plan=plan_at(sub, at, zone=tz),
        period=sub.period,
        start_date=sub.anchor,
        renewal_date=next_renewal(sub, at, zone=tz),
        ends_at=sub.ends_at,
        pending_change=sub.pending_change,
        contacts=sub.contacts,
    )
