"""Every area question has the contract's one shape (DESIGN.md, the area contract 3):
``can_<verb>(facts, policy, *, <its own arguments>, at, zone) -> Decision``, leaving out only
what :data:`billrules.contract.QUESTION_SHAPES` says, for the rule it names."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest

from billrules import contract
from billrules.contract import ARGUMENTS, QUESTION_SHAPES
from billrules.decisions import Decision

AREAS = (
    "balance",
    "cancellation",
    "deletion",
    "dunning",
    "invoices",
    "overdue",
    "payment_methods",
    "seats",
    "subscriptions",
)


def _questions() -> dict[str, Callable[..., Any]]:
    found = {}
    for area in AREAS:
        module = importlib.import_module(f"billrules.{area}")
        for name in module.__all__:
            value = getattr(module, name)
            if name.startswith("can_") and callable(value) and not inspect.isclass(value):
                found[f"{area}.{name}"] = value
    return found


QUESTIONS = _questions()


def test_every_public_question_is_in_the_table_and_nothing_else() -> None:
    """The table names every public ``can_*`` of every area, and only those."""
    assert sorted(QUESTIONS) == sorted(QUESTION_SHAPES)


def test_the_table_leaves_out_only_contract_arguments_each_with_a_rule() -> None:
    """A left-out argument is one of facts, policy, at, zone, and its reason cites a rule ID."""
    for key, shape in QUESTION_SHAPES.items():
        assert set(shape.left_out) <= set(ARGUMENTS), key
        for name, reason in shape.left_out.items():
            assert re.search(r"\b[A-Z]+-\d+\b", reason), (key, name, reason)
        assert shape.takes == tuple(a for a in ARGUMENTS if a not in shape.left_out)


@pytest.mark.parametrize("key", sorted(QUESTION_SHAPES))
def test_question_signature_matches_its_shape(key: str) -> None:
    """Facts then policy positional (the policy without a default), ``at`` and ``zone``
    keyword-only and required, everything else keyword-only, and a ``Decision`` back."""
    function = inspect.unwrap(QUESTIONS[key])
    signature = inspect.signature(function, eval_str=True)
    takes = QUESTION_SHAPES[key].takes
    parameters = list(signature.parameters.values())
    positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    expected = [name for name in ("facts", "policy") if name in takes]
    assert len(positional) == len(expected), (key, [p.name for p in positional])
    for parameter in positional:
        assert parameter.default is parameter.empty, (key, parameter.name)
    if "policy" in takes:
        assert positional[-1].annotation.__name__.endswith("Policy"), key
    keywords = {p.name: p for p in parameters if p.kind is p.KEYWORD_ONLY}
    assert len(keywords) + len(positional) == len(parameters), key
    for name in ("at", "zone"):
        if name in takes:
            assert name in keywords, (key, name)
            assert keywords[name].default is inspect.Parameter.empty, (key, name)
        else:
            assert name not in keywords, (key, name)
    assert signature.return_annotation is Decision, key


def _row(key: str) -> str:
    doc = contract.__doc__ or ""
    area, name = key.split(".")
    match = re.search(rf"^``{area}\.{name}\b[^`]*``\s+(.*)$", doc, re.MULTILINE)
    assert match, key
    return match.group(1)


@pytest.mark.parametrize("key", sorted(QUESTION_SHAPES))
def test_contract_docstring_renders_each_shape(key: str) -> None:
    """The contract's documentation gives each question's left-out arguments and their rule."""
    left_out = QUESTION_SHAPES[key].left_out
    row = _row(key)
    if not left_out:
        assert row == "—"
        return
    assert row.startswith(", ".join(left_out) + ": "), (key, row)
    reason = next(iter(left_out.values()))
    assert reason.split()[0] in row, (key, row)
