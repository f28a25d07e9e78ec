"""The shared kernel: decisions (X-1), effects (X-2), time (X-3) and money (X-4)."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money, get_currency

from billrules import (
    BillRulesError,
    CurrencyMismatch,
    Decision,
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    PolicyViolation,
    Question,
    Reason,
    ReasonCode,
    Role,
    UnknownTimeZone,
    _money,
    _redact,
    _time,
    _validate,
)
from billrules.contract import Finding, Suspension, Transition
from billrules.decisions import sentence
from billrules.effects import CancelBilling, Effect, SendEmail, SetLicenceCount
from billrules.testing import aware_datetimes, currencies, findings, reasons, zones


class Code(ReasonCode):
    """Codes for the kernel's own tests, as an area declares its own."""

    OWNER_ONLY = "owner_only", "CAN-1", "Only the owner may cancel."
    NOT_ACTIVE = "not_active", "CAN-1", "The account is not active."
    AMOUNT = "amount_due", "INV-3", "{amount} is due on {day} for {ids}."
    DAYS = "days_left", "DUN-1", "{days} {days:day|days} left at {level:words} access; ends {end}."
    PLAIN = "plain", "X-1", "Plain."


REASON = Reason(code=Code.OWNER_ONLY)


class TestDecision:
    """X-1: decisions carry codes, rule IDs, sentences and the facts used."""

    def test_refusal_carries_codes_rules_and_message(self) -> None:
        """X-1: a refusal lists its reasons' codes, rules (no repeats) and joined sentences."""
        second = Reason(code=Code.NOT_ACTIVE)
        decision = Decision.refuse(REASON, second)
        assert (False, ("owner_only", "not_active"), ("CAN-1",)) == (
            decision.allowed,
            decision.codes,
            decision.rules,
        )
        assert "Only the owner may cancel. The account is not active." == decision.message

    def test_refusal_needs_a_reason(self) -> None:
        """X-1: a refusal without a reason would explain nothing, so it is refused."""
        with pytest.raises(InvalidInput) as excinfo:
            Decision(allowed=False)
        assert "Decision.reasons" == excinfo.value.field

    def test_require_raises_policy_violation_with_the_decision(self) -> None:
        """X-1: the operation's error carries the question's exact decision."""
        decision = Decision.refuse(REASON)
        with pytest.raises(PolicyViolation) as excinfo:
            decision.require()
        assert decision == excinfo.value.decision
        assert "Only the owner may cancel. [CAN-1]" == str(excinfo.value)
        Decision.allow(REASON).require()

    def test_details_are_read_only_and_kept(self) -> None:
        """X-1: the facts a reason used are kept, and cannot be changed afterwards."""
        reason = Reason(code=Code.PLAIN, details={"amount": Decimal("5")})
        assert Decimal("5") == reason.details["amount"]
        with pytest.raises(TypeError):
            reason.details["amount"] = 1  # type: ignore[index]

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"code": "", "rule": "X-1"}, InvalidType, "Reason.code"),
            ({"code": "plain", "rule": "X-1"}, InvalidType, "Reason.code"),
            ({"code": Code.PLAIN, "rule": 1}, InvalidType, "Reason.rule"),
            ({"code": Code.PLAIN, "rule": " "}, InvalidInput, "Reason.rule"),
            ({"code": Code.PLAIN, "rule": "X-1", "details": []}, InvalidType, "Reason.details"),
            (
                {"code": Code.PLAIN, "rule": "X-1", "details": {1: 2}},
                InvalidType,
                "Reason.details",
            ),
        ],
    )
    def test_bad_reasons(
        self, kwargs: dict[str, object], error: type[Exception], field: str
    ) -> None:
        """X-1: every part of a reason is validated, naming the field."""
        with pytest.raises(error) as excinfo:
            Reason(**kwargs)  # type: ignore[arg-type]
        assert field == excinfo.value.field  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"allowed": 1}, "Decision.allowed"),
            ({"allowed": True, "reasons": "x"}, "Decision.reasons"),
            ({"allowed": True, "reasons": ["x"]}, "Decision.reasons"),
        ],
    )
    def test_bad_decisions(self, kwargs: dict[str, object], field: str) -> None:
        """X-1: a decision is a bool and a tuple of reasons."""
        with pytest.raises(InvalidType) as excinfo:
            Decision(**kwargs)  # type: ignore[arg-type]
        assert field == excinfo.value.field

    def test_errors_and_violations_pickle(self) -> None:
        """X-1: errors survive pickling (for task queues) with their field and decision."""
        error = pickle.loads(pickle.dumps(InvalidInput("Invoice.amount", "must not be negative")))
        assert ("Invoice.amount", "must not be negative") == (error.field, error.problem)
        violation = pickle.loads(pickle.dumps(PolicyViolation(Decision.refuse(REASON))))
        assert Decision.refuse(REASON) == violation.decision

    def test_error_hierarchy(self) -> None:
        """X-1: every input error is also the builtin a caller would catch."""
        assert issubclass(InvalidInput, ValueError)
        assert issubclass(InvalidType, TypeError)
        assert issubclass(NaiveDatetimeError, ValueError)
        assert issubclass(CurrencyMismatch, ValueError)
        assert issubclass(FloatAmountError, TypeError)
        assert issubclass(UnknownTimeZone, ValueError)
        assert issubclass(PolicyViolation, BillRulesError)


class TestSentences:
    """X-1, X-4: a reason's sentence is rendered from its code's template when read."""

    @given(reason=reasons(), finding=findings())
    def test_templates_parsed_once_render_as_the_formatter_does(
        self, reason: Reason, finding: Finding
    ) -> None:
        """X-1 property: a code's template, parsed once when the code is defined, renders
        every reason exactly as formatting the template anew does; so do question summaries."""
        assert sentence(reason.code.template, reason.details) == reason.message
        question = finding.question
        template = question.yes if finding.allowed else question.no
        assert sentence(template, finding.details) == finding.summary

    def test_a_malformed_template_is_refused_when_the_code_is_defined(self) -> None:
        """A template that cannot render fails when its enum is defined, not when read."""
        with pytest.raises(ValueError, match="expected '}'"):

            class Broken(ReasonCode):
                BAD = "bad", "X-1", "An unmatched { brace."

    def test_template_fields_render_money_dates_lists_and_plurals(self) -> None:
        """X-4: money at its minor unit with its code; dates ISO; tuples joined; plurals."""
        amount = Reason(
            code=Code.AMOUNT,
            details={"amount": Money("19.5", "USD"), "day": date(2024, 5, 8), "ids": ("a", "b")},
        )
        assert "19.50 USD is due on 2024-05-08 for a, b." == amount.message
        end = datetime(2024, 5, 10, tzinfo=UTC)
        one = Reason(code=Code.DAYS, details={"days": 1, "level": "read_only", "end": end})
        assert "1 day left at read only access; ends 2024-05-10T00:00:00+00:00." == one.message
        two = Reason(code=Code.DAYS, details={"days": 2, "level": Role.STAFF, "end": None})
        assert "2 days left at staff access; ends none." == two.message

    def test_the_sentence_is_not_part_of_the_value(self) -> None:
        """X-1: a reason is its code, rule and details; it pickles as such, the code by name."""
        reason = Reason(code=Code.AMOUNT, details={"amount": 1, "day": 2, "ids": ()})
        assert not hasattr(reason, "__dict__")
        assert ("code", "rule", "details") == tuple(f.name for f in attrs.fields(Reason))
        again = pickle.loads(pickle.dumps(reason))
        assert reason == again
        assert again.code is Code.AMOUNT
        assert "amount_due" == Decision.refuse(again).codes[0]
        assert str is type(Decision.refuse(again).codes[0])

    def test_details_must_hold_every_field_of_the_sentence(self) -> None:
        """X-1: a reason whose details lack a field of its sentence is refused when built,
        naming the fields, so reading its message later never fails."""
        with pytest.raises(InvalidInput) as excinfo:
            Reason(code=Code.AMOUNT, details={"amount": Money("1", "USD")})
        assert "Reason.details" == excinfo.value.field
        assert "day, ids" in str(excinfo.value)
        assert frozenset({"amount", "day", "ids"}) == Code.AMOUNT.fields
        assert frozenset({"days", "level", "end"}) == Code.DAYS.fields

    def test_a_missing_part_of_a_nested_field_reads_as_none(self) -> None:
        """X-1: ``{access[owner]}`` with no owner in the mapping renders ``none``."""

        class Nested(ReasonCode):
            ACCESS = "access", "DUN-1", "Owner: {access[owner]}."

        assert frozenset({"access"}) == Nested.ACCESS.fields
        assert "Owner: none." == Reason(code=Nested.ACCESS, details={"access": {}}).message
        assert (
            "Owner: full."
            == Reason(code=Nested.ACCESS, details={"access": {"owner": "full"}}).message
        )

    @given(days=st.integers(min_value=-(10**6), max_value=10**6))
    def test_plural_picks_the_singular_only_for_one(self, days: int) -> None:
        """X-1: ``{n:one|other}`` writes the singular word for 1 and the plural otherwise."""
        reason = Reason(code=Code.DAYS, details={"days": days, "level": "x", "end": 0})
        word = "day" if days == 1 else "days"
        assert reason.message.startswith(f"{days} {word} left")

    def test_question_summaries(self) -> None:
        """X-1: a question has a yes and a no summary; an empty no repeats the yes."""

        class Asked(Question):
            TOP_UP = "top_up", "May top up.", "May not top up."
            SEATS = "remove_seats", "{n} of {total} seats can be removed."

        assert ("May top up.", "May not top up.") == (
            Asked.TOP_UP.summary(True, {}),
            Asked.TOP_UP.summary(False, {}),
        )
        assert "1 of 5 seats can be removed." == Asked.SEATS.summary(False, {"n": 1, "total": 5})
        assert "top_up" == str(Asked.TOP_UP)


class TestAllOf:
    """X-1: a decision over several conditions keeps every condition's reason."""

    @given(met=st.lists(st.booleans(), min_size=1, max_size=6))
    def test_allowed_only_when_every_condition_holds(self, met: list[bool]) -> None:
        """X-1: all_of is allowed exactly when every condition is met, with all reasons."""
        reasons = [Reason(code=Code.PLAIN, details={"i": i}) for i in range(len(met))]
        decision = Decision.all_of(*zip(met, reasons, strict=True))
        assert all(met) == decision.allowed
        assert tuple(reasons) == decision.reasons

    def test_no_condition_is_refused(self) -> None:
        """X-1: a decision over no condition would explain nothing."""
        with pytest.raises(InvalidInput) as excinfo:
            Decision.all_of()
        assert "checks" == excinfo.value.field


class TestEffects:
    """X-2: effects are frozen data with an instant, a rule and a kind."""

    def test_effects_are_values(self) -> None:
        """X-2: two equal effects compare equal and hash alike; none can be changed."""
        at = datetime(2024, 5, 1, tzinfo=UTC)
        first = CancelBilling(at=at, rule="CAN-7", invoice_id="inv-9")
        assert first == CancelBilling(at=at, rule="CAN-7", invoice_id="inv-9")
        assert 1 == len({first, CancelBilling(at=at, rule="CAN-7", invoice_id="inv-9")})
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            first.invoice_id = "other"  # type: ignore[misc]

    def test_kind_is_the_snake_case_class_name(self) -> None:
        """X-2: hosts dispatch on `kind`."""
        assert ("send_email", "set_licence_count", "effect") == (
            SendEmail.kind,
            SetLicenceCount.kind,
            Effect.kind,
        )

    def test_effects_validate(self) -> None:
        """X-2, X-3: a naive instant or a negative licence count is refused."""
        with pytest.raises(NaiveDatetimeError):
            SetLicenceCount(at=datetime(2024, 1, 1), rule="SEAT-5", count=0)  # noqa: DTZ001
        with pytest.raises(InvalidInput) as excinfo:
            SetLicenceCount(at=datetime(2024, 1, 1, tzinfo=UTC), rule="SEAT-5", count=-1)
        assert "SetLicenceCount.count" == excinfo.value.field
        with pytest.raises(InvalidType):
            SendEmail(
                at=datetime(2024, 1, 1, tzinfo=UTC), rule="DEL-3", template="t", to="o", details=[]
            )


class TestTime:
    """X-3: aware instants only; days are taken in the account's zone."""

    def test_naive_datetimes_are_refused(self) -> None:
        """X-3: a naive datetime has no instant."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            _time.require_aware(datetime(2024, 1, 1), "at")  # noqa: DTZ001 - under test
        assert "at" == excinfo.value.field

    def test_non_datetimes_are_type_errors(self) -> None:
        """X-3: a date is not an instant."""
        with pytest.raises(InvalidType):
            _time.require_aware(date(2024, 1, 1), "at")
        with pytest.raises(InvalidType):
            _time.require_date(datetime(2024, 1, 1, tzinfo=UTC), "on")

    def test_local_date_depends_on_the_zone(self) -> None:
        """X-3: 22:30 UTC on the 31st is already the 1st in Kyiv and still the 31st in New York."""
        at = datetime(2024, 1, 31, 22, 30, tzinfo=UTC)
        assert date(2024, 2, 1) == _time.local_date(at, ZoneInfo("Europe/Kyiv"))
        assert date(2024, 1, 31) == _time.local_date(at, ZoneInfo("America/New_York"))

    def test_start_of_day_across_dst(self) -> None:
        """X-3: local midnight on a DST day, and a day whose midnight does not exist."""
        kyiv = _time.start_of_day(date(2024, 3, 31), ZoneInfo("Europe/Kyiv"))
        assert datetime(2024, 3, 30, 22, tzinfo=UTC) == kyiv
        santiago = _time.start_of_day(date(2024, 9, 8), ZoneInfo("America/Santiago"))
        assert (date(2024, 9, 8), 1) == (santiago.date(), santiago.hour)

    def test_zones_by_name(self) -> None:
        """X-3: a zone may be given by name; an unknown name is refused."""
        assert ZoneInfo("Asia/Kolkata") == _time.to_zone("Asia/Kolkata")
        with pytest.raises(UnknownTimeZone):
            _time.to_zone("Nowhere/City")
        with pytest.raises(InvalidType):
            _time.to_zone(5)

    def test_months_clamp_from_the_anchor(self) -> None:
        """X-3: Jan 31 + 1 month is Feb 29 in a leap year; + 2 months is Mar 31 (not chained)."""
        anchor = date(2024, 1, 31)
        assert [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)] == [
            _time.add_months(anchor, n) for n in (1, 2, 3)
        ]
        assert 29 == _time.days_between(date(2024, 2, 1), date(2024, 3, 1))

    @given(zones(), st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    def test_start_of_day_is_the_first_instant_of_the_local_day(
        self, zone: ZoneInfo, day: date
    ) -> None:
        """X-3 property: the day starts on that local date, and a second earlier is the day before."""
        start = _time.start_of_day(day, zone)
        assert day == _time.local_date(start, zone)
        # Subtract in UTC: arithmetic on a datetime in its own zone is wall-clock arithmetic.
        before = start.astimezone(UTC) - timedelta(seconds=1)
        assert day - timedelta(days=1) == _time.local_date(before, zone)

    @given(aware_datetimes(), zones())
    def test_local_date_is_independent_of_the_instants_own_zone(
        self, at: datetime, zone: ZoneInfo
    ) -> None:
        """X-3 property: the same instant written in any zone has one local date per account zone."""
        assert _time.local_date(at.astimezone(UTC), zone) == _time.local_date(at, zone)


class TestMoney:
    """X-4: Money only, no floats, explicit currency, rounding to the minor unit."""

    def test_floats_are_refused(self) -> None:
        """X-4: 0.1 is not exact; pass a Decimal, an int or a str."""
        with pytest.raises(FloatAmountError) as excinfo:
            _money.money(0.1, "USD", "top_up")
        assert "top_up" == excinfo.value.field
        with pytest.raises(FloatAmountError):
            _money.require_money(19.0, "price")

    def test_exact_amounts_are_accepted(self) -> None:
        """X-4: Decimal, int and str amounts make Money."""
        assert Money("19.00", "USD") == _money.money("19.00", "USD")
        assert Money(19, "USD") == _money.money(19, "usd")

    @pytest.mark.parametrize(
        ("amount", "currency", "error"),
        [
            ("abc", "USD", InvalidInput),
            ("NaN", "USD", InvalidInput),
            (True, "USD", InvalidType),
            ("1", "ZZZ", InvalidInput),
            ("1", 840, InvalidType),
        ],
    )
    def test_bad_amounts(self, amount: object, currency: object, error: type[Exception]) -> None:
        """X-4: a non-number, a bool or an unknown currency is refused."""
        with pytest.raises(error):
            _money.money(amount, currency)

    def test_require_money_refuses_non_money(self) -> None:
        """X-4: a Decimal is not Money; an infinite amount is refused."""
        with pytest.raises(InvalidType):
            _money.require_money(Decimal(1), "amount")
        with pytest.raises(InvalidInput):
            _money.require_money(Money(Decimal("Infinity"), "USD"), "amount")

    def test_sum_of_nothing_has_a_currency(self) -> None:
        """X-4: the empty sum is a typed zero, not the int 0."""
        assert Money(0, "EUR") == _money.total([], get_currency("EUR"))

    def test_currencies_never_mix(self) -> None:
        """X-4: a EUR amount in a USD sum raises CurrencyMismatch naming the field."""
        with pytest.raises(CurrencyMismatch) as excinfo:
            _money.total([Money(1, "USD"), Money(1, "EUR")], get_currency("USD"), "lines")
        assert "lines" == excinfo.value.field

    @pytest.mark.parametrize(
        ("amount", "currency", "expected"),
        [
            ("2.675", "USD", "2.68"),
            ("2.665", "USD", "2.67"),
            ("1234.5", "JPY", "1235"),
            ("1.0005", "BHD", "1.001"),
        ],
    )
    def test_rounding_goes_to_the_minor_unit_half_up(
        self, amount: str, currency: str, expected: str
    ) -> None:
        """X-4: half-up to 2 decimals for USD, 0 for JPY, 3 for BHD."""
        assert Money(expected, currency) == _money.round_to_minor_unit(Money(amount, currency))

    def test_huge_amounts_are_refused_not_overflowed(self) -> None:
        """X-4: sums and rounding beyond Decimal's precision raise InvalidInput, not decimal errors."""
        huge = Money(Decimal("9E+999999"), "USD")
        with pytest.raises(InvalidInput):
            _money.total([huge, huge], get_currency("USD"))
        with pytest.raises(InvalidInput):
            _money.round_to_minor_unit(Money(Decimal("1E+40"), "USD"))

    def test_rounding_mode_is_a_parameter(self) -> None:
        """X-4: half-even when asked."""
        rounded = _money.round_to_minor_unit(Money("2.665", "USD"), ROUND_HALF_EVEN)
        assert Decimal("2.66") == rounded.amount

    @given(currencies(), st.integers(min_value=-(10**12), max_value=10**12))
    def test_rounding_is_idempotent_and_close(self, currency: object, micros: int) -> None:
        """X-4 property: rounding twice equals rounding once; the error is at most half a unit."""
        value = Money(Decimal(micros).scaleb(-6), currency)
        once = _money.round_to_minor_unit(value)
        assert once == _money.round_to_minor_unit(once)
        unit = Decimal(1).scaleb(-_money.minor_unit_exponent(value.currency))
        assert abs(once.amount - value.amount) <= unit / 2


class TestRoles:
    """Roles: an owner is also an admin."""

    def test_owner_is_admin(self) -> None:
        """Roles: owner and admin have the administrator's rights; staff do not."""
        assert [True, True, False] == [r.is_admin for r in (Role.OWNER, Role.ADMIN, Role.STAFF)]


class TestContractTypes:
    """X-5: the one Transition type, Finding and Suspension every area shares."""

    AT = datetime(2024, 5, 1, tzinfo=UTC)

    def test_transition_derives_rules_codes_and_description(self) -> None:
        """X-5: rules without repeats, codes as strings, the sentences joined when read."""
        change = Transition(
            at=self.AT,
            area="dunning",
            kind="dunning_stage",
            reasons=(REASON, Reason(code=Code.NOT_ACTIVE)),
            effects=(CancelBilling(at=self.AT, rule="CAN-7", invoice_id="inv-9"),),
        )
        assert ("CAN-1",) == change.rules
        assert ("owner_only", "not_active") == change.codes
        assert "Only the owner may cancel. The account is not active." == change.description
        assert change == pickle.loads(pickle.dumps(change))

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"at": datetime(2024, 5, 1)}, "Transition.at"),  # noqa: DTZ001 - naive on purpose
            ({"area": ""}, "Transition.area"),
            ({"reasons": ("x",)}, "Transition.reasons[0]"),
            ({"effects": ["x"]}, "Transition.effects[0]"),
        ],
    )
    def test_bad_transitions(self, kwargs: dict[str, object], field: str) -> None:
        """X-5: every part of a transition is validated, naming the field."""
        fields: dict[str, object] = {
            "at": self.AT,
            "area": "dunning",
            "kind": "dunning_stage",
            "reasons": (REASON,),
        }
        with pytest.raises(BillRulesError) as excinfo:
            Transition(**{**fields, **kwargs})  # type: ignore[arg-type]
        assert field == excinfo.value.field  # type: ignore[attr-defined]

    def test_finding_reads_its_decision(self) -> None:
        """X-1: a finding's answer, rules and reasons are its area's decision's."""

        class Asked(Question):
            CANCEL = "cancel", "May cancel.", "May not cancel."

        decision = Decision.refuse(REASON)
        finding = Finding(area="cancellation", question=Asked.CANCEL, decision=decision)
        assert (False, ("CAN-1",), (REASON,), "May not cancel.") == (
            finding.allowed,
            finding.rules,
            finding.reasons,
            finding.summary,
        )
        with pytest.raises(InvalidType) as excinfo:
            Finding(area="x", question="cancel", decision=decision)  # type: ignore[arg-type]
        assert "Finding.question" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            Finding(area="x", question=Asked.CANCEL, decision=True)  # type: ignore[arg-type]
        assert "Finding.decision" == excinfo.value.field

    def test_suspension_covers_its_half_open_span(self) -> None:
        """X-5: a suspension covers [start, end); without an end it never ends."""
        span = Suspension(start=self.AT, end=self.AT + timedelta(days=2), rule="DEL-6")
        assert span.covers(self.AT)
        assert not span.covers(self.AT + timedelta(days=2))
        assert not span.covers(self.AT - timedelta(seconds=1))
        assert Suspension(start=self.AT, rule="CAN-6").covers(datetime(8999, 1, 1, tzinfo=UTC))
        with pytest.raises(InvalidInput) as excinfo:
            Suspension(start=self.AT, end=self.AT - timedelta(days=1), rule="DEL-6")
        assert "Suspension.end" == excinfo.value.field


class TestNamedConverters:
    """X-1: converters learn their field's name from attrs, so every error names it."""

    def test_enum_tuple_and_mapping_converters_name_the_field(self) -> None:
        """X-1: ``Class.field`` in the error, whatever the converter."""

        @attrs.frozen
        class Holder:
            role: Role = attrs.field(converter=_validate.ToEnum[Role])
            items: tuple[int, ...] = attrs.field(default=(), converter=_validate.ToTuple[int])
            data: object = attrs.field(
                factory=dict,
                converter=_validate.named(_validate.details_of),
            )

        assert Role.OWNER == Holder("owner").role
        assert (1, 2) == Holder("owner", [1, 2]).items
        for args, field in (
            (("chief",), "Holder.role"),
            (("owner", "12"), "Holder.items"),
            (("owner", (1, "x")), "Holder.items[1]"),
            (("owner", (), {1: 2}), "Holder.data"),
        ):
            with pytest.raises(BillRulesError) as excinfo:
                Holder(*args)
            assert field == excinfo.value.field  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# PM-6: where a card number hides (billrules._redact)

#: A Luhn-valid Visa test number, and a 16-digit number no 12–19 digit part of which passes
#: the Luhn check (so no grouping of it is a card number).
CARD = "4242424242424242"
NOT_A_CARD = "4242483378876232"

#: Every kind of separator the guard reads between two digits (see ``billrules._redact``).
SEPARATORS = (
    " ",
    "-",
    ".",
    "_",
    "/",
    "\\",
    ",",
    "|",
    "·",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\xa0",
    "\u2009",
    "\u202f",
    "\u3000",
    "\u2028",
    "\u00ad",
    "\u200b",
    "\u2060",
    "\ufeff",
    "\u2010",
    "\u2013",
    "\u2014",
    "\u2212",
    "\u3001",
    "\uff0c",
    "\uff0d",
    "\uff0e",
    "\uff0f",
    " - ",
    " / ",
    ", ",
    "  ",
    "\r\n\t",
    "__",
)

#: The zero of each digit script tried (the script's other digits follow it).
ZEROS = ("0", "\uff10", "\u0660", "\u06f0", "\u0966", "\u0e50", "\U0001d7ce")


def in_groups(number: str, separator: str, size: int = 4) -> str:
    return separator.join(number[i : i + size] for i in range(0, len(number), size))


def in_script(text: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isascii() and c.isdigit() else c for c in text)


def _plain_reading(text: str) -> bool:
    """The guard's rule read plainly, character by character (the reference for the property).

    Runs of digits joined by one to three separator characters; every stretch of whole groups
    with 12–19 digits is a card number when it passes Luhn.
    """
    from unicodedata import category, decimal

    marks = set("-_./\\,|·\u00ad\u200b\u200c\u200d\u2060\ufeff\u2212\u3001\u3002")
    marks |= {chr(c) for c in range(0x2010, 0x2016)} | set("，－．／＼＿｜")
    runs: list[list[str]] = []
    groups: list[str] = []
    gap = 0  # separator characters since the last digit
    for char in text + "x":
        if category(char) == "Nd":
            if groups and 1 <= gap <= 3:
                groups.append("")
            elif groups and gap:
                runs.append(groups)
                groups = [""]
            elif not groups:
                groups = [""]
            groups[-1] += str(decimal(char))
            gap = 0
        elif groups and (char.isspace() or char in marks) and gap < 3:
            gap += 1
        elif groups:
            runs.append(groups)
            groups, gap = [], 0
    for run in runs:
        for start in range(len(run)):
            for end in range(start + 1, len(run) + 1):
                digits = "".join(run[start:end])
                if 12 <= len(digits) <= 19 and _redact.luhn_valid(digits):
                    return True
    return False


class TestCardNumberGuard:
    """PM-6: the guard finds a card number however it is written, and nothing else."""

    @pytest.mark.parametrize("separator", SEPARATORS)
    def test_a_card_number_is_found_with_every_separator(self, separator: str) -> None:
        """PM-6: ``4242_4242_…``, ``4242/4242/…``, ``4242,4242,…``, CR/LF, NBSP, `` - ``…"""
        for size in (4, 3, 6, 1):
            text = in_groups(CARD, separator, size)
            assert _redact.holds_card_number(text)
            assert _redact.holds_card_number(f"account of Olena: {text}, thanks")
            assert not _redact.holds_card_number(in_groups(NOT_A_CARD, separator, size))

    @pytest.mark.parametrize("separator", SEPARATORS)
    def test_shown_masks_the_runs_the_guard_reads(self, separator: str) -> None:
        """PM-6: the mask and the guard read the same runs: no five digits of it are shown."""
        text = in_groups(CARD, separator)
        for value in (text, f"id {text}", f"{text} USD"):
            digits = "".join(c for c in _redact.shown(value) if c.isdigit())
            assert len(digits) < 5, _redact.shown(value)
            assert "•••" in _redact.shown(value)

    @pytest.mark.parametrize("zero", ZEROS)
    def test_a_card_number_in_other_digits_is_found(self, zero: str) -> None:
        """PM-6: full-width and other Unicode decimal digits count as the digits they are."""
        for separator in ("", " ", "\u3000", "－"):
            text = in_script(in_groups(CARD, separator), zero)
            assert _redact.holds_card_number(f"カード {text}")
            assert _redact.shown(text) == "'•••'"
            assert not _redact.holds_card_number(in_script(in_groups(NOT_A_CARD, separator), zero))

    @pytest.mark.parametrize(
        "text",
        [
            "inv-2024-05",
            "inv-2024-05-0001",
            "2024-05-01T12:00:00+00:00",
            "2024-05-01 12:00:00.123456+03:00",
            "+380 44 123 4566",  # a phone number, not Luhn-valid
            "order 123456789",
            "Card 4242, 12/30",
            "pm_2024_05_01",
            "4242    4242    4242    4242",  # four separator characters end a run
            "4242:4242:4242:4242",  # a colon is not a separator (times, ratios)
            "4242•4242•4242•4242",  # nor is the mask
            "4242²4242²4242²4242",  # superscripts are not decimal digits
        ],
    )
    def test_ordinary_text_is_not_a_card_number(self, text: str) -> None:
        """PM-6: ids, instants, phone numbers and labels without a card number pass."""
        assert not _redact.holds_card_number(text)

    def test_a_phone_number_that_passes_luhn_is_refused(self) -> None:
        """PM-6: the guard reads digits, not meaning: a Luhn-valid 12–19 digit run is refused."""
        assert _redact.luhn_valid("380441234560")
        assert _redact.holds_card_number("+380 44 123 4560")

    def test_a_label_run_joins_digits_with_one_separator_character(self) -> None:
        """PM-6: labels show four digits at most, however one separator disguises a run."""
        for separator in ("_", "/", ",", "\xa0", "－", "\u200b"):
            assert 8 == _redact.longest_digit_run(f"Visa 4242{separator}4242")
        assert 4 == _redact.longest_digit_run("Card 4242, 12/30")
        assert 4 == _redact.longest_digit_run("Visa •••• ４２４２")

    @given(st.text(st.sampled_from("0123456789 -_./,\\|\t\r\nx:"), max_size=60))
    def test_the_ascii_search_agrees_with_the_unicode_search(self, text: str) -> None:
        """PM-6: the fast path for ASCII text finds a twelve-digit run exactly when the
        Unicode search does."""
        ascii_found = _redact._TWELVE_ASCII_DIGITS.search(text) is not None
        assert ascii_found == (_redact._TWELVE_DIGITS.search(text) is not None)

    @given(
        st.text(
            st.sampled_from("0123456789４２٤ -_./,\t\r\n\xa0\u3000\u200b－x:•"),
            max_size=80,
        )
    )
    def test_the_guard_agrees_with_a_plain_reading_of_its_rule(self, text: str) -> None:
        """PM-6: digits, separators, runs, groups and Luhn, as ``billrules._redact`` decides."""
        assert _plain_reading(text) == _redact.holds_card_number(text)

    def test_long_text_of_short_groups_is_read_in_linear_time(self) -> None:
        """PM-6: a hostile text of many short groups is read in a few steps per group."""
        import time

        for text in ("1 " * 100_000, "12-" * 70_000, "1\u3000" * 100_000, "1" * 300_000):
            started = time.perf_counter()
            assert not _redact.holds_card_number(text)
            assert "•••" in _redact.masked(text)
            assert time.perf_counter() - started < 10


def test_unchecked_gives_the_body_of_a_checked_function_called_or_not() -> None:
    """Checked once: the body of a public function is reached whether or not its checks were
    written yet (they are written on the first call), and a host's own decorator around a
    function is kept."""
    import functools

    from billrules._check import checked, unchecked

    def body(count: int) -> int:
        return 2 * count

    fresh = checked(body)
    assert unchecked(fresh) is body
    assert 4 == fresh(2)
    assert unchecked(fresh) is body
    with pytest.raises(InvalidType) as refused:
        fresh("2")  # type: ignore[arg-type]  # a wrong type on purpose
    assert "count" == refused.value.field

    @functools.wraps(fresh)
    def traced(count: int) -> int:
        return fresh(count)

    assert unchecked(traced) is traced


def test_a_union_check_refuses_a_type_it_cannot_hash_naming_the_parameter() -> None:
    """A union annotation (``ZoneInfo | str``) is tested by identity first: an argument whose
    type cannot even be hashed is refused as any wrong type is, naming the parameter."""

    from billrules._check import checked

    class Odd(type):
        __hash__ = None  # type: ignore[assignment]  # a type that cannot be hashed, on purpose

    class Weird(metaclass=Odd):
        pass

    @checked
    def zone_name(zone: ZoneInfo | str) -> str:
        return str(zone)

    assert "UTC" == zone_name("UTC")
    with pytest.raises(InvalidType) as refused:
        zone_name(Weird())  # type: ignore[arg-type]  # a wrong type on purpose
    assert "zone" == refused.value.field
