"""The dunning area's reason codes, questions and transition kinds. Private."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings and transitions.
AREA: Final = "dunning"

_LEVELS = "owner {access[owner]}, admin {access[admin]}, staff {access[staff]}"


class DunningCode(ReasonCode, area=AREA):
    """Every reason the dunning area gives, with its rule and its English sentence (DUN-1 … DUN-3)."""

    DUNNING_STAGE = (
        "dunning_stage",
        "DUN-1",
        "The balance is negative: stage {stage} (from day {first_day}) gives the {role} "
        "{level:words} access.",
    )
    FULL_PAYMENT_LIFTS = (
        "full_payment_lifts",
        "DUN-2",
        "Only paying the debt in full lifts the restriction; a partial payment does not.",
    )
    BALANCE_NOT_NEGATIVE = (
        "balance_not_negative",
        "DUN-2",
        "The balance is not negative: no restriction applies.",
    )
    DEBT_CARRIED_OVER = (
        "debt_carried_over",
        "DUN-3",
        "The debt was carried into a later month: the last stage applies until it is paid.",
    )
    STAGE_BEGINS = (
        "stage_begins",
        "DUN-1",
        "Dunning stage {stage} (day {first_day}): " + _LEVELS + ".",
    )
    SCHEDULE_ANCHOR = (
        "schedule_anchor",
        "DUN-3",
        "The schedule's days count from the {anchor:words}.",
    )
    STAGE_CARRIED_OVER = (
        "stage_carried_over",
        "DUN-3",
        "The debt is carried into a later month: dunning stage {stage} (day {first_day}) "
        "applies until it is paid: " + _LEVELS + ".",
    )
    DEBT_LIFTED = "debt_lifted", "DUN-2", "The debt is paid in full: every restriction is lifted."


class DunningQuestion(Question, area=AREA):
    """What the report asks of the dunning area, with the summaries of a yes and a no."""

    USE_PRODUCT = "use_product", "Access: {level:words} (dunning stage {stage}).", ""
    DEBT_PAID = (
        "debt_paid",
        "No debt to pay.",
        "In debt since {debt_started_at}: paying {amount_to_pay} in full lifts every restriction.",
    )


class DunningKind(StrEnum):
    """The kinds of the dunning area's transitions."""

    DUNNING_STAGE = "dunning_stage"
    DUNNING_LIFTED = "dunning_lifted"
