"""Account JSON: loading, dumping, field-path errors, the documented and the bundled examples."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from billrules import InvalidInput, InvalidType, NaiveDatetimeError, UnknownTimeZone
from billrules._plain import PlainDataError
from billrules.account import Account, User, balance_facts
from billrules.errors import CurrencyMismatch, OutOfCalendar
from billrules.roles import Role
from billrules.serialize import (
    account_from_json,
    account_from_mapping,
    account_to_json,
    account_to_mapping,
)
from billrules.testing import accounts

DOC = Path(__file__).resolve().parent.parent / "docs" / "account-json.md"
KYIV = ZoneInfo("Europe/Kyiv")


def documented_account_text() -> str:
    """The one ```json block of docs/account-json.md: the documented example account."""
    blocks = re.findall(r"^```json\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    assert 1 == len(blocks)
    return str(blocks[0])


def bundled_account_text() -> str:
    """The bundled example account the command runs on without a file."""
    return resources.files("billrules").joinpath("examples/delinquent.json").read_text("utf-8")


def minimal() -> dict[str, Any]:
    return {
        "id": "acme",
        "zone": "Europe/Kyiv",
        "currency": "USD",
        "created_at": "2024-01-10T10:00:00+02:00",
        "users": [
            {"id": "olena", "role": "owner"},
            {"id": "taras", "role": "admin", "last_login_at": "2024-05-08T08:55:00+03:00"},
        ],
    }


class TestDocumentedExample:
    def test_the_json_block_of_the_docs_loads(self) -> None:
        """docs/account-json.md's example is valid: zone, users, balance, deletion (X-3, DEL-1)."""
        account = account_from_json(documented_account_text())
        assert "quiet-ny" == account.id
        assert ZoneInfo("America/New_York") == account.zone
        assert ["owner", "admin", "staff"] == [user.role.value for user in account.users]
        assert account.users[2].last_login_at is None
        at = datetime(2024, 4, 30, 12, tzinfo=ZoneInfo("America/New_York"))
        assert Decimal("0.00") == balance_facts(account, at).balance.amount
        assert account.deletion_schedule is not None
        assert account.subscription is not None
        assert account.subscription.pending_change is not None

    def test_the_docs_example_round_trips(self) -> None:
        """Writing the documented account out and reading it back gives the same account."""
        account = account_from_json(documented_account_text())
        assert account == account_from_json(account_to_json(account))

    def test_the_docs_name_every_top_level_field(self) -> None:
        """The field table of the docs lists every field of Account, so the page stays complete."""
        text = DOC.read_text(encoding="utf-8")
        for name in account_to_mapping(account_from_json(documented_account_text())):
            assert f"`{name}`" in text


class TestBundledExample:
    def test_the_seed_delinquent_account_on_the_8th(self) -> None:
        """DUN-1, BAL-4: the bundled account is in Kyiv and in debt since the charge of the 1st."""
        account = account_from_json(bundled_account_text())
        assert KYIV == account.zone
        assert {Role.OWNER, Role.ADMIN, Role.STAFF} == {user.role for user in account.users}
        facts = balance_facts(account, datetime(2024, 5, 8, 9, tzinfo=KYIV))
        assert Decimal("-33.00") == facts.balance.amount
        assert datetime(2024, 5, 1, tzinfo=KYIV) == facts.debt_started_at
        assert account.wallet.default_id is not None
        assert account.seats is not None
        assert account.subscription is not None

    def test_the_bundled_file_is_what_dumping_writes(self) -> None:
        """The bundled file is in the canonical form: dumping its account reproduces its data."""
        text = bundled_account_text()
        assert json.loads(text) == json.loads(account_to_json(account_from_json(text)))


def in_utc(value: Any) -> Any:
    """``value`` with every instant inside it moved to UTC (the same instants).

    Python's ``==`` is never true between an ambiguous local time (the repeated hour when
    clocks go back) and a time in another zone (PEP 495), though both name one instant. JSON
    keeps the instant and its offset, not the ``ZoneInfo`` of each datetime, so round trips
    are compared with every instant in UTC.
    """
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, tuple):
        return tuple(in_utc(item) for item in value)
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        changes = {(f.alias or f.name): in_utc(getattr(value, f.name)) for f in fields if f.init}
        return attrs.evolve(value, **changes)
    return value


class TestRoundTrip:
    @given(st.sampled_from(["USD", "EUR", "UAH"]).flatmap(lambda code: accounts(currency=code)))
    def test_round_trip(self, account: Account) -> None:
        """X-3, X-4: account_to_mapping → account_from_mapping gives back the same account
        (the same instants, amounts and currencies), the plain form is a fixed point, and the
        JSON text reads back the same."""
        data = account_to_mapping(account)
        restored = account_from_mapping(data)
        assert in_utc(account) == in_utc(restored)
        assert data == account_to_mapping(restored)
        assert in_utc(account) == in_utc(account_from_json(account_to_json(account)))

    @pytest.mark.parametrize(("fold", "offset"), [(0, "-04:00"), (1, "-05:00")])
    def test_the_repeated_hour_keeps_its_instant(self, fold: int, offset: str) -> None:
        """X-3: 01:00 on 3 November 2024 happens twice in New York; each is written with its
        own offset and read back as the same instant."""
        at = datetime(2024, 11, 3, 1, tzinfo=ZoneInfo("America/New_York"), fold=fold)
        account = account_from_mapping(minimal())
        account = attrs.evolve(account, users=(User(id="olena", role="owner", last_login_at=at),))
        data = account_to_mapping(account)
        assert f"2024-11-03T01:00:00{offset}" == data["users"][0]["last_login_at"]
        restored = account_from_mapping(data).users[0].last_login_at
        assert restored is not None
        assert at.astimezone(UTC) == restored.astimezone(UTC)

    def test_optional_fields_may_be_left_out(self) -> None:
        """A missing optional field takes its default: active, no ledger, an empty wallet."""
        account = account_from_mapping(minimal())
        data = account_to_mapping(account)
        assert ("active", None, [], {"methods": [], "default_id": None, "default_since": None}) == (
            data["status"],
            data["ledger"],
            data["invoices"],
            data["wallet"],
        )
        assert User(id="olena", role=Role.OWNER) == account.owner


class TestErrors:
    @staticmethod
    def load(change: Any) -> Any:
        data = minimal()
        change(data)
        return account_from_mapping(data)

    def test_malformed_json_names_the_file_and_line(self) -> None:
        """Malformed JSON is an InvalidInput for "(account file)" naming line and column."""
        with pytest.raises(InvalidInput) as excinfo:
            account_from_json('{\n  "id": "acme",\n  "zone" "Europe/Kyiv"\n}')
        assert "(account file)" == excinfo.value.field
        assert excinfo.value.problem.startswith("malformed JSON at line 3, column 10:")

    def test_unknown_field_names_its_path(self) -> None:
        """An unknown key is an error naming its path, never ignored."""
        with pytest.raises(InvalidInput) as excinfo:
            self.load(lambda data: data["users"][1].update(last_login="2024-05-08"))
        assert "users[1].last_login" == excinfo.value.field
        assert "unknown field" in excinfo.value.problem

    def test_naive_instant_names_its_path(self) -> None:
        """X-3: a naive last login is refused, naming users[1].last_login_at."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            self.load(lambda data: data["users"][1].update(last_login_at="2024-05-08T08:55:00"))
        assert "users[1].last_login_at" == excinfo.value.field

    def test_unknown_zone(self) -> None:
        """X-3: a zone the IANA database does not know is refused, naming zone."""
        with pytest.raises(UnknownTimeZone) as excinfo:
            self.load(lambda data: data.update(zone="Europe/Kyyiv"))
        assert "zone" == excinfo.value.field

    def test_missing_required_field(self) -> None:
        """A required field left out is named."""
        with pytest.raises(InvalidInput) as excinfo:
            self.load(lambda data: data.pop("created_at"))
        assert ("created_at", "is required") == (excinfo.value.field, excinfo.value.problem)

    def test_unknown_role(self) -> None:
        """An enum value outside the choices names the field and the allowed values."""
        with pytest.raises(InvalidInput) as excinfo:
            self.load(lambda data: data["users"][1].update(role="boss"))
        assert "users[1].role" == excinfo.value.field
        assert "'admin'" in excinfo.value.problem

    def test_account_rule_broken(self) -> None:
        """The account's own rules are checked too: exactly one owner, named users."""
        with pytest.raises(InvalidInput) as excinfo:
            self.load(lambda data: data["users"][0].update(role="staff"))
        assert "users" == excinfo.value.field

    def test_float_amount_refused(self) -> None:
        """X-4: an amount as a JSON number is refused: money is a string such as "19.00 USD"."""
        with pytest.raises(InvalidInput) as excinfo:
            self.load(
                lambda data: data.update(
                    payments=[{"id": "p", "amount": 19.5, "paid_at": "2024-05-02T10:00:00Z"}]
                )
            )
        assert "payments[0].amount" == excinfo.value.field

    def test_currency_mismatch(self) -> None:
        """X-4: an amount in another currency than the account's is refused, naming it."""
        with pytest.raises(CurrencyMismatch) as excinfo:
            self.load(
                lambda data: data.update(
                    payments=[{"id": "p", "amount": "19.00 EUR", "paid_at": "2024-05-02T10:00Z"}]
                )
            )
        assert "payments[0].amount" == excinfo.value.field

    def test_top_level_must_be_an_object(self) -> None:
        """A JSON array or string is not an account."""
        with pytest.raises(InvalidInput) as excinfo:
            account_from_json("[]")
        assert "(top level)" == excinfo.value.field

    def test_text_must_be_a_string(self) -> None:
        """account_from_json reads text; anything else is an InvalidType naming text."""
        with pytest.raises(InvalidType) as excinfo:
            account_from_json(b"{}")  # type: ignore[arg-type] # a wrong type on purpose
        assert "text" == excinfo.value.field

    def test_only_accounts_are_written(self) -> None:
        """account_to_mapping refuses anything but an Account."""
        with pytest.raises(InvalidType) as excinfo:
            account_to_mapping(minimal())  # type: ignore[arg-type] # a wrong type on purpose
        assert "account" == excinfo.value.field

    def test_a_written_instant_keeps_its_offset(self) -> None:
        """Instants are written ISO 8601 with their own offset, as read."""
        account = account_from_mapping(minimal())
        written = account_to_mapping(account)["users"][1]["last_login_at"]
        assert "2024-05-08T08:55:00+03:00" == written
        assert datetime(2024, 1, 10, 8, tzinfo=UTC) == account.created_at


def _text(**changes: Any) -> str:
    return json.dumps({**minimal(), **changes})


class TestHostileText:
    """What no account file holds is a PlainDataError naming its path, never a raw error."""

    @pytest.mark.parametrize(
        ("text", "field", "problem"),
        [
            (
                '{"users": ' + "[" * 100_000 + "]" * 100_000 + "}",
                "users" + "[0]" * 31,
                "nesting deeper than 32 levels",
            ),
            ("[" * 1_000_000, "[0]" * 32, "nesting deeper than 32 levels"),
            (
                '{"users": [' + '{"a": ' * 40 + "1" + "}" * 40 + "]}",
                "users[0]" + ".a" * 30,
                "nesting deeper than 32 levels",
            ),
            ('{"status": 1, "id": ' + "9" * 5000 + "}", "id", "is an integer of more than 40"),
            (
                '{"a": [], "b": {}, "c": [1, 2], "users": ' + "[" * 40,
                "users" + "[0]" * 31,
                "nesting deeper than 32 levels",
            ),
            ('{"a\\qb": ' + "[" * 40, "['a\\\\qb']" + "[0]" * 31, "nesting deeper"),
            ("{" * 40, "(account file)", "nesting deeper than 32 levels"),
            ('{"id": -' + "1" * 41 + "}", "id", "is an integer of more than 40 digits"),
            (
                '{"users": [{"id": "x", "role": "owner", "id": "y"}]}',
                "users[0].id",
                "appears twice in the same object",
            ),
            ('{"id": "acme", "id": "acme"}', "id", "appears twice in the same object"),
            ('{"users": [{"id": "\\ud800"}]}', "users[0].id", "holds a lone surrogate"),
            ('{"users": [{"\\udfff": 1}]}', "users[0]['\\\\udfff']", "the key holds a lone"),
            ('{"id": NaN}', "id", "is NaN or an infinity"),
            ('{"id": [-Infinity]}', "id[0]", "is NaN or an infinity"),
            ('{"id": 1e999}', "id", "is NaN or an infinity"),
            ("NaN", "(top level)", "is NaN or an infinity"),
        ],
    )
    def test_refused_with_its_path(self, text: str, field: str, problem: str) -> None:
        """Deep nesting, long integers, duplicate keys, lone surrogates and NaN/infinities are
        each a PlainDataError whose field is the path of the problem."""
        with pytest.raises(PlainDataError) as excinfo:
            account_from_json(text)
        assert (field, True) == (excinfo.value.field, problem in excinfo.value.problem)

    def test_the_limits_themselves_are_accepted(self) -> None:
        """Exactly 32 levels and exactly 40 digits are not refused as such: the error is the
        field's own (a list is not a user; an int is not an id)."""
        with pytest.raises(PlainDataError) as excinfo:
            account_from_json(_text(users="HERE").replace('"HERE"', "[" * 31 + "]" * 31))
        assert ("users[0]", "must be an object, not a list") == (
            excinfo.value.field,
            excinfo.value.problem,
        )
        with pytest.raises(PlainDataError) as excinfo:
            account_from_json('{"id": ' + "9" * 40 + "}")
        assert ("id", "must be a string, not int") == (excinfo.value.field, excinfo.value.problem)

    def test_a_byte_order_mark_is_accepted(self) -> None:
        """A UTF-8 byte-order mark before the text is ignored."""
        assert account_from_json(_text()) == account_from_json("\ufeff" + _text())

    def test_malformed_and_unbalanced_text_is_malformed_json(self) -> None:
        """Brackets that never close or do not match are malformed JSON, not a depth error."""
        for text in ("[}" * 1000, "[" + "1," * 1000, "]" * 1000, "[" * 32 + "]" * 33):
            with pytest.raises(PlainDataError) as excinfo:
                account_from_json(text)
            assert "(account file)" == excinfo.value.field
            assert excinfo.value.problem.startswith("malformed JSON at line 1")

    def test_brackets_inside_strings_do_not_count(self) -> None:
        """A description holding a hundred brackets is text, not nesting (in an id of at
        most 256 characters)."""
        data = minimal()
        data["id"] = "[" * 100 + '{\\"' * 50
        assert data["id"] == account_from_json(json.dumps(data)).id


class TestHostileMappings:
    """A caller's mapping goes through the same checks, and every path through the converter
    raises billrules errors only."""

    @pytest.mark.parametrize(
        ("change", "error", "field", "problem"),
        [
            ({"status": 10**5000}, PlainDataError, "status", "more than 40 digits"),
            ({"status": 10**30}, PlainDataError, "status", "expected one of 'active'"),
            ({"status": ["active"]}, PlainDataError, "status", "expected one of 'active'"),
            ({"status": "4242424242424242"}, PlainDataError, "status", "unknown value '•••'"),
            ({"created_at": "9999-12-31T23:59:59+14:00"}, OutOfCalendar, "created_at", "years"),
            ({"created_at": "0001-01-01T00:00:00-14:00"}, OutOfCalendar, "created_at", "years"),
            ({"created_at": "4242424242424242"}, PlainDataError, "created_at", "'•••'"),
            ({"zone": "x" * 300}, UnknownTimeZone, "zone", "unknown time zone"),
            ({"zone": "4242424242424242"}, UnknownTimeZone, "zone", "'•••'"),
            ({"4242424242424242": 1}, PlainDataError, "['•••']", "unknown field"),
            ({10**5000: 1}, PlainDataError, "[a very large integer]", "unknown field"),
            ({"id": "\ud800"}, PlainDataError, "id", "lone surrogate"),
            ({"id": float("nan")}, PlainDataError, "id", "NaN"),
            (
                {"seats": {"total": 10**5000, "occupants": []}},
                PlainDataError,
                "seats.total",
                "more than 40 digits",
            ),
            (
                {"subscription": {"plan": "x", "anchor": "0001-01-01", "period": "monthly"}},
                OutOfCalendar,
                "subscription.anchor",
                "years",
            ),
        ],
    )
    def test_refused_with_its_path(
        self, change: dict[Any, Any], error: type[Exception], field: str, problem: str
    ) -> None:
        """Huge integers and lists in an enum field, instants past the calendar's ends, 300-char
        and card-number zones, card-number keys, lone surrogates, NaN: each a billrules error
        naming its path, and no message repeats a card number (PM-6)."""
        with pytest.raises(error) as excinfo:
            account_from_mapping({**minimal(), **change})
        assert isinstance(excinfo.value, InvalidInput)
        assert (field, True) == (excinfo.value.field, problem in excinfo.value.problem)
        assert "42424" not in str(excinfo.value)

    def test_a_mapping_holding_itself(self) -> None:
        """A cyclic mapping is nesting too deep, not a RecursionError."""
        data: dict[str, Any] = minimal()
        data["ledger"] = data
        with pytest.raises(PlainDataError) as excinfo:
            account_from_mapping(data)
        assert ("ledger" + ".ledger" * 29 + ".users[0]", "nesting deeper than 32 levels") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    def test_an_enum_member_is_accepted_as_itself(self) -> None:
        """A mapping may hold the enum member instead of its value."""
        assert (
            Role.ADMIN
            == account_from_mapping(
                {
                    **minimal(),
                    "users": [{"id": "o", "role": "owner"}, {"id": "a", "role": Role.ADMIN}],
                }
            )
            .users[1]
            .role
        )


class TestNoCardNumberInMessages:
    """PM-6: no error of the account reader repeats a card number given in the file."""

    @pytest.mark.parametrize(
        "number",
        ["4242424242424242", "4242 4242 4242 4242", "5555555555554444", "4242424242424241"],
    )
    @pytest.mark.parametrize(
        "place",
        [
            lambda n: {"zone": n},
            lambda n: {n: "x"},
            lambda n: {"currency": n},
            lambda n: {"status": n},
            lambda n: {"created_at": n},
            lambda n: {"users": [{"id": "o", "role": n}]},
            lambda n: {"users": [{"id": "o", "role": "owner", n: 1}]},
            lambda n: {"payments": [{"id": "p", "amount": n, "paid_at": "2024-05-02T10:00Z"}]},
            lambda n: {"subscription": {"plan": "x", "anchor": n, "period": "monthly"}},
        ],
    )
    def test_never_repeated(self, number: str, place: Any) -> None:
        """Wherever a card number is put (a value, a key, a date, an amount), the mapping and
        the JSON readers refuse it without five of its digits in the message."""
        data = {**minimal(), **place(number)}
        loads: list[Callable[[], Account]] = [
            lambda: account_from_mapping(data),
            lambda: account_from_json(json.dumps(data)),
        ]
        for load in loads:
            with pytest.raises(InvalidInput) as excinfo:
                load()
            assert re.search(r"[0-9]{5}", str(excinfo.value).replace(" ", "")) is None


# --- JSON text read in one pass: the vetting walk is skipped only when it would find nothing ---

_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**45), 10**45)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
    | st.sampled_from(["\ud800", "a\udfffb", "4111 1111 1111 1111"])
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


def _outcome(read: Callable[[], object]) -> object:
    try:
        return ("ok", json.dumps(read(), sort_keys=True, default=repr))
    except PlainDataError as error:
        return ("error", type(error), error.field, error.problem)


def _nested(value, levels, objects):
    for level in range(levels):
        value = {"k": value} if objects and level % 2 else [value]
    return value


@given(
    st.builds(_nested, _JSON_VALUES, st.integers(0, 70), st.booleans()),
    st.booleans(),
    st.booleans(),
)
def test_vetted_json_refuses_exactly_what_the_vetting_walk_refuses(value, twice, escaped):
    """Skipping the walk never lets through what it would refuse, with the same field and
    problem: NaN and infinities, 1e999, long integers, lone surrogates (raw or escaped), a key
    twice in an object."""
    from billrules import _loads

    text = json.dumps({"data": value}, ensure_ascii=escaped)
    if twice:
        text = text[:-1] + ', "data": 1}'
    expected = _outcome(
        lambda: (lambda data: (_loads.vet(data), data)[1])(_loads.json_data(text, "(t)"))
    )
    assert _outcome(lambda: _loads.vetted_json(text, "(t)")) == expected


def test_vetted_json_examples():
    from billrules import _loads

    alternating = '{"a": ' + '[{"a": ' * 20 + "1" + "}]" * 20 + "}"  # 41 levels
    for text, field in (
        (alternating, "a" + "[0].a" * 15 + "[0]"),
        ('{"a": 1e999}', "a"),
        ('{"a": [NaN]}', "a[0]"),
        ('{"a": "\\ud800"}', "a"),
        ('{"a": 1, "a": 2}', "a"),
        ('{"a": ' + "9" * 41 + "}", "a"),
    ):
        with pytest.raises(PlainDataError) as raised:
            _loads.vetted_json(text, "(t)")
        assert raised.value.field == field
    assert _loads.vetted_json('{"true": true, "e": "1e999"}', "(t)") == {"true": True, "e": "1e999"}


def test_vetted_json_finds_an_exponent_among_true_and_false():
    """The skipped walk is told by counting letters outside strings: an exponent or an
    infinity beside ``true``, ``false`` and ``null`` is still found, with its path."""
    from billrules import _loads

    for text, field in (
        ('{"a": [true, false, 1e999]}', "a[2]"),
        ('{"a": [true, null, 1E999]}', "a[2]"),
        ('{"a": [false, -Infinity]}', "a[1]"),
        ('{"true": [NaN, true]}', "true[0]"),
    ):
        with pytest.raises(PlainDataError) as raised:
            _loads.vetted_json(text, "(t)")
        assert raised.value.field == field, text
    assert _loads.vetted_json('{"a": [true, false, null, 1.5e3]}', "(t)") == {
        "a": [True, False, None, 1500.0]
    }


def test_readers_compiled_by_threads_at_once_read_alike():
    """The compiled readers are kept only once finished: threads reading with fresh hooks at
    the same moment never see a half-built reader (no RecursionError, the same account)."""
    import sys
    import threading

    from billrules import _plain
    from billrules.account import Account as AccountKind

    data = json.loads(
        resources.files("billrules").joinpath("examples/delinquent.json").read_text("utf-8")
    )
    expected = _plain.structure(AccountKind, data)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(3):
            hooks = _plain.Hooks()
            results: list[object] = []

            def read(hooks=hooks, results=results):
                try:
                    results.append(_plain.structure(AccountKind, data, "", hooks))
                except Exception as error:  # pragma: no cover - only when the test fails
                    results.append(error)

            threads = [threading.Thread(target=read) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert results == [expected] * 8
    finally:
        sys.setswitchinterval(interval)
