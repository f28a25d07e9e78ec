"""Traceability: every rule in docs/policies.md marked implemented is decided and tested.

For each implemented row: every "Decided by" name exists and names the rule in its
docstring, and every "Tested by" file names the rule. Every rule ID of the catalogue
(``../shared/POLICIES.md``, where present) has a row.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "policies.md"
CATALOGUE = ROOT.parent / "shared" / "POLICIES.md"
RULE_ID = re.compile(r"\b([A-Z]{1,4}-\d+)\b")


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and RULE_ID.fullmatch(cells[0]):
            rows.append(
                dict(
                    zip(
                        ("rule", "what", "default", "knob", "decided", "tested", "status"),
                        cells,
                        strict=True,
                    )
                )
            )
    return rows


ROWS = _rows()
IMPLEMENTED = [row for row in ROWS if row["status"] == "implemented"]


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise AssertionError(f"cannot import {dotted}")


def test_table_has_every_rule_once() -> None:
    """X-1: one row per rule ID; statuses are implemented or planned (counted in the summary)."""
    ids = [row["rule"] for row in ROWS]
    assert len(ids) == len(set(ids))
    assert {row["status"] for row in ROWS} <= {"implemented", "planned"}


def test_table_covers_the_catalogue() -> None:
    """X-1: every rule ID of POLICIES.md has a row (checked when the catalogue is beside us)."""
    if not CATALOGUE.is_file():
        pytest.skip("the policy catalogue is not beside the project")
    catalogue = set(re.findall(r"\*\*([A-Z]+-\d+)\b", CATALOGUE.read_text(encoding="utf-8")))
    assert catalogue == {row["rule"] for row in ROWS}


@pytest.mark.parametrize("row", IMPLEMENTED, ids=lambda row: row["rule"])
def test_implemented_rule_is_decided_and_tested(row: dict[str, str]) -> None:
    """X-1: the deciding functions name the rule in their docstrings; the tests name it too."""
    rule = row["rule"]
    decided = _names(row["decided"])
    tested = _names(row["tested"])
    assert decided, f"{rule}: no deciding function listed"
    assert tested, f"{rule}: no test listed"
    for dotted in decided:
        doc = getattr(_resolve(dotted), "__doc__", None) or ""
        assert re.search(rf"\b{re.escape(rule)}\b", doc), f"{dotted} does not name {rule}"
    for path in tested:
        text = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"\b{re.escape(rule)}\b", text), f"{path} does not name {rule}"
