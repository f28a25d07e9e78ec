"""The import report (IMP-4, IMP-5): issue codes, issues, the error strict mode raises. Private.

Part of :mod:`billrules.importers.stripe`; import the public names from there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final, SupportsIndex

import attrs

from billrules._redact import shown
from billrules.errors import InvalidInput


class IssueCode(StrEnum):
    """Why a Stripe concept is not in the account (IMP-4), or where Stripe and billrules
    disagree (IMP-5, the cross-checks)."""

    # IMP-4: concepts billrules has no home for.
    UNSUPPORTED_PAYMENT_METHOD = "unsupported_payment_method"
    UNSUPPORTED_WALLET = "unsupported_wallet"
    UNSUPPORTED_CARD_BRAND = "unsupported_card_brand"
    TAX_LINES = "tax_lines"
    DISCOUNTS = "discounts"
    MULTI_PHASE_SCHEDULE = "multi_phase_schedule"
    TRIAL = "trial"
    PAUSED = "paused"
    DISPUTE = "dispute"
    PROCESSOR_BALANCE_TRANSACTION = "processor_balance_transaction"
    CUSTOMER_BALANCE = "customer_balance"
    DELETED_CUSTOMER = "deleted_customer"
    DRAFT_INVOICE_IN_THE_PAST = "draft_invoice_in_the_past"
    UNKNOWN_INVOICE_STATUS = "unknown_invoice_status"
    UNKNOWN_SUBSCRIPTION_STATUS = "unknown_subscription_status"
    INCOMPLETE_SUBSCRIPTION = "incomplete_subscription"
    UNKNOWN_CURRENCY = "unknown_currency"
    CURRENCY_MISMATCH = "currency_mismatch"
    MISSING_FIELD = "missing_field"
    INCONSISTENT_AMOUNTS = "inconsistent_amounts"
    INCONSISTENT_INSTANTS = "inconsistent_instants"
    UNSUPPORTED_INTERVAL = "unsupported_interval"
    EXTRA_SUBSCRIPTION_ITEM = "extra_subscription_item"
    SEAT_PRICE_NOT_FOUND = "seat_price_not_found"
    OTHER_SUBSCRIPTION = "other_subscription"
    OTHER_CUSTOMER = "other_customer"
    DUPLICATE_ID = "duplicate_id"
    REFUSED_VALUE = "refused_value"
    INCOMPLETE_LIST = "incomplete_list"
    # IMP-5: cross-checks. A pure disagreement (the first two) is reported in both modes and
    # strict mode does not raise on it; one that makes the import leave data out (the wallet,
    # the seats, the ledger) is a concept left out too, which strict mode refuses.
    DELINQUENT_DISAGREES = "delinquent_disagrees"
    SUBSCRIPTION_STATUS_DISAGREES = "subscription_status_disagrees"
    QUANTITY_BELOW_OCCUPIED_SEATS = "quantity_below_occupied_seats"
    NO_DEFAULT_PAYMENT_METHOD = "no_default_payment_method"
    BALANCE_DISAGREES = "balance_disagrees"
    # PM-6: refused in both modes, never reported.
    CARD_NUMBER = "card_number"


#: IMP-5: the codes of the cross-checks that leave nothing out, which strict mode reports
#: instead of raising. The other disagreements (no default method, seats below the users, a
#: balance its transactions do not add up to) leave the wallet, the seats or the ledger out:
#: they are concepts left out (IMP-4) as well, and strict mode refuses them.
CROSS_CHECKS: Final = frozenset(
    {
        IssueCode.DELINQUENT_DISAGREES,
        IssueCode.SUBSCRIPTION_STATUS_DISAGREES,
    }
)


@attrs.frozen(kw_only=True)
class ImportIssue:
    """One concept left out of the account (IMP-4) or one disagreement (IMP-5).

    Attributes:
        code: Why (:class:`IssueCode`).
        path: The Stripe field, from the argument it came in: ``invoices[3].status``.
        object_id: The id of the Stripe object it belongs to, if it has one.
        detail: A human sentence in English; it never repeats a value that could be a card
            number.
    """

    code: IssueCode
    path: str
    object_id: str | None
    detail: str

    @property
    def cross_check(self) -> bool:
        """Whether it is a cross-check that leaves nothing out (IMP-5), which strict mode
        reports instead of raising."""
        return self.code in CROSS_CHECKS

    def as_json(self) -> dict[str, Any]:
        """The issue as JSON data: ``{"code", "path", "object_id", "detail"}``."""
        return {
            "code": self.code.value,
            "path": self.path,
            "object_id": self.object_id,
            "detail": self.detail,
        }


class UnmappedStripeData(InvalidInput):
    """Stripe data billrules cannot map (IMP-4): strict mode raises it at the first concept
    it cannot map; both modes raise it for data that is not a Stripe object (a card number,
    a float amount, a missing id).

    ``field`` is the Stripe field path (``invoices[3].status``), ``code`` the
    :class:`IssueCode`, ``object_id`` the Stripe object's id if it has one.
    """

    code: str
    object_id: str | None

    def __init__(
        self, field: str, problem: str, code: str = "refused_value", object_id: str | None = None
    ) -> None:
        super().__init__(field, problem)
        self.code = code
        self.object_id = object_id

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        """Pickled with its code and object id (``__reduce_ex__`` is what pickle asks first)."""
        return (type(self), (self.field, self.problem, self.code, self.object_id))


class Issues:
    """The report being written: strict mode raises at the first issue that is not a
    cross-check, lenient mode keeps them all (IMP-4)."""

    __slots__ = ("found", "strict")

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.found: list[ImportIssue] = []

    def add(self, code: IssueCode, path: str, object_id: str | None, detail: str) -> None:
        """Report ``code`` at ``path``; in strict mode, raise unless it is a cross-check."""
        if self.strict and code not in CROSS_CHECKS:
            raise UnmappedStripeData(path, detail, code.value, object_id)
        self.found.append(ImportIssue(code=code, path=path, object_id=object_id, detail=detail))


def safe_id(value: str | None) -> str | None:
    """An object id as the report may hold it: ``None``, or the id with any card number masked."""
    if value is None:
        return None
    text = shown(value)
    return text[1:-1] if text.startswith("'") and text.endswith("'") else text
