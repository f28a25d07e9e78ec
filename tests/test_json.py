"""Every value to and from JSON: billrules.serialize.to_dict/from_dict/to_json/from_json round
trip every generated value, write money and instants in one form, and name the path of what
they refuse (X-1, X-2, X-4, X-5)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from billrules import DEFAULT_POLICY, InvalidInput, InvalidType
from billrules._plain import PlainDataError
from billrules._time import start_of_day
from billrules.cancellation import CancellationCode
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Reason
from billrules.deletion import DeletionCode, DeletionKind, DeletionQuestion
from billrules.dunning import DunningCode
from billrules.effects import (
    CancelBilling,
    ChargePaymentMethod,
    Effect,
    SendEmail,
    ShowBanner,
)
from billrules.report import explain
from billrules.serialize import from_dict, from_json, to_dict, to_json
from billrules.testing import (
    account_activities,
    account_states,
    accounts,
    balance_facts,
    balance_policies,
    cancellation_policies,
    decisions,
    deletion_policies,
    dunning_policies,
    effects,
    findings,
    invoice_facts,
    invoice_policies,
    ledgers,
    payment_method_policies,
    policies,
    prepaid_facts,
    reasons,
    seat_policies,
    seat_pools,
    subscription_facts,
    subscription_policies,
    suspensions,
    transitions,
    wallets,
)
from billrules.timeline import timeline

T0 = datetime(2024, 5, 1, tzinfo=UTC)

#: Every generated kind of value.
VALUES = st.one_of(
    accounts(),
    policies(),
    balance_policies(),
    cancellation_policies(),
    deletion_policies(),
    dunning_policies(),
    invoice_policies(),
    payment_method_policies(),
    seat_policies(),
    subscription_policies(),
    ledgers(),
    prepaid_facts(),
    invoice_facts(),
    subscription_facts(),
    account_activities(),
    account_states(),
    balance_facts(),
    wallets(),
    seat_pools(),
    suspensions().flatmap(lambda found: st.sampled_from(found) if found else st.nothing()),
    reasons(),
    decisions(),
    findings(),
    transitions(),
    effects(),
)

#: Examples of a property that explains or runs the timeline of a whole generated account
#: (years of transitions each): the profile's count, at most 60, to keep the gate short.
_WHOLE_ACCOUNT_EXAMPLES = min(settings.default.max_examples, 60)


def round_trip(value: Any) -> None:
    """``value`` comes back equal through plain data and through JSON text."""
    data = to_dict(value)
    assert json.loads(json.dumps(data)) == data
    assert value == from_dict(type(value), data)
    assert value == from_json(type(value), to_json(value))


class TestRoundTrip:
    """``from_dict(type(x), to_dict(x)) == x`` for every value."""

    @given(VALUES)
    def test_every_generated_value(self, value: Any) -> None:
        """X-1: every generated fact, policy, reason, decision, finding, transition,
        suspension and effect comes back equal, through plain data and JSON text."""
        round_trip(value)

    @given(effects())
    def test_effects_through_their_base(self, effect: Effect) -> None:
        """X-2, X-6: an effect read as an Effect is built as the class its kind names, with
        the same key."""
        data = to_dict(effect)
        back = from_dict(Effect, data)
        assert type(effect) is type(back)
        assert data["key"] == to_dict(back)["key"]
        assert (data["key"] is None) is (effect.account is None)
        if effect.account is not None:
            assert effect.key == back.key == data["key"]
        assert effect == back

    @given(reasons())
    def test_reason_codes_keep_their_area(self, reason: Reason) -> None:
        """X-1: a reason's code comes back as its own area's enum member, even where the same
        code belongs to two areas."""
        back = from_dict(Reason, to_dict(reason))
        assert type(reason.code) is type(back.code)
        assert reason.message == back.message

    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(accounts(), st.integers(min_value=0, max_value=800))
    def test_reports_and_timelines(self, account: Any, days: int) -> None:
        """X-1, X-5: the report and the timeline of a generated account come back equal, and
        their to_dict is serialize.to_dict."""
        at = account.created_at + timedelta(days=days)
        report = explain(account, DEFAULT_POLICY, at)
        assert to_dict(report) == report.to_dict()
        round_trip(report)
        events = timeline(account, DEFAULT_POLICY, start=at, end=at + timedelta(days=400))
        assert to_dict(events) == events.to_dict()
        round_trip(events)
        for event in events.events:
            assert type(event.kind) is type(from_dict(Transition, to_dict(event)).kind)


class TestForms:
    """One form for money and instants everywhere; details say what they are."""

    def test_money_is_canonical_and_exact(self) -> None:
        """X-4: amounts are written to the minor unit at least, with every further digit,
        never with an exponent, the same way in the account JSON and the report."""
        charge = ChargePaymentMethod(
            at=T0, rule="INV-4", amount=Money("1E+2", "USD"), method_id="pm", invoice_id="i"
        )
        assert "100.00 USD" == to_dict(charge)["amount"]
        finer = ChargePaymentMethod(
            at=T0, rule="INV-4", amount=Money("2.675", "USD"), method_id="pm", invoice_id="i"
        )
        assert "2.675 USD" == to_dict(finer)["amount"]
        assert finer == from_dict(Effect, to_dict(finer))

    def test_details_are_tagged(self) -> None:
        """X-4: money, instants, dates and decimals in details are tagged objects; tuples are
        lists; mappings are objects; and they come back as they were."""
        details = {
            "amount": Money("19.00", "USD"),
            "at": T0,
            "day": date(2024, 5, 2),
            "share": Decimal("0.25"),
            "ids": ("a", "b"),
            "access": {"owner": "full"},
            "odd": {"$money": "x"},
            "none": None,
            "flag": True,
            "count": 3,
        }
        email = SendEmail(at=T0, rule="DEL-3", template="t", to="owner", details=details)
        written = to_dict(email)["details"]
        assert {
            "amount": {"$money": "19.00 USD"},
            "at": {"$instant": "2024-05-01T00:00:00+00:00"},
            "day": {"$date": "2024-05-02"},
            "share": {"$decimal": "0.25"},
            "ids": ["a", "b"],
            "access": {"owner": "full"},
            "odd": {"$object": {"$money": "x"}},
            "none": None,
            "flag": True,
            "count": 3,
        } == written
        back = from_dict(SendEmail, to_dict(email))
        assert details == dict(back.details)

    def test_details_come_back_equal(self) -> None:
        """X-1, X-4: details holding lists (kept as tuples), mappings of lists, money, dates,
        decimals, text that looks like them, and a lone ``$`` key at the top level come back
        equal, through plain data and JSON text, in an effect, a reason and a finding."""
        details = {
            "ids": [9, 10],
            "nested": {"rows": [["a", 1.5], {"$money": "19.5 USD"}]},
            "amount": Money("19.50", "USD"),
            "looks_like_money": "19.5 USD",
            "day": date(2024, 5, 2),
            "looks_like_day": "2024-05-02",
            "share": Decimal("1.50"),
            "looks_like_share": "1.5",
        }
        email = SendEmail(at=T0, rule="DEL-3", template="t", to="owner", details=details)
        assert (9, 10) == email.details["ids"]
        assert (("a", 1.5), {"$money": "19.5 USD"}) == email.details["nested"]["rows"]
        round_trip(email)
        assert email == from_dict(Effect, to_dict(email))
        round_trip(ShowBanner(at=T0, rule="DUN-2", banner="b", details={"$money": "x"}))
        assert {"$money": "x"} == to_dict(
            ShowBanner(at=T0, rule="DUN-2", banner="b", details={"$money": "x"})
        )["details"]
        reason = Reason(code=DunningCode.FULL_PAYMENT_LIFTS, details=details)
        round_trip(reason)

    def test_a_set_in_details_is_refused_naming_the_field(self) -> None:
        """X-1: JSON has no set, and the list it would become is not equal to it: a set in
        details, at any depth, is refused when the value is built, naming the field."""
        for details, path in (
            ({"ids": frozenset({9, 10})}, ".ids"),
            ({"ids": {9}}, ".ids"),
            ({"rows": ({"ids": frozenset({"a"})},)}, ".rows[0].ids"),
        ):
            with pytest.raises(InvalidType) as effect:
                SendEmail(at=T0, rule="DEL-3", template="t", to="o", details=details)
            assert "SendEmail.details" + path == effect.value.field
            assert isinstance(effect.value, TypeError)
            with pytest.raises(InvalidType) as reason:
                Reason(code=DunningCode.FULL_PAYMENT_LIFTS, details=details)
            assert "Reason.details" + path == reason.value.field

    def test_effect_is_tagged_by_kind_and_keyed(self) -> None:
        """X-2, X-6: an effect's JSON starts with its kind and key, then its fields."""
        effect = CancelBilling(at=T0, rule="CAN-7", invoice_id="inv-9", account="acme")
        data = to_dict(effect)
        assert ["kind", "key", "at", "rule", "account", "occasion", "invoice_id"] == list(data)
        assert ("cancel_billing", effect.key) == (data["kind"], data["key"])

    def test_values_written_for_readers(self) -> None:
        """X-1: a reason's area and message, a finding's answer, summary and rules, a
        transition's rules, codes and description are written; they may be left out."""
        reason = Reason(code=DeletionCode.OWNER_ONLY, details={"role": "admin"})
        data = to_dict(reason)
        assert ("deletion", reason.message) == (data["area"], data["message"])
        short = {key: data[key] for key in ("code", "rule", "details", "area")}
        assert reason == from_dict(Reason, short)
        question = next(iter(DeletionQuestion))
        finding = Finding(
            area="deletion",
            question=question,
            decision=Decision.refuse(reason),
            details=dict.fromkeys(question.fields, 1),
        )
        written = to_dict(finding)
        assert (False, finding.summary, ["DEL-2"]) == (
            written["allowed"],
            written["summary"],
            written["rules"],
        )
        transition = Transition(at=T0, area="deletion", kind="account_deleted", reasons=(reason,))
        shown = to_dict(transition)
        assert (["DEL-2"], ["owner_only"]) == (shown["rules"], shown["codes"])
        assert DeletionKind.ACCOUNT_DELETED is from_dict(Transition, shown).kind


class TestErrors:
    """What cannot become a value is refused, naming the path."""

    def problem(self, kind: Any, data: Any) -> str:
        with pytest.raises(InvalidInput) as caught:
            from_dict(kind, data)
        return f"{caught.value.field}: {caught.value.problem}"

    def test_unknown_effect_kind(self) -> None:
        """X-2: an unknown kind is refused, listing the known ones."""
        data = {**to_dict(CancelBilling(at=T0, rule="CAN-7", invoice_id="i")), "kind": "fax"}
        assert self.problem(Effect, data).startswith("kind: unknown kind 'fax'; known are ")
        assert "kind: is required" in self.problem(Effect, {"at": "2024-05-01T00:00:00+00:00"})
        assert self.problem(SendEmail, data).startswith("kind: unknown kind")

    def test_edited_key(self) -> None:
        """X-6: a key that does not match the effect's fields means the data was edited."""
        data = to_dict(CancelBilling(at=T0, rule="CAN-7", invoice_id="inv-9", account="acme"))
        data["invoice_id"] = "inv-10"
        assert "key: does not match" in self.problem(Effect, data)
        data = to_dict(CancelBilling(at=T0, rule="CAN-7", invoice_id="inv-9", account="acme"))
        data["account"] = None  # a key without its account: two accounts could share it
        assert "key: does not match" in self.problem(Effect, data)

    def test_edited_message(self) -> None:
        """X-1: a message that is not the code's sentence is refused."""
        reason = Reason(code=DunningCode.FULL_PAYMENT_LIFTS)
        data = {**to_dict(reason), "message": "Pay later."}
        assert "message: does not match" in self.problem(Reason, data)

    def test_bad_money(self) -> None:
        """X-4: a float amount or a malformed one is refused at its path."""
        data = to_dict(
            ChargePaymentMethod(
                at=T0, rule="INV-4", amount=Money("5", "USD"), method_id="pm", invoice_id="i"
            )
        )
        assert self.problem(Effect, {**data, "amount": 5.0}).startswith("amount: must be a string")
        assert self.problem(Effect, {**data, "amount": "five USD"}).startswith(
            "amount: is not an amount"
        )
        email = to_dict(SendEmail(at=T0, rule="DEL-3", template="t", to="o"))
        bad = {**email, "details": {"due": {"$money": "1e3 USD"}}}
        assert self.problem(Effect, bad).startswith("details.due['$money']: is not an amount")
        tagged = {**email, "details": {"due": {"$euro": "1"}}}
        assert "unknown tag" in self.problem(Effect, tagged)

    def test_ambiguous_code_needs_its_area(self) -> None:
        """X-1: a code two areas share (owner_only) is read by its area; without one it is
        refused, and an area without that code is refused too."""
        reason = Reason(code=CancellationCode.OWNER_ONLY)
        data = to_dict(reason)
        assert "cancellation" == data["area"]
        bare = {key: value for key, value in data.items() if key != "area"}
        assert "more than one area (cancellation, deletion)" in self.problem(Reason, bare)
        assert "area: has no reason code" in self.problem(Reason, {**data, "area": "seats"})
        assert "unknown reason code" in self.problem(Reason, {**data, "code": "nope"})

    def test_unknown_field_and_kind_and_data(self) -> None:
        """X-1: unknown keys are errors; a kind that is no billrules value and data that is
        no mapping are type errors; malformed JSON names the line."""
        data = to_dict(Decision.allow())
        assert self.problem(Decision, {**data, "note": 1}).startswith("note: unknown field")
        with pytest.raises(InvalidType, match="kind"):
            from_dict(dict, {})  # not a billrules value: refused
        with pytest.raises(InvalidType, match="data"):
            from_dict(Decision, [])  # type: ignore[arg-type]  # not a mapping: refused
        with pytest.raises(InvalidType, match="value"):
            to_dict({"allowed": True})
        with pytest.raises(PlainDataError, match="malformed JSON at line 1"):
            from_json(Decision, "{")
        with pytest.raises(PlainDataError, match="must be an object"):
            from_json(Decision, "[]")

    def test_refused_data_is_vetted_first(self) -> None:
        """X-1: data no file holds (NaN, deep nesting) is refused naming its path."""
        email = to_dict(SendEmail(at=T0, rule="DEL-3", template="t", to="o"))
        with pytest.raises(PlainDataError, match=r"details\.x: is NaN"):
            from_dict(Effect, {**email, "details": {"x": float("nan")}})

    def test_an_area_that_is_no_string_is_named(self) -> None:
        """X-1: a reason's, finding's or transition's ``area`` that is a list, an object or a
        number is refused naming ``area`` (never a raw TypeError), in a value or nested."""
        reason = to_dict(Reason(code=CancellationCode.OWNER_ONLY))
        finding = to_dict(
            Finding(
                area="deletion",
                question=next(iter(DeletionQuestion)),
                decision=Decision.allow(),
                details=dict.fromkeys(next(iter(DeletionQuestion)).fields, 1),
            )
        )
        transition = to_dict(
            Transition(
                at=T0,
                area="deletion",
                kind="account_deleted",
                reasons=(Reason(code=DeletionCode.OWNER_ONLY, details={"role": "admin"}),),
            )
        )
        for bad in ([], {}, 5, ["cancellation"]):
            assert self.problem(Reason, {**reason, "area": bad}).startswith(
                "area: must be a string"
            )
            assert self.problem(Finding, {**finding, "area": bad}).startswith(
                "area: must be a string"
            )
            assert self.problem(Transition, {**transition, "area": bad}).startswith(
                "area: must be a string"
            )
            nested = {**finding, "decision": {**finding["decision"], "reasons": [reason]}}
            nested["decision"]["reasons"][0] = {**reason, "area": bad}
            assert self.problem(Finding, nested).startswith(
                "decision.reasons[0].area: must be a string"
            )
            with pytest.raises(PlainDataError):
                from_json(Reason, json.dumps({**reason, "area": bad}))


def test_a_window_ending_in_a_dst_gap_round_trips() -> None:
    """X-3: a host that adds days in the account's zone may land in a DST gap (Kyiv has no
    2024-03-31 03:30); the timeline and the report keep the same instant as a wall time that
    exists, so they compare equal after a trip through JSON."""
    from zoneinfo import ZoneInfo

    from billrules.serialize import account_from_json

    kyiv = ZoneInfo("Europe/Kyiv")
    account = account_from_json(
        '{"id": "acme", "zone": "Europe/Kyiv", "currency": "USD",'
        ' "created_at": "2024-01-10T10:00:00+02:00", "users": [{"id": "ann", "role": "owner"}]}'
    )
    gap = datetime(2024, 3, 31, 3, 30, tzinfo=kyiv)
    events = timeline(account, DEFAULT_POLICY, start=gap - timedelta(days=30), end=gap)
    assert events.end == gap.astimezone(UTC)
    assert events.end.utcoffset() == timedelta(hours=3)
    round_trip(events)
    report = explain(account, DEFAULT_POLICY, gap)
    assert report.at == gap.astimezone(UTC)
    round_trip(report)


class TestInstantsCompareAsInstants:
    """X-3, X-6: every instant of every value compares as its UTC instant, so ``==`` agrees
    with JSON (which writes the instant) and with effect keys, in DST folds and gaps too."""

    HAVANA = ZoneInfo("America/Havana")  # midnight repeats on 2024-11-03
    YORK = ZoneInfo("America/New_York")

    def test_a_transition_at_a_repeated_midnight_round_trips_equal(self) -> None:
        """X-3: the library's own start of a day whose midnight repeats reads back equal, and
        the other fold, an hour later, is another transition."""
        start = start_of_day(date(2024, 11, 3), self.HAVANA)
        first = Transition(at=start, area="deletion", kind="account_deleted", reasons=())
        assert first == from_json(Transition, to_json(first))
        other = Transition(
            at=start.replace(fold=1 - start.fold),
            area="deletion",
            kind="account_deleted",
            reasons=(),
        )
        assert first != other
        assert hash(first) == hash(from_json(Transition, to_json(first)))

    @given(transitions(), st.sampled_from((0, 1)))
    def test_transitions_equal_exactly_when_their_instants_are(self, base, fold) -> None:
        """X-3: a transition moved to an ambiguous wall time equals another exactly when both
        are the same instant, and every one round-trips equal through JSON."""
        folded = datetime(2024, 11, 3, 1, 30, fold=fold, tzinfo=self.YORK)
        one = attrs.evolve(base, at=folded)
        other = attrs.evolve(base, at=folded.replace(fold=1 - fold))
        assert one != other
        assert one == attrs.evolve(base, at=folded.astimezone(UTC))
        assert one == from_json(Transition, to_json(one))

    def test_a_report_and_a_ledger_entry_in_a_fold_round_trip_equal(self) -> None:
        """X-3: ``explain`` at an ambiguous wall time, and a ledger entry at one, read back
        equal; the same wall time in the other fold is another instant."""
        from tests._accounts import DELINQUENT

        folded = datetime(2024, 11, 3, 1, 30, tzinfo=self.YORK)
        report = explain(DELINQUENT, DEFAULT_POLICY, at=folded)
        assert report == from_dict(type(report), to_dict(report))
        later = explain(DELINQUENT, DEFAULT_POLICY, at=folded.replace(fold=1))
        assert report != later
        entry = DELINQUENT.ledger.entries[0]
        assert attrs.evolve(entry, at=folded) != attrs.evolve(entry, at=folded.replace(fold=1))


class TestValuesWrittenForReaders:
    """X-1: a value written for readers is compared as the JSON written, not by Python's
    ``==`` (where ``1 == True == 1.0``)."""

    @pytest.mark.parametrize("edited", [1, 1.0, "true"])
    def test_an_allowed_spelt_otherwise_is_refused(self, edited: object) -> None:
        """X-1: a finding's ``allowed`` read back as ``1``, ``1.0`` or ``"true"`` is refused
        as edited data, naming the field."""
        from tests._accounts import DELINQUENT

        report = explain(DELINQUENT, DEFAULT_POLICY, at=datetime(2024, 6, 1, tzinfo=UTC))
        finding = next(f for role in report.roles for f in role.findings if f.allowed)
        data = to_dict(finding)
        assert from_dict(Finding, data) == finding
        data["allowed"] = edited
        with pytest.raises(PlainDataError) as excinfo:
            from_dict(Finding, data)
        assert excinfo.value.field.endswith("allowed")
