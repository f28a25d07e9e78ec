"""The reason codes and transition kinds of the subscriptions area. Private."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "subscriptions"


class SubscriptionCode(ReasonCode, area=AREA):
    """Every reason the subscriptions area gives, with its rule and its English sentence."""

    ALREADY_CANCELLED = (
        "subscription_already_cancelled",
        "SUB-2",
        "The subscription is already cancelled from {ends_at}.",
    )
    NOT_STARTED = "subscription_not_started", "SUB-2", "The subscription starts on {anchor}."
    RENEWING = "subscription_renewing", "SUB-2", "The subscription renews and can be cancelled."
    SAME_PLAN = "same_plan", "SUB-3", "The subscription is already on {plan}."
    CANCELLED = "subscription_cancelled", "SUB-3", "A cancelled subscription cannot change plan."
    PLAN_CHANGE_ALLOWED = (
        "plan_change_allowed",
        "SUB-3",
        "The plan can change from {plan} to {to_plan}.",
    )
    RENEWAL = "renewal", "SUB-1", "Renewal {index} of the {plan} plan."
    PLAN_CHANGES = "plan_changes", "SUB-3", "The plan changes from {from_plan} to {to_plan}."
    SUBSCRIPTION_ENDS = (
        "subscription_ends",
        "SUB-2",
        "The {plan} subscription ends; nothing renews from now on.",
    )


class SubscriptionKind(StrEnum):
    """The kinds of the subscriptions area's transitions."""

    RENEWAL = "renewal"
    SUBSCRIPTION_ENDS = "subscription_ends"
