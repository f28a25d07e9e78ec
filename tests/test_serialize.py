"""Account JSON: loading, dumping, field-path errors, the documented and the bundled examples."""

from __future__ import annotations

import json
import re
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
from billrules.account import Account, User, balance_facts
from billrules.errors import CurrencyMismatch
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
        assert ("active", None, [], {"methods": [], "default_id": None}) == (
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
