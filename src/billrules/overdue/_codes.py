"""The overdue area's reason codes, questions and transition kinds (OVD-1 … OVD-9). Private."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "overdue"

_LEVELS = "owner {access[owner]}, admin {access[admin]}, staff {access[staff]}"


class OverdueCode(ReasonCode, area=AREA):
    """Every reason the overdue area gives, with its rule and its English sentence."""

    OVERDUE_STAGE = (
        "overdue_stage",
        "OVD-3",
        "{amount} is overdue since {since} (day {age}): collections stage {stage} gives the "
        "{role} {level:words} access.",
    )
    NOTHING_OVERDUE = "nothing_overdue", "OVD-3", "No invoice is overdue: nothing is restricted."
    BELOW_THRESHOLD = (
        "below_threshold",
        "OVD-3",
        "{amount} is overdue, below the threshold of {threshold}: collections have not started.",
    )
    PAYMENT_LIFTS = (
        "payment_lifts",
        "OVD-4",
        "Paying the {amount} overdue ends collections at once; paying the oldest invoice "
        "counts the age from the next one.",
    )
    HELD = (
        "held",
        "OVD-8",
        "Collections are held until {hold_until}: the stage stays {stage} until then.",
    )
    STRICTER_WINS = (
        "stricter_wins",
        "OVD-9",
        "The prepaid balance is negative too: dunning stage {dunning_stage} gives the {role} "
        "{dunning_level:words} access, and the stricter of the two applies: {level:words}.",
    )
    CHANGES_REFUSED = (
        "changes_refused",
        "OVD-3",
        "Collections stage {stage} refuses plan changes and seat additions until the {amount} "
        "overdue is paid.",
    )
    CHANGES_ALLOWED = (
        "changes_allowed",
        "OVD-3",
        "Collections stage {stage} does not refuse plan changes or seat additions.",
    )
    STAGE_BEGINS = (
        "stage_begins",
        "OVD-3",
        "Collections stage {stage} (day {first_day}) for {amount} overdue since {since}: "
        + _LEVELS
        + ".",
    )
    ACCESS_COMBINED = (
        "access_combined",
        "OVD-9",
        "Dunning stage {dunning_stage} changes while collections are at stage {stage}: each "
        "role gets the stricter of the two: " + _LEVELS + ".",
    )
    ACCESS_RESTORED = (
        "access_restored",
        "OVD-6",
        "The overdue invoices are written off: collections end; " + _LEVELS + ".",
    )
    CLOCK = (
        "clock",
        "OVD-3",
        "The overdue age counts local days from the oldest overdue invoice's {clock:words}.",
    )
    RETRY_DUE = (
        "retry_due",
        "OVD-1",
        "Attempt {attempt} to charge invoice {invoice_id} ({amount}) is due.",
    )
    NEW_METHOD = (
        "new_method",
        "OVD-2",
        "A new default payment method makes attempt {attempt} to charge invoice {invoice_id} "
        "due at once.",
    )
    NO_USABLE_METHOD = (
        "no_usable_method",
        "OVD-2",
        "No usable default payment method: invoice {invoice_id} is not charged again "
        "automatically; the owner is asked to update the card.",
    )
    CHARGE_FAILED = (
        "charge_failed",
        "OVD-7",
        "Attempt {attempt} to charge invoice {invoice_id} ({amount}) failed ({category} "
        "decline); the next attempt is at {next_attempt}.",
    )
    CHARGE_FAILED_NO_RETRY = (
        "charge_failed_no_retry",
        "OVD-7",
        "Attempt {attempt} to charge invoice {invoice_id} ({amount}) failed ({category} "
        "decline); no automatic attempt follows: paying it or a new card lifts the stage.",
    )
    FINAL_NOTICE = (
        "final_notice",
        "OVD-5",
        "{amount} is still overdue: unless it is paid, the final action ({action:words}) "
        "follows at {final_at}.",
    )
    FINAL_ACTION = (
        "final_action",
        "OVD-5",
        "Final action for non-payment: {action:words}; the unpaid invoices {unpaid:words}.",
    )
    NOTHING_TO_CHARGE = (
        "nothing_to_charge",
        "OVD-1",
        "Invoice {invoice_id} is {status:words}: there is nothing to charge.",
    )
    CHARGE_ALLOWED = (
        "charge_allowed",
        "OVD-1",
        "Invoice {invoice_id} has {amount} to charge.",
    )
    WRITE_OFF_ALLOWED = (
        "write_off_allowed",
        "OVD-6",
        "Invoice {invoice_id} ({amount} due) can be written off; it stays payable.",
    )
    NOT_WRITABLE_OFF = (
        "not_writable_off",
        "OVD-6",
        "Invoice {invoice_id} is {status:words}: only a submitted or failed invoice with money "
        "due can be written off.",
    )


class OverdueQuestion(Question, area=AREA):
    """What the report asks of the overdue area, with the summaries of a yes and a no."""

    USE_PRODUCT = "use_product", "Access: {level:words} (collections stage {stage}).", ""
    CHANGE_PLAN = "change_plan", "Plan changes allowed.", "Plan changes refused (stage {stage})."
    ADD_SEATS = "add_seats", "Seat additions allowed.", "Seat additions refused (stage {stage})."
    OVERDUE_PAID = (
        "overdue_paid",
        "Nothing overdue.",
        "{amount} overdue since {since}: collections stage {stage}.",
    )


class OverdueKind(StrEnum):
    """The kinds of the overdue area's transitions."""

    OVERDUE_STAGE = "overdue_stage"
    CHARGE_FAILED = "charge_failed"
    CHARGE_RETRY = "charge_retry"
    RETRY_BLOCKED = "retry_blocked"
    FINAL_NOTICE = "final_notice"
    FINAL_ACTION = "final_action"
    ACCESS_COMBINED = "access_combined"
