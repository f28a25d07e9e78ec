"""Tests for effect keys (X-6): the same effect has the same key in every run, window, process
and machine; different effects have different keys; effects gathered for an account carry
its id."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from _accounts import DELINQUENT, KYIV, T0, nights
from billrules import DEFAULT_POLICY, apply
from billrules.account import Account
from billrules.balance import BalancePolicy, Ledger, charge_month
from billrules.cancellation import (
    AccountState,
    CancellationReason,
    CancellationRequest,
    back_office_plan,
    deactivation_effects,
)
from billrules.effects import (
    KEY_VERSION,
    CancelBilling,
    DebitBalance,
    Effect,
    ReassignLeads,
    RevokeAccess,
    SendEmail,
    SetLicenceCount,
)
from billrules.errors import InvalidInput, InvalidType
from billrules.policy import Policy
from billrules.report import explain
from billrules.seats import SeatPool, back_office_cancel
from billrules.subscriptions import SubscriptionPolicy, portal_invitation
from billrules.testing import (
    account_states,
    accounts,
    aware_datetimes,
    cancellation_requests,
    effects,
    policies,
    seat_pools,
)
from billrules.timeline import timeline, upcoming

AT = datetime(2024, 5, 1, tzinfo=UTC)
KEY = r"eff_[0-9a-f]{32}"

#: Examples of a property that explains or runs the timeline of a whole generated account
#: (years of transitions each): the profile's count, at most 60, to keep the gate short.
_WHOLE_ACCOUNT_EXAMPLES = min(settings.default.max_examples, 60)


def _keys(found: tuple[Effect, ...] | list[Effect]) -> list[str]:
    return [effect.key for effect in found]


def _same(first: Effect, second: Effect) -> bool:
    """Whether two effects are the same effect: equal (``==``), their ``at`` aside when they
    have an occasion (an operation's effect is keyed by its occasion, not by when it ran)."""
    if first.occasion is None:
        return first == second
    return first == attrs.evolve(second, at=first.at)


#: An instant, the same instant on another clock, and another instant.
_T = datetime(2024, 5, 2, tzinfo=UTC)
_INSTANTS = (_T, _T.astimezone(timezone(timedelta(hours=3))), _T + timedelta(days=1))

#: Detail values that are equal across kinds (1, 1.0, True, Decimal("1.00")), or that read
#: alike but differ (an amount and its text, a date and its text, a number and its text).
_LOOK_ALIKES = st.sampled_from(
    (
        1,
        1.0,
        True,
        Decimal("1"),
        Decimal("1.00"),
        "1",
        0,
        0.0,
        -0.0,
        False,
        Decimal("-0"),
        "0",
        1.5,
        Decimal("1.5"),
        Decimal("1.50"),
        "1.5",
        0.1,
        Decimal("0.1"),
        Money("19.5", "USD"),
        Money("19.50", "USD"),
        Money("19.5", "EUR"),
        "19.5 USD",
        "19.50 USD",
        date(2024, 5, 2),
        "2024-05-02",
        *_INSTANTS,
        "2024-05-02T00:00:00+00:00",
        None,
        "null",
        (1,),
        [1.0],
        ("1",),
        {"$money": "19.5 USD"},
        {"$object": {"$money": "19.5 USD"}},
        {"$decimal": "1.5"},
        {"a": 1},
        {"a": 1.0},
        {"a": "1"},
    )
)

#: Effects that often look alike: emails with look-alike details, scheduled access
#: revocations and ones whose occasion is the text of an instant.
_LOOK_ALIKE_EFFECTS = st.one_of(
    st.builds(
        SendEmail,
        at=st.sampled_from(_INSTANTS),
        rule=st.just("DEL-3"),
        template=st.just("t"),
        to=st.just("owner"),
        details=st.dictionaries(st.sampled_from(("x", "y")), _LOOK_ALIKES, max_size=2),
        account=st.sampled_from(("acme", "globex")),
        occasion=st.none() | st.sampled_from(("x", "2024-05-02T00:00:00+00:00")),
    ),
    st.builds(
        RevokeAccess,
        at=st.sampled_from(_INSTANTS),
        rule=st.just("CAN-8"),
        account=st.just("acme"),
        occasion=st.none()
        | st.sampled_from([at.isoformat() for at in _INSTANTS])
        | st.just(_T.astimezone(timezone(timedelta(hours=3))).isoformat()),
    ),
)


def _keyed_effects() -> st.SearchStrategy[Effect]:
    """Generated effects of every kind, each with an account (an effect has a key only with
    one)."""
    return effects().map(
        lambda effect: (
            effect if effect.account is not None else attrs.evolve(effect, account="acme")
        )
    )


def _same_day(instant: datetime, seconds: int) -> datetime:
    """An instant ``seconds`` into the UTC day of ``instant``, on ``instant``'s clock."""
    day = instant.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (day + timedelta(seconds=seconds)).astimezone(instant.tzinfo)


class TestExampleKeys:
    """X-6: keys pinned, so any change of the encoding is caught."""

    def test_pinned_keys(self) -> None:
        """X-6: the keys of a few effects, as the documented encoding gives them."""
        examples = {
            "eff_6476633bfd2d0a75bff9d5e12926476c": CancelBilling(
                at=AT, rule="CAN-7", invoice_id="inv-9", account="acme"
            ),
            "eff_c6e933d4ea31d077a499cd70f71f70e6": SendEmail(
                at=AT,
                rule="DEL-3",
                template="t",
                to="owner",
                details={"deletion_date": "2024-05-11", "days": 10},
                account="acme",
            ),
            "eff_d0babe9d6784580751ac28b49cbac6ed": SendEmail(
                at=AT,
                rule="DEL-3",
                template="t",
                to="owner",
                details={
                    "deletion_date": date(2024, 5, 11),
                    "days": 10,
                    "share": Decimal("0.50"),
                    "due": Money("19.50", "USD"),
                },
                account="acme",
            ),
            "eff_38b2135f7d3e7aa72d1440defd8ed086": DebitBalance(
                at=datetime(2024, 6, 1, tzinfo=KYIV),
                rule="BAL-7",
                amount=Money("19.00", "USD"),
                description="Usage of 2024-05",
                occasion="charge-2024-05",
                account="acme",
            ),
            "eff_ae298c21e1f91e804663bbf836886cfc": RevokeAccess(
                at=datetime(2024, 6, 1, tzinfo=KYIV), rule="CAN-8", account="acme"
            ),
            "eff_7c5471b7467253c74666fab92374242e": ReassignLeads(
                at=AT, rule="CAN-8", to_agent=None, account="Олена"
            ),
        }
        assert examples == {effect.key: effect for effect in examples.values()}

    def test_key_is_the_documented_digest(self) -> None:
        """X-6: the key is eff_ and BLAKE2b-128 of the compact, sorted, ASCII JSON of
        [version, account, kind, rule, target, occasion], the occasion being ["at", at in
        UTC] for a scheduled effect and ["occasion", text] for an operation's."""
        effect = DebitBalance(
            at=datetime(2024, 6, 1, tzinfo=KYIV),
            rule="BAL-7",
            amount=Money("19.50", "USD"),
            description="Usage of 2024-05 — Київ",
            account="acme",
        )
        target = {"description": "Usage of 2024-05 — Київ", "amount": {"$money": "19.5 USD"}}

        def digest(occasion: list[str]) -> str:
            canonical = json.dumps(
                ["billrules.effect.v2", "acme", "debit_balance", "BAL-7", target, occasion],
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=True,
            )
            return "eff_" + hashlib.blake2b(canonical.encode("ascii"), digest_size=16).hexdigest()

        assert "billrules.effect.v2" == KEY_VERSION
        assert digest(["at", "2024-05-31T21:00:00+00:00"]) == effect.key
        assert target == effect.target
        charge = attrs.evolve(effect, occasion="charge-2024-05")
        assert digest(["occasion", "charge-2024-05"]) == charge.key

    def test_canonical_forms_of_details(self) -> None:
        """X-6: details in canonical form: numbers by value (an integral one an integer, any
        other a tagged decimal), money, instants (in UTC) and dates tagged, tuples and lists
        as lists, enums as values, a mapping of one $ key wrapped."""
        email = SendEmail(
            at=AT,
            rule="DEL-4",
            template="t",
            to="owner",
            details={
                "at": datetime(2024, 5, 1, 3, tzinfo=KYIV),
                "day": date(2024, 5, 2),
                "rate": Decimal("1.50"),
                "whole": Decimal("2.00"),
                "zero": Decimal("-0.00"),
                "due": Money("100", "JPY"),
                "ids": ("b", "a"),
                "list": ["c"],
                "reason": CancellationReason.OTHER,
                "ratio": 0.5,
                "float_one": 1.0,
                "minus_zero": -0.0,
                "flag": True,
                "tenth": 0.1,
                "nested": {"n": None, "text": "19.5 USD"},
                "odd": {"$money": "19.5 USD"},
            },
        )
        assert {
            "at": {"$instant": "2024-05-01T00:00:00+00:00"},
            "day": {"$date": "2024-05-02"},
            "rate": {"$decimal": "1.5"},
            "whole": 2,
            "zero": 0,
            "due": {"$money": "100 JPY"},
            "ids": ["b", "a"],
            "list": ["c"],
            "reason": "other",
            "ratio": {"$decimal": "0.5"},
            "float_one": 1,
            "minus_zero": 0,
            "flag": 1,
            "tenth": {"$decimal": "0.1000000000000000055511151231257827021181583404541015625"},
            "nested": {"n": None, "text": "19.5 USD"},
            "odd": {"$object": {"$money": "19.5 USD"}},
        } == email.target["details"]

    def test_a_value_without_canonical_form_is_refused_when_built(self) -> None:
        """X-6: details holding a value the encoding has no form for (an object, NaN, a
        mapping with other than string keys, an integer of more than 40 digits (what JSON
        reads), a decimal out of an amount's bounds) are refused when the effect is built,
        naming the path, so ``key`` never fails."""
        for value, error in (
            (object(), InvalidType),
            (float("nan"), InvalidInput),
            (Decimal("Infinity"), InvalidInput),
            (Decimal("1E+9999"), InvalidInput),
            (Decimal("1E-9999"), InvalidInput),
            ({1: "x"}, InvalidType),
            (10**5000, InvalidInput),
            (-(10**4000), InvalidInput),
            (10**40, InvalidInput),
        ):
            with pytest.raises(error) as excinfo:
                SendEmail(at=AT, rule="DEL-4", template="t", to="owner", details={"x": value})
            assert "SendEmail.details.x" == excinfo.value.field
        longest = SendEmail(
            at=AT, rule="DEL-4", template="t", to="owner", details={"x": 10**40 - 1}, account="a"
        )
        assert longest.key.startswith("eff_")

    def test_a_set_in_details_is_refused(self) -> None:
        """X-6: a set has no order to key it by, and JSON has none: details refuse it."""
        with pytest.raises(InvalidType) as excinfo:
            SendEmail(
                at=AT, rule="DEL-4", template="t", to="owner", details={"x": frozenset({9, 10})}
            )
        assert "SendEmail.details.x" == excinfo.value.field

    def test_account_and_occasion_are_checked_text(self) -> None:
        """X-6: account and occasion are non-empty text holding no card number (PM-6)."""
        for field in ("account", "occasion"):
            number: dict[str, Any] = {field: 7}
            with pytest.raises(InvalidType) as type_error:
                RevokeAccess(at=AT, rule="CAN-8", **number)
            assert f"RevokeAccess.{field}" == type_error.value.field
            with pytest.raises(InvalidInput) as empty:
                RevokeAccess(at=AT, rule="CAN-8", **{field: " "})
            assert f"RevokeAccess.{field}" == empty.value.field
            with pytest.raises(InvalidInput) as card:
                RevokeAccess(at=AT, rule="CAN-8", **{field: "4242 4242 4242 4242"})
            assert "4242" not in str(card.value)


class TestWhatTheKeyDependsOn:
    """X-6: the key follows what makes the effect the same effect, and nothing else."""

    BASE = CancelBilling(at=AT, rule="CAN-7", invoice_id="inv-1", account="acme")

    def test_each_part_changes_the_key(self) -> None:
        """X-6: account, kind, rule, target and occasion each change the key (and without
        an account there is no key)."""
        base = self.BASE
        with pytest.raises(InvalidInput) as no_account:
            _ = attrs.evolve(base, account=None).key
        assert "account" == no_account.value.field
        others = [
            attrs.evolve(base, account="other"),
            attrs.evolve(base, rule="CAN-9"),
            attrs.evolve(base, invoice_id="inv-2"),
            attrs.evolve(base, occasion="back_office_cancellation"),
            attrs.evolve(base, at=AT + timedelta(microseconds=1)),
            RevokeAccess(at=AT, rule="CAN-7", account="acme"),
        ]
        keys = {base.key, *_keys(others)}
        assert len(others) + 1 == len(keys)

    def test_occasion_replaces_the_instant(self) -> None:
        """X-6: with an occasion, the instant the effect is due does not change the key."""
        base = attrs.evolve(self.BASE, occasion="cancellation_request:2024-05-01T00:00:00+00:00")
        assert base.key == attrs.evolve(base, at=AT + timedelta(days=400)).key

    @given(aware_datetimes())
    def test_same_instant_on_any_clock(self, at: datetime) -> None:
        """X-6: the instant is keyed in UTC: the same instant in another zone, same key."""
        effect = attrs.evolve(self.BASE, at=at)
        for zone in (UTC, ZoneInfo("Pacific/Kiritimati"), timezone(timedelta(hours=-5))):
            assert effect.key == attrs.evolve(effect, at=at.astimezone(zone)).key

    def test_equal_amounts_give_equal_keys(self) -> None:
        """X-6: 19.00 USD and 19.0 USD are the same amount, so the same key."""
        debit = DebitBalance(
            at=AT, rule="BAL-7", amount=Money("19.00", "USD"), description="x", account="acme"
        )
        assert debit.key == attrs.evolve(debit, amount=Money("19.0", "USD")).key

    @given(_keyed_effects(), st.data())
    def test_same_effect_same_key(self, effect: Effect, data: st.DataObject) -> None:
        """X-6: an effect rebuilt from its fields, or due at another instant when it has an
        occasion, has the same key."""
        assert effect.key == attrs.evolve(effect).key
        if effect.occasion is not None:
            other = data.draw(aware_datetimes())
            assert effect.key == attrs.evolve(effect, at=other).key

    @given(st.lists(_keyed_effects(), max_size=12))
    def test_same_key_iff_same_effect(self, found: list[Effect]) -> None:
        """X-6 property: two effects of any kind share a key exactly when they are the same
        effect (equal, their ``at`` aside when they have an occasion)."""
        for first, second in itertools.product(found, repeat=2):
            assert (first.key == second.key) is _same(first, second)

    @given(_LOOK_ALIKE_EFFECTS, _LOOK_ALIKE_EFFECTS)
    def test_look_alikes_share_a_key_iff_equal(self, first: Effect, second: Effect) -> None:
        """X-6 property: effects whose details hold values equal across kinds (1, 1.0, True,
        Decimal("1.00"); -0.0 and 0) or that only read alike (an amount and its text, a date
        and its text, a number and its text, a tag and a mapping of that key), and scheduled
        effects beside ones whose occasion is the text of their instant: the same key
        exactly when they are equal."""
        assert (first.key == second.key) is _same(first, second)
        assert (first.key == second.key) is _same(second, first)

    def test_reviewed_collisions(self) -> None:
        """X-6: values of different kinds that read alike give different keys; equal values
        of different kinds give one key."""

        def email(value: object) -> SendEmail:
            return SendEmail(
                at=AT, rule="DEL-3", template="t", to="owner", details={"x": value}, account="a"
            )

        apart = [
            (Money("19.50", "USD"), "19.5 USD"),
            (date(2024, 5, 2), "2024-05-02"),
            (Decimal("1.5"), "1.5"),
            (datetime(2024, 5, 2, tzinfo=UTC), "2024-05-02T00:00:00+00:00"),
            (1, "1"),
            ({"$money": "19.5 USD"}, Money("19.5", "USD")),
        ]
        for value, text in apart:
            assert email(value) != email(text)
            assert email(value).key != email(text).key
        alike = [(1, 1.0), (True, 1), (-0.0, 0.0), (Decimal("1.50"), 1.5), ([1], (1,))]
        for value, other in alike:
            assert email(value) == email(other)
            assert email(value).key == email(other).key
        scheduled = RevokeAccess(at=AT, rule="CAN-8", account="acme")
        named = RevokeAccess(at=AT, rule="CAN-8", occasion=AT.isoformat(), account="acme")
        assert scheduled.key != named.key


def _nightly(account: Account, policy: Policy, bounds: list[datetime]) -> list[Effect]:
    """The effects of runs over consecutive windows, each night's applied before the next (X-9)."""
    runs, _ = nights(account, policy, bounds)
    return [effect for night in runs for event in night.events for effect in event.effects]


class TestTimelineKeys:
    """X-6 over timelines: a window cut into runs gives the same keys as one run."""

    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(accounts(), policies(), st.data())
    def test_any_partition_of_a_window_gives_the_same_keys(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-6, X-9: the keys of the effects of runs over any partition of a window into
        consecutive windows, each run's effects applied before the next, are those of one
        timeline over the window, in order, without duplicates; distinct effects there have
        distinct keys."""
        start = account.created_at + timedelta(hours=data.draw(st.integers(-2000, 9000)))
        length = data.draw(st.integers(0, 900 * 24))
        end = start + timedelta(hours=length)
        cuts = data.draw(st.lists(st.integers(0, length), max_size=6).map(sorted))
        bounds = [start, *(start + timedelta(hours=cut) for cut in cuts), end]
        whole = [
            e for t in timeline(account, policy, start=start, end=end).events for e in t.effects
        ]
        runs = _nightly(account, policy, bounds)
        assert _keys(whole) == _keys(runs)
        assert len(whole) == len(set(_keys(whole)))
        for first, second in itertools.combinations(whole, 2):
            assert (first.key == second.key) is _same(first, second)
        assert all(account.id == e.account for e in whole)

    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(accounts(), policies(), st.data())
    def test_a_later_run_recomputes_the_same_keys(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-6: a later cron window overlapping an earlier one, run once the earlier one's
        effects were applied (X-9), gives the keys of the effects they share, and the other
        effects have keys the earlier window did not."""
        start = account.created_at + timedelta(hours=data.draw(st.integers(-2000, 9000)))
        first_end = start + timedelta(days=data.draw(st.integers(1, 400)))
        later = start + timedelta(hours=data.draw(st.integers(0, 400 * 24)))
        later_end = later + timedelta(days=data.draw(st.integers(1, 400)))
        first = {
            e.key: e
            for t in timeline(account, policy, start=start, end=first_end).events
            for e in t.effects
        }
        applied = apply(account, first.values())
        second = {
            e.key: e
            for t in timeline(applied, policy, start=later, end=later_end).events
            for e in t.effects
        }
        for key in first.keys() & second.keys():
            assert first[key] == second[key]
        for key, effect in second.items():
            inside = start <= effect.at < first_end
            assert (key in first) is inside

    def test_seed_account_keys(self) -> None:
        """X-6: the seed account's deletion and cancellation effects carry its id, and their
        keys are those of the areas' operations given it."""
        tl = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=60))
        found = [e for t in tl.events for e in t.effects]
        assert found
        assert {"acme"} == {e.account for e in found}
        request = DELINQUENT.cancellation_request
        assert request is not None
        expected = deactivation_effects(request, DEFAULT_POLICY.cancellation, account="acme")
        assert set(_keys(expected)) <= set(_keys(found))
        other = deactivation_effects(request, DEFAULT_POLICY.cancellation, account="globex")
        assert not set(_keys(other)) & set(_keys(found))


class TestGatheredForAnAccount:
    """X-6: the effects of timeline, upcoming and explain carry the account's id."""

    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(accounts(), policies(), st.data())
    def test_timeline_upcoming_and_explain_carry_the_account(
        self, account: Account, policy: Policy, data: st.DataObject
    ) -> None:
        """X-6: every effect of a timeline, of ``upcoming`` and of a report's next events
        names the account; a transition without effects is unchanged."""
        at = account.created_at + timedelta(hours=data.draw(st.integers(0, 9000)))
        gathered = [
            *timeline(account, policy, start=at, end=at + timedelta(days=400)).events,
            *upcoming(account, policy, at, count=10, days=800),
            *explain(account, policy, at).next_events,
        ]
        assert all(e.account == account.id for t in gathered for e in t.effects)


class TestOperationKeys:
    """X-6: an operation run at two instants on the same facts gives the same keys."""

    @given(
        account_states(requests=st.none() | cancellation_requests()),
        st.sampled_from(CancellationReason),
        aware_datetimes(),
        st.integers(min_value=0, max_value=24 * 3600 - 1),
    )
    def test_back_office_plan(
        self, state: AccountState, reason: CancellationReason, first: datetime, seconds: int
    ) -> None:
        """CAN-7, SEAT-5, X-6: the plan computed at two instants of one UTC day has the same
        keys (with a request, at any two instants)."""
        second = _same_day(first, seconds)
        once = back_office_plan(state, at=first, reason=reason, account="acme")
        again = back_office_plan(state, at=second, reason=reason, account="acme")
        assert _keys(once) == _keys(again)
        assert len(once) == len(set(_keys(once)))
        assert all(e.occasion is not None for e in once)
        if state.request is not None and state.request.state != "withdrawn":
            later = back_office_plan(
                state, at=first + timedelta(days=400), reason=reason, account="acme"
            )
            assert _keys(once) == _keys(later)

    def test_back_office_plan_names_the_request(self) -> None:
        """CAN-7, X-6: a plan's occasion is the request (its instant in UTC), or the
        back-office cancellation of the day without one; two requests give two sets of keys,
        and so do two days without one."""
        state = AccountState(status="active", currency="USD", licence_count=3)
        request = CancellationRequest(
            reason="other",
            requested_at=datetime(2024, 5, 2, 12, tzinfo=KYIV),
            deactivates_at=datetime(2024, 6, 1, tzinfo=KYIV),
        )
        without = back_office_plan(state, at=AT, reason="other", account="acme")
        with_request = back_office_plan(
            attrs.evolve(state, request=request), at=AT, reason="other", account="acme"
        )
        assert {"back_office_cancellation:2024-05-01:3"} == {e.occasion for e in without}
        assert {"cancellation_request:2024-05-02T09:00:00+00:00"} == {
            e.occasion for e in with_request
        }
        assert not set(_keys(without)) & set(_keys(with_request))
        withdrawn = attrs.evolve(request, state="withdrawn")
        assert _keys(without) == _keys(
            back_office_plan(
                attrs.evolve(state, request=withdrawn), at=AT, reason="other", account="acme"
            )
        )
        a_year_later = back_office_plan(
            state, at=AT + timedelta(days=365), reason="other", account="acme"
        )
        assert not set(_keys(without)) & set(_keys(a_year_later))

    @given(seat_pools(), aware_datetimes(), st.integers(min_value=0, max_value=24 * 3600 - 1))
    def test_seat_back_office_cancel(self, pool: SeatPool, first: datetime, seconds: int) -> None:
        """SEAT-5, X-6: cancelling the seats at two instants of one UTC day gives the same
        keys, and the count set to 0 is the same effect as the back-office plan's without a
        request that day."""
        second = _same_day(first, seconds)
        _, once = back_office_cancel(pool, at=first, account="acme")
        _, again = back_office_cancel(pool, at=second, account="acme")
        assert _keys(once) == _keys(again)
        assert len(once) == len(set(_keys(once)))
        if pool.total:
            plan = back_office_plan(
                AccountState(status="DELETE", currency="USD", licence_count=pool.total),
                at=second,
                reason="other",
                account="acme",
            )
            assert [SetLicenceCount.kind] == [e.kind for e in plan]
            assert plan[0].key == once[-1].key

    def test_a_cancellation_repeated_a_year_later_has_new_keys(self) -> None:
        """SEAT-5, X-6: a pool cancelled, re-seated and cancelled a year later: the second
        cancellation's keys are new, so a host recording keys carries it out too; with the
        host's own occasion for each, likewise."""
        pool = SeatPool(total=2, occupants=("ann",))
        _, first = back_office_cancel(pool, at=AT, account="acme")
        _, second = back_office_cancel(pool, at=AT + timedelta(days=365), account="acme")
        assert not set(_keys(first)) & set(_keys(second))
        _, mine = back_office_cancel(pool, at=AT, occasion="ticket-1", account="acme")
        _, mine_again = back_office_cancel(pool, at=AT, occasion="ticket-2", account="acme")
        assert not set(_keys(mine)) & set(_keys(mine_again))

    @given(aware_datetimes(), aware_datetimes())
    def test_portal_invitation(self, first: datetime, second: datetime) -> None:
        """SUB-5, X-6: the invitation computed at two instants has one key."""
        policy = SubscriptionPolicy()
        once = portal_invitation(0, policy, to="owner", at=first, account="acme")
        again = portal_invitation(0, policy, to="owner", at=second, account="acme")
        assert ("first_sign_up",) == tuple(e.occasion for e in once)
        assert _keys(once) == _keys(again)

    def test_monthly_debit(self) -> None:
        """BAL-7, X-6: the debit's occasion is its charge; each month its own key."""
        ledger = Ledger(currency="USD")
        policy = BalancePolicy()
        may = charge_month(ledger, (), policy, month=date(2024, 5, 1), zone=KYIV, account="acme")
        june = charge_month(ledger, (), policy, month=date(2024, 6, 9), zone=KYIV, account="acme")
        (debit,) = may.effects
        assert may.charge.id == debit.occasion == "charge-2024-05"
        assert (
            debit.key
            == charge_month(ledger, (), policy, month=date(2024, 5, 31), zone=KYIV, account="acme")
            .effects[0]
            .key
        )
        assert debit.key != june.effects[0].key


#: Effects whose keys are computed in fresh interpreters: non-ASCII text, money, instants in
#: a zone, and a mapping whose keys are not in sorted order.
_PROGRAM = textwrap.dedent(
    """
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from moneyed import Money
    from billrules.effects import DebitBalance, SendEmail, RevokeAccess
    kyiv = ZoneInfo("Europe/Kyiv")
    found = [
        SendEmail(at=datetime(2024, 5, 20, tzinfo=kyiv), rule="DEL-3", template="notice",
                  to="Олена", account="acme",
                  details={"names": {"e": 1, "d": 2.5, "c": "три", "b": None, "a": [1]},
                           "days": 10}),
        DebitBalance(at=datetime(2024, 6, 1, tzinfo=kyiv), rule="BAL-7",
                     amount=Money("19.00", "USD"), description="Usage of 2024-05",
                     occasion="charge-2024-05", account="acme"),
        RevokeAccess(at=datetime(2024, 6, 1, tzinfo=kyiv), rule="CAN-8", account="acme"),
    ]
    print(json.dumps([effect.key for effect in found]))
    """
)


def test_keys_are_the_same_in_other_processes() -> None:
    """X-6: two fresh interpreters with different hash seeds compute the same keys, and
    those of this process."""
    namespace: dict[str, Any] = {}
    exec(_PROGRAM.replace("print(", "result = ("), namespace)
    expected = json.loads(namespace["result"])
    for seed in ("0", "4242"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _PROGRAM],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
            timeout=120,
        )
        assert expected == json.loads(done.stdout)
