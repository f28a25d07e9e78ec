"""Properties of postpaid collections (OVD-1 … OVD-8, X-9) over generated facts, policies and
accounts (:func:`billrules.testing.overdue_facts`, :func:`~billrules.testing.overdue_policies`,
:func:`~billrules.testing.overdue_accounts`): the stage is monotone in time under fixed facts,
a payment never raises it, nothing is retried once settled, written off or hard-declined, a
hold caps the stage and ends where the clock says, and the run's pieces are its whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from moneyed import Money

from _accounts import nights
from _overdue import of_account
from billrules import DEFAULT_POLICY, apply
from billrules.account import Account
from billrules.balance import BalanceFacts, Ledger, LedgerEntry
from billrules.contract import Transition
from billrules.dunning import can_use_product as dunning_use
from billrules.invoices import InvoiceStatus, change_status
from billrules.overdue import (
    OverdueFacts,
    OverduePolicy,
    can_use_product,
    role_findings,
    transitions,
)
from billrules.testing import ledgers, overdue_accounts, overdue_facts, overdue_policies, zones
from billrules.timeline import timeline

#: A property that runs several windows of a whole account: the profile's count, at most 60
#: (the gate stays short, as tests/test_closed_loop.py does).
_WINDOW_EXAMPLES = min(settings().max_examples, 60)
#: Cheaper properties over the area alone: at most 60 (about 2 s each).
_EXAMPLES = min(settings().max_examples, 60)
_FAR = timedelta(days=400)


def _first(facts: OverdueFacts) -> datetime:
    return min(invoice.issued_at for invoice in facts.invoices).astimezone(UTC)


def _instant(facts: OverdueFacts) -> st.SearchStrategy[datetime]:
    """An instant from 5 days before the first invoice to 200 days after."""
    first = _first(facts)
    return st.integers(-5 * 24 * 60, 200 * 24 * 60).map(lambda m: first + timedelta(minutes=m))


def _instants(facts: OverdueFacts, *, size: int = 6) -> st.SearchStrategy[list[datetime]]:
    """2 to ``size`` instants of :func:`_instant`, in order."""
    return st.lists(_instant(facts), min_size=2, max_size=size).map(sorted)


def _index(facts: OverdueFacts, policy: OverduePolicy, at: datetime, zone: ZoneInfo) -> int:
    """The stage's place in the ladder at ``at`` as the ``use_product`` finding names it; -1
    when nothing is restricted (nothing overdue, or below the threshold)."""
    (finding,) = role_findings(facts, policy, role="staff", at=at, zone=zone)
    stage = finding.details["stage"]
    if stage is None:
        return -1
    return [s.name for s in policy.stages].index(stage)


def _all(facts: OverdueFacts, policy: OverduePolicy, zone: ZoneInfo) -> list[Transition]:
    first = _first(facts)
    return list(transitions(facts, policy, start=first - _FAR, end=first + _FAR, zone=zone))


def _retried(found: list[Transition], invoice_id: str) -> list[Transition]:
    return [
        t
        for t in found
        if t.kind == "charge_retry" and t.reasons[0].details["invoice_id"] == invoice_id
    ]


class TestLadder:
    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones(), st.data())
    def test_stage_is_monotone_in_the_instant(self, facts, policy, zone, data) -> None:
        """OVD-3, OVD-4: under fixed facts the stage at a later instant is never lower (a hold
        included: capped before its end, the clock's after)."""
        instants = data.draw(_instants(facts))
        stages = [_index(facts, policy, at, zone) for at in instants]
        assert stages == sorted(stages)
        event(f"stages seen: {len(set(stages))}")

    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones(), st.data())
    def test_paying_the_oldest_overdue_invoice_never_raises_the_stage(
        self, facts, policy, zone, data
    ) -> None:
        """OVD-4: at any instant the oldest overdue invoice (INV-3's order) is paid, the stage
        then and at any later instant is no higher than without the payment."""
        assume(facts.due)
        oldest = facts.due[0]  # INV-3's order: overdue first once its due instant is past
        paid_at = oldest.due_at + timedelta(minutes=data.draw(st.integers(1, 200 * 24 * 60)))
        later = [at for at in data.draw(_instants(facts)) if at > paid_at]
        paid = change_status(oldest, to=InvoiceStatus.PAID, at=paid_at)
        after = attrs.evolve(
            facts, invoices=tuple(paid if i.id == oldest.id else i for i in facts.invoices)
        )
        for at in (paid_at, *later):
            assert _index(after, policy, at, zone) <= _index(facts, policy, at, zone)

    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones())
    def test_the_stage_transitions_say_the_stage_from_then_on(self, facts, policy, zone) -> None:
        """OVD-3, X-5: each overdue_stage transition after the first names the stage
        can_use_product reads at its instant (the first begins at the due instant itself,
        INV-2: overdue just after), and the stages only rise."""
        stages = [t for t in _all(facts, policy, zone) if t.kind == "overdue_stage"]
        names = [s.name for s in policy.stages]
        entered = [names.index(t.reasons[0].details["stage"]) for t in stages]
        assert entered == sorted(set(entered))
        for transition in stages:
            at = transition.at + timedelta(microseconds=1)
            assert _index(facts, policy, at, zone) == names.index(
                transition.reasons[0].details["stage"]
            )


class TestNoRetry:
    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones())
    def test_no_retry_of_a_settled_written_off_or_hard_declined_invoice(
        self, facts, policy, zone
    ) -> None:
        """OVD-1, OVD-2, OVD-6: no charge_retry for a paid, cancelled or uncollectible invoice,
        nor after a hard decline (manual or automatic) unless a new default (another method,
        default since after the decline) came; none before the last attempt; at most one per
        gap of the policy, and one more at once for a new default."""
        found = _all(facts, policy, zone)
        wallet = facts.wallet
        for invoice in facts.invoices:
            retried = _retried(found, invoice.id)
            if invoice.status not in (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED):
                assert retried == []
                continue
            automatic = [a for a in invoice.attempts if a.automatic]
            if not automatic or not automatic[-1].failed:
                assert retried == []
                continue
            last = automatic[-1]
            decline = [a for a in invoice.attempts if a.failed][-1]
            assert all(t.at >= last.at for t in retried)
            renewed = (
                wallet.default is not None
                and wallet.default_since is not None
                and wallet.default_since > last.at
                and wallet.default_since > decline.at
                and wallet.default_id != decline.method_id
            )
            most = max(0, len(policy.retry_gaps) + 1 - len(automatic)) + (1 if renewed else 0)
            assert len(retried) <= most
            if decline.decline_code in policy.hard_declines and not renewed:
                assert retried == []
                event("hard decline: no retry")
            elif retried:
                event("retried")

    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones(), st.data())
    def test_no_retry_after_payment_or_write_off(self, facts, policy, zone, data) -> None:
        """OVD-1, OVD-6: once an invoice with money due is paid or written off at an instant,
        no charge_retry of it is due from then on."""
        due = [
            i for i in facts.invoices if i.status in (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED)
        ]
        assume(due)
        target = data.draw(st.sampled_from(due))
        at = max(data.draw(_instant(facts)), target.issued_at)
        to = data.draw(st.sampled_from((InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)))
        changed = change_status(target, to=to, at=at)
        after = attrs.evolve(
            facts, invoices=tuple(changed if i.id == target.id else i for i in facts.invoices)
        )
        assert _retried(_all(after, policy, zone), target.id) == []


class TestHold:
    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones(), st.data())
    def test_a_hold_caps_the_stage_until_it_ends(self, facts, policy, zone, data) -> None:
        """OVD-8: while held, the stage is at most the first; at the hold's end and after it
        is the stage without the hold; no retry and no final action is due before it ends."""
        hold = data.draw(_instant(facts))
        held = attrs.evolve(facts, hold_until=hold)
        free = attrs.evolve(facts, hold_until=None)
        before = hold - timedelta(microseconds=1)
        assert _index(held, policy, before, zone) <= 0
        assert _index(held, policy, before, zone) == min(_index(free, policy, before, zone), 0)
        for at in (hold, hold + timedelta(days=data.draw(st.integers(0, 60)))):
            assert _index(held, policy, at, zone) == _index(free, policy, at, zone)
        found = _all(held, policy, zone)
        early = [
            t
            for t in found
            if t.kind in ("charge_retry", "retry_blocked", "final_action") and t.at < hold
        ]
        assert early == []
        if _index(free, policy, before, zone) > 0:
            event("the hold held a stage back")


def _cuts(start: datetime, end: datetime) -> st.SearchStrategy[list[datetime]]:
    minutes = int((end - start).total_seconds() // 60)
    return st.lists(st.integers(0, minutes), max_size=6).map(
        lambda cuts: [start, *(start + timedelta(minutes=c) for c in sorted(cuts)), end]
    )


def _window(account: Account, data: st.DataObject) -> tuple[datetime, datetime]:
    # From around the first due instant: collections happen after it.
    first = min(invoice.due_at for invoice in account.invoices).astimezone(UTC)
    start = first + timedelta(hours=data.draw(st.integers(-10 * 24, 30 * 24)))
    # Hours; half of the windows over 30 days (Hypothesis favours small integers).
    length = data.draw(st.integers(0, 90 * 24) | st.integers(30 * 24, 90 * 24))
    return start, start + timedelta(hours=length)


def _effects(found: list[Transition]) -> list:
    return [effect for transition in found for effect in transition.effects]


class TestThePartition:
    @settings(max_examples=_WINDOW_EXAMPLES, deadline=None)
    @given(overdue_accounts(), overdue_policies(), st.data())
    def test_a_window_is_its_pieces_with_apply_between(self, account, overdue, data) -> None:
        """X-9, OVD-4: the timeline of [a, c) equals the timelines of [a, b) and [b, c) (any
        cuts), each run on the account with the previous pieces' effects applied
        (billrules.apply: cancellations, write-offs); the account they leave is the whole
        window's effects applied."""
        policy = attrs.evolve(DEFAULT_POLICY, overdue=overdue)
        start, end = _window(account, data)
        bounds = data.draw(_cuts(start, end))
        whole = list(timeline(account, policy, start=start, end=end).events)
        runs, lived = nights(account, policy, bounds)
        assert whole == [t for night in runs for t in night.events]
        assert lived == apply(account, _effects(whole))
        event(f"overdue kinds: {sorted({t.kind for t in whole if t.area == 'overdue'})}")

    @settings(max_examples=_WINDOW_EXAMPLES, deadline=None)
    @given(overdue_accounts(), overdue_policies(), st.data())
    def test_the_stage_is_the_same_whatever_nights_led_there(self, account, overdue, data) -> None:
        """X-9, OVD-4: the stage at the end of a window, read from the account nightly runs
        left (one run a night, or any other cuts), is the stage read from the account with
        the whole window's effects applied."""
        policy = attrs.evolve(DEFAULT_POLICY, overdue=overdue)
        start, end = _window(account, data)
        nightly = [start + timedelta(days=d) for d in range((end - start).days + 1)]
        if nightly[-1] != end:
            nightly.append(end)
        cut = data.draw(_cuts(start, end))
        whole = apply(
            account, _effects(list(timeline(account, policy, start=start, end=end).events))
        )
        expected = _index(of_account(whole), overdue, end, account.zone)
        for bounds in (nightly, cut):
            _, lived = nights(account, policy, bounds)
            assert _index(of_account(lived), overdue, end, account.zone) == expected
        event(f"stage at the end: {expected}")

    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones(), st.data())
    def test_the_areas_transitions_do_not_depend_on_the_window(
        self, facts, policy, zone, data
    ) -> None:
        """OVD-4: under fixed facts, the transitions of [a, c) are those of [a, b) then
        [b, c), whatever b."""
        a, b, c = sorted(data.draw(st.lists(_instant(facts), min_size=3, max_size=3)))
        whole = list(transitions(facts, policy, start=a, end=c, zone=zone))
        first = list(transitions(facts, policy, start=a, end=b, zone=zone))
        second = list(transitions(facts, policy, start=b, end=c, zone=zone))
        assert whole == first + second


def _debts(at: datetime) -> st.SearchStrategy[Ledger]:
    """A prepaid ledger in debt at ``at``: one charge of 0.01 to 100.00 up to 40 days before."""
    return st.builds(
        lambda at, cents: Ledger(
            currency="USD",
            entries=(
                LedgerEntry(
                    id="c-1",
                    kind="charge",
                    at=at,
                    amount=Money(-cents, "USD") / 100,
                    description="x",
                ),
            ),
        ),
        st.integers(0, 40 * 24).map(lambda hours: at - timedelta(hours=hours)),
        st.integers(1, 10_000),
    )


_SEVERITY = ["full", "full_with_reminder", "payment_page_only", "blocked"]


class TestStricterWins:
    @settings(max_examples=_EXAMPLES)
    @given(overdue_facts(), overdue_policies(), zones(), st.data())
    def test_each_role_gets_the_stricter_of_the_two_levels(self, facts, policy, zone, data) -> None:
        """OVD-9: with a prepaid ledger too, each role's level is the stricter of the overdue
        level (the facts without the ledger) and dunning's (DUN-1 on the ledger's balance);
        when dunning restricts, stricter_wins (OVD-9) names dunning's level and the level
        enforced — first when dunning's is the stricter — beside the overdue reasons (dunning's
        own reasons stay in its finding)."""
        at = data.draw(_instant(facts))
        ledger = data.draw(ledgers(currency="USD") | _debts(at))
        role = data.draw(st.sampled_from(("owner", "admin", "staff")))
        both = attrs.evolve(facts, ledger=ledger)
        alone = can_use_product(facts, policy, role=role, at=at, zone=zone)
        debt = dunning_use(
            BalanceFacts.from_ledger(ledger, at), both.dunning, role=role, at=at, zone=zone
        )
        decision = can_use_product(both, policy, role=role, at=at, zone=zone)
        levels = (alone.reasons[0].details["level"], debt.reasons[0].details["level"])
        strict = max(levels, key=_SEVERITY.index)
        assert decision.reasons[0].details["level"] == strict
        assert decision.allowed is (strict in ("full", "full_with_reminder"))
        if levels[1] != "full":
            (wins,) = [r for r in decision.reasons if r.code == "stricter_wins"]
            assert (wins.details["dunning_level"], wins.details["level"]) == (levels[1], strict)
            if _SEVERITY.index(levels[1]) > _SEVERITY.index(levels[0]):
                assert decision.codes[0] == "stricter_wins"
            assert set(alone.codes) <= set(decision.codes)
            assert not any(r.rule.startswith("DUN-") for r in decision.reasons)
            event("both restrict" if alone.codes != ("nothing_overdue",) else "dunning only")
