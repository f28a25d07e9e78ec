"""The balance area's reason codes and the questions the report asks of it. Private."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "balance"


class BalanceCode(ReasonCode, area=AREA):
    """Every reason the balance area gives, with its rule and its English sentence (BAL-1,
    BAL-3, BAL-4)."""

    TOP_UP_BY_ADMIN = (
        "top_up_by_admin",
        "BAL-1",
        "A user with the {role} role may top up the balance.",
    )
    TOP_UP_ADMIN_ONLY = (
        "top_up_admin_only",
        "BAL-1",
        "Only an administrator can top up the balance.",
    )
    BALANCE_NOT_NEGATIVE = "balance_not_negative", "BAL-3", "The balance is {balance}."
    BALANCE_NEGATIVE = "balance_negative", "BAL-3", "The balance is {balance}."
    MONTHLY_CHARGE = (
        "monthly_charge",
        "BAL-4",
        "The month {month} is charged to the balance: {amount}, the base tariff (BAL-5).",
    )


class BalanceQuestion(Question, area=AREA):
    """What the report asks of the balance area, with the summaries of a yes and a no."""

    TOP_UP = "top_up", "May top up the balance.", "May not top up the balance."
    BALANCE_NOT_NEGATIVE = (
        "balance_not_negative",
        "Balance {balance}.",
        "Balance {balance}: in debt since {debt_started_at}.",
    )


class BalanceKind(StrEnum):
    """The kinds of the balance area's transitions (BAL-4, BAL-5)."""

    #: BAL-4, BAL-5: the month just ended is charged to the balance on the 1st.
    MONTHLY_CHARGE = "monthly_charge"
