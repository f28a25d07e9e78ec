"""The boundary: argument checks, the calendar's ends, zone keys, numbers and redaction
(X-1, X-3, X-4, PM-6)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules import _money, _time
from billrules._check import checked
from billrules._redact import holds_card_number, longest_digit_run, luhn_valid, shown
from billrules.errors import (
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
    OutOfCalendar,
    UnknownTimeZone,
)
from billrules.invoices import is_overdue, outstanding_invoices
from billrules.testing import card_numbers


@checked
def _sample(
    items: Iterable[int], at: datetime, *, note: str | None = None, count: int = 1
) -> tuple[tuple[int, ...], datetime, str | None, int]:
    return items, at, note, count  # type: ignore[return-value]  # checked made it a tuple


AT = datetime(2024, 5, 8, tzinfo=UTC)


class TestChecked:
    """X-1: ``@checked`` refuses a wrong argument before the body runs, naming the parameter."""

    def test_a_valid_call_passes_through_with_iterables_as_tuples(self) -> None:
        """X-1: a generator is read once and handed on as a tuple; defaults stay defaults."""
        assert ((1, 2), AT, None, 1) == _sample((n for n in (1, 2)), AT)
        assert ((), AT, "x", 3) == _sample([], at=AT, note="x", count=3)

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "field"),
        [
            ((None, AT), {}, InvalidType, "items"),
            (("12", AT), {}, InvalidType, "items"),
            (({"a": 1}, AT), {}, InvalidType, "items"),
            (([1, None], AT), {}, InvalidType, "items[1]"),
            (([True], AT), {}, InvalidType, "items[0]"),
            (([], None), {}, InvalidType, "at"),
            (([], datetime(2024, 5, 8)), {}, NaiveDatetimeError, "at"),  # noqa: DTZ001
            (([], datetime.max.replace(tzinfo=UTC)), {}, OutOfCalendar, "at"),
            (([], AT), {"note": 5}, InvalidType, "note"),
            (([], AT), {"count": 10**5000}, InvalidInput, "count"),
            (([], AT), {"count": 1.0}, InvalidType, "count"),
        ],
    )
    def test_wrong_arguments_name_the_parameter(
        self,
        args: tuple[object, ...],
        kwargs: dict[str, object],
        error: type[Exception],
        field: str,
    ) -> None:
        """X-1: each wrong argument is its own billrules error naming it (items by index)."""
        with pytest.raises(error) as excinfo:
            _sample(*args, **kwargs)  # type: ignore[arg-type]
        assert field == excinfo.value.field  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        "number", ["4242424242424242", "4242 4242 4242 4242", "5555-5555-5555-4444"]
    )
    def test_a_string_argument_never_carries_a_card_number(self, number: str) -> None:
        """PM-6: a str argument holding a card number is refused without repeating it."""
        with pytest.raises(InvalidInput) as excinfo:
            _sample([], AT, note=f"ref {number}")
        assert "note" == excinfo.value.field
        assert not re.search(r"[0-9]{5}", str(excinfo.value).replace(" ", "").replace("-", ""))

    def test_public_functions_wear_it(self) -> None:
        """INV-2: ``invoices.is_overdue(None, at=at)`` is InvalidType naming ``invoice``."""
        with pytest.raises(InvalidType) as excinfo:
            is_overdue(None, at=AT)  # type: ignore[arg-type]
        assert "invoice" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            outstanding_invoices([None])  # type: ignore[list-item]
        assert "invoices[0]" == excinfo.value.field

    def test_docstrings_and_names_are_kept(self) -> None:
        """Traceability reads the rule IDs from the wrapped function's docstring."""
        assert "is_overdue" == is_overdue.__name__
        assert "INV-2" in (is_overdue.__doc__ or "")


class TestCheckedWrappers:
    """X-1: ``@checked`` writes its wrapper on the first call, so importing costs no compiling."""

    def test_checked_writes_its_wrapper_on_first_call(self) -> None:
        """X-1: decorating compiles nothing; the first call writes the wrapper and checks."""
        from billrules import _check

        @checked
        def halve(count: int, *, note: str = "") -> int:
            return count // 2

        assert halve.__code__ is _check._first_call.__code__  # nothing written yet
        with pytest.raises(InvalidType) as excinfo:
            halve("4")  # type: ignore[arg-type]
        assert "count" == excinfo.value.field
        assert "<checked " in halve.__code__.co_filename  # written, and now its own code
        assert 2 == halve(4)
        assert 3 == halve(count=6, note="x")
        with pytest.raises(InvalidInput) as card:
            halve(4, note="4242 4242 4242 4242")
        assert "note" == card.value.field
        assert 2.0 == _check.unchecked(halve)(4.0)  # type: ignore[arg-type]  # the body: unchecked

    def test_every_public_function_writes_its_checks(self) -> None:
        """X-1: every ``@checked`` function of the library has annotations its checks support.

        Wrappers are written on first call, so an unsupported annotation would surface only
        then: writing them all here makes it fail in the suite instead.
        """
        import importlib
        import pkgutil
        import types

        import billrules
        from billrules import _check

        written = 0
        for info in pkgutil.walk_packages(billrules.__path__, "billrules."):
            if info.name in {"billrules.__main__"}:
                continue
            module = importlib.import_module(info.name)
            for value in list(vars(module).values()):
                if isinstance(value, types.FunctionType) and "__wrapped__" in vars(value):
                    if value.__code__ is _check._first_call.__code__:
                        _check._write_wrapper(value)
                    if "<checked " in value.__code__.co_filename:
                        written += 1
        assert written > 100


class TestCalendar:
    """X-3: instants and dates live in the years 1000 to 8999."""

    @pytest.mark.parametrize(
        "value",
        [
            datetime(1000, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-12))),
        ],
    )
    def test_the_ends_are_inside(self, value: datetime) -> None:
        """X-3: the first and last instants of the calendar, on any clock, are accepted."""
        assert value is _time.require_aware(value, "at")
        assert value.date() == _time.require_date(value.date(), "day")

    @pytest.mark.parametrize(
        "value",
        [
            datetime(999, 12, 31, 23, 59, tzinfo=UTC),
            datetime(9000, 1, 1, tzinfo=UTC),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime.max.replace(tzinfo=UTC),
        ],
    )
    def test_outside_is_refused(self, value: datetime) -> None:
        """X-3: outside the calendar is OutOfCalendar (a ValueError), naming the field."""
        with pytest.raises(OutOfCalendar) as excinfo:
            _time.require_aware(value, "at")
        assert ("at", "must be in the years 1000 to 8999") == (
            excinfo.value.field,
            excinfo.value.problem,
        )
        with pytest.raises(OutOfCalendar):
            _time.require_date(value.replace(tzinfo=None).date(), "day")

    def test_dates_too(self) -> None:
        """X-3: ``date.min`` and ``date.max`` are outside."""
        for day in (date.min, date.max):
            with pytest.raises(OutOfCalendar):
                _time.require_date(day, "day")

    def test_the_last_instant_is_inside_on_every_clock(self) -> None:
        """X-3: a window cut at the calendar's end stays inside it in UTC-12 and UTC+14."""
        for hours in (-12, 14):
            _time.require_aware(
                _time.LAST_INSTANT.astimezone(timezone(timedelta(hours=hours))), "end"
            )


class TestZones:
    """X-3: a zone is an IANA key; anything else is UnknownTimeZone, never OSError."""

    @pytest.mark.parametrize(
        "key",
        [
            "x" * 300,
            "Europe/" + "Kyiv" * 80,
            "../../etc/passwd",
            "/etc/localtime",
            "Europe/../Europe/Kyiv",
            "Europe\\Kyiv",
            "Europe/Kyiv\x00",
            "Europe",
            "",
            " UTC",
            "Україна/Київ",
            "4242424242424242",
        ],
    )
    def test_non_keys_are_unknown(self, key: str) -> None:
        """X-3: long, path-like, NUL-holding or directory names are refused without I/O errors."""
        with pytest.raises(UnknownTimeZone) as excinfo:
            _time.to_zone(key, "zone")
        assert "zone" == excinfo.value.field
        assert "42424" not in str(excinfo.value)

    @pytest.mark.parametrize(
        "key", ["UTC", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "Etc/GMT+3"]
    )
    def test_real_keys_load(self, key: str) -> None:
        """X-3: IANA keys with one or two slashes, plus and underscore signs load."""
        assert key == _time.to_zone(key).key

    @given(st.text(max_size=40))
    def test_any_text_is_a_zone_or_unknown(self, key: str) -> None:
        """X-3: whatever the text, the answer is that zone or UnknownTimeZone."""
        answer: object
        try:
            answer = _time.to_zone(key).key
        except UnknownTimeZone as error:
            answer = error.field
        assert answer in (key, "zone")


class TestNumbers:
    """X-4: amounts are plain ASCII decimals, finite and of sane size."""

    @pytest.mark.parametrize(
        "text",
        [
            "1_000",
            "١٢٣",
            "１２",
            "1E+3",
            "1e-999999999",
            "NaN",
            "-Infinity",
            " 1",
            "1.",
            ".5",
            "0x10",
            "1" * 81,
        ],
    )
    def test_odd_amount_text_is_refused(self, text: str) -> None:
        """X-4: underscores, other scripts' digits, exponents and specials are refused."""
        with pytest.raises(InvalidInput) as excinfo:
            _money.to_decimal(text, "amount")
        assert "amount" == excinfo.value.field

    @pytest.mark.parametrize(
        "value",
        [
            Decimal("1E-999999999"),
            Decimal("9E+999999"),
            Decimal("1E+30"),
            Decimal("1E-31"),
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("-Infinity"),
            pytest.param(10**5000, id="5001-digit"),
            10**40,
        ],
    )
    def test_absurd_numbers_are_refused(self, value: object) -> None:
        """X-4: NaN, infinities, magnitudes from 10**30 and fractions finer than 10**-30."""
        with pytest.raises(InvalidInput):
            _money.to_decimal(value, "amount")

    def test_absurd_money_is_refused(self) -> None:
        """X-4: a Money built around an absurd Decimal is refused where it enters."""
        for amount in ("1E-999999999", "9E+999999", "NaN"):
            with pytest.raises(InvalidInput) as excinfo:
                _money.require_money(Money(Decimal(amount), "USD"), "Invoice.amount")
            assert "Invoice.amount" == excinfo.value.field

    @pytest.mark.parametrize("text", ["19.00", "-5", "+0.5", "0", "123456789012345678901234567.89"])
    def test_plain_amounts_are_exact(self, text: str) -> None:
        """X-4: ordinary amounts read exactly."""
        assert Decimal(text) == _money.to_decimal(text, "amount")

    def test_floats_stay_refused(self) -> None:
        """X-4: floats, including NaN and infinities, are FloatAmountError."""
        for value in (0.1, float("nan"), float("inf")):
            with pytest.raises(FloatAmountError):
                _money.to_decimal(value, "amount")


class TestRedaction:
    """PM-6: what an error may repeat of a value."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("monthly", "'monthly'"),
            ("Visa 4242", "'Visa 4242'"),
            ("Visa 4242 4242 4242 4242", "'Visa •••'"),
            ("4242-4242", "'•••'"),
            (12345, "•••"),
            (1234, "1234"),
            pytest.param(10**5000, "a very large integer", id="5001-digit"),
            (None, "None"),
            (True, "True"),
            (object(), "a object"),
            ("x" * 50, "'" + "x" * 40 + "…'"),
            ("\ud800", "'\\\\ud800'"),
        ],
    )
    def test_shown(self, value: object, expected: str) -> None:
        """PM-6: short values print, digit runs of five or more are masked, the rest is cut."""
        assert expected == shown(value)

    @given(
        number=card_numbers(),
        separator=st.sampled_from(["", " ", "-", "."]),
        prefix=st.text(max_size=8),
    )
    def test_no_card_number_survives(self, number: str, separator: str, prefix: str) -> None:
        """PM-6: however a card number is written, ``shown`` leaves no five-digit run of it."""
        written = separator.join(number[i : i + 4] for i in range(0, len(number), 4))
        text = shown(prefix + written)
        runs = [re.sub(r"[ .\-]", "", run) for run in re.findall(r"[0-9](?:[ .\-]?[0-9])*", text)]
        assert not any(number[i : i + 5] in run for run in runs for i in range(len(number) - 4))
        assert holds_card_number(prefix + " " + written)
        assert 12 <= longest_digit_run(written)

    def test_luhn(self) -> None:
        """PM-5: the Luhn check of the documented test numbers, and a one-digit change."""
        assert luhn_valid("4242424242424242")
        assert not luhn_valid("4242424242424241")
        assert not holds_card_number("order 2024-05-08, 12 seats")


class TestDocuments:
    """PM-6: a whole file's text is not one free-text value; its fields are checked one by one."""

    def test_an_amount_whose_digits_pass_luhn_loads(self) -> None:
        """X-4, PM-6: ``4242424242.42 USD`` is an amount, not a card number, inside a file."""
        from importlib.resources import files

        from billrules.serialize import account_from_json, account_to_json

        text = files("billrules.examples").joinpath("delinquent.json").read_text(encoding="utf-8")
        assert luhn_valid("424242424242")
        text = text.replace('"amount": "38.00 USD"', '"amount": "4242424242.42 USD"', 1)

        account = account_from_json(text)

        assert "4242424242.42 USD" in account_to_json(account)

    def test_a_card_number_in_a_field_of_the_file_is_still_refused(self) -> None:
        """PM-6: the same digits as an id are refused, naming the field's path."""
        import json
        from importlib.resources import files

        from billrules.serialize import account_from_json

        data = json.loads(
            files("billrules.examples").joinpath("delinquent.json").read_text(encoding="utf-8")
        )
        data["id"] = "acct 4242 4242 4242 4242"
        with pytest.raises(InvalidInput) as excinfo:
            account_from_json(json.dumps(data))
        assert "id" == excinfo.value.field
        assert "4242" not in str(excinfo.value)


class TestAnnotations:
    """X-1: each kind of annotation ``@checked`` reads (the module docstring's table)."""

    def test_any_bare_iterables_literals_callables_and_marks(self) -> None:
        """X-1: ``Any`` takes anything; a bare ``Iterable`` any items; a ``Literal`` its values."""
        from typing import Annotated, Any, Literal

        from billrules._check import DOCUMENT, LABEL

        def sample(
            anything: Any,
            items: Iterable,  # type: ignore[type-arg]  # a bare Iterable is what is tested
            mode: Literal["a", "b"],
            hook: Callable[[], None],
            text: Annotated[str, DOCUMENT],
            label: Annotated[str, LABEL] | None,
            other: Annotated[int, "unit"],
        ) -> tuple[object, ...]:
            return (anything, items, mode, hook, text, label, other)

        sample.__annotations__ = {  # as a module without postponed annotations would give them
            "anything": Any,
            "items": Iterable,
            "mode": Literal["a", "b"],
            "hook": Callable[[], None],
            "text": Annotated[str, DOCUMENT],
            "label": Annotated[str, LABEL] | None,
            "other": Annotated[int, "unit"],
        }
        guarded = checked(sample)

        assert (None, ("x", 1), "a", print, "4242 4242 4242 4242", None, 3) == guarded(
            None, ["x", 1], "a", print, "4242 4242 4242 4242", None, 3
        )
        cases: list[tuple[dict[str, object], type[Exception], str]] = [
            ({"mode": "c"}, InvalidInput, "mode"),
            ({"hook": 5}, InvalidType, "hook"),
            ({"text": b"{}"}, InvalidType, "text"),
            ({"label": "Visa 4242 4242"}, InvalidInput, "label"),
            ({"label": "Visa 4242 4242 4242 4242"}, InvalidInput, "label"),
            ({"other": "3"}, InvalidType, "other"),
        ]
        valid: dict[str, object] = {
            "anything": 1,
            "items": (),
            "mode": "b",
            "hook": print,
            "text": "",
            "label": "Visa •••• 4242",
            "other": 1,
        }
        assert "Visa •••• 4242" == guarded(**valid)[5]  # type: ignore[arg-type]
        for change, error, field in cases:
            with pytest.raises(error) as excinfo:
                guarded(**{**valid, **change})  # type: ignore[arg-type]
            assert field == excinfo.value.field  # type: ignore[attr-defined]
            assert "4242 4242" not in str(excinfo.value)

    def test_star_arguments_are_refused_when_decorating(self) -> None:
        """X-1: a public function takes named arguments only, so each can be checked."""

        def spread(*values: int) -> None:
            return None

        with pytest.raises(TypeError, match="not checked"):
            checked(spread)
