"""Tests of billrules.subscriptions: SUB-1 … SUB-6."""

from __future__ import annotations

import calendar
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules import DEFAULT_POLICY, _time, apply
from billrules import subscriptions as subs
from billrules._plain import structure, unstructure
from billrules.account import Account, User
from billrules.contract import Suspension, Transition
from billrules.decisions import Decision, PolicyViolation
from billrules.effects import RenewSubscription, SendEmail
from billrules.errors import (
    BillRulesError,
    CurrencyMismatch,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    OutOfCalendar,
    UnknownTimeZone,
)
from billrules.subscriptions import (
    BillingPeriod,
    LeadPackage,
    LeadPackages,
    Period,
    PlanChange,
    PlanChangeKind,
    Subscription,
    SubscriptionCode,
    SubscriptionFacts,
    SubscriptionKind,
    SubscriptionPolicy,
    apply_pending_change,
    can_cancel,
    can_change_plan,
    cancel,
    current_period,
    next_renewal,
    period_amount,
    plan_at,
    plan_details,
    portal_invitation,
    renewal_date,
    renewals_between,
    request_plan_change,
    transitions,
)
from billrules.testing._core import aware_datetimes, zones
from billrules.testing._subscriptions import (
    lead_package_tiers,
    lead_packages,
    subscription_facts,
    subscription_policies,
    subscriptions,
)
from billrules.timeline import timeline

KYIV = ZoneInfo("Europe/Kyiv")
JAN31 = Subscription(plan="Starter", anchor=date(2024, 1, 31), period="monthly")
POLICY = SubscriptionPolicy()


def _local(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


def _clamped(anchor: date, months: int) -> date:
    """An independent oracle: anchor + months, clamped to the month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor.day, last))


def _oracle(anchor: date, period: Period, n: int) -> date:
    """An independent oracle for SUB-7: the period's text read afresh, then the calendar."""
    if period.value in ("monthly", "quarterly", "yearly"):
        count, unit = {"monthly": 1, "quarterly": 3, "yearly": 12}[period.value], "months"
    else:
        text, unit = period.value.split()
        count = int(text)
    if unit.startswith("week"):
        return date.fromordinal(anchor.toordinal() + 7 * count * n)
    return _clamped(anchor, count * n)


def _usd(amount: str) -> Money:
    return Money(amount, "USD")


class TestRenewalDate:
    def test_month_end_anchor_is_clamped_without_drift(self):
        """SUB-1 (seed 004): anchor Jan 31 → Feb 29 → Mar 31 → Apr 30, never chained."""
        expected = [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]
        assert expected == [renewal_date(JAN31, n=n) for n in (1, 2, 3, 4)]
        assert date(2024, 1, 31) == renewal_date(JAN31, n=0)

    def test_quarterly_and_yearly(self):
        """SUB-1: quarterly and yearly periods from the anchor (Feb 29 → Feb 28 next year)."""
        quarterly = Subscription(plan="Q", anchor=date(2023, 11, 30), period="quarterly")
        assert [date(2024, 2, 29), date(2024, 5, 30)] == [
            renewal_date(quarterly, n=n) for n in (1, 2)
        ]
        yearly = Subscription(plan="Y", anchor=date(2024, 2, 29), period=Period.YEARLY)
        assert [date(2025, 2, 28), date(2028, 2, 29)] == [renewal_date(yearly, n=n) for n in (1, 4)]

    @given(subscriptions(), st.integers(min_value=0, max_value=240))
    def test_nth_renewal_is_anchor_plus_n_periods_clamped(self, sub, n):
        """SUB-1, SUB-7: for every period length, the n-th renewal is the anchor plus n
        periods computed on the calendar independently (months clamped to the month's end,
        weeks as 7 × N × n days), back on the anchor's day whenever the month has it."""
        on = renewal_date(sub, n=n)
        assert _oracle(sub.anchor, sub.period, n) == on
        if (
            sub.period.unit == "month"
            and sub.anchor.day <= calendar.monthrange(on.year, on.month)[1]
        ):
            assert sub.anchor.day == on.day

    @given(subscriptions(), st.integers(min_value=0, max_value=240))
    def test_renewal_dates_strictly_increase(self, sub, n):
        """SUB-1: renewal dates strictly increase."""
        assert renewal_date(sub, n=n) < renewal_date(sub, n=n + 1)

    @pytest.mark.parametrize(
        ("n", "error"), [(-1, InvalidInput), (1.0, InvalidType), (True, InvalidType)]
    )
    def test_bad_index(self, n, error):
        """SUB-1: the index is a whole number of periods, 0 or more."""
        with pytest.raises(error) as excinfo:
            renewal_date(JAN31, n=n)
        assert "n" == excinfo.value.field

    def test_not_a_subscription(self):
        """SUB-1: a wrong subscription type is a clear error."""
        with pytest.raises(InvalidType) as excinfo:
            renewal_date("sub", n=1)  # type: ignore[arg-type]
        assert "subscription" == excinfo.value.field


class TestAnyPeriodLength:
    """SUB-7: a period is N months (1–24) or N weeks (1–52); SUB-1's clamping holds for all."""

    def test_named_periods_are_months(self):
        """SUB-7: monthly, quarterly and yearly are names for 1, 3 and 12 months, however the
        period is written."""
        assert [Period.MONTHLY, Period.QUARTERLY, Period.YEARLY] == [
            Period(text) for text in ("1 month", "3 months", "12 months")
        ]
        assert Period.YEARLY is Period.of(months=12)
        assert ("month", 3, 3, None) == (
            Period.QUARTERLY.unit,
            Period.QUARTERLY.length,
            Period.QUARTERLY.months,
            Period.QUARTERLY.weeks,
        )

    def test_every_length_is_one_period(self):
        """SUB-7: 24 lengths in months and 52 in weeks, each one member written "N months"
        or "N weeks" ("1 week" for one)."""
        assert 24 + 52 == len(Period)
        assert list(range(1, 25)) == [Period.of(months=n).months for n in range(1, 25)]
        assert list(range(1, 53)) == [Period.of(weeks=n).weeks for n in range(1, 53)]
        assert ("1 week", "2 weeks", "52 weeks", "6 months", "24 months") == (
            Period.of(weeks=1).value,
            Period.of(weeks=2).value,
            Period.of(weeks=52).value,
            Period.of(months=6).value,
            Period.of(months=24).value,
        )
        assert Period.WEEKS_1 is Period("1 weeks")
        assert (None, 52) == (Period("52 weeks").months, Period("52 weeks").weeks)

    def test_half_yearly_from_a_month_end_is_clamped_without_drift(self):
        """SUB-7, SUB-1: six months from Aug 31 → Feb 29 (leap) → Aug 31 → Feb 28."""
        sub = Subscription(plan="Half", anchor=date(2023, 8, 31), period="6 months")
        assert [date(2024, 2, 29), date(2024, 8, 31), date(2025, 2, 28), date(2025, 8, 31)] == [
            renewal_date(sub, n=n) for n in (1, 2, 3, 4)
        ]

    def test_longest_periods(self):
        """SUB-7 boundaries: 24 months from Feb 29 → Feb 28, then Feb 29 four years on; 52
        weeks are 364 days."""
        two_years = Subscription(plan="B", anchor=date(2024, 2, 29), period="24 months")
        assert [date(2026, 2, 28), date(2028, 2, 29)] == [
            renewal_date(two_years, n=n) for n in (1, 2)
        ]
        year_of_weeks = attrs.evolve(two_years, period=Period.of(weeks=52))
        assert date(2025, 2, 27) == renewal_date(year_of_weeks, n=1)

    def test_weekly_and_fortnightly(self):
        """SUB-7: weeks count days from the anchor, across a leap day and a month end."""
        weekly = Subscription(plan="W", anchor=date(2024, 2, 28), period="1 week")
        assert [date(2024, 3, 6), date(2024, 3, 13)] == [renewal_date(weekly, n=n) for n in (1, 2)]
        fortnight = attrs.evolve(weekly, anchor=date(2024, 2, 29), period="2 weeks")
        assert [date(2024, 3, 14), date(2024, 3, 28)] == [
            renewal_date(fortnight, n=n) for n in (1, 2)
        ]

    def test_weekly_periods_in_the_accounts_zone(self):
        """SUB-7, X-3: a fortnightly period is found by the local date in the account's zone."""
        sub = Subscription(plan="W", anchor=date(2024, 3, 1), period="2 weeks")
        # 2024-03-14 22:30 UTC is already Mar 15 in Kyiv: the second period starts then.
        at = datetime(2024, 3, 14, 22, 30, tzinfo=UTC)
        assert BillingPeriod(index=1, start=date(2024, 3, 15), end=date(2024, 3, 29)) == (
            current_period(sub, at=at, zone=KYIV)
        )
        assert 0 == current_period(sub, at=at, zone="UTC").index  # type: ignore[union-attr]
        assert date(2024, 3, 29) == next_renewal(sub, at=at, zone=KYIV)
        start, end = datetime(2024, 3, 14, tzinfo=KYIV), datetime(2024, 4, 26, tzinfo=KYIV)
        renewals = renewals_between(sub, start=start, end=end, zone=KYIV)
        assert [(1, date(2024, 3, 15)), (2, date(2024, 3, 29)), (3, date(2024, 4, 12))] == [
            (r.index, r.on) for r in renewals
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "weekly",
            "fortnightly",
            "0 months",
            "25 months",
            "0 weeks",
            "53 weeks",
            "6 Months",
            "six months",
            " 6 months",
            "6  months",
            "06 months",
            "1.5 months",
            "",
        ],
    )
    def test_other_lengths_are_refused(self, text):
        """SUB-7: only 1–24 months and 1–52 weeks; the error names the field and the forms."""
        with pytest.raises(InvalidInput) as excinfo:
            Subscription(plan="P", anchor=date(2024, 1, 1), period=text)
        assert "Subscription.period" == excinfo.value.field
        assert excinfo.value.problem.endswith(
            'write monthly, quarterly, yearly, "N months" (N from 1 to 24) or "N weeks" '
            "(N from 1 to 52)"
        )

    def test_a_refused_period_is_echoed_masked(self):
        """SUB-7, PM-6: a period holding a card-like digit run is not repeated."""
        with pytest.raises(InvalidInput) as excinfo:
            Subscription(plan="P", anchor=date(2024, 1, 1), period="4242424242424242 months")
        assert excinfo.value.problem.startswith("unknown period '••• months'; ")
        with pytest.raises(InvalidType) as excinfo2:
            Subscription(plan="P", anchor=date(2024, 1, 1), period=6)  # type: ignore[arg-type]
        assert ("Subscription.period", "must be a Period or its text, not int") == (
            excinfo2.value.field,
            excinfo2.value.problem,
        )

    @pytest.mark.parametrize(
        ("kwargs", "field", "error"),
        [
            ({}, "months", InvalidInput),
            ({"months": 1, "weeks": 1}, "months", InvalidInput),
            ({"months": 0}, "months", InvalidInput),
            ({"months": 25}, "months", InvalidInput),
            ({"weeks": 53}, "weeks", InvalidInput),
            ({"weeks": "2"}, "weeks", InvalidType),
            ({"months": True}, "months", InvalidType),
        ],
    )
    def test_of_refuses_what_is_not_a_period(self, kwargs, field, error):
        """SUB-7: Period.of takes exactly one count within its range, naming the argument."""
        with pytest.raises(error) as excinfo:
            Period.of(**kwargs)
        assert field == excinfo.value.field

    @pytest.mark.parametrize("text", ["monthly", "6 months", "1 week", "2 weeks", "24 months"])
    def test_plain_data_round_trip(self, text):
        """SUB-7: account files hold the period as its text, read back unchanged."""
        data = {"plan": "Pro", "anchor": "2024-01-31", "period": text}
        sub = structure(Subscription, data, "subscription")
        assert Period(text) is sub.period
        plain = {**data, "ends_at": None, "pending_change": None, "contacts": []}
        assert plain == unstructure(sub)
        assert sub == structure(Subscription, unstructure(sub), "subscription")

    def test_plain_data_refuses_other_lengths_at_the_path(self):
        """SUB-7: a period of 25 months in an account file is refused at its path."""
        data = {"plan": "Pro", "anchor": "2024-01-31", "period": "25 months"}
        with pytest.raises(InvalidInput) as excinfo:
            structure(Subscription, data, "subscription")
        assert "subscription.period" == excinfo.value.field

    @given(subscriptions(periods=st.sampled_from([p for p in Period if p.unit == "week"])))
    def test_weekly_periods_land_on_the_anchors_weekday(self, sub):
        """SUB-7: every boundary of a period of weeks falls on the anchor's weekday, exactly
        7 × N days after the one before."""
        days = [renewal_date(sub, n=n) for n in range(6)]
        assert {sub.anchor.weekday()} == {day.weekday() for day in days}
        assert {timedelta(days=7 * sub.period.length)} == {
            later - earlier for earlier, later in itertools.pairwise(days)
        }

    @given(subscriptions(), st.integers(min_value=0, max_value=240), zones())
    def test_renewals_between_lists_every_boundary_once(self, sub, n, zone):
        """SUB-1, SUB-7: the renewals over the first n periods are boundaries 1 … n, each at
        the start of its local day, whatever the period's length."""
        start = datetime.combine(sub.anchor, datetime.min.time(), zone)
        end = _time.start_of_day(renewal_date(sub, n=n), zone) + timedelta(seconds=1)
        renewals = renewals_between(sub, start=start, end=end, zone=zone)
        assert list(range(1, n + 1)) == [r.index for r in renewals]
        assert [renewal_date(sub, n=i) for i in range(1, n + 1)] == [r.on for r in renewals]

    def test_calendar_end(self):
        """SUB-7, X-3: a boundary after the year 8999 is OutOfCalendar naming the argument;
        a window up to the calendar's end lists the renewals inside it."""
        sub = Subscription(plan="Y", anchor=date(8999, 6, 1), period="yearly")
        with pytest.raises(OutOfCalendar) as excinfo:
            renewal_date(sub, n=1)
        assert "n" == excinfo.value.field
        weekly = attrs.evolve(sub, period="52 weeks")
        with pytest.raises(OutOfCalendar) as excinfo2:
            renewal_date(weekly, n=10**18)
        assert "n" == excinfo2.value.field
        late = datetime(8999, 12, 20, tzinfo=UTC)
        with pytest.raises(OutOfCalendar) as excinfo3:
            next_renewal(sub, at=late, zone="UTC")
        assert "at" == excinfo3.value.field
        monthly = attrs.evolve(sub, period="monthly")
        renewals = renewals_between(
            monthly, start=late, end=datetime(8999, 12, 31, tzinfo=UTC), zone="UTC"
        )
        assert () == renewals
        assert 6 == len(
            renewals_between(monthly, start=datetime(8999, 6, 1, tzinfo=UTC), end=late, zone="UTC")
        )


class TestCurrentPeriod:
    def test_period_containing_an_instant_in_the_zone(self):
        """SUB-1, X-3: the period is found by the local date in the account's zone."""
        # 2024-02-28 23:30 UTC is already Feb 29 in Kyiv: the second period starts then.
        at = datetime(2024, 2, 28, 23, 30, tzinfo=UTC)
        assert BillingPeriod(index=1, start=date(2024, 2, 29), end=date(2024, 3, 31)) == (
            current_period(JAN31, at=at, zone=KYIV)
        )
        assert 0 == current_period(JAN31, at=at, zone="UTC").index  # type: ignore[union-attr]

    def test_before_the_start_there_is_no_period(self):
        """SUB-1: before the anchor there is no current period; the next renewal is the first."""
        at = _local(2024, 1, 1)
        assert current_period(JAN31, at=at, zone=KYIV) is None
        assert date(2024, 2, 29) == next_renewal(JAN31, at=at, zone=KYIV)

    def test_next_renewal(self):
        """SUB-1: the next renewal after an instant; on the renewal day it is the one after."""
        assert date(2024, 3, 31) == next_renewal(JAN31, at=_local(2024, 3, 30), zone=KYIV)
        assert date(2024, 4, 30) == next_renewal(JAN31, at=_local(2024, 3, 31, 0), zone=KYIV)

    @given(subscriptions(), aware_datetimes(), zones())
    def test_period_contains_the_instant(self, sub, at, zone):
        """SUB-1: the current period contains the instant's local date, and ends at the next
        renewal."""
        period = current_period(sub, at=at, zone=zone)
        day = at.astimezone(zone).date()
        if period is None:
            assert day < sub.anchor
        else:
            assert period.start <= day < period.end
            assert renewal_date(sub, n=period.index) == period.start
            assert period.end == next_renewal(sub, at=at, zone=zone)

    def test_bad_arguments(self):
        """X-3: naive instants and unknown zones are refused."""
        with pytest.raises(NaiveDatetimeError):
            current_period(JAN31, at=datetime(2024, 3, 1), zone=KYIV)  # noqa: DTZ001
        with pytest.raises(UnknownTimeZone):
            next_renewal(JAN31, at=_local(2024, 3, 1), zone="Mars/Base")


class TestRenewalsBetween:
    def test_renewals_in_a_window(self):
        """SUB-1: renewals in [start, end) at the first instant of their local date."""
        renewals = renewals_between(
            JAN31, start=_local(2024, 1, 1), end=_local(2024, 5, 31, 0), zone=KYIV
        )
        assert [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)] == [r.on for r in renewals]
        assert datetime(2024, 2, 29, tzinfo=KYIV) == renewals[0].at
        assert [1, 2, 3] == [r.index for r in renewals]

    def test_end_before_start(self):
        """SUB-1: a window that ends before it starts is refused."""
        with pytest.raises(InvalidInput) as excinfo:
            renewals_between(JAN31, start=_local(2024, 3, 1), end=_local(2024, 2, 1), zone=KYIV)
        assert "end" == excinfo.value.field

    @given(subscriptions(), aware_datetimes(), st.integers(min_value=0, max_value=800), zones())
    def test_renewals_match_the_arithmetic(self, sub, start, days, zone):
        """SUB-1: the window holds exactly the boundaries n >= 1 whose instant is inside it,
        strictly increasing."""
        end = start + timedelta(days=days)
        renewals = renewals_between(sub, start=start, end=end, zone=zone)
        assert all(a.at < b.at for a, b in itertools.pairwise(renewals))
        assert all(start <= r.at < end and r.on == renewal_date(sub, n=r.index) for r in renewals)
        expected = [
            n
            for n in range(1, 400)
            if start
            <= datetime.combine(renewal_date(sub, n=n), datetime.min.time(), zone)
            .astimezone(UTC)
            .astimezone(zone)
            < end
        ]
        assert expected == [r.index for r in renewals]


class TestCancel:
    def test_cancel_at_period_end_keeps_the_period(self):
        """SUB-2 (seed 004): the rebill stops; service continues until the period's end."""
        cancelled = cancel(JAN31, POLICY, at=_local(2024, 3, 10), zone=KYIV)
        assert datetime(2024, 3, 31, tzinfo=KYIV) == cancelled.ends_at
        assert next_renewal(cancelled, at=_local(2024, 3, 10), zone=KYIV) is None
        assert current_period(cancelled, at=_local(2024, 3, 30, 23), zone=KYIV) is not None
        assert current_period(cancelled, at=_local(2024, 3, 31, 0), zone=KYIV) is None
        assert () == renewals_between(
            cancelled, start=_local(2024, 3, 10), end=_local(2030, 1, 1), zone=KYIV
        )
        assert JAN31.ends_at is None  # the input is unchanged

    def test_cancelling_just_before_renewal_keeps_the_whole_period(self):
        """SUB-2 (seed 004): cancel just before the plan renews to have the leads worked until
        the end of the billing period."""
        just_before = datetime(2024, 3, 30, 23, 59, tzinfo=KYIV)
        cancelled = cancel(JAN31, POLICY, at=just_before, zone=KYIV)
        assert datetime(2024, 3, 31, tzinfo=KYIV) == cancelled.ends_at
        assert date(2024, 2, 29) == current_period(cancelled, at=just_before, zone=KYIV).start  # type: ignore[union-attr]

    def test_immediately(self):
        """SUB-2, CAN-6: an immediate cancellation ends the service at once."""
        at = _local(2024, 3, 10)
        cancelled = cancel(JAN31, POLICY, at=at, zone=KYIV, immediately=True)
        assert at == cancelled.ends_at
        assert current_period(cancelled, at=at, zone=KYIV) is None
        with pytest.raises(InvalidType) as excinfo:
            cancel(JAN31, POLICY, at=at, zone=KYIV, immediately="yes")  # type: ignore[arg-type]
        assert "immediately" == excinfo.value.field

    def test_cannot_cancel_twice_or_before_start(self):
        """SUB-2: cancelling a cancelled or not yet started subscription is refused."""
        cancelled = cancel(JAN31, POLICY, at=_local(2024, 3, 10), zone=KYIV)
        with pytest.raises(PolicyViolation) as excinfo:
            cancel(cancelled, POLICY, at=_local(2024, 3, 11), zone=KYIV)
        assert ("subscription_already_cancelled",) == excinfo.value.decision.codes
        assert ("subscription_not_started",) == can_cancel(
            JAN31, POLICY, at=_local(2024, 1, 2), zone=KYIV
        ).codes
        assert can_cancel(JAN31, POLICY, at=_local(2024, 2, 2), zone=KYIV).allowed

    @given(
        subscriptions(), st.integers(min_value=0, max_value=4000 * 86400), zones(), st.booleans()
    )
    def test_no_renewal_after_an_effective_cancellation(self, sub, seconds, zone, immediately):
        """SUB-2, CAN-6: after cancelling, no renewal falls on or after the effective instant,
        and the renewals before it are unchanged."""
        at = datetime.combine(sub.anchor, datetime.min.time(), zone) + timedelta(
            days=1, seconds=seconds
        )
        assert can_cancel(sub, POLICY, at=at, zone=zone).allowed
        cancelled = cancel(sub, POLICY, at=at, zone=zone, immediately=immediately)
        assert cancelled.ends_at is not None
        assert at <= cancelled.ends_at
        far = cancelled.ends_at + timedelta(days=4000)
        assert () == renewals_between(cancelled, start=cancelled.ends_at, end=far, zone=zone)
        before = renewals_between(
            sub, start=at - timedelta(days=400), end=cancelled.ends_at, zone=zone
        )
        assert before == renewals_between(
            cancelled, start=at - timedelta(days=400), end=cancelled.ends_at, zone=zone
        )
        if not immediately:
            period = current_period(sub, at=at, zone=zone)
            assert period is not None
            assert period == current_period(cancelled, at=at, zone=zone)


class TestPlanChanges:
    def test_change_pending_until_next_renewal(self):
        """SUB-3 (seed 004): an upgrade is pending and takes effect at the next renewal."""
        at = _local(2024, 3, 10)
        changed = request_plan_change(
            JAN31, SubscriptionPolicy(), to_plan="Growth", kind="upgrade", at=at, zone=KYIV
        )
        assert (
            PlanChange(
                to_plan="Growth",
                kind=PlanChangeKind.UPGRADE,
                requested_at=at,
                takes_effect_on=date(2024, 3, 31),
            )
            == changed.pending_change
        )
        assert "Starter" == plan_at(changed, at=_local(2024, 3, 30, 23), zone=KYIV)
        assert "Growth" == plan_at(changed, at=_local(2024, 3, 31, 0), zone=KYIV)
        assert changed == apply_pending_change(changed, at=_local(2024, 3, 30), zone=KYIV)
        applied = apply_pending_change(changed, at=_local(2024, 4, 1), zone=KYIV)
        assert ("Growth", None) == (applied.plan, applied.pending_change)
        renewals = renewals_between(changed, start=at, end=_local(2024, 5, 1), zone=KYIV)
        assert [("Growth", date(2024, 3, 31)), ("Growth", date(2024, 4, 30))] == [
            (r.plan, r.on) for r in renewals
        ]

    def test_immediately_knob(self):
        """SUB-3: with plan_changes="immediately" the plan changes at once."""
        changed = request_plan_change(
            JAN31,
            SubscriptionPolicy(plan_changes="immediately"),
            to_plan="Lite",
            kind=PlanChangeKind.DOWNGRADE,
            at=_local(2024, 3, 10),
            zone=KYIV,
        )
        assert ("Lite", None) == (changed.plan, changed.pending_change)

    def test_a_new_request_replaces_the_pending_one(self):
        """SUB-3: a later request replaces a pending change; one already in force stays."""
        policy = SubscriptionPolicy()
        first = request_plan_change(
            JAN31, policy, to_plan="Growth", kind="upgrade", at=_local(2024, 3, 10), zone=KYIV
        )
        again = request_plan_change(
            first, policy, to_plan="Pro", kind="upgrade", at=_local(2024, 3, 11), zone=KYIV
        )
        assert ("Starter", "Pro") == (again.plan, again.pending_change.to_plan)  # type: ignore[union-attr]
        later = request_plan_change(
            first, policy, to_plan="Lite", kind="downgrade", at=_local(2024, 4, 10), zone=KYIV
        )
        assert ("Growth", "Lite") == (later.plan, later.pending_change.to_plan)  # type: ignore[union-attr]
        assert date(2024, 4, 30) == later.pending_change.takes_effect_on  # type: ignore[union-attr]

    def test_refusals(self):
        """SUB-3: the same plan, or a cancelled subscription, cannot change plan."""
        at = _local(2024, 3, 10)
        assert ("same_plan",) == can_change_plan(
            JAN31, POLICY, to_plan="Starter", at=at, zone=KYIV
        ).codes
        cancelled = cancel(JAN31, POLICY, at=at, zone=KYIV)
        with pytest.raises(PolicyViolation) as excinfo:
            request_plan_change(
                cancelled, SubscriptionPolicy(), to_plan="Pro", kind="upgrade", at=at, zone=KYIV
            )
        assert ("subscription_cancelled",) == excinfo.value.decision.codes
        assert cancelled.pending_change is None
        with pytest.raises(InvalidInput) as excinfo2:
            can_change_plan(JAN31, POLICY, to_plan="", at=at, zone=KYIV)
        assert "to_plan" == excinfo2.value.field
        with pytest.raises(InvalidInput) as excinfo3:
            request_plan_change(
                JAN31, SubscriptionPolicy(), to_plan="Pro", kind="sideways", at=at, zone=KYIV
            )
        assert "kind" == excinfo3.value.field

    @given(subscriptions(), subscription_policies(), aware_datetimes(), zones())
    def test_change_never_before_the_next_renewal_by_default(self, sub, policy, at, zone):
        """SUB-3: by default the plan in force until the next renewal is the old one."""
        changed = request_plan_change(
            sub, policy, to_plan="Other", kind="upgrade", at=at, zone=zone
        )
        if policy.plan_changes == "immediately":
            assert "Other" == plan_at(changed, at=at, zone=zone)
        else:
            assert sub.plan == plan_at(changed, at=at, zone=zone)
            on = changed.pending_change.takes_effect_on  # type: ignore[union-attr]
            assert on == next_renewal(sub, at=at, zone=zone)
            assert "Other" == plan_at(
                changed,
                at=datetime.combine(on, datetime.min.time(), zone) + timedelta(hours=12),
                zone=zone,
            )


class TestLeadPackages:
    PACKS = LeadPackages(
        packages=(
            LeadPackage(name="50", minimum_leads=50, price=_usd("300"), overage_rate=_usd("7")),
            LeadPackage(name="100", minimum_leads=100, price=_usd("500"), overage_rate=_usd("6")),
            LeadPackage(name="250", minimum_leads=250, price=_usd("1000"), overage_rate=_usd("5")),
        )
    )

    def test_period_amount(self):
        """SUB-4 (seed 004): the minimum is paid in advance; leads beyond it are overage."""
        pack = self.PACKS.package("100")
        assert [Decimal("500.00"), Decimal("500.00"), Decimal("506.00"), Decimal("800.00")] == [
            period_amount(pack, leads=n).amount for n in (0, 100, 101, 150)
        ]
        assert Decimal("4") == self.PACKS.package("250").price_per_lead

    def test_rounding_to_the_minor_unit(self):
        """SUB-4, X-4: a fractional overage rate is rounded half-up to the minor unit."""
        pack = LeadPackage(name="x", minimum_leads=1, price=_usd("0"), overage_rate=_usd("0.125"))
        assert Decimal("0.13") == period_amount(pack, leads=2).amount

    @pytest.mark.parametrize(
        ("leads", "error"), [(-1, InvalidInput), ("3", InvalidType), (True, InvalidType)]
    )
    def test_negative_lead_count_is_refused(self, leads, error):
        """SUB-4: a negative (or non-integer) lead count is a clear error."""
        with pytest.raises(error) as excinfo:
            period_amount(self.PACKS.package("50"), leads=leads)
        assert "leads" == excinfo.value.field
        with pytest.raises(InvalidType):
            period_amount("50", leads=3)  # type: ignore[arg-type]

    def test_tiers_that_violate_volume_pricing_are_refused(self):
        """SUB-4: a larger package with a higher price per lead is refused, naming it."""
        small, medium, _ = self.PACKS.packages
        dear = attrs.evolve(medium, price=_usd("600.01"))  # 6.0001 per lead > 6.00
        with pytest.raises(InvalidInput) as excinfo:
            LeadPackages(packages=(small, dear))
        assert "LeadPackages.packages[1].price" == excinfo.value.field
        equal = attrs.evolve(medium, price=_usd("600"))  # same price per lead: allowed
        assert equal == LeadPackages(packages=(small, equal)).package("100")

    @pytest.mark.parametrize(
        ("packages", "field", "error"),
        [
            ((), "LeadPackages.packages", InvalidInput),
            ("S", "LeadPackages.packages", InvalidType),
            ((1,), "LeadPackages.packages[0]", InvalidType),
        ],
    )
    def test_bad_package_lists(self, packages, field, error):
        """SUB-4: the package list is validated and named."""
        with pytest.raises(error) as excinfo:
            LeadPackages(packages=packages)
        assert field == excinfo.value.field

    def test_order_currency_and_lookup(self):
        """SUB-4: minimums strictly increase, one currency; unknown names are refused."""
        small, medium, _ = self.PACKS.packages
        with pytest.raises(InvalidInput) as excinfo:
            LeadPackages(packages=(medium, small))
        assert "LeadPackages.packages[1].minimum_leads" == excinfo.value.field
        eur = LeadPackage(
            name="e", minimum_leads=100, price=Money(1, "EUR"), overage_rate=Money(1, "EUR")
        )
        with pytest.raises(CurrencyMismatch) as excinfo2:
            LeadPackages(packages=(small, eur))
        assert "LeadPackages.packages[1].price" == excinfo2.value.field
        with pytest.raises(InvalidInput) as excinfo3:
            self.PACKS.package("1000")
        assert "name" == excinfo3.value.field
        assert "no lead package is called '1000'" == excinfo3.value.problem

    def test_unknown_package_name_is_echoed_masked(self):
        """SUB-4, PM-6: a name holding a long digit run is not repeated in the error."""
        with pytest.raises(InvalidInput) as excinfo:
            self.PACKS.package("pack 4242 4242 4242 4242")
        assert "name" == excinfo.value.field
        assert "no lead package is called 'pack •••'" == excinfo.value.problem

    @pytest.mark.parametrize(
        ("kwargs", "field", "error"),
        [
            ({"minimum_leads": -5}, "LeadPackage.minimum_leads", InvalidInput),
            ({"minimum_leads": 0}, "LeadPackage.minimum_leads", InvalidInput),
            ({"price": _usd("-1")}, "LeadPackage.price", InvalidInput),
            ({"price": 1.5}, "LeadPackage.price", InvalidType),
            ({"overage_rate": Money(1, "EUR")}, "LeadPackage.overage_rate", CurrencyMismatch),
            ({"name": ""}, "LeadPackage.name", InvalidInput),
        ],
    )
    def test_bad_package(self, kwargs, field, error):
        """SUB-4: negative lead counts, negative prices, floats and mixed currencies are refused."""
        base = {"name": "p", "minimum_leads": 10, "price": _usd("10"), "overage_rate": _usd("1")}
        with pytest.raises(error) as excinfo:
            LeadPackage(**{**base, **kwargs})  # type: ignore[arg-type]
        assert field == excinfo.value.field

    @given(lead_package_tiers())
    def test_price_per_lead_never_increases_with_size(self, tiers):
        """SUB-4: in valid tiers a larger package never has a higher price per lead."""
        packs = tiers.packages
        for smaller, larger in itertools.pairwise(packs):
            assert larger.minimum_leads > smaller.minimum_leads
            assert larger.price.amount * smaller.minimum_leads <= (
                smaller.price.amount * larger.minimum_leads
            )

    @given(lead_packages(), st.integers(min_value=0, max_value=20_000))
    def test_period_amount_is_price_plus_overage(self, pack, leads):
        """SUB-4: the amount is package price + overage × rate, never below the price."""
        amount = period_amount(pack, leads=leads)
        overage = max(leads - pack.minimum_leads, 0)
        expected = (pack.price.amount + overage * pack.overage_rate.amount).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert expected == amount.amount
        assert amount >= pack.price
        assert period_amount(pack, leads=leads + 1) >= amount


class TestPortalInvitationAndDetails:
    def test_invitation_only_on_first_sign_up(self):
        """SUB-5 (seed 004): the portal invitation is emailed on the first sign-up only."""
        at = _local(2024, 3, 1)
        assert (
            SendEmail(
                at=at,
                rule="SUB-5",
                template="customer_portal_invitation",
                to="owner",
                occasion="first_sign_up",
                account="acme",
            ),
        ) == portal_invitation(0, POLICY, to="owner", at=at, account="acme")
        assert () == portal_invitation(2, POLICY, to="owner", at=at, account="acme")
        custom = SubscriptionPolicy(portal_invitation_template="portal_v2")
        (email,) = portal_invitation(0, custom, to="u1", at=at, account="acme")
        assert "portal_v2" == email.template

    @given(st.integers(min_value=0, max_value=50), aware_datetimes())
    def test_at_most_one_invitation(self, previous, at):
        """SUB-5: exactly one invitation for the first sign-up, none for later onboardings."""
        assert (1 if previous == 0 else 0) == len(
            portal_invitation(previous, POLICY, to="owner", at=at, account="acme")
        )

    @pytest.mark.parametrize(("value", "error"), [(-1, InvalidInput), ("0", InvalidType)])
    def test_bad_sign_up_count(self, value, error):
        """SUB-5: the sign-up count is a non-negative int."""
        with pytest.raises(error) as excinfo:
            portal_invitation(value, POLICY, to="owner", at=_local(2024, 3, 1), account="acme")
        assert "previous_sign_ups" == excinfo.value.field

    def test_plan_details(self):
        """SUB-6 (seed 004): start date, renewal date, contact persons."""
        sub = attrs.evolve(JAN31, contacts=("Ann Lee", "Bohdan K."))
        details = plan_details(sub, at=_local(2024, 2, 10), zone=KYIV)
        assert ("Starter", date(2024, 1, 31), date(2024, 2, 29), ("Ann Lee", "Bohdan K.")) == (
            details.plan,
            details.start_date,
            details.renewal_date,
            details.contacts,
        )
        cancelled = cancel(sub, POLICY, at=_local(2024, 2, 10), zone=KYIV)
        assert plan_details(cancelled, at=_local(2024, 2, 10), zone=KYIV).renewal_date is None


class TestFacts:
    @pytest.mark.parametrize(
        ("kwargs", "field", "error"),
        [
            ({"period": "weekly"}, "Subscription.period", InvalidInput),
            ({"anchor": datetime(2024, 1, 1, tzinfo=UTC)}, "Subscription.anchor", InvalidType),
            ({"plan": ""}, "Subscription.plan", InvalidInput),
            ({"ends_at": datetime(2024, 1, 1)}, "Subscription.ends_at", NaiveDatetimeError),  # noqa: DTZ001
            ({"pending_change": "Pro"}, "Subscription.pending_change", InvalidType),
            ({"contacts": "Ann"}, "Subscription.contacts", InvalidType),
            ({"contacts": ("Ann", " ")}, "Subscription.contacts[1]", InvalidInput),
        ],
    )
    def test_bad_subscription(self, kwargs, field, error):
        """SUB-1, SUB-6: every field of a subscription is validated and named."""
        base = {"plan": "Starter", "anchor": date(2024, 1, 31), "period": "monthly"}
        with pytest.raises(error) as excinfo:
            Subscription(**{**base, **kwargs})  # type: ignore[arg-type]
        assert field == excinfo.value.field

    def test_bad_policy_and_change(self):
        """SUB-3: the policy's knob and a plan change's kind are validated and named."""
        with pytest.raises(InvalidInput) as excinfo:
            SubscriptionPolicy(plan_changes="never")
        assert "SubscriptionPolicy.plan_changes" == excinfo.value.field
        with pytest.raises(BillRulesError) as excinfo2:
            PlanChange(
                to_plan="Pro",
                kind="up",
                requested_at=_local(2024, 1, 1),
                takes_effect_on=date(2024, 2, 1),
            )
        assert "PlanChange.kind" == excinfo2.value.field  # type: ignore[attr-defined]

    def test_period_months(self):
        """SUB-1: monthly, quarterly and yearly periods are 1, 3 and 12 months."""
        assert [1, 3, 12] == [Period(p).months for p in ("monthly", "quarterly", "yearly")]


def test_module_surface():
    """X-1: the module's public names are unique and exist."""
    assert len(set(subs.__all__)) == len(subs.__all__)
    assert all(hasattr(subs, name) for name in subs.__all__)


# --------------------------------------------------------------------------------------------
# The area contract


@st.composite
def _living_facts(draw: st.DrawFn) -> SubscriptionFacts:
    """Facts whose subscription may be cancelled or have a plan change pending."""
    facts = draw(subscription_facts())
    sub = facts.subscription
    at = datetime.combine(sub.anchor, datetime.min.time(), UTC) + timedelta(
        days=draw(st.integers(min_value=0, max_value=800))
    )
    action = draw(st.sampled_from(("none", "cancel", "now", "change")))
    if action == "cancel":
        sub = cancel(sub, POLICY, at=at, zone="UTC")
    elif action == "now":
        sub = cancel(sub, POLICY, at=at, zone="UTC", immediately=True)
    elif action == "change":
        sub = request_plan_change(
            sub, POLICY, to_plan=sub.plan + " Plus", kind="upgrade", at=at, zone="UTC"
        )
    return attrs.evolve(facts, subscription=sub)


def _window() -> st.SearchStrategy[tuple[datetime, datetime, datetime]]:
    """Three instants a <= b <= c between 2018 and 2036."""
    hours = st.integers(min_value=0, max_value=18 * 365 * 24)
    base = datetime(2018, 1, 1, tzinfo=UTC)
    return st.lists(hours, min_size=3, max_size=3).map(
        lambda xs: tuple(base + timedelta(hours=x) for x in sorted(xs))  # type: ignore[return-value]
    )


class TestContract:
    START = datetime(2024, 1, 1, tzinfo=UTC)

    def test_transitions_are_lazy(self):
        """X-5: taking the first three of a hundred years computes three renewals."""
        facts = SubscriptionFacts(
            subscription=Subscription(plan="Weekly", anchor=date(2024, 1, 1), period="1 week")
        )
        far = self.START.replace(year=2124)
        first = list(
            itertools.islice(transitions(facts, POLICY, start=self.START, end=far, zone="UTC"), 3)
        )
        whole = transitions(
            facts, POLICY, start=self.START, end=self.START.replace(year=2025), zone="UTC"
        )
        assert first == list(whole)[:3]
        assert [1, 2, 3] == [t.reasons[0].details["index"] for t in first]

    def test_transitions_kinds_rules_and_sentences(self):
        """SUB-1, SUB-2, SUB-3: a renewal, the renewal changing the plan, then the end."""
        changed = request_plan_change(
            JAN31, POLICY, to_plan="Growth", kind="upgrade", at=_local(2024, 3, 10), zone=KYIV
        )
        facts = SubscriptionFacts(
            subscription=attrs.evolve(changed, ends_at=datetime(2024, 4, 15, tzinfo=KYIV))
        )
        found = list(
            transitions(facts, POLICY, start=_local(2024, 1, 1), end=_local(2025, 1, 1), zone=KYIV)
        )
        assert [(t.kind, t.rules, t.at.date()) for t in found] == [
            ("renewal", ("SUB-1",), date(2024, 2, 29)),
            ("renewal", ("SUB-1", "SUB-3"), date(2024, 3, 31)),
            ("subscription_ends", ("SUB-2",), date(2024, 4, 15)),
        ]
        assert found[0].description == "Renewal 1 of the Starter plan."
        assert found[1].description == (
            "Renewal 2 of the Growth plan. The plan changes from Starter to Growth."
        )
        assert found[2].description == ("The Growth subscription ends; nothing renews from now on.")
        assert {"subscriptions"} == {t.area for t in found}
        assert all(isinstance(t.kind, SubscriptionKind) for t in found)

    def test_nothing_renews_in_a_suspension(self):
        """SUB-1: no renewal inside a span in which another area stops billing."""
        spans = (
            Suspension(start=_local(2024, 3, 1), end=_local(2024, 5, 1), rule="DEL-6"),
            Suspension(start=_local(2024, 7, 15), end=None, rule="CAN-6"),
        )
        facts = SubscriptionFacts(subscription=JAN31, suspensions=spans)
        found = transitions(
            facts, POLICY, start=_local(2024, 1, 1), end=_local(2030, 1, 1), zone=KYIV
        )
        assert [date(2024, 2, 29), date(2024, 5, 31), date(2024, 6, 30)] == [
            t.at.astimezone(KYIV).date() for t in found
        ]

    def test_bad_window(self):
        """X-5: the window's end must not come before its start, checked at the call."""
        with pytest.raises(InvalidInput) as excinfo:
            transitions(
                SubscriptionFacts(subscription=JAN31),
                POLICY,
                start=_local(2024, 2, 1),
                end=_local(2024, 1, 1),
                zone=KYIV,
            )
        assert "end" == excinfo.value.field
        with pytest.raises(InvalidType):
            SubscriptionFacts(subscription=JAN31, suspensions=("CAN-6",))

    @given(_living_facts(), _window(), zones())
    def test_split_and_order(self, facts, window, zone):
        """X-5: [a, c) is [a, b) followed by [b, c), in time order, inside the window."""
        a, b, c = window
        whole = list(transitions(facts, POLICY, start=a, end=c, zone=zone))
        left = list(transitions(facts, POLICY, start=a, end=b, zone=zone))
        right = list(transitions(facts, POLICY, start=b, end=c, zone=zone))
        assert whole == left + right
        assert [t.at for t in whole] == sorted(t.at for t in whole)
        assert all(a <= t.at < c for t in whole)

    @given(_living_facts(), _window(), zones())
    def test_renewals_are_those_outside_the_suspensions(self, facts, window, zone):
        """SUB-1, SUB-2: the renewals are renewals_between's, less those a suspension covers."""
        a, _, c = window
        expected = [
            r.at
            for r in renewals_between(facts.subscription, start=a, end=c, zone=zone)
            if not any(span.covers(r.at) for span in facts.suspensions)
        ]
        found = transitions(facts, POLICY, start=a, end=c, zone=zone)
        assert expected == [t.at for t in found if t.kind == SubscriptionKind.RENEWAL]

    def test_findings_are_empty(self):
        """X-1: the report asks the subscriptions area nothing yet."""
        from billrules.subscriptions import findings, role_findings

        facts = SubscriptionFacts(subscription=JAN31)
        assert () == findings(facts, POLICY, at=_local(2024, 3, 1), zone=KYIV)
        assert () == role_findings(facts, POLICY, role="owner", at=_local(2024, 3, 1), zone=KYIV)
        with pytest.raises(InvalidInput):
            role_findings(facts, POLICY, role="boss", at=_local(2024, 3, 1), zone=KYIV)

    def test_every_code_is_used_and_renders(self):
        """X-1: every reason uses a SubscriptionCode; every code's sentence renders."""
        at = _local(2024, 3, 10)
        cancelled = cancel(JAN31, POLICY, at=at, zone=KYIV)
        changed = request_plan_change(
            JAN31, POLICY, to_plan="Growth", kind="upgrade", at=at, zone=KYIV
        )
        decisions: list[Decision] = [
            can_cancel(JAN31, POLICY, at=at, zone=KYIV),
            can_cancel(cancelled, POLICY, at=at, zone=KYIV),
            can_cancel(JAN31, POLICY, at=_local(2024, 1, 1), zone=KYIV),
            can_change_plan(JAN31, POLICY, to_plan="Starter", at=at, zone=KYIV),
            can_change_plan(cancelled, POLICY, to_plan="Growth", at=at, zone=KYIV),
            can_change_plan(JAN31, POLICY, to_plan="Growth", at=at, zone=KYIV),
        ]
        changes: list[Transition] = [
            *transitions(
                SubscriptionFacts(subscription=attrs.evolve(changed, ends_at=_local(2024, 5, 5))),
                POLICY,
                start=at,
                end=_local(2024, 6, 1),
                zone=KYIV,
            ),
        ]
        reasons = [r for d in decisions for r in d.reasons] + [
            r for t in changes for r in t.reasons
        ]
        assert all(isinstance(r.code, SubscriptionCode) for r in reasons)
        assert set(SubscriptionCode) == {r.code for r in reasons}
        messages = {r.code: r.message for r in reasons}
        assert messages[SubscriptionCode.ALREADY_CANCELLED] == (
            "The subscription is already cancelled from 2024-03-31T00:00:00+02:00."
        )
        assert messages[SubscriptionCode.NOT_STARTED] == "The subscription starts on 2024-01-31."
        assert messages[SubscriptionCode.PLAN_CHANGE_ALLOWED] == (
            "The plan can change from Starter to Growth."
        )
        assert all("{" not in message for message in messages.values())


class TestBoundaryArithmetic:
    @given(
        anchor=st.dates(min_value=date(1000, 1, 1), max_value=date(8999, 12, 31)),
        period=st.sampled_from(Period),
        n=st.integers(min_value=0, max_value=400),
    )
    def test_property_a_boundary_is_the_anchor_plus_n_periods(
        self, anchor: date, period: Period, n: int
    ) -> None:
        """SUB-1, SUB-7 property: the n-th boundary, counted month by month without
        relativedelta, is the anchor plus n x N months as billrules._time.add_months (and so
        relativedelta) gives it, or plus 7 x N x n days; past the year 8999, OutOfCalendar."""
        sub = Subscription(plan="Pro", anchor=anchor, period=period)
        if period.months is not None:
            year = (anchor.year * 12 + anchor.month - 1 + period.months * n) // 12
            expected: date | None = (
                _time.add_months(anchor, period.months * n) if year <= 8999 else None
            )
        else:
            later = anchor.toordinal() + 7 * (period.weeks or 0) * n
            expected = date.fromordinal(later) if later <= date(8999, 12, 31).toordinal() else None
        if expected is None:
            with pytest.raises(OutOfCalendar):
                renewal_date(sub, n=n)
        else:
            assert expected == renewal_date(sub, n=n)


# --------------------------------------------------------------------------------------------
# every renewal is an effect; the one that changes the plan is recorded by apply


class TestRenewalEffects:
    """SUB-1, SUB-3, X-9: a renewal tells the host to bill the next period, as a keyed
    ``RenewSubscription``; the renewal at which a pending change takes effect carries the new
    plan, and ``billrules.apply`` records it as the plan in force."""

    def _account(self, sub: Subscription) -> Account:
        login = datetime(2024, 6, 20, tzinfo=UTC)  # active: no deletion in the window
        return Account(
            id="acme",
            zone=KYIV,
            currency="USD",
            created_at=datetime(2023, 12, 1, tzinfo=UTC),
            users=(User(id="ann", role="owner", last_login_at=login),),
            subscription=sub,
        )

    def test_each_renewal_carries_renew_subscription(self) -> None:
        """SUB-1: anchored on Jan 31st, renewals on Feb 29th, Mar 31st, Apr 30th at local
        midnight, each with RenewSubscription(plan, index) under SUB-1, keyed by the account."""
        sub = Subscription(plan="Starter", anchor=date(2024, 1, 31), period="monthly")
        start = datetime(2024, 2, 1, tzinfo=UTC)
        events = timeline(
            self._account(sub), DEFAULT_POLICY, start=start, end=datetime(2024, 5, 15, tzinfo=UTC)
        ).events
        renewals = [t for t in events if t.kind == "renewal"]
        assert [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)] == [
            t.at.astimezone(KYIV).date() for t in renewals
        ]
        assert all(t.at.astimezone(KYIV).time() == datetime.min.time() for t in renewals)
        effects = [t.effects for t in renewals]
        assert [
            (RenewSubscription(at=t.at, rule="SUB-1", plan="Starter", index=n, account="acme"),)
            for n, t in enumerate(renewals, start=1)
        ] == effects
        assert len({e.key for (e,) in effects}) == 3
        account = self._account(sub)
        assert apply(account, [e for (e,) in effects]) is account  # nothing to record

    def test_the_renewal_that_changes_the_plan_is_recorded_by_apply(self) -> None:
        """SUB-3: a downgrade requested on Mar 10th takes effect at the next renewal (Mar 31st):
        that renewal names SUB-3 and the new plan; applied, the plan in force is the new one and
        nothing is pending; the timeline after it is the same whether or not it was applied."""
        sub = Subscription(plan="Pro", anchor=date(2024, 1, 31), period="monthly")
        requested = datetime(2024, 3, 10, 12, tzinfo=UTC)
        sub = subs.request_plan_change(
            sub, POLICY, to_plan="Starter", kind="downgrade", at=requested, zone=KYIV
        )
        account = self._account(sub)
        start, end = datetime(2024, 3, 11, tzinfo=UTC), datetime(2024, 6, 15, tzinfo=UTC)
        events = timeline(account, DEFAULT_POLICY, start=start, end=end).events
        renewals = [t for t in events if t.kind == "renewal"]
        (first,) = renewals[0].effects
        assert ("SUB-3", "Starter", 2) == (first.rule, first.plan, first.index)
        assert ("SUB-1", "Starter") == (renewals[1].effects[0].rule, renewals[1].effects[0].plan)
        applied = apply(account, [first])
        assert applied.subscription is not None
        assert ("Starter", None) == (applied.subscription.plan, applied.subscription.pending_change)
        assert applied is apply(applied, [first])
        after = renewals[0].at + timedelta(microseconds=1)
        assert (
            timeline(account, DEFAULT_POLICY, start=after, end=end).events
            == timeline(applied, DEFAULT_POLICY, start=after, end=end).events
        )
