"""Checked once (DESIGN.md): what the library builds from checked values skips the checks, and
is exactly what the public constructors would build from the same fields.

The areas build their reasons, decisions, findings, transitions and effects with the trusted
builders (``trusted_reason``, ``trusted_decision``, ``trusted_finding``,
``trusted_transition``, ``trusted_effect``). These tests rebuild every value ``explain`` and
``timeline`` hand out through the public constructors, which check everything: a value the
library built that a constructor would refuse (a reason lacking a field of its sentence, a
refusal without a reason, a list where a tuple belongs) fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billrules._validate import FrozenMapping
from billrules.account import Account, account_state, activity
from billrules.contract import Finding, Transition, trusted_finding, trusted_transition
from billrules.decisions import Decision, Reason, trusted_decision, trusted_reason
from billrules.deletion import DeletionFacts
from billrules.effects import Effect, HideBanner, SendEmail, ShowBanner, trusted_effect
from billrules.errors import InvalidInput
from billrules.evaluation import Evaluation
from billrules.invoices import InvoiceCode, InvoiceFacts, InvoiceQuestion
from billrules.policy import DEFAULT_POLICY, Policy
from billrules.report import explain
from billrules.subscriptions import SubscriptionFacts
from billrules.testing import accounts, policies
from billrules.timeline import timeline

AT = datetime(2024, 5, 1, 9, tzinfo=UTC)


def _same(built: Any, rebuilt: Any) -> None:
    """Equal, of the same type, with the same fields (details compared as written)."""
    assert type(built) is type(rebuilt)
    if hasattr(built, "details"):
        assert type(built.details) is type(rebuilt.details) is FrozenMapping
    assert built == rebuilt
    assert repr(built) == repr(rebuilt)


def _reason(reason: Reason) -> Reason:
    rebuilt = Reason(code=reason.code, rule=reason.rule, details=dict(reason.details))
    _same(reason, rebuilt)
    assert reason.message == rebuilt.message
    return rebuilt


def _decision(decision: Decision) -> None:
    _same(decision, Decision(allowed=decision.allowed, reasons=decision.reasons))
    for reason in decision.reasons:
        _reason(reason)


def _finding(finding: Finding) -> None:
    _decision(finding.decision)
    rebuilt = Finding(
        area=finding.area,
        question=finding.question,
        decision=finding.decision,
        details=dict(finding.details),
    )
    _same(finding, rebuilt)
    assert finding.summary == rebuilt.summary


def _effect(effect: Effect) -> None:
    fields = attrs.asdict(effect, recurse=False)
    _same(effect, type(effect)(**fields))


def _transition(transition: Transition) -> None:
    for reason in transition.reasons:
        _reason(reason)
    for effect in transition.effects:
        _effect(effect)
    rebuilt = Transition(
        at=transition.at,
        area=transition.area,
        kind=transition.kind,
        reasons=transition.reasons,
        effects=transition.effects,
    )
    _same(transition, rebuilt)


@settings(max_examples=25, deadline=None)
@given(account=accounts(), policy=policies(), hours=st.integers(0, 24 * 800))
def test_explain_hands_out_what_the_constructors_would_build(
    account: Account, policy: Policy, hours: int
) -> None:
    report = explain(account, policy, account.created_at + timedelta(hours=hours))
    for role in report.roles:
        for finding in role.findings:
            _finding(finding)
    for finding in report.account:
        _finding(finding)
    for transition in report.next_events:
        _transition(transition)


@settings(max_examples=25, deadline=None)
@given(account=accounts(), policy=policies(), days=st.integers(0, 400))
def test_timeline_hands_out_what_the_constructors_would_build(
    account: Account, policy: Policy, days: int
) -> None:
    start = account.created_at + timedelta(days=days)
    for transition in timeline(
        account, policy, start=start, end=start + timedelta(days=500)
    ).events:
        _transition(transition)


def test_trusted_builders_build_what_the_constructors_build() -> None:
    details = {"amount": "19.00 USD", "invoice_ids": ("inv-1",), "overdue_ids": ()}
    reason = Reason(code=InvoiceCode.AMOUNT_OUTSTANDING, details=details)
    _same(trusted_reason(InvoiceCode.AMOUNT_OUTSTANDING, details), reason)
    _same(trusted_reason(InvoiceCode.AMOUNT_OUTSTANDING, reason.details), reason)
    # A list in a dict is made a tuple, as the constructor makes it.
    listed = {"amount": "19.00 USD", "invoice_ids": ["inv-1"], "overdue_ids": []}
    _same(trusted_reason(InvoiceCode.AMOUNT_OUTSTANDING, listed), reason)
    decision = trusted_decision(False, (reason,))
    _same(decision, Decision(allowed=False, reasons=(reason,)))
    finding = trusted_finding(
        "invoices", InvoiceQuestion.NOTHING_OUTSTANDING, decision, {"amount": "19.00 USD"}
    )
    _finding(finding)
    email = trusted_effect(
        SendEmail, at=AT, rule="DEL-4", template="reminder", to="owner", details={"days": 2}
    )
    assert email.account is None
    assert email.occasion is None
    assert type(email.details) is FrozenMapping
    _effect(email)
    _effect(trusted_effect(HideBanner, at=AT, rule="DEL-5", banner="deletion", account="acct-1"))
    # A field with a default of its own left out: built by the constructor.
    _same(
        trusted_effect(ShowBanner, at=AT, rule="DEL-5", banner="deletion"),
        ShowBanner(at=AT, rule="DEL-5", banner="deletion"),
    )
    _transition(trusted_transition(AT, "invoices", "invoice_overdue", (reason,), (email,)))


@settings(max_examples=40, deadline=None)
@given(account=accounts(), policy=policies(), hours=st.integers(0, 24 * 800))
def test_an_evaluation_hands_the_areas_the_facts_the_public_builders_build(
    account: Account, policy: Policy, hours: int
) -> None:
    at = account.created_at + timedelta(hours=hours)
    evaluation = Evaluation(account=account, policy=policy, at=at)
    _facts(evaluation.state, account_state(account, at=at))
    _facts(
        evaluation.deletion_facts,
        DeletionFacts(activity=activity(account), schedule=account.deletion_schedule),
    )
    _facts(evaluation.deletion_facts.activity, activity(account))
    _facts(
        evaluation.invoice_facts,
        InvoiceFacts(
            currency=account.currency, invoices=account.invoices, payments=account.payments
        ),
    )
    if account.subscription is None:
        assert evaluation.subscription_facts is None
    else:
        _facts(
            evaluation.subscription_facts,
            SubscriptionFacts(
                subscription=account.subscription, suspensions=evaluation.suspensions
            ),
        )


def _facts(built: Any, rebuilt: Any) -> None:
    """The same facts, field by field, each field's value of the same type."""
    assert type(built) is type(rebuilt)
    assert built == rebuilt
    for field in attrs.fields(type(built)):
        if field.init:
            mine, theirs = getattr(built, field.name), getattr(rebuilt, field.name)
            assert type(mine) is type(theirs), field.name


def test_a_check_across_the_account_s_facts_still_runs_in_an_evaluation() -> None:
    """DEL-3: a deletion scheduled before the account was created is refused when the account
    is evaluated (explain, timeline, the run), as the deletion facts' constructor refuses it:
    the evaluation builds those facts with their checks, since nothing before checks that."""
    from zoneinfo import ZoneInfo

    from tests._accounts import DELINQUENT

    from billrules.deletion import DeletionSchedule
    from billrules.run import AccountError, due

    kyiv = ZoneInfo("Europe/Kyiv")
    early = attrs.evolve(
        DELINQUENT,
        deletion_schedule=DeletionSchedule(scheduled_at=datetime(2022, 12, 20, tzinfo=kyiv)),
    )
    at = datetime(2024, 5, 21, 9, tzinfo=kyiv)
    with pytest.raises(InvalidInput) as refused:
        explain(early, DEFAULT_POLICY, at)
    assert "DeletionSchedule.scheduled_at" == refused.value.field
    (record,) = list(due([early], DEFAULT_POLICY, start=at, end=at + timedelta(days=1)))
    assert isinstance(record, AccountError)
    assert "DeletionSchedule.scheduled_at" == record.field
