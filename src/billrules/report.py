"""What one account looks like at one instant: :func:`explain` and its :class:`Report`.

``explain(account, policy, at)`` asks every area's questions of one :class:`~billrules.account.Account`
snapshot, for every role, lists the account-level findings and the next events of its timeline,
and returns them as a :class:`Report` that prints as text, renders as HTML in a notebook and
writes itself as plain data (X-1, X-5).
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules import _money, _plain, _time, deletion, payment_methods, seats
from billrules._check import checked
from billrules.account import Account, account_state, activity, balance_facts
from billrules.balance import BalanceFacts, can_top_up
from billrules.cancellation import (
    AccountStatus,
    can_request_cancellation,
    cancellation_check,
)
from billrules.decisions import Decision, Reason
from billrules.dunning import Access, AccessLevel, restriction_for
from billrules.errors import InvalidInput, InvalidType
from billrules.invoices import (
    InvoiceStatus,
    history,
    is_overdue,
    outstanding,
    outstanding_invoices,
)
from billrules.policy import Policy
from billrules.roles import Role
from billrules.timeline import Event, _next_events

__all__ = [
    "NEXT_EVENTS_COUNT",
    "NEXT_EVENTS_DAYS",
    "Finding",
    "Report",
    "RoleReport",
    "explain",
]


NEXT_EVENTS_DAYS: Final = 400
NEXT_EVENTS_COUNT: Final = 5


@attrs.frozen(kw_only=True)
class Finding:
    """One answer in a :class:`Report`: an area's question, its decision and why (X-1).

    Attributes:
        area: The area asked (``"dunning"``, ``"balance"``, ``"deletion"``…).
        question: A stable snake_case name of the question (``"top_up"``, ``"use_product"``).
        allowed: The answer.
        summary: A human sentence stating the answer.
        rules: The rule IDs behind it, in order, without repeats.
        reasons: The area's own reasons, unchanged.
    """

    area: str
    question: str
    allowed: bool
    summary: str
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return {
            "area": self.area,
            "question": self.question,
            "allowed": self.allowed,
            "summary": self.summary,
            "rules": list(self.rules),
            "reasons": [
                {
                    "code": reason.code,
                    "rule": reason.rule,
                    "message": reason.message,
                    "details": _plain.plain_data(reason.details),
                }
                for reason in self.reasons
            ],
        }


@attrs.frozen(kw_only=True)
class RoleReport:
    """What a user with ``role`` may do, one :class:`Finding` per question that applies."""

    role: Role
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        """The role's findings as JSON-ready data."""
        return {"role": str(self.role), "findings": [f.to_dict() for f in self.findings]}


@attrs.frozen(kw_only=True)
class Report:
    """The state of one account at one instant: every decision for every role, and what next.

    Attributes:
        account_id: The account's id.
        at: The instant explained.
        zone: The account's zone (``str`` shows local times in it).
        status: The account's status.
        outstanding: What is still due on invoices (INV-3).
        balance: The prepaid balance at ``at`` (BAL-3), ``None`` without a ledger.
        roles: One :class:`RoleReport` per role present among the users (owner, admin, staff).
        account: The account-wide findings (DEL-1, DEL-7, CAN-9, INV-1, INV-3, BAL-3).
        next_events: The first events of the timeline after ``at`` (X-5).
    """

    account_id: str
    at: datetime
    zone: ZoneInfo
    status: AccountStatus
    outstanding: Money
    balance: Money | None
    roles: tuple[RoleReport, ...]
    account: tuple[Finding, ...]
    next_events: tuple[Event, ...]

    def __str__(self) -> str:
        """A readable report: header, each role's answers with reasons, the account, what next."""
        zone = self.zone
        balance = "none (postpaid)" if self.balance is None else _amount(self.balance)
        lines = [
            f"Account {self.account_id} ({zone.key}) at {_time.wall_clock(self.at, zone)}: "
            f"status {self.status}",
            f"Balance: {balance}; outstanding: {_amount(self.outstanding)}",
        ]
        for role_report in self.roles:
            lines.append(f"{role_report.role}:")
            lines.extend(_finding_lines(f) for f in role_report.findings)
        lines.append("account:")
        lines.extend(_finding_lines(f) for f in self.account)
        lines.append("next:" if self.next_events else "next: nothing in the next 400 days")
        lines.extend(
            f"  {_time.wall_clock(e.at, zone)}  {e.kind} [{', '.join(e.rules)}] {e.description}"
            for e in self.next_events
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (amounts ``"19.00 USD"``, instants ISO 8601)."""
        return {
            "account_id": self.account_id,
            "at": self.at.isoformat(),
            "zone": self.zone.key,
            "status": str(self.status),
            "outstanding": _amount(self.outstanding),
            "balance": None if self.balance is None else _amount(self.balance),
            "roles": [role_report.to_dict() for role_report in self.roles],
            "account": [finding.to_dict() for finding in self.account],
            "next_events": [event.to_dict() for event in self.next_events],
        }

    def _repr_html_(self) -> str:
        """The report as an HTML fragment for notebooks (all text escaped)."""
        esc = html.escape
        zone = self.zone
        balance = "none (postpaid)" if self.balance is None else _amount(self.balance)
        parts = [
            f"<div><h4>Account {esc(self.account_id)} ({esc(zone.key)}) at "
            f"{esc(_time.wall_clock(self.at, zone))}: status {esc(str(self.status))}</h4>",
            f"<p>Balance: {esc(balance)}; outstanding: {esc(_amount(self.outstanding))}</p>",
        ]
        sections = [(str(r.role), r.findings) for r in self.roles] + [("account", self.account)]
        for title, findings in sections:
            rows = "".join(
                f"<tr><td>{'✔' if f.allowed else '✘'}</td><td>{esc(f.area)}</td>"
                f"<td>{esc(f.question)}</td><td>{esc(f.summary)}</td>"
                f"<td>{esc(', '.join(f.rules))}</td>"
                f"<td>{'<br>'.join(esc(r.message) for r in f.reasons)}</td></tr>"
                for f in findings
            )
            parts.append(
                f"<h5>{esc(title)}</h5><table><tr><th></th><th>area</th><th>question</th>"
                f"<th>answer</th><th>rules</th><th>why</th></tr>{rows}</table>"
            )
        items = "".join(
            f"<li><code>{esc(_time.wall_clock(e.at, zone))}</code> <b>{esc(e.kind)}</b> "
            f"[{esc(', '.join(e.rules))}] {esc(e.description)}</li>"
            for e in self.next_events
        )
        parts.append(f"<h5>next</h5><ul>{items}</ul></div>")
        return "".join(parts)


def _amount(money: Money) -> str:
    """``"19.00 USD"``: the amount at its currency's minor unit, then the code (never locale-bound)."""
    shown = money if money.amount.as_tuple().exponent != 0 else _money.round_to_minor_unit(money)
    return f"{shown.amount} {shown.currency.code}"


def _finding_lines(finding: Finding) -> str:
    mark = "yes" if finding.allowed else "no "
    head = f"  [{mark}] {finding.area}.{finding.question}: {finding.summary} "
    head += f"[{', '.join(finding.rules)}]"
    return "\n".join([head, *(f"        - {reason.message}" for reason in finding.reasons)])


def _finding(area: str, question: str, decision: Decision, summary: str) -> Finding:
    return Finding(
        area=area,
        question=question,
        allowed=decision.allowed,
        summary=summary,
        rules=decision.rules,
        reasons=decision.reasons,
    )


_USABLE: Final = frozenset({AccessLevel.FULL, AccessLevel.FULL_WITH_REMINDER})


def _access_finding(access: Access) -> Finding:
    level = str(access.level).replace("_", " ")
    stage = "" if access.stage is None else f" (dunning stage {access.stage.name})"
    return Finding(
        area="dunning",
        question="use_product",
        allowed=access.level in _USABLE,
        summary=f"Access: {level}{stage}.",
        rules=access.rules,
        reasons=access.reasons,
    )


def _yes_no(decision: Decision, yes: str, no: str) -> str:
    return yes if decision.allowed else no


@checked
def explain(account: Account, policy: Policy, at: datetime) -> Report:
    """Every decision for every role of ``account`` at ``at``, and what happens next.

    Decides nothing itself (X-1): it asks each area its own questions and gathers the answers.
    For each role present among the users (owner, admin, staff, in that order): dunning access
    (DUN-1 … DUN-3, :func:`~billrules.dunning.restriction_for`), topping up (BAL-1),
    requesting cancellation (CAN-1 … CAN-3), deleting the account (DEL-2), cancelling a pending
    deletion (DEL-3, when one is scheduled), removing the default payment method (PM-2, with a
    default) and removing seats (SEAT-2, SEAT-3, with seats). The wallet and seat answers do
    not depend on the role. Account-wide: the outstanding amount (INV-3, with overdue invoices,
    INV-2), the invoices in the self-service history (INV-1), the balance (BAL-3), eligibility
    for inactivity deletion (DEL-1), whether a scheduled deletion goes ahead (DEL-7) and that
    no billing is scheduled (CAN-9). ``next_events`` are the first
    :data:`NEXT_EVENTS_COUNT` events of :func:`~billrules.timeline.timeline` in the
    :data:`NEXT_EVENTS_DAYS` days from ``at`` (X-5).

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: ``at`` is before the account was created.
        InvalidType: ``account`` or ``policy`` is not what it should be.
    """
    if not isinstance(account, Account):
        raise InvalidType("account", f"must be an Account, not {type(account).__name__}")
    if not isinstance(policy, Policy):
        raise InvalidType("policy", f"must be a Policy, not {type(policy).__name__}")
    _time.require_aware(at, "at")
    if at < account.created_at:
        raise InvalidInput("at", "must not be before the account's creation (created_at)")
    zone = account.zone
    facts = balance_facts(account, at)
    state = account_state(account, at)
    deeds = activity(account)
    schedule = account.deletion_schedule

    shared: list[Finding] = []
    wallet = account.wallet
    if wallet.default_id is not None:
        decision = payment_methods.can_remove(wallet, wallet.default_id)
        shared.append(
            _finding(
                "payment_methods",
                "remove_default_method",
                decision,
                _yes_no(
                    decision,
                    "The default payment method can be removed.",
                    "The default payment method cannot be removed.",
                ),
            )
        )
    pool = account.seats
    if pool is not None:
        removable = seats.removable_seats(pool)
        decision = seats.can_remove_seats(pool, max(removable, 1))
        shared.append(
            _finding(
                "seats",
                "remove_seats",
                decision,
                f"{removable} of {pool.total} seats can be removed.",
            )
        )

    present = {user.role for user in account.users}
    role_reports: list[RoleReport] = []
    for role in Role:
        if role not in present:
            continue
        findings = [
            _access_finding(restriction_for(facts, role, policy.dunning, at, zone)),
        ]
        decision = can_top_up(role)
        findings.append(
            _finding(
                "balance",
                "top_up",
                decision,
                _yes_no(decision, "May top up the balance.", "May not top up the balance."),
            )
        )
        decision = can_request_cancellation(state, role, policy.cancellation)
        findings.append(
            _finding(
                "cancellation",
                "request_cancellation",
                decision,
                _yes_no(decision, "May request cancellation.", "May not request cancellation."),
            )
        )
        decision = deletion.can_delete_manually(role)
        findings.append(
            _finding(
                "deletion",
                "delete_manually",
                decision,
                _yes_no(decision, "May delete the account.", "May not delete the account."),
            )
        )
        if schedule is not None:
            decision = deletion.can_cancel(
                schedule, deeds, policy.deletion, at=at, zone=zone, role=role
            )
            findings.append(
                _finding(
                    "deletion",
                    "cancel_deletion",
                    decision,
                    _yes_no(
                        decision,
                        "May cancel the pending deletion.",
                        "May not cancel the deletion.",
                    ),
                )
            )
        findings.extend(shared)
        role_reports.append(RoleReport(role=role, findings=tuple(findings)))

    owed = outstanding(account.invoices, currency=account.currency)
    account_findings = [
        _outstanding_finding(account, owed, at),
        _history_finding(account, policy, at),
    ]
    if account.ledger is not None:
        account_findings.append(_balance_finding(facts))
    decision = deletion.eligibility(deeds, policy.deletion, at=at, zone=zone)
    account_findings.append(
        _finding(
            "deletion",
            "eligible_for_deletion",
            decision,
            _yes_no(
                decision,
                "Eligible for deletion for inactivity.",
                "Not eligible for deletion for inactivity.",
            ),
        )
    )
    if schedule is not None:
        decision = deletion.deletion_check(schedule, deeds, policy.deletion, zone=zone)
        account_findings.append(
            _finding(
                "deletion",
                "deletion_goes_ahead",
                decision,
                _yes_no(
                    decision,
                    "The scheduled deletion goes ahead.",
                    "The scheduled deletion does not go ahead.",
                ),
            )
        )
    decision = cancellation_check(state)
    account_findings.append(
        _finding(
            "cancellation",
            "nothing_scheduled",
            decision,
            _yes_no(decision, "No billing is scheduled.", "Billings are still scheduled."),
        )
    )
    ahead = _next_events(
        account, policy, at, days=NEXT_EVENTS_DAYS, count=NEXT_EVENTS_COUNT, facts=deeds
    )
    return Report(
        account_id=account.id,
        at=at,
        zone=zone,
        status=account.status,
        outstanding=owed,
        balance=facts.balance if account.ledger is not None else None,
        roles=tuple(role_reports),
        account=tuple(account_findings),
        next_events=ahead,
    )


def _outstanding_finding(account: Account, owed: Money, at: datetime) -> Finding:
    """INV-3 (and INV-2's derived overdue status)."""
    due = outstanding_invoices(account.invoices)
    ids = tuple(inv.id for inv in due)
    overdue = tuple(inv.id for inv in due if is_overdue(inv, at))
    details = {"amount": owed, "invoice_ids": ids, "overdue_ids": overdue}
    if due:
        reason = Reason(
            code="amount_outstanding",
            rule="INV-3",
            message=f"{_amount(owed)} is outstanding on invoices {', '.join(ids)}"
            + (f" ({', '.join(overdue)} overdue)." if overdue else "."),
            details=details,
        )
        reasons: tuple[Reason, ...] = (reason,)
        if overdue:
            reasons += (
                Reason(
                    code="invoices_overdue",
                    rule="INV-2",
                    message=f"Overdue: {', '.join(overdue)}.",
                    details={"overdue_ids": overdue},
                ),
            )
        return Finding(
            area="invoices",
            question="nothing_outstanding",
            allowed=False,
            summary=f"{_amount(owed)} outstanding.",
            rules=tuple(dict.fromkeys(r.rule for r in reasons)),
            reasons=reasons,
        )
    return Finding(
        area="invoices",
        question="nothing_outstanding",
        allowed=True,
        summary="Nothing is outstanding.",
        rules=("INV-3",),
        reasons=(
            Reason(
                code="nothing_outstanding",
                rule="INV-3",
                message="No invoice has money still due.",
                details=details,
            ),
        ),
    )


def _history_finding(account: Account, policy: Policy, at: datetime) -> Finding:
    """INV-1: how many issued invoices the self-service history lists, how many it leaves out."""
    cutoff = policy.invoices.history_cutoff
    listed = len(history(account.invoices, policy.invoices, at=at, zone=account.zone))
    issued = sum(
        1
        for inv in account.invoices
        if inv.status is not InvoiceStatus.SCHEDULED and inv.issued_at <= at
    )
    hidden = issued - listed
    details = {"listed": listed, "before_cutoff": hidden, "history_cutoff": cutoff}
    message = f"{listed} of {issued} issued invoices are in the self-service history (from "
    message += f"{cutoff.isoformat()})"
    if hidden:
        message += f"; {hidden} older ones are available from {policy.invoices.support_contact}."
    else:
        message += "."
    return Finding(
        area="invoices",
        question="all_in_history",
        allowed=hidden == 0,
        summary=f"{listed} of {issued} issued invoices in the self-service history.",
        rules=("INV-1",),
        reasons=(
            Reason(
                code="history_window" if hidden == 0 else "before_history_cutoff",
                rule="INV-1",
                message=message,
                details=details,
            ),
        ),
    )


def _balance_finding(facts: BalanceFacts) -> Finding:
    """BAL-3: the prepaid balance at the instant explained; DUN-2: what lifts a debt."""
    balance = facts.balance
    details = {"balance": balance, "debt_started_at": facts.debt_started_at}
    if facts.debt_started_at is None:
        return Finding(
            area="balance",
            question="balance_not_negative",
            allowed=True,
            summary=f"Balance {_amount(balance)}.",
            rules=("BAL-3",),
            reasons=(
                Reason(
                    code="balance_not_negative",
                    rule="BAL-3",
                    message=f"The balance is {_amount(balance)}.",
                    details=details,
                ),
            ),
        )
    return Finding(
        area="balance",
        question="balance_not_negative",
        allowed=False,
        summary=f"Balance {_amount(balance)}: in debt since {facts.debt_started_at.isoformat()}.",
        rules=("BAL-3", "DUN-2"),
        reasons=(
            Reason(
                code="balance_negative",
                rule="BAL-3",
                message=f"The balance is {_amount(balance)}.",
                details=details,
            ),
            Reason(
                code="full_payment_lifts",
                rule="DUN-2",
                message="Paying the whole debt lifts every restriction; a partial payment does "
                "not.",
                details={"amount_to_pay": facts.amount_to_pay},
            ),
        ),
    )
