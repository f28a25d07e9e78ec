"""The area contract: every registered area has the same parts, with the same signatures, and
every reason it gives uses a code of its own closed set (X-1, X-5; DESIGN.md)."""

from __future__ import annotations

import importlib
import inspect
import itertools
import re
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billrules import effects as effect_module
from billrules.account import Account
from billrules.area import Area
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Question, ReasonCode
from billrules.effects import Effect
from billrules.errors import InvalidInput
from billrules.evaluation import AREAS, Evaluation, Registered
from billrules.policy import DEFAULT_POLICY, Policy
from billrules.roles import Role
from billrules.testing import accounts, effects, policies

NAMES = list(AREAS.names)
ENTRIES = list(AREAS)
POLICIES_MD = Path(__file__).parents[1] / "docs" / "policies.md"
#: Every rule ID the catalogue of rules lists (implemented or planned).
RULE_IDS = frozenset(re.findall(r"\b([A-Z]+-[0-9]+)\b", POLICIES_MD.read_text(encoding="utf-8")))

#: The shared signatures: positional facts and policy, then keyword-only arguments.
SIGNATURES = {
    "transitions": ("start", "end", "zone"),
    "findings": ("at", "zone"),
    "role_findings": ("role", "at", "zone"),
}


def _package(area: Area) -> ModuleType:
    return importlib.import_module(f"billrules.{area.name}")


def _exported(area: Area, base: type[StrEnum]) -> list[type[StrEnum]]:
    module = _package(area)
    return [
        getattr(module, name)
        for name in module.__all__
        if isinstance(getattr(module, name), type) and issubclass(getattr(module, name), base)
    ]


def test_the_registry_lists_every_area_once_in_the_policy_bundle() -> None:
    """Every registered area's policy is the field of its name in Policy, of the type the
    area declares, and no area of the bundle is left out of the registry."""
    fields = [field.name for field in attrs.fields(Policy)]
    assert sorted(NAMES) == sorted(fields)
    assert len(set(NAMES)) == len(NAMES)
    for entry in AREAS:
        assert entry.policy(DEFAULT_POLICY) is getattr(DEFAULT_POLICY, entry.name)
        assert type(entry.policy(DEFAULT_POLICY)) is entry.area.policy


@pytest.mark.parametrize("entry", ENTRIES, ids=NAMES)
def test_each_area_declares_itself_once_in_its_package(entry: Registered) -> None:
    """The registry's declaration is the package's AREA; its enums are the ones the package
    exports and declare that area; its rule prefix is that of the area's rule IDs."""
    area = entry.area
    package = _package(area)
    assert package.AREA is area
    assert "AREA" in package.__all__
    assert _exported(area, ReasonCode) == [area.codes]
    assert _exported(area, Question) == ([area.questions] if area.questions else [])
    for enum in area.enums():
        assert enum.__module__.startswith(f"billrules.{area.name}.")
    assert area.codes.area == area.name
    assert area.questions is None or area.questions.area == area.name
    assert any(rule.startswith(f"{area.prefix}-") for rule in RULE_IDS), area.prefix


@pytest.mark.parametrize("entry", ENTRIES, ids=NAMES)
def test_area_has_the_contract_functions_with_the_shared_signature(entry: Registered) -> None:
    """transitions, findings and role_findings take (facts, policy, *, ...) and are public,
    and the declaration's contract is the package's own functions."""
    package = _package(entry.area)
    for name, keywords in SIGNATURES.items():
        function = getattr(package, name)
        assert name in package.__all__
        assert getattr(entry.area.contract, name) is function
        parameters = list(inspect.signature(function).parameters.values())
        positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        keyword = [p.name for p in parameters if p.kind is p.KEYWORD_ONLY]
        assert len(positional) == 2, (entry.name, name, positional)
        assert positional[1] == "policy", (entry.name, name, positional)
        assert keyword == list(keywords), (entry.name, name, keyword)
        returned = inspect.signature(inspect.unwrap(function), eval_str=True).return_annotation
        expected = Iterator[Transition] if name == "transitions" else tuple[Finding, ...]
        assert returned == expected, (entry.name, name, returned)
    if entry.area.suspensions is not None:
        assert entry.area.suspensions is package.suspensions


#: The questions no operation of the same verb carries out: they answer for the host (may this
#: role use the product, view an invoice, change plan at all) or for the area's own transitions
#: (CAN-9's completion, DEL-7's go-ahead).
QUESTIONS_WITHOUT_OPERATION = {
    "dunning.can_use_product",
    "invoices.can_view",
    "cancellation.can_complete_cancellation",
    "subscriptions.can_change_plan",
    "deletion.can_go_ahead",
    "overdue.can_use_product",
    "overdue.can_change_plan",
    "overdue.can_add_seats",
}


@pytest.mark.parametrize("entry", ENTRIES, ids=NAMES)
def test_each_operation_asks_with_its_question_s_arguments(entry: Registered) -> None:
    """DESIGN.md, operations: ``<verb>`` asks ``can_<verb>`` first, so it takes every argument
    of its question, with the same name and kind, and returns new facts, never a Decision."""
    package = _package(entry.area)
    questions = [name for name in package.__all__ if name.startswith("can_")]
    assert questions, entry.name
    for name in questions:
        verb = name.removeprefix("can_")
        if f"{entry.name}.{name}" in QUESTIONS_WITHOUT_OPERATION:
            assert verb not in package.__all__, (entry.name, verb)
            continue
        assert verb in package.__all__, (entry.name, verb)
        question = inspect.signature(inspect.unwrap(getattr(package, name)), eval_str=True)
        operation = inspect.signature(inspect.unwrap(getattr(package, verb)), eval_str=True)
        asked = [(p.name, p.kind) for p in question.parameters.values()]
        taken = [(p.name, p.kind) for p in operation.parameters.values()]
        assert [pair for pair in taken if pair in asked] == asked, (entry.name, verb)
        assert question.return_annotation is Decision, (entry.name, name)
        assert operation.return_annotation is not Decision, (entry.name, verb)


@pytest.mark.parametrize("entry", ENTRIES, ids=NAMES)
def test_area_exports_one_closed_set_of_reason_codes(entry: Registered) -> None:
    """Each area exports exactly one ReasonCode enum (and at most one Question enum); every code
    is snake_case with an English template, and no two areas share a code's enum."""
    codes = entry.area.codes
    assert len(codes) >= 1
    for code in codes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code.value), code
        assert code.template.strip(), code
    assert len(_exported(entry.area, Question)) <= 1
    others = [other.area.codes for other in AREAS if other is not entry]
    assert codes not in others


def _reasons_of(findings: tuple[Finding, ...], transitions: tuple[Transition, ...]) -> list:
    return [
        *(reason for finding in findings for reason in finding.reasons),
        *(reason for transition in transitions for reason in transition.reasons),
    ]


@given(
    account=accounts(),
    policy=policies(),
    hours=st.integers(min_value=0, max_value=24 * 800),
)
def test_every_reason_an_area_gives_uses_its_own_codes(
    account: Account, policy: Policy, hours: int
) -> None:
    """Over generated accounts: every finding and transition an area returns names that area,
    and every reason in it is a member of that area's ReasonCode enum whose sentence renders
    from the details given (no missing field)."""
    at = account.created_at + timedelta(hours=hours)
    evaluation = Evaluation(account=account, policy=policy, at=at)
    end = at + timedelta(days=400)
    for entry, facts, area_policy in evaluation.facts():
        area = entry.area
        contract = area.contract
        findings = contract.findings(facts, area_policy, at=at, zone=account.zone)
        for role in Role:
            findings += contract.role_findings(
                facts, area_policy, role=role, at=at, zone=account.zone
            )
        transitions = tuple(
            itertools.islice(
                contract.transitions(facts, area_policy, start=at, end=end, zone=account.zone),
                50,
            )
        )
        assert {f.area for f in findings} <= {area.name}
        assert {t.area for t in transitions} <= {area.name}
        for finding in findings:
            assert finding.summary  # renders
            assert area.questions is not None
            assert isinstance(finding.question, area.questions)
        for transition in transitions:
            assert area.kinds is not None
            assert transition.kind in set(area.kinds), (area.name, transition.kind)
        for reason in _reasons_of(findings, transitions):
            assert isinstance(reason.code, area.codes), (area.name, reason.code)
            assert reason.code.area == area.name
            assert reason.rule.startswith(f"{area.prefix}-") or reason.rule.startswith("X-"), (
                area.name,
                reason.rule,
            )
            assert reason.rule in RULE_IDS, reason.rule
            assert reason.message  # renders from its details
        assert [t.at for t in transitions] == sorted(t.at for t in transitions)


@given(account=accounts(), policy=policies(), hours=st.integers(min_value=0, max_value=24 * 400))
def test_evaluation_computes_shared_facts_once(
    account: Account, policy: Policy, hours: int
) -> None:
    """The facts the areas share are computed once per evaluation: reading them again gives
    the very same objects."""
    at = account.created_at + timedelta(hours=hours)
    evaluation = Evaluation(account=account, policy=policy, at=at)
    first = [facts for _, facts, _ in evaluation.facts()]
    again = [facts for _, facts, _ in evaluation.facts()]
    assert all(a is b for a, b in zip(first, again, strict=True))


#: Every kind of effect billrules.effects exports.
EFFECT_KINDS = {
    kind
    for name in effect_module.__all__
    for kind in (getattr(effect_module, name),)
    if isinstance(kind, type) and issubclass(kind, Effect) and kind is not Effect
}


def test_effects_strategy_draws_every_kind_with_and_without_account_and_occasion() -> None:
    """billrules.testing.effects draws every exported kind of effect, each with and without an
    account and an occasion, and every value it draws is a valid effect, keyed when it has an
    account (X-6: without one it has no key)."""
    seen: set[tuple[type[Effect], bool, bool]] = set()

    @settings(max_examples=600)  # every one of the kinds is drawn, whatever the profile
    @given(effects())
    def draw(effect: Effect) -> None:
        assert type(effect) in EFFECT_KINDS
        if effect.account is None:
            with pytest.raises(InvalidInput):
                _ = effect.key
        else:
            assert re.fullmatch(r"eff_[0-9a-f]{32}", effect.key)
        assert effect == attrs.evolve(effect)
        seen.add((type(effect), effect.account is None, effect.occasion is None))

    draw()
    assert EFFECT_KINDS == {kind for kind, _, _ in seen}
    assert {True, False} == {account for _, account, _ in seen}
    assert {True, False} == {occasion for _, _, occasion in seen}
