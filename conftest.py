"""Test configuration: Hypothesis profiles and the documentation-example counter."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Count the documentation examples (``>>>`` lines) collected, for the summary."""
    examples = 0
    files = 0
    for item in items:
        dtest = getattr(item, "dtest", None)
        if dtest is not None and dtest.examples:
            examples += len(dtest.examples)
            files += 1
    config.stash[_DOC_EXAMPLES] = (examples, files)


_DOC_EXAMPLES = pytest.StashKey[tuple[int, int]]()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    examples, files = config.stash.get(_DOC_EXAMPLES, (0, 0))
    terminalreporter.write_line(
        f"documentation examples collected: {examples} in {files} docstrings and pages"
    )
    traced = config.stash.get(TRACE_SUMMARY, None)
    if traced:
        terminalreporter.write_line(traced)


TRACE_SUMMARY = pytest.StashKey[str]()
