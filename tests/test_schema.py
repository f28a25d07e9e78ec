"""The published JSON Schemas: generated from the reader's own fields, shipped as files, valid
draft 2020-12, and agreeing with the docs' examples and with generated values (X-1, X-4)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs are declared for it
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billrules import InvalidInput
from billrules.effects import SendEmail
from billrules.policy import (
    DEFAULT_POLICY,
    policy_from_toml,
)
from billrules.report import explain
from billrules.schema import DRAFT, NAMES, json_schema, schema_text
from billrules.serialize import to_dict
from billrules.testing import accounts, decisions, effects, policies, transitions
from billrules.timeline import timeline

ROOT = Path(__file__).resolve().parent.parent
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
REGENERATE = (
    ".venv/bin/python -c \"from billrules.schema import NAMES, schema_text; [open(f'src/billrules/"
    "schemas/{n}.schema.json', 'w', encoding='utf-8').write(schema_text(n)) for n in NAMES]\""
)

#: A ```json block, and the schema the comment before it names.
_JSON_BLOCK = re.compile(r"<!-- schema: (\w+) -->\n```json\n(.*?)^```$", re.M | re.S)
_ANY_JSON_BLOCK = re.compile(r"^```json\n", re.M)
#: A ```toml block, or the TOML text a pycon example hands to policy_from_toml.
_TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```$", re.M | re.S)
_TOML_CALL = re.compile(r"policy_from_toml\('''\n(.*?)\.\.\. '''\)", re.S)

#: Examples of a property that explains or runs the timeline of a whole generated account
#: (years of transitions each): the profile's count, at most 60, to keep the gate short.
_WHOLE_ACCOUNT_EXAMPLES = min(settings.default.max_examples, 60)


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json_schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def problems(name: str, document: object) -> list[str]:
    """What the schema ``name`` finds wrong with ``document`` (empty: valid)."""
    found = validator(name).iter_errors(document)
    return [f"{list(error.absolute_path)}: {error.message}" for error in found]


def documented_json() -> list[tuple[str, str, str]]:
    """Every ```json block of the docs and the README, with its page and schema name."""
    found: list[tuple[str, str, str]] = []
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        blocks = _JSON_BLOCK.findall(text)
        assert len(blocks) == len(_ANY_JSON_BLOCK.findall(text)), (
            f"{page.name}: every ```json block is preceded by <!-- schema: NAME -->"
        )
        found.extend((page.name, name, body) for name, body in blocks)
    return found


def documented_policies() -> list[tuple[str, str, bool]]:
    """The TOML policies of the docs: ```toml blocks (which must load) and the text pycon
    examples give policy_from_toml (some of which show an error)."""
    found: list[tuple[str, str, bool]] = []
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        found.extend((page.name, body, True) for body in _TOML_BLOCK.findall(text))
        for call in _TOML_CALL.findall(text):
            lines = [line.removeprefix("... ").removeprefix("...") for line in call.splitlines()]
            found.append((page.name, "\n".join(lines).replace("\\\\", "\\"), False))
    return found


class TestPublished:
    """The schemas are generated from the reader's fields and shipped as they are generated."""

    @pytest.mark.parametrize("name", NAMES)
    def test_shipped_file_is_the_generated_schema(self, name: str) -> None:
        """X-1: billrules/schemas/<name>.schema.json is exactly schema_text(name)."""
        shipped = resources.files("billrules").joinpath(f"schemas/{name}.schema.json")
        assert schema_text(name) == shipped.read_text(encoding="utf-8"), (
            f"the shipped schema is stale; regenerate it with: {REGENERATE}"
        )

    def test_every_shipped_file_has_a_name(self) -> None:
        """X-1: no stale file is shipped for a schema that no longer exists."""
        folder = resources.files("billrules").joinpath("schemas")
        shipped = {item.name for item in folder.iterdir() if item.name.endswith(".json")}
        assert {f"{name}.schema.json" for name in NAMES} == shipped

    @pytest.mark.parametrize("name", NAMES)
    def test_schema_is_valid_draft_2020_12(self, name: str) -> None:
        """X-1: each document is a valid 2020-12 schema, refers to its own $defs only, and is
        closed: every object lists its properties and refuses others."""
        schema = json_schema(name)
        assert DRAFT == schema["$schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        text = json.dumps(schema)
        for ref in re.findall(r'"\$ref": "#/\$defs/([^"]+)"', text):
            assert ref in schema["$defs"]
        for definition in schema["$defs"].values():
            if definition.get("type") == "object" and "properties" in definition:
                assert definition["additionalProperties"] is False

    def test_unknown_name_is_refused_naming_the_known_ones(self) -> None:
        """X-1: an unknown name is an InvalidInput naming "name" and listing the names."""
        with pytest.raises(InvalidInput, match="known are account, decision, effect") as caught:
            json_schema("acount")
        assert "name" == caught.value.field
        with pytest.raises(InvalidInput):
            schema_text("")

    def test_account_schema_follows_the_fields(self) -> None:
        """X-4: required fields are those without a default; money, instants and zones have
        their patterns; enums list their values."""
        defs = json_schema("account")["$defs"]
        assert ["id", "zone", "currency", "created_at", "users"] == defs["Account"]["required"]
        amount = defs["Invoice"]["properties"]["amount"]
        assert "#/$defs/money" == amount["$ref"]  # and the rule of its validator: not negative
        assert re.search(amount["not"]["pattern"], "-1.00 USD")
        assert not re.search(amount["not"]["pattern"], "-0.00 USD")
        assert ["owner", "admin", "staff"] == defs["User"]["properties"]["role"]["enum"]
        money = re.compile(defs["money"]["pattern"])
        assert money.fullmatch("19.00 USD")
        assert money.fullmatch("-0.5 JPY")
        assert not money.fullmatch("-0.5 jpy")  # the reader takes upper-case codes only
        assert not money.fullmatch(" 19.00 USD")
        assert not money.fullmatch("19.00")
        assert not money.fullmatch("1e3 USD")
        instant = re.compile(defs["instant"]["pattern"])
        assert instant.fullmatch("2024-05-08T09:00:00+03:00")
        assert instant.fullmatch("2024-05-08T06:00:00Z")
        assert not instant.fullmatch("2024-05-08T09:00:00")


class TestDocumentedExamples:
    """Every JSON example of the docs, and every policy they show, validates."""

    def test_the_docs_have_examples(self) -> None:
        """X-1: the account example and the policy examples are found."""
        assert any(name == "account" for _, name, _ in documented_json())
        assert len(documented_policies()) >= 3

    @pytest.mark.parametrize(
        ("page", "name", "body"), documented_json(), ids=lambda value: str(value)[:20]
    )
    def test_json_example_validates(self, page: str, name: str, body: str) -> None:
        """X-1: each ```json block validates against the schema named before it."""
        assert name in NAMES, page
        assert [] == problems(name, json.loads(body))

    @pytest.mark.parametrize(
        ("page", "text", "must_load"), documented_policies(), ids=lambda v: str(v)[:20]
    )
    def test_policy_example_validates(self, page: str, text: str, must_load: bool) -> None:
        """X-1: each policy the docs load (TOML, converted to JSON data) validates when the
        loader accepts it (a ```toml block must load); the loader's own cross-field checks
        may refuse more."""
        data = tomllib.loads(text)
        try:
            policy_from_toml(text)
        except InvalidInput:
            assert not must_load, page
            return
        assert [] == problems("policy", json.loads(json.dumps(data))), page


class TestGeneratedValues:
    """What billrules writes validates: generated accounts, policies, reports, effects."""

    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(accounts())
    def test_accounts(self, account: Any) -> None:
        """X-1: every generated account's JSON validates against "account"."""
        assert [] == problems("account", to_dict(account))

    @given(policies())
    def test_policies(self, policy: Any) -> None:
        """X-1: every generated policy's JSON validates against "policy"."""
        assert [] == problems("policy", to_dict(policy))

    @given(effects())
    def test_effects(self, effect: Any) -> None:
        """X-2: every generated effect's JSON validates against "effect"."""
        assert [] == problems("effect", to_dict(effect))

    @given(decisions())
    def test_decisions(self, decision: Any) -> None:
        """X-1: every generated decision's JSON (details of every kind) validates."""
        assert [] == problems("decision", to_dict(decision))

    @given(transitions())
    def test_transitions(self, transition: Any) -> None:
        """X-5: every generated transition's JSON validates against "transition"."""
        assert [] == problems("transition", to_dict(transition))

    @settings(max_examples=_WHOLE_ACCOUNT_EXAMPLES, deadline=None)
    @given(accounts(), st.integers(min_value=0, max_value=800))
    def test_reports_and_timelines(self, account: Any, days: int) -> None:
        """X-1, X-5: the report and the timeline of a generated account validate."""
        at = account.created_at + timedelta(days=days)
        assert [] == problems("report", explain(account, DEFAULT_POLICY, at).to_dict())
        events = timeline(account, DEFAULT_POLICY, start=at, end=at + timedelta(days=400))
        assert [] == problems("timeline", events.to_dict())


class TestInvalidDocuments:
    """The schemas refuse what the reader refuses."""

    def test_account_without_owner_fields(self) -> None:
        """X-1: a missing required field, an unknown key and a float amount are refused."""
        account = {
            "id": "acme",
            "zone": "Europe/Kyiv",
            "currency": "USD",
            "created_at": "2024-01-10T10:00:00+02:00",
            "users": [{"id": "olena", "role": "owner"}],
        }
        assert [] == problems("account", account)
        assert problems("account", {key: account[key] for key in account if key != "zone"})
        assert problems("account", {**account, "last_login": None})
        assert problems("account", {**account, "users": [{"id": "olena", "role": "boss"}]})
        payment = {"id": "p", "amount": 19.0, "paid_at": "2024-01-10T10:00:00+02:00"}
        assert problems("account", {**account, "payments": [payment]})

    def test_naive_instant(self) -> None:
        """X-3: an instant without an offset is refused."""
        account = {
            "id": "acme",
            "zone": "Europe/Kyiv",
            "currency": "USD",
            "created_at": "2024-01-10T10:00:00",
            "users": [],
        }
        assert problems("account", account)

    def test_effect_of_unknown_kind_or_bad_key(self) -> None:
        """X-2, X-6: an effect names a known kind, its own fields only, and a well-formed key."""
        data = to_dict(
            SendEmail(at=datetime(2024, 5, 1, tzinfo=UTC), rule="DEL-3", template="t", to="owner")
        )
        assert [] == problems("effect", data)
        assert problems("effect", {**data, "kind": "send_fax"})
        assert problems("effect", {**data, "banner": "x"})
        assert problems("effect", {**data, "key": "eff_1"})
        assert problems("effect", {key: data[key] for key in data if key != "kind"})

    def test_details_tags(self) -> None:
        """X-4: a details value's tag is one of the known ones and holds its form."""
        email = SendEmail(
            at=datetime(2024, 5, 1, tzinfo=UTC), rule="DEL-3", template="t", to="owner"
        )
        data = to_dict(email)
        good = {"a": {"$money": "1.00 USD"}, "b": [1, {"$date": "2024-05-01"}], "c": {"x": 1}}
        assert [] == problems("effect", {**data, "details": good})
        assert problems("effect", {**data, "details": {"a": {"$money": 1}}})
        assert problems("effect", {**data, "details": {"a": {"$euro": "1"}}})


def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


@pytest.mark.parametrize("name", NAMES)
def test_every_pattern_is_read_alike_by_ecma_262_and_python(name: str) -> None:
    """X-1: a JSON Schema ``pattern`` is an ECMA-262 regular expression: every pattern of the
    published schemas compiles in a JavaScript engine (with and without the ``u`` flag, as
    validators differ) and in Python's ``re``, and uses no escape only Python reads
    (``\\U0001…``, ``\\A``, ``\\Z``, ``(?P<``)."""
    patterns = sorted(set(_patterns(json_schema(name))))
    if name == "import_report":  # an enum of codes and free text: nothing to compile
        assert [] == patterns
        return
    assert patterns
    for pattern in patterns:
        re.compile(pattern)
        assert not re.search(r"\\U|\\A|\\Z|\(\?P<", pattern), pattern
    node = shutil.which("node")
    if node is None:
        pytest.skip("no JavaScript engine here to compile the patterns with")
    script = (
        "const ps = JSON.parse(require('fs').readFileSync(0, 'utf8')); const bad = [];"
        "for (const p of ps) { for (const f of ['', 'u']) {"
        " try { new RegExp(p, f); } catch (e) { bad.push([p, f, String(e)]); } } }"
        "process.stdout.write(JSON.stringify(bad));"
    )
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(patterns), capture_output=True, text=True, check=True
    )
    assert [] == json.loads(done.stdout)
