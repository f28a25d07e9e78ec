"""The facts, policy, state table, reason codes, questions and kinds of cancellation. Private."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs
from moneyed import Currency, Money

from billrules import _money
from billrules import _validate as v
from billrules._redact import shown
from billrules.decisions import Question, ReasonCode
from billrules.errors import InvalidInput
from billrules.invoices import Invoice


class CancellationCode(ReasonCode):
    """Every reason the cancellation area gives, with its English sentence."""

    SELF_SERVICE_AVAILABLE = "self_service_available", "Cancellation can be requested here."
    CANCEL_VIA_SUPPORT = (
        "cancel_via_support",
        "Cancellation is not available here; ask {contact} to cancel the account.",
    )
    IS_OWNER = "is_owner", "You are the account owner."
    OWNER_ONLY = "owner_only", "Only the account owner can request cancellation."
    ACCOUNT_ACTIVE = "account_active", "The account is active."
    ACCOUNT_NOT_ACTIVE = (
        "account_not_active",
        "The account is {status}; only an active account can be cancelled.",
    )
    OUTSTANDING_BALANCE = (
        "outstanding_balance",
        "Pay the outstanding {amount} (invoices {invoice_ids}) before requesting cancellation.",
    )
    PREPAID_DEBT = (
        "prepaid_debt",
        "Pay the negative balance of {amount} before requesting cancellation.",
    )
    NOTHING_OUTSTANDING = "nothing_outstanding", "Nothing is outstanding."
    REQUEST_TRANSITION_ALLOWED = (
        "request_transition_allowed",
        "A cancellation request may go from {from} to {to}.",
    )
    REQUEST_STATE_FINAL = (
        "request_state_final",
        "The cancellation request is {from}, a final state.",
    )
    REQUEST_TRANSITION_NOT_ALLOWED = (
        "request_transition_not_allowed",
        "A {from} cancellation request cannot become {to}; it may become {allowed}.",
    )
    BILLING_STILL_SCHEDULED = "billing_still_scheduled", "Billings still scheduled: {invoice_ids}."
    NO_BILLING_SCHEDULED = "no_billing_scheduled", "No billing is scheduled."
    CANCELLATION_EFFECTIVE = "cancellation_effective", "The cancellation ({reason}) takes effect."
    DEACTIVATED = (
        "deactivated",
        "Access is revoked, the leads are reassigned and removed from the call queue.",
    )


class CancellationQuestion(Question):
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


class AccountStatus(StrEnum):
    """The account's status as the back office stores it (CAN-1, CAN-7).

    ``DELETE`` is the seed's status for a cancelled account (PlanPlus: "Set Account Status =
    'DELETE'").
    """

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETE = "DELETE"


class CancellationTiming(StrEnum):
    """When a cancellation takes effect (CAN-6)."""

    PERIOD_END = "period_end"
    IMMEDIATELY = "immediately"


class CancellationReason(StrEnum):
    """Why the customer cancels: the fixed list of CAN-4."""

    TOO_EXPENSIVE = "too_expensive"
    MISSING_FEATURES = "missing_features"
    SWITCHED_SERVICE = "switched_service"
    UNUSED = "unused"
    CUSTOMER_SERVICE = "customer_service"
    TOO_COMPLEX = "too_complex"
    LOW_QUALITY = "low_quality"
    OTHER = "other"


class RequestState(StrEnum):
    """The states of a cancellation request (CAN-5)."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


_R = RequestState

#: CAN-5: the states each request state may move to. ``completed`` and ``withdrawn`` are final;
#: a request is withdrawn only before completion; staff confirm before it completes.
REQUEST_TRANSITIONS: Final[Mapping[RequestState, frozenset[RequestState]]] = MappingProxyType(
    {
        _R.REQUESTED: frozenset({_R.CONFIRMED, _R.WITHDRAWN}),
        _R.CONFIRMED: frozenset({_R.COMPLETED, _R.WITHDRAWN}),
        _R.COMPLETED: frozenset(),
        _R.WITHDRAWN: frozenset(),
    }
)


@attrs.frozen(kw_only=True)
class CancellationRequest:
    """A customer's request to cancel (CAN-4), in one of the states of CAN-5.

    Attributes:
        reason: From the fixed list :class:`CancellationReason`.
        feedback: Free text (may be empty).
        requested_at: When it was asked for.
        deactivates_at: When the account is deactivated (CAN-6); not before ``requested_at``.
        final_payments: The scheduled billings still to be charged before deactivation.
        email_opt_out: Whether the customer opts out of further email.
        state: ``requested`` on creation (CAN-5).
    """

    reason: CancellationReason = attrs.field(
        converter=v.to_enum(CancellationReason)  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    feedback: str = attrs.field(default="", validator=v.instance_of(str))
    requested_at: datetime = attrs.field(validator=v.instant)
    deactivates_at: datetime = attrs.field(validator=v.instant)
    final_payments: tuple[Invoice, ...] = attrs.field(
        default=(),
        converter=v.to_tuple(Invoice),  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    email_opt_out: bool = attrs.field(default=False, validator=v.boolean)
    state: RequestState = attrs.field(
        default=RequestState.REQUESTED,
        converter=v.to_enum(RequestState),  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )

    def __attrs_post_init__(self) -> None:
        if self.deactivates_at < self.requested_at:
            raise InvalidInput(
                "CancellationRequest.deactivates_at", "must not be before requested_at"
            )


@attrs.frozen(kw_only=True)
class AccountState:
    """What cancellation needs to know of an account (CAN-1, CAN-3, CAN-6 … CAN-9, SEAT-5).

    Attributes:
        status: Active, suspended or ``DELETE`` (cancelled).
        currency: The account's currency; every invoice is in it.
        invoices: The account's billings (invoices in any status), ids unique.
        licence_count: The number of licences (seats) billed; the seats area's count.
        prepaid_balance: The prepaid balance, for an account that has one (BAL-*). A
            negative balance is a debt, and is outstanding like a bill (CAN-3).
        request: The cancellation request, if one was made (CAN-4 … CAN-6, CAN-8).
    """

    status: AccountStatus = attrs.field(
        converter=v.to_enum(AccountStatus)  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    currency: Currency = attrs.field(
        converter=v.named(_money.to_currency)  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    invoices: tuple[Invoice, ...] = attrs.field(
        default=(),
        converter=v.to_tuple(Invoice),  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    licence_count: int = attrs.field(default=0, validator=v.integer(minimum=0))
    prepaid_balance: Money | None = attrs.field(default=None, validator=v.optional_money)
    request: CancellationRequest | None = attrs.field(
        default=None, validator=v.instance_of((CancellationRequest, type(None)))
    )

    def __attrs_post_init__(self) -> None:
        if self.prepaid_balance is not None:
            _money.require_currency(
                self.prepaid_balance, self.currency, "AccountState.prepaid_balance"
            )
        seen: set[str] = set()
        for index, invoice in enumerate(self.invoices):
            _money.require_currency(
                invoice.amount, self.currency, f"AccountState.invoices[{index}].amount"
            )
            if invoice.id in seen:
                raise InvalidInput(
                    f"AccountState.invoices[{index}].id",
                    f"duplicate invoice id {shown(invoice.id)}",
                )
            seen.add(invoice.id)


@attrs.frozen(kw_only=True)
class CancellationPolicy:
    """The knobs of the cancellation area.

    Attributes:
        self_service: CAN-2: whether owners can request cancellation themselves (default yes).
        support_contact: CAN-2: where to ask when self-service is off.
        effective: CAN-6: ``period_end`` (default) or ``immediately``.
        reassign_leads_to: CAN-8: the agent who takes the leads, or ``None`` (host's choice).
    """

    self_service: bool = attrs.field(default=True, validator=v.boolean)
    support_contact: str = attrs.field(default="support", validator=v.text)
    effective: CancellationTiming = attrs.field(
        default=CancellationTiming.PERIOD_END,
        converter=v.to_enum(CancellationTiming),  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    reassign_leads_to: str | None = attrs.field(default=None, validator=v.optional_text)
