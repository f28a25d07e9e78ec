"""Stripe Invoices into billrules invoices (IMP-3, INV-2, INV-4, OVD-6). Private."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final

from moneyed import Currency

from billrules.errors import InvalidInput, InvalidType
from billrules.importers.stripe._amounts import money_of, stripe_currency
from billrules.importers.stripe._issues import IssueCode, Issues, safe_id
from billrules.importers.stripe._read import (
    Obj,
    count,
    instant,
    integer,
    optional_mapping,
    reference,
    required_id,
    text,
)
from billrules.invoices import BillingDetails, Invoice, InvoiceStatus

#: Stripe's invoice statuses (its API reference), in their order of life.
STRIPE_INVOICE_STATUSES: Final = ("draft", "open", "paid", "uncollectible", "void")

#: IMP-3: Stripe's status → billrules' (INV-2); ``open`` is ``failed`` after a failed attempt.
_STATUSES: Final[Mapping[str, InvoiceStatus]] = MappingProxyType(
    {
        "draft": InvoiceStatus.SCHEDULED,
        "open": InvoiceStatus.SUBMITTED,
        "paid": InvoiceStatus.PAID,
        "uncollectible": InvoiceStatus.UNCOLLECTIBLE,
        "void": InvoiceStatus.CANCELLED,
    }
)


def invoice_status(status: str | None, attempt_count: int | None) -> InvoiceStatus | None:
    """IMP-3: billrules' status of a Stripe invoice's ``status``, or ``None`` if unknown.

    ``draft`` is ``scheduled``; ``open`` is ``submitted``, or ``failed`` once it has been
    attempted (``attempt_count`` > 0): an open invoice that was attempted is one whose last
    attempt failed, since a successful one would have made it ``paid``.
    ``last_finalization_error`` is not read for this: it is an error of finalising (a draft
    that could not be issued), not of charging. ``paid`` is ``paid``, ``uncollectible`` is
    ``uncollectible`` (OVD-6) and ``void`` is ``cancelled``.
    """
    found = _STATUSES.get(status) if isinstance(status, str) else None
    if found is InvoiceStatus.SUBMITTED and attempt_count:
        return InvoiceStatus.FAILED
    return found


def subscription_of(obj: Obj, path: str) -> tuple[str | None, str]:
    """The id of the subscription an invoice bills, and its path, in either API shape:
    ``invoice.subscription`` before 2025-03-31, ``invoice.parent.subscription_details.
    subscription`` after."""
    old = reference(obj, "subscription", path)
    if old is not None:
        return old, f"{path}.subscription"
    parent = optional_mapping(obj, "parent", path)
    if parent is not None:
        details = optional_mapping(parent, "subscription_details", f"{path}.parent")
        if details is not None:
            where = f"{path}.parent.subscription_details"
            return reference(details, "subscription", where), f"{where}.subscription"
    return None, f"{path}.subscription"


def billing_details(
    obj: Obj, path: str, shown_id: str | None, issues: Issues
) -> BillingDetails | None:
    """INV-4: the name and address the invoice was issued with (``customer_name``,
    ``customer_address`` as one line), or ``None`` when either is missing."""
    name = text(obj, "customer_name", path)
    address = optional_mapping(obj, "customer_address", path)
    if not name or not name.strip() or address is None:
        return None
    return details_of(
        name, address, f"{path}.customer_address", shown_id, issues, f"{path}.customer_name"
    )


def details_of(
    name: str,
    address: Obj,
    path: str,
    shown_id: str | None,
    issues: Issues,
    name_path: str | None = None,
) -> BillingDetails | None:
    """A name and a Stripe address as billing details (INV-4); ``None`` (reported) when
    billrules refuses them (a card number in the name: reported at ``name_path``)."""
    city = " ".join(
        part for part in (text(address, "postal_code", path), text(address, "city", path)) if part
    )
    parts = [
        text(address, "line1", path),
        text(address, "line2", path),
        city,
        text(address, "state", path),
        text(address, "country", path),
    ]
    line = ", ".join(part.strip() for part in parts if part and part.strip())
    if not line:
        return None
    try:
        return BillingDetails(name=name, address=line)
    except InvalidInput as refused:
        named = name_path if name_path is not None and refused.field.endswith(".name") else path
        issues.add(IssueCode.REFUSED_VALUE, named, shown_id, refused.problem)
        return None


def _has_tax(obj: Obj, path: str) -> bool:
    tax = integer(obj, "tax", path)
    return (
        bool(tax)
        or count(obj, "total_taxes", path) > 0
        or (count(obj, "total_tax_amounts", path) > 0)
    )


def _has_discount(obj: Obj, path: str) -> bool:
    return (
        count(obj, "discounts", path) > 0
        or count(obj, "total_discount_amounts", path) > 0
        or obj.get("discount") is not None
    )


def invoice(
    obj: Obj,
    path: str,
    currency: Currency,
    subscription_id: str | None,
    issues: Issues,
) -> Invoice | None:
    """One Stripe invoice as a billrules invoice, or ``None`` (reported) (IMP-3).

    Amounts: ``amount_due`` is the invoice's amount, ``amount_paid`` what was paid. Instants:
    issued at ``status_transitions.finalized_at`` (else ``effective_at``, else ``created``);
    a draft is scheduled at ``automatically_finalizes_at`` and, without one, is reported
    (``draft_invoice_in_the_past``: it would be a scheduled invoice whose issue instant has
    passed) and left out; due at ``due_date`` (``send_invoice``) or when issued
    (``charge_automatically``); paid at ``status_transitions.paid_at``. Tax and discount lines
    are reported; the invoice is kept with Stripe's amounts, which include them.
    """
    invoice_id = required_id(obj, path)
    shown_id = safe_id(invoice_id)
    raw_currency = obj.get("currency")
    try:
        own = stripe_currency(raw_currency, f"{path}.currency")
    except (InvalidInput, InvalidType):
        issues.add(IssueCode.UNKNOWN_CURRENCY, f"{path}.currency", shown_id, "unknown currency")
        return None
    if own != currency:
        issues.add(
            IssueCode.CURRENCY_MISMATCH,
            f"{path}.currency",
            shown_id,
            f"is in {own.code}, the account in {currency.code} (X-4)",
        )
        return None
    stripe_status = text(obj, "status", path)
    status = invoice_status(stripe_status, integer(obj, "attempt_count", path))
    if status is None:
        issues.add(
            IssueCode.UNKNOWN_INVOICE_STATUS,
            f"{path}.status",
            shown_id,
            "is not one of Stripe's invoice statuses (draft, open, paid, uncollectible, void)",
        )
        return None
    if _has_tax(obj, path):
        issues.add(IssueCode.TAX_LINES, f"{path}.total_taxes", shown_id, "tax lines are left out")
    if _has_discount(obj, path):
        issues.add(IssueCode.DISCOUNTS, f"{path}.discounts", shown_id, "discounts are left out")
    billed, billed_path = subscription_of(obj, path)
    if billed is not None and subscription_id is not None and billed != subscription_id:
        issues.add(
            IssueCode.OTHER_SUBSCRIPTION,
            billed_path,
            shown_id,
            "bills another subscription than the one imported; billrules holds one",
        )
        return None
    return _build(obj, path, shown_id, invoice_id, status, currency, issues)


def _amounts_problem(status: InvoiceStatus, due: int, paid: int) -> tuple[str, str] | None:
    """INV-2: the amounts a billrules invoice of ``status`` cannot hold: the field and why."""
    if due < 0 or paid < 0:
        return ("amount_due" if due < 0 else "amount_paid"), "is negative"
    if status is InvoiceStatus.PAID:
        return None  # paid in full: what was due (overpaid, or paid out of band)
    if paid > due:
        return "amount_paid", "is more than the amount due"
    if status is InvoiceStatus.SCHEDULED and paid:
        return "amount_paid", "a draft has nothing paid"
    if status in _PAYABLE and (due == 0 or paid >= due):
        return "amount_due", f"a {status} invoice with nothing left to pay (INV-2: it is paid)"
    return None


#: INV-2, OVD-6: the statuses of an invoice with money left to pay.
_PAYABLE: Final = frozenset(
    {
        InvoiceStatus.SCHEDULED,
        InvoiceStatus.SUBMITTED,
        InvoiceStatus.FAILED,
        InvoiceStatus.UNCOLLECTIBLE,
    }
)


def _build(
    obj: Obj,
    path: str,
    shown_id: str | None,
    invoice_id: str,
    status: InvoiceStatus,
    currency: Currency,
    issues: Issues,
) -> Invoice | None:
    due_amount = integer(obj, "amount_due", path)
    paid_amount = integer(obj, "amount_paid", path)
    if due_amount is None or paid_amount is None:
        missing = "amount_due" if due_amount is None else "amount_paid"
        issues.add(IssueCode.MISSING_FIELD, f"{path}.{missing}", shown_id, "is required")
        return None
    transitions = optional_mapping(obj, "status_transitions", path) or {}
    moves = f"{path}.status_transitions"
    issued_at: datetime | None
    if status is InvoiceStatus.SCHEDULED:
        issued_at = instant(obj, "automatically_finalizes_at", path)
        if issued_at is None:
            issues.add(
                IssueCode.DRAFT_INVOICE_IN_THE_PAST,
                f"{path}.automatically_finalizes_at",
                shown_id,
                "a draft that finalises at no known instant cannot be scheduled",
            )
            return None
    else:
        issued_at = (
            instant(transitions, "finalized_at", moves)
            or instant(obj, "effective_at", path)
            or instant(obj, "created", path)
        )
        if issued_at is None:
            issues.add(IssueCode.MISSING_FIELD, f"{moves}.finalized_at", shown_id, "is required")
            return None
    due_at = instant(obj, "due_date", path) or issued_at
    paid_at = instant(transitions, "paid_at", moves) if status is InvoiceStatus.PAID else None
    if status is InvoiceStatus.PAID and paid_at is None:
        issues.add(IssueCode.MISSING_FIELD, f"{moves}.paid_at", shown_id, "a paid invoice's")
        return None
    if due_at < issued_at or (paid_at is not None and paid_at < issued_at):
        field = "due_date" if due_at < issued_at else "status_transitions.paid_at"
        issues.add(
            IssueCode.INCONSISTENT_INSTANTS, f"{path}.{field}", shown_id, "is before it was issued"
        )
        return None
    problem = _amounts_problem(status, due_amount, paid_amount)
    if problem is not None:
        field, detail = problem
        issues.add(IssueCode.INCONSISTENT_AMOUNTS, f"{path}.{field}", shown_id, detail)
        return None
    if status is InvoiceStatus.PAID:
        # Stripe's ``paid`` settles the invoice: since 2025-03-31 ``amount_paid`` may exceed
        # what was due (``amount_overpaid``); before it, an invoice paid out of band shows 0.
        paid_amount = due_amount
    try:
        amount = money_of(due_amount, currency)
        paid = money_of(paid_amount, currency)
    except InvalidInput as refused:
        issues.add(IssueCode.INCONSISTENT_AMOUNTS, f"{path}.amount_due", shown_id, refused.problem)
        return None
    details = billing_details(obj, path, shown_id, issues)
    try:
        return Invoice(
            id=invoice_id,
            status=status,
            amount=amount,
            amount_paid=paid,
            issued_at=issued_at,
            due_at=due_at,
            paid_at=paid_at,
            billing_details=details,
        )
    except InvalidInput as refused:
        issues.add(IssueCode.REFUSED_VALUE, path, shown_id, refused.problem)
        return None
