"""The facts of cancellation: the account state, its request and the request state table. Private.

Part of :mod:`billrules.cancellation`; import the public names from there.
"""

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
from billrules.cancellation._codes import CancellationCode
from billrules.decisions import Reason, trusted_reason
from billrules.errors import InvalidInput
from billrules.invoices import Invoice, outstanding_invoices

#: The invoices area's public function, its body: an account state's invoices were checked
#: when it was built (CAN-3 reads what INV-3 decides is outstanding).
_outstanding_invoices: Final = unchecked(outstanding_invoices)


class AccountStatus(StrEnum):
    """The account's status as the back office stores it (CAN-1, CAN-7).

    ``DELETE`` is the seed's status for a cancelled account (PlanPlus: "Set Account Status =
    'DELETE'").
    """

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETE = "DELETE"


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
REQUEST_STATE_CHANGES: Final[Mapping[RequestState, frozenset[RequestState]]] = MappingProxyType(
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

    reason: CancellationReason = attrs.field(converter=v.ToEnum[CancellationReason])
    feedback: str = attrs.field(default="", validator=v.instance_of(str))
    requested_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    deactivates_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    final_payments: tuple[Invoice, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[Invoice],
    )
    email_opt_out: bool = attrs.field(default=False, validator=v.boolean)
    state: RequestState = attrs.field(
        default=RequestState.REQUESTED,
        converter=v.ToEnum[RequestState],
    )

    def __attrs_post_init__(self) -> None:
        if self.deactivates_at < self.requested_at:
            raise InvalidInput(
                "CancellationRequest.deactivates_at", "must not be before requested_at"
            )


def _currency(value: Currency | str) -> Currency:
    return _money.to_currency(value, "AccountState.currency")


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

    status: AccountStatus = attrs.field(converter=v.ToEnum[AccountStatus])
    currency: Currency = attrs.field(converter=_currency)
    invoices: tuple[Invoice, ...] = attrs.field(
        default=(),
        converter=v.ToExactTuple[Invoice],
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
                trusted_reason(
                    CancellationCode.ACCOUNT_NOT_ACTIVE,
                    v.FrozenMapping({"status": str(self.status)}),
                )
            )
        invoices = self.invoices
        due = _outstanding_invoices(invoices)  # the invoices with money still due (CAN-3, INV-3)
        if due:
            refusals.append(
                trusted_reason(
                    CancellationCode.OUTSTANDING_BALANCE,
                    v.FrozenMapping(
                        {"amount": self._owed, "invoice_ids": tuple(inv.id for inv in due)}
                    ),
                )
            )
        debt = self.prepaid_balance
        if debt is not None and debt.amount < 0:
            refusals.append(
                trusted_reason(
                    CancellationCode.PREPAID_DEBT,
                    v.FrozenMapping({"amount": _money.round_to_minor_unit(-debt)}),
                )
            )
        if refusals:
            return tuple(refusals), ()
        return (), (
            _ACTIVE,
            trusted_reason(
                CancellationCode.NOTHING_OUTSTANDING, v.FrozenMapping({"amount": self._owed})
            ),
        )

    @property
    def _owed(self) -> Money:
        """What is still due on every invoice, in the account's currency (CAN-3, INV-3)."""
        return _money.total((inv.amount_due for inv in self.invoices), self.currency)


#: CAN-1: the account is active, the same reason every time.
_ACTIVE: Final = Reason(code=CancellationCode.ACCOUNT_ACTIVE)

#: CAN-1: the owner may request it, the same reason every time.
_IS_OWNER: Final = Reason(code=CancellationCode.IS_OWNER)
