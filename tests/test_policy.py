"""Policy files: the whole policy loads and dumps as mappings, JSON and TOML, and every bad
file is refused with an error naming the field path (X-1, X-5 across areas)."""

from __future__ import annotations

import copy
import json
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from moneyed import Money

from billrules import InvalidInput, InvalidType
from billrules._plain import PlainDataError
from billrules.balance import BalancePolicy
from billrules.deletion import DeletionPolicy
from billrules.dunning import Anchor
from billrules.policy import (
    DEFAULT_POLICY,
    Policy,
    policy_from_json,
    policy_from_mapping,
    policy_from_toml,
    policy_to_json,
    policy_to_mapping,
    policy_to_toml,
)
from billrules.testing import policies

BASE = policy_to_mapping(DEFAULT_POLICY)


def _changed(path: tuple[Any, ...], value: object) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


class TestDefaults:
    """The default policy reproduces the seeds in every area."""

    def test_default_policy_is_every_areas_default(self) -> None:
        """DUN-1, DEL-3, BAL-5, INV-1: the bundle's defaults are the seed's numbers."""
        assert Policy() == DEFAULT_POLICY
        assert 10 == DEFAULT_POLICY.deletion.notice_days
        assert Money("19.00", "USD") == DEFAULT_POLICY.balance.base_tariff
        assert [1, 4, 7, 10] == [stage.first_day for stage in DEFAULT_POLICY.dunning.stages]
        assert "2021-01-01" == BASE["invoices"]["history_cutoff"]

    def test_a_file_names_only_what_it_changes(self) -> None:
        """A partial file keeps every other knob at its default."""
        policy = policy_from_mapping({"dunning": {"anchor": "debt_start"}})
        assert Anchor.DEBT_START == policy.dunning.anchor
        assert DEFAULT_POLICY.dunning.stages == policy.dunning.stages
        assert DEFAULT_POLICY.deletion == policy.deletion


class TestRoundTrip:
    """Dump → load gives the same policy, in every format."""

    def test_default_round_trips_in_every_format(self) -> None:
        """The seed policy survives mapping, JSON and TOML."""
        assert DEFAULT_POLICY == policy_from_mapping(policy_to_mapping(DEFAULT_POLICY))
        assert DEFAULT_POLICY == policy_from_json(policy_to_json(DEFAULT_POLICY))
        assert DEFAULT_POLICY == policy_from_toml(policy_to_toml(DEFAULT_POLICY))

    @given(policies())
    def test_generated_policies_round_trip(self, policy: Policy) -> None:
        """Property: for any valid policy, dump then load is the identity (JSON and TOML)."""
        assert policy == policy_from_json(policy_to_json(policy))
        assert policy == policy_from_toml(policy_to_toml(policy))

    @given(policy=policies())
    def test_generated_policies_pickle(self, policy: Policy) -> None:
        """DUN-3: a policy crosses a process boundary unchanged, its dunning table included."""
        again = pickle.loads(pickle.dumps(policy))

        assert policy == again
        assert [again.dunning.stage_on_day(day) for day in range(1, 33)] == [
            policy.dunning.stage_on_day(day) for day in range(1, 33)
        ]

    def test_the_default_policy_pickles(self) -> None:
        """DUN-1: DEFAULT_POLICY reaches a worker process (a stage's access map pickles)."""
        assert DEFAULT_POLICY == pickle.loads(pickle.dumps(DEFAULT_POLICY))

    def test_dumped_json_is_plain(self) -> None:
        """Money is written "19.00 USD", decimals as strings: no floats in a policy file."""
        data = json.loads(policy_to_json(DEFAULT_POLICY))
        assert "19.00 USD" == data["balance"]["base_tariff"]
        assert "0" == data["deletion"]["max_balance"]

    def test_toml_leaves_out_unset_knobs(self) -> None:
        """TOML has no null: an unset knob is left out and loads back as unset."""
        text = policy_to_toml(DEFAULT_POLICY)
        assert "reassign_leads_to" not in text
        assert policy_from_toml(text).cancellation.reassign_leads_to is None


@pytest.mark.parametrize(
    ("path", "value", "field", "problem"),
    [
        (("dunning", "stages", 2, "first_day"), 3, "dunning.stages[2].first_day", "must be after"),
        (("dunning", "stages", 2, "first_day"), 40, "dunning.stages[2].first_day", "at most 31"),
        (
            ("dunning", "stages", 2, "access", "admin"),
            "sometimes",
            "dunning.stages[2].access.admin",
            "unknown value",
        ),
        (
            ("dunning", "stages", 2, "access", "boss"),
            "full",
            "dunning.stages[2].access.boss",
            "unknown value",
        ),
        (("dunning", "anchor"), "moon", "dunning.anchor", "expected one of"),
        (("deletion", "notice_days"), "10", "deletion.notice_days", "must be an integer"),
        (("deletion", "notice_days"), -1, "deletion.notice_days", "at least 0"),
        (("deletion", "max_balance"), 0.5, "deletion.max_balance", "floats are not exact"),
        (
            ("deletion", "reminder_days_before"),
            [1, 3],
            "deletion.reminder_days_before[1]",
            "decreasing",
        ),
        (("balance", "base_tariff"), "19.00", "balance.base_tariff", "such as"),
        (("balance", "base_tariff"), "-1 USD", "balance.base_tariff", "negative"),
        (("balance", "base_tariff"), "1 ZZZ", "balance.base_tariff.currency", "unknown currency"),
        (("invoices", "history_cutoff"), "2021-13-01", "invoices.history_cutoff", "ISO 8601 date"),
        (("invoices", "history_cutoff"), 2021, "invoices.history_cutoff", "date string"),
        (("cancellation", "self_service"), "yes", "cancellation.self_service", "true or false"),
        (
            ("cancellation", "support_contact"),
            7,
            "cancellation.support_contact",
            "must be a string",
        ),
        (("seats",), [], "seats", "must be an object"),
        (("extra",), {}, "extra", "unknown field"),
        (("deletion", "notice_dayz"), 14, "deletion.notice_dayz", "unknown field"),
        (("dunning", "stages"), {}, "dunning.stages", "must be a list"),
    ],
)
def test_each_bad_value_names_its_path(
    path: tuple[Any, ...], value: object, field: str, problem: str
) -> None:
    """X-1: every bad value in a policy file is refused with its field path and the problem."""
    with pytest.raises(InvalidInput) as excinfo:
        policy_from_mapping(_changed(path, value))
    assert field == excinfo.value.field
    assert problem in excinfo.value.problem


def test_bonus_tiers_must_increase() -> None:
    """BAL-2: tiers out of order are refused at their index."""
    tiers = [{"threshold": "100 USD", "percent": "5"}, {"threshold": "50 USD", "percent": "5"}]
    with pytest.raises(InvalidInput) as excinfo:
        policy_from_mapping({"balance": {"bonus_tiers": tiers}})
    assert "balance.bonus_tiers[1].threshold" == excinfo.value.field


def test_a_stage_without_a_required_key() -> None:
    """DUN-3: a stage needs a first day."""
    with pytest.raises(InvalidInput) as excinfo:
        policy_from_mapping({"dunning": {"stages": [{"name": "x", "access": {}}]}})
    assert "dunning.stages[0].first_day" == excinfo.value.field
    assert "is required" == excinfo.value.problem


def test_a_missing_role_is_named() -> None:
    """DUN-3: every stage covers every role."""
    data = _changed(("dunning", "stages", 2, "access"), {"owner": "full", "admin": "full"})
    with pytest.raises(InvalidInput, match="staff") as excinfo:
        policy_from_mapping(data)
    assert "dunning.stages[2].access" == excinfo.value.field


def test_malformed_json_names_the_line() -> None:
    """A JSON syntax error names the file and the line."""
    with pytest.raises(InvalidInput, match="line 2") as excinfo:
        policy_from_json('{\n  "deletion": {,}\n}')
    assert "(policy file)" == excinfo.value.field


def test_malformed_toml() -> None:
    """A TOML syntax error is an InvalidInput too."""
    with pytest.raises(InvalidInput, match="malformed TOML"):
        policy_from_toml("[deletion\nnotice_days = 1")


def test_top_level_must_be_an_object() -> None:
    """A JSON list is not a policy."""
    with pytest.raises(InvalidInput) as excinfo:
        policy_from_json("[1, 2]")
    assert "(top level)" == excinfo.value.field


def test_policy_fields_are_typed() -> None:
    """A section of the wrong type is a type error naming the field."""
    with pytest.raises(InvalidType) as excinfo:
        Policy(deletion=BalancePolicy())  # type: ignore[arg-type]
    assert "Policy.deletion" == excinfo.value.field


def test_toml_example_from_a_host() -> None:
    """A host's TOML changing two areas: the seed elsewhere."""
    policy = policy_from_toml(
        """
        [deletion]
        notice_days = 14
        reminder_days_before = [7, 3, 1]

        [balance]
        base_tariff = "25.00 USD"

        [[balance.bonus_tiers]]
        threshold = "100.00 USD"
        percent = "5"
        """
    )
    assert DeletionPolicy(notice_days=14, reminder_days_before=(7, 3, 1)) == policy.deletion
    assert Decimal("5") == policy.balance.bonus_tiers[0].percent
    assert DEFAULT_POLICY.dunning == policy.dunning


class TestHostilePolicyFiles:
    """What no policy file holds is a PlainDataError naming its path (JSON) or line (TOML)."""

    @pytest.mark.parametrize(
        ("text", "field", "problem"),
        [
            (
                '{"deletion": {"reminder_days_before": ' + "[" * 5000 + "]" * 5000 + "}}",
                "deletion.reminder_days_before" + "[0]" * 30,
                "nesting deeper than 32 levels",
            ),
            (
                '{"deletion": {"notice_days": ' + "1" * 5000 + "}}",
                "deletion.notice_days",
                "is an integer of more than 40 digits",
            ),
            (
                '{"dunning": {"stages": [{"first_day": 1, "first_day": 2}]}}',
                "dunning.stages[0].first_day",
                "appears twice in the same object",
            ),
            ('{"deletion": {}, "deletion": {}}', "deletion", "appears twice"),
            (
                '{"cancellation": {"support_contact": "\\udc00"}}',
                "cancellation.support_contact",
                "holds a lone surrogate",
            ),
            ('{"deletion": {"max_balance": NaN}}', "deletion.max_balance", "is NaN"),
            ('{"deletion": {"max_balance": Infinity}}', "deletion.max_balance", "is NaN"),
        ],
    )
    def test_json(self, text: str, field: str, problem: str) -> None:
        """Deep nesting, a 5,000-digit integer, a duplicate key, a lone surrogate, NaN and
        Infinity in a JSON policy: each names its path."""
        with pytest.raises(PlainDataError) as excinfo:
            policy_from_json(text)
        assert (field, True) == (excinfo.value.field, problem in excinfo.value.problem)

    @pytest.mark.parametrize(
        ("text", "field", "problem"),
        [
            ("x = " + "[" * 5000 + "]" * 5000, "(policy file)", "line 1: nesting deeper than 32"),
            ("x = " + "{a = " * 100 + "1" + "}" * 100, "(policy file)", "line 1: nesting deeper"),
            (
                "# a comment\n[deletion]\nnotice_days = " + "1" * 5000,
                "(policy file)",
                "line 3: a number of more than 40 digits",
            ),
            ("[deletion]\nnotice_days = 0x" + "f" * 5000, "deletion.notice_days", "40 digits"),
            ("[deletion]\nmax_balance = nan", "deletion.max_balance", "is NaN or an infinity"),
            ("[deletion]\nmax_balance = -inf", "deletion.max_balance", "is NaN or an infinity"),
            ("a" + ".a" * 40 + " = 1", "a" + ".a" * 31, "nesting deeper than 32 levels"),
            ("[deletion]\nnotice_days = 1\nnotice_days = 2", "(policy file)", "malformed TOML"),
        ],
    )
    def test_toml(self, text: str, field: str, problem: str) -> None:
        """A TOML policy nested too deep or holding a 5,000-digit number is refused naming the
        line, before the parser reads it; the rest name their path."""
        with pytest.raises(PlainDataError) as excinfo:
            policy_from_toml(text)
        assert (field, True) == (excinfo.value.field, problem in excinfo.value.problem)

    def test_strings_and_comments_are_not_structure(self) -> None:
        """Brackets and long digit runs inside TOML strings and comments are text."""
        policy = policy_from_toml(
            "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ " + "1" * 60 + "\n"
            "[cancellation]\n"
            'support_contact = "' + "[" * 40 + "{" * 40 + '"\n'
            "reassign_leads_to = '''" + "[" * 40 + "'''\n"
        )
        assert "[" * 40 + "{" * 40 == policy.cancellation.support_contact

    def test_a_byte_order_mark_is_accepted(self) -> None:
        """A UTF-8 byte-order mark before JSON or TOML text is ignored."""
        assert DEFAULT_POLICY == policy_from_json("\ufeff" + policy_to_json(DEFAULT_POLICY))
        assert DEFAULT_POLICY == policy_from_toml("\ufeff" + policy_to_toml(DEFAULT_POLICY))

    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda: policy_from_json(None), "text"),  # type: ignore[arg-type] # a wrong type on purpose
            (lambda: policy_from_json(b"{}"), "text"),  # type: ignore[arg-type] # a wrong type on purpose
            (lambda: policy_from_toml(b""), "text"),  # type: ignore[arg-type] # a wrong type on purpose
            (lambda: policy_to_json(None), "policy"),  # type: ignore[arg-type] # a wrong type on purpose
            (lambda: policy_to_toml("x"), "policy"),  # type: ignore[arg-type] # a wrong type on purpose
            (lambda: policy_to_mapping(42), "policy"),  # type: ignore[arg-type] # a wrong type on purpose
            (lambda: policy_from_mapping([("deletion", {})]), "data"),  # type: ignore[arg-type] # a wrong type on purpose
        ],
    )
    def test_wrong_types_are_invalid_type(self, call: Any, name: str) -> None:
        """None, bytes or a number where text or a Policy is expected: InvalidType naming the
        parameter, never "null" or 42 handed back."""
        with pytest.raises(InvalidType) as excinfo:
            call()
        assert name == excinfo.value.field

    def test_a_card_number_key_is_not_repeated(self) -> None:
        """PM-6: an unknown key named after a card number is refused without repeating it."""
        with pytest.raises(PlainDataError) as excinfo:
            policy_from_mapping({"deletion": {"4242424242424242": 1}})
        assert "deletion['•••']" == excinfo.value.field
        assert "4242" not in str(excinfo.value)
