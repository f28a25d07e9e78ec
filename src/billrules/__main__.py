"""``python -m billrules``: a short worked example of the invoices area, explained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moneyed import Money

from billrules.invoices import (
    Invoice,
    InvoicePolicy,
    allocate_payment,
    can_download,
    history,
    outstanding,
    outstanding_invoices,
)


def _invoice(
    id: str, status: str, year: int, month: int, paid_at: datetime | None = None
) -> Invoice:
    issued = datetime(year, month, 1, 9, tzinfo=UTC)
    return Invoice(
        id=id,
        status=status,
        amount=Money("49.00", "USD"),
        issued_at=issued,
        due_at=issued + timedelta(days=14),
        method="Visa •••• 4242",
        paid_at=paid_at,
    )


def _amount(money: Money) -> str:
    return f"{money.amount:.2f} {money.currency.code}"


def main() -> int:
    """Print an invoice history with its cutoff and outstanding balance, and why."""
    zone = "America/New_York"
    at = datetime(2024, 5, 20, 12, tzinfo=UTC)
    policy = InvoicePolicy()
    invoices = [
        _invoice("INV-2020-12", "paid", 2020, 12, paid_at=datetime(2020, 12, 2, tzinfo=UTC)),
        _invoice("INV-2024-03", "paid", 2024, 3, paid_at=datetime(2024, 3, 2, tzinfo=UTC)),
        _invoice("INV-2024-04", "failed", 2024, 4),
        _invoice("INV-2024-05", "submitted", 2024, 5),
        _invoice("INV-2024-06", "scheduled", 2024, 6),
    ]
    print(f"Invoice history of a {zone} account on {at.date().isoformat()}")
    print(f"(self-service history starts {policy.history_cutoff.isoformat()}, rule INV-1)\n")
    print(f"  {'invoice':<12} {'issued':<11} {'amount':>10}  {'paid on':<11} {'method':<15} status")
    for row in history(invoices, policy, at=at, zone=zone):
        paid_on = row.payment_date.isoformat() if row.payment_date else "—"
        print(
            f"  {row.invoice_id:<12} {row.issued_on.isoformat():<11} {_amount(row.amount):>10}  "
            f"{paid_on:<11} {row.method or '—':<15} {row.status}"
        )
    print()
    old = can_download(invoices[0], policy, zone=zone)
    print(f"{invoices[0].id} is not listed: {old.message} [{', '.join(old.rules)}]")
    scheduled = can_download(invoices[-1], policy, zone=zone)
    print(f"{invoices[-1].id} is not listed: {scheduled.message} [{', '.join(scheduled.rules)}]")
    print()
    due = outstanding(invoices, currency="USD")
    ids = ", ".join(invoice.id for invoice in outstanding_invoices(invoices))
    print(f"Outstanding: {_amount(due)} on {ids} (submitted and failed invoices, INV-3).")
    payment = Money("60.00", "USD")
    allocation = allocate_payment(invoices, payment)
    print(f"A payment of {_amount(payment)} settles the oldest due invoice first (INV-3):")
    for line in allocation.lines:
        settled = "settled" if line.settles else "part-paid"
        print(f"  {line.invoice_id}: {_amount(line.amount)} ({settled})")
    print(f"  credit left: {_amount(allocation.credit)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
