"""A Stripe Subscription into a billrules subscription and seat pool (IMP-3, SUB-7, SEAT-1).
Private."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency

from billrules import _time
from billrules.errors import InvalidInput, InvalidType
from billrules.importers.stripe._amounts import stripe_currency
from billrules.importers.stripe._issues import IssueCode, Issues, safe_id
from billrules.importers.stripe._read import (
    Obj,
    count,
    flag,
    instant,
    integer,
    listed,
    optional_mapping,
    reference,
    text,
)
from billrules.seats import SeatPool
from billrules.subscriptions import Period, Subscription

#: Stripe's subscription statuses (its API reference).
STRIPE_SUBSCRIPTION_STATUSES: Final = (
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
)


@attrs.frozen
class Imported:
    """What a Stripe subscription became: the subscription, the seats, and what the
    cross-checks read of it (Stripe's status)."""

    subscription: Subscription | None
    seats: SeatPool | None
    status: str | None


def period_of(interval: str | None, interval_count: int | None) -> Period | None:
    """SUB-7: Stripe's ``recurring.interval`` × ``interval_count`` as a period, or ``None``
    when billrules has none (days, or more than 24 months or 52 weeks)."""
    count_ = 1 if interval_count is None else interval_count
    if count_ < 1:
        return None
    if interval == "month" and count_ <= 24:
        return Period.of(months=count_)
    if interval == "year" and count_ <= 2:
        return Period.of(months=12 * count_)
    if interval == "week" and count_ <= 52:
        return Period.of(weeks=count_)
    return None


def _principal(
    sub: Obj, path: str, seat_price: str | None, sub_id: str | None, issues: Issues
) -> tuple[str, Obj] | None:
    """The item that names the plan: the seat price's if the host named one, else the first;
    every other item is reported."""
    items = list(listed(sub, "items", path))
    if not items:
        issues.add(IssueCode.MISSING_FIELD, f"{path}.items", sub_id, "a subscription without items")
        return None
    chosen = 0
    if seat_price is not None:
        found = [
            index
            for index, (where, item) in enumerate(items)
            if reference(item, "price", where) == seat_price
        ]
        if found:
            chosen = found[0]
        else:
            issues.add(
                IssueCode.SEAT_PRICE_NOT_FOUND,
                f"{path}.items",
                sub_id,
                "no item has the seat price the host named",
            )
    for index, (where, item) in enumerate(items):
        if index != chosen:
            issues.add(
                IssueCode.EXTRA_SUBSCRIPTION_ITEM,
                where,
                safe_id(text(item, "id", where)),
                "billrules holds one plan per subscription; this item is left out",
            )
    return items[chosen]


def _reported(sub: Obj, path: str, sub_id: str | None, status: str | None, issues: Issues) -> None:
    """IMP-4: the concepts of a subscription billrules has no home for."""
    if status == "trialing":
        issues.add(IssueCode.TRIAL, f"{path}.status", sub_id, "trials are left out")
    if status == "paused" or sub.get("pause_collection") is not None:
        issues.add(IssueCode.PAUSED, f"{path}.pause_collection", sub_id, "pauses are left out")
    if sub.get("schedule") is not None:
        issues.add(
            IssueCode.MULTI_PHASE_SCHEDULE,
            f"{path}.schedule",
            sub_id,
            "a subscription schedule's phases are left out",
        )
    if count(sub, "discounts", path) or sub.get("discount") is not None:
        issues.add(IssueCode.DISCOUNTS, f"{path}.discounts", sub_id, "discounts are left out")
    tax = optional_mapping(sub, "automatic_tax", path)
    if count(sub, "default_tax_rates", path) or (
        tax is not None and flag(tax, "enabled", f"{path}.automatic_tax")
    ):
        issues.add(IssueCode.TAX_LINES, f"{path}.default_tax_rates", sub_id, "taxes are left out")


def subscription(
    sub: Obj,
    *,
    path: str,
    currency: Currency,
    zone: ZoneInfo,
    seat_price: str | None,
    occupants: Sequence[str],
    issues: Issues,
) -> Imported:
    """IMP-3: the subscription (plan: the principal item's product; period: its price's
    interval × count, SUB-7; anchor: ``billing_cycle_anchor``'s date in ``zone``; ends:
    ``ended_at`` once canceled, else ``cancel_at``, else the current period's end when
    ``cancel_at_period_end``), and with ``seat_price`` the seats: the quantity of that price's
    item, occupied by ``occupants`` (SEAT-1).

    The current period is read from the item (``items.data[].current_period_end``, API
    versions from 2025-03-31 on) or from the subscription (``current_period_end``, before).
    """
    sub_id = safe_id(text(sub, "id", path))
    status = text(sub, "status", path)
    if status not in STRIPE_SUBSCRIPTION_STATUSES:
        issues.add(
            IssueCode.UNKNOWN_SUBSCRIPTION_STATUS,
            f"{path}.status",
            sub_id,
            "is not one of Stripe's subscription statuses",
        )
        return Imported(None, None, None)
    if status in ("incomplete", "incomplete_expired"):
        issues.add(
            IssueCode.INCOMPLETE_SUBSCRIPTION,
            f"{path}.status",
            sub_id,
            "its first payment was never made: it has not started",
        )
        return Imported(None, None, status)
    try:
        own = stripe_currency(sub.get("currency"), f"{path}.currency")
    except (InvalidInput, InvalidType):
        issues.add(IssueCode.UNKNOWN_CURRENCY, f"{path}.currency", sub_id, "unknown currency")
        return Imported(None, None, status)
    if own != currency:
        issues.add(
            IssueCode.CURRENCY_MISMATCH, f"{path}.currency", sub_id, "not the account's currency"
        )
        return Imported(None, None, status)
    _reported(sub, path, sub_id, status, issues)
    principal = _principal(sub, path, seat_price, sub_id, issues)
    if principal is None:
        return Imported(None, None, status)
    where, item = principal
    built = _subscription(sub, path, sub_id, status, where, item, zone, issues)
    seats = None
    if seat_price is not None and reference(item, "price", where) == seat_price:
        seats = _seats(item, where, sub_id, occupants, issues)
    return Imported(built, seats, status)


def _subscription(
    sub: Obj,
    path: str,
    sub_id: str | None,
    status: str,
    where: str,
    item: Obj,
    zone: ZoneInfo,
    issues: Issues,
) -> Subscription | None:
    price = optional_mapping(item, "price", where) or optional_mapping(item, "plan", where)
    price_path = f"{where}.price"
    if price is None:
        issues.add(IssueCode.MISSING_FIELD, price_path, sub_id, "an item without a price")
        return None
    plan = reference(price, "product", price_path) or text(price, "id", price_path)
    recurring = optional_mapping(price, "recurring", price_path)
    if recurring is None:  # a legacy plan object carries its interval itself
        recurring = price
        recurring_path = price_path
    else:
        recurring_path = f"{price_path}.recurring"
    interval = text(recurring, "interval", recurring_path)
    period = period_of(interval, integer(recurring, "interval_count", recurring_path))
    if period is None:
        issues.add(
            IssueCode.UNSUPPORTED_INTERVAL,
            f"{recurring_path}.interval",
            sub_id,
            "billrules' periods are 1–24 months or 1–52 weeks (SUB-7)",
        )
        return None
    anchor_at = instant(sub, "billing_cycle_anchor", path) or instant(sub, "start_date", path)
    if anchor_at is None or not plan:
        missing = "billing_cycle_anchor" if anchor_at is None else "items.price.product"
        issues.add(IssueCode.MISSING_FIELD, f"{path}.{missing}", sub_id, "is required")
        return None
    ends_at = _ends_at(sub, path, sub_id, status, where, item, issues)
    if ends_at is None and (status == "canceled" or flag(sub, "cancel_at_period_end", path)):
        return None  # it ends at an instant not given: never guessed to renew (reported)
    try:
        return Subscription(
            plan=plan, anchor=_time.local_date(anchor_at, zone), period=period, ends_at=ends_at
        )
    except InvalidInput as refused:
        issues.add(IssueCode.REFUSED_VALUE, path, sub_id, refused.problem)
        return None


def current_period_end(sub: Obj, path: str, where: str, item: Obj) -> datetime | None:
    """The end of the current period, in either API shape (the item's from 2025-03-31 on)."""
    return instant(item, "current_period_end", where) or instant(sub, "current_period_end", path)


def _ends_at(
    sub: Obj,
    path: str,
    sub_id: str | None,
    status: str,
    where: str,
    item: Obj,
    issues: Issues,
) -> datetime | None:
    if status == "canceled":
        ended = instant(sub, "ended_at", path) or instant(sub, "canceled_at", path)
        if ended is None:
            issues.add(IssueCode.MISSING_FIELD, f"{path}.ended_at", sub_id, "a canceled one's")
        return ended
    cancel_at = instant(sub, "cancel_at", path)
    if cancel_at is not None:
        return cancel_at
    if flag(sub, "cancel_at_period_end", path):
        end = current_period_end(sub, path, where, item)
        if end is None:
            issues.add(
                IssueCode.MISSING_FIELD,
                f"{where}.current_period_end",
                sub_id,
                "cancels at the period's end, which is not given",
            )
        return end
    return None


def _seats(
    item: Obj, where: str, sub_id: str | None, occupants: Sequence[str], issues: Issues
) -> SeatPool | None:
    quantity = integer(item, "quantity", where)
    if quantity is None or quantity < 0:
        issues.add(IssueCode.MISSING_FIELD, f"{where}.quantity", sub_id, "seats need a quantity")
        return None
    if quantity < len(occupants):
        issues.add(
            IssueCode.QUANTITY_BELOW_OCCUPIED_SEATS,
            f"{where}.quantity",
            sub_id,
            f"{quantity} seat(s) for {len(occupants)} user(s) (SEAT-3); the seats are left out",
        )
        return None
    return SeatPool(total=quantity, occupants=tuple(occupants))
