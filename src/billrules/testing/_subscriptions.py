"""Strategies for the subscriptions area: subscriptions, policies and lead packages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from moneyed import Currency, Money

from billrules import _money
from billrules._check import checked
from billrules.contract import Suspension
from billrules.subscriptions import (
    LeadPackage,
    LeadPackages,
    Period,
    PlanChangeTiming,
    Subscription,
    SubscriptionFacts,
    SubscriptionPolicy,
)

_PLANS = ("Starter", "Growth", "Pro", "Enterprise")


@checked
def subscription_dates() -> st.SearchStrategy[date]:
    """Anchor dates between 2019 and 2031, with month ends (the 28th to the 31st) favoured."""
    any_day = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))
    month_end = st.builds(
        lambda year, month, day: _clamp(year, month, day),
        st.integers(min_value=2019, max_value=2031),
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=28, max_value=31),
    )
    return st.one_of(any_day, month_end)


def _clamp(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _subscriptions() -> st.SearchStrategy[Subscription]:
    return subscriptions()


@checked
def subscriptions(
    *, periods: st.SearchStrategy[Period] | None = None
) -> st.SearchStrategy[Subscription]:
    """Renewing subscriptions (not cancelled, nothing pending) with any anchor and period.

    Periods are drawn from every :class:`~billrules.subscriptions.Period`: 1 to 24 months and
    1 to 52 weeks (SUB-7), unless ``periods`` says otherwise.
    """
    return st.builds(
        Subscription,
        plan=st.sampled_from(_PLANS),
        anchor=subscription_dates(),
        period=periods if periods is not None else st.sampled_from(Period),
        contacts=st.lists(st.sampled_from(("Ann", "Bohdan", "Chen")), max_size=2).map(tuple),
    )


@checked
def suspensions(*, max_spans: int = 3) -> st.SearchStrategy[tuple[Suspension, ...]]:
    """Up to ``max_spans`` spans without billing between 2019 and 2034, some without an end.

    The rule IDs are data here (``"CAN-6"``, ``"DEL-6"``: the areas that stop billing).
    """
    base = datetime(2019, 1, 1, tzinfo=UTC)
    span = st.builds(
        lambda start, days, open_ended, rule: Suspension(
            start=base + timedelta(hours=start),
            end=None if open_ended else base + timedelta(hours=start, days=days),
            rule=rule,
        ),
        st.integers(min_value=0, max_value=15 * 365 * 24),
        st.integers(min_value=0, max_value=400),
        st.booleans(),
        st.sampled_from(("CAN-6", "DEL-6")),
    )
    return st.lists(span, max_size=max_spans).map(tuple)


@checked
def subscription_facts(
    *, subscriptions: st.SearchStrategy[Subscription] | None = None
) -> st.SearchStrategy[SubscriptionFacts]:
    """Subscriptions (:func:`subscriptions` unless given) with :func:`suspensions`."""
    return st.builds(
        SubscriptionFacts,
        subscription=subscriptions if subscriptions is not None else _subscriptions(),
        suspensions=suspensions(),
    )


@checked
def subscription_policies() -> st.SearchStrategy[SubscriptionPolicy]:
    """Subscription policies with either plan-change timing."""
    return st.builds(SubscriptionPolicy, plan_changes=st.sampled_from(PlanChangeTiming))


@checked
def lead_packages(currency: Currency | str = "USD") -> st.SearchStrategy[LeadPackage]:
    """Single lead packages in ``currency`` (prices and rates in whole hundredths)."""
    code = _money.to_currency(currency, "currency")
    cents = st.integers(min_value=0, max_value=10_000_000)
    return st.builds(
        LeadPackage,
        name=st.sampled_from(("S", "M", "L", "XL")),
        minimum_leads=st.integers(min_value=1, max_value=5_000),
        price=cents.map(lambda c: Money(Decimal(c).scaleb(-2), code)),
        overage_rate=st.integers(min_value=0, max_value=100_000).map(
            lambda c: Money(Decimal(c).scaleb(-2), code)
        ),
    )


@checked
def lead_package_tiers(
    currency: Currency | str = "USD", *, max_packages: int = 5
) -> st.SearchStrategy[LeadPackages]:
    """Valid volume-priced package sets: larger minimums, never a higher price per lead."""
    code = _money.to_currency(currency, "currency")

    @st.composite
    def build(draw: st.DrawFn) -> LeadPackages:
        count = draw(st.integers(min_value=1, max_value=max_packages))
        minimums = sorted(
            draw(
                st.lists(
                    st.integers(min_value=1, max_value=10_000),
                    min_size=count,
                    max_size=count,
                    unique=True,
                )
            )
        )
        per_lead = Decimal(draw(st.integers(min_value=0, max_value=5_000))).scaleb(-2)
        packages = []
        for index, minimum in enumerate(minimums):
            if index:
                # Lower (or keep) the price per lead, then round the price down to a cent so
                # the rounded price per lead does not creep above the previous one.
                per_lead -= Decimal(draw(st.integers(min_value=0, max_value=500))).scaleb(-2)
                per_lead = max(per_lead, Decimal(0))
            price = (per_lead * minimum).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
            per_lead = price / minimum
            rate = Decimal(draw(st.integers(min_value=0, max_value=10_000))).scaleb(-2)
            packages.append(
                LeadPackage(
                    name=f"{minimum} leads",
                    minimum_leads=minimum,
                    price=Money(price, code),
                    overage_rate=Money(rate, code),
                )
            )
        return LeadPackages(packages=tuple(packages))

    return build()
