"""The published JSON Schemas accept exactly what the readers accept (issue 18, class 12),
and every id has at most 256 characters (class 10): X-1, X-3, X-4, PM-6."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]  # no stubs are declared for it
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests._accounts import DELINQUENT

from billrules import InvalidInput, _time, serialize
from billrules.account import Account, User
from billrules.contract import Transition
from billrules.decisions import Decision
from billrules.effects import Effect, SendEmail
from billrules.errors import BillRulesError
from billrules.policy import DEFAULT_POLICY, policy_from_mapping, policy_to_mapping
from billrules.report import Report, explain
from billrules.schema import json_schema
from billrules.serialize import to_dict
from billrules.testing import accounts, decisions, effects, policies, transitions
from billrules.timeline import Timeline, timeline

#: Examples of a property over whole generated accounts: the profile's count, at most 60.
_WHOLE_ACCOUNT_EXAMPLES = min(settings.default.max_examples, 60)


def problems(name: str, document: object) -> list[str]:
    """What the schema ``name`` finds wrong with ``document`` (empty: valid)."""
    checker = jsonschema.Draft202012Validator(
        json_schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [
        f"{list(error.absolute_path)}: {error.message}" for error in checker.iter_errors(document)
    ]


#: The reader of each kind of document, as a host calls it.
READERS: dict[str, Any] = {
    "account": serialize.account_from_mapping,
    "policy": policy_from_mapping,
    "effect": lambda data: serialize.from_dict(Effect, data),
    "decision": lambda data: serialize.from_dict(Decision, data),
    "transition": lambda data: serialize.from_dict(Transition, data),
    "report": lambda data: serialize.from_dict(Report, data),
    "timeline": lambda data: serialize.from_dict(Timeline, data),
}

#: What the reader refuses and the schema cannot say, each written in the schema's
#: ``description``: the Luhn test of a card number in text (PM-6); a zone name of the right
#: form that the tz database lacks; a value written for readers (an effect's key, a reason's
#: message…) that differs from what the other fields give; and the rules across fields of
#: ``billrules.schema._ACROSS_FIELDS``. Each is recognised by the reader's message.
DOCUMENTED_EXCEPTIONS: tuple[tuple[str, str], ...] = (
    ("card number in text (PM-6, a Luhn test)", r"must not hold a card number"),
    ("zone name the tz database lacks", r"^UnknownTimeZone: "),
    ("value written for readers", r"does not match what the other fields give"),
    ("Account: exactly one owner", r"must hold exactly one owner"),
    ("ids unique", r"ids must be unique|duplicate|repeats"),
    ("Account: ledger currency", r"^CurrencyMismatch: "),
    ("Wallet: default_id", r"default_id: (an empty wallet|a wallet with|must be the id)"),
    ("PaymentMethod: card fields", r"expiry month and year|is required for a card"),
    ("Invoice: paid amounts", r"amount_paid: must|paid_at: (is required on|must be None on)"),
    ("BonusTier: one of two", r"give exactly one of percent and fixed"),
    ("windows: end after start", r"end: must (be after|not be before) start"),
    ("LedgerEntry: kind and lines", r"on a charge|on a \w+|must add up to the charge"),
    ("SeatPool: occupants", r"more occupants than seats"),
    ("instants in order", r"must not be before"),
    (
        "DeletionSchedule: records",
        r"cannot be recorded together|is required exactly when|never kept",
    ),
    ("DeletionPolicy: reminders", r"every reminder must come after the notice|strictly decreasing"),
    ("DunningPolicy: stages", r"first_day: must (be 1|be after stages)|access\[\w+\]: .*improve"),
    (
        "OverduePolicy: stages and thresholds",
        r"first_day: must (be 0|be after stages)|access\[\w+\]: .*restricted|thresholds",
    ),
    ("ChargeAttempt: a success has no decline", r"must be None on a succeeded attempt"),
    ("PaymentMethodPolicy: ranges", r"overlap|the range must not end before it starts"),
    ("Reason/Finding: details", r"lacks .*, which the (sentence|summary) of"),
    ("Finding: the area's question", r"area: has no question"),
    ("Transition: kind of the area", r"kind: unknown"),
    ("Reason/Finding: code of the area", r"of more than one area|has no reason code"),
    ("Reason: the rule its code declares", r"but the code '\w+' is given under rule"),
    ("Decision: a refusal has a reason", r"a refusal needs at least one reason"),
    (
        "a number with a zero fraction where an integer is wanted",
        r"must be an integer, not float|must be a string or an integer: floats are not exact",
    ),
    ("a lone surrogate in text", r"lone surrogate"),
    ("details: at most 16 levels and 100,000 values", r"must not nest more than|values in all"),
)
_EXCEPTION = re.compile("|".join(f"(?:{pattern})" for _, pattern in DOCUMENTED_EXCEPTIONS))

#: Values a mutation puts in place of one value: empty and blank text, over-long ids, wrong
#: types, out-of-range numbers, unknown names, odd spellings of instants, dates and money.
# fmt: off
_ODD_VALUES: tuple[object, ...] = (
    "", " ", "\u3000", "x" * 257, "x" * 256, None, 0, -1, 1, 4, 12, 31, 32, 3651, 2**63,
    1.5, 1.0, True, [], {}, "unknown", "owner", "\ud800",
    "2024-05-08T09:00:00+03:00", "2024-05-08T09:00:00Z", "2024-05-08t09:00:00+00:00",
    "2024-05-08T09:00:00z", "2024-05-08T09:00:00+0200", "2024-05-08T09:00:00+02",
    "20240508T090000Z", "2024-05-08 09:00:00+00:00", "2024-05-08T09:00+03:00",
    "2024-02-30T00:00:00Z", "2024-05-08T09:00:00.1234567Z", "0999-12-31T00:00:00Z",
    "19.00 USD", " 19.00 USD", "19.00 usd", "19.00  USD", "19.00\tUSD", "-1.00 USD", "-0.00 USD",
    "0 USD", "0.00 USD", "1e3 USD", "19.00 XYZ", "19,00 USD", "1" * 31 + " USD",
    "2024-05-01", "20250603", "2025-W23-2", "2025-02-29", "2024-02-29", "2024-5-1",
    "Europe/Kyiv", "UTC", "Mars/Base", "../etc", "utc", "USD", "usd", "XYZ",
    "4242424242424242", "acme 4242 4242 4242 4242", "Visa 4242 4242", "-5", "5", "1.5", "1e3",
)
# fmt: on

#: Changes of a string value into a near spelling of it.
_RESPELLINGS: tuple[Any, ...] = (
    str.lower,
    str.upper,
    lambda s: f" {s}",
    lambda s: f"{s} ",
    lambda s: s.replace("-", ""),
    lambda s: s.replace(":", ""),
    lambda s: s.replace("T", " "),
    lambda s: s[:-3],
)


def _paths(data: object, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [where]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*where, key)))
    elif isinstance(data, list):
        for position, value in enumerate(data):
            found.extend(_paths(value, (*where, position)))
    return found


def _mutated(document: dict[str, Any], path: tuple[Any, ...], how: Any) -> dict[str, Any]:
    """``document`` with one change at ``path``: a value put in, a key removed or added."""
    changed: dict[str, Any] = json.loads(json.dumps(document))
    if not path:
        changed["zz_unknown"] = 1
        return changed
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "remove":
        del parent[last]
    elif how == "add key":
        target = parent[last]
        if isinstance(target, dict):
            target["zz_unknown"] = 1
        else:
            parent[last] = {"zz_unknown": 1}
    elif callable(how):
        if isinstance(parent[last], str):
            parent[last] = how(parent[last])
    else:
        parent[last] = how
    return changed


def _reader_verdict(name: str, document: object) -> str | None:
    """None when the reader accepts ``document``, else its error as "Class: field: problem"."""
    try:
        READERS[name](document)
    except BillRulesError as error:
        return f"{type(error).__name__}: {getattr(error, 'field', '')}: {error}"
    return None


def assert_schema_agrees(name: str, document: dict[str, Any]) -> None:
    """The schema ``name`` accepts ``document`` exactly when its reader does, but for the
    documented exceptions (the reader may refuse more, for those rules only)."""
    refused = _reader_verdict(name, document)
    found = problems(name, document)
    if refused is None:
        assert [] == found, f"the reader accepts what the schema refuses: {document}"
    elif not found:
        assert _EXCEPTION.search(refused), (
            f"the schema accepts what the reader refuses ({refused}): {document}"
        )


def _mutations(draw: Any, document: dict[str, Any]) -> list[dict[str, Any]]:
    paths = _paths(document)
    found = []
    for _ in range(6):
        path = draw(st.sampled_from(paths))
        how = draw(
            st.one_of(
                st.sampled_from(_ODD_VALUES),
                st.sampled_from(("remove", "add key")),
                st.sampled_from(_RESPELLINGS),
            )
        )
        if how == "remove" and not path:
            continue
        found.append(_mutated(document, path, how))
        # An effect's key is written for readers and may be left out: then the change is
        # read for what it is, not as an edit of the key.
        if name_has_key(found[-1]):
            found.append({key: value for key, value in found[-1].items() if key != "key"})
    return found


def name_has_key(document: dict[str, Any]) -> bool:
    return "key" in document and "kind" in document


class TestSchemaAgreesWithReader:
    """Issue 18, class 12: the schemas are generated from the readers' own description
    (validators, patterns, currency codes, bounds), so a document the schema accepts is one
    the reader accepts, and the other way round, but for DOCUMENTED_EXCEPTIONS."""

    @pytest.mark.parametrize(
        ("name", "strategy"),
        [
            ("account", accounts()),
            ("policy", policies()),
            ("effect", effects()),
            ("decision", decisions()),
            ("transition", transitions()),
        ],
        ids=["account", "policy", "effect", "decision", "transition"],
    )
    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(data=st.data())
    def test_schema_accepts_exactly_what_the_reader_accepts(
        self, name: str, strategy: Any, data: st.DataObject
    ) -> None:
        """X-1: generated documents and single-field mutations of them (empty text, wrong
        types, out-of-range numbers, unknown names, odd instants, dates and money, extra and
        missing keys) get the same answer from the schema and the reader."""
        value = data.draw(strategy)
        document = policy_to_mapping(value) if name == "policy" else to_dict(value)
        assert_schema_agrees(name, document)
        for changed in _mutations(data.draw, document):
            assert_schema_agrees(name, changed)

    @settings(max_examples=min(settings.default.max_examples, 15), deadline=None)
    @given(accounts(), st.integers(min_value=0, max_value=800), st.data())
    def test_report_and_timeline_schemas_accept_what_the_reader_accepts(
        self, account: Any, days: int, data: st.DataObject
    ) -> None:
        """X-1, X-5: a report's and a timeline's documents and their mutations get the same
        answer from the schema and the reader."""
        at = account.created_at + timedelta(days=days)
        report = explain(account, DEFAULT_POLICY, at).to_dict()
        events = timeline(account, DEFAULT_POLICY, start=at, end=at + timedelta(days=120)).to_dict()
        for name, document in (("report", report), ("timeline", events)):
            assert_schema_agrees(name, document)
            for changed in _mutations(data.draw, document)[:3]:
                assert_schema_agrees(name, changed)

    def test_a_findings_area_outside_the_registry_is_refused_by_both(self) -> None:
        """X-1: the reader takes a finding's question only from a registered area, so the
        schema names the registry's areas too (it took any snake_case name, and a report whose
        finding named the area "unknown" passed the schema but not the reader)."""
        report = explain(DELINQUENT, DEFAULT_POLICY, DELINQUENT.created_at).to_dict()
        report["roles"][0]["findings"][0]["area"] = "unknown"
        assert problems("report", report)
        assert _reader_verdict("report", report) is not None
        assert_schema_agrees("report", report)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("id", ""),
            ("id", "   "),
            ("id", "x" * 257),
            ("zone", "Europe/Kyjiw/Podil/x"),
            ("currency", "XYZ"),
            ("currency", "usd"),
            ("created_at", "2024-01-10t10:00:00+02:00"),
            ("created_at", "2024-01-10T10:00:00+0200"),
            ("created_at", "20240110T100000Z"),
            ("created_at", "2024-01-10 10:00:00+02:00"),
        ],
    )
    def test_account_schema_and_reader_both_refuse(self, field: str, value: str) -> None:
        """X-1: empty and over-long ids, unknown currencies (and lower-case codes), and the
        spellings of an instant other than RFC 3339's are refused by both."""
        account = {**_ACCOUNT, field: value}
        assert problems("account", account)
        with pytest.raises(InvalidInput) as caught:
            serialize.account_from_mapping(account)
        assert field == caught.value.field

    @pytest.mark.parametrize(
        "amount", [" 19.00 USD", "19.00  USD", "19.00 usd", "19.00\tUSD", "-1.00 USD", "1e3 USD"]
    )
    def test_money_spelt_otherwise_is_refused_by_both(self, amount: str) -> None:
        """X-4: an amount is "19.00 USD": one space, an upper-case code, an amount of zero
        or more on an invoice; every other spelling is refused by the reader and the schema."""
        invoice = {
            "id": "inv-1",
            "status": "scheduled",
            "amount": amount,
            "issued_at": "2024-01-10T10:00:00+02:00",
            "due_at": "2024-01-20T10:00:00+02:00",
        }
        account = {**_ACCOUNT, "invoices": [invoice]}
        assert problems("account", account)
        with pytest.raises(InvalidInput) as caught:
            serialize.account_from_mapping(account)
        assert caught.value.field.startswith("invoices[0].amount")

    @pytest.mark.parametrize("day", ["20250603", "2025-W23-2", "2025-02-29", "2025-6-3"])
    def test_date_spelt_otherwise_is_refused_by_both(self, day: str) -> None:
        """X-3: a date is "2025-06-03", a day that exists; basic and week dates are refused."""
        data = policy_to_mapping(DEFAULT_POLICY)
        data["invoices"]["history_cutoff"] = day
        assert problems("policy", data)
        with pytest.raises(InvalidInput) as caught:
            policy_from_mapping(data)
        assert "invoices.history_cutoff" == caught.value.field

    @pytest.mark.parametrize(
        ("section", "key", "value"),
        [
            ("payment_methods", "brands", []),
            ("dunning", "stages", []),
            ("deletion", "inactivity_days", 3651),
            ("balance", "base_tariff", "-1.00 USD"),
            ("cancellation", "support_contact", ""),
            ("deletion", "reminder_days_before", [0]),
            ("deletion", "reminder_days_before", [-1]),
            ("deletion", "reminder_days_before", [3651]),
        ],
    )
    def test_policy_schema_refuses_what_the_loader_refuses(
        self, section: str, key: str, value: object
    ) -> None:
        """X-1: empty brands and stages, a knob out of range, a negative tariff, an empty
        text: refused by the schema as by the loader, which names the field."""
        data = policy_to_mapping(DEFAULT_POLICY)
        data[section][key] = value
        assert problems("policy", data)
        with pytest.raises(InvalidInput) as caught:
            policy_from_mapping(data)
        assert caught.value.field.startswith(f"{section}.{key}")

    @pytest.mark.parametrize("blank", ["", " ", "\u00a0"])
    def test_blank_contacts_and_kept_because_are_refused_by_both(self, blank: str) -> None:
        """X-1: the items of a subscription's contacts and of a schedule's kept_because are
        text with a character other than whitespace, in the schema as in the reader."""
        for field in ("contacts", "kept_because"):
            schema = json.dumps(json_schema("account"))
            assert f'"{field}"' in schema
            data = to_dict(DELINQUENT)
            if field == "contacts":
                data["subscription"]["contacts"] = [blank]
            else:  # kept by DEL-7 a day after it was scheduled
                data["deletion_schedule"] |= {"kept_at": "2024-05-21T09:15:00+03:00"}
                data["deletion_schedule"]["kept_because"] = [blank]
            assert problems("account", data)
            with pytest.raises(InvalidInput) as caught:
                serialize.account_from_mapping(data)
            assert f"{field}[0]" in caught.value.field

    def test_empty_prefixes_and_rule_are_refused_by_both(self) -> None:
        """X-1: a brand without prefixes, a reason with an empty rule."""
        data = policy_to_mapping(DEFAULT_POLICY)
        data["payment_methods"]["brands"][0]["prefixes"] = []
        assert problems("policy", data)
        with pytest.raises(InvalidInput, match="at least one prefix"):
            policy_from_mapping(data)
        email = to_dict(
            SendEmail(at=datetime(2024, 5, 1, tzinfo=UTC), rule="DEL-3", template="t", to="o")
        )
        del email["key"]
        assert problems("effect", {**email, "rule": ""})
        with pytest.raises(InvalidInput):
            serialize.from_dict(Effect, {**email, "rule": ""})

    @pytest.mark.parametrize(
        ("prefix", "accepted"),
        [
            ("4000-4999", True),
            ("4", True),
            ("40000000-40000001", True),
            ("4000-4", False),
            ("3528-3", False),
            ("4-42", False),
            ("123456789", False),
            ("-4", False),
        ],
    )
    def test_a_prefix_range_has_bounds_of_one_length_for_both(
        self, prefix: str, accepted: bool
    ) -> None:
        """PM-8: the bounds of a prefix range have one length; the schema spells that out for
        each length, so it refuses "4000-4" as the reader does."""
        data = policy_to_mapping(DEFAULT_POLICY)
        data["payment_methods"]["brands"][0]["prefixes"] = [prefix]
        assert (problems("policy", data) == []) is accepted
        if accepted:
            policy_from_mapping(data)
        else:
            with pytest.raises(InvalidInput) as caught:
                policy_from_mapping(data)
            assert "prefixes[0]" in caught.value.field

    def test_cross_field_rules_are_described(self) -> None:
        """X-1: a rule across fields, which no keyword says, is written in the description
        of its class, and the text rule says that a card number is refused (PM-6)."""
        defs = json_schema("account")["$defs"]
        assert "exactly one user is the owner" in defs["Account"]["description"]
        assert "amount_paid is at most amount" in defs["Invoice"]["description"]
        assert "no card number" in defs["User"]["properties"]["id"]["description"]
        assert "tz database" in defs["zone"]["description"]
        effect = json_schema("effect")["$defs"]["Effect"]["description"]
        assert "key, when given" in effect


_ACCOUNT: dict[str, Any] = {
    "id": "acme",
    "zone": "Europe/Kyiv",
    "currency": "USD",
    "created_at": "2024-01-10T10:00:00+02:00",
    "users": [{"id": "olena", "role": "owner"}],
}


class TestIdLength:
    """Issue 18, class 10: every id has at most 256 characters, in the reader, the
    constructors and the schemas."""

    def test_over_long_account_id_is_refused_without_repeating_it(self) -> None:
        """X-1: an account id of 10 MB is an InvalidInput naming the field; the message does
        not repeat it."""
        long_id = "acme-" + "x" * 10_000_000
        with pytest.raises(InvalidInput) as caught:
            serialize.account_from_mapping({**_ACCOUNT, "id": long_id})
        assert "id" == caught.value.field
        assert "xxxxxxxx" not in str(caught.value)
        assert "256" in str(caught.value)
        with pytest.raises(InvalidInput) as built:
            attrs.evolve(_account(), id=long_id)
        assert "Account.id" == built.value.field

    def test_id_of_256_characters_is_accepted(self) -> None:
        """X-1: the bound is 256 characters, included."""
        account = serialize.account_from_mapping({**_ACCOUNT, "id": "a" * 256})
        assert 256 == len(account.id)
        assert [] == problems("account", {**_ACCOUNT, "id": "a" * 256})

    @pytest.mark.parametrize(
        ("where", "build"),
        [
            ("User.id", lambda long: User(id=long, role="owner")),
            (
                "SendEmail.account",
                lambda long: SendEmail(
                    at=datetime(2024, 5, 1, tzinfo=UTC),
                    rule="R",
                    template="t",
                    to="o",
                    account=long,
                ),
            ),
            (
                "SendEmail.rule",
                lambda long: SendEmail(
                    at=datetime(2024, 5, 1, tzinfo=UTC), rule=long, template="t", to="o"
                ),
            ),
        ],
    )
    def test_every_id_field_has_the_bound(self, where: str, build: Any) -> None:
        """X-1: user ids, an effect's account and rule are bounded too."""
        with pytest.raises(InvalidInput) as caught:
            build("u" * 257)
        assert where == caught.value.field
        assert "uuuu" not in str(caught.value)

    def test_schemas_publish_the_bound(self) -> None:
        """X-1: each id field's schema has maxLength 256."""
        account = json_schema("account")["$defs"]
        for kind, key in [("Account", "id"), ("User", "id"), ("Invoice", "id"), ("Payment", "id")]:
            assert 256 == account[kind]["properties"][key]["maxLength"], kind
        effect = json_schema("effect")["$defs"]["SendEmail"]["properties"]
        assert 256 == effect["account"]["anyOf"][0]["maxLength"]


def _account() -> Account:
    return serialize.account_from_mapping(_ACCOUNT)


#: Near spellings of an instant, a date and an amount: every part optional or swapped.
_NEAR_INSTANTS = st.from_regex(
    r"\A[0-9]{4}-?[0-1][0-9]-?[0-3][0-9]([Tt ]|x)[0-2][0-9](:?[0-6][0-9](:?[0-6][0-9]"
    r"([.,][0-9]{1,8})?)?)?(Z|z|[+-][0-2][0-9](:?[0-6][0-9](:[0-6][0-9](\.[0-9]{1,7})?)?)?)?\Z"
)
_NEAR_DATES = st.from_regex(r"\A([0-9]{4}-?[0-1][0-9]-?[0-3][0-9]|[0-9]{4}-W[0-5][0-9]-[1-7])\Z")
_NEAR_AMOUNTS = st.from_regex(
    r"\A\s?[+-]?[0-9]{1,32}(\.[0-9]{0,32})?(e[0-9])?( |  |\t)?(USD|usd|Usd|XYZ|EUR|JPY)\s?\Z"
)


class TestNearSpellings:
    """X-3, X-4: for every near spelling of an instant, a date or an amount, the schema and
    the reader give one answer: the reader reads the one form the schema publishes."""

    @given(_NEAR_INSTANTS)
    def test_instant(self, text: str) -> None:
        """X-3: an instant's spelling."""
        assert_schema_agrees("account", {**_ACCOUNT, "created_at": text})

    @given(_NEAR_DATES)
    def test_date(self, text: str) -> None:
        """X-3: a date's spelling."""
        data = policy_to_mapping(DEFAULT_POLICY)
        data["invoices"]["history_cutoff"] = text
        assert_schema_agrees("policy", data)

    @given(_NEAR_AMOUNTS)
    def test_amount(self, text: str) -> None:
        """X-4: an amount's spelling (a tariff of zero or more)."""
        data = policy_to_mapping(DEFAULT_POLICY)
        data["balance"]["base_tariff"] = text
        assert_schema_agrees("policy", data)


@given(st.from_regex(_time.COMMON_INSTANT_FORM, fullmatch=True))
def test_the_readers_quick_instant_test_accepts_only_the_one_spelling(text: str) -> None:
    """X-3: what the reader's quick test of an instant lets through and Python reads is an
    instant of the one spelling the schema publishes (the quick test never widens it)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return
    assert parsed.tzinfo is not None
    assert _time.INSTANT_FORM.fullmatch(text) is not None
