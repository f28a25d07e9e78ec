"""A Stripe customer's balance and its balance transactions into a prepaid ledger (IMP-3,
BAL-3). Private.

Stripe's ``customer.balance`` is what the customer owes on its next invoice: negative means
a credit. A billrules ledger's balance is what the customer has prepaid: positive means a
credit. So each customer balance transaction's ``amount`` enters the ledger with its sign
turned, and the ledger's balance is ``-customer.balance``.
"""

from __future__ import annotations

from collections.abc import Sequence

from moneyed import Currency, Money

from billrules.balance import EntryKind, Ledger, LedgerEntry
from billrules.errors import InvalidInput, InvalidType
from billrules.importers.stripe._amounts import money_of, stripe_currency
from billrules.importers.stripe._issues import IssueCode, Issues, safe_id
from billrules.importers.stripe._read import Obj, foreign, instant, integer, mapping, text

#: What Stripe's account balance transactions (not the customer's) of a dispute say.
_DISPUTES = frozenset({"dispute", "dispute_reversal"})


def credit_of(balance: int, currency: Currency) -> Money:
    """IMP-3: the prepaid credit a Stripe ``customer.balance`` stands for: its sign turned
    (``-500`` USD, a credit, is 5.00 USD of credit; ``500``, owed, is −5.00)."""
    return money_of(-balance, currency)


def processor_transactions(
    objects: Sequence[object], customer_id: str, issues: Issues
) -> list[tuple[str, Obj]]:
    """The customer balance transactions among ``objects``; Stripe's account balance
    transactions (``object: balance_transaction``: charges, fees, payouts, disputes) are the
    processor's money, not the customer's, and are reported (a dispute as ``dispute``)."""
    kept: list[tuple[str, Obj]] = []
    for index, raw in enumerate(objects):
        path = f"balance_transactions[{index}]"
        obj = mapping(raw, path)
        if text(obj, "object", path) == "balance_transaction":
            category = text(obj, "reporting_category", path) or text(obj, "type", path)
            disputed = category in _DISPUTES
            issues.add(
                IssueCode.DISPUTE if disputed else IssueCode.PROCESSOR_BALANCE_TRANSACTION,
                f"{path}.reporting_category" if disputed else f"{path}.object",
                safe_id(text(obj, "id", path)),
                "disputes are left out"
                if disputed
                else "the processor's own balance is not the customer's; left out",
            )
            continue
        if not foreign(obj, path, customer_id, issues):
            kept.append((path, obj))
    return kept


def ledger(
    transactions: Sequence[tuple[str, Obj]],
    currency: Currency,
    issues: Issues,
) -> Ledger:
    """IMP-3: the prepaid ledger of the customer balance transactions, oldest first, each an
    ``adjustment`` of ``-amount`` at ``created`` (entries at one instant keep their order)."""
    entries: list[tuple[int, int, LedgerEntry]] = []
    seen: set[str] = set()
    for order, (path, obj) in enumerate(transactions):
        entry_id = text(obj, "id", path) or ""
        shown_id = safe_id(entry_id)
        try:
            own = stripe_currency(obj.get("currency"), f"{path}.currency")
        except (InvalidInput, InvalidType):
            issues.add(IssueCode.UNKNOWN_CURRENCY, f"{path}.currency", shown_id, "unknown")
            continue
        if own != currency:
            issues.add(
                IssueCode.CURRENCY_MISMATCH, f"{path}.currency", shown_id, "not the account's"
            )
            continue
        amount = integer(obj, "amount", path)
        at = instant(obj, "created", path)
        if amount is None or at is None:
            missing = "amount" if amount is None else "created"
            issues.add(IssueCode.MISSING_FIELD, f"{path}.{missing}", shown_id, "is required")
            continue
        if entry_id in seen:
            issues.add(IssueCode.DUPLICATE_ID, f"{path}.id", shown_id, "a second copy")
            continue
        try:
            entry = LedgerEntry(
                id=entry_id,
                kind=EntryKind.ADJUSTMENT,
                at=at,
                amount=credit_of(amount, currency),
                description=text(obj, "type", path) or "",
            )
        except InvalidInput as refused:
            issues.add(IssueCode.REFUSED_VALUE, path, shown_id, refused.problem)
            continue
        seen.add(entry_id)
        entries.append((int(at.timestamp()), order, entry))
    entries.sort(key=lambda found: (found[0], found[1]))
    return Ledger(currency=currency, entries=tuple(entry for _, _, entry in entries))
