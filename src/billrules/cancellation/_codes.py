"""The cancellation area's reason codes, questions and transition kinds. Private.

Part of :mod:`billrules.cancellation`; import the public names from there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from billrules.decisions import Question, ReasonCode

#: The area's name in findings, transitions and reasons.
AREA: Final = "cancellation"


class CancellationCode(ReasonCode, area=AREA):
    """Every reason the cancellation area gives, with its rule and its English sentence."""

    SELF_SERVICE_AVAILABLE = (
        "self_service_available",
        "CAN-2",
        "Cancellation can be requested here.",
    )
    CANCEL_VIA_SUPPORT = (
        "cancel_via_support",
        "CAN-2",
        "Cancellation is not available here; ask {contact} to cancel the account.",
    )
    IS_OWNER = "is_owner", "CAN-1", "You are the account owner."
    OWNER_ONLY = "owner_only", "CAN-1", "Only the account owner can request cancellation."
    ACCOUNT_ACTIVE = "account_active", "CAN-1", "The account is active."
    ACCOUNT_NOT_ACTIVE = (
        "account_not_active",
        "CAN-1",
        "The account is {status}; only an active account can be cancelled.",
    )
    OUTSTANDING_BALANCE = (
        "outstanding_balance",
        "CAN-3",
        "Pay the outstanding {amount} (invoices {invoice_ids}) before requesting cancellation.",
    )
    PREPAID_DEBT = (
        "prepaid_debt",
        "CAN-3",
        "Pay the negative balance of {amount} before requesting cancellation.",
    )
    NOTHING_OUTSTANDING = "nothing_outstanding", "CAN-3", "Nothing is outstanding."
    REQUEST_TRANSITION_ALLOWED = (
        "request_transition_allowed",
        "CAN-5",
        "A cancellation request may go from {from} to {to}.",
    )
    REQUEST_STATE_FINAL = (
        "request_state_final",
        "CAN-5",
        "The cancellation request is {from}, a final state.",
    )
    REQUEST_TRANSITION_NOT_ALLOWED = (
        "request_transition_not_allowed",
        "CAN-5",
        "A {from} cancellation request cannot become {to}; it may become {allowed}.",
    )
    BILLING_STILL_SCHEDULED = (
        "billing_still_scheduled",
        "CAN-9",
        "Billings still scheduled: {invoice_ids}.",
    )
    NO_BILLING_SCHEDULED = "no_billing_scheduled", "CAN-9", "No billing is scheduled."
    CANCELLATION_EFFECTIVE = (
        "cancellation_effective",
        "CAN-6",
        "The cancellation ({reason}) takes effect.",
    )
    DEACTIVATED = (
        "deactivated",
        "CAN-8",
        "Access is revoked, the leads are reassigned and removed from the call queue.",
    )


class CancellationQuestion(Question, area=AREA):
    """The questions the report asks of the cancellation area."""

    REQUEST_CANCELLATION = (
        "request_cancellation",
        "May request cancellation.",
        "May not request cancellation.",
    )
    NOTHING_SCHEDULED = (
        "nothing_scheduled",
        "No billing is scheduled.",
        "Billings are still scheduled.",
    )


class CancellationKind(StrEnum):
    """The kinds of the cancellation area's transitions."""

    CANCELLATION_EFFECTIVE = "cancellation_effective"
