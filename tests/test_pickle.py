"""Every value crosses a process boundary unchanged: accounts, policies, reports, timelines and
the kernel's reasons, decisions, findings and transitions pickle and compare equal after the
round trip, their codes and questions the very same enum members (X-1, X-5)."""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st

from billrules.account import Account
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Reason
from billrules.policy import Policy
from billrules.report import explain
from billrules.testing import accounts, decisions, findings, policies, reasons, transitions
from billrules.timeline import timeline

T = TypeVar("T")


def _round_trip(value: T) -> T:
    back: T = pickle.loads(pickle.dumps(value))
    return back


def _same_reasons(original: Iterable[Reason], back: Iterable[Reason]) -> None:
    """Each reason comes back equal, with the same code member and the same details."""
    pairs = list(zip(original, back, strict=True))
    for before, after in pairs:
        assert before == after
        assert after.code is before.code
        assert type(after.code) is type(before.code)
        assert after.rule == before.rule
        assert dict(after.details) == dict(before.details)
        assert after.message == before.message


@given(account=accounts(), policy=policies(), hours=st.integers(min_value=0, max_value=24 * 400))
def test_accounts_policies_reports_and_timelines_pickle(
    account: Account, policy: Policy, hours: int
) -> None:
    """X-1, X-5: what a worker process receives (account, policy) and sends back (report,
    timeline) is equal to the original after pickling."""
    at = account.created_at + timedelta(hours=hours)
    report = explain(account, policy, at)
    events = timeline(account, policy, start=at, end=at + timedelta(days=60))

    assert account == _round_trip(account)
    assert policy == _round_trip(policy)
    assert report == _round_trip(report)
    back = _round_trip(events)
    assert events == back
    for before, after in zip(events.events, back.events, strict=True):
        assert after.kind == before.kind
        assert after.description == before.description
        _same_reasons(before.reasons, after.reasons)
    assert str(events) == str(back)
    assert events.to_dict() == back.to_dict()


@given(reason=reasons())
def test_reasons_pickle(reason: Reason) -> None:
    """X-1: a reason comes back equal, its code the same member of its area's enum."""
    _same_reasons([reason], [_round_trip(reason)])


@given(decision=decisions())
def test_decisions_pickle(decision: Decision) -> None:
    """X-1: a decision comes back equal, with the same answer, rules and reason codes."""
    back = _round_trip(decision)
    assert decision == back
    assert decision.allowed is back.allowed
    assert decision.rules == back.rules
    assert decision.codes == back.codes
    _same_reasons(decision.reasons, back.reasons)


@given(finding=findings())
def test_findings_pickle(finding: Finding) -> None:
    """X-1: a finding comes back equal, its question the same member, its decision, details
    and summary unchanged."""
    back = _round_trip(finding)
    assert finding == back
    assert back.question is finding.question
    assert back.area == finding.area
    assert back.decision == finding.decision
    assert dict(back.details) == dict(finding.details)
    assert back.summary == finding.summary
    _same_reasons(finding.reasons, back.reasons)


@given(transition=transitions())
def test_transitions_pickle(transition: Transition) -> None:
    """X-5: a transition comes back equal, with the same instant, area, kind, rules, codes,
    description and effects."""
    back = _round_trip(transition)
    assert transition == back
    assert back.at == transition.at
    assert back.at.utcoffset() == transition.at.utcoffset()
    assert (back.area, back.kind) == (transition.area, transition.kind)
    assert back.rules == transition.rules
    assert back.codes == transition.codes
    assert back.description == transition.description
    assert back.effects == transition.effects
    _same_reasons(transition.reasons, back.reasons)
