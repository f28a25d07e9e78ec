"""Reading an account line checks each value once (DESIGN "Checked once"), with the answers
of the constructors: X-1, X-3, X-4, PM-6."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from billrules import _loads, _plain, _validate, serialize
from billrules._plain import _build, _read
from billrules.account import Account
from billrules.errors import BillRulesError, InvalidInput
from billrules.evaluation import AREAS
from billrules.testing import population

AS_OF = datetime(2024, 5, 8, tzinfo=UTC)
CARD = "4111 1111 1111 1111"

#: Values put in place of a field of a generated account: wrong kinds, wrong spellings, card
#: numbers, amounts and instants out of bounds, and a few right ones.
WRONG = st.sampled_from(
    [
        None,
        5,
        -1,
        40,
        5.0,
        True,
        "",
        "   ",
        "x",
        CARD,
        "x" * 257,
        [],
        {},
        [{}],
        "2024-01-10T10:00:00",
        "2024-01-10T10:00:00+02:00",
        "2024-01-10T10:00:00+02:00:30",
        "0999-01-01T00:00:00Z",
        "2025-02-29",
        "2024-02-29",
        "-1.00 USD",
        "0.00 USD",
        "19.00 EUR",
        "19.00  USD",
        "1" * 31 + " USD",
        "0." + "1" * 31 + " USD",
        "owner",
        "charge",
    ]
)

ACCOUNTS = list(population(60, seed=11, as_of=AS_OF))


def _leaves(data: object, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [where] if where else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _leaves(value, (*where, key))
    elif isinstance(data, list):
        for position, value in enumerate(data):
            found += _leaves(value, (*where, position))
    return found


def _replaced(data: dict[str, Any], path: tuple[Any, ...], value: object) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(data))
    target: Any = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _outcome(read: Any) -> object:
    try:
        value = read()
    except BillRulesError as error:
        return (type(error), getattr(error, "field", None), getattr(error, "problem", None))
    return serialize.to_dict(value)


@pytest.fixture(scope="module")
def constructed() -> _plain.Hooks:
    """The readers of every value built by calling each class, every check of the class run
    (the path before the trusted builder): fresh hooks, compiled without it."""
    patch = pytest.MonkeyPatch()
    patch.setattr(_build, "builder", lambda kind, hints, read: None)
    try:
        hooks = serialize._hooks(AREAS)  # made afresh, not the registry's kept ones
        _read._fields_plan(Account, hooks)  # compiled now, while the builder is away
    finally:
        patch.undo()
    return hooks


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_line_read_gives_what_the_constructors_give(constructed, data):
    """X-1, PM-6: the trusted build and the constructors agree on every account with one field
    changed: the same account, or the same error class, field and message."""
    account = data.draw(st.sampled_from(ACCOUNTS))
    path = data.draw(st.sampled_from(_leaves(account)))
    changed = _replaced(account, path, data.draw(WRONG))
    expected = _outcome(lambda: _plain.structure(Account, changed, "", constructed))
    assert _outcome(lambda: _plain.structure(Account, changed, "", serialize.HOOKS)) == expected


def test_generated_accounts_read_equal_to_the_constructed_ones(constructed):
    for account in ACCOUNTS:
        read = _plain.structure(Account, account, "", serialize.HOOKS)
        assert read == _plain.structure(Account, account, "", constructed)


_CALLS: dict[str, int] = {}


def _counted_instant(instance: object, attribute: Any, value: object) -> None:
    _CALLS["instant"] = _CALLS.get("instant", 0) + 1
    _validate.instant(instance, attribute, value)


_validate.settled_by_reading(_counted_instant, datetime)


def _counted_text(instance: object, attribute: Any, value: object) -> None:
    _CALLS["text"] = _CALLS.get("text", 0) + 1
    _validate.text(instance, attribute, value)


@attrs.frozen(kw_only=True)
class _Visit:
    at: datetime = attrs.field(validator=_counted_instant)
    left_at: datetime | None = attrs.field(validator=_counted_instant)
    note: str = attrs.field(validator=_counted_text)

    def __attrs_post_init__(self) -> None:
        _CALLS["across"] = _CALLS.get("across", 0) + 1
        if self.left_at is not None and self.left_at < self.at:
            raise InvalidInput("_Visit.left_at", "must not be before at")


def test_a_settled_check_is_not_run_again_on_a_value_read():
    """DESIGN "Checked once": the reader checked the instant, so its settled validator does
    not run again; a check the reader does not make (a text's card number) and the check
    across fields run exactly once; a validator settled for ``datetime`` still runs on a
    field typed ``datetime | None``."""
    _CALLS.clear()
    visit = _plain.structure(
        _Visit,
        {"at": "2024-05-08T09:00:00+03:00", "left_at": "2024-05-08T10:00:00Z", "note": "hi"},
    )
    assert visit.at == datetime(2024, 5, 8, 6, tzinfo=UTC)
    assert _CALLS == {"instant": 1, "text": 1, "across": 1}  # left_at's: not settled
    _CALLS.clear()
    _Visit(at=AS_OF, left_at=AS_OF, note="hi")
    assert _CALLS == {"instant": 2, "text": 1, "across": 1}


def test_checks_left_to_the_constructor_still_refuse_naming_the_path():
    """PM-6, X-3: a card number in a text and a check across fields are refused by the
    trusted build as by the constructor, at the data's path, never repeating the number."""
    with pytest.raises(InvalidInput) as caught:
        _plain.structure(
            _Visit,
            {"at": "2024-05-08T09:00:00Z", "left_at": "2024-05-08T10:00:00Z", "note": CARD},
            "visits[2]",
        )
    assert caught.value.field == "visits[2].note"
    assert "4111" not in str(caught.value)
    with pytest.raises(InvalidInput) as caught:
        _plain.structure(
            _Visit,
            {"at": "2024-05-08T09:00:00Z", "left_at": "2024-05-07T09:00:00Z", "note": "x"},
        )
    assert (caught.value.field, caught.value.problem) == ("left_at", "must not be before at")


@given(
    st.text(alphabet='ab"\\:{}[] ,1', max_size=40)
    | st.from_regex(r'\A(\{"[a-z:]{0,3}" ?: ?("[a-z:]{0,3}"|1)(, )?)+\}\Z')
)
def test_the_text_outside_strings_is_what_the_string_pattern_leaves(text):
    """Cutting at the quotes gives what removing every JSON string gives, for any text."""
    assert _loads._outside_strings(text) == _loads._JSON_STRINGS.sub("", text)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"a" : 1, "a": 2}', "a"),
        ('{"a":1,"a" :2}', "a"),
        ('{"b": {"t": "09:00", "t": "10:00"}}', "b.t"),
        ('{"b": [{"x": ":", "x": 1}]}', "b[0].x"),
        ('{"b": {"\\"": 1, "\\"": 2}}', "b['\"']"),
    ],
)
def test_a_key_twice_is_refused_however_its_colon_is_spaced(text, field):
    """X-1: a key twice in an object is refused naming it, whatever the spacing around the
    colon and whatever colons the strings hold."""
    with pytest.raises(_plain.PlainDataError) as caught:
        _loads.vetted_json(text, "(t)")
    assert (caught.value.field, caught.value.problem) == (field, "appears twice in the same object")


def _scalar(read: Any) -> object:
    try:
        value = read()
    except BillRulesError as error:
        return (type(error), error.field, error.problem)  # type: ignore[attr-defined]
    return (type(value), value, getattr(value, "tzinfo", None))


@given(
    st.from_regex(
        r"\A\s?[+-]?0{0,3}[0-9]{1,32}(\.[0-9]{0,32})?(e[0-9])?( |  |\t)?(USD|usd|XYZ|EUR|JPY)?\Z"
    )
    | st.text(max_size=90)
)
def test_the_quick_reading_of_an_amount_gives_the_full_readings_answer(text):
    """X-4: the quick reading of ``"19.00 USD"`` reads what the full reading reads and leaves
    every other spelling to it."""
    assert _scalar(lambda: _read._read_money(text, "amount")) == _scalar(
        lambda: _read._structure_money(text, "amount")
    )


@given(
    st.from_regex(
        r"\A[0-9]{4}-?[0-1][0-9]-?[0-3][0-9]([Tt ]|x)[0-2][0-9](:?[0-6][0-9](:?[0-6][0-9]"
        r"([.,][0-9]{1,8})?)?)?(Z|z|[+-][0-2][0-9](:?[0-6][0-9](:[0-6][0-9](\.[0-9]{1,7})?)?)?)?\Z"
    )
    | st.datetimes(timezones=st.timezones()).map(datetime.isoformat)
)
def test_the_quick_reading_of_an_instant_gives_the_full_readings_answer(text):
    """X-3: the quick reading of an instant reads only aware instants of the calendar, as the
    full reading does."""
    assert _scalar(lambda: _read._read_instant(text, "at")) == _scalar(
        lambda: _read._structure_scalar(datetime, text, "at")
    )


@given(st.dates().map(date.isoformat) | st.from_regex(r"\A[0-9]{4}-?[0-1][0-9]-?[0-3][0-9]\Z"))
def test_the_quick_reading_of_a_date_gives_the_full_readings_answer(text):
    """X-3: the quick reading of a date reads only dates of the calendar."""
    assert _scalar(lambda: _read._read_date(text, "on")) == _scalar(
        lambda: _read._structure_scalar(date, text, "on")
    )


def test_the_quick_reading_of_an_amount_is_exact():
    assert _read._read_money("19.00 USD", "amount") == Money(Decimal("19.00"), "USD")
    assert str(_read._read_money("-0.001 BHD", "amount").amount) == "-0.001"


def test_every_class_of_an_account_is_built_by_the_trusted_builder():
    """The classes an account line holds are built by the trusted builder (a change of attrs
    that hid the generated ``__init__`` would silently bring back every check twice)."""
    from billrules.balance import ChargeLine, Ledger, LedgerEntry
    from billrules.invoices import Invoice, Payment

    for kind in (Account, Ledger, LedgerEntry, ChargeLine, Invoice, Payment):
        assert _build.builder(kind, _plain._hints(kind), frozenset()) is not None, kind
