"""The facts, policy, state table, reason codes, questions and kinds of cancellation. Private."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import attrs
from moneyed import Currency, Money

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import unchecked
from billrules._redact import shown
from billrules.contract import Finding
from billrules.decisions import Decision, Question, Reason, ReasonCode
from billrules.errors import InvalidInput
from billrules.invoices import Invoice, outstanding_invoices
from billrules.roles import Role

#: The invoices area's public function, its body: an account state's invoices were checked
#: when it was built (CAN-3 reads what INV-3 decides is outstanding).
_outstanding_invoices: Final = unchecked(outstanding_invoices)


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
    requested_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    deactivates_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
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
        converter=v.to_exact_tuple(Invoice),  # type: ignore[misc]  # attrs.Converter unknown to mypy
    )
    licence_count: int = attrs.field(default=0, validator=v.integer(minimum=0))
    prepaid_balance: Money | None = attrs.field(default=None, validator=v.optional_money)
    request: CancellationRequest | None = attrs.field(
        default=None, validator=v.instance_of((CancellationRequest, type(None)))
    )

    def __attrs_post_init__(self) -> None:
        currency = self.currency
        if self.prepaid_balance is not None:
            _money.require_currency(self.prepaid_balance, currency, "AccountState.prepaid_balance")
        seen: set[str] = set()
        for index, invoice in enumerate(self.invoices):
            # Fields are named only when refused.
            if invoice.amount.currency is not currency and invoice.amount.currency != currency:
                _money.require_currency(
                    invoice.amount, currency, f"AccountState.invoices[{index}].amount"
                )
            if invoice.id in seen:
                raise InvalidInput(
                    f"AccountState.invoices[{index}].id",
                    f"duplicate invoice id {shown(invoice.id)}",
                )
            seen.add(invoice.id)

    # What every role's question shares, computed once when first read. Caches are no
    # fields: equality, hashing and pickling ignore them.

    @functools.cached_property
    def _standing(self) -> tuple[tuple[Reason, ...], tuple[Reason, ...]]:
        """CAN-1 and CAN-3 as far as they depend on the account alone: the refusals (the
        account not active, a bill outstanding, a prepaid debt) and, when there is none, the
        reasons an allowance gives after the owner's (active, nothing outstanding)."""
        refusals: list[Reason] = []
        if self.status is not AccountStatus.ACTIVE:
            refusals.append(
                Reason(
                    code=CancellationCode.ACCOUNT_NOT_ACTIVE,
                    rule="CAN-1",
                    details=v.FrozenMapping({"status": str(self.status)}),
                )
            )
        invoices = self.invoices
        due = _outstanding_invoices(invoices)  # the invoices with money still due (CAN-3, INV-3)
        if due:
            refusals.append(
                Reason(
                    code=CancellationCode.OUTSTANDING_BALANCE,
                    rule="CAN-3",
                    details=v.FrozenMapping(
                        {"amount": self._owed, "invoice_ids": tuple(inv.id for inv in due)}
                    ),
                )
            )
        debt = self.prepaid_balance
        if debt is not None and debt.amount < 0:
            refusals.append(
                Reason(
                    code=CancellationCode.PREPAID_DEBT,
                    rule="CAN-3",
                    details=v.FrozenMapping({"amount": _money.round_to_minor_unit(-debt)}),
                )
            )
        if refusals:
            return tuple(refusals), ()
        return (), (
            _ACTIVE,
            Reason(
                code=CancellationCode.NOTHING_OUTSTANDING,
                rule="CAN-3",
                details=v.FrozenMapping({"amount": self._owed}),
            ),
        )

    @property
    def _owed(self) -> Money:
        """What is still due on every invoice, in the account's currency (CAN-3, INV-3)."""
        return _money.total((inv.amount_due for inv in self.invoices), self.currency)


#: CAN-1: the account is active, the same reason every time.
_ACTIVE: Final = Reason(code=CancellationCode.ACCOUNT_ACTIVE, rule="CAN-1")

#: CAN-2: self-service is on, the same reason every time.
_SELF_SERVICE: Final = Reason(code=CancellationCode.SELF_SERVICE_AVAILABLE, rule="CAN-2")

#: CAN-1: the owner may request it, the same reason every time.
_IS_OWNER: Final = Reason(code=CancellationCode.IS_OWNER, rule="CAN-1")

#: CAN-1: any other role may not, one reason per role.
_NOT_OWNER: Final[Mapping[Role, Reason]] = MappingProxyType(
    {
        role: Reason(code=CancellationCode.OWNER_ONLY, rule="CAN-1", details={"role": str(role)})
        for role in Role
        if role is not Role.OWNER
    }
)


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
    reassign_leads_to: str | None = attrs.field(default=None, validator=v.optional_identifier)

    @functools.cached_property
    def _self_service(self) -> Reason:
        """CAN-2's reason under this policy, built once: self-service is on, or ask support."""
        if self.self_service:
            return _SELF_SERVICE
        return Reason(
            code=CancellationCode.CANCEL_VIA_SUPPORT,
            rule="CAN-2",
            details={"contact": self.support_contact},
        )

    @functools.cached_property
    def _own_refusals(self) -> Mapping[Role, tuple[Reason, ...]]:
        """CAN-1 and CAN-2 for each role under this policy, built once: the reasons the role
        is refused whatever the account (empty for the owner where self-service is on)."""
        service = () if self.self_service else (self._self_service,)
        return MappingProxyType(
            {role: service if role is Role.OWNER else (*service, _NOT_OWNER[role]) for role in Role}
        )

    @functools.cached_property
    def _refused_findings(self) -> Mapping[Role, tuple[Finding, ...]]:
        """The role findings of an account that CAN-1 and CAN-3 would let cancel, for each
        role refused by CAN-1 or CAN-2 alone under this policy: they depend on nothing else,
        so they are built once."""
        return MappingProxyType(
            {
                role: (
                    Finding(
                        area="cancellation",
                        question=CancellationQuestion.REQUEST_CANCELLATION,
                        decision=Decision(allowed=False, reasons=own),
                    ),
                )
                for role, own in self._own_refusals.items()
                if own
            }
        )
