"""Collections where they meet the other areas and the host: the access every ``SetAccess``
asks for with a prepaid debt too (OVD-9), a write-off ending collections (OVD-6), a new card
after a blocked retry (OVD-2), the issue-date clock when the oldest is paid (OVD-4), and the
retries' wall time after a hold (OVD-1, OVD-8)."""

from __future__ import annotations

from datetime import UTC, timedelta

import attrs
from moneyed import Money

from _overdue import (
    ACCOUNT,
    DEFAULT,
    NY,
    card,
    facts,
    failed,
    invoice,
    kinds,
    ny,
    stage_at,
    window,
)
from billrules import DEFAULT_POLICY, apply
from billrules.balance import EntryKind, Ledger, LedgerEntry
from billrules.invoices import ChargeAttempt
from billrules.overdue import OverduePolicy, can_use_product, record_attempt, write_off
from billrules.payment_methods import Wallet
from billrules.timeline import timeline

#: A prepaid debt of 10.00 USD since 20 April: dunning blocks everyone from 10 May (DUN-1).
DEBT = Ledger(
    currency="USD",
    entries=(
        LedgerEntry(
            id="c-1", kind=EntryKind.ADJUSTMENT, at=ny(4, 20), amount=Money("-10.00", "USD")
        ),
    ),
)


def _access(transition) -> dict[str, str]:
    (access,) = [e for e in transition.effects if e.kind == "set_access"]
    return dict(access.access)


class TestStricterAccessInEffects:
    def test_the_stage_s_set_access_is_the_stricter_of_the_two(self) -> None:
        """OVD-9: with dunning at ``payment_page_only`` for owner and admin on 1 May (day 1 of
        a debt carried from April: its last stage, everyone blocked), the past_due stage's
        SetAccess keeps what dunning blocks, never full access."""
        found = facts(ledger=DEBT)
        (first, *_) = kinds(window(found), "overdue_stage")
        levels = _access(first)
        for role in ("owner", "admin", "staff"):
            decision = can_use_product(
                found, DEFAULT, role=role, at=first.at + timedelta(1), zone=NY
            )
            assert levels[role] == decision.reasons[0].details["level"]
        assert levels["staff"] != "full"

    def test_a_dunning_change_while_collections_restrict_restates_the_stricter(self) -> None:
        """OVD-9: at each of dunning's changes inside collections, an access_combined
        transition (after dunning's own, by the registry's order) asks for the stricter
        access; the account's timeline ends each instant on what can_use_product says."""
        debt = Ledger(
            currency="USD",
            entries=(
                LedgerEntry(
                    id="c-1",
                    kind=EntryKind.ADJUSTMENT,
                    at=ny(5, 3),
                    amount=Money("-10.00", "USD"),
                ),
                LedgerEntry(
                    id="p-1", kind=EntryKind.PAYMENT, at=ny(5, 12, 15), amount=Money("10.00", "USD")
                ),
            ),
        )
        account = attrs.evolve(ACCOUNT, ledger=debt)
        # No base tariff: the ledger holds only the debt and its payment (no monthly charge).
        policy = attrs.evolve(
            DEFAULT_POLICY,
            balance=attrs.evolve(DEFAULT_POLICY.balance, base_tariff=Money("0.00", "USD")),
        )
        events = timeline(account, policy, start=ny(5, 1), end=ny(5, 20)).events
        assert [e.at for e in events if e.kind == "dunning_lifted"] == [ny(5, 12, 15)]
        combined = [e for e in events if e.kind == "access_combined"]
        assert [e.at for e in combined] == [ny(5, 3), ny(5, 4), ny(5, 7), ny(5, 10), ny(5, 12, 15)]
        assert all(e.rules == ("OVD-9",) for e in combined)
        # The debt paid on the 12th: collections' warning alone from then on.
        assert _access(combined[-1]) == {
            "owner": "full_with_reminder",
            "admin": "full_with_reminder",
            "staff": "full",
        }
        found = facts(ledger=debt)
        for at in {e.at for e in events if any(x.kind == "set_access" for x in e.effects)}:
            last = [
                e for e in events if e.at == at and any(x.kind == "set_access" for x in e.effects)
            ][-1]
            after = at.astimezone(UTC) + timedelta(microseconds=1)
            for role, level in _access(last).items():
                decision = can_use_product(found, DEFAULT, role=role, at=after, zone=NY)
                assert level == decision.reasons[0].details["level"], (at, role)

    def test_a_payment_recorded_with_dunning_still_restricting_keeps_dunning_s_level(
        self,
    ) -> None:
        """OVD-4, OVD-9: paying the overdue invoice lifts collections, but the SetAccess
        returned keeps what dunning still blocks (not full access for everyone)."""
        found = facts(ledger=DEBT)
        paid = ChargeAttempt(at=ny(5, 16), outcome="succeeded", method_id="pm-visa")
        change = record_attempt(
            found, DEFAULT, invoice_id="inv-2024-05", attempt=paid, zone=NY, account="a"
        )
        (access,) = [e for e in change.effects if e.kind == "set_access"]
        for role, level in access.access.items():
            decision = can_use_product(change.facts, DEFAULT, role=role, at=ny(5, 16), zone=NY)
            assert level == decision.reasons[0].details["level"]
            assert decision.allowed is (level in ("full", "full_with_reminder"))
        assert dict(access.access) != {"owner": "full", "admin": "full", "staff": "full"}


def test_a_write_off_at_the_final_action_ends_collections_in_its_effects() -> None:
    """OVD-5, OVD-6: with write_off, the final action writes the overdue invoice off and asks
    for full access again and the banner hidden, as can_use_product then says."""
    policy = OverduePolicy(final_action="mark_unpaid", write_off=True)
    (final,) = kinds(window(facts(), policy), "final_action")
    assert [e.kind for e in final.effects][:3] == ["write_off_invoice", "set_access", "hide_banner"]
    assert dict(final.effects[1].access) == {"owner": "full", "admin": "full", "staff": "full"}
    assert "access_restored" in final.codes
    applied = apply(
        ACCOUNT,
        [
            attrs.evolve(e, account=ACCOUNT.id)
            for e in final.effects
            if e.kind == "write_off_invoice"
        ],
    )
    assert applied.invoices[0].status == "uncollectible"
    gone = attrs.evolve(facts(), invoices=applied.invoices)
    assert stage_at(gone, ny(5, 22, 1), policy) is None


def test_a_new_card_after_a_blocked_retry_is_tried_at_once() -> None:
    """OVD-2: the default expired in April, so the retry of 2 May is blocked; a new default
    since 5 May 10:00 makes attempt 2 due then, on the new card (new_method), never a retry
    in the past on a card that was not yet the default."""
    expired = card("pm-old", exp_year=2024, exp_month=4)
    before = facts(
        invoices=(invoice(attempts=(failed(ny(5, 1, 9), method_id="pm-old"),)),),
        wallet=Wallet(methods=(expired,), default_id="pm-old"),
    )
    (blocked,) = kinds(window(before), "retry_blocked")
    assert blocked.at == ny(5, 2, 9)
    renewed = attrs.evolve(
        before,
        wallet=Wallet(
            methods=(expired, card("pm-new")), default_id="pm-new", default_since=ny(5, 5, 10)
        ),
    )
    first, *rest = kinds(window(renewed), "charge_retry")
    assert (first.at, first.codes, first.effects[0].method_id, first.effects[0].attempt) == (
        ny(5, 5, 10),
        ("new_method",),
        "pm-new",
        2,
    )
    assert all(t.at > ny(5, 5, 10) for t in rest)
    assert not kinds(window(renewed), "retry_blocked")


def test_paying_the_oldest_never_raises_the_age_under_the_issue_clock() -> None:
    """OVD-3, OVD-4: with the issue-date clock, B (issued 28 April, due 29 April) and A
    (issued 1 April, due 10 May): the age counts from the earliest issue among the overdue
    invoices, so paying B (the oldest by due date) never raises the stage."""
    policy = OverduePolicy(clock="issue_date")
    a = invoice("inv-a", issued=ny(4, 1), due=ny(5, 10), attempts=())
    b = invoice("inv-b", issued=ny(4, 28), due=ny(4, 29), attempts=())
    both = facts(invoices=(a, b))
    at = ny(5, 12, 12)
    before = stage_at(both, at, policy)
    paid = ChargeAttempt(at=at, outcome="succeeded", method_id="pm-visa")
    change = record_attempt(both, policy, invoice_id="inv-b", attempt=paid, zone=NY, account="a")
    order = [None, "past_due", "warning", "blocked", "final"]
    assert order.index(stage_at(change.facts, at, policy)) <= order.index(before)
    assert not [e for e in change.effects if getattr(e, "stage", None) == "final"]
    gone = write_off(both, policy, invoice_id="inv-b", at=at, zone=NY, account="a")
    assert order.index(stage_at(gone.facts, at, policy)) <= order.index(before)


def test_retries_after_a_hold_return_to_the_first_attempt_s_wall_time() -> None:
    """OVD-1, OVD-8: a hold until 3 May 14:15 defers attempt 2 to then; attempt 3 is 8 days
    later at the first attempt's wall time (09:00), not at 14:15."""
    held = facts(hold_until=ny(5, 3, 14, 15))
    second, third, *_ = kinds(window(held), "charge_retry")
    assert second.at == ny(5, 3, 14, 15)
    assert third.at == ny(5, 11, 9)


def test_a_manual_hard_decline_stops_the_automatic_retries() -> None:
    """OVD-2: after an automatic soft decline, the customer's own attempt is declined
    ``stolen_card``: the last decline is hard, so no automatic attempt follows on that card."""
    manual = failed(ny(5, 1, 15), "stolen_card", automatic=False)
    found = facts(invoices=(invoice(attempts=(failed(ny(5, 1, 9)), manual)),))
    assert kinds(window(found), "charge_retry") == []
    notices = kinds(window(found), "charge_failed")
    assert [t.codes for t in notices] == [("charge_failed_no_retry",)]
