"""The invoices area's part of the area contract: :func:`findings` (INV-1, INV-2, INV-3),
:func:`role_findings` and :func:`transitions` (INV-2).

Part of :mod:`billrules.invoices`; import the public names from there.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules.contract import Finding, Transition, trusted_finding, trusted_transition
from billrules.decisions import Reason, trusted_decision, trusted_reason
from billrules.invoices._codes import InvoiceCode, InvoiceKind, InvoiceQuestion
from billrules.invoices._facts import (
    DUE_STATUSES,
    Invoice,
    InvoiceFacts,
    InvoiceStatus,
)
from billrules.invoices._policy import InvoicePolicy
from billrules.roles import Role

_AREA: Final = "invoices"
_to_role = v.enum_member(Role, "role")


#: The most invoices whose history finding (INV-1) a policy keeps once built: the counts
#: key it, so it stays a small table.
_KEPT_COUNTS: Final = 64


def _outstanding_finding(facts: InvoiceFacts, policy: InvoicePolicy, at: datetime) -> Finding:
    """INV-3: what is still due, and INV-2: which of it is overdue at ``at``."""
    due = facts._outstanding
    owed = facts._owed
    if not due:
        # The same answer for every account in one currency: built once per policy.
        answers = policy._answers
        key = (_NOTHING, owed.currency)
        found: Finding | None = answers.get(key)
        if found is None:
            found = answers[key] = _nothing_outstanding(owed)
        return found
    ids = tuple(inv.id for inv in due)
    # In settlement order, oldest due first: the overdue ones (due before ``at``) lead.
    overdue = tuple(inv.id for inv in due if at > inv.due_at)
    outstanding = trusted_reason(
        InvoiceCode.AMOUNT_OUTSTANDING,
        v.FrozenMapping({"amount": owed, "invoice_ids": ids, "overdue_ids": overdue}),
    )
    reasons: tuple[Reason, ...] = (outstanding,)
    if overdue:
        reasons = (
            outstanding,
            trusted_reason(InvoiceCode.INVOICES_OVERDUE, v.FrozenMapping({"overdue_ids": overdue})),
        )
    return trusted_finding(
        _AREA,
        InvoiceQuestion.NOTHING_OUTSTANDING,
        trusted_decision(False, reasons),
        v.FrozenMapping({"amount": owed}),
    )


#: The key of INV-3's "nothing outstanding" finding in a policy's table of answers.
_NOTHING: Final = "nothing_outstanding"


def _nothing_outstanding(owed: Money) -> Finding:
    details = {"amount": owed, "invoice_ids": (), "overdue_ids": ()}
    return trusted_finding(
        _AREA,
        InvoiceQuestion.NOTHING_OUTSTANDING,
        trusted_decision(True, (trusted_reason(InvoiceCode.NOTHING_OUTSTANDING, details),)),
        {"amount": owed},
    )


def _history_finding(
    facts: InvoiceFacts, policy: InvoicePolicy, at: datetime, zone: ZoneInfo
) -> Finding:
    """INV-1: how many issued invoices the self-service history lists, how many it leaves out.

    The finding depends on the policy and the two counts only: a policy keeps the ones it
    has built (for up to :data:`_KEPT_COUNTS` invoices).
    """
    issued = listed = 0
    cutoff = policy.history_cutoff
    for inv in facts.invoices:
        if inv.status is not InvoiceStatus.SCHEDULED and inv.issued_at <= at:
            issued += 1
            if _time.local_date(inv.issued_at, zone) >= cutoff:
                listed += 1
    if issued > _KEPT_COUNTS:
        return _history(policy, listed, issued)
    answers = policy._answers
    key = (listed, issued)
    found: Finding | None = answers.get(key)
    if found is None:
        found = answers[key] = _history(policy, listed, issued)
    return found


def _history(policy: InvoicePolicy, listed: int, issued: int) -> Finding:
    hidden = issued - listed
    details = {
        "listed": listed,
        "issued": issued,
        "before_cutoff": hidden,
        "history_cutoff": policy.history_cutoff,
        "contact": policy.support_contact,
    }
    if hidden:
        decision = trusted_decision(
            False, (trusted_reason(InvoiceCode.BEFORE_HISTORY_CUTOFF, details),)
        )
    else:
        decision = trusted_decision(True, (trusted_reason(InvoiceCode.HISTORY_WINDOW, details),))
    return trusted_finding(
        _AREA, InvoiceQuestion.ALL_IN_HISTORY, decision, {"listed": listed, "issued": issued}
    )


@checked
def findings(
    facts: InvoiceFacts, policy: InvoicePolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answers of the invoices area at ``at``. Decides INV-3, INV-2, INV-1.

    Two findings, in this order:

    - ``nothing_outstanding`` (INV-3): refused while money is still due on submitted or failed
      invoices; its reason lists them in settlement order (details ``amount``,
      ``invoice_ids``, ``overdue_ids``), with a second reason (INV-2) naming those overdue;
    - ``all_in_history`` (INV-1): refused when issued invoices fall before the history cutoff
      (details ``listed``, ``issued``, ``before_cutoff``, ``history_cutoff``, ``contact``).

    The answers that depend on the policy and a few counts only (the history finding, and
    "nothing outstanding" in a currency) are built once per policy and shared.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.invoices import Invoice, InvoiceFacts, InvoicePolicy, findings
    >>> jan = datetime(2024, 1, 1, tzinfo=UTC)
    >>> bill = Invoice(id="inv-1", status="submitted", amount=Money("49", "USD"),
    ...                issued_at=jan, due_at=jan)
    >>> owed, shown = findings(InvoiceFacts(currency="USD", invoices=(bill,)), InvoicePolicy(),
    ...                        at=datetime(2024, 2, 1, tzinfo=UTC), zone="UTC")
    >>> owed.summary, owed.decision.message
    ('49.00 USD outstanding.', '49.00 USD is outstanding on invoices inv-1. Overdue: inv-1.')
    >>> shown.summary
    '1 of 1 issued invoices in the self-service history.'

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        UnknownTimeZone: ``zone`` is not a known IANA zone.
    """
    tz = _time.to_zone(zone)
    return (_outstanding_finding(facts, policy, at), _history_finding(facts, policy, at, tz))


@checked
def role_findings(
    facts: InvoiceFacts,
    policy: InvoicePolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do in the invoices area: nothing depends on the role.

    Decides no rule: every invoice answer is account-wide (:func:`findings`, INV-1, INV-3).
    """
    if type(role) is not Role:
        _to_role(role)
    _time.to_zone(zone)
    return ()


def _due(invoice: Invoice) -> Transition:
    return trusted_transition(
        invoice.due_at,
        _AREA,
        InvoiceKind.INVOICE_OVERDUE,
        (
            trusted_reason(
                InvoiceCode.INVOICE_DUE,
                {
                    "invoice_id": invoice.id,
                    "due_at": invoice.due_at,
                    "amount_due": invoice.amount_due,
                },
            ),
        ),
    )


def _falling_due(invoices: list[tuple[datetime, str, Invoice]]) -> Iterator[Transition]:
    heapq.heapify(invoices)
    while invoices:
        yield _due(heapq.heappop(invoices)[2])


@checked
def transitions(
    facts: InvoiceFacts,
    policy: InvoicePolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """The invoices falling due in ``[start, end)``, in time order, lazily. Decides INV-2.

    Each submitted or failed invoice with money still due yields one ``invoice_overdue``
    transition at its ``due_at``: unpaid after that instant, it is overdue. Ties are ordered
    by invoice id.

    >>> from datetime import datetime, UTC
    >>> from moneyed import Money
    >>> from billrules.invoices import Invoice, InvoiceFacts, InvoicePolicy, transitions
    >>> may = datetime(2024, 5, 1, tzinfo=UTC)
    >>> bill = Invoice(id="inv-1", status="submitted", amount=Money("49", "USD"),
    ...                issued_at=may, due_at=datetime(2024, 5, 15, tzinfo=UTC))
    >>> (due,) = transitions(InvoiceFacts(currency="USD", invoices=(bill,)), InvoicePolicy(),
    ...                      start=may, end=datetime(2024, 6, 1, tzinfo=UTC), zone="UTC")
    >>> due.at.isoformat(), str(due.kind), due.rules
    ('2024-05-15T00:00:00+00:00', 'invoice_overdue', ('INV-2',))
    >>> due.description
    'Invoice inv-1 is due; unpaid after this instant it is overdue (49.00 USD due).'

    Raises:
        InvalidInput: ``end`` is before ``start``.
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
    """
    _time.require_window(start, end)
    _time.to_zone(zone)
    candidates = [
        (inv.due_at, inv.id, inv)
        for inv in facts.invoices
        if inv.status in DUE_STATUSES and start <= inv.due_at < end and inv.amount_due.amount > 0
    ]
    return _falling_due(candidates)
