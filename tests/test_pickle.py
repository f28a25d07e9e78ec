"""Every value crosses a process boundary unchanged: accounts, policies, reports and timelines
pickle and compare equal after the round trip (X-1, X-5)."""

from __future__ import annotations

import pickle
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from billrules.account import Account
from billrules.policy import Policy
from billrules.report import explain
from billrules.testing import accounts, policies
from billrules.timeline import timeline


def _round_trip(value: object) -> object:
    return pickle.loads(pickle.dumps(value))


@given(account=accounts(), policy=policies(), hours=st.integers(min_value=0, max_value=24 * 400))
def test_accounts_policies_reports_and_timelines_pickle(
    account: Account, policy: Policy, hours: int
) -> None:
    """X-1, X-5: what a worker process receives (account, policy) and sends back (report,
    timeline) is equal to the original after pickling."""
    at = account.created_at + timedelta(hours=hours)
    report = explain(account, policy, at)
    events = timeline(account, policy, at, at + timedelta(days=60))

    assert account == _round_trip(account)
    assert policy == _round_trip(policy)
    assert report == _round_trip(report)
    assert events == _round_trip(events)
