"""Lead packages (SUB-4), the portal invitation (SUB-5) and the plan details (SUB-6). Private."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked
from billrules._redact import shown
from billrules.effects import SendEmail
from billrules.errors import InvalidInput, InvalidType
from billrules.subscriptions._facts import PlanDetails, Subscription
from billrules.subscriptions._policy import SubscriptionPolicy
from billrules.subscriptions._renewals import next_renewal, plan_at

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


@attrs.frozen(kw_only=True)
class LeadPackages:
    """The lead packages on offer, smallest first, priced by volume (SUB-4).

    Validated: minimums strictly increase, one currency, and a larger package never has a
    higher price per lead than a smaller one.

    Raises:
        InvalidInput: the packages are out of order or break volume pricing.
        CurrencyMismatch: two packages are in different currencies.
    """

    packages: tuple[LeadPackage, ...] = attrs.field(converter=v.ToTuple[LeadPackage])

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
def period_amount(package: LeadPackage, *, leads: int) -> Money:
    """What a period with ``leads`` leads worked costs. Decides SUB-4.

    The package price (paid in advance, whatever the count) plus each lead beyond the minimum
    at the overage rate, rounded half-up to the currency's minor unit.

    >>> from moneyed import Money
    >>> from billrules.subscriptions import LeadPackage, period_amount
    >>> pack = LeadPackage(name="100", minimum_leads=100, price=Money("500", "USD"),
    ...                    overage_rate=Money("6", "USD"))
    >>> period_amount(pack, leads=80).amount, period_amount(pack, leads=112).amount
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

#: The occasion of SUB-5's invitation (X-6): the customer's first sign-up, which is once.
FIRST_SIGN_UP: Final = "first_sign_up"


@checked
def portal_invitation(
    previous_sign_ups: int,
    policy: SubscriptionPolicy,
    *,
    account: str,
    to: str,
    at: datetime,
) -> tuple[SendEmail, ...]:
    """The portal invitation for a sign-up to a billing plan. Decides SUB-5.

    Emitted only on the customer's first sign-up (``previous_sign_ups == 0``), never on later
    onboardings. Its occasion is ``"first_sign_up"``, which an account has once: the
    invitation computed again, at any instant, has the same key (X-6); it names ``account``,
    the id of the account signing up, so two customers' invitations never share a key.

    Raises:
        InvalidInput: ``previous_sign_ups`` is negative; ``account`` is empty or holds a card
            number (PM-6).
    """
    v.account_id(account)
    if isinstance(previous_sign_ups, bool) or not isinstance(previous_sign_ups, int):
        raise InvalidType(
            "previous_sign_ups", f"must be an int, not {type(previous_sign_ups).__name__}"
        )
    if previous_sign_ups < 0:
        raise InvalidInput("previous_sign_ups", "must not be negative")
    _time.require_aware(at, "at")
    if previous_sign_ups:
        return ()
    return (
        SendEmail(
            at=at,
            rule="SUB-5",
            template=policy.portal_invitation_template,
            to=to,
            occasion=FIRST_SIGN_UP,
            account=account,
        ),
    )


@checked
def plan_details(subscription: Subscription, *, at: datetime, zone: ZoneInfo | str) -> PlanDetails:
    """The plan details at ``at``: start date, renewal date, contact persons. Decides SUB-6.

    The renewal date is ``None`` when a cancellation leaves no renewal.
    """
    sub = subscription
    tz = _time.to_zone(zone)
    return PlanDetails(
        plan=plan_at(sub, at=at, zone=tz),
        period=sub.period,
        start_date=sub.anchor,
        renewal_date=next_renewal(sub, at=at, zone=tz),
        ends_at=sub.ends_at,
        pending_change=sub.pending_change,
        contacts=sub.contacts,
    )
