"""Test configuration: Hypothesis profiles, and a summary of documentation examples and traced
rules (computed from the files, so it is right with or without pytest-xdist workers)."""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
# Mutation runs (scripts/mutate): the same examples on every run, and no example database, so a
# mutant's verdict does not depend on what an earlier mutant's run stored. mutmut runs the same
# tests several times in one process, hence the executor check is off.
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _documentation_examples() -> tuple[int, int]:
    """How many ``>>>`` examples the docs, the README and the docstrings hold, and where."""
    parser = doctest.DocTestParser()
    examples = places = 0
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        found = len(parser.get_examples(page.read_text(encoding="utf-8")))
        examples += found
        places += bool(found)
    import billrules

    finder = doctest.DocTestFinder()
    names = ["billrules"] + [
        info.name for info in pkgutil.walk_packages(billrules.__path__, "billrules.")
    ]
    for name in names:
        for test in finder.find(importlib.import_module(name)):
            examples += len(test.examples)
            places += bool(test.examples)
    return examples, places


def _traced_rules() -> tuple[int, int]:
    rows = re.findall(
        r"^\| ([A-Z]+-\d+) \|.*\| (implemented|planned) \|$",
        (ROOT / "docs" / "policies.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    return sum(status == "implemented" for _, status in rows), len(rows)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    examples, places = _documentation_examples()
    implemented, rules = _traced_rules()
    terminalreporter.write_line(
        f"documentation examples: {examples} in {places} pages and docstrings (run as tests)"
    )
    terminalreporter.write_line(
        f"rules traced: {implemented} implemented of {rules} in docs/policies.md"
    )
