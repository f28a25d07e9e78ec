"""The cross-checks (IMP-5): where Stripe states what billrules derives. Private."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from billrules.importers.stripe._issues import IssueCode, Issues
from billrules.invoices import Invoice, InvoiceStatus
from billrules.subscriptions import Subscription


def in_arrears(invoices: Sequence[Invoice], at: datetime | None) -> bool:
    """Whether billrules sees money the customer failed to pay: a failed invoice, or (given
    the instant ``at`` the objects were read) a submitted one past its due instant (OVD-3's
    stages begin there)."""
    for invoice in invoices:
        if invoice.status is InvoiceStatus.FAILED:
            return True
        if at is not None and invoice.status is InvoiceStatus.SUBMITTED and invoice.due_at < at:
            return True
    return False


def delinquent(
    stated: bool | None, invoices: Sequence[Invoice], at: datetime | None, issues: Issues
) -> None:
    """IMP-5: ``customer.delinquent`` against what the invoices say (OVD-3)."""
    if stated is None:
        return
    derived = in_arrears(invoices, at)
    if stated != derived:
        issues.add(
            IssueCode.DELINQUENT_DISAGREES,
            "customer.delinquent",
            None,
            f"Stripe says {'' if stated else 'not '}delinquent; the imported invoices show "
            f"{'an unpaid' if derived else 'no unpaid'} invoice past its due instant",
        )


def subscription_status(
    stated: str | None,
    subscription: Subscription | None,
    invoices: Sequence[Invoice],
    at: datetime | None,
    issues: Issues,
) -> None:
    """IMP-5: the subscription's status against the derived state: ``past_due`` and
    ``unpaid`` need an invoice in arrears (or, for ``unpaid``, written off); ``active`` and
    ``trialing`` none; ``canceled`` an end."""
    if stated is None or subscription is None:
        return
    arrears = in_arrears(invoices, at)
    written_off = any(invoice.status is InvoiceStatus.UNCOLLECTIBLE for invoice in invoices)
    agrees = True
    if stated == "past_due":
        agrees = arrears
    elif stated == "unpaid":
        agrees = arrears or written_off
    elif stated in ("active", "trialing"):
        agrees = not arrears
    elif stated == "canceled":
        agrees = subscription.ends_at is not None and (at is None or subscription.ends_at <= at)
    if not agrees:
        issues.add(
            IssueCode.SUBSCRIPTION_STATUS_DISAGREES,
            "subscription.status",
            None,
            f"Stripe says {stated}; the imported invoices and end do not",
        )
