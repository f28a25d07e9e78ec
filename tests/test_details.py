"""Tests for details values (X-1, X-3, X-6, PM-6): one place decides what a reason's, a
finding's or an effect's details may hold; equality and an effect's key come from one
canonical form; what ``to_json`` writes, ``from_json`` reads back equal."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import cache
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from moneyed import Money

from billrules import Decision, Reason
from billrules._redact import holds_card_number, luhn_valid
from billrules.dunning import DunningCode
from billrules.effects import CancelBilling, SendEmail
from billrules.errors import BillRulesError, InvalidInput, InvalidType, NaiveDatetimeError
from billrules.i18n import render
from billrules.serialize import from_json, to_json

AT = datetime(2024, 5, 1, tzinfo=UTC)
YORK = ZoneInfo("America/New_York")
#: Zones with clock changes: an hour, half an hour (Lord Howe), at odd minutes (St John's).
ZONES = tuple(
    ZoneInfo(name)
    for name in ("America/New_York", "Europe/Kyiv", "Australia/Lord_Howe", "America/St_Johns")
)
CARD = "4242 4242 4242 4242"


def email(value: object) -> SendEmail:
    return SendEmail(
        at=AT, rule="DEL-3", template="t", to="owner", details={"x": value}, account="acme"
    )


def reason(value: object) -> Reason:
    details = {"stage": "warning", "first_day": value, "role": "owner", "level": "full"}
    return Reason(code=DunningCode.DUNNING_STAGE, details=details)


def nested(depth: int, leaf: object = 1) -> object:
    """``leaf`` in ``depth`` lists."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@cache
def transitions(zone: ZoneInfo) -> tuple[datetime, ...]:
    """The UTC instants, 2023 to 2025, at which ``zone``'s offset changes (to the hour)."""
    found = []
    hour = datetime(2023, 1, 1, tzinfo=UTC)
    offset = hour.astimezone(zone).utcoffset()
    while hour.year < 2026:
        hour += timedelta(hours=1)
        now = hour.astimezone(zone).utcoffset()
        if now != offset:
            found.append(hour)
            offset = now
    return tuple(found)


@st.composite
def wall_times(draw: st.DrawFn) -> datetime:
    """A wall time near a clock change, in a fold or a gap or beside them, either fold."""
    zone = draw(st.sampled_from(ZONES))
    change = draw(st.sampled_from(transitions(zone)))
    minutes = draw(st.integers(-120, 120))
    local = (change + timedelta(minutes=minutes)).astimezone(zone)
    wall = local.replace(tzinfo=None) + timedelta(minutes=draw(st.sampled_from([0, 30, 60])))
    return wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))


LOOK_ALIKES = st.sampled_from(
    [
        CARD,
        "4242-4242-4242-4242",
        "4242.4242.4242.4242",
        "4242424242424242",
        "paid 4242 4242 4242 4242 12 2030",
        "4242424242424241",  # fails Luhn: not a card number
        "inv-2024-05-0001",
        "+1 555 0100 2000",
    ]
)
TEXT = st.one_of(st.text(max_size=20), LOOK_ALIKES, st.just("a\ud800"))
DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=30, min_value=-1, max_value=1),
    st.sampled_from(
        [
            Decimal("sNaN"),
            Decimal("-NaN"),
            Decimal("1E-30"),
            Decimal("1E-31"),
            Decimal("0E-40"),
            Decimal("9" * 30),
            Decimal("1E+29"),
            Decimal("1E+30"),
            Decimal("1E+200000"),
            Decimal("-0"),
            Decimal("1.50"),
        ]
    ),
)
INTEGERS = st.one_of(
    st.integers(),
    st.sampled_from([10**40 - 1, 10**40, -(10**40) + 1, -(10**40), 2**63]),
    # 4,000 digits, one more, 5,000 (Hypothesis cannot print such integers: built by map)
    st.sampled_from([(4000, -1), (4000, 0), (5000, 0)]).map(lambda p: 10 ** p[0] + p[1]),
)
LEAVES = st.one_of(
    TEXT,
    INTEGERS,
    st.booleans(),
    st.none(),
    st.floats(),
    DECIMALS,
    st.builds(
        Money,
        st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9),
        st.sampled_from(["USD", "JPY", "BHD", "UAH"]),
    ),
    st.dates(),
    wall_times(),
    st.datetimes(),  # naive: refused
    st.frozensets(st.integers(), max_size=2),  # no set in JSON: refused
)
#: Values details may hold (most of them): the equality property compares these.
GOOD_LEAVES = st.one_of(
    st.text(max_size=10),
    st.integers(-(10**40) + 1, 10**40 - 1),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(places=30, min_value=-(10**12), max_value=10**12),
    st.builds(Money, st.decimals(places=2, min_value=-100, max_value=100), st.just("USD")),
    st.dates(min_value=date(1000, 1, 1), max_value=date(8999, 12, 31)),
    wall_times(),
)
GOOD_VALUES = st.recursive(
    GOOD_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=6,
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(TEXT, inner, max_size=3),
    ),
    max_leaves=10,
)


def texts(value: object) -> Iterator[str]:
    """Every text in ``value``, keys included, at every depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from texts(item)


class TestDetailsValues:
    @given(VALUES)
    def test_a_details_value_is_refused_when_built_or_round_trips_keys_and_renders(
        self, value: object
    ) -> None:
        """X-1, X-6, PM-6: a details value is either refused when the reason or effect is
        built, with a billrules error naming the path, or it keys, compares, round-trips
        through JSON and renders in English and Ukrainian; the reason and the effect agree."""
        refused: BillRulesError | None = None
        try:
            built = email(value)
        except BillRulesError as error:
            refused = error
        event("refused" if refused is not None else "kept")
        if refused is not None:
            assert isinstance(refused, (InvalidInput, InvalidType))
            assert refused.field.startswith("SendEmail.details.x")
            with pytest.raises(type(refused)):
                reason(value)
            return
        assert not any(holds_card_number(text) for text in texts(value))
        assert built.key.startswith("eff_")
        back = from_json(SendEmail, to_json(built))
        assert back == built
        assert back.key == built.key
        why = reason(value)
        assert from_json(Reason, to_json(why)) == why
        assert why.message
        local = render(why, locale="uk")
        assert local.startswith("Баланс від’ємний")  # the Ukrainian sentence, not English

    @given(GOOD_VALUES, st.randoms(use_true_random=False))
    def test_two_details_are_equal_exactly_when_their_keys_are(
        self, value: object, random: Random
    ) -> None:
        """X-6: ``==`` of effects and of reasons agrees with the key, for values and their
        twins: the same instant on another clock, the other fold, a list for a tuple, a float
        for a decimal of the same value, or another value."""
        other = twin(value, random)
        try:
            first, second = email(value), email(other)
        except BillRulesError:
            assume(False)
            raise
        same = first.key == second.key
        event("same key" if same else "different keys")
        assert (first == second) == same
        assert (reason(value) == reason(other)) == same
        if same:
            assert hash(first) == hash(second)

    def test_an_instant_in_a_fold_or_a_gap_compares_as_its_key(self) -> None:
        """X-3, X-6: in a fold the two wall times are different instants, unequal with
        different keys; in a gap the wall time is the instant its offset gives, equal to the
        same instant written on either side of the change, with the same key; in ``at`` as
        in details, and through JSON."""
        first = datetime(2024, 11, 3, 1, 30, tzinfo=YORK)
        second = first.replace(fold=1)
        skipped = datetime(2024, 3, 10, 2, 30, tzinfo=YORK)
        after = datetime(2024, 3, 10, 3, 30, tzinfo=YORK)
        assert skipped.astimezone(UTC) == after.astimezone(UTC)
        for make in (
            email,
            lambda at: CancelBilling(at=at, rule="CAN-7", invoice_id="inv-9", account="acme"),
            lambda at: email({"rows": ({"at": at},)}),
        ):
            assert make(first) != make(second)
            assert make(first).key != make(second).key
            assert make(skipped) == make(after)
            assert make(skipped).key == make(after).key
            assert hash(make(skipped)) == hash(make(after))
            for at in (first, second, skipped):
                back = from_json(type(make(at)), to_json(make(at)))
                assert back == make(at)
                assert back.key == make(at).key
        assert reason(first) != reason(second)
        assert reason(skipped) == reason(after)

    def test_a_naive_datetime_in_details_is_refused_naming_the_path(self) -> None:
        """X-3: a naive datetime has no instant (its key would follow the process's TZ):
        refused when a reason or an effect is built, at any depth."""
        naive = datetime(2024, 5, 1, 9)  # noqa: DTZ001 - naive on purpose
        for value, path in ((naive, ""), ((1, naive), "[1]"), ({"at": naive}, ".at")):
            with pytest.raises(NaiveDatetimeError) as effect:
                email(value)
            assert "SendEmail.details.x" + path == effect.value.field
            with pytest.raises(NaiveDatetimeError) as why:
                reason(value)
            assert "Reason.details.first_day" + path == why.value.field

    def test_an_instant_whose_zone_gives_no_offset_is_refused(self) -> None:
        """X-3: an instant whose tzinfo gives no offset (or one that is not a timedelta)
        is refused naming the path, never a raw TypeError."""

        class Broken(tzinfo):
            def utcoffset(self, dt: datetime | None) -> timedelta:
                return 5  # type: ignore[return-value]  # broken on purpose

        class Naive(tzinfo):
            def utcoffset(self, dt: datetime | None) -> None:
                return None

        with pytest.raises(InvalidInput) as broken:
            email((datetime(2024, 5, 1, tzinfo=Broken()),))
        assert "SendEmail.details.x[0]" == broken.value.field
        with pytest.raises(NaiveDatetimeError) as naive:
            email(datetime(2024, 5, 1, tzinfo=Naive()))
        assert "SendEmail.details.x" == naive.value.field

    def test_the_key_does_not_follow_the_process_time_zone(self) -> None:
        """X-6: the same effects have the same keys whatever ``TZ`` the process runs under
        (instants in folds and gaps included), and a naive instant is refused under each."""
        values = [
            datetime(2024, 11, 3, 1, 30, tzinfo=YORK, fold=1),
            datetime(2024, 3, 10, 2, 30, tzinfo=YORK),
            datetime(2024, 5, 1, 9, tzinfo=timezone(timedelta(hours=5, minutes=45))),
            {"when": (date(2024, 5, 1), datetime(2024, 10, 27, 3, 30, tzinfo=ZONES[1]))},
        ]
        keys = {}
        saved = os.environ.get("TZ")
        try:
            for name in ("UTC", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham"):
                os.environ["TZ"] = name
                time.tzset()
                keys[name] = [email(value).key for value in values] + [
                    CancelBilling(at=values[0], rule="CAN-7", invoice_id="i", account="a").key
                ]
                with pytest.raises(NaiveDatetimeError):
                    email(datetime(2024, 5, 1, 9))  # noqa: DTZ001 - naive on purpose
        finally:
            if saved is None:
                del os.environ["TZ"]
            else:
                os.environ["TZ"] = saved
            time.tzset()
        assert len({json.dumps(found) for found in keys.values()}) == 1

    def test_a_decimal_finer_than_json_reads_is_refused_when_built(self) -> None:
        """X-1: a decimal finer than 10**-30 (or of 10**30 and more) was written by to_json
        and refused by from_json; it is refused when built, and the finest one read is
        written and read back equal."""
        for value in (Decimal("1E-31"), Decimal("0E-40"), Decimal("1E+30")):
            with pytest.raises(InvalidInput) as refused:
                email(value)
            assert "SendEmail.details.x" == refused.value.field
            with pytest.raises(InvalidInput):
                email(Money(value, "USD"))
        for value in (Decimal("1E-30"), Decimal("-" + "9" * 30), Money("1E-30", "USD")):
            assert from_json(SendEmail, to_json(email(value))) == email(value)

    def test_deep_or_self_holding_details_are_refused_not_a_recursion_error(self) -> None:
        """X-1: details nested deeper than their JSON may be (16 levels: the details of a
        reason deep in a report stay within the 32 levels a JSON file may have), or holding
        themselves, are refused with InvalidInput naming the field, never a RecursionError;
        the deepest kept are read back equal from a report's depth."""
        loop: list[object] = []
        loop.append(loop)
        cycle: dict[str, object] = {}
        cycle["self"] = cycle
        tagged = {"$a": nested(15)}  # written {"$object": {"$a": [[...]]}}: 17 levels
        for value in (nested(17), nested(100_000), loop, cycle, tagged, nested(16, AT)):
            with pytest.raises(InvalidInput) as refused:
                email(value)
            assert refused.value.field.startswith("SendEmail.details.x")
            assert "16 levels" in refused.value.problem
        for deepest in (nested(16), {"$a": nested(14)}, nested(15, AT)):
            built = email(deepest)
            assert from_json(SendEmail, to_json(built)) == built
            why = reason(deepest)
            decision = Decision.refuse(why)
            assert from_json(Decision, to_json(decision)) == decision

    def test_from_json_refuses_details_nested_deeper_than_a_value_may_be(self) -> None:
        """X-1: the reader reads details as deep as they may be built and no deeper."""
        data = json.loads(to_json(email(1)))
        for value in (
            nested(17),
            {"$object": {"$a": nested(15)}},
            nested(16, {"$date": "2024-05-01"}),
        ):
            data["details"]["x"] = value
            with pytest.raises(InvalidInput) as refused:
                from_json(SendEmail, json.dumps(data))
            assert "details.x" in refused.value.field
            assert "16 levels" in refused.value.problem

    def test_details_holding_too_many_values_are_refused(self) -> None:
        """X-1: at most 100,000 values in one details mapping, counted at every depth."""
        with pytest.raises(InvalidInput) as refused:
            email(tuple(range(100_000)))
        assert "SendEmail.details" in refused.value.field
        assert "100000 values" in refused.value.problem
        assert len(email(tuple(range(99_999))).details["x"]) == 99_999

    def test_numbers_without_a_form_are_refused_so_message_key_and_eq_never_fail(
        self,
    ) -> None:
        """X-1, X-6: an integer of more than 40 digits (what JSON reads), a NaN (quiet or signalling), an
        infinity or a huge exponent is refused when built, so ``.message``, ``render``,
        ``==`` and ``key`` never raise a raw ValueError or InvalidOperation."""
        for value in (
            10**4300,
            -(10**4000),
            10**40,
            Decimal("sNaN"),
            Decimal("NaN"),
            Decimal("-Infinity"),
            Decimal("1E+200000"),
            float("nan"),
            float("-inf"),
            Money("NaN", "USD"),
        ):
            for build, field in ((email, "SendEmail.details.x"), (reason, "Reason.details")):
                with pytest.raises(InvalidInput) as refused:
                    build(value)
                assert refused.value.field.startswith(field)
        largest = reason(-(10**40) + 1)
        assert largest == reason(-(10**40) + 1)
        assert from_json(Reason, to_json(largest)) == largest
        assert render(largest, locale="uk").startswith("Баланс від’ємний")

    def test_the_largest_decimal_renders_in_ukrainian_at_once(self) -> None:
        """X-7: Ukrainian rendering of the widest decimal details may hold is immediate (a
        decimal of 200,000 digits, once quadratic to format, is refused when built)."""
        started = time.perf_counter()
        for _ in range(100):
            render(reason(Decimal("-" + "9" * 30 + "." + "9" * 30)), locale="uk")
        assert time.perf_counter() - started < 2

    def test_a_card_number_in_details_values_or_keys_is_refused(self) -> None:
        """PM-6: a card number in a details value or key, at any depth, is refused naming
        the path, which never repeats it; the error keeps no context holding it."""
        for value, path in (
            (CARD, ""),
            (("a", f"card {CARD}"), "[1]"),
            ({"rows": [{"note": CARD.replace(" ", "-")}]}, ".rows[0].note"),
            ({CARD: 1}, "['•••']"),
        ):
            for build, field in ((email, "SendEmail.details.x"), (reason, "Reason.details")):
                with pytest.raises(InvalidInput) as refused:
                    build(value)
                error = refused.value
                if build is email:
                    assert field + path == error.field
                assert "4242" not in str(error)
                assert error.__context__ is None
                assert error.__cause__ is None
        with pytest.raises(InvalidInput):
            SendEmail(at=AT, rule="DEL-3", template="t", to="owner", details={CARD: 1})


def twin(value: object, random: Random) -> object:
    """A value equal to ``value`` written otherwise, or a different one."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        choice = random.randrange(4)
        if choice == 0:
            return value.astimezone(random.choice((UTC, *ZONES)))
        if choice == 1:
            return value.replace(fold=1 - value.fold)
        if choice == 2:
            offset = value.utcoffset()
            assert offset is not None
            return value.replace(tzinfo=timezone(offset))
        return value + timedelta(hours=random.choice((-1, 1)))
    if isinstance(value, Decimal) and value.is_finite() and random.random() < 0.5:
        as_float = float(value)
        return as_float if Decimal(as_float) == value else value
    if isinstance(value, int) and not isinstance(value, bool) and random.random() < 0.5:
        return Decimal(value)
    if isinstance(value, (list, tuple)):
        items = [twin(item, random) for item in value]
        return items if random.random() < 0.5 else tuple(items)
    if isinstance(value, dict):
        return {key: twin(item, random) for key, item in value.items()}
    if random.random() < 0.1:
        return "another"
    return value


def test_twin_keeps_or_changes_the_value() -> None:
    """The twins the property compares include equal and unequal ones."""
    skipped = datetime(2024, 3, 10, 2, 30, tzinfo=YORK)
    seen = {email(twin(skipped, Random(seed))) == email(skipped) for seed in range(20)}
    assert seen == {True, False}


class TestWhatJsonCannotCarry:
    """Values that a writer would write and a reader refuse, or that would hide a card number,
    are refused when the value is built (X-6, PM-6)."""

    @given(
        number=st.integers(min_value=10**11, max_value=10**19 - 1),
        sign=st.sampled_from((1, -1)),
        spelling=st.sampled_from((int, Decimal, lambda n: Decimal(n).quantize(Decimal("0.01")))),
    )
    def test_a_card_number_written_as_a_number_in_details_is_refused(
        self, number: int, sign: int, spelling: Any
    ) -> None:
        """PM-6: an integral number of 12–19 digits passing Luhn is a card number, in details
        as in text: refused naming the path, the message never repeating it; any other such
        number is kept."""
        value = spelling(sign * number)
        if luhn_valid(str(number)):
            with pytest.raises(InvalidInput) as excinfo:
                email(value)
            assert "SendEmail.details.x" == excinfo.value.field
            assert str(number) not in str(excinfo.value)
        else:
            assert value == email(value).details["x"]

    def test_a_float_card_number_in_details_is_refused(self) -> None:
        """PM-6: ``4242424242424242.0`` is the card number too."""
        with pytest.raises(InvalidInput, match="card number"):
            email(4242424242424242.0)
        assert 4242424242424241.0 == email(4242424242424241.0).details["x"]

    def test_an_int_subclass_is_kept_as_the_integer_it_is(self) -> None:
        """X-6: a subclass of int whose ``__int__`` says another number is checked and kept
        as the integer it is, so its key is that integer's and JSON writes it."""

        class Lying(int):
            def __int__(self) -> int:
                return 5

        with pytest.raises(InvalidInput, match="more than 40 digits"):
            email(Lying(10**5000))
        kept = email(Lying(7))
        assert int is type(kept.details["x"])
        assert email(7).key == kept.key
        assert kept.key != email(5).key

    @pytest.mark.parametrize("where", ["at", "details"])
    def test_an_offset_finer_than_a_second_is_refused(self, where: str) -> None:
        """X-3: ISO 8601 writes no offset finer than a second (and Python 3.11 reads
        ``+00:00:00.000001`` as ``+00:00``): such an instant is refused where it enters, so
        JSON never moves it by a microsecond."""
        odd = datetime(2024, 5, 1, tzinfo=timezone(timedelta(microseconds=1)))

        def build() -> object:
            if where == "at":
                return CancelBilling(at=odd, rule="CAN-7", invoice_id="inv-9", account="acme")
            return email(odd)

        with pytest.raises(InvalidInput, match="whole seconds") as excinfo:
            build()
        assert excinfo.value.field in {"CancelBilling.at", "SendEmail.details.x"}
        seconds = datetime(2024, 5, 1, tzinfo=timezone(timedelta(seconds=-37)))
        back = from_json(SendEmail, to_json(email(seconds)))
        assert seconds == back.details["x"]

    @pytest.mark.parametrize("field", ["template", "to", "account", "rule", "occasion"])
    def test_a_lone_surrogate_in_an_effects_text_is_refused(self, field: str) -> None:
        """X-6: no UTF-8 or JSON text holds a lone surrogate, so a text field refuses one
        when the effect is built (``to_json`` could not write it for ``from_json``)."""
        fields: dict[str, Any] = {"template": "t", "to": "owner", "account": "acme"}
        fields[field] = "é\ud800"
        with pytest.raises(InvalidInput, match="lone surrogate") as excinfo:
            SendEmail(at=AT, rule=fields.pop("rule", "DEL-3"), **fields)
        assert f"SendEmail.{field}" == excinfo.value.field
        kept = SendEmail(at=AT, rule="DEL-3", template="шаблон", to="owner", account="acme")
        assert kept == from_json(SendEmail, to_json(kept))
